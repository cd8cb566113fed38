//! Web Authentication (docs/protocol.md section 10.3): sign-in only, no permissions, as the Windows Live
//! ID Web Authentication SDK expects it. `GET /wlogin.srf?appid=..&alg=wsignin1.0[&appctx=..]`
//! answers the signed-in user with a page that POSTs `action=login`, `stoken` and `appctx` to the
//! app's default return URL; `GET /logout.srf?appid=..` signs out and calls that URL with
//! `action=clearcookie`, then `action=logout`.
//!
//! `stoken` is the sealed envelope of section 1.1 over `appid`, `uid`, `ts`, `flags`, sealed with
//! the app's sealing keys (the OLD secret during a rollover). `uid` is pairwise: derived from the
//! user and the appid with a server-key subkey, so two apps can not link their users by it.

use super::{AppContext, Params};
use crate::crypto::live::{self, urlenc, EnvelopeError};
use crate::crypto::ServerKey;
use crate::db::DbConnection;

/// The only `alg` the protocol knows.
pub const ALG: &str = "wsignin1.0";

/// Longest accepted `appctx` (bytes), as for the consent request.
pub const MAX_APPCTX: usize = 2048;

/// Why a Web Authentication request was refused; every variant is a 400 page except storage.
#[derive(Debug, thiserror::Error)]
pub enum WebAuthError {
    /// No `appid` parameter.
    #[error("the request has no appid")]
    MissingAppId,
    /// No application has this `appid`.
    #[error("the application is not registered with Assent")]
    UnknownApp,
    /// `alg` is missing or not `wsignin1.0`.
    #[error("alg must be {ALG}")]
    BadAlg,
    /// `appctx` is too long.
    #[error("appctx is longer than {MAX_APPCTX} bytes")]
    AppctxTooLong,
    /// The application has no return URL to answer.
    #[error("the application has no registered return URL")]
    NoReturnUrl,
    /// Storage failed or a sealed secret does not open.
    #[error(transparent)]
    App(#[from] super::app::ApplicationError),
}

impl WebAuthError {
    /// True when Assent itself failed (a 5xx), not the request.
    pub fn is_storage(&self) -> bool {
        matches!(self, WebAuthError::App(_))
    }
}

/// A verified Web Authentication request: the app and where to answer.
#[derive(Debug, Clone)]
pub struct WebAuthRequest {
    /// The application with its sealing keys as of the request.
    pub app: AppContext,
    /// Its default (first) registered return URL.
    pub return_url: String,
    /// Opaque website state to echo (sign-in only).
    pub appctx: Option<String>,
}

fn load_app(
    conn: &mut DbConnection,
    key: &ServerKey,
    params: &Params,
    now: i64,
) -> Result<(AppContext, String), WebAuthError> {
    let appid = params
        .non_empty("appid")
        .ok_or(WebAuthError::MissingAppId)?;
    let app = AppContext::load(conn, key, appid, now)?.ok_or(WebAuthError::UnknownApp)?;
    let return_url = app
        .return_urls
        .first()
        .cloned()
        .ok_or(WebAuthError::NoReturnUrl)?;
    Ok((app, return_url))
}

/// `GET /wlogin.srf`: a known `appid`, `alg=wsignin1.0`, an `appctx` of at most 2048 bytes.
pub fn validate_sign_in(
    conn: &mut DbConnection,
    key: &ServerKey,
    params: &Params,
    now: i64,
) -> Result<WebAuthRequest, WebAuthError> {
    let (app, return_url) = load_app(conn, key, params, now)?;
    if params.get("alg") != Some(ALG) {
        return Err(WebAuthError::BadAlg);
    }
    let appctx = params.get("appctx").map(str::to_string);
    if appctx.as_ref().is_some_and(|c| c.len() > MAX_APPCTX) {
        return Err(WebAuthError::AppctxTooLong);
    }
    Ok(WebAuthRequest {
        app,
        return_url,
        appctx,
    })
}

/// `GET /logout.srf`: a known `appid`.
pub fn validate_sign_out(
    conn: &mut DbConnection,
    key: &ServerKey,
    params: &Params,
    now: i64,
) -> Result<WebAuthRequest, WebAuthError> {
    let (app, return_url) = load_app(conn, key, params, now)?;
    Ok(WebAuthRequest {
        app,
        return_url,
        appctx: None,
    })
}

/// The `stoken` value: section 1.1 over `appid=..&uid=..&ts=..&flags=0`, sealed with
/// `app.seal_keys`. The value is `urlenc(b64(..))`, ready for the form field (the SDK URL-decodes
/// the form-decoded field once more before base64).
pub fn stoken(app: &AppContext, uid: &str, now: i64) -> Result<String, EnvelopeError> {
    live::seal(&app.seal_keys, &stoken_plaintext(&app.app.appid, uid, now))
}

/// The `stoken` plaintext before sealing (without `sig`): `appid=..&uid=..&ts=<now>&flags=0`,
/// values `urlenc`-ed.
pub fn stoken_plaintext(appid: &str, uid: &str, now: i64) -> String {
    format!(
        "appid={}&uid={}&ts={}&flags={}",
        urlenc(appid),
        urlenc(uid),
        now,
        0
    )
}

/// The fields the sign-in answer posts, in order: `action=login`, `stoken`, `appctx` when given.
pub fn sign_in_fields(
    req: &WebAuthRequest,
    key: &ServerKey,
    user_id: i64,
    now: i64,
) -> Result<Vec<(&'static str, String)>, EnvelopeError> {
    let uid = key.pairwise_uid(user_id, &req.app.app.appid);
    let mut fields = vec![
        ("action", "login".to_string()),
        ("stoken", stoken(&req.app, &uid, now)?),
    ];
    if let Some(ctx) = &req.appctx {
        fields.push(("appctx", ctx.clone()));
    }
    Ok(fields)
}

/// `<return_url>?action=<action>` (or `&action=` when the URL already has a query).
pub fn action_url(return_url: &str, action: &str) -> String {
    let sep = if return_url.contains('?') { '&' } else { '?' };
    format!("{return_url}{sep}action={}", urlenc(action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::live::AppKeys;
    use crate::db::application::Application;

    fn app(seal_secret: &str) -> AppContext {
        AppContext {
            app: Application {
                id: 1,
                appid: "000000004C00C9B8".into(),
                name: "Contoso".into(),
                secret_sealed: String::new(),
                old_secret_sealed: None,
                old_secret_expires_at: None,
                privacy_url: None,
                is_public: false,
                created_at: 0,
            },
            return_urls: vec!["https://contoso.example/auth".into()],
            verify_keys: vec![AppKeys::derive(seal_secret)],
            seal_keys: AppKeys::derive(seal_secret),
        }
    }

    #[test]
    fn an_stoken_opens_with_the_seal_secret_and_has_the_four_fields_in_order() {
        let secret = "a-secret-of-enough-length";
        let token = stoken(
            &app(secret),
            "0123456789abcdef0123456789abcdef",
            1_700_000_000,
        )
        .unwrap();
        // The SDK URL-decodes the form-decoded field once, then base64-decodes.
        let env = live::open(&AppKeys::derive(secret), &live::url_decode(&token)).unwrap();
        assert_eq!(env.names(), ["appid", "uid", "ts", "flags", "sig"]);
        assert_eq!(env.get("appid").unwrap(), "000000004C00C9B8");
        assert_eq!(env.get("ts").unwrap(), "1700000000");
        assert_eq!(env.get("flags").unwrap(), "0");
        assert!(live::open(&AppKeys::derive("another-secret-entirely"), &token).is_err());
    }

    #[test]
    fn an_action_is_appended_to_the_return_url_query() {
        assert_eq!(
            action_url("https://site.example/auth", "clearcookie"),
            "https://site.example/auth?action=clearcookie"
        );
        assert_eq!(
            action_url("https://site.example/auth?x=1", "logout"),
            "https://site.example/auth?x=1&action=logout"
        );
    }
}
