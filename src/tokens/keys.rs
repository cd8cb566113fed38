//! The signing key ring: Ed25519 keys live in the database (private halves sealed with the server
//! key), so every instance on a shared database signs and verifies alike. Each instance caches them
//! and reloads after `reload_after_secs`, or at once (at most once a second) when a token names a
//! key it does not know, e.g. one another instance just rotated to.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::TokenError;
use crate::crypto::jws::{SigningKey, VerifyingKey};
use crate::crypto::ServerKey;
use crate::db::{self, DbConnection};

#[derive(Default)]
struct Ring {
    signer: Option<Arc<SigningKey>>,
    verifying: HashMap<String, Arc<VerifyingKey>>,
    loaded_at: Option<i64>,
    last_miss_reload: i64,
}

/// Cached signing and verification keys.
pub struct KeyRing {
    ring: RwLock<Ring>,
    reload_after_secs: i64,
    retention_secs: i64,
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
        KeyRing {
            ring: RwLock::new(Ring::default()),
            reload_after_secs: reload_after_secs.max(0),
            retention_secs: token_ttl_secs + reload_after_secs.max(0),
        }
    }

    /// How long a retired key stays in the JWKS.
    pub fn retention_secs(&self) -> i64 {
        self.retention_secs
    }

    /// Read the keys from the database; create the first key if there is none.
    pub fn reload(
        &self,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<(), TokenError> {
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
        ring.loaded_at = Some(now);
        Ok(())
    }

    fn fresh(&self, ring: &Ring, now: i64) -> bool {
        ring.loaded_at
            .is_some_and(|t| now - t < self.reload_after_secs)
    }

    /// The current signing key (reloading when the cache is old).
    pub fn signer(
        &self,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<Arc<SigningKey>, TokenError> {
        {
            let ring = self.ring.read().unwrap_or_else(|p| p.into_inner());
            if let (true, Some(s)) = (self.fresh(&ring, now), &ring.signer) {
                return Ok(s.clone());
            }
        }
        self.reload(conn, server_key, now)?;
        let ring = self.ring.read().unwrap_or_else(|p| p.into_inner());
        ring.signer
            .clone()
            .ok_or_else(|| TokenError::Key("no current signing key".into()))
    }

    /// The verification key named `kid`, if known (reloading once when unknown or old).
    pub fn verifying(
        &self,
        kid: &str,
        conn: &mut DbConnection,
        server_key: &ServerKey,
        now: i64,
    ) -> Result<Option<Arc<VerifyingKey>>, TokenError> {
        {
            let mut ring = self.ring.write().unwrap_or_else(|p| p.into_inner());
            let fresh = self.fresh(&ring, now);
            if let (true, Some(k)) = (fresh, ring.verifying.get(kid)) {
                return Ok(Some(k.clone()));
            }
            if fresh {
                // Unknown kid: reload at most once a second, so garbage kids can not hammer storage.
                if ring.last_miss_reload >= now {
                    return Ok(None);
                }
                ring.last_miss_reload = now;
            }
        }
        self.reload(conn, server_key, now)?;
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
