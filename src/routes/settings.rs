//! `GET /account`: the account page; `POST /account/password`: change the password (other sessions
//! end); `POST /account/sign-out-everywhere`: end every session, this one too; `POST
//! /account/time-zone`: the zone dates are shown in (empty: the browser's).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::{client_ip, removal, render_page, see_other, SignedIn, Visitor};
use crate::consents::account::{self, PasswordChange, PasswordChangeError};
use crate::db::user::User;
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::domain::Zone;
use crate::error::AppError;
use crate::state::AppState;

/// `?done=` after an action.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    confirm_password: Option<String>,
}

/// The time zone form: an IANA zone name, or empty for the browser's zone.
#[derive(Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    time_zone: String,
}

/// A form that carries only the anti-CSRF token.
#[derive(Deserialize)]
pub struct CsrfOnlyForm {
    #[serde(default)]
    csrf: String,
}

async fn account_page_with(
    state: &AppState,
    visitor: &mut Visitor,
    user: &User,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let current = visitor.session_token().map(crate::crypto::TokenHash::of);
    let (user_id, now, zone, lang) = (user.id, crate::clock::now(), visitor.zone, visitor.lang);
    let (sessions, devices) = state
        .db
        .run(move |conn| {
            crate::consents::sessions::list(conn, user_id, current.as_ref(), now, zone, lang)
                .map_err(AppError::from)
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("sessions", &sessions);
    ctx.insert("devices", &devices);
    ctx.insert("max_name_len", &crate::consents::sessions::MAX_NAME_CHARS);
    ctx.insert("tab", "account");
    ctx.insert("min_password_len", &MIN_PASSWORD_CHARS);
    ctx.insert(
        "member_since",
        &crate::consents::Moment::at(user.created_at, now, zone, visitor.lang),
    );
    ctx.insert(
        "password_changed",
        &crate::consents::Moment::at(user.password_changed_at, now, zone, visitor.lang),
    );
    let saved_zone = user.time_zone.as_deref().and_then(Zone::parse);
    ctx.insert("saved_zone", &saved_zone.map(|z| z.name()));
    ctx.insert("browser_zone", &visitor.browser_zone.map(|z| z.name()));
    let offered = Zone::offered();
    // A saved zone that is not among the offered ones (an old alias) is still shown as chosen.
    let unlisted = saved_zone
        .map(|z| z.name())
        .filter(|name| !offered.iter().any(|(_, names)| names.contains(name)));
    ctx.insert("unlisted_zone", &unlisted);
    let groups: Vec<serde_json::Value> = offered
        .into_iter()
        .map(|(region, names)| serde_json::json!({"region": region, "zones": names}))
        .collect();
    ctx.insert("zone_groups", &groups);
    if let Some(n) = notice {
        ctx.insert("notice", n);
    }
    if let Some(e) = error {
        ctx.insert("error", e);
    }
    render_page(state, visitor, "account.html", status, ctx)
}

/// `GET /account`.
pub async fn account_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match query.done.as_deref() {
        Some("password") => Some("Password changed. Every other session of your account ended."),
        Some("session") => Some("Signed out. That browser has to sign in again."),
        Some("device") => Some("Signed out. That device has to sign in again."),
        Some("name") => Some("Name changed."),
        Some("zone") => Some("Time zone saved. Dates are now shown in it."),
        Some("nothing") => Some("Nothing to sign out: that session had already ended."),
        _ => None,
    };
    account_page_with(&state, &mut visitor, &user, StatusCode::OK, notice, None).await
}

/// `POST /account/password`: current + new (+ confirmation); limited like sign-in on failures.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let (Some(user), Some(token)) = (visitor.user().cloned(), visitor.session_token()) else {
        return Ok(see_other("/signin?next=%2Faccount"));
    };
    let keep = crate::crypto::TokenHash::of(token);
    let (ip, now) = (client_ip(&req), crate::clock::now());
    // Counted before the current password is verified, so parallel guesses get at most the limit.
    let limiter = &state.limits.sign_in;
    let reservation = limiter
        .reserve_in(&state.db, &ip, Some(&user.email), now)
        .await?
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let form = form.into_inner();
    let (db, hasher, user_id) = (state.db.clone(), state.hasher.clone(), user.id);
    let result = tokio::task::spawn_blocking(move || {
        let change = PasswordChange {
            current: &form.current_password,
            new: &form.new_password,
            confirm: form.confirm_password.as_deref(),
        };
        account::change_password(&db, &hasher, user_id, &change, &keep, now)
    })
    .await;
    let result = match result {
        Ok(result) => result,
        Err(e) => {
            limiter.release_in(&state.db, reservation).await?;
            return Err(AppError::Internal(e.to_string()));
        }
    };
    match &result {
        Ok(_) => limiter.forgive_in(&state.db, reservation).await?,
        // A wrong current password stays counted: a failure.
        Err(PasswordChangeError::WrongCurrent) => {}
        Err(_) => limiter.release_in(&state.db, reservation).await?,
    }
    match result {
        Ok(ended) => {
            tracing::info!(user_id, ended, "password changed");
            Ok(see_other("/account?done=password"))
        }
        Err(PasswordChangeError::Internal(cause)) => Err(AppError::Internal(cause)),
        Err(PasswordChangeError::Storage(cause)) => Err(AppError::Unavailable(cause)),
        Err(PasswordChangeError::NoUser) => Err(AppError::Unauthorized("error-no-account")),
        Err(e) => {
            let message = e.to_string();
            let status = StatusCode::BAD_REQUEST;
            account_page_with(&state, &mut visitor, &user, status, None, Some(&message)).await
        }
    }
}

/// `POST /account/sign-out-everywhere`: every session ends, this one too.
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<CsrfOnlyForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user() else {
        return Ok(see_other("/signin"));
    };
    let (user_id, now) = (user.id, crate::clock::now());
    let ended = state
        .db
        .transaction(move |conn| {
            account::sign_out_everywhere(conn, user_id, now).map_err(AppError::from)
        })
        .await?;
    tracing::info!(user_id, ended, "signed out everywhere");
    let mut resp = see_other("/signin");
    let _ = resp.add_cookie(&removal());
    Ok(resp)
}

/// `POST /account/time-zone`: `time_zone` names a known zone, or is empty for the browser's zone
/// (the saved one is cleared); anything else is refused with 400.
pub async fn change_time_zone(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TimeZoneForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user() else {
        return Ok(see_other("/signin?next=%2Faccount"));
    };
    let chosen = form.time_zone.trim();
    let zone = match chosen {
        "" => None,
        name => Some(Zone::parse(name).ok_or_else(|| {
            AppError::BadRequest(
                "That is not a time zone Assent knows. Go back and choose one from the list."
                    .into(),
            )
        })?),
    };
    let (user_id, old, now) = (user.id, user.time_zone.clone(), crate::clock::now());
    state
        .db
        .transaction(move |conn| {
            crate::consents::sessions::set_time_zone(conn, user_id, old.as_deref(), zone, now)
                .map_err(AppError::from)
        })
        .await?;
    tracing::info!(user_id, zone = zone.map(|z| z.name()), "time zone changed");
    Ok(see_other("/account?done=zone"))
}
