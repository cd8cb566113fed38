//! `GET /me`: who is this user, for any app of the same account (docs/protocol.md section 10.4: one account across many
//! apps). Authenticated by a device token (`X-Token`) or by a delegation token carrying
//! `Profiles.Read` (`Authorization: Bearer <delt>`, or the `DelegatedToken dt="..."` form).

use actix_web::{web, HttpRequest, HttpResponse};

use crate::device::{self, DeviceError};
use crate::profile::Profile;
use crate::state::AppState;

/// The header a rich client sends its device token in.
pub const X_TOKEN: &str = "X-Token";

/// `GET /me`: `{"lid":..,"name":..,"email":..,"email_verified":..}`; 401 with `WWW-Authenticate` otherwise. An
/// `X-Token`, when present, is the credential (no fallback to `Authorization` if it is bad).
pub async fn me(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, DeviceError> {
    let now = crate::clock::now();
    let profile = if let Some(value) = req.headers().get(X_TOKEN) {
        let token = value
            .to_str()
            .map_err(|_| DeviceError::InvalidToken)?
            .to_string();
        state
            .db
            .run(move |conn| device::user_for_token(conn, &token, now).map_err(DeviceError::from))
            .await?
            .map(Profile::from)
    } else {
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::delauth::params::delegated_token)
            .ok_or(DeviceError::MissingToken)?;
        let shared = state.clone();
        state
            .db
            .run(move |conn| {
                let state = &shared;
                crate::profile::read_token_profile(
                    &state.issuer,
                    &state.providers,
                    conn,
                    &token,
                    now,
                )
                .map_err(DeviceError::from)
            })
            .await?
    };
    profile
        .map(|p| HttpResponse::Ok().json(p))
        .ok_or(DeviceError::InvalidToken)
}
