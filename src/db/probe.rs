//! Whether a database URL names a database Assent already set up, found out without creating
//! anything: the CLI's commands other than `serve` and `migrate` refuse to work on a new, empty
//! database (a typo in a path must not silently start a second, empty Assent).

use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::{Backend, DbError};

/// Diesel's own bookkeeping table: it exists once any migration ran.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The database exists and holds Assent's schema.
    SetUp,
    /// There is no database (SQLite: no file at this path) or it has no Assent schema yet.
    Missing {
        /// The database, as a person would look for it: the absolute file path for SQLite, the
        /// URL without any password for PostgreSQL.
        name: String,
    },
}

/// Probe `url` without creating a file, a database or a table.
pub fn probe(url: &str) -> Result<Found, DbError> {
    match Backend::from_url(url)? {
        Backend::Sqlite(path) => {
            let shown = std::path::absolute(&path)
                .map_or_else(|_| path.clone(), |p| p.display().to_string());
            if !std::path::Path::new(&path).is_file() {
                return Ok(Found::Missing { name: shown });
            }
            let mut conn = SqliteConnection::establish(&path)
                .map_err(|e| DbError::Migration(format!("can not open {shown}: {e}")))?;
            let found = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '{MIGRATIONS_TABLE}'"
            ))
            .get_result::<Count>(&mut conn)?;
            Ok(if found.n > 0 {
                Found::SetUp
            } else {
                Found::Missing { name: shown }
            })
        }
        Backend::Postgres(url) => {
            let mut conn = PgConnection::establish(&url)
                .map_err(|e| DbError::Migration(format!("can not connect: {e}")))?;
            let found = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '{MIGRATIONS_TABLE}'"
            ))
            .get_result::<Count>(&mut conn)?;
            Ok(if found.n > 0 {
                Found::SetUp
            } else {
                Found::Missing {
                    name: without_password(&url),
                }
            })
        }
    }
}

/// A PostgreSQL URL fit for a message: any password replaced by `***`.
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_sqlite_file_is_missing_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.db");
        let found = probe(&format!("sqlite://{}", path.display())).unwrap();
        assert_eq!(
            found,
            Found::Missing {
                name: path.display().to_string()
            }
        );
        assert!(!path.exists());
    }

    #[test]
    fn an_empty_sqlite_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.db");
        std::fs::write(&path, b"").unwrap();
        let found = probe(&format!("sqlite://{}", path.display())).unwrap();
        assert!(matches!(found, Found::Missing { .. }));
    }

    #[test]
    fn a_postgres_password_is_never_shown() {
        assert_eq!(
            without_password("postgres://assent:s3cret@db.internal/assent"),
            "postgres://assent:***@db.internal/assent"
        );
    }
}
