//! The error of page handlers, and what each kind tells the user. `routes::error` turns it into
//! the HTTP response (this module sees no actix).
//!
//! Policy: a client mistake is a 4xx with an HTML page that says what is wrong (never a redirect to
//! an unverified URL); a storage outage is a 503; anything else is a 500 whose body says only
//! "Internal Server Error" while the cause goes to the log. Protocol endpoints that answer JSON have
//! their own closed error enums and map them here too.

use crate::db::DbError;

/// An error of an HTML page handler.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is wrong; the message is shown to the user.
    #[error("{0}")]
    BadRequest(String),
    /// 401 with a message shown to the user.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: e.g. a missing or wrong anti-CSRF token.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("not found")]
    NotFound,
    /// 429 with `Retry-After` seconds.
    #[error("too many attempts")]
    TooManyRequests {
        /// Seconds until the next attempt is allowed.
        retry_after: i64,
    },
    /// 503: storage is unreachable.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure; the text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Pool(_) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<crate::crypto::RngError> for AppError {
    fn from(e: crate::crypto::RngError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<crate::crypto::ServerKeyError> for AppError {
    fn from(e: crate::crypto::ServerKeyError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    /// The error page's title and message (an internal cause is never shown).
    pub fn title_and_message(&self) -> (&'static str, String) {
        match self {
            AppError::BadRequest(m) => ("This request can not be completed", m.clone()),
            AppError::Unauthorized(m) => ("Sign-in required", m.clone()),
            AppError::Forbidden(m) => ("Request refused", m.clone()),
            AppError::NotFound => ("Page not found", "There is nothing at this address.".into()),
            AppError::TooManyRequests { retry_after } => (
                "Too many attempts",
                format!("Please wait {retry_after} seconds before trying again."),
            ),
            AppError::Unavailable(_) => (
                "Service unavailable",
                "Assent can not reach its storage right now. Please try again shortly.".into(),
            ),
            AppError::Internal(_) => ("Internal Server Error", "Internal Server Error".into()),
        }
    }
}
