//! `POST /delegation/check`: a resource provider asks whether a delegation token is active
//! (docs/protocol.md section 7).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::client_ip;
use crate::error::ProviderError;
use crate::provider_cache::{CheckOutcome, ProviderCache, ProviderQuery};
use crate::ratelimit::Verdict;
use crate::state::AppState;
use crate::tokens::ActiveToken;

/// The check form; every field is optional here so that a missing one is answered, not rejected
/// by the extractor.
#[derive(Deserialize)]
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

/// `POST /delegation/check`: wrong provider credentials count against
/// `security.client_secret_max_failures_*` (per `rp_id` and client IP); past the limit, 429
/// `too_many_attempts` with `Retry-After`, even for the right secret.
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
    let ip = client_ip(&req);
    let query = ProviderQuery {
        token: &token,
        permission: form.permission.as_deref(),
        lid: form.lid.as_deref(),
        resource: form.resource.as_deref(),
    };
    // Credentials and signature known from the caches: the family and the limiter's counts are
    // read in a batch with concurrent checks (a read that starts after this request arrived).
    if let Some(prepared) = state
        .providers
        .prepare(&state.issuer, &rp_id, &secret, &query, now)
    {
        let outcome = prepared
            .settle(&state.check_reads, &state.limits.secrets, &ip, now)
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?
            .map_err(|retry_after| ProviderError::TooManyAttempts { retry_after })?;
        return answer(outcome);
    }
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
            let provider = state.providers.authenticate(conn, &rp_id, &secret, now)?;
            let verdict =
                state
                    .limits
                    .secrets
                    .after_check(conn, &ip, &rp_id, provider.is_some(), now)?;
            match (verdict, provider) {
                (Verdict::Limited { retry_after }, _) => Ok(Err(retry_after)),
                (_, Some(provider)) => {
                    ProviderCache::check_for(&state.issuer, conn, &provider, &query, now).map(Ok)
                }
                (_, None) => Ok(Ok(CheckOutcome::Unauthorized)),
            }
        })
        .await?
        .map_err(|retry_after| ProviderError::TooManyAttempts { retry_after })?;
    answer(outcome)
}

/// The HTTP answer of a check's outcome.
fn answer(outcome: CheckOutcome) -> Result<HttpResponse, ProviderError> {
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

impl std::fmt::Debug for CheckForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckForm")
            .field(
                "token",
                &self.token.as_ref().map(|_| crate::crypto::REDACTED),
            )
            .field("permission", &self.permission)
            .field("lid", &self.lid)
            .field("resource", &self.resource)
            .finish()
    }
}
