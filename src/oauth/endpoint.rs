//! Running oxide-auth's flows against [`Store`].

use oxide_auth::endpoint::{
    AccessTokenFlow, AuthorizationFlow, Endpoint, Extension, OAuthError, OwnerConsent,
    OwnerSolicitor, RefreshFlow, Scopes, Solicitation, Template,
};
use oxide_auth::frontends::simple::extensions::{AddonList, Pkce};
use oxide_auth::primitives::prelude::{Authorizer, Issuer, Registrar};

use super::request::{OAuthReq, OAuthResp, ReqError};
use super::resource::{narrow_names, targets, InvalidTarget};
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
    /// `invalid_target` (RFC 8707): a `resource` the grant can not serve.
    InvalidTarget,
    /// `too_many_attempts`: client authentication was refused by the limit (seconds to wait).
    TooManyAttempts(i64),
}

/// The parts of a code exchange Assent checks before oxide-auth runs, as sent.
#[derive(Debug, Clone, Copy)]
pub struct CodeExchange<'a> {
    /// `code`.
    pub code: &'a str,
    /// `code_verifier`.
    pub verifier: Option<&'a str>,
    /// `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
}

/// Why a code exchange is refused before oxide-auth runs, if it is: PKCE (RFC 7636 4.6, RFC 9700
/// 2.1.1: a stored challenge needs the right verifier, and a verifier for a code issued without a
/// challenge is a downgrade attempt), and the redirect URI, which must be the exact string the
/// authorization request named (RFC 6749 4.1.3; oxide-auth compares parsed URLs, so
/// `HTTP://HOST/a/./cb` would pass for `http://host/a/cb`).
fn exchange_refused(
    conn: &mut DbConnection,
    exchange: &CodeExchange<'_>,
) -> Result<Option<&'static str>, FlowError> {
    let hash = crate::crypto::TokenHash::of(exchange.code);
    let row =
        crate::db::oauth_code::find(conn, &hash).map_err(|e| FlowError::Storage(e.to_string()))?;
    let Some(row) = row else { return Ok(None) };
    if exchange
        .redirect_uri
        .is_some_and(|given| given != row.redirect_uri)
    {
        return Ok(Some(
            "redirect_uri is not the one of the authorization request",
        ));
    }
    let challenge = row
        .code_challenge
        .map(|c| oxide_auth::primitives::grant::Value::private(Some(c)));
    let refused = match (challenge, exchange.verifier) {
        (None, Some(_)) => true,
        (challenge, verifier) => Pkce::optional()
            .verify(challenge, verifier.map(std::borrow::Cow::Borrowed))
            .is_err(),
    };
    Ok(refused.then_some("PKCE verification failed"))
}

/// The token endpoint: `authorization_code` (with what [`CodeExchange`] names, as sent) and
/// `refresh_token` grants.
pub fn token(
    conn: &mut DbConnection,
    ctx: &FlowContext<'_>,
    mut req: OAuthReq,
    grant_type: &str,
    code: Option<CodeExchange<'_>>,
) -> Result<TokenAnswer, FlowError> {
    if let Some(exchange) = code {
        if let Some(why) = exchange_refused(conn, &exchange)? {
            return Ok(TokenAnswer::InvalidGrant(why));
        }
    }
    let mut presented = if grant_type == "refresh_token" {
        narrow_refresh_scope(conn, &mut req, ctx.now)?
    } else {
        None
    };
    let resources = req.body_values(super::resource::PARAM);
    let mut narrowed_code = None;
    if !resources.is_empty() {
        let narrowing = match code {
            Some(exchange) => narrow_code(conn, ctx, &resources, exchange.code)
                .map(|r| r.map(|kept| narrowed_code = kept)),
            None => narrow_refresh_to(conn, ctx, &resources, &mut req, &mut presented),
        };
        if narrowing?.is_err() {
            return Ok(TokenAnswer::InvalidTarget);
        }
    }
    let mut addons = AddonList::new();
    addons.push_access_token(Pkce::optional());
    let mut endpoint = FlowEndpoint {
        store: Store::new(conn, ctx),
        decision: None,
        addons,
    };
    if let Some(presented) = presented {
        endpoint.store.prefetched(presented);
    }
    if let Some(kept) = narrowed_code {
        endpoint.store.narrow_code_to(kept);
    }
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

/// A refresh whose `scope` names permissions the user declined at consent asks for the granted
/// subset instead (see [`super::scope`]). Returns what was read about the refresh token, for
/// the flow to use instead of reading it again.
fn narrow_refresh_scope(
    conn: &mut DbConnection,
    req: &mut OAuthReq,
    now: i64,
) -> Result<Option<(String, crate::tokens::Presented)>, FlowError> {
    let (Some(token), Some(asked)) = (req.body_value("refresh_token"), req.body_value("scope"))
    else {
        return Ok(None);
    };
    let read = crate::tokens::Presented::read(conn, &token)
        .map_err(|e| FlowError::Storage(e.to_string()))?;
    let Some(read) = read else { return Ok(None) };
    if let Some(requested) = read.family.requested_scope.as_deref() {
        if let Some(scope) = super::scope::narrowed(&asked, requested, &read.grants, now) {
            req.replace_body_value("scope", scope);
        }
    }
    Ok(Some((token, read)))
}

/// RFC 8707 `resource` at a code exchange: the code's offers of the named providers (None when
/// there is no such code: the flow refuses it).
fn narrow_code(
    conn: &mut DbConnection,
    ctx: &FlowContext<'_>,
    resources: &[String],
    code: &str,
) -> Result<Result<Option<Vec<String>>, InvalidTarget>, FlowError> {
    let targets = match targets(conn, &ctx.issuer.issuer_url, resources).map_err(storage)? {
        Ok(targets) => targets,
        Err(e) => return Ok(Err(e)),
    };
    let row =
        crate::db::oauth_code::find(conn, &crate::crypto::TokenHash::of(code)).map_err(storage)?;
    let Some(row) = row else { return Ok(Ok(None)) };
    let offers: std::collections::BTreeMap<String, i64> =
        serde_json::from_str(&row.scope).unwrap_or_default();
    let catalogue = crate::catalogue::load(conn).map_err(storage)?;
    let names = offers.into_keys().collect();
    Ok(narrow_names(names, &catalogue, &targets).map(Some))
}

/// RFC 8707 `resource` at a refresh: the `scope` becomes the (asked, or else every active)
/// permissions of the named providers, so the new token carries only those.
fn narrow_refresh_to(
    conn: &mut DbConnection,
    ctx: &FlowContext<'_>,
    resources: &[String],
    req: &mut OAuthReq,
    presented: &mut Option<(String, crate::tokens::Presented)>,
) -> Result<Result<(), InvalidTarget>, FlowError> {
    let targets = match targets(conn, &ctx.issuer.issuer_url, resources).map_err(storage)? {
        Ok(targets) => targets,
        Err(e) => return Ok(Err(e)),
    };
    let Some(token) = req.body_value("refresh_token") else {
        return Ok(Ok(()));
    };
    if presented
        .as_ref()
        .is_none_or(|(read_for, _)| *read_for != token)
    {
        let read = crate::tokens::Presented::read(conn, &token).map_err(storage)?;
        *presented = read.map(|read| (token, read));
    }
    let Some((_, read)) = presented.as_ref() else {
        return Ok(Ok(()));
    };
    let names: Vec<String> = match req.body_value("scope") {
        Some(asked) => asked.split_whitespace().map(str::to_string).collect(),
        None => read
            .grants
            .iter()
            .filter(|g| g.is_active(ctx.now))
            .map(|g| g.permission.clone())
            .collect(),
    };
    let catalogue = crate::catalogue::load(conn).map_err(storage)?;
    Ok(narrow_names(names, &catalogue, &targets).map(|kept| {
        req.set_body_value("scope", kept.join(" "));
    }))
}

fn storage(e: impl std::fmt::Display) -> FlowError {
    FlowError::Storage(e.to_string())
}
