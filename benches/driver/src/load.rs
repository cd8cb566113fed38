//! The load loop: each connection keeps one chain (one grant family) and runs it sequentially, each
//! request carrying the token of the previous answer; `--chains` lines run concurrently, like wrk's
//! connections. Only requests that start after the warm-up and end before the stop are measured.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::args::{die, Args};
use crate::http::{Conn, Response};
use crate::stats::{self, ChainResult};

/// How one chain builds its next request and reads the next token out of the answer.
pub trait Protocol: Send + Sync + 'static {
    fn request(&self, token: &str) -> Vec<u8>;
    /// The next token, or why the answer is not a success.
    fn next_token(&self, resp: &Response) -> Result<String, String>;
}

async fn run_chain<P: Protocol>(
    proto: Arc<P>,
    addr: String,
    mut token: String,
    measure_from: Instant,
    stop_at: Instant,
    timeout: Duration,
    stopped: Arc<AtomicBool>,
) -> ChainResult {
    let mut conn = Conn::new(&addr);
    let mut out = ChainResult::default();
    while Instant::now() < stop_at && !stopped.load(Ordering::Relaxed) {
        let request = proto.request(&token);
        let started = Instant::now();
        let result = tokio::time::timeout(timeout, conn.send(&request)).await;
        let done = Instant::now();
        let measured = started >= measure_from && done <= stop_at;
        let outcome = match result {
            Err(_) => Err((true, "timeout".to_string())),
            Ok(Err(e)) => Err((true, format!("socket: {e}"))),
            Ok(Ok(resp)) => proto.next_token(&resp).map_err(|e| (false, e)),
        };
        match outcome {
            Ok(next) => {
                token = next;
                if measured {
                    out.ok += 1;
                    out.latencies_us
                        .push((done - started).as_micros().min(u32::MAX as u128) as u32);
                } else if started < measure_from {
                    out.warmup_ok += 1;
                } else {
                    out.tail_ok += 1;
                }
            }
            Err((socket, why)) => {
                // A refresh token that may have been consumed can not be sent again (that is reuse
                // and revokes the family): this chain ends here.
                if socket {
                    out.socket_errors += 1;
                } else {
                    out.status_errors += 1;
                }
                out.first_error = Some(why);
                return out;
            }
        }
    }
    out.last_token = Some(token);
    out
}

/// Run every chain of `--chains` for `--warmup` then `--duration` seconds; print the summary and
/// write the surviving tokens to `--save`.
pub fn load<P: Protocol>(proto: P, args: &Args) {
    let addr = args.get("addr");
    let chains: Vec<String> = std::fs::read_to_string(args.get("chains"))
        .unwrap_or_else(|e| die(&format!("can not read --chains: {e}")))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if chains.is_empty() {
        die("no chains in --chains");
    }
    let duration = Duration::from_secs_f64(args.num("duration", 10.0));
    let warmup = Duration::from_secs_f64(args.num("warmup", 2.0));
    let timeout = Duration::from_secs_f64(args.num("timeout", 10.0));
    let threads = args.num("threads", 1.0).max(1.0) as usize;
    let runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
    .unwrap_or_else(|e| die(&format!("runtime: {e}")));
    let proto = Arc::new(proto);
    let results: Vec<ChainResult> = runtime.block_on(async {
        let start = Instant::now();
        let measure_from = start + warmup;
        let stop_at = measure_from + duration;
        let stopped = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = chains
            .iter()
            .map(|t| {
                tokio::spawn(run_chain(
                    proto.clone(),
                    addr.clone(),
                    t.clone(),
                    measure_from,
                    stop_at,
                    timeout,
                    stopped.clone(),
                ))
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap_or_default());
        }
        out
    });
    for (i, r) in results.iter().enumerate() {
        if let Some(e) = &r.first_error {
            eprintln!("driver: chain {i} ended: {e}");
        }
    }
    if let Some(path) = args.maybe("save") {
        let text: String = results
            .iter()
            .filter_map(|r| r.last_token.as_ref())
            .map(|t| format!("{t}\n"))
            .collect();
        std::fs::write(path, text).unwrap_or_else(|e| die(&format!("can not write --save: {e}")));
    }
    println!("{}", stats::summary(&results, duration, chains.len()));
}
