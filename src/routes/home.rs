//! `GET /`: the landing page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::web::{render_page, Visitor};
use crate::error::AppError;
use crate::state::AppState;

/// `GET /`.
pub async fn home_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("demo", &state.config.server.demo);
    render_page(&state, &mut visitor, "home.html", StatusCode::OK, ctx)
}
