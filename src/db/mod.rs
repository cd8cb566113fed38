//! Storage: one diesel `MultiConnection` over SQLite and PostgreSQL, chosen by the URL's scheme (never
//! by trial), pooled with r2d2. Migrations are embedded and run before the server binds. Blocking
//! work runs through [`Db::run`] / [`Db::transaction`] on the blocking thread pool.
//!
//! Lookups by a unique key use `get_result`, not `first`: `first` adds `LIMIT ?`, and SQLite's
//! planner reads a bound LIMIT's value, so re-binding it expires the cached prepared statement and
//! every execution parsed and planned the query again (a third of the refresh path's time in the
//! profile of issue 8).

mod abandon;
pub mod application;
pub mod audit;
mod backend;
pub mod backup;
pub mod bulk;
mod cached;
mod checkpoint;
pub mod coalesce;
pub mod decided_consent;
pub mod device;
pub mod email_token;
mod error;
pub mod grant;
mod group;
pub mod limit;
pub mod meta;
pub mod oauth_code;
mod pool;
pub mod probe;
pub mod provider;
pub mod refresh_token;
pub mod schema;
pub mod session;
pub mod signing_key;
mod sqlite_file;
pub mod sweep;
mod tx;
pub mod user;

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use pool::{ms, Manager, Pooled};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

/// The schema's migrations, one tree for both backends (see `migrations/README.md`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

// The derive generates public helper types without docs; keep that confined to this module.
#[allow(missing_docs)]
mod connection {
    use diesel::{PgConnection, SqliteConnection};

    /// A connection to either backend. Queries written once work on both.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// PostgreSQL.
        Pg(PgConnection),
        /// SQLite (the embedded default).
        Sqlite(SqliteConnection),
    }
}
pub use crate::config::Synchronous;
pub use backend::Backend;
pub use connection::DbConnection;
pub use error::DbError;
pub use pool::Settings;
pub use tx::write_through;

/// Run a query on the concrete connection inside a [`DbConnection`]. Through the
/// `MultiConnection` every execution serializes the query's SQL to look up its prepared statement;
/// on the concrete connection the lookup is by type. For the hottest reads only (the check path):
/// `$body` is compiled once per backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Pg($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// The connection pool and what the backend needs to write safely.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite has one writer at a time and can not upgrade a read transaction whose snapshot went
    /// stale, so this process serializes its write transactions; PostgreSQL does not need it.
    write_lock: Option<Arc<Mutex<()>>>,
    /// How long a request waits for its storage work (check-out plus a statement's bound).
    bound: std::time::Duration,
    /// The pool manager's count of dead connections found (see `pool`).
    deaths: Arc<AtomicU64>,
    /// SQLite: the writer that commits concurrent state changes together (see `group`).
    group: Option<group::Group>,
    /// While any clone of this `Db` lives, the SQLite checkpointer thread runs.
    _alive: Arc<()>,
    /// SQLite: the shared "in use" lock that keeps a restore from replacing the file (backup.rs).
    _in_use: Option<Arc<std::fs::File>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// Open a pool for `url` with the default bounds (see [`Settings`]).
    pub fn connect(url: &str, pool_size: u32, busy_timeout_ms: u32) -> Result<Db, DbError> {
        let settings = Settings {
            pool_size,
            busy_timeout_ms,
            ..Settings::default()
        };
        Db::connect_with(url, &settings)
    }

    /// Open a pool for `url` (no connection is made until first use, except one to check).
    pub fn connect_with(url: &str, settings: &Settings) -> Result<Db, DbError> {
        let Settings {
            pool_size,
            busy_timeout_ms,
            statement_timeout_ms,
            checkout_timeout_ms,
            sqlite_synchronous,
        } = *settings;
        let backend = Backend::from_url(url)?;
        let in_use = backup::hold_shared(&backend)
            .map_err(|e| DbError::Migration(e.to_string()))?
            .map(Arc::new);
        if let Backend::Sqlite(path) = &backend {
            sqlite_file::create_private(path)?;
            // The journal mode is stored in the file: set it once, before the pool opens several
            // connections at the same time (each asking for it would contend for the lock).
            let mut conn = SqliteConnection::establish(path)
                .map_err(|e| DbError::Migration(format!("can not open {path}: {e}")))?;
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {busy_timeout_ms}; PRAGMA journal_mode = WAL;"
            ))
            .map_err(DbError::Query)?;
        }
        let deaths = Arc::new(AtomicU64::new(0));
        let manager = Manager {
            backend: backend.clone(),
            busy_timeout_ms,
            statement_timeout_ms,
            synchronous: sqlite_synchronous,
            deaths: deaths.clone(),
        };
        // The check-out test is free until a dead connection was found (see `pool`): no
        // `SELECT 1` per request, yet no connection an outage killed is handed out twice.
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(ms(checkout_timeout_ms))
            .test_on_check_out(true)
            .error_handler(Box::new(pool::CountErrors))
            .build(manager)?;
        let write_lock = matches!(backend, Backend::Sqlite(_)).then(|| Arc::new(Mutex::new(())));
        let group = match &write_lock {
            Some(lock) => {
                let manager = Manager {
                    backend: backend.clone(),
                    busy_timeout_ms,
                    statement_timeout_ms,
                    synchronous: sqlite_synchronous,
                    deaths: Arc::new(AtomicU64::new(0)),
                };
                let started = group::Group::start(manager, lock.clone())
                    .map_err(|e| DbError::Migration(format!("the SQLite writer: {e}")))?;
                Some(started)
            }
            None => None,
        };
        let alive = Arc::new(());
        if let Backend::Sqlite(path) = &backend {
            let (path, weak) = (path.clone(), Arc::downgrade(&alive));
            let spawned = std::thread::Builder::new()
                .name("sqlite-checkpoint".into())
                .spawn(move || checkpoint::checkpointer(path, busy_timeout_ms, weak));
            if let Err(e) = spawned {
                // Not fatal: commits then checkpoint by themselves past the safety threshold.
                tracing::warn!(error = %e, "the WAL checkpointer thread could not start");
            }
        }
        Ok(Db {
            pool,
            backend,
            write_lock,
            group,
            bound: ms(checkout_timeout_ms) + ms(statement_timeout_ms),
            deaths,
            _alive: alive,
            _in_use: in_use,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// How many connections the pool holds at most.
    pub fn pool_size(&self) -> usize {
        self.pool.max_size() as usize
    }

    /// Run the pending [`MIGRATIONS`] on the backend in use; returns how many ran.
    pub fn migrate(&self) -> Result<usize, DbError> {
        let mut conn = self.pool.get()?;
        let ran = match &mut conn.conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(MIGRATIONS).map(|v| v.len()),
            DbConnection::Pg(c) => c.run_pending_migrations(MIGRATIONS).map(|v| v.len()),
        };
        ran.map_err(|e| DbError::Migration(e.to_string()))
    }

    /// Run `f` with a pooled connection, on the current thread (CLI, startup). When `f` fails
    /// because its connection was dead before anything succeeded on it (so nothing was written),
    /// the dead connection leaves the pool and `f` runs once more on a live one.
    pub fn run_sync<T, E>(
        &self,
        mut f: impl FnMut(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.checkout()?;
        let before = conn.successes();
        let result = f(&mut conn.conn);
        if result.is_err() && self.dead(&mut conn) && conn.successes() == before {
            drop(conn);
            tracing::info!("retrying on a live connection after a dead one");
            let mut conn = self.checkout()?;
            let result = f(&mut conn.conn);
            if result.is_err() {
                self.dead(&mut conn);
            }
            return result;
        }
        result
    }

    /// After a failed call: is its connection dead? A dead one is taken out of the pool.
    fn dead(&self, conn: &mut Pooled) -> bool {
        if conn.alive() {
            return false;
        }
        tracing::warn!("a dead database connection leaves the pool");
        crate::metrics::db_error(crate::metrics::DEAD_CONNECTION);
        pool::bury(conn, &self.deaths);
        true
    }

    /// Run `f` in ONE transaction (all or nothing), on the current thread. When the transaction
    /// could not even begin because the connection was dead, it is begun once more on a live one.
    pub fn transaction_sync<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError> + From<diesel::result::Error>,
    {
        let mut f = Some(f);
        let mut conn = self.checkout()?;
        let result = self.write_in(&mut conn.conn, |c| tx::once(&mut f, c));
        if result.is_err() && f.is_some() && self.dead(&mut conn) {
            drop(conn);
            tracing::info!("beginning again on a live connection after a dead one");
            let mut conn = self.checkout()?;
            let result = self.write_in(&mut conn.conn, |c| tx::once(&mut f, c));
            if result.is_err() {
                self.dead(&mut conn);
            }
            return result;
        }
        if result.is_err() {
            self.dead(&mut conn);
        }
        result
    }

    /// Run `f` in ONE write transaction on a connection the caller already holds (so reads and
    /// cryptography before and after stay outside the write lock).
    pub fn write_in<T, E>(
        &self,
        conn: &mut DbConnection,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        // A poisoned lock only means another writer panicked; the data is in the database.
        let _guard = self
            .write_lock
            .as_ref()
            .map(|lock| lock.lock().unwrap_or_else(|p| p.into_inner()));
        abandon::before_write()?;
        tx::write(conn, f)
    }

    /// Write ONE state change, owned so that it can run on another connection: on SQLite it joins
    /// the next group commit (see `group`: one transaction for every change waiting, each in its
    /// own savepoint, so a failing change fails alone), answered after that commit; on PostgreSQL
    /// it is its own transaction on `conn` (PostgreSQL groups concurrent commits itself).
    pub fn write_change<T, E, F>(&self, conn: &mut DbConnection, change: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        match &self.group {
            Some(group) => {
                abandon::before_write()?;
                group.write(change)
            }
            None => self.write_in(conn, change),
        }
    }

    /// [`Db::run_sync`] on the blocking thread pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnMut(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (db, watch) = (self.clone(), abandon::Watch::default());
        let work = watch.clone();
        let handle = tokio::task::spawn_blocking(move || work.run(|| db.run_sync(f)));
        self.bounded(&watch, handle).await?
    }

    /// [`Db::transaction_sync`] on the blocking thread pool (on SQLite through the group commit).
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let (db, watch) = (self.clone(), abandon::Watch::default());
        let work = watch.clone();
        // On SQLite the transaction joins the next group commit (see `group`); it held the one
        // write lock for its whole run before, and holds the writer now, so nothing else changes.
        let handle = tokio::task::spawn_blocking(move || {
            work.run(|| match &db.group {
                Some(group) => {
                    abandon::before_write()?;
                    group.write(f)
                }
                None => db.transaction_sync(f),
            })
        });
        self.bounded(&watch, handle).await?
    }

    /// Wait for blocking storage work at most [`Db`]'s bound: past it the request is answered
    /// (a storage failure, so a 503) while the work, stuck on a stalled database, ends by itself
    /// without beginning a write (see `abandon`).
    async fn bounded<T, E: From<DbError>>(
        &self,
        watch: &abandon::Watch,
        work: tokio::task::JoinHandle<Result<T, E>>,
    ) -> Result<Result<T, E>, E> {
        match tokio::time::timeout(self.bound, work).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(_)) => Err(E::from(DbError::Blocking)),
            Err(_) => {
                watch.abandon();
                crate::metrics::db_error(crate::metrics::TIMEOUT);
                let bound = u64::try_from(self.bound.as_millis()).unwrap_or(u64::MAX);
                Err(E::from(DbError::Timeout(bound)))
            }
        }
    }

    /// Does the database answer with Assent's schema (for `/readyz`)? A read of a table, not a
    /// bare `SELECT 1`, so a damaged or replaced database file is not ready either.
    pub async fn ping(&self) -> bool {
        self.run(|conn| {
            conn.batch_execute("SELECT COUNT(*) FROM __diesel_schema_migrations")
                .map_err(DbError::from)
        })
        .await
        .is_ok()
    }
}

/// A random primary key, as a diesel error so it composes inside transactions.
pub fn new_id() -> Result<i64, diesel::result::Error> {
    crate::crypto::random_id().map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))
}
