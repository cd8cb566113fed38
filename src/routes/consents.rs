//! `GET /account/consents` (alias `/ManageConsent.aspx`): the signed-in user's consent dashboard;
//! `GET|POST /account/consents/revoke`: confirm, then remove one permission; `GET|POST /account/consents/remove`:
//! confirm, then remove a whole app. The rules live in [`crate::consents`].

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::web::{render_page, see_other, SignedIn, Visitor};
use crate::consents::{self, listing, Revoked};
use crate::domain::{permission::Permission, AppId};
use crate::error::AppError;
use crate::state::AppState;

/// The dashboard's query: `q` and `sort` (the search form), `open` (an app whose details start
/// open), and after an action `done` (a fixed message; a removed permission is named from storage
/// by `appid` and `permission`, never reflected).
#[derive(Debug, Clone, Deserialize)]
pub struct DashboardQuery {
    q: Option<String>,
    sort: Option<String>,
    open: Option<String>,
    done: Option<String>,
    appid: Option<String>,
    permission: Option<String>,
}

/// `?appid=` of the confirmation page.
#[derive(Debug, Deserialize)]
pub struct AppQuery {
    #[serde(default)]
    appid: String,
}

/// `?appid=&permission=` of the one-permission confirmation page.
#[derive(Debug, Deserialize)]
pub struct PermissionQuery {
    #[serde(default)]
    appid: String,
    #[serde(default)]
    permission: String,
}

/// The form that removes one permission.
#[derive(Debug, Deserialize)]
pub struct RevokeGrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    appid: String,
    #[serde(default)]
    permission: String,
}

/// The form that removes a whole app.
#[derive(Debug, Deserialize)]
pub struct RevokeAppForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    appid: String,
}

fn done_message(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "revoked" => "Permission removed. The app can no longer use it.",
        "revoked_last" => {
            "Permission removed. It was the app's last one, so the app no longer has any access."
        }
        "removed" => "Access removed. The app can no longer use your account.",
        "nothing" => "Nothing to remove: that access had already ended.",
        _ => return None,
    })
}

/// The removal notice naming what was removed (see [`consents::revoke::removed_notice`]).
fn removed_message(
    conn: &mut crate::db::DbConnection,
    dashboard: &consents::Dashboard,
    query: &DashboardQuery,
    lang: crate::i18n::Lang,
) -> Result<Option<String>, AppError> {
    let last = match query.done.as_deref() {
        Some("revoked") => false,
        Some("revoked_last") => true,
        _ => return Ok(None),
    };
    let appid = query.appid.as_deref().and_then(AppId::parse);
    let permission = query.permission.as_deref().map(Permission::parse);
    let (Some(appid), Some(Ok(permission))) = (appid, permission) else {
        return Ok(None);
    };
    Ok(consents::revoke::removed_notice(
        conn,
        dashboard,
        &appid,
        &permission,
        last,
        lang,
    )?)
}

/// `GET /account/consents` and `GET /ManageConsent.aspx`.
pub async fn consents_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, now, zone, lang) = (user.id, crate::clock::now(), visitor.zone, visitor.lang);
    let query = query.into_inner();
    let q = listing::clean_query(query.q.as_deref());
    let sort = listing::Sort::parse(query.sort.as_deref());
    let lookup = query.clone();
    let (dashboard, removed) = state
        .db
        .run(move |conn| {
            let dashboard = consents::dashboard::build(conn, user_id, now, zone, lang)?;
            let removed = removed_message(conn, &dashboard, &lookup, lang)?;
            Ok::<_, AppError>((dashboard, removed))
        })
        .await?;
    let total = dashboard.apps.len();
    let mut apps = dashboard.apps;
    listing::apply(&mut apps, &q, sort);
    let mut expired = dashboard.expired;
    if !q.is_empty() {
        let q = q.to_lowercase();
        expired.retain(|e| {
            let text = format!("{} {} {}", e.app_name, e.description, e.permission).to_lowercase();
            q.split_whitespace().all(|w| text.contains(w))
        });
    }
    // After removing one permission of an app that keeps others, its details stay open.
    let open = query
        .open
        .as_deref()
        .or(query.appid.as_deref())
        .and_then(AppId::parse)
        .map(|a| a.as_str().to_string());
    let mut ctx = tera::Context::new();
    ctx.insert("tab", "apps");
    ctx.insert("apps", &apps);
    ctx.insert("total", &total);
    ctx.insert("q", &q);
    ctx.insert("sort", sort.as_str());
    // The notice naming a removed permission shows in its app's details, when the app stays.
    let notice_app = match (&removed, query.done.as_deref(), &open) {
        (Some(_), Some("revoked"), Some(appid)) if apps.iter().any(|a| &a.appid == appid) => {
            appid.clone()
        }
        _ => String::new(),
    };
    ctx.insert("notice_app", &notice_app);
    ctx.insert("open", &open.unwrap_or_default());
    ctx.insert("expired", &expired);
    if let Some(message) = removed.as_deref().or(done_message(query.done.as_deref())) {
        ctx.insert("notice", message);
    }
    let ok = actix_web::http::StatusCode::OK;
    render_page(&state, &mut visitor, "consents.html", ok, ctx)
}

fn parse_appid(text: &str) -> Result<AppId, AppError> {
    AppId::parse(text.trim())
        .ok_or_else(|| AppError::BadRequest("That is not an application id.".into()))
}

fn parse_permission(text: &str) -> Result<Permission, AppError> {
    Permission::parse(text.trim()).map_err(|e| AppError::BadRequest(format!("{e}.")))
}

/// `GET /account/consents/revoke?appid=&permission=`: what removing this one permission ends (the
/// app's other permissions stay, or, for its last one, the app loses all access), and the button
/// that does it. Nothing changes until the POST.
pub async fn revoke_grant_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<PermissionQuery>,
) -> Result<HttpResponse, AppError> {
    let appid = parse_appid(&query.appid)?;
    let permission = parse_permission(&query.permission)?.to_string();
    let (user_id, now, zone, lang) = (user.id, crate::clock::now(), visitor.zone, visitor.lang);
    let dashboard = state
        .db
        .run(move |conn| {
            consents::dashboard::build(conn, user_id, now, zone, lang).map_err(AppError::from)
        })
        .await?;
    let Some(app) = dashboard.app(appid.as_str()) else {
        return Ok(see_other("/account/consents?done=nothing"));
    };
    let Some(chosen) = app.permission(&permission) else {
        return Ok(see_other("/account/consents?done=nothing"));
    };
    let others: Vec<_> = app
        .permissions
        .iter()
        .filter(|p| p.permission != permission)
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("tab", "apps");
    ctx.insert("app", app);
    ctx.insert("chosen", chosen);
    ctx.insert("others", &others);
    let ok = actix_web::http::StatusCode::OK;
    render_page(&state, &mut visitor, "revoke_permission.html", ok, ctx)
}

/// `POST /account/consents/revoke`: `appid` and `permission`, scoped to the signed-in user.
pub async fn revoke_grant(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<RevokeGrantForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user() else {
        return Ok(see_other("/signin?next=%2Faccount%2Fconsents"));
    };
    let appid = parse_appid(&form.appid)?;
    let permission = parse_permission(&form.permission)?;
    // Both are plain ASCII ([0-9A-F] and `Offer.Action`): safe in a URL as they are.
    let (appid_text, permission_text) = (appid.as_str().to_string(), permission.to_string());
    let (user_id, now) = (user.id, crate::clock::now());
    let revoked = state
        .db
        .transaction(move |conn| {
            consents::revoke::permission(conn, user_id, &appid, &permission, now)
                .map_err(AppError::from)
        })
        .await?;
    if let Revoked::Permission { app_name, .. } = &revoked {
        tracing::info!(user_id, app = %app_name, "user revoked a permission");
    }
    let done = |what: &str| {
        format!(
            "/account/consents?done={what}&appid={}&permission={}",
            appid_text, permission_text
        )
    };
    Ok(see_other(&match revoked {
        Revoked::Permission {
            app_ended: true, ..
        } => done("revoked_last"),
        // The app keeps other permissions: back to its open details (and the notice in them).
        Revoked::Permission { .. } => format!("{}#app-{appid_text}", done("revoked")),
        Revoked::App { .. } => "/account/consents?done=removed".to_string(),
        Revoked::Nothing => "/account/consents?done=nothing".to_string(),
    }))
}

/// `GET /account/consents/remove?appid=`: what removing the app ends, and the button that does it.
pub async fn revoke_app_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<AppQuery>,
) -> Result<HttpResponse, AppError> {
    let appid = parse_appid(&query.appid)?;
    let (user_id, now, zone, lang) = (user.id, crate::clock::now(), visitor.zone, visitor.lang);
    let dashboard = state
        .db
        .run(move |conn| {
            consents::dashboard::build(conn, user_id, now, zone, lang).map_err(AppError::from)
        })
        .await?;
    let Some(app) = dashboard.app(appid.as_str()) else {
        // Not an app of this user (or already removed): back to the list.
        return Ok(see_other("/account/consents?done=nothing"));
    };
    let mut ctx = tera::Context::new();
    ctx.insert("tab", "apps");
    ctx.insert("app", app);
    let ok = actix_web::http::StatusCode::OK;
    render_page(&state, &mut visitor, "revoke_app.html", ok, ctx)
}

/// `POST /account/consents/remove`: end every grant and refresh token of the app for this user.
pub async fn revoke_app(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<RevokeAppForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user() else {
        return Ok(see_other("/signin?next=%2Faccount%2Fconsents"));
    };
    let appid = parse_appid(&form.appid)?;
    let (user_id, now) = (user.id, crate::clock::now());
    let revoked = state
        .db
        .transaction(move |conn| {
            consents::revoke::app(conn, user_id, &appid, now).map_err(AppError::from)
        })
        .await?;
    if let Revoked::App { app_name } = &revoked {
        tracing::info!(user_id, app = %app_name, "user removed an app");
    }
    Ok(see_other(match revoked {
        Revoked::Nothing => "/account/consents?done=nothing",
        _ => "/account/consents?done=removed",
    }))
}
