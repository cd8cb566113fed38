//! The storage layer's one error type.

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported backend.
    #[error("unsupported database URL (expected sqlite://PATH or postgres://...): {0}")]
    BadUrl(String),
    /// No connection could be had.
    #[error("database connection failed: {0}")]
    Pool(#[from] r2d2::Error),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The storage work did not finish within its bound (a stalled database or network).
    #[error("the database did not answer within {0} ms")]
    Timeout(u64),
    /// The blocking task was cancelled or panicked.
    #[error("a blocking database task failed")]
    Blocking,
    /// A group write (see `group`) failed as a whole: no connection, or its commit failed.
    #[error("the group write failed: {0}")]
    Group(String),
    /// A read shared by a batch of requests (see `coalesce`) failed.
    #[error("the shared read failed: {0}")]
    Shared(String),
}

impl DbError {
    /// A failure of the storage itself (no connection, a failed query), as opposed to a
    /// misconfiguration or a panicked task: answered 503 on every surface.
    pub fn is_storage_failure(&self) -> bool {
        matches!(
            self,
            DbError::Pool(_)
                | DbError::Query(_)
                | DbError::Timeout(_)
                | DbError::Group(_)
                | DbError::Shared(_)
        )
    }
}
