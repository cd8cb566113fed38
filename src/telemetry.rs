//! Structured logs with `tracing`. Request logs carry method, path (never the query string, which
//! can hold refresh tokens and verifiers), status and latency.
//!
//! Logging never takes a request down: a log line that can not be written (stderr on a full disk,
//! a closed pipe) is dropped and counted ([`dropped_log_writes`], shown by `GET /readyz`), never
//! retried, never a panic.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::LogConfig;
use tracing_subscriber::EnvFilter;

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// How many log lines could not be written since the process started.
pub fn dropped_log_writes() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// stderr, except that a failed write is counted and reported as done, so that nothing up the
/// stack (tracing-subscriber prints its own write errors to stderr, which panics) ever sees it.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter hands over one whole line per event: one count per dropped line.
        if std::io::stderr().write_all(buf).is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Install the global subscriber (once; later calls are ignored).
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    // Colours only on a terminal: a log file or journald gets plain `key=value` text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .log_internal_errors(false)
        .with_writer(|| Stderr);
    let _ = if config.json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_never_fails() {
        let mut w = Stderr;
        assert_eq!(w.write(b"").unwrap(), 0);
        assert!(w.flush().is_ok());
    }
}
