//! `GET /consent/refresh` (alias `/RefreshToken.aspx`): server-to-server refresh, docs/protocol.md section 8.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::delauth::refresh::{refresh, success_body};
use crate::delauth::Params;
use crate::startup::AppState;
use crate::tokens::TokenError;

/// Run a refresh for raw query `query` and answer (status, JSON body). Also used by the demo site.
pub async fn run_refresh(state: &web::Data<AppState>, query: &str) -> (StatusCode, String) {
    let params = Params::parse(query);
    let st = state.clone();
    let now = crate::clock::now();
    let result = state
        .db
        .run(move |conn| refresh(conn, &st.db, &st.issuer, &st.config.delauth, &params, now))
        .await;
    match result {
        Ok(Ok(value)) => (StatusCode::OK, success_body(&value)),
        Ok(Err(e)) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            e.body(),
        ),
        Err(e) => {
            let status = match e {
                TokenError::Db(crate::db::DbError::Pool(_)) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::error!(error = %e, "refresh failed");
            let body = serde_json::json!({
                "error": "server_error",
                "error_description": "Assent could not complete the refresh; try again.",
            });
            (status, body.to_string())
        }
    }
}

/// `GET /consent/refresh`.
pub async fn refresh_token(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (status, body) = run_refresh(&state, req.query_string()).await;
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body)
}
