//! oxide-auth's Registrar, Authorizer and Issuer over the database, in one struct sharing one
//! connection (and so one transaction) for a whole flow.
//!
//! - Registrar: redirect URIs match a registered return URL exactly; client secrets via
//!   [`super::client::authenticate`].
//! - Authorizer: codes are random, stored as SHA-256, live 10 minutes, consumed atomically; a
//!   replayed code revokes the grant family it was exchanged for (RFC 6749 4.1.2).
//! - Issuer: the access token is the delegation token; refresh tokens live in the same token
//!   families as the Live protocol, with rotation and reuse detection.

use std::cell::RefCell;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use oxide_auth::primitives::grant::{Extensions, Grant, Value};
use oxide_auth::primitives::prelude::{Authorizer, Registrar, Scope};
use oxide_auth::primitives::registrar::{
    BoundClient, ClientUrl, ExactUrl, PreGrant, RegisteredUrl, RegistrarError,
};

mod issuer;

use crate::crypto::{random_token, ServerKey};
use crate::db::{self, DbConnection};
use crate::ratelimit::Verdict;

/// Lifetime of an authorization code.
pub const CODE_TTL_SECS: i64 = 600;
const PKCE_EXT: &str = "pkce";

/// What a flow needs besides the connection.
#[derive(Debug)]
pub struct FlowContext<'a> {
    /// Signs tokens.
    pub issuer: &'a crate::tokens::Issuer,
    /// Opens sealed client secrets.
    pub key: &'a ServerKey,
    /// Unix seconds.
    pub now: i64,
    /// At a consent decision: each granted permission's expiry.
    pub expiries: BTreeMap<String, i64>,
    /// At a consent decision: the redirect URI exactly as the authorization request named it (or
    /// the registered default it stood for), stored with the code for the exact comparison at the
    /// token endpoint (RFC 6749 4.1.3).
    pub redirect_uri: Option<String>,
    /// At a consent decision: what the authorization request asked for (space-separated), kept
    /// with the code and then its grant family for refreshes after a partial consent.
    pub requested_scope: Option<String>,
    /// When the flow runs outside a transaction: each state change becomes its own write
    /// transaction through this (None: the caller's transaction covers the whole flow).
    pub db: Option<&'a crate::db::Db>,
    /// At the token endpoint: the client-secret limiter and the client's IP. Client
    /// authentication counts a wrong secret and refuses every secret past the limit.
    pub client_limit: Option<(&'a crate::ratelimit::FailureLimiter, &'a str)>,
}

/// What `extract` read of a code for `issue`.
struct Extracted {
    code_id: i64,
    offers: BTreeMap<String, i64>,
    requested_scope: Option<String>,
    /// The offers the access token carries, when RFC 8707 `resource` narrowed them.
    token_offers: Option<Vec<String>>,
}

/// The primitives, sharing one connection.
pub struct Store<'c> {
    conn: RefCell<&'c mut DbConnection>,
    ctx: &'c FlowContext<'c>,
    /// The last storage failure, for the log (primitives can only answer `Err(())`).
    pub failure: RefCell<Option<String>>,
    /// The code `extract` consumed and its offers, for `issue` in the same flow (oxide-auth keeps
    /// only its addons' extensions between the two).
    extracted: RefCell<Option<Extracted>>,
    /// Set when `extract` refused a code (unknown, used, expired): RFC 6749 5.2 calls that
    /// `invalid_grant`, where oxide-auth answers `invalid_request`.
    pub rejected_code: std::cell::Cell<bool>,
    /// Set when client authentication was refused by the limit: the seconds until it ends.
    pub limited: std::cell::Cell<Option<i64>>,
    /// Applications already read in this flow (client authentication, then the grant's client).
    apps: RefCell<Vec<db::application::Application>>,
    /// Return URLs read with an authenticated client, by application id.
    return_urls: RefCell<Vec<(i64, Vec<String>)>>,
    /// What `recover_refresh` read about the presented refresh token, for `refresh` right after
    /// (so one refresh reads the token and its grants once).
    presented: RefCell<Option<(String, crate::tokens::Presented)>>,
    /// At a code exchange with RFC 8707 `resource`: the offers of the code the token may carry.
    narrowed: RefCell<Option<Vec<String>>>,
}

fn time(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

fn scope_of<'s>(perms: impl Iterator<Item = &'s str>) -> Result<Scope, ()> {
    perms.collect::<Vec<_>>().join(" ").parse().map_err(|_| ())
}

impl<'c> Store<'c> {
    /// Primitives over `conn` for one flow.
    pub fn new(conn: &'c mut DbConnection, ctx: &'c FlowContext<'c>) -> Store<'c> {
        Store {
            conn: RefCell::new(conn),
            ctx,
            failure: RefCell::new(None),
            extracted: RefCell::new(None),
            rejected_code: std::cell::Cell::new(false),
            limited: std::cell::Cell::new(None),
            apps: RefCell::new(Vec::new()),
            return_urls: RefCell::new(Vec::new()),
            presented: RefCell::new(None),
            narrowed: RefCell::new(None),
        }
    }

    /// Limit the token of this code exchange to these offers of the code (RFC 8707 `resource`).
    pub fn narrow_code_to(&self, offers: Vec<String>) {
        *self.narrowed.borrow_mut() = Some(offers);
    }

    /// What was read about the refresh token `token` before the flow ran (so the flow does not
    /// read it again).
    pub fn prefetched(&self, presented: (String, crate::tokens::Presented)) {
        *self.presented.borrow_mut() = Some(presented);
    }

    /// Run one state change: its own write transaction when the flow has none.
    fn write<T, E: From<diesel::result::Error>>(
        &self,
        conn: &mut DbConnection,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        db::write_through(self.ctx.db, conn, f)
    }

    fn fail<E: std::fmt::Display>(&self, e: E) {
        *self.failure.borrow_mut() = Some(e.to_string());
    }

    fn app(&self, appid: &str) -> Result<Option<db::application::Application>, ()> {
        if let Some(app) = self.apps.borrow().iter().find(|a| a.appid == appid) {
            return Ok(Some(app.clone()));
        }
        let mut conn = self.conn.borrow_mut();
        let found = db::application::find_by_appid(&mut conn, appid).map_err(|e| self.fail(e))?;
        self.remember(found.as_ref());
        Ok(found)
    }

    fn remember(&self, app: Option<&db::application::Application>) {
        if let Some(app) = app {
            self.apps.borrow_mut().push(app.clone());
        }
    }

    fn revoke_family(
        &self,
        family: crate::tokens::FamilyRef,
        reason: crate::tokens::RevokeReason,
    ) -> Result<(), ()> {
        let now = self.ctx.now;
        let mut conn = self.conn.borrow_mut();
        self.write(&mut conn, |conn| {
            crate::tokens::revoke_family(conn, family, reason, now)
        })
        .map_err(|e| self.fail(e))
    }
}

impl Registrar for Store<'_> {
    fn bound_redirect<'a>(&self, bound: ClientUrl<'a>) -> Result<BoundClient<'a>, RegistrarError> {
        let app = self
            .app(&bound.client_id)
            .map_err(|_| RegistrarError::PrimitiveError)?
            .ok_or(RegistrarError::Unspecified)?;
        let urls = {
            let mut conn = self.conn.borrow_mut();
            db::application::return_urls(&mut conn, app.id)
                .map_err(|_| RegistrarError::PrimitiveError)?
        };
        let chosen = match &bound.redirect_uri {
            // RFC 6749 3.1.2.3: simple string comparison with a registered URI.
            Some(given) => urls
                .iter()
                .find(|u| u.as_str() == given.as_str())
                .ok_or(RegistrarError::Unspecified)?,
            None => urls.first().ok_or(RegistrarError::Unspecified)?,
        };
        let exact = ExactUrl::new(chosen.clone()).map_err(|_| RegistrarError::Unspecified)?;
        Ok(BoundClient {
            client_id: bound.client_id,
            redirect_uri: std::borrow::Cow::Owned(RegisteredUrl::Exact(exact)),
        })
    }

    fn negotiate(
        &self,
        client: BoundClient,
        scope: Option<Scope>,
    ) -> Result<PreGrant, RegistrarError> {
        // The scope was checked against the catalogue before the flow ran.
        let scope = scope.ok_or(RegistrarError::Unspecified)?;
        Ok(PreGrant {
            client_id: client.client_id.into_owned(),
            redirect_uri: client.redirect_uri.into_owned(),
            scope,
        })
    }

    fn check(&self, client_id: &str, passphrase: Option<&[u8]>) -> Result<(), RegistrarError> {
        let secret = passphrase.map(|p| String::from_utf8_lossy(p).into_owned());
        // The return URLs come with the client in one read: a refresh needs them next.
        let found = {
            let mut conn = self.conn.borrow_mut();
            db::application::find_with_return_urls(&mut conn, client_id)
        };
        // A public client has no secret to guess: limiting it would only let anyone lock it out.
        let public = matches!(&found, Ok(Some((app, _))) if app.is_public);
        let found = match found {
            Ok(found) => found.filter(|(app, _)| {
                let (key, now) = (self.ctx.key, self.ctx.now);
                super::client::credentials_match(key, app, secret.as_deref(), now)
            }),
            Err(e) => {
                self.fail(e);
                return Err(RegistrarError::PrimitiveError);
            }
        };
        if let Some((limiter, ip)) = self.ctx.client_limit.filter(|_| !public) {
            let mut conn = self.conn.borrow_mut();
            let right = found.is_some();
            match limiter.after_check(&mut conn, ip, client_id, right, self.ctx.now) {
                Ok(Verdict::Limited { retry_after }) => {
                    self.limited.set(Some(retry_after));
                    return Err(RegistrarError::Unspecified);
                }
                Ok(_) => {}
                Err(e) => {
                    self.fail(e);
                    return Err(RegistrarError::PrimitiveError);
                }
            }
        }
        match found {
            Some((app, urls)) => {
                self.return_urls.borrow_mut().push((app.id, urls));
                self.remember(Some(&app));
                Ok(())
            }
            None => Err(RegistrarError::Unspecified),
        }
    }
}

impl Authorizer for Store<'_> {
    fn authorize(&mut self, grant: Grant) -> Result<String, ()> {
        let now = self.ctx.now;
        let app = self.app(&grant.client_id)?.ok_or(())?;
        let user_id: i64 = grant.owner_id.parse().map_err(|_| ())?;
        let offers: BTreeMap<String, i64> = grant
            .scope
            .iter()
            .map(|p| {
                let exp = self.ctx.expiries.get(p).copied();
                (p.to_string(), exp.unwrap_or(now + 30 * 86_400))
            })
            .collect();
        let challenge = grant
            .extensions
            .private()
            .find(|(name, _)| *name == PKCE_EXT)
            .and_then(|(_, v)| v.map(str::to_string));
        let code = random_token().map_err(|e| self.fail(e))?;
        let mut conn = self.conn.borrow_mut();
        db::oauth_code::insert(
            &mut conn,
            &db::oauth_code::NewCode {
                code_hash: crate::crypto::TokenHash::of(&code).as_str(),
                application_id: app.id,
                user_id,
                redirect_uri: self
                    .ctx
                    .redirect_uri
                    .as_deref()
                    .unwrap_or(grant.redirect_uri.as_str()),
                scope: &serde_json::to_string(&offers).map_err(|_| ())?,
                code_challenge: challenge.as_deref(),
                requested_scope: self.ctx.requested_scope.as_deref(),
                now,
                expires_at: now + CODE_TTL_SECS,
            },
        )
        .map_err(|e| self.fail(e))?;
        Ok(code)
    }

    fn extract(&mut self, code: &str) -> Result<Option<Grant>, ()> {
        let now = self.ctx.now;
        let row = {
            let mut conn = self.conn.borrow_mut();
            db::oauth_code::find(&mut conn, &crate::crypto::TokenHash::of(code))
                .map_err(|e| self.fail(e))?
        };
        self.rejected_code.set(true);
        let Some(row) = row else { return Ok(None) };
        let consumed = {
            let mut conn = self.conn.borrow_mut();
            row.consumed_at.is_none()
                && db::oauth_code::consume(&mut conn, row.id, now).map_err(|e| self.fail(e))?
        };
        if !consumed {
            // A replayed code: revoke what its first exchange issued (RFC 6749 4.1.2).
            if let Some(id) = row.family_id {
                let family = crate::tokens::FamilyRef {
                    id,
                    user_id: row.user_id,
                    application_id: row.application_id,
                };
                self.revoke_family(family, crate::tokens::RevokeReason::CodeReplay)?;
            }
            return Ok(None);
        }
        if row.expires_at <= now {
            return Ok(None);
        }
        let app = {
            let mut conn = self.conn.borrow_mut();
            db::application::find(&mut conn, row.application_id).map_err(|e| self.fail(e))?
        };
        let app = app.ok_or(())?;
        let offers: BTreeMap<String, i64> = serde_json::from_str(&row.scope).map_err(|_| ())?;
        // RFC 8707 `resource` narrows the access token (and so the answer's scope), not the
        // grant: the refresh token still covers every offer of the code.
        let narrowed = self.narrowed.borrow_mut().take();
        let mut extensions = Extensions::new();
        if let Some(challenge) = row.code_challenge {
            extensions.set_raw(PKCE_EXT.into(), Value::private(Some(challenge)));
        }
        let scope = match &narrowed {
            Some(kept) => scope_of(kept.iter().map(String::as_str))?,
            None => scope_of(offers.keys().map(String::as_str))?,
        };
        *self.extracted.borrow_mut() = Some(Extracted {
            code_id: row.id,
            offers,
            requested_scope: row.requested_scope,
            token_offers: narrowed,
        });
        self.rejected_code.set(false);
        Ok(Some(Grant {
            owner_id: row.user_id.to_string(),
            client_id: app.appid,
            scope,
            redirect_uri: url::Url::parse(&row.redirect_uri).map_err(|_| ())?,
            until: time(row.expires_at),
            extensions,
        }))
    }
}
