//! `GET/POST /signup`: create an account. The answer is the same "check your inbox" page whether
//! or not the address has an account (issue 15 item 7): a new address gets an unverified account
//! and a verification link, a taken one a "someone tried to sign up" message to its owner.
//! Nobody is signed in by a sign-up; the new user signs in with the password just chosen.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::{client_ip, render_page, Visitor};
use crate::domain::password::{check_new_password, NewPasswordError, MIN_PASSWORD_CHARS};
use crate::domain::{Email, LocalPath};
use crate::error::AppError;
use crate::state::AppState;

/// `?next=` of the sign-up page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-up form.
#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

fn local_next(next: &str) -> String {
    LocalPath::parse(next)
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

/// `GET /signup`.
pub async fn sign_up_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("next", &local_next(query.next.as_deref().unwrap_or("/")));
    render_page(&state, &mut visitor, "signup.html", StatusCode::OK, ctx)
}

/// `POST /signup`: at most `security.sign_up_max_per_ip` per client IP in the window (a taken
/// email counts too: it cost a hash); then the same page for a new and a taken address.
pub async fn sign_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<SignUpForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let form = form.into_inner();
    let next = local_next(&form.next);
    let name = form.name.trim().to_string();
    let email = Email::parse(&form.email);
    let problem = match &email {
        Err(msg) => Some(msg.clone()),
        Ok(_) if name.is_empty() || name.chars().count() > 100 => {
            Some("Enter your name (at most 100 characters).".to_string())
        }
        Ok(_) => match check_new_password(&form.password) {
            Err(NewPasswordError::TooShort) => Some(format!(
                "Choose a password of at least {MIN_PASSWORD_CHARS} characters."
            )),
            Err(NewPasswordError::TooLong) => Some("That password is too long.".into()),
            Ok(()) => None,
        },
    };
    let email = match (email, problem) {
        (Ok(email), None) => email,
        (_, problem) => {
            let mut ctx = tera::Context::new();
            ctx.insert("next", &next);
            ctx.insert("email", form.email.trim());
            ctx.insert("name", &name);
            ctx.insert("error", &problem.unwrap_or_default());
            return render_page(
                &state,
                &mut visitor,
                "signup.html",
                StatusCode::BAD_REQUEST,
                ctx,
            );
        }
    };
    let now = crate::clock::now();
    let limiter = &state.limits.sign_up;
    let reservation = limiter
        .reserve_in(&state.db, &client_ip(&req), None, now)
        .await?
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let done = {
        let shared = state.clone().into_inner();
        let (email, name, password) = (email.clone(), name.clone(), form.password);
        tokio::task::spawn_blocking(move || {
            let s = &shared;
            crate::email_link::sign_up(&s.email, &s.db, &s.hasher, &email, &name, &password, now)
        })
        .await
    };
    let done = match done {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            limiter.release_in(&state.db, reservation).await?;
            return Err(e);
        }
        Err(e) => {
            limiter.release_in(&state.db, reservation).await?;
            return Err(AppError::Internal(e.to_string()));
        }
    };
    let created = matches!(done, crate::email_link::SignUp::Created { .. });
    let (user_id, mail) = done.into_mail();
    let address = email.as_str().to_string();
    let links = state.clone();
    let may_send = state
        .db
        .run(move |conn| {
            links
                .email
                .count_mail_to(conn, &address, now)
                .map_err(AppError::from)
        })
        .await?;
    if may_send {
        state.email.send(mail, user_id);
    }
    tracing::info!(user_id, created, "sign-up");
    let mut ctx = tera::Context::new();
    ctx.insert("kind", "signup");
    ctx.insert("address", email.as_str());
    ctx.insert("next", &next);
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
