//! One write transaction on either backend.

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};

use super::DbConnection;

/// Run `f` in one write transaction. SQLite: BEGIN IMMEDIATE takes the write lock first (waiting
/// up to the busy timeout), so a write never starts from a read snapshot that another process (a
/// CLI command beside the server) has made stale: that would fail at once with "database is
/// locked". PostgreSQL: a plain BEGIN.
pub(super) fn write<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    type Tx = <DbConnection as Connection>::TransactionManager;
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Pg(_) => Tx::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            Tx::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = Tx::rollback_transaction(conn) {
                tracing::warn!(error = %rollback, "a failed transaction did not roll back");
            }
            Err(e)
        }
    }
}

/// Run `f` as one write transaction through `db`, or on `conn` directly when `db` is None because
/// the caller already holds a transaction (an OAuth flow runs whole inside one).
pub fn write_through<T, E: From<diesel::result::Error>>(
    db: Option<&super::Db>,
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    match db {
        Some(db) => db.write_in(conn, f),
        None => f(conn),
    }
}

/// Call the `FnOnce` in `f` (it is there unless it was called already).
pub(super) fn once<T, E: From<diesel::result::Error>>(
    f: &mut Option<impl FnOnce(&mut DbConnection) -> Result<T, E>>,
    conn: &mut DbConnection,
) -> Result<T, E> {
    match f.take() {
        Some(f) => f(conn),
        None => Err(diesel::result::Error::AlreadyInTransaction.into()),
    }
}
