//! `GET /consent/refresh` (alias `/RefreshToken.aspx`): server-to-server refresh, docs/protocol.md section 8.

use actix_web::{web, HttpRequest, HttpResponse};

use super::web::run_refresh;
use crate::state::AppState;

/// `GET /consent/refresh`.
pub async fn refresh_token(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (status, body) = run_refresh(&state, req.query_string()).await;
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body)
}
