//! Browser sessions and anti-CSRF tokens.
//!
//! The session cookie holds a random 256-bit token, signed with the server key; the database stores
//! only its SHA-256. It is HttpOnly, SameSite=Lax, Secure when the public URL is https, and replaced
//! at every sign-in. Forms carry a CSRF token = HMAC(server key, session token), or, before sign-in,
//! HMAC(server key, pre-session cookie).

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};

use crate::crypto::{random_token, sha256_hex};
use crate::db::{self, user::User};
use crate::error::AppError;
use crate::startup::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "assent_session";
/// Name of the pre-session cookie that binds CSRF tokens before sign-in.
pub const PRE_COOKIE: &str = "assent_pre";

/// Who is asking: the signed-in user if any, and what CSRF tokens bind to.
#[derive(Debug)]
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
            Some(token) => {
                let hash = sha256_hex(token.as_bytes());
                let now = crate::clock::now();
                state
                    .db
                    .run(move |conn| {
                        db::session::find_user(conn, &hash, now).map_err(AppError::from)
                    })
                    .await?
            }
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
pub async fn start(
    state: &AppState,
    user_id: i64,
    previous: Option<&str>,
) -> Result<Vec<Cookie<'static>>, AppError> {
    let token = random_token()?;
    let hash = sha256_hex(token.as_bytes());
    let previous_hash = previous.map(|t| sha256_hex(t.as_bytes()));
    let ttl = state.config.security.session_ttl_secs;
    let now = crate::clock::now();
    state
        .db
        .transaction(move |conn| {
            if let Some(old) = previous_hash {
                db::session::delete(conn, &old)?;
            }
            db::session::create(conn, user_id, &hash, now, ttl).map_err(AppError::from)
        })
        .await?;
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
