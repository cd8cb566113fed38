//! HTTP handlers, one file per resource. With `startup`, the only code that sees actix.

pub mod account;
pub mod account_data;
pub mod assets;
pub mod check;
pub mod consent;
pub mod consents;
pub mod demo;
pub mod device;
pub mod email;
pub mod error;
pub mod health;
pub mod history;
pub mod home;
pub mod jwks;
pub mod language;
pub mod me;
pub mod metrics;
pub mod oauth;
pub mod oauth_token;
pub mod profile;
pub mod refresh;
pub mod reset;
pub mod sessions;
pub mod settings;
pub mod signup;
pub mod web;
pub mod webauth;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::web::{delete, get, post, to, ServiceConfig};

use crate::error::AppError;

/// The Content-Security-Policy of every page: no inline script or style, no framing.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Register every route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/", get().to(home::home_page))
        .route("/healthz", get().to(health::healthz))
        .route("/readyz", get().to(health::readyz))
        .route("/static/{file}", get().to(assets::asset))
        .route("/language", get().to(language::switch_language))
        .route("/signin", get().to(account::sign_in_page))
        .route("/signin", post().to(account::sign_in))
        .route("/signup", get().to(signup::sign_up_page))
        .route("/signup", post().to(signup::sign_up))
        .route("/verify-email", get().to(email::verify_page))
        .route("/verify-email", post().to(email::verify))
        .route("/verify-email/resend", post().to(email::resend))
        .route("/forgot-password", get().to(reset::forgot_page))
        .route("/forgot-password", post().to(reset::forgot))
        .route("/reset-password", get().to(reset::reset_page))
        .route("/reset-password", post().to(reset::reset))
        .route("/reset-password/done", get().to(reset::reset_done))
        .route("/demo/outbox", get().to(email::demo_outbox))
        .route("/signout", post().to(account::sign_out))
        .route("/consent", get().to(consent::consent_page))
        .route("/Delegation.aspx", get().to(consent::consent_page))
        .route("/consent", post().to(consent::decide_consent))
        .route("/consent/refresh", get().to(refresh::refresh_token))
        .route("/RefreshToken.aspx", get().to(refresh::refresh_token))
        .route("/oauth2/authorize", get().to(oauth::authorize_page))
        .route("/oauth2/authorize", post().to(consent::decide_consent))
        .route("/oauth2/token", post().to(oauth_token::token))
        .route("/oauth2/revoke", post().to(oauth_token::revoke))
        .route("/oauth2/introspect", post().to(oauth_token::introspect))
        .route(
            "/.well-known/oauth-authorization-server",
            get().to(oauth_token::metadata),
        )
        .route("/demo", get().to(demo::demo_page))
        .route("/demo/return", post().to(demo::demo_return))
        .route("/demo/return", get().to(demo::demo_sign_out))
        .route("/demo/refresh", post().to(demo::demo_refresh))
        .route("/delegation/check", post().to(check::check_delegation))
        .route("/.well-known/jwks.json", get().to(jwks::jwks))
        .route("/users/@L@{lid}/profile", get().to(profile::profile))
        .route("/tokens", post().to(device::create_token))
        .route("/tokens/{id}", get().to(device::show_token))
        .route("/tokens/{id}", delete().to(device::delete_token))
        .route("/me", get().to(me::me))
        .route("/wlogin.srf", get().to(webauth::web_sign_in))
        .route("/logout.srf", get().to(webauth::web_sign_out))
        .route("/account", get().to(settings::account_page))
        .route("/account/password", post().to(settings::change_password))
        .route(
            "/account/sign-out-everywhere",
            post().to(settings::sign_out_everywhere),
        )
        .route("/account/name", post().to(sessions::change_name))
        .route("/account/time-zone", post().to(settings::change_time_zone))
        .route("/account/sessions/end", post().to(sessions::end_session))
        .route("/account/devices/end", post().to(sessions::end_device))
        .route("/account/data", post().to(account_data::download))
        .route("/account/delete", get().to(account_data::delete_page))
        .route("/account/delete", post().to(account_data::delete_account))
        .route("/account/deleted", get().to(account_data::deleted_page))
        .route("/account/consents", get().to(consents::consents_page))
        .route("/ManageConsent.aspx", get().to(consents::consents_page))
        .route(
            "/account/consents/revoke",
            get().to(consents::revoke_grant_page),
        )
        .route(
            "/account/consents/revoke",
            post().to(consents::revoke_grant),
        )
        .route(
            "/account/consents/remove",
            get().to(consents::revoke_app_page),
        )
        .route("/account/consents/remove", post().to(consents::revoke_app))
        .route("/account/history", get().to(history::history_page))
        .default_service(to(not_found));
}

/// Register the metrics listener's one route (its own server, on `metrics.bind`: see `startup`).
pub fn configure_metrics(cfg: &mut ServiceConfig) {
    cfg.route("/metrics", get().to(metrics::metrics))
        .default_service(to(metrics::not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// How long browsers keep to https once told (`Strict-Transport-Security`): one year.
const HSTS: &str = "max-age=31536000";

/// Security headers on every response (a handler may set its own CSP first, e.g. to allow a form
/// to post to a verified return URL). `https`: the public URL is https, so browsers are told to
/// use nothing else (`Strict-Transport-Security`, RFC 6797; never over plain http, where it would
/// mean nothing or lock a development host out).
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"));
    if https {
        headers.add(("Strict-Transport-Security", HSTS))
    } else {
        headers
    }
}

/// `Retry-After` of a 503: storage outages are usually short (a restart, a failover).
const RETRY_AFTER_SECS: &str = "5";

/// Milliseconds rounded to two decimals, as the request log prints them (`ms=2.33`).
fn rounded_ms(elapsed: std::time::Duration) -> f64 {
    (elapsed.as_secs_f64() * 100_000.0).round() / 100.0
}

/// Log each request: method, route pattern (never the concrete path or query), status, latency.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let mut res = next.call(req).await?;
    // Every 503 (storage unavailable, on any page or endpoint) tells clients when to try again.
    if res.status() == actix_web::http::StatusCode::SERVICE_UNAVAILABLE {
        let headers = res.headers_mut();
        if !headers.contains_key(actix_web::http::header::RETRY_AFTER) {
            headers.insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
    }
    // The route's pattern, not the path: path parameters (device tokens in /tokens/{id}, user ids
    // in /users/@L@{lid}/profile) never reach the log.
    let path = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(no route)".to_string());
    crate::metrics::request(
        method.as_str(),
        &path,
        res.status().as_u16(),
        started.elapsed(),
    );
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        ms = rounded_ms(started.elapsed()),
        "request"
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::rounded_ms;
    use std::time::Duration;

    #[test]
    fn request_latency_is_logged_with_two_decimals() {
        assert_eq!(
            rounded_ms(Duration::from_nanos(2_328_829)).to_string(),
            "2.33"
        );
        assert_eq!(rounded_ms(Duration::from_micros(1_000)).to_string(), "1");
        assert_eq!(rounded_ms(Duration::from_nanos(4_999)).to_string(), "0");
        assert_eq!(
            rounded_ms(Duration::from_nanos(123_456_789)).to_string(),
            "123.46"
        );
    }
}
