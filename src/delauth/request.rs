//! The consent request (docs/protocol.md section 3): every check, in order, each failure a clear message.
//! A request that fails never leads to a redirect or POST to its return URL.

use super::app::{AppContext, ApplicationError};
use super::Params;
use crate::config::DelauthConfig;
use crate::crypto::ServerKey;
use crate::db::DbConnection;
use crate::domain::permission::{PermissionError, PermissionList, ResolvedPermission};

/// Longest `appctx` echoed back (docs/protocol.md section 3).
pub const MAX_APPCTX: usize = 2048;
/// Longest `pl`, `ru` and `in` values accepted.
pub const MAX_URL: usize = 2048;
/// Longest `in` value.
pub const MAX_RESOURCE: usize = 256;

/// Why a consent request is refused (shown on a 400 page).
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The application could not be established.
    #[error(transparent)]
    App(#[from] ApplicationError),
    /// `ru` is not one of the application's registered return URLs.
    #[error("the return URL (ru) is not registered for this application; it must match exactly")]
    ReturnUrl,
    /// `ps` is missing.
    #[error("the request names no permissions (ps)")]
    NoPermissions,
    /// `ps` is malformed or names something that can not be granted.
    #[error("{0}")]
    Permission(#[from] PermissionError),
    /// A value is too long or malformed.
    #[error("the {0} parameter is too long or malformed")]
    Value(&'static str),
}

impl RequestError {
    /// Is this a storage failure (503/500) rather than a bad request?
    pub fn is_storage(&self) -> bool {
        matches!(
            self,
            RequestError::App(ApplicationError::Storage(_) | ApplicationError::Sealed)
        )
    }
}

/// A consent request that passed every check.
#[derive(Debug, Clone)]
pub struct ConsentRequest {
    /// The application.
    pub app: AppContext,
    /// Requested permissions with their descriptions, in request order.
    pub permissions: Vec<ResolvedPermission>,
    /// The verified return URL.
    pub return_url: String,
    /// Website state, echoed back.
    pub appctx: Option<String>,
    /// Privacy-policy URL to show.
    pub privacy_url: Option<String>,
    /// The `in` resource.
    pub resource: Option<String>,
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// Validate a consent request's parameters.
pub fn validate(
    conn: &mut DbConnection,
    key: &ServerKey,
    config: &DelauthConfig,
    params: &Params,
    now: i64,
) -> Result<ConsentRequest, RequestError> {
    let app = AppContext::from_verifier(
        conn,
        key,
        params.get("app"),
        config.verifier_max_age_secs,
        config.verifier_max_skew_secs,
        now,
    )?;
    let return_url = match params.non_empty("ru") {
        Some(ru) if ru.len() <= MAX_URL && app.is_registered(ru) => ru.to_string(),
        Some(_) => return Err(RequestError::ReturnUrl),
        None => app
            .return_urls
            .first()
            .cloned()
            .ok_or(RequestError::ReturnUrl)?,
    };
    let ps = params.non_empty("ps").ok_or(RequestError::NoPermissions)?;
    let list = PermissionList::parse_ps(ps)?;
    let catalogue = crate::catalogue::load(conn).map_err(ApplicationError::from)?;
    let permissions = catalogue.resolve(&list)?;
    let appctx = params.get("appctx").map(str::to_string);
    if appctx.as_ref().is_some_and(|a| a.len() > MAX_APPCTX) {
        return Err(RequestError::Value("appctx"));
    }
    let privacy_url = match params.non_empty("pl") {
        Some(pl) if pl.len() <= MAX_URL && is_http_url(pl) => Some(pl.to_string()),
        Some(_) => return Err(RequestError::Value("pl")),
        None => app.app.privacy_url.clone(),
    };
    let resource = match params.non_empty("in") {
        Some(r) if r.len() <= MAX_RESOURCE && !r.chars().any(char::is_control) => {
            Some(r.to_string())
        }
        Some(_) => return Err(RequestError::Value("in")),
        None => None,
    };
    if params.get("mkt").is_some_and(|m| m.len() > 32) {
        return Err(RequestError::Value("mkt"));
    }
    Ok(ConsentRequest {
        app,
        permissions,
        return_url,
        appctx,
        privacy_url,
        resource,
    })
}

/// The host of a URL, for display ("the request comes from ...").
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default()
}

/// The origin of a URL (`scheme://host[:port]`), for the response page's CSP `form-action`.
pub fn origin_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}
