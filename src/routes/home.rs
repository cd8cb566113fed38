//! `GET /`: the landing page.

use actix_web::{web, HttpResponse};

use super::web::Visitor;
use crate::error::AppError;
use crate::state::AppState;

/// `GET /`.
pub async fn home_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("csrf", &visitor.csrf(&state)?);
    ctx.insert("demo", &state.config.server.demo);
    if let Some(user) = visitor.user() {
        ctx.insert("user_email", &user.email);
        ctx.insert("user_name", &user.name);
    }
    ctx.insert("here", &visitor.here);
    let body = crate::templates::render(visitor.lang, "home.html", &ctx)?;
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body);
    visitor.set_cookies(&state, &mut resp);
    Ok(resp)
}
