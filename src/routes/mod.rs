//! HTTP handlers, one file per resource. With `startup` and `error`, the only code that sees actix.

pub mod account;
pub mod assets;
pub mod check;
pub mod consent;
pub mod demo;
pub mod health;
pub mod home;
pub mod jwks;
pub mod profile;
pub mod refresh;
pub mod session;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::web;

use crate::error::AppError;

/// The Content-Security-Policy of every page: no inline script or style, no framing.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Register every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home_page))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/{file}", web::get().to(assets::asset))
        .route("/signin", web::get().to(account::sign_in_page))
        .route("/signin", web::post().to(account::sign_in))
        .route("/signup", web::get().to(account::sign_up_page))
        .route("/signup", web::post().to(account::sign_up))
        .route("/signout", web::post().to(account::sign_out))
        .route("/consent", web::get().to(consent::consent_page))
        .route("/Delegation.aspx", web::get().to(consent::consent_page))
        .route("/consent", web::post().to(consent::decide_consent))
        .route("/consent/refresh", web::get().to(refresh::refresh_token))
        .route("/RefreshToken.aspx", web::get().to(refresh::refresh_token))
        .route("/demo", web::get().to(demo::demo_page))
        .route("/demo/return", web::post().to(demo::demo_return))
        .route("/demo/refresh", web::post().to(demo::demo_refresh))
        .route("/delegation/check", web::post().to(check::check_delegation))
        .route("/.well-known/jwks.json", web::get().to(jwks::jwks))
        .route("/users/@L@{lid}/profile", web::get().to(profile::profile))
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Security headers on every response (a handler may set its own CSP first, e.g. to allow a form
/// to post to a verified return URL).
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"))
}

/// Log each request: method, path without query, status, latency.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let res = next.call(req).await?;
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}
