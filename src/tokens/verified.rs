//! Delegation tokens whose signature already verified, by SHA-256 of the whole token. A signature
//! never stops being valid, so this can not outlive anything: expiry is checked on every use, and
//! revocation is never cached (the check endpoint reads the family and grants on every request).
//! Resource providers check the same token many times; this skips the Ed25519 verification for
//! repeats. Bounded: cleared when full.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::crypto::jws::DelegationClaims;

/// The cache.
#[derive(Debug)]
pub struct VerifiedCache {
    map: RwLock<HashMap<[u8; 32], Arc<DelegationClaims>>>,
    capacity: usize,
}

/// The cache key of a token.
pub fn key(token: &str) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

impl VerifiedCache {
    /// A cache of at most `capacity` tokens.
    pub fn new(capacity: usize) -> VerifiedCache {
        VerifiedCache {
            map: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The claims of a token verified before, if not expired at `now`.
    pub fn get(&self, key: &[u8; 32], now: i64) -> Option<Arc<DelegationClaims>> {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        map.get(key).filter(|c| now < c.exp).cloned()
    }

    /// Remember the claims of a token whose signature verified.
    pub fn insert(&self, key: [u8; 32], claims: Arc<DelegationClaims>) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(key, claims);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Arc<DelegationClaims> {
        Arc::new(DelegationClaims {
            iss: "i".into(),
            aud: None,
            sub: "s".into(),
            client_id: "c".into(),
            scope: String::new(),
            offers: Default::default(),
            resource: None,
            gid: "1".into(),
            jti: "j".into(),
            iat: 0,
            exp,
        })
    }

    #[test]
    fn an_expired_entry_is_not_returned() {
        let cache = VerifiedCache::new(10);
        cache.insert(key("a"), claims(100));
        assert!(cache.get(&key("a"), 99).is_some());
        assert!(cache.get(&key("a"), 100).is_none());
        assert!(
            cache.get(&key("b"), 0).is_none(),
            "another token is another key"
        );
    }

    #[test]
    fn the_cache_never_grows_past_its_capacity() {
        let cache = VerifiedCache::new(2);
        for t in ["a", "b", "c"] {
            cache.insert(key(t), claims(100));
        }
        assert!(cache.map.read().unwrap().len() <= 2);
        assert!(cache.get(&key("c"), 0).is_some());
    }
}
