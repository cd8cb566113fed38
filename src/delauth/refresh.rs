//! Refresh (docs/protocol.md section 8): server to server, `ps`, `reft`, `ru`, `app`. Success is exactly
//! `{"ConsentToken":"<value>"}`; errors are `{"error":"<code>","error_description":"<text>"}`.

use super::app::{AppContext, ApplicationError};
use super::Params;
use crate::config::DelauthConfig;
use crate::crypto::live::url_decode_fully;
use crate::db::DbConnection;
use crate::domain::permission::PermissionList;
use crate::tokens::{Issuer, RefreshOutcome, RefreshRefusal, TokenError};

/// A refresh error; its string form is the wire code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshError {
    /// "invalid_app": no verifier, or the application is not registered.
    InvalidApp,
    /// "invalid_verifier": the verifier is malformed, badly signed or stale (HTTP 401).
    InvalidVerifier,
    /// "invalid_refresh_token": no such refresh token for this application.
    InvalidRefreshToken,
    /// "refresh_token_reused": a consumed refresh token was presented again; its family is revoked.
    RefreshTokenReused,
    /// "consent_revoked": the user revoked what was asked for.
    ConsentRevoked,
    /// "consent_expired": what was asked for has expired.
    ConsentExpired,
    /// "invalid_return_url": `ru` is not registered for this application.
    InvalidReturnUrl,
    /// "invalid_permission": `ps` is malformed or names nothing granted.
    InvalidPermission,
}

impl RefreshError {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            RefreshError::InvalidApp => "invalid_app",
            RefreshError::InvalidVerifier => "invalid_verifier",
            RefreshError::InvalidRefreshToken => "invalid_refresh_token",
            RefreshError::RefreshTokenReused => "refresh_token_reused",
            RefreshError::ConsentRevoked => "consent_revoked",
            RefreshError::ConsentExpired => "consent_expired",
            RefreshError::InvalidReturnUrl => "invalid_return_url",
            RefreshError::InvalidPermission => "invalid_permission",
        }
    }

    /// A human-readable description.
    pub fn description(self) -> &'static str {
        match self {
            RefreshError::InvalidApp => "The application is missing or not registered.",
            RefreshError::InvalidVerifier => {
                "The application verifier is malformed, badly signed or stale."
            }
            RefreshError::InvalidRefreshToken => "The refresh token is not valid.",
            RefreshError::RefreshTokenReused => {
                "The refresh token was already used; every token of this consent has been revoked."
            }
            RefreshError::ConsentRevoked => "The user revoked this consent.",
            RefreshError::ConsentExpired => "This consent has expired.",
            RefreshError::InvalidReturnUrl => "The return URL is not registered.",
            RefreshError::InvalidPermission => "The requested permissions were not granted.",
        }
    }

    /// HTTP status: 401 for a bad verifier, else 400.
    pub fn status(self) -> u16 {
        if self == RefreshError::InvalidVerifier {
            401
        } else {
            400
        }
    }

    /// The JSON error body.
    pub fn body(self) -> String {
        serde_json::json!({"error": self.code(), "error_description": self.description()})
            .to_string()
    }
}

/// The exact success body.
pub fn success_body(consent_token: &str) -> String {
    // The value is urlenc-ed: only unreserved characters and %XX, nothing JSON must escape.
    format!("{{\"ConsentToken\":\"{consent_token}\"}}")
}

/// Refresh. Reads and cryptography run on `conn` outside any transaction; the row changes (rotation,
/// or the revocation of a reused token's family) are ONE write transaction through `db`.
pub fn refresh(
    conn: &mut DbConnection,
    db: &crate::db::Db,
    issuer: &Issuer,
    providers: &crate::provider_cache::ProviderCache,
    config: &DelauthConfig,
    params: &Params,
    now: i64,
) -> Result<Result<String, RefreshError>, TokenError> {
    let app = match AppContext::from_verifier(
        conn,
        &issuer.server_key,
        params.get("app"),
        config.verifier_max_age_secs,
        config.verifier_max_skew_secs,
        now,
    ) {
        Ok(app) => app,
        Err(ApplicationError::Missing | ApplicationError::Unknown) => {
            return Ok(Err(RefreshError::InvalidApp))
        }
        Err(ApplicationError::Verifier(_)) => return Ok(Err(RefreshError::InvalidVerifier)),
        Err(ApplicationError::Storage(e)) => return Err(e.into()),
        Err(ApplicationError::Sealed) => return Err(TokenError::Key("sealed app secret".into())),
    };
    if let Some(ru) = params.non_empty("ru") {
        if !app.is_registered(ru) {
            return Ok(Err(RefreshError::InvalidReturnUrl));
        }
    }
    let requested = match params.non_empty("ps").map(PermissionList::parse_ps) {
        Some(Ok(list)) => Some(list.into_vec()),
        Some(Err(_)) => return Ok(Err(RefreshError::InvalidPermission)),
        None => None,
    };
    // The Python SDK double-encodes reft; a '+' that became a space in transit is restored
    // (base64 never contains spaces).
    let reft = url_decode_fully(params.get("reft").unwrap_or_default()).replace(' ', "+");
    if reft.is_empty() {
        return Ok(Err(RefreshError::InvalidRefreshToken));
    }
    // What a granted `Full` covers is the catalogue's rule (only grantable actions).
    let catalogue = match requested {
        Some(_) => Some(providers.catalogue(conn, now)?),
        None => None,
    };
    let requested = requested.as_deref().zip(catalogue.as_deref());
    let outcome = issuer.refresh_rows(
        conn,
        Some(db),
        &reft,
        None,
        app.app.id,
        &app.app.appid,
        requested,
        now,
    )?;
    crate::metrics::refresh("live", outcome.label());
    Ok(match outcome {
        RefreshOutcome::Issued(unsigned) => {
            let issued = issuer.sign(conn, unsigned, now)?;
            Ok(super::token::consent_token(&app.seal_keys, &issued)
                .map_err(|e| TokenError::Key(e.to_string()))?)
        }
        RefreshOutcome::Refused(refusal) => Err(match refusal {
            RefreshRefusal::Unknown => RefreshError::InvalidRefreshToken,
            RefreshRefusal::Reused => RefreshError::RefreshTokenReused,
            RefreshRefusal::FamilyRevoked | RefreshRefusal::ConsentRevoked => {
                RefreshError::ConsentRevoked
            }
            RefreshRefusal::ConsentExpired => RefreshError::ConsentExpired,
            RefreshRefusal::NotGranted => RefreshError::InvalidPermission,
        }),
    })
}
