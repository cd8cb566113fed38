//! Bulk loading for the benchmarks' seeding (`assent bench-seed`): the backend-specific ways to
//! write many rows fast, kept here because only `db` knows which backend runs.

use diesel::connection::SimpleConnection;
use diesel::{QueryResult, RunQueryDsl};

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

/// Run `load` on `conn` set up for bulk loading, then tidy the database (SQLite: checkpoint and
/// truncate the write-ahead log; PostgreSQL: fresh planner statistics) and restore the connection.
/// On PostgreSQL the load and the tidying run without the pool's `statement_timeout`: a COPY of a
/// whole batch or an ANALYZE of a million rows may take longer than any request should.
pub fn bulk_load<T, E: From<diesel::result::Error>>(
    conn: &mut DbConnection,
    load: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let timeout = if sqlite {
        conn.batch_execute(SQLITE_FAST)?;
        None
    } else {
        let usual: Setting =
            diesel::sql_query("SELECT current_setting('statement_timeout') AS value")
                .get_result(conn)?;
        conn.batch_execute("SET statement_timeout = 0")?;
        Some(usual.value)
    };
    let loaded = load(conn).and_then(|loaded| {
        tidy(conn, sqlite)?;
        Ok(loaded)
    });
    match timeout {
        None => conn.batch_execute(SQLITE_USUAL)?,
        Some(usual) => {
            diesel::sql_query("SELECT set_config('statement_timeout', $1, false) AS value")
                .bind::<diesel::sql_types::Text, _>(usual)
                .get_result::<Setting>(conn)?;
        }
    }
    loaded
}

/// A PostgreSQL setting's value.
#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
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
