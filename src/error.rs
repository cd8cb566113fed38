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
    /// 401; the message (a catalogue key) says what to do next.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: e.g. a missing or wrong anti-CSRF token; the message (a catalogue key) says what to do.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404.
    #[error("not found")]
    NotFound,
    /// 409: this consent form was decided before (a second submit, a replay); nothing is granted.
    #[error("consent form already decided")]
    AlreadyDecided,
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
        if e.is_storage_failure() {
            AppError::Unavailable(e.to_string())
        } else {
            AppError::Internal(e.to_string())
        }
    }
}

impl From<diesel::result::Error> for AppError {
    /// Every failed query is a storage failure: a 503, never a 500 (a lost connection, a locked or
    /// full SQLite file, PostgreSQL going away all end here).
    fn from(e: diesel::result::Error) -> Self {
        AppError::Unavailable(e.to_string())
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

impl From<crate::delauth::app::ApplicationError> for AppError {
    fn from(e: crate::delauth::app::ApplicationError) -> Self {
        match e {
            crate::delauth::app::ApplicationError::Storage(cause) => cause.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<crate::tokens::TokenError> for AppError {
    fn from(e: crate::tokens::TokenError) -> Self {
        match e {
            crate::tokens::TokenError::Db(db) => db.into(),
            crate::tokens::TokenError::Query(q) => q.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<crate::admin::AdminError> for AppError {
    fn from(e: crate::admin::AdminError) -> Self {
        match e {
            crate::admin::AdminError::Invalid(m) | crate::admin::AdminError::Conflict(m) => {
                AppError::BadRequest(m)
            }
            crate::admin::AdminError::NotFound(_) => AppError::NotFound,
            crate::admin::AdminError::Db(db) => db.into(),
            crate::admin::AdminError::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<crate::oauth::FlowError> for AppError {
    fn from(e: crate::oauth::FlowError) -> Self {
        match e {
            crate::oauth::FlowError::Invalid => AppError::BadRequest(
                "This authorization request is invalid (unknown client, unregistered redirect \
                 URI, or malformed parameters)."
                    .into(),
            ),
            crate::oauth::FlowError::Storage(cause) => AppError::Unavailable(cause),
        }
    }
}

/// What an error page says, for people first: a plain title, what to do next (both catalogue
/// keys, worded in the visitor's language), and (folded below) the detail a website's developer
/// needs, in English as the protocol's own messages are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    /// The key of a plain sentence: what went wrong.
    pub title: &'static str,
    /// The key of what to do next.
    pub next: &'static str,
    /// Seconds to wait, for the `next` of a 429 (its `$seconds`).
    pub retry_after: Option<i64>,
    /// For the developer of the website that sent the user (never an internal cause).
    pub detail: Option<String>,
}

impl AppError {
    /// The error page's content (an internal cause is never shown).
    pub fn page(&self) -> ErrorPage {
        let page = |title, next, detail: Option<String>| ErrorPage {
            title,
            next,
            retry_after: None,
            detail,
        };
        match self {
            AppError::BadRequest(m) => page(
                "error-bad-request",
                "error-bad-request-next",
                Some(m.clone()),
            ),
            AppError::Unauthorized(next) => page("error-unauthorized", next, None),
            AppError::Forbidden(next) => page("error-forbidden", next, None),
            AppError::NotFound => page("error-not-found", "error-not-found-next", None),
            AppError::AlreadyDecided => page(
                "error-already-decided",
                "error-already-decided-next",
                Some("This consent form was decided before (a second submit or a replay).".into()),
            ),
            AppError::TooManyRequests { retry_after } => ErrorPage {
                retry_after: Some(*retry_after),
                ..page("error-too-many", "error-too-many-next", None)
            },
            AppError::Unavailable(_) => page(
                "error-unavailable",
                "error-unavailable-next",
                Some("Assent can not reach its storage.".into()),
            ),
            AppError::Internal(_) => page(
                "error-internal",
                "error-internal-next",
                Some("Internal Server Error".into()),
            ),
        }
    }
}

/// Errors of the resource-provider endpoints (check, profile, JWKS), answered as JSON
/// `{"error":<code>,"error_description":..}` with the codes of RFC 6749 / RFC 6750.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// `invalid_client`, 401 with `WWW-Authenticate: Basic realm="assent"`: "authenticated with
    /// the RP's id and secret (HTTP Basic)" failed.
    #[error("invalid_client")]
    InvalidClient,
    /// `invalid_token`, 401 with `WWW-Authenticate: DelegatedToken realm="assent"`: the delegation
    /// token is missing, inactive, or does not grant what the resource needs.
    #[error("invalid_token")]
    InvalidToken,
    /// `invalid_request`, 400: the form can not be read or lacks `token`.
    #[error("invalid_request")]
    InvalidRequest(&'static str),
    /// `too_many_attempts`, 429 with `Retry-After`: too many wrong credentials for this `rp_id` or
    /// from this address; even the right ones are refused until the window ends.
    #[error("too_many_attempts")]
    TooManyAttempts {
        /// Seconds until the window ends.
        retry_after: i64,
    },
    /// `temporarily_unavailable`, 503: "a failure of Assent's own storage is a 503, never an answer".
    #[error("temporarily_unavailable")]
    Unavailable(String),
    /// `server_error`, 500: the cause is logged, never shown.
    #[error("server_error")]
    Internal(String),
}

impl From<crate::tokens::TokenError> for ProviderError {
    fn from(e: crate::tokens::TokenError) -> Self {
        match e {
            crate::tokens::TokenError::Db(_) | crate::tokens::TokenError::Query(_) => {
                ProviderError::Unavailable(e.to_string())
            }
            crate::tokens::TokenError::Key(_) | crate::tokens::TokenError::Rng(_) => {
                ProviderError::Internal(e.to_string())
            }
        }
    }
}

impl From<crate::db::DbError> for ProviderError {
    fn from(e: crate::db::DbError) -> Self {
        ProviderError::Unavailable(e.to_string())
    }
}
