//! `GET /users/@L@{lid}/profile`: the built-in `Profiles` resource provider (docs/protocol.md section 7).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ProviderError;
use crate::state::AppState;

/// The delegation token of the request's `Authorization` header, if any.
fn delegated_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    crate::delauth::params::delegated_token(value)
}

/// `GET /users/@L@{lid}/profile`: `{"lid":..,"name":..,"email":..,"email_verified":..}` for a token carrying
/// `Profiles.Read` for that user; 401 otherwise.
pub async fn profile(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ProviderError> {
    let token = delegated_token(&req).ok_or(ProviderError::InvalidToken)?;
    let lid = path.into_inner();
    let now = crate::clock::now();
    let shared = state.clone();
    let profile = state
        .db
        .run(move |conn| {
            let state = &shared;
            crate::profile::read_profile(&state.issuer, &state.providers, conn, &token, &lid, now)
        })
        .await?;
    match profile {
        Some(profile) => Ok(HttpResponse::Ok().json(profile)),
        None => Err(ProviderError::InvalidToken),
    }
}
