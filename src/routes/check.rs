//! `POST /delegation/check`: a resource provider asks whether a delegation token is active
//! (docs/protocol.md section 7). Also the JSON errors of every resource-provider endpoint.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;

use crate::provider_cache::{CheckOutcome, ProviderQuery};
use crate::startup::AppState;
use crate::tokens::{ActiveToken, TokenError};

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
    /// `temporarily_unavailable`, 503: "a failure of Assent's own storage is a 503, never an answer".
    #[error("temporarily_unavailable")]
    Unavailable(String),
    /// `server_error`, 500: the cause is logged, never shown.
    #[error("server_error")]
    Internal(String),
}

impl From<TokenError> for ProviderError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Db(_) | TokenError::Query(_) => ProviderError::Unavailable(e.to_string()),
            TokenError::Key(_) | TokenError::Rng(_) => ProviderError::Internal(e.to_string()),
        }
    }
}

impl From<crate::db::DbError> for ProviderError {
    fn from(e: crate::db::DbError) -> Self {
        ProviderError::Unavailable(e.to_string())
    }
}

impl ResponseError for ProviderError {
    fn status_code(&self) -> StatusCode {
        match self {
            ProviderError::InvalidClient | ProviderError::InvalidToken => StatusCode::UNAUTHORIZED,
            ProviderError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            ProviderError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ProviderError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let description = match self {
            ProviderError::InvalidClient => "the resource provider's id or secret is wrong",
            ProviderError::InvalidToken => "a delegation token granting this is required",
            ProviderError::InvalidRequest(why) => why,
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
            _ => {}
        }
        builder.json(serde_json::json!({
            "error": self.to_string(),
            "error_description": description,
        }))
    }
}

/// The check form; every field is optional here so that a missing one is answered, not rejected
/// by the extractor.
#[derive(Debug, Deserialize)]
pub struct CheckForm {
    token: Option<String>,
    permission: Option<String>,
    lid: Option<String>,
    resource: Option<String>,
}

/// The provider's `rp_id` and secret from HTTP Basic, as sent.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok();
    crate::oauth::client::basic_raw(value)
}

/// `POST /delegation/check`.
pub async fn check_delegation(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ProviderError> {
    let (rp_id, secret) = basic_credentials(&req).ok_or(ProviderError::InvalidClient)?;
    let form: CheckForm = serde_urlencoded::from_bytes(&body)
        .map_err(|_| ProviderError::InvalidRequest("the body is not a valid form"))?;
    let token = form
        .token
        .ok_or(ProviderError::InvalidRequest("the token field is required"))?;
    let now = crate::clock::now();
    let shared = state.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let query = ProviderQuery {
                token: &token,
                permission: form.permission.as_deref(),
                lid: form.lid.as_deref(),
                resource: form.resource.as_deref(),
            };
            let state = &shared;
            state
                .providers
                .check(&state.issuer, conn, &rp_id, &secret, &query, now)
        })
        .await?;
    let active = match outcome {
        CheckOutcome::Unauthorized => return Err(ProviderError::InvalidClient),
        CheckOutcome::Inactive => None,
        CheckOutcome::Active(active) => Some(active),
    };
    let body = answer_body(active.as_ref()).map_err(|e| ProviderError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ContentType::json())
        .body(body))
}

/// The exact body of a 200 answer of `POST /delegation/check`: [`ActiveToken`]'s JSON (fields in
/// declaration order, no white space), or `{"active":false}` for `None`.
pub fn answer_body(active: Option<&ActiveToken>) -> serde_json::Result<String> {
    match active {
        Some(active) => serde_json::to_string(active),
        None => serde_json::to_string(&serde_json::json!({ "active": false })),
    }
}
