//! Device tokens for rich clients (docs/protocol.md section 10.2): `POST /tokens`, `GET /tokens/{id}`,
//! `DELETE /tokens/{id}`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::web::client_ip;
use crate::device::{self, DeviceError, DeviceSignIn, TokenRequest};
use crate::state::AppState;

/// `POST /tokens` (form or JSON: `email`, `password`, `manufacturerId`, optional `deviceType`):
/// 201 with `{"token_id","expiration","user_id","device_id"}`.
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, DeviceError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let request = TokenRequest::parse(content_type, &body)?;
    let sign_in = DeviceSignIn {
        db: &state.db,
        hasher: &state.hasher,
        limiter: &state.limits.sign_in,
        policy: state.config.security.device_token_policy,
        ttl_secs: state.config.security.device_token_ttl_secs,
    };
    let ip = client_ip(&req);
    let issued = sign_in
        .create_token(request, &ip, crate::clock::now())
        .await?;
    Ok(HttpResponse::Created().json(issued))
}

/// `GET /tokens/{id}`: the token while valid, 404 otherwise.
pub async fn show_token(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, DeviceError> {
    let (token, now) = (path.into_inner(), crate::clock::now());
    let info = state
        .db
        .run(move |conn| device::token_info(conn, &token, now).map_err(DeviceError::from))
        .await?;
    info.map(|i| HttpResponse::Ok().json(i))
        .ok_or(DeviceError::NotFound)
}

/// `DELETE /tokens/{id}`: log out; 204, or 404 when no valid token has this id.
pub async fn delete_token(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, DeviceError> {
    let (token, now) = (path.into_inner(), crate::clock::now());
    let deleted = state
        .db
        .transaction(move |conn| device::delete_token(conn, &token, now).map_err(DeviceError::from))
        .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(DeviceError::NotFound)
    }
}
