//! Sign-in and sign-out pages (sign-up is `routes::signup`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::web::{client_ip, removal, render_page, see_other, start_session, Visitor};
use crate::domain::{Email, LocalPath};
use crate::error::AppError;
use crate::state::AppState;

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: String,
}

fn local_next(next: &str) -> String {
    LocalPath::parse(next)
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

fn page(
    state: &AppState,
    visitor: &mut Visitor,
    template: &str,
    status: actix_web::http::StatusCode,
    fill: impl FnOnce(&mut tera::Context),
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    fill(&mut ctx);
    render_page(state, visitor, template, status, ctx)
}

/// `GET /signin?next=/local/path`.
pub async fn sign_in_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = local_next(query.next.as_deref().unwrap_or("/"));
    let demo = state.demo.is_some();
    page(
        &state,
        &mut visitor,
        "signin.html",
        actix_web::http::StatusCode::OK,
        |ctx| {
            ctx.insert("next", &next);
            if demo {
                ctx.insert(
                    "notice",
                    &format!(
                        "Demo: sign in as {} with the password {}.",
                        crate::demo::DEMO_EMAIL,
                        crate::demo::DEMO_PASSWORD
                    ),
                );
            }
        },
    )
}

/// `POST /signin`: limited per IP and per account; unknown and known emails take the same time.
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let form = form.into_inner();
    let next = local_next(&form.next);
    let account = form.email.trim().to_lowercase();
    let ip = client_ip(&req);
    let now = crate::clock::now();
    let limiter = state.limits.sign_in.clone();
    let email = Email::parse(&form.email)
        .ok()
        .map(|e| e.as_str().to_string());
    // Counted before the password is verified, so parallel guesses get at most the limit.
    let (reservation, user) = {
        let (limiter, ip, account) = (limiter.clone(), ip.clone(), account.clone());
        state
            .db
            .run(move |conn| {
                let reservation = limiter.reserve(conn, &ip, Some(&account), now)?;
                let user = match (&reservation, email.clone()) {
                    (Ok(_), Some(email)) => crate::db::user::find_by_email(conn, &email)?,
                    _ => None,
                };
                Ok::<_, AppError>((reservation, user))
            })
            .await?
    };
    let reservation =
        reservation.map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let hasher = state.hasher.clone();
    let phc = user.as_ref().map_or_else(
        || hasher.dummy_hash().to_string(),
        |u| u.password_hash.clone(),
    );
    let password = form.password;
    let verified = match tokio::task::spawn_blocking(move || hasher.verify(&password, &phc)).await {
        Ok(verified) => verified,
        Err(e) => {
            limiter.release_in(&state.db, reservation).await?;
            return Err(AppError::Internal(e.to_string()));
        }
    };
    match user {
        Some(user) if verified => {
            limiter.forgive_in(&state.db, reservation).await?;
            let cookies = start_session(&state, user.id, visitor.session_token()).await?;
            tracing::info!(user_id = user.id, "signed in");
            let mut resp = see_other(&next);
            for c in cookies {
                let _ = resp.add_cookie(&c);
            }
            Ok(resp)
        }
        _ => {
            // The reservation stays counted: a failure.
            page(
                &state,
                &mut visitor,
                "signin.html",
                actix_web::http::StatusCode::UNAUTHORIZED,
                |ctx| {
                    ctx.insert("next", &next);
                    ctx.insert("email", &account);
                    ctx.insert("error", "Wrong email or password.");
                },
            )
        }
    }
}

/// The sign-out form: the anti-CSRF token, and where to sign in again for (optional).
#[derive(Deserialize)]
pub struct SignOutForm {
    /// The anti-CSRF token.
    pub csrf: String,
    /// A local path to come back to after signing in again.
    pub next: Option<String>,
}

/// `POST /signout`: end this session (then, with `next`, sign in again and go there).
pub async fn sign_out(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<SignOutForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    if let Some(token) = visitor.session_token() {
        crate::session::end(&state.db, token).await?;
    }
    // "Not you?" on the consent page: sign in as someone else and come back (a local path only).
    let to = match form.next.as_deref().and_then(LocalPath::parse) {
        Some(next) => format!(
            "/signin?next={}",
            crate::crypto::live::urlenc(next.as_str())
        ),
        None => "/".to_string(),
    };
    let mut resp = see_other(&to);
    let _ = resp.add_cookie(&removal());
    Ok(resp)
}
