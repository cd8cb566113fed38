//! `GET /users/@L@{lid}/profile`: the built-in `Profiles` resource provider (docs/protocol.md section 7).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::check::ProviderError;
use crate::startup::AppState;

/// The delegation token of `Authorization: DelegatedToken dt="<delt>"` (the form old clients send)
/// or `Authorization: Bearer <delt>`.
pub fn delegated_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.to_string());
    }
    if !scheme.eq_ignore_ascii_case("delegatedtoken") {
        return None;
    }
    // auth-params: `name="value"` or `name=value`, comma-separated (RFC 9110 section 11.4).
    rest.split(',').find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("dt") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        Some(value.to_string())
    })
}

/// `GET /users/@L@{lid}/profile`: `{"lid":..,"name":..,"email":..}` for a token carrying
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
            crate::catalogue::read_profile(&state.issuer, &state.providers, conn, &token, &lid, now)
        })
        .await?;
    match profile {
        Some(profile) => Ok(HttpResponse::Ok().json(profile)),
        None => Err(ProviderError::InvalidToken),
    }
}
