//! Password hashing with argon2id. The cost comes from configuration (tests lower it; production
//! defaults follow OWASP: 19 MiB, 2 iterations, 1 lane). Unknown users cost the same as known ones:
//! callers verify against [`PasswordHasher::dummy_hash`] when no user matched.
//!
//! Memory is bounded: at most `concurrency` hashes run at once, each in one of a fixed set of
//! reusable buffers. (Letting every request allocate its own 19 MiB both invites a memory
//! exhaustion attack and leaves the allocator's per-thread arenas holding 19 MiB each: the
//! benchmark saw 1.2 GiB peak RSS with 64 concurrent sign-ins.) Extra hashes wait for a buffer.

use std::sync::{Arc, Condvar, Mutex};

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// Errors of password hashing.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Invalid cost parameters in configuration.
    #[error("invalid argon2 parameters: {0}")]
    Params(String),
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
}

/// Reusable argon2 working memory; the number of buffers is the concurrency limit.
#[derive(Debug)]
struct BufferPool {
    free: Mutex<Vec<Vec<Block>>>,
    returned: Condvar,
}

/// An argon2id hasher with fixed parameters, bounded memory, and a dummy hash for unknown users.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    dummy: String,
    pool: Arc<BufferPool>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish()
    }
}

const OUTPUT_LEN: usize = 32;

impl PasswordHasher {
    /// A hasher with memory in KiB, iterations, parallelism, and at most `concurrency` hashes at
    /// once (each holding `memory_kib` of memory, allocated on first use and then reused).
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        concurrency: usize,
    ) -> Result<Self, PasswordError> {
        let params = Params::new(memory_kib, iterations, parallelism, Some(OUTPUT_LEN))
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        let pool = BufferPool {
            free: Mutex::new((0..concurrency.max(1)).map(|_| Vec::new()).collect()),
            returned: Condvar::new(),
        };
        let mut hasher = PasswordHasher {
            params,
            dummy: String::new(),
            pool: Arc::new(pool),
        };
        hasher.dummy = hasher.hash("assent dummy password for unknown users")?;
        Ok(hasher)
    }

    /// Run `f` with working memory of `blocks` blocks, waiting for a free buffer.
    fn with_memory<R>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> R) -> R {
        let mut free = self.pool.free.lock().unwrap_or_else(|p| p.into_inner());
        let mut buffer = loop {
            match free.pop() {
                Some(buffer) => break buffer,
                None => {
                    free = self
                        .pool
                        .returned
                        .wait(free)
                        .unwrap_or_else(|p| p.into_inner())
                }
            }
        };
        drop(free);
        // A stored hash with other parameters needs another size (rare: after a cost change).
        buffer.resize(blocks, Block::default());
        let result = f(&mut buffer);
        if blocks != self.params.block_count() {
            buffer = Vec::new();
        }
        self.pool
            .free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(buffer);
        self.pool.returned.notify_one();
        result
    }

    fn compute(
        &self,
        params: Params,
        password: &str,
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), PasswordError> {
        let blocks = params.block_count();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        self.with_memory(blocks, |memory| {
            argon.hash_password_into_with_memory(password.as_bytes(), salt, out, memory)
        })
        .map_err(|_| PasswordError::Hash)
    }

    /// Hash a password into a PHC string (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`).
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let salt = super::random_bytes::<16>().map_err(|_| PasswordError::Hash)?;
        let mut out = [0u8; OUTPUT_LEN];
        self.compute(self.params.clone(), password, &salt, &mut out)?;
        Ok(format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost(),
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(out)
        ))
    }

    /// Verify a password against an argon2id PHC string (its own parameters apply). False on any
    /// error. The comparison is constant time.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return false;
        };
        if parsed.algorithm.as_str() != "argon2id" || parsed.version.is_some_and(|v| v != 0x13) {
            return false;
        }
        let Ok(params) = Params::try_from(&parsed) else {
            return false;
        };
        let Ok(salt) = STANDARD_NO_PAD.decode(salt.as_str()) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        self.compute(params, password, &salt, &mut out).is_ok()
            && super::ct_eq(&out, expected.as_bytes())
    }

    /// A hash to verify against when no user matched, so both paths take the same time.
    pub fn dummy_hash(&self) -> &str {
        &self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = PasswordHasher::new(64, 1, 1, 2).unwrap();
        let phc = h.hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(h.verify("correct horse battery", &phc));
        assert!(!h.verify("wrong", &phc));
        assert!(!h.verify("correct horse battery", "not a hash"));
    }

    #[test]
    fn a_hash_made_by_the_reference_implementation_verifies() {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let argon = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(128, 2, 1, None).unwrap(),
        );
        let phc = argon
            .hash_password(b"hunter2hunter2", &salt)
            .unwrap()
            .to_string();
        let h = PasswordHasher::new(64, 1, 1, 1).unwrap();
        assert!(
            h.verify("hunter2hunter2", &phc),
            "other parameters than the hasher's own"
        );
        assert!(!h.verify("hunter3hunter3", &phc));
    }

    #[test]
    fn our_hashes_verify_with_the_reference_implementation() {
        use argon2::password_hash::PasswordVerifier;
        let h = PasswordHasher::new(64, 1, 1, 1).unwrap();
        let phc = h.hash("a password").unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default()
            .verify_password(b"a password", &parsed)
            .is_ok());
    }

    #[test]
    fn hashing_waits_for_a_buffer_instead_of_allocating_more() {
        let h = PasswordHasher::new(64, 1, 1, 1).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let h = h.clone();
                std::thread::spawn(move || (i, h.hash(&format!("password {i}")).unwrap()))
            })
            .collect();
        for t in threads {
            let (i, phc) = t.join().unwrap();
            assert!(h.verify(&format!("password {i}"), &phc));
        }
        assert_eq!(h.pool.free.lock().unwrap().len(), 1, "still one buffer");
    }
}
