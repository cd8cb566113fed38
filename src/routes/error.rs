//! The ONE place errors become HTTP responses. Pages: a status and an HTML page that says what is
//! wrong, `Retry-After` for 429. JSON endpoints (resource providers, device tokens): their closed
//! error enums with the protocol's codes. The cause of a 500 or 503 goes to the log, never to the
//! client.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};

use super::web::{lang_of, NotSignedIn, Visitor, SESSION_COOKIE};
use crate::i18n::{text, Arg, Lang};
use crate::state::AppState;

use crate::device::DeviceError;
use crate::error::{AppError, ProviderError};

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::AlreadyDecided => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "storage unavailable"),
            _ => {}
        }
        page_response(self, &Header::SignedOut, Lang::En)
    }
}

/// What the header of an error page shows.
enum Header {
    /// The "Sign in" link.
    SignedOut,
    /// The signed-in user's email, their apps and Sign out (with this CSRF token).
    SignedIn { email: String, csrf: String },
    /// A session cookie is present but storage could not be asked: neither.
    Unknown,
}

/// The error page of `err` with `header`, in `lang`.
fn page_response(err: &AppError, header: &Header, lang: Lang) -> HttpResponse {
    let status = err.status_code();
    let page = err.page();
    let title = text(lang, page.title, &[]);
    let next = text(
        lang,
        page.next,
        &[("seconds", Arg::Num(page.retry_after.unwrap_or_default()))],
    );
    let mut ctx = tera::Context::new();
    ctx.insert("status", &status.as_u16());
    ctx.insert("title", &title);
    ctx.insert("next", &next);
    ctx.insert("detail", &page.detail);
    match header {
        Header::SignedOut => {}
        Header::SignedIn { email, csrf } => {
            ctx.insert("user_email", email);
            ctx.insert("csrf", csrf);
        }
        Header::Unknown => ctx.insert("session_unknown", &true),
    }
    let body = crate::templates::render(lang, "error.html", &ctx)
        .unwrap_or_else(|_| format!("{title}\n\n{next}\n"));
    let mut builder = HttpResponse::build(status);
    builder.content_type("text/html; charset=utf-8");
    if let AppError::TooManyRequests { retry_after } = err {
        builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
    }
    builder.body(body)
}

/// Middleware: an error page is worded in the request's language, and one answered to a request
/// with a session cookie shows that session in its header (the error renderer has no request; this
/// loads the visitor once, an indexed read). A 503 does not ask storage again: its header then
/// shows neither "Sign in" nor an account.
pub async fn error_pages_know_the_visitor(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    // The handler's error, or the storage error behind a failed `SignedIn` extraction.
    let err = res.response().error().and_then(|e| {
        e.as_error::<AppError>()
            .or_else(|| match e.as_error::<NotSignedIn>() {
                Some(NotSignedIn::Failed(inner)) => Some(inner),
                _ => None,
            })
    });
    let Some(err) = err else {
        return Ok(res);
    };
    let Some(state) = res
        .request()
        .app_data::<actix_web::web::Data<AppState>>()
        .cloned()
    else {
        return Ok(res);
    };
    let has_session = res
        .request()
        .cookie(SESSION_COOKIE)
        .and_then(|c| {
            state
                .key
                .verify_cookie(SESSION_COOKIE, c.value())
                .map(|_| ())
        })
        .is_some();
    let lang = lang_of(res.request());
    if !has_session {
        if lang == Lang::En {
            return Ok(res);
        }
        let page = page_response(err, &Header::SignedOut, lang);
        let (req, _) = res.into_parts();
        return Ok(ServiceResponse::new(req, page));
    }
    let header = if matches!(err, AppError::Unavailable(_)) {
        Header::Unknown
    } else {
        match Visitor::load(res.request(), &state).await {
            Ok(mut visitor) => match (
                visitor.user().map(|u| u.email.clone()),
                visitor.csrf(&state),
            ) {
                (Some(email), Ok(csrf)) => Header::SignedIn { email, csrf },
                (None, _) => Header::SignedOut,
                (Some(_), Err(_)) => Header::Unknown,
            },
            Err(_) => Header::Unknown,
        }
    };
    let page = page_response(err, &header, lang);
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::new(req, page))
}

impl ResponseError for ProviderError {
    fn status_code(&self) -> StatusCode {
        match self {
            ProviderError::InvalidClient | ProviderError::InvalidToken => StatusCode::UNAUTHORIZED,
            ProviderError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            ProviderError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ProviderError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ProviderError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let description = match self {
            ProviderError::InvalidClient => "the resource provider's id or secret is wrong",
            ProviderError::InvalidToken => "a delegation token granting this is required",
            ProviderError::InvalidRequest(why) => why,
            ProviderError::TooManyAttempts { .. } => {
                "too many wrong credentials; wait before trying again"
            }
            ProviderError::Unavailable(cause) => {
                tracing::warn!(%cause, "storage unavailable");
                "Assent can not reach its storage right now"
            }
            ProviderError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "Internal Server Error"
            }
        };
        let mut builder = HttpResponse::build(self.status_code());
        match self {
            ProviderError::InvalidClient => {
                builder.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="assent""#));
            }
            ProviderError::InvalidToken => {
                builder
                    .insert_header((header::WWW_AUTHENTICATE, r#"DelegatedToken realm="assent""#));
            }
            ProviderError::TooManyAttempts { retry_after } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        builder.json(serde_json::json!({
            "error": self.to_string(),
            "error_description": description,
        }))
    }
}

/// The challenge of a 401 from `POST /tokens`: sign in again to get a new `X-Token`.
const X_TOKEN_CHALLENGE: &str = r#"X-Token realm="assent""#;

impl ResponseError for DeviceError {
    fn status_code(&self) -> StatusCode {
        match self {
            DeviceError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            DeviceError::InvalidCredentials
            | DeviceError::MissingToken
            | DeviceError::InvalidToken => StatusCode::UNAUTHORIZED,
            DeviceError::NotFound => StatusCode::NOT_FOUND,
            DeviceError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            DeviceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            DeviceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let description = match self {
            DeviceError::InvalidRequest(why) => why,
            DeviceError::InvalidCredentials => "wrong email or password",
            DeviceError::MissingToken => {
                "send X-Token: <device token> or Authorization: Bearer <delegation token>"
            }
            DeviceError::InvalidToken => {
                "the token is unknown, expired, or does not grant Profiles.Read"
            }
            DeviceError::NotFound => "no valid device token has this id",
            DeviceError::TooManyAttempts { .. } => {
                "too many failed sign-ins; wait before trying again"
            }
            DeviceError::Unavailable(cause) => {
                tracing::warn!(%cause, "storage unavailable");
                "Assent can not reach its storage right now"
            }
            DeviceError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "Internal Server Error"
            }
        };
        let mut builder = HttpResponse::build(self.status_code());
        match self {
            DeviceError::InvalidCredentials => {
                builder.insert_header((header::WWW_AUTHENTICATE, X_TOKEN_CHALLENGE));
            }
            // RFC 6750 section 3.1: no error code when the request had no credentials at all.
            DeviceError::MissingToken => {
                builder.append_header((header::WWW_AUTHENTICATE, r#"Bearer realm="assent""#));
                builder.append_header((header::WWW_AUTHENTICATE, X_TOKEN_CHALLENGE));
            }
            DeviceError::InvalidToken => {
                builder.append_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="assent", error="invalid_token""#,
                ));
                builder.append_header((header::WWW_AUTHENTICATE, X_TOKEN_CHALLENGE));
            }
            DeviceError::TooManyAttempts { retry_after } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        builder.json(serde_json::json!({
            "error": self.to_string(),
            "error_description": description,
        }))
    }
}

impl ResponseError for crate::oauth::error::OAuthError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST)
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        if let crate::oauth::error::OAuthError::TooManyAttempts { retry_after } = self {
            builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        builder
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({
                "error": self.code(),
                "error_description": self.description(),
            }))
    }
}
