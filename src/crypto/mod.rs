//! Cryptography: randomness, hashing, the server key (AES-256-GCM sealing, cookie and CSRF MACs),
//! password hashing, the Live envelope and the delegation-token signer. No actix, no I/O.

pub mod jws;
pub mod live;
pub mod password;
pub mod server_key;

use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};

pub use server_key::{ServerKey, ServerKeyError};

/// The system random number generator failed (never expected on a working OS).
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RngError;

/// `N` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], RngError> {
    let mut buf = [0u8; N];
    SystemRandom::new().fill(&mut buf).map_err(|_| RngError)?;
    Ok(buf)
}

/// A random positive 63-bit identifier, used as a primary key.
pub fn random_id() -> Result<i64, RngError> {
    let bytes = random_bytes::<8>()?;
    let id = i64::from_be_bytes(bytes) & i64::MAX;
    Ok(if id == 0 { 1 } else { id })
}

/// A random string of `len` ASCII letters and digits (rejection sampling, no modulo bias).
pub fn random_alphanumeric(len: usize) -> Result<String, RngError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>()? {
            // 248 = 4 * 62: bytes at or above it would bias the first letters.
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}

/// A fresh 256-bit token, base64url without padding (43 characters).
pub fn random_token() -> Result<String, RngError> {
    Ok(b64url(&random_bytes::<32>()?))
}

/// Hex SHA-256 of a secret: what the database stores instead of a token.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, data))
}

/// The SHA-256 (hex) of a bearer secret (a refresh token, session, device token, code, provider
/// secret): what the database stores and looks up, so a database leak yields no usable secret.
/// `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hash of `plain`.
    pub fn of(plain: &str) -> TokenHash {
        TokenHash(sha256_hex(plain.as_bytes()))
    }

    /// The stored form (64 lower-case hex digits).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// A bearer secret in the clear (a refresh token, a session token) from the moment it is made to the
/// response or cookie that hands it over; the database only ever sees its [`TokenHash`]. `Debug`
/// shows none of it, and reading it takes an explicit [`PlainToken::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct PlainToken(String);

impl PlainToken {
    /// A fresh 256-bit token, base64url without padding (43 characters).
    pub fn random() -> Result<PlainToken, RngError> {
        Ok(PlainToken(random_token()?))
    }

    /// A fresh 256-bit token in standard base64 with padding (44 characters): the Live protocol's
    /// refresh token form (docs/protocol.md section 4).
    pub fn random_b64() -> Result<PlainToken, RngError> {
        Ok(PlainToken(b64(&random_bytes::<32>()?)))
    }

    /// A token given in the clear (one a client presented, or a worked example's fixed value).
    pub fn from_exposed(token: impl Into<String>) -> PlainToken {
        PlainToken(token.into())
    }

    /// Its hash, the form the database keeps.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }

    /// The secret itself, to put in a response, a cookie or a sealed envelope.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret itself, by value (for libraries that take a `String`).
    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainToken(<redacted>)")
    }
}

/// Base64url without padding.
pub fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Standard base64 with padding.
pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// What `Debug` prints in place of a secret (tokens, passwords, keys, hashes of them).
pub const REDACTED: &str = "<redacted>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tokens_are_fresh_hash_like_their_text_and_never_print() {
        let a = PlainToken::random().unwrap();
        let b = PlainToken::random_b64().unwrap();
        assert_eq!(a.expose().len(), 43);
        assert_eq!(b.expose().len(), 44);
        assert_ne!(a, PlainToken::random().unwrap());
        assert_eq!(a.hash(), TokenHash::of(a.expose()));
        for shown in [format!("{a:?}"), format!("{:?}", a.hash())] {
            assert!(!shown.contains(a.expose()), "{shown}");
            assert!(!shown.contains(a.hash().as_str()), "{shown}");
        }
    }

    #[test]
    fn random_alphanumeric_has_the_asked_length_and_alphabet() {
        let s = random_alphanumeric(32).unwrap();
        assert_eq!(s.len(), 32);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(s, random_alphanumeric(32).unwrap());
    }

    #[test]
    fn random_ids_are_positive() {
        for _ in 0..100 {
            assert!(random_id().unwrap() > 0);
        }
    }
}
