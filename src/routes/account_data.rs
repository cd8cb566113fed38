//! `POST /account/data`: download everything about the account as JSON (an attachment);
//! `GET /account/delete`: what deleting the account ends, and the password to confirm;
//! `POST /account/delete`: delete it (see [`crate::consents::delete`]); `GET /account/deleted`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::{client_ip, removal, render_page, see_other, SignedIn, Visitor};
use crate::consents;
use crate::domain::password::MAX_PASSWORD_BYTES;
use crate::error::AppError;
use crate::state::AppState;

/// A form that carries only the anti-CSRF token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// The deletion form: the password again.
#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/data`: a JSON attachment (a POST with the CSRF token, so no other site can make
/// the browser fetch it).
pub async fn download(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user().cloned() else {
        return Ok(see_other("/signin?next=%2Faccount"));
    };
    let now = crate::clock::now();
    let user_id = user.id;
    let data = state
        .db
        .run(move |conn| consents::export::build(conn, &user, now).map_err(AppError::from))
        .await?;
    let body =
        serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    let day = chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    tracing::info!(user_id, "account data downloaded");
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"assent-data-{day}.json\""),
        ))
        .body(body))
}

async fn delete_page_with(
    state: &AppState,
    visitor: &mut Visitor,
    user_id: i64,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let now = crate::clock::now();
    let (apps, sessions, devices) = state
        .db
        .run(move |conn| consents::delete::preview(conn, user_id, now).map_err(AppError::from))
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("tab", "account");
    ctx.insert("apps", &apps);
    ctx.insert("sessions", &sessions);
    ctx.insert("devices", &devices);
    if let Some(e) = error {
        ctx.insert("error", e);
    }
    render_page(state, visitor, "delete_account.html", status, ctx)
}

/// `GET /account/delete`.
pub async fn delete_page(
    SignedIn { mut visitor, user }: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    delete_page_with(&state, &mut visitor, user.id, StatusCode::OK, None).await
}

/// `POST /account/delete`: the password again (limited like sign-in: counted before it is
/// verified), then ONE transaction.
pub async fn delete_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user().cloned() else {
        return Ok(see_other("/signin?next=%2Faccount%2Fdelete"));
    };
    let (ip, now) = (client_ip(&req), crate::clock::now());
    let limiter = &state.limits.sign_in;
    let reservation = limiter
        .reserve_in(&state.db, &ip, Some(&user.email), now)
        .await?
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let (hasher, password, phc) = (
        state.hasher.clone(),
        form.into_inner().password,
        user.password_hash.clone(),
    );
    let verified = tokio::task::spawn_blocking(move || {
        password.len() <= MAX_PASSWORD_BYTES && hasher.verify(&password, &phc)
    })
    .await;
    let verified = match verified {
        Ok(verified) => verified,
        Err(e) => {
            limiter.release_in(&state.db, reservation).await?;
            return Err(AppError::Internal(e.to_string()));
        }
    };
    if !verified {
        // The reservation stays counted: a failure.
        let message = "That is not your password. Your account was not deleted.";
        let status = StatusCode::UNAUTHORIZED;
        return delete_page_with(&state, &mut visitor, user.id, status, Some(message)).await;
    }
    limiter.forgive_in(&state.db, reservation).await?;
    let user_id = user.id;
    let deleted = state
        .db
        .transaction(move |conn| {
            consents::delete::delete_account(conn, user_id, now).map_err(AppError::from)
        })
        .await?;
    tracing::info!(user_id, ?deleted, "account deleted");
    let mut resp = see_other("/account/deleted");
    let _ = resp.add_cookie(&removal());
    Ok(resp)
}

/// `GET /account/deleted`: the goodbye page (nobody is signed in any more).
pub async fn deleted_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let ctx = tera::Context::new();
    render_page(
        &state,
        &mut visitor,
        "account_deleted.html",
        StatusCode::OK,
        ctx,
    )
}
