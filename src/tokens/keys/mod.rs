//! The signing key ring: Ed25519 keys live in the database (private halves sealed with the server
//! key), so every instance on a shared database signs and verifies alike. Each instance caches them
//! and reloads after `reload_after_secs` (an age on the monotonic clock, so stepping the wall clock
//! back or forth changes nothing), or at once when a token names a key it does not know but storage
//! does, e.g. one another instance just rotated to.
//!
//! Reloads are single-flight: every request that needs one waits for the one in progress and is then
//! answered from it. A `kid` that storage does not know either (garbage) costs one indexed read and
//! never reloads the ring nor waits for a reload, so garbage can neither hammer storage nor delay a
//! real key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::TokenError;
use crate::crypto::jws::{SigningKey, VerifyingKey};
use crate::crypto::ServerKey;
use crate::db::{self, DbConnection};

#[derive(Default)]
struct Ring {
    signer: Option<Arc<SigningKey>>,
    verifying: HashMap<String, Arc<VerifyingKey>>,
    /// When the reload that produced this ring began (it saw every key committed before then).
    loaded_at: Option<Instant>,
}

/// Cached signing and verification keys.
pub struct KeyRing {
    ring: RwLock<Ring>,
    /// Held for the whole of a reload: the single flight.
    reloading: Mutex<()>,
    reload_after: Duration,
    retention_secs: i64,
    /// The monotonic clock (`Instant::now`; a fake one in unit tests).
    clock: fn() -> Instant,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

impl KeyRing {
    /// A ring that reloads after `reload_after_secs` and keeps retired keys verifiable for
    /// `token_ttl_secs` (plus the reload interval, during which an instance may still sign with a
    /// key another instance retired).
    pub fn new(reload_after_secs: i64, token_ttl_secs: i64) -> KeyRing {
        KeyRing::with_clock(reload_after_secs, token_ttl_secs, Instant::now)
    }

    fn with_clock(reload_after_secs: i64, token_ttl_secs: i64, clock: fn() -> Instant) -> KeyRing {
        let reload_after_secs = reload_after_secs.max(0);
        KeyRing {
            ring: RwLock::new(Ring::default()),
            reloading: Mutex::new(()),
            reload_after: Duration::from_secs(reload_after_secs.unsigned_abs()),
            retention_secs: token_ttl_secs + reload_after_secs,
            clock,
        }
    }

    /// How long a retired key stays in the JWKS.
    pub fn retention_secs(&self) -> i64 {
        self.retention_secs
    }

    /// Read the keys from the database now; create the first key if there is none. `now` (wall
    /// clock, Unix seconds) decides which retired keys are still needed.
    pub fn reload(
        &self,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<(), TokenError> {
        let _flight = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        crate::metrics::key_reload(self.load(conn, server_key, now))
    }

    /// Reload unless a reload that began after `arrived` already finished (it saw every key this
    /// caller can need); concurrent callers wait for the one reload in progress.
    fn reload_since(
        &self,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
        arrived: Instant,
    ) -> Result<(), TokenError> {
        let _flight = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let done = self
            .ring
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .loaded_at
            .is_some_and(|t| t >= arrived);
        if done {
            return Ok(());
        }
        crate::metrics::key_reload(self.load(conn, server_key, now))
    }

    /// The reload itself (the caller holds `reloading`).
    fn load(
        &self,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<(), TokenError> {
        let started = (self.clock)();
        let mut rows = db::signing_key::still_needed(conn, now - self.retention_secs)?;
        if !rows.iter().any(|r| r.retired_at.is_none()) {
            new_signing_key(conn, server_key, now)?;
            rows = db::signing_key::still_needed(conn, now - self.retention_secs)?;
        }
        let mut verifying = HashMap::new();
        let mut signer = None;
        for row in rows {
            let public = base64_url(&row.public_key)?;
            verifying.insert(
                row.kid.clone(),
                Arc::new(VerifyingKey {
                    kid: row.kid.clone(),
                    public,
                }),
            );
            if row.retired_at.is_none() && signer.is_none() {
                let pkcs8 = server_key
                    .open("signing-key", &row.private_sealed)
                    .map_err(|e| TokenError::Key(e.to_string()))?;
                let key = SigningKey::from_pkcs8(&row.kid, &pkcs8)
                    .map_err(|e| TokenError::Key(e.to_string()))?;
                signer = Some(Arc::new(key));
            }
        }
        let mut ring = self.ring.write().unwrap_or_else(|p| p.into_inner());
        ring.signer = signer;
        ring.verifying = verifying;
        ring.loaded_at = Some(started);
        Ok(())
    }

    /// Loaded less than the reload interval ago, on the monotonic clock.
    fn fresh(&self, ring: &Ring, at: Instant) -> bool {
        ring.loaded_at
            .is_some_and(|t| at.saturating_duration_since(t) < self.reload_after)
    }

    /// The current signing key (reloading when the cache is old).
    pub fn signer(
        &self,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<Arc<SigningKey>, TokenError> {
        let arrived = (self.clock)();
        {
            let ring = self.ring.read().unwrap_or_else(|p| p.into_inner());
            if let (true, Some(s)) = (self.fresh(&ring, arrived), &ring.signer) {
                return Ok(s.clone());
            }
        }
        self.reload_since(conn, server_key, now, arrived)?;
        let ring = self.ring.read().unwrap_or_else(|p| p.into_inner());
        ring.signer
            .clone()
            .ok_or_else(|| TokenError::Key("no current signing key".into()))
    }

    /// The verification key named `kid`, if known (reloading when the ring is old, or when storage
    /// has a still-needed key of that name the ring lacks).
    pub fn verifying(
        &self,
        kid: &str,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<Option<Arc<VerifyingKey>>, TokenError> {
        let arrived = (self.clock)();
        let fresh = {
            let ring = self.ring.read().unwrap_or_else(|p| p.into_inner());
            let fresh = self.fresh(&ring, arrived);
            if let (true, Some(k)) = (fresh, ring.verifying.get(kid)) {
                return Ok(Some(k.clone()));
            }
            fresh
        };
        if fresh && !db::signing_key::is_needed(conn, kid, now - self.retention_secs)? {
            // Unknown to storage too: garbage, or a key past its retention. No reload.
            return Ok(None);
        }
        self.reload_since(conn, server_key, now, arrived)?;
        let ring = self.ring.read().unwrap_or_else(|p| p.into_inner());
        Ok(ring.verifying.get(kid).cloned())
    }
}

fn base64_url(text: &str) -> Result<Vec<u8>, TokenError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| TokenError::Key("stored public key is not base64url".into()))
}

/// The JWKS document of every key still needed (read from the database, so all instances agree).
pub fn jwks(
    conn: &mut DbConnection,
    retention_secs: i64,
    now: i64,
) -> Result<serde_json::Value, TokenError> {
    let keys = db::signing_key::still_needed(conn, now - retention_secs)?
        .into_iter()
        .map(|row| {
            Ok(VerifyingKey {
                public: base64_url(&row.public_key)?,
                kid: row.kid,
            })
        })
        .collect::<Result<Vec<_>, TokenError>>()?;
    Ok(crate::crypto::jws::jwks(&keys))
}
/// Make a new Ed25519 signing key current (its private key sealed with the server key) and retire
/// the previous one; returns its `kid`. Every instance picks it up at its next reload.
pub fn new_signing_key(
    conn: &mut DbConnection,
    server_key: &ServerKey,
    now: i64,
) -> Result<String, TokenError> {
    let (signing, pkcs8) =
        crate::crypto::jws::SigningKey::generate().map_err(|e| TokenError::Key(e.to_string()))?;
    let sealed = server_key
        .seal("signing-key", &pkcs8)
        .map_err(|e| TokenError::Key(e.to_string()))?;
    let public = crate::crypto::b64url(signing.public_key());
    let kid = signing.kid().to_string();
    db::signing_key::rotate(conn, &kid, &public, &sealed, now)?;
    Ok(kid)
}

#[cfg(test)]
mod tests;
