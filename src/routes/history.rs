//! `GET /account/history?page=N&app=APPID`: grants, refreshes, revocations, reuse detections,
//! sign-ins and account changes, newest first, optionally only those about one app.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::web::{render_page, SignedIn};
use crate::consents;
use crate::error::AppError;
use crate::state::AppState;

/// `?page=` (from 1; anything else shows the first page) and `?app=` (an appid: only the events
/// about that app; empty or anything else: every event).
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    page: Option<String>,
    app: Option<String>,
}

/// `GET /account/history`.
pub async fn history_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1);
    let app = query
        .app
        .as_deref()
        .and_then(crate::domain::AppId::parse)
        .map(|a| a.as_str().to_string());
    let (user_id, now, zone, lang) = (user.id, crate::clock::now(), visitor.zone, visitor.lang);
    let history = state
        .db
        .run(move |conn| {
            consents::history::page(conn, user_id, app.as_deref(), page, now, zone, lang)
                .map_err(AppError::from)
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("tab", "history");
    ctx.insert("history", &history);
    let ok = actix_web::http::StatusCode::OK;
    render_page(&state, &mut visitor, "history.html", ok, ctx)
}
