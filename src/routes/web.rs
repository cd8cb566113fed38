//! What every handler shares (route files import this and `error`, never each other): the visitor
//! (session cookie and anti-CSRF tokens), the sign-in redirect, page rendering, form helpers, and
//! the auto-posting response page.
//!
//! The session cookie holds a random 256-bit token, signed with the server key; the database stores
//! only its SHA-256. It is HttpOnly, SameSite=Lax, Secure when the public URL is https, and replaced
//! at every sign-in. Forms carry a CSRF token = HMAC(server key, session token), or, before sign-in,
//! HMAC(server key, pre-session cookie).

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::crypto::random_token;
use crate::db::user::User;
use crate::error::AppError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "assent_session";
/// Name of the pre-session cookie that binds CSRF tokens before sign-in.
pub const PRE_COOKIE: &str = "assent_pre";

/// Who is asking: the signed-in user if any, and what CSRF tokens bind to.
pub struct Visitor {
    /// The signed-in user.
    pub user: Option<User>,
    session_token: Option<String>,
    pre_token: Option<String>,
    new_pre: bool,
}

impl Visitor {
    /// Read the cookies and look the session up (one indexed read when a session cookie is present).
    pub async fn load(req: &HttpRequest, state: &AppState) -> Result<Visitor, AppError> {
        let signed = |name: &str| {
            req.cookie(name)
                .and_then(|c| state.key.verify_cookie(name, c.value()).map(str::to_string))
        };
        let session_token = signed(SESSION_COOKIE);
        let pre_token = signed(PRE_COOKIE);
        let user = match &session_token {
            Some(token) => crate::session::find_user(&state.db, token, crate::clock::now()).await?,
            None => None,
        };
        Ok(Visitor {
            session_token: if user.is_some() { session_token } else { None },
            user,
            pre_token,
            new_pre: false,
        })
    }

    /// The signed-in user, or 401-style redirect handled by the caller.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The raw session token (for signing out this session).
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    fn binding(&self) -> Option<&str> {
        self.session_token.as_deref().or(self.pre_token.as_deref())
    }

    /// The CSRF token for forms on this page; creates the pre-session cookie if needed (then call
    /// [`Visitor::set_cookies`] on the response).
    pub fn csrf(&mut self, state: &AppState) -> Result<String, AppError> {
        if self.binding().is_none() {
            self.pre_token = Some(random_token()?);
            self.new_pre = true;
        }
        Ok(state.key.csrf_token(self.binding().unwrap_or_default()))
    }

    /// Refuse with 403 unless `token` is the CSRF token of this visitor.
    pub fn check_csrf(&self, state: &AppState, token: &str) -> Result<(), AppError> {
        match self.binding() {
            Some(binding) if state.key.verify_csrf(binding, token) => Ok(()),
            _ => Err(AppError::Forbidden(
                "This form has expired or did not come from Assent. Go back, reload the page and \
                 try again."
                    .into(),
            )),
        }
    }

    /// Add the pre-session cookie if this request created one.
    pub fn set_cookies(&self, state: &AppState, resp: &mut HttpResponse) {
        if let (true, Some(pre)) = (self.new_pre, &self.pre_token) {
            let _ = resp.add_cookie(&cookie(state, PRE_COOKIE, pre, None));
        }
    }
}

impl std::fmt::Debug for Visitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The session and pre-session tokens are bearer secrets: never printed.
        f.debug_struct("Visitor")
            .field("user", &self.user.as_ref().map(|u| u.id))
            .field("signed_in", &self.session_token.is_some())
            .finish_non_exhaustive()
    }
}

fn cookie<'a>(state: &AppState, name: &'a str, value: &str, max_age: Option<i64>) -> Cookie<'a> {
    let mut c = Cookie::build(name, state.key.sign_cookie(name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .finish();
    if let Some(secs) = max_age {
        c.set_max_age(Duration::seconds(secs));
    }
    c
}

/// Start a new session for `user_id` (a fresh token every time: sessions are renewed at sign-in) and
/// end `previous` if given. Returns the cookies to set.
pub async fn start_session(
    state: &AppState,
    user_id: i64,
    previous: Option<&str>,
) -> Result<Vec<Cookie<'static>>, AppError> {
    let ttl = state.config.security.session_ttl_secs;
    let token =
        crate::session::start(&state.db, user_id, previous, ttl, crate::clock::now()).await?;
    let session = cookie(state, SESSION_COOKIE, &token, Some(ttl)).into_owned();
    let mut pre = Cookie::build(PRE_COOKIE, "").path("/").finish();
    pre.make_removal();
    Ok(vec![session, pre])
}

/// Cookies that remove the session cookie.
pub fn removal() -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    c.make_removal();
    c
}

/// The client's IP address as seen on the socket (forwarded headers are not trusted).
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A 303 to a local path.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The 303 to the sign-in page that comes back to this request afterwards.
pub fn sign_in_redirect(req: &HttpRequest) -> HttpResponse {
    let back = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    see_other(&format!(
        "/signin?next={}",
        crate::crypto::live::urlenc(&back)
    ))
}

/// The visitor and their user, or (`Ok(Err(..))`) the sign-in redirect to answer instead.
pub async fn signed_in(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Result<(Visitor, User), HttpResponse>, AppError> {
    let visitor = Visitor::load(req, state).await?;
    Ok(match visitor.user().cloned() {
        Some(user) => Ok((visitor, user)),
        None => Err(sign_in_redirect(req)),
    })
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
    if let Some(user) = visitor.user() {
        ctx.insert("user_email", &user.email);
        ctx.insert("user_name", &user.name);
    }
    let body = crate::templates::render(template, &ctx)?;
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
    let body = crate::templates::render("response.html", &ctx)?;
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

/// The consent page's HTML for `consent` (the same page for every protocol), carrying `pending`
/// sealed in its form.
pub fn consent_html(
    state: &AppState,
    visitor: &mut Visitor,
    user: &User,
    consent: &crate::delauth::request::ConsentRequest,
    pending: &crate::consent::PendingConsent,
) -> Result<String, AppError> {
    let page = crate::consent::ConsentPage::of(consent);
    let mut ctx =
        tera::Context::from_serialize(&page).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.insert("csrf", &visitor.csrf(state)?);
    ctx.insert("user_email", &user.email);
    ctx.insert("request", &pending.seal(&state.key)?);
    crate::templates::render("consent.html", &ctx)
}

/// What a consent decision answers, as HTTP: the auto-posting page (Live) or the OAuth redirect.
pub fn answer_response(
    state: &AppState,
    answer: crate::consent::Answer,
) -> Result<HttpResponse, AppError> {
    match answer {
        crate::consent::Answer::Post { return_url, fields } => response_page(&return_url, &fields),
        crate::consent::Answer::OAuth(resp) => Ok(oauth_response(resp, Some(&state.public_url))),
    }
}

/// Handlers take the visitor as an argument: the cookies are read and the session looked up
/// before the handler runs (a storage failure is then the 503 page).
impl actix_web::FromRequest for Visitor {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<actix_web::web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal("no application state".into()))?;
            Visitor::load(&req, &state).await
        })
    }
}
