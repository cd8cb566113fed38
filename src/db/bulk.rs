//! Bulk loading for the benchmarks' seeding (`assent bench-seed`): the backend-specific ways to
//! write many rows fast, kept here because only `db` knows which backend runs.

use diesel::connection::SimpleConnection;
use diesel::QueryResult;

use super::DbConnection;

/// Rows per SQLite INSERT: 8 columns at most, so 32,000 bound parameters, under SQLite's 32,766.
pub const ROWS_PER_INSERT: usize = 4_000;
const _: () = assert!(ROWS_PER_INSERT * 8 <= 32_766);

/// SQLite settings of a bulk-loading connection: a 256 MiB page cache (the indexes stay in memory
/// while they grow), statement journals in memory, and no foreign-key lookups (the loader builds
/// every row with its parents' ids).
const SQLITE_FAST: &str =
    "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;";

/// What the pool's connections have (see `crate::db`), restored before the connection goes back.
const SQLITE_USUAL: &str =
    "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA foreign_keys = ON;";

/// Run `load` on `conn` set up for bulk loading, then restore the connection and tidy the database
/// (SQLite: checkpoint and truncate the write-ahead log; PostgreSQL: fresh planner statistics).
pub fn bulk_load<T, E: From<diesel::result::Error>>(
    conn: &mut DbConnection,
    load: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    if sqlite {
        conn.batch_execute(SQLITE_FAST)?;
    }
    let loaded = load(conn);
    if sqlite {
        conn.batch_execute(SQLITE_USUAL)?;
    }
    let loaded = loaded?;
    tidy(conn, sqlite)?;
    Ok(loaded)
}

fn tidy(conn: &mut DbConnection, sqlite: bool) -> QueryResult<()> {
    conn.batch_execute(if sqlite {
        "PRAGMA wal_checkpoint(TRUNCATE);"
    } else {
        "ANALYZE;"
    })
}

/// Write `$rows` into `$table` (in the caller's transaction). PostgreSQL: one binary `COPY FROM`.
/// SQLite: `ROWS_PER_INSERT` rows per INSERT, full chunks as arrays so that diesel prepares the
/// statement once per table, the rest as one shorter statement. Both on the concrete connection:
/// diesel has COPY only for PostgreSQL, and batches INSERTs for SQLite only there.
macro_rules! write_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        match &mut *$conn {
            $crate::db::DbConnection::Pg(pg) => {
                diesel::copy_from($table)
                    .from_insertable(&$rows[..])
                    .execute(pg)?;
            }
            $crate::db::DbConnection::Sqlite(sqlite) => {
                let mut chunks = $rows.chunks_exact($crate::db::bulk::ROWS_PER_INSERT);
                for chunk in &mut chunks {
                    let chunk: &[_; $crate::db::bulk::ROWS_PER_INSERT] = chunk
                        .try_into()
                        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
                    diesel::insert_into($table).values(chunk).execute(sqlite)?;
                }
                let rest = chunks.remainder();
                if !rest.is_empty() {
                    diesel::insert_into($table).values(rest).execute(sqlite)?;
                }
            }
        }
    }};
}

pub(crate) use write_rows;
