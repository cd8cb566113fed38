//! Resource providers as the check endpoint sees them (docs/protocol.md sections 6 and 7).
//!
//! The check endpoint is the hottest path of the product, so the two things it needs that change
//! rarely are cached in-process: each provider's credentials (`rp_id` -> secret hash and primary
//! key) and the catalogue (which provider owns which offer). A snapshot of both is at most
//! `max_age_secs` old; an unknown `rp_id` or a wrong secret reloads it at once, at most once a
//! second for the whole process, so a provider created on another instance is recognised quickly
//! and garbage credentials can not hammer storage.
//!
//! Nothing about tokens or grants is cached here: [`crate::tokens::check`] reads the grant family
//! on every request, which is what makes a revocation visible at once on every instance.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock, TryLockError};

use crate::crypto::{ct_eq, sha256_hex};
use crate::db::{self, DbConnection};
use crate::domain::permission::{Catalogue, Permission};
use crate::tokens::{self, ActiveToken, CheckRequest, Issuer, TokenError};

/// How old a snapshot may get before the next request reloads it.
pub const MAX_AGE_SECS: i64 = 60;

/// Compared against when the `rp_id` is unknown, so unknown providers cost the same as known ones.
const NO_SUCH_SECRET: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many rounds of percent-decoding a token may need (old SDKs encode it twice at most).
const MAX_UNESCAPES: usize = 4;

/// One provider's stored credentials.
struct Credential {
    id: i64,
    /// The public id again, shared with every [`Provider`] it authenticates.
    rp_id: Arc<str>,
    secret_hash: String,
}

/// Everything loaded at one instant.
struct Snapshot {
    providers: HashMap<String, Credential>,
    catalogue: Arc<Catalogue>,
    loaded_at: i64,
}

impl Snapshot {
    /// The provider `rp_id` if `presented_hash` is its secret's hash (constant time either way).
    fn verify(self: &Arc<Self>, rp_id: &str, presented_hash: &str) -> Option<Provider> {
        let (found, stored) = match self.providers.get(rp_id) {
            Some(c) => (Some(c), c.secret_hash.as_str()),
            None => (None, NO_SUCH_SECRET),
        };
        let matches = ct_eq(presented_hash.as_bytes(), stored.as_bytes());
        match (found, matches) {
            (Some(c), true) => Some(self.provider(c)),
            _ => None,
        }
    }

    /// The provider `rp_id`, without a secret (for Assent's own offers, checked in-process).
    fn find(self: &Arc<Self>, rp_id: &str) -> Option<Provider> {
        self.providers.get(rp_id).map(|c| self.provider(c))
    }

    fn provider(self: &Arc<Self>, c: &Credential) -> Provider {
        Provider {
            id: c.id,
            rp_id: Arc::clone(&c.rp_id),
            snapshot: Arc::clone(self),
        }
    }
}

/// An authenticated resource provider, with the catalogue it was checked against.
#[derive(Clone)]
pub struct Provider {
    id: i64,
    rp_id: Arc<str>,
    snapshot: Arc<Snapshot>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("id", &self.id)
            .field("rp_id", &self.rp_id)
            .finish()
    }
}

impl Provider {
    /// The provider's primary key.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The provider's public id.
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// True when this provider owns the offer of `p` (an RP sees only its own offers).
    pub fn owns(&self, p: &Permission) -> bool {
        self.snapshot.catalogue.owner(p) == Some(self.id)
    }

    /// Check a token as this provider sees it: its audience must name this provider, and only
    /// the offers it owns count.
    pub fn check(
        &self,
        issuer: &Issuer,
        conn: &mut DbConnection,
        req: &CheckRequest<'_>,
        now: i64,
    ) -> Result<Option<ActiveToken>, TokenError> {
        let catalogue = &self.snapshot.catalogue;
        let req = CheckRequest {
            audience: Some(&self.rp_id),
            ..*req
        };
        tokens::check(issuer, conn, &req, catalogue, |p| self.owns(p), now)
    }
}

/// What a resource provider sends to `/delegation/check`, as received (form-decoded once).
#[derive(Debug, Default, Clone, Copy)]
pub struct ProviderQuery<'a> {
    /// The delegation token, possibly still percent-encoded.
    pub token: &'a str,
    /// `Offer.Action` that must be granted; malformed means inactive.
    pub permission: Option<&'a str>,
    /// The user the token must be for.
    pub lid: Option<&'a str>,
    /// The resource the token must be limited to.
    pub resource: Option<&'a str>,
}

/// The answer to a provider's check.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckOutcome {
    /// The provider's id or secret is wrong.
    Unauthorized,
    /// `{"active":false}`.
    Inactive,
    /// The token is active for what was asked.
    Active(ActiveToken),
}

/// Credentials and catalogue of every resource provider, cached (see the module documentation).
pub struct ProviderCache {
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// Held while reloading, so one request reloads and the others keep the previous snapshot.
    reloading: Mutex<()>,
    /// When a miss last forced a reload (Unix seconds).
    last_forced: AtomicI64,
    max_age_secs: i64,
}

impl std::fmt::Debug for ProviderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderCache")
            .field("max_age_secs", &self.max_age_secs)
            .finish_non_exhaustive()
    }
}

impl ProviderCache {
    /// An empty cache whose snapshots live at most `max_age_secs` (capped at [`MAX_AGE_SECS`]).
    /// The first request loads it.
    pub fn new(max_age_secs: i64) -> ProviderCache {
        ProviderCache {
            snapshot: RwLock::new(None),
            reloading: Mutex::new(()),
            last_forced: AtomicI64::new(i64::MIN),
            max_age_secs: max_age_secs.clamp(0, MAX_AGE_SECS),
        }
    }

    fn cached(&self) -> Option<Arc<Snapshot>> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn fresh(&self, snapshot: &Snapshot, now: i64) -> bool {
        (0..self.max_age_secs).contains(&(now - snapshot.loaded_at))
    }

    fn reload(&self, conn: &mut DbConnection, now: i64) -> diesel::QueryResult<Arc<Snapshot>> {
        let providers = db::provider::list(conn)?
            .into_iter()
            .map(|rp| {
                let credential = Credential {
                    id: rp.id,
                    rp_id: Arc::from(rp.rp_id.as_str()),
                    secret_hash: rp.secret_hash,
                };
                (rp.rp_id, credential)
            })
            .collect();
        let snapshot = Arc::new(Snapshot {
            providers,
            catalogue: Arc::new(crate::catalogue::load(conn)?),
            loaded_at: now,
        });
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// The current snapshot, reloading it when older than the maximum age.
    fn current(&self, conn: &mut DbConnection, now: i64) -> diesel::QueryResult<Arc<Snapshot>> {
        match self.cached() {
            Some(s) if self.fresh(&s, now) => Ok(s),
            Some(stale) => match self.reloading.try_lock() {
                Ok(_guard) => self.reload(conn, now),
                // A poisoned lock only means a reload panicked; the snapshot is still whole.
                Err(TryLockError::Poisoned(_guard)) => self.reload(conn, now),
                // Another request is reloading right now: this one may use the previous snapshot.
                Err(TryLockError::WouldBlock) => Ok(stale),
            },
            None => {
                let _guard = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
                match self.cached() {
                    Some(s) if self.fresh(&s, now) => Ok(s),
                    _ => self.reload(conn, now),
                }
            }
        }
    }

    /// Reload after a miss in `seen`, unless `seen` or another miss's reload is from this second.
    fn reload_after_miss(
        &self,
        conn: &mut DbConnection,
        seen: &Snapshot,
        now: i64,
    ) -> diesel::QueryResult<Option<Arc<Snapshot>>> {
        let last = self.last_forced.load(Ordering::Relaxed);
        if seen.loaded_at >= now
            || last >= now
            || self
                .last_forced
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(None);
        }
        let _guard = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        self.reload(conn, now).map(Some)
    }

    /// The provider with these HTTP Basic credentials, if they are right.
    pub fn authenticate(
        &self,
        conn: &mut DbConnection,
        rp_id: &str,
        secret: &str,
        now: i64,
    ) -> diesel::QueryResult<Option<Provider>> {
        let presented = sha256_hex(secret.as_bytes());
        let snapshot = self.current(conn, now)?;
        if let Some(provider) = snapshot.verify(rp_id, &presented) {
            return Ok(Some(provider));
        }
        Ok(self
            .reload_after_miss(conn, &snapshot, now)?
            .and_then(|s| s.verify(rp_id, &presented)))
    }

    /// The catalogue (from the current snapshot): which actions are grantable, and so what
    /// `Offer.Full` implies.
    pub fn catalogue(
        &self,
        conn: &mut DbConnection,
        now: i64,
    ) -> diesel::QueryResult<Arc<Catalogue>> {
        Ok(Arc::clone(&self.current(conn, now)?.catalogue))
    }

    /// The provider `rp_id` without its secret: for Assent's own offers, checked in-process.
    pub fn provider(
        &self,
        conn: &mut DbConnection,
        rp_id: &str,
        now: i64,
    ) -> diesel::QueryResult<Option<Provider>> {
        let snapshot = self.current(conn, now)?;
        if let Some(provider) = snapshot.find(rp_id) {
            return Ok(Some(provider));
        }
        Ok(self
            .reload_after_miss(conn, &snapshot, now)?
            .and_then(|s| s.find(rp_id)))
    }

    /// `POST /delegation/check` (docs/protocol.md section 7): authenticate the provider, then check the
    /// token as it sees it. `Err` means storage failed.
    pub fn check(
        &self,
        issuer: &Issuer,
        conn: &mut DbConnection,
        rp_id: &str,
        secret: &str,
        query: &ProviderQuery<'_>,
        now: i64,
    ) -> Result<CheckOutcome, TokenError> {
        let Some(provider) = self.authenticate(conn, rp_id, secret, now)? else {
            return Ok(CheckOutcome::Unauthorized);
        };
        Self::check_for(issuer, conn, &provider, query, now)
    }

    /// The check of [`ProviderCache::check`] for a provider already authenticated.
    pub fn check_for(
        issuer: &Issuer,
        conn: &mut DbConnection,
        provider: &Provider,
        query: &ProviderQuery<'_>,
        now: i64,
    ) -> Result<CheckOutcome, TokenError> {
        let permission = match query.permission.map(Permission::parse).transpose() {
            Ok(permission) => permission,
            Err(_) => return Ok(CheckOutcome::Inactive),
        };
        let token = unescape_token(query.token);
        let req = CheckRequest {
            token: &token,
            permission: permission.as_ref(),
            lid: query.lid,
            resource: query.resource,
            audience: None,
        };
        Ok(match provider.check(issuer, conn, &req, now)? {
            Some(active) => CheckOutcome::Active(active),
            None => CheckOutcome::Inactive,
        })
    }
}

/// A delegation token with any percent-encoding undone: a compact JWS never contains `%`, so a
/// token that does was URL-encoded (once or twice, by old SDKs) and is decoded until none is left.
/// Anything that does not decode to UTF-8 is returned as it is (and then fails as malformed).
pub fn unescape_token(raw: &str) -> Cow<'_, str> {
    let mut token = Cow::Borrowed(raw.trim());
    for _ in 0..MAX_UNESCAPES {
        if !token.contains('%') {
            break;
        }
        let decoded = match percent_encoding::percent_decode_str(&token).decode_utf8() {
            Ok(d) if d != token => d.into_owned(),
            _ => break,
        };
        token = Cow::Owned(decoded);
    }
    token
}

mod prepared;
pub use prepared::PreparedCheck;

#[cfg(test)]
mod tests;
