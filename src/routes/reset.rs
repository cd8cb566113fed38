//! Forgotten passwords (issue 15 item 6): `GET/POST /forgot-password` asks for a reset link (the
//! same page whether or not the address has an account; limited per IP and per address),
//! `GET/POST /reset-password?token=` sets a new password with it (once; every session and device
//! token of the account ends, and this browser is signed in afresh).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::{client_ip, render_page, see_other, start_session, Visitor};
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::domain::Email;
use crate::email_link::ResetError;
use crate::error::AppError;
use crate::state::AppState;

/// The forgot-password form.
#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `?token=` of the reset link.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The new-password form.
#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn forgot_form(
    state: &AppState,
    visitor: &mut Visitor,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("email", email);
    if let Some(error) = error {
        ctx.insert("error", error);
    }
    render_page(state, visitor, "forgot.html", status, ctx)
}

fn reset_form(
    state: &AppState,
    visitor: &mut Visitor,
    status: StatusCode,
    token: &str,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("token", token);
    ctx.insert("min_password_len", &MIN_PASSWORD_CHARS);
    if let Some(error) = error {
        ctx.insert("error", error);
    }
    render_page(state, visitor, "reset.html", status, ctx)
}

fn invalid_link(state: &AppState, visitor: &mut Visitor) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("mode", "invalid");
    ctx.insert("what", "reset");
    render_page(
        state,
        visitor,
        "email_link.html",
        StatusCode::BAD_REQUEST,
        ctx,
    )
}

/// `GET /forgot-password`.
pub async fn forgot_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    forgot_form(&state, &mut visitor, StatusCode::OK, "", None)
}

/// `POST /forgot-password`: a reset link to the account of that address, if there is one; the
/// same page either way.
pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let email = match Email::parse(&form.email) {
        Ok(email) => email.as_str().to_string(),
        Err(message) => {
            let typed = form.email.trim().to_string();
            let status = StatusCode::BAD_REQUEST;
            return forgot_form(&state, &mut visitor, status, &typed, Some(&message));
        }
    };
    let (ip, now) = (client_ip(&req), crate::clock::now());
    let shared = state.clone();
    let to = email.clone();
    let sent = state
        .db
        .transaction(move |conn| {
            let links = &shared.email;
            let admitted = links
                .admit(conn, &ip, &to, now)?
                .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
            if !admitted {
                return Ok(None);
            }
            crate::email_link::forgot_password(links, conn, &to, now).map_err(AppError::from)
        })
        .await?;
    if let Some((user_id, mail)) = sent {
        state.email.send(mail, user_id);
    }
    let mut ctx = tera::Context::new();
    ctx.insert("kind", "reset");
    ctx.insert("address", &email);
    ctx.insert(
        "ttl",
        &crate::i18n::lifetime(visitor.lang, state.email.reset_ttl_secs),
    );
    render_page(
        &state,
        &mut visitor,
        "check_inbox.html",
        StatusCode::OK,
        ctx,
    )
}

/// `GET /reset-password?token=`: the new-password form, for a link that works.
pub async fn reset_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token;
    let (lookup, now) = (token.clone(), crate::clock::now());
    let works = state
        .db
        .run(move |conn| {
            crate::email_link::reset_link_works(conn, &lookup, now).map_err(AppError::from)
        })
        .await?;
    if works {
        reset_form(&state, &mut visitor, StatusCode::OK, &token, None)
    } else {
        invalid_link(&state, &mut visitor)
    }
}

/// `POST /reset-password`: set the new password, end every session and device token, and sign
/// this browser in with the new password.
pub async fn reset(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let form = form.into_inner();
    let token = form.token.clone();
    let (db, hasher, now) = (state.db.clone(), state.hasher.clone(), crate::clock::now());
    let result = tokio::task::spawn_blocking(move || {
        crate::email_link::reset_password(
            &db,
            &hasher,
            &form.token,
            &form.new_password,
            &form.confirm_password,
            now,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match result {
        Ok(user_id) => {
            tracing::info!(user_id, "password reset by emailed link");
            // Every session of the account ended in the reset: this browser starts a fresh one
            // (and a session it held for another account ends).
            let cookies = start_session(&state, user_id, visitor.session_token()).await?;
            let mut resp = see_other("/reset-password/done");
            for c in cookies {
                let _ = resp.add_cookie(&c);
            }
            Ok(resp)
        }
        Err(ResetError::InvalidLink) => invalid_link(&state, &mut visitor),
        Err(ResetError::App(e)) => Err(e),
        Err(e) => {
            let message = e.to_string();
            let status = StatusCode::BAD_REQUEST;
            reset_form(&state, &mut visitor, status, &token, Some(&message))
        }
    }
}

/// `GET /reset-password/done`: the password was changed.
pub async fn reset_done(
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("mode", "reset_done");
    render_page(&state, &mut visitor, "email_link.html", StatusCode::OK, ctx)
}
