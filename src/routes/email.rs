//! Address verification (issue 15 item 6): `GET /verify-email?token=` shows what the link
//! confirms and a button (so a mail scanner that follows links verifies nothing),
//! `POST /verify-email` uses the link; `POST /verify-email/resend` sends a new link; and in demo
//! mode `GET /demo/outbox` shows the outbox, so a newcomer can open the link without a mailbox.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::{client_ip, render_page, Visitor};
use crate::domain::Email;
use crate::error::AppError;
use crate::state::AppState;

/// `?token=` of a link.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The verification form: the link's token.
#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

/// The new-link form: signed in, the account's address; otherwise the address typed.
#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

fn link_page(
    state: &AppState,
    visitor: &mut Visitor,
    status: StatusCode,
    mode: &str,
    fill: impl FnOnce(&mut tera::Context),
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("mode", mode);
    fill(&mut ctx);
    render_page(state, visitor, "email_link.html", status, ctx)
}

/// The page for a link that expired, was used, or never existed.
fn invalid(state: &AppState, visitor: &mut Visitor, what: &str) -> Result<HttpResponse, AppError> {
    link_page(state, visitor, StatusCode::BAD_REQUEST, "invalid", |ctx| {
        ctx.insert("what", what);
    })
}

/// `GET /verify-email?token=`: the address the link confirms, and the button that does it.
pub async fn verify_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token;
    let now = crate::clock::now();
    let lookup = token.clone();
    let address = state
        .db
        .run(move |conn| {
            crate::email_link::verification_for(conn, &lookup, now).map_err(AppError::from)
        })
        .await?;
    match address {
        Some(address) => link_page(&state, &mut visitor, StatusCode::OK, "confirm", |ctx| {
            ctx.insert("address", &address);
            ctx.insert("token", &token);
        }),
        None => invalid(&state, &mut visitor, "verify"),
    }
}

/// `POST /verify-email`: use the link (once); the address is verified.
pub async fn verify(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<VerifyForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let token = form.into_inner().token;
    let now = crate::clock::now();
    let verified = state
        .db
        .transaction(move |conn| {
            crate::email_link::verify(conn, &token, now).map_err(AppError::from)
        })
        .await?;
    let Some(address) = verified else {
        return invalid(&state, &mut visitor, "verify");
    };
    let signed_in_here = visitor.user().is_some_and(|u| u.email == address);
    link_page(&state, &mut visitor, StatusCode::OK, "verified", |ctx| {
        ctx.insert("address", &address);
        ctx.insert("signed_in_here", &signed_in_here);
    })
}

/// `POST /verify-email/resend`: a new verification link to the signed-in account's address, or
/// to the address typed when it has an unverified account. The same page whatever the case;
/// limited per IP (429) and per address (the same page, no mail).
pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let signed_in = visitor.user().map(|u| u.email.clone());
    let verified_already = visitor.user().is_some_and(|u| u.email_verified());
    let address = match signed_in.clone() {
        Some(address) => address,
        None => match Email::parse(&form.email) {
            Ok(email) => email.as_str().to_string(),
            Err(message) => return Err(AppError::BadRequest(message)),
        },
    };
    let (ip, now) = (client_ip(&req), crate::clock::now());
    let shared = state.clone();
    let to = address.clone();
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
            match crate::db::user::find_by_email(conn, &to)? {
                Some(user) if !user.email_verified() => {
                    Ok(Some((user.id, links.verification(conn, &user, now)?)))
                }
                _ => Ok::<_, AppError>(None),
            }
        })
        .await?;
    let mut ctx = tera::Context::new();
    // Signed in, the page may say what happened: it is the visitor's own address.
    let outcome = match (&signed_in, &sent) {
        (None, _) => "unknown",
        (Some(_), Some(_)) => "sent",
        (Some(_), None) if verified_already => "verified",
        (Some(_), None) => "limited",
    };
    ctx.insert("outcome", outcome);
    if let Some((user_id, mail)) = sent {
        state.email.send(mail, user_id);
    }
    ctx.insert("kind", "resend");
    ctx.insert("address", &address);
    ctx.insert("signed_in", &signed_in.is_some());
    ctx.insert(
        "ttl",
        &crate::i18n::lifetime(visitor.lang, state.email.verify_ttl_secs),
    );
    render_page(
        &state,
        &mut visitor,
        "check_inbox.html",
        StatusCode::OK,
        ctx,
    )
}

/// `GET /demo/outbox` (demo mode only, 404 otherwise): the newest messages of the outbox.
pub async fn demo_outbox(
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    if state.demo.is_none() {
        return Err(AppError::NotFound);
    }
    let dir = state
        .email
        .mailer()
        .outbox_dir()
        .map(std::path::Path::to_path_buf);
    let mut ctx = tera::Context::new();
    if let Some(dir) = dir {
        let messages = tokio::task::spawn_blocking(move || crate::mail::outbox::list(&dir, 50))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        ctx.insert("messages", &messages);
        ctx.insert("outbox", &true);
    }
    ctx.insert("public_url", &state.public_url);
    render_page(&state, &mut visitor, "outbox.html", StatusCode::OK, ctx)
}
