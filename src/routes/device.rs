//! Device tokens for rich clients (docs/protocol.md section 10.2): `POST /tokens`, `GET /tokens/{id}`,
//! `DELETE /tokens/{id}`. Also where [`DeviceError`] becomes a JSON response (for `GET /me` too).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use super::session;
use crate::device::{self, DeviceError, DeviceSignIn, TokenRequest};
use crate::startup::AppState;

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
        limiter: &state.limiter,
        policy: state.config.security.device_token_policy,
        ttl_secs: state.config.security.device_token_ttl_secs,
    };
    let ip = session::client_ip(&req);
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
