//! An application as the protocol needs it: its keys (with secret rollover) and return URLs.

use crate::crypto::live::{parse_app_verifier, AppKeys, VerifierError};
use crate::crypto::ServerKey;
use crate::db::{self, application::Application, DbConnection};
use crate::domain::AppId;

/// A registered application with its derived keys.
#[derive(Debug, Clone)]
pub struct AppContext {
    /// The row.
    pub app: Application,
    /// Registered return URLs, default first.
    pub return_urls: Vec<String>,
    /// Keys that verify app verifiers: the current secret, and the old one during a rollover.
    pub verify_keys: Vec<AppKeys>,
    /// The key that seals tokens: the OLD secret until the rollover ends (the SDK's `oldsecret`
    /// behaviour, docs/protocol.md section 1), then the current one.
    pub seal_keys: AppKeys,
}

/// Why an application could not be established.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// No `app` parameter.
    #[error("the request has no application verifier (app)")]
    Missing,
    /// The verifier is malformed, badly signed or stale.
    #[error("the application verifier is invalid: {0}")]
    Verifier(String),
    /// No such application.
    #[error("the application is not registered with Assent")]
    Unknown,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] diesel::result::Error),
    /// A sealed secret does not open (wrong server key).
    #[error("a sealed application secret does not open")]
    Sealed,
}

fn open_secret(key: &ServerKey, sealed: &str) -> Result<AppKeys, ApplicationError> {
    let bytes = key
        .open("app-secret", sealed)
        .map_err(|_| ApplicationError::Sealed)?;
    let secret = String::from_utf8(bytes).map_err(|_| ApplicationError::Sealed)?;
    Ok(AppKeys::derive(&secret))
}

impl AppContext {
    /// Load an application by appid, with its keys as of `now`.
    pub fn load(
        conn: &mut DbConnection,
        key: &ServerKey,
        appid: &str,
        now: i64,
    ) -> Result<Option<AppContext>, ApplicationError> {
        let Some(id) = AppId::parse(appid) else {
            return Ok(None);
        };
        let Some((app, return_urls)) = db::application::find_with_return_urls(conn, id.as_str())?
        else {
            return Ok(None);
        };
        let current = open_secret(key, &app.secret_sealed)?;
        let old = match (&app.old_secret_sealed, app.old_secret_expires_at) {
            (Some(sealed), Some(until)) if now < until => Some(open_secret(key, sealed)?),
            _ => None,
        };
        let seal_keys = old.clone().unwrap_or_else(|| current.clone());
        let mut verify_keys = vec![current];
        verify_keys.extend(old);
        Ok(Some(AppContext {
            app,
            return_urls,
            verify_keys,
            seal_keys,
        }))
    }

    /// Check an `app` verifier (decoded once, as the query parser delivers it) and load its app.
    pub fn from_verifier(
        conn: &mut DbConnection,
        key: &ServerKey,
        verifier: Option<&str>,
        max_age: i64,
        max_skew: i64,
        now: i64,
    ) -> Result<AppContext, ApplicationError> {
        let verifier = verifier
            .filter(|v| !v.is_empty())
            .ok_or(ApplicationError::Missing)?;
        let parsed =
            parse_app_verifier(verifier).map_err(|e| ApplicationError::Verifier(describe(e)))?;
        let ctx =
            AppContext::load(conn, key, &parsed.appid, now)?.ok_or(ApplicationError::Unknown)?;
        parsed
            .check(&ctx.verify_keys, now, max_age, max_skew)
            .map_err(|e| ApplicationError::Verifier(describe(e)))?;
        Ok(ctx)
    }

    /// Is `url` exactly one of the registered return URLs?
    pub fn is_registered(&self, url: &str) -> bool {
        self.return_urls.iter().any(|r| r == url)
    }
}

fn describe(e: VerifierError) -> String {
    match e {
        VerifierError::Malformed(what) => format!("it is malformed ({what})"),
        VerifierError::BadSignature => {
            "its signature does not match the application's secret".into()
        }
        VerifierError::Stale => "its timestamp is too old; build a fresh one".into(),
        VerifierError::FromFuture => {
            "its timestamp is in the future; check the website's clock".into()
        }
    }
}
