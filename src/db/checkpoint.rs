//! SQLite's WAL checkpoints: a thread of their own, so that no request's commit waits for one.

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

/// WAL pages after which a committing connection checkpoints by itself (if the checkpointer fell
/// behind); about 40 MB with 4 KiB pages.
pub(super) const SAFETY_CHECKPOINT_PAGES: u32 = 10_000;

/// The size SQLite truncates the write-ahead log to when a writer starts it over after a complete
/// checkpoint (8 MiB), instead of leaving the file at its high-water mark.
pub(super) const WAL_SIZE_LIMIT_BYTES: u32 = 8 << 20;

/// How often the checkpointer copies committed WAL pages into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// SQLite's automatic checkpoint runs inside a COMMIT, i.e. inside a request and under the write
/// lock, and ends in an fsync; under load that made every request wait for the disk. This thread
/// checkpoints PASSIVE-ly (never blocking readers or the writer) on its own connection, and stops
/// within `CHECKPOINT_EVERY` once the last clone of the `Db` is dropped.
pub(super) fn checkpointer(path: String, busy_timeout_ms: u32, alive: std::sync::Weak<()>) {
    let mut conn = match SqliteConnection::establish(&path) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "the WAL checkpointer could not open the database");
            return;
        }
    };
    if let Err(e) = conn.batch_execute(&format!("PRAGMA busy_timeout = {busy_timeout_ms};")) {
        tracing::warn!(error = %e, "the WAL checkpointer could not set up its connection");
    }
    loop {
        std::thread::sleep(CHECKPOINT_EVERY);
        if alive.strong_count() == 0 {
            return;
        }
        if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
            tracing::debug!(error = %e, "WAL checkpoint postponed");
        }
    }
}
