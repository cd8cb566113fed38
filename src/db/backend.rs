//! Which backend a database URL names (by its scheme, never by trial).

use super::DbError;

/// Which backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// SQLite with the file path.
    Sqlite(String),
    /// PostgreSQL with the full URL.
    Postgres(String),
}

impl Backend {
    /// Parse `sqlite://PATH`, `sqlite:PATH`, `postgres://...` or `postgresql://...`.
    pub fn from_url(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_string()));
        }
        let path =
            crate::config::sqlite_path(url).ok_or_else(|| DbError::BadUrl(url.to_string()))?;
        Ok(Backend::Sqlite(path.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_is_chosen_by_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://assent.db").unwrap(),
            Backend::Sqlite("assent.db".into())
        );
        assert_eq!(
            Backend::from_url("sqlite:///var/lib/a.db").unwrap(),
            Backend::Sqlite("/var/lib/a.db".into())
        );
        assert!(matches!(
            Backend::from_url("postgres://postgres@127.0.0.1/test").unwrap(),
            Backend::Postgres(_)
        ));
        assert!(Backend::from_url("mysql://x").is_err());
        assert!(Backend::from_url("assent.db").is_err());
    }
}
