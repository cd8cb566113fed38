//! The visitor: who is asking (session cookie and pre-session cookie), the CSRF tokens bound to
//! them, session start and end as cookies, and the extractors handlers take: [`Visitor`] (anyone)
//! and [`SignedIn`] (a signed-in user; anyone else is sent to sign in and back).
//!
//! The session cookie holds a random 256-bit token, signed with the server key; the database stores
//! only its SHA-256. It is HttpOnly, SameSite=Lax, Secure when the public URL is https, and replaced
//! at every sign-in. Forms carry a CSRF token = HMAC(server key, session token), or, before sign-in,
//! HMAC(server key, pre-session cookie).

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::see_other;
use crate::crypto::random_token;
use crate::db::user::User;
use crate::domain::Zone;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "assent_session";
/// Name of the pre-session cookie that binds CSRF tokens before sign-in.
pub const PRE_COOKIE: &str = "assent_pre";
/// Name of the cookie /static/tz.js sets to the browser's time zone (not signed: a hint, used only
/// when it names a known zone).
pub const ZONE_COOKIE: &str = "assent_tz";

/// Who is asking: the signed-in user if any, and what CSRF tokens bind to.
pub struct Visitor {
    /// The signed-in user.
    pub user: Option<User>,
    /// The time zone dates are shown in: the user's chosen zone, else the browser's, else UTC.
    pub zone: Zone,
    /// The browser's zone (the `assent_tz` cookie), when it names a known zone.
    pub browser_zone: Option<Zone>,
    /// The language pages are shown in (the switch's cookie, else `Accept-Language`).
    pub lang: Lang,
    /// This request's path and query: where the language switch comes back to.
    pub here: String,
    session_token: Option<String>,
    pre_token: Option<String>,
    new_pre: bool,
}

/// The language of `req`'s pages: the switch's cookie, else `Accept-Language`, else English.
pub fn lang_of(req: &HttpRequest) -> Lang {
    let cookie = req.cookie(crate::i18n::LANG_COOKIE);
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    crate::i18n::negotiate(cookie.as_ref().map(|c| c.value()), accept)
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
        let browser_zone = req.cookie(ZONE_COOKIE).and_then(|c| Zone::parse(c.value()));
        let zone = zone_in_effect(user.as_ref(), browser_zone);
        Ok(Visitor {
            lang: lang_of(req),
            here: super::this_path(req),
            session_token: if user.is_some() { session_token } else { None },
            user,
            zone,
            browser_zone,
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
            _ => Err(AppError::Forbidden("error-form-expired")),
        }
    }

    /// Add the pre-session cookie if this request created one.
    pub fn set_cookies(&self, state: &AppState, resp: &mut HttpResponse) {
        if let (true, Some(pre)) = (self.new_pre, &self.pre_token) {
            let _ = resp.add_cookie(&cookie(state, PRE_COOKIE, pre, None));
        }
    }
}

/// The zone dates are shown in: the user's saved zone (if it still parses), else the browser's, else
/// UTC.
fn zone_in_effect(user: Option<&User>, browser: Option<Zone>) -> Zone {
    user.and_then(|u| u.time_zone.as_deref())
        .and_then(Zone::parse)
        .or(browser)
        .unwrap_or(Zone::UTC)
}

impl std::fmt::Debug for Visitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The session and pre-session tokens are bearer secrets: never printed.
        f.debug_struct("Visitor")
            .field("user", &self.user.as_ref().map(|u| u.id))
            .field("signed_in", &self.session_token.is_some())
            .field("zone", &self.zone.name())
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
    let session = cookie(state, SESSION_COOKIE, token.expose(), Some(ttl)).into_owned();
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

/// The 303 to the sign-in page that comes back to this request afterwards.
pub fn sign_in_redirect(req: &HttpRequest) -> HttpResponse {
    see_other(&sign_in_location(req))
}

/// The sign-in page's URL with `next` set to this request's path and query.
fn sign_in_location(req: &HttpRequest) -> String {
    let back = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    format!("/signin?next={}", crate::crypto::live::urlenc(&back))
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

/// A signed-in visitor and their user. As a handler argument: without a live session the handler
/// does not run and the answer is the 303 to the sign-in page, which comes back here afterwards.
#[derive(Debug)]
pub struct SignedIn {
    /// The visitor (for CSRF tokens and cookies).
    pub visitor: Visitor,
    /// The signed-in user.
    pub user: User,
}

/// Why [`SignedIn`] did not extract: nobody is signed in (answered with the sign-in redirect), or
/// the session could not be read (answered as that error is).
#[derive(Debug)]
pub enum NotSignedIn {
    /// Nobody is signed in: the sign-in page's URL, coming back to this request.
    SignIn(String),
    /// Reading the session failed.
    Failed(AppError),
}

impl std::fmt::Display for NotSignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotSignedIn::SignIn(_) => f.write_str("not signed in"),
            NotSignedIn::Failed(e) => e.fmt(f),
        }
    }
}

impl ResponseError for NotSignedIn {
    fn status_code(&self) -> StatusCode {
        match self {
            NotSignedIn::SignIn(_) => StatusCode::SEE_OTHER,
            NotSignedIn::Failed(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            NotSignedIn::SignIn(location) => see_other(location),
            NotSignedIn::Failed(e) => e.error_response(),
        }
    }
}

impl actix_web::FromRequest for SignedIn {
    type Error = NotSignedIn;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, NotSignedIn>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let visitor = Visitor::from_request(&req, payload);
        Box::pin(async move {
            let visitor = visitor.await.map_err(NotSignedIn::Failed)?;
            match visitor.user.clone() {
                Some(user) => Ok(SignedIn { visitor, user }),
                None => Err(NotSignedIn::SignIn(sign_in_location(&req))),
            }
        })
    }
}
