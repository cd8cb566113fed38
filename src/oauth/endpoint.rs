//! Running oxide-auth's flows against [`Store`].

use oxide_auth::endpoint::{
    AccessTokenFlow, AuthorizationFlow, Endpoint, Extension, OAuthError, OwnerConsent,
    OwnerSolicitor, RefreshFlow, Scopes, Solicitation, Template,
};
use oxide_auth::frontends::simple::extensions::{AddonList, Pkce};
use oxide_auth::primitives::prelude::{Authorizer, Issuer, Registrar};

use super::request::{OAuthReq, OAuthResp, ReqError};
use super::store::{FlowContext, Store};
use crate::db::DbConnection;

/// Why a flow produced no protocol response.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// oxide-auth refused without a response it could send (e.g. an unknown client or an
    /// unregistered redirect URI: never redirect then).
    #[error("the OAuth request is invalid")]
    Invalid,
    /// Storage or another primitive failed.
    #[error("storage failed: {0}")]
    Storage(String),
}

/// What the resource owner said.
#[derive(Debug, Clone)]
pub enum AuthorizeDecision {
    /// Not decided yet: show this page (the consent page).
    Show(OAuthResp),
    /// Allowed, by this user.
    Allow(String),
    /// Denied.
    Deny,
}

impl OwnerSolicitor<OAuthReq> for AuthorizeDecision {
    fn check_consent(&mut self, _: &mut OAuthReq, _: Solicitation) -> OwnerConsent<OAuthResp> {
        match self {
            AuthorizeDecision::Show(page) => OwnerConsent::InProgress(page.clone()),
            AuthorizeDecision::Allow(owner) => OwnerConsent::Authorized(owner.clone()),
            AuthorizeDecision::Deny => OwnerConsent::Denied,
        }
    }
}

struct FlowEndpoint<'c> {
    store: Store<'c>,
    decision: Option<AuthorizeDecision>,
    addons: AddonList,
}

impl Endpoint<OAuthReq> for FlowEndpoint<'_> {
    type Error = OAuthError;

    fn registrar(&self) -> Option<&dyn Registrar> {
        Some(&self.store)
    }

    fn authorizer_mut(&mut self) -> Option<&mut dyn Authorizer> {
        Some(&mut self.store)
    }

    fn issuer_mut(&mut self) -> Option<&mut dyn Issuer> {
        Some(&mut self.store)
    }

    fn owner_solicitor(&mut self) -> Option<&mut dyn OwnerSolicitor<OAuthReq>> {
        self.decision
            .as_mut()
            .map(|d| d as &mut dyn OwnerSolicitor<OAuthReq>)
    }

    fn scopes(&mut self) -> Option<&mut dyn Scopes<OAuthReq>> {
        None
    }

    fn response(&mut self, _: &mut OAuthReq, _: Template) -> Result<OAuthResp, OAuthError> {
        Ok(OAuthResp::default())
    }

    fn error(&mut self, err: OAuthError) -> OAuthError {
        err
    }

    fn web_error(&mut self, _: ReqError) -> OAuthError {
        OAuthError::BadRequest
    }

    fn extension(&mut self) -> Option<&mut dyn Extension> {
        Some(&mut self.addons)
    }
}

fn finish(
    store_failure: Option<String>,
    result: Result<OAuthResp, OAuthError>,
) -> Result<OAuthResp, FlowError> {
    match (result, store_failure) {
        (_, Some(failure)) => Err(FlowError::Storage(failure)),
        (Ok(resp), None) => Ok(resp),
        (Err(OAuthError::PrimitiveError), None) => Err(FlowError::Storage("primitive".into())),
        (Err(_), None) => Err(FlowError::Invalid),
    }
}

/// The authorization endpoint: validate the request (client, redirect URI, response type, PKCE)
/// and answer with the consent page, a redirect with a code, or a redirect with an error.
/// PKCE is required for public clients and `plain` is refused for all.
pub fn authorize(
    conn: &mut DbConnection,
    ctx: &FlowContext<'_>,
    req: OAuthReq,
    decision: AuthorizeDecision,
    public_client: bool,
) -> Result<OAuthResp, FlowError> {
    let mut addons = AddonList::new();
    addons.push_authorization(if public_client {
        Pkce::required()
    } else {
        Pkce::optional()
    });
    let mut endpoint = FlowEndpoint {
        store: Store::new(conn, ctx),
        decision: Some(decision),
        addons,
    };
    let result = AuthorizationFlow::prepare(&mut endpoint).and_then(|mut f| f.execute(req));
    finish(endpoint.store.failure.take(), result)
}

/// What the token endpoint answers.
#[derive(Debug)]
pub enum TokenAnswer {
    /// oxide-auth's response (tokens, or an error it described).
    Flow(OAuthResp),
    /// `invalid_grant` with a description.
    InvalidGrant(&'static str),
    /// `too_many_attempts`: client authentication was refused by the limit (seconds to wait).
    TooManyAttempts(i64),
}

/// PKCE for a code exchange (RFC 7636 4.6, RFC 9700 2.1.1): a stored challenge needs the right
/// verifier, and a verifier for a code issued without a challenge is a downgrade attempt.
fn pkce_refused(
    conn: &mut DbConnection,
    code: &str,
    verifier: Option<&str>,
) -> Result<bool, FlowError> {
    let hash = crate::crypto::TokenHash::of(code);
    let row =
        crate::db::oauth_code::find(conn, &hash).map_err(|e| FlowError::Storage(e.to_string()))?;
    let Some(row) = row else { return Ok(false) };
    let challenge = row
        .code_challenge
        .map(|c| oxide_auth::primitives::grant::Value::private(Some(c)));
    Ok(match (challenge, verifier) {
        (None, Some(_)) => true,
        (challenge, verifier) => Pkce::optional()
            .verify(challenge, verifier.map(std::borrow::Cow::Borrowed))
            .is_err(),
    })
}

/// The token endpoint: `authorization_code` (with `code` and `code_verifier` as sent) and
/// `refresh_token` grants.
pub fn token(
    conn: &mut DbConnection,
    ctx: &FlowContext<'_>,
    req: OAuthReq,
    grant_type: &str,
    code: Option<(&str, Option<&str>)>,
) -> Result<TokenAnswer, FlowError> {
    if let Some((code, verifier)) = code {
        if pkce_refused(conn, code, verifier)? {
            return Ok(TokenAnswer::InvalidGrant("PKCE verification failed"));
        }
    }
    let mut addons = AddonList::new();
    addons.push_access_token(Pkce::optional());
    let mut endpoint = FlowEndpoint {
        store: Store::new(conn, ctx),
        decision: None,
        addons,
    };
    let result = if grant_type == "refresh_token" {
        RefreshFlow::prepare(&mut endpoint).and_then(|mut f| f.execute(req))
    } else {
        AccessTokenFlow::prepare(&mut endpoint).and_then(|mut f| {
            // client_secret_post, besides client_secret_basic (RFC 6749 2.3.1).
            f.allow_credentials_in_body(true);
            f.execute(req)
        })
    };
    let rejected = endpoint.store.rejected_code.get();
    let failure = endpoint.store.failure.take();
    if let (None, Some(retry_after)) = (&failure, endpoint.store.limited.get()) {
        return Ok(TokenAnswer::TooManyAttempts(retry_after));
    }
    let resp = finish(failure, result)?;
    Ok(if rejected && resp.status == 400 {
        TokenAnswer::InvalidGrant("the authorization code is invalid, expired or already used")
    } else {
        TokenAnswer::Flow(resp)
    })
}
