//! The r2d2 side of storage: opening connections, and keeping dead ones out of the pool.
//!
//! A pooled connection is not probed at every check-out (that cost a round trip per request).
//! Instead, when a call fails and its connection then fails a `SELECT 1`, that connection is marked
//! broken (r2d2 drops it when it comes back) and the pool's count of deaths goes up; from then on,
//! every pooled connection is probed once at its next check-out, so the other connections an outage
//! or a restart killed are dropped too instead of failing a request each. Every connection counts
//! the statements that succeeded on it, so a failed call can tell whether it wrote nothing and may
//! be retried (see `Db::run_sync`).

use crate::config::Synchronous;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

use super::checkpoint::{SAFETY_CHECKPOINT_PAGES, WAL_SIZE_LIMIT_BYTES};
use super::{Backend, DbConnection};

/// A connection in the pool, with what the pool knows about it.
pub struct Pooled {
    /// The connection itself.
    pub(super) conn: DbConnection,
    succeeded: Arc<AtomicU64>,
    /// The pool's count of deaths when this connection was last known alive.
    validated: u64,
    broken: bool,
}

impl Pooled {
    /// How many statements succeeded on this connection so far.
    pub(super) fn successes(&self) -> u64 {
        self.succeeded.load(Ordering::Relaxed)
    }

    /// Is it still alive (one `SELECT 1`)?
    pub(super) fn alive(&mut self) -> bool {
        self.conn.batch_execute("SELECT 1").is_ok()
    }
}

/// Opens the backend the URL names and sets SQLite up for concurrent use.
#[derive(Debug)]
pub(super) struct Manager {
    pub(super) backend: Backend,
    pub(super) busy_timeout_ms: u32,
    pub(super) statement_timeout_ms: u32,
    pub(super) synchronous: Synchronous,
    /// How many dead connections were found: a connection validated before the last one is
    /// probed at its next check-out.
    pub(super) deaths: Arc<AtomicU64>,
}

/// Mark `conn` dead: it leaves the pool when returned, and every other connection is probed at
/// its next check-out (`deaths` is the pool manager's count).
pub(super) fn bury(conn: &mut Pooled, deaths: &AtomicU64) {
    conn.broken = true;
    deaths.fetch_add(1, Ordering::SeqCst);
}

/// Counts the statements that succeeded on one connection.
fn counter(succeeded: Arc<AtomicU64>) -> impl Instrumentation {
    move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::FinishQuery { error: None, .. } = event {
            succeeded.fetch_add(1, Ordering::Relaxed);
            crate::metrics::statement();
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectionError;

    fn connect(&self) -> Result<Pooled, ConnectionError> {
        // Read before connecting: a death found meanwhile makes this one be probed too.
        let validated = self.deaths.load(Ordering::SeqCst);
        let succeeded = Arc::new(AtomicU64::new(0));
        let conn = match &self.backend {
            Backend::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // No query runs longer than the bound: the server cancels it (a 503 follows).
                conn.batch_execute(&format!(
                    "SET statement_timeout = {}",
                    self.statement_timeout_ms
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                conn.set_instrumentation(counter(succeeded.clone()));
                DbConnection::Pg(conn)
            }
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // WAL (set once, in `Db::connect`) lets readers run beside the one writer; the busy
                // timeout makes writers queue instead of failing; foreign keys are off by default.
                // Checkpoints run on the checkpointer's own connection (see `checkpoint`), not in
                // the commit of a request; the high automatic threshold is only a safety net.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
                     PRAGMA wal_autocheckpoint = {SAFETY_CHECKPOINT_PAGES}; \
                     PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES};",
                    self.busy_timeout_ms,
                    self.synchronous.pragma()
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                conn.set_instrumentation(counter(succeeded.clone()));
                DbConnection::Sqlite(conn)
            }
        };
        Ok(Pooled {
            conn,
            succeeded,
            validated,
            broken: false,
        })
    }

    /// At check-out: free unless a dead connection was found since this one was last known alive.
    fn is_valid(&self, conn: &mut Pooled) -> Result<(), ConnectionError> {
        let deaths = self.deaths.load(Ordering::SeqCst);
        if conn.validated == deaths {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        conn.validated = deaths;
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        conn.broken
    }
}

/// How a pool is opened and bounded (`[database]` in the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Connections in the pool.
    pub pool_size: u32,
    /// How long SQLite waits for a lock before failing.
    pub busy_timeout_ms: u32,
    /// The longest a query may run (PostgreSQL's `statement_timeout`).
    pub statement_timeout_ms: u32,
    /// The longest a check-out waits for a connection.
    pub checkout_timeout_ms: u32,
    /// When an SQLite commit is durable.
    pub sqlite_synchronous: Synchronous,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pool_size: 8,
            busy_timeout_ms: 5000,
            statement_timeout_ms: 5000,
            checkout_timeout_ms: 5000,
            sqlite_synchronous: Synchronous::Normal,
        }
    }
}

pub(super) fn ms(millis: u32) -> std::time::Duration {
    std::time::Duration::from_millis(u64::from(millis))
}

impl super::Db {
    /// A pooled connection, within the check-out bound; the wait is measured either way.
    pub(super) fn checkout(&self) -> Result<r2d2::PooledConnection<Manager>, super::DbError> {
        let started = std::time::Instant::now();
        let got = self.pool.get();
        crate::metrics::pool_checkout(started.elapsed(), got.is_ok());
        Ok(got?)
    }
}

/// r2d2's handler of failed connection attempts: logged (as r2d2's own handler does) and counted.
#[derive(Debug)]
pub(super) struct CountErrors;

impl r2d2::HandleError<ConnectionError> for CountErrors {
    fn handle_error(&self, error: ConnectionError) {
        tracing::warn!(%error, "a database connection could not be opened");
        crate::metrics::db_error(crate::metrics::CONNECT);
    }
}
