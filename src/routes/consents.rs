//! `GET /account/consents` (alias `/ManageConsent.aspx`): the signed-in user's consent dashboard;
//! `POST /account/consents/revoke`: remove one permission; `GET|POST /account/consents/remove`:
//! confirm, then remove a whole app. The rules live in [`crate::consents`].

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::web::{render_page, see_other, SignedIn, Visitor};
use crate::consents::{self, Revoked};
use crate::domain::{permission::Permission, AppId};
use crate::error::AppError;
use crate::state::AppState;

/// `?done=` after an action: a fixed message, never reflected text.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `?appid=` of the confirmation page.
#[derive(Debug, Deserialize)]
pub struct AppQuery {
    #[serde(default)]
    appid: String,
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

/// `GET /account/consents` and `GET /ManageConsent.aspx`.
pub async fn consents_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, now) = (user.id, crate::clock::now());
    let dashboard = state
        .db
        .run(move |conn| consents::dashboard::build(conn, user_id, now).map_err(AppError::from))
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("tab", "apps");
    ctx.insert("apps", &dashboard.apps);
    ctx.insert("expired", &dashboard.expired);
    if let Some(message) = done_message(query.done.as_deref()) {
        ctx.insert("notice", message);
    }
    let ok = actix_web::http::StatusCode::OK;
    render_page(&state, &mut visitor, "consents.html", ok, ctx)
}

fn parse_appid(text: &str) -> Result<AppId, AppError> {
    AppId::parse(text.trim())
        .ok_or_else(|| AppError::BadRequest("That is not an application id.".into()))
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
    let permission = Permission::parse(form.permission.trim())
        .map_err(|e| AppError::BadRequest(format!("{e}.")))?;
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
    Ok(see_other(match revoked {
        Revoked::Permission {
            app_ended: true, ..
        } => "/account/consents?done=revoked_last",
        Revoked::Permission { .. } => "/account/consents?done=revoked",
        Revoked::App { .. } => "/account/consents?done=removed",
        Revoked::Nothing => "/account/consents?done=nothing",
    }))
}

/// `GET /account/consents/remove?appid=`: what removing the app ends, and the button that does it.
pub async fn revoke_app_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<AppQuery>,
) -> Result<HttpResponse, AppError> {
    let appid = parse_appid(&query.appid)?;
    let (user_id, now) = (user.id, crate::clock::now());
    let dashboard = state
        .db
        .run(move |conn| consents::dashboard::build(conn, user_id, now).map_err(AppError::from))
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
