//! The ONE place errors become HTTP responses.
//!
//! Policy: a client mistake is a 4xx with an HTML page that says what is wrong (never a redirect to
//! an unverified URL); a storage outage is a 503; anything else is a 500 whose body says only
//! "Internal Server Error" while the cause goes to the log. Protocol endpoints that answer JSON have
//! their own closed error enums and map them here too.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

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
    fn title_and_message(&self) -> (&'static str, String) {
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "storage unavailable"),
            _ => {}
        }
        let (title, message) = self.title_and_message();
        let mut ctx = tera::Context::new();
        ctx.insert("status", &status.as_u16());
        ctx.insert("title", title);
        ctx.insert("message", &message);
        let body = crate::templates::render("error.html", &ctx)
            .unwrap_or_else(|_| format!("{title}\n\n{message}\n"));
        let mut builder = HttpResponse::build(status);
        builder.content_type("text/html; charset=utf-8");
        if let AppError::TooManyRequests { retry_after } = self {
            builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        builder.body(body)
    }
}
