//! Password hashing with argon2id. The cost comes from configuration (tests lower it; production
//! defaults follow OWASP: 19 MiB, 2 iterations, 1 lane). Unknown users cost the same as known ones:
//! callers verify against [`PasswordHasher::dummy_hash`] when no user matched.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

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

/// An argon2id hasher with fixed parameters and a dummy hash for unknown users.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    dummy: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish()
    }
}

impl PasswordHasher {
    /// A hasher with memory in KiB, iterations and parallelism.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, PasswordError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        let mut hasher = PasswordHasher {
            params,
            dummy: String::new(),
        };
        hasher.dummy = hasher.hash("assent dummy password for unknown users")?;
        Ok(hasher)
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hash a password into a PHC string with a fresh salt.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let salt_bytes = super::random_bytes::<16>().map_err(|_| PasswordError::Hash)?;
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| PasswordError::Hash)?;
        self.argon()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| PasswordError::Hash)
    }

    /// Verify a password against a PHC string (its own parameters apply). False on any error.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => self
                .argon()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
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
        let h = PasswordHasher::new(64, 1, 1).unwrap();
        let phc = h.hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("correct horse battery", &phc));
        assert!(!h.verify("wrong", &phc));
        assert!(!h.verify("correct horse battery", "not a hash"));
    }
}
