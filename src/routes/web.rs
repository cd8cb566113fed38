//! What every handler shares (route files import this and `error`, never each other): the visitor
//! and its extractors ([`visitor`]), page rendering, form helpers, the auto-posting response page
//! and the OAuth answer.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::db::user::User;
use crate::error::AppError;
use crate::state::AppState;

mod visitor;
pub use visitor::{
    lang_of, removal, sign_in_redirect, start_session, NotSignedIn, SignedIn, Visitor, PRE_COOKIE,
    SESSION_COOKIE,
};

/// The client's IP address as seen on the socket (forwarded headers are not trusted).
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// This request's path and query (where "sign in and come back" returns to).
pub fn this_path(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    }
}

/// A 303 to a local path.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Render `template` as a page for `visitor`: the CSRF token (and the signed-in user's email) go
/// in with `ctx`, and a new pre-session cookie is set if one was made.
pub fn render_page(
    state: &AppState,
    visitor: &mut Visitor,
    template: &str,
    status: StatusCode,
    mut ctx: tera::Context,
) -> Result<HttpResponse, AppError> {
    ctx.insert("csrf", &visitor.csrf(state)?);
    ctx.insert("time_zone", visitor.zone.name());
    ctx.insert("here", &visitor.here);
    // Notices and form errors are worded in English where they arise; the page shows them in
    // the visitor's language.
    for name in ["notice", "error"] {
        if let Some(tera::Value::String(english)) = ctx.get(name) {
            let worded = crate::i18n::from_english(visitor.lang, english);
            ctx.insert(name, &worded);
        }
    }
    if let Some(user) = visitor.user() {
        ctx.insert("user_email", &user.email);
        ctx.insert("user_name", &user.name);
        ctx.insert("user_email_verified", &user.email_verified());
    }
    let body = crate::templates::render(visitor.lang, template, &ctx)?;
    let mut resp = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body);
    visitor.set_cookies(state, &mut resp);
    Ok(resp)
}

/// A form that carries only the anti-CSRF token (sign-out, demo refresh).
#[derive(Deserialize)]
pub struct CsrfForm {
    /// The anti-CSRF token.
    pub csrf: String,
}

/// A form or query as ordered pairs (checkboxes repeat their name).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of `name`.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The value of `name` when it occurs exactly once (OAuth parameters must not repeat).
pub fn only<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    crate::oauth::authorize::single(pairs, name)
}

/// The page whose form (`name="responseform"`) posts `fields` to a VERIFIED return URL, submitted by
/// /static/autosubmit.js, with a Continue button. Its CSP lets forms post to that origin only.
pub fn response_page(
    lang: crate::i18n::Lang,
    return_url: &str,
    fields: &[(&str, String)],
) -> Result<HttpResponse, AppError> {
    use crate::delauth::request::{host_of, origin_of};
    let mut ctx = tera::Context::new();
    ctx.insert("action_url", return_url);
    ctx.insert("return_host", &host_of(return_url));
    let list: Vec<serde_json::Value> = fields
        .iter()
        .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
        .collect();
    ctx.insert("fields", &list);
    let body = crate::templates::render(lang, "response.html", &ctx)?;
    let origin = origin_of(return_url).unwrap_or_default();
    let csp = super::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", csp))
        .body(body))
}

/// An oxide-auth answer as HTTP; `iss` (RFC 9207) is appended to a redirect when given.
pub fn oauth_response(resp: crate::oauth::OAuthResp, iss: Option<&str>) -> HttpResponse {
    let mut builder =
        HttpResponse::build(StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_REQUEST));
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(location) = &resp.location {
        let location = iss.map_or_else(|| location.clone(), |iss| with_iss(location, iss));
        builder.insert_header((header::LOCATION, location));
    }
    if let Some(www) = &resp.www_authenticate {
        builder.insert_header((header::WWW_AUTHENTICATE, www.as_str()));
    }
    match resp.body {
        Some((content_type, body)) => builder.content_type(content_type).body(body),
        None => builder.finish(),
    }
}

/// Append the RFC 9207 `iss` parameter to an authorization response redirect.
fn with_iss(location: &str, iss: &str) -> String {
    match url::Url::parse(location) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("iss", iss);
            url.into()
        }
        Err(_) => location.to_string(),
    }
}

/// Run a refresh for raw query `query` and answer (status, JSON body). Also used by the demo site.
pub async fn run_refresh(
    state: &actix_web::web::Data<AppState>,
    query: &str,
) -> (StatusCode, String) {
    let params = crate::delauth::Params::parse(query);
    let st = state.clone();
    let now = crate::clock::now();
    let result = state
        .db
        .run(move |conn| {
            crate::delauth::refresh::refresh(
                conn,
                &st.db,
                &st.issuer,
                &st.providers,
                &st.config.delauth,
                &params,
                now,
            )
        })
        .await;
    match result {
        Ok(Ok(value)) => (
            StatusCode::OK,
            crate::delauth::refresh::success_body(&value),
        ),
        Ok(Err(e)) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            e.body(),
        ),
        Err(e) => {
            let status = match &e {
                crate::tokens::TokenError::Db(db) if db.is_storage_failure() => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                crate::tokens::TokenError::Query(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::error!(error = %e, "refresh failed");
            let body = serde_json::json!({
                "error": "server_error",
                "error_description": "Assent could not complete the refresh; try again.",
            });
            (status, body.to_string())
        }
    }
}

/// The consent page's HTML for `consent` (the same page for every protocol) shown to `user` at
/// `now`: what they already allowed the app is read first, then the pending consent (answering
/// `protocol`) is sealed in its form. `back`: this request, where "Not you?" comes back to.
pub async fn consent_html(
    state: &actix_web::web::Data<AppState>,
    visitor: &mut Visitor,
    user: &User,
    consent: &crate::delauth::request::ConsentRequest,
    protocol: crate::consent::Protocol,
    back: &str,
    now: i64,
) -> Result<String, AppError> {
    let (user_id, request) = (user.id, consent.clone());
    let (catalogue, allowed) = state
        .db
        .run(move |conn| {
            crate::consent::page::load_context(conn, user_id, &request, now).map_err(AppError::from)
        })
        .await?;
    let page = crate::consent::ConsentPage::of(
        consent,
        &catalogue,
        &allowed,
        now,
        visitor.zone,
        visitor.lang,
    );
    let pending =
        crate::consent::PendingConsent::for_request(consent, user.id, now, protocol, allowed)?;
    let mut ctx =
        tera::Context::from_serialize(&page).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.insert("csrf", &visitor.csrf(state)?);
    ctx.insert("user_email", &user.email);
    ctx.insert("request", &pending.seal(&state.key)?);
    // "Not you?": sign out, then sign in and come back to this same request.
    ctx.insert("switch_next", back);
    ctx.insert("here", back);
    crate::templates::render(visitor.lang, "consent.html", &ctx)
}

/// What a consent decision answers, as HTTP: the auto-posting page (Live) or the OAuth redirect.
pub fn answer_response(
    state: &AppState,
    lang: crate::i18n::Lang,
    answer: crate::consent::Answer,
) -> Result<HttpResponse, AppError> {
    match answer {
        crate::consent::Answer::Post { return_url, fields } => {
            response_page(lang, &return_url, &fields)
        }
        crate::consent::Answer::OAuth(resp) => Ok(oauth_response(resp, Some(&state.public_url))),
    }
}
