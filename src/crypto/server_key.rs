//! The server key: 256 bits that seal application secrets and signing keys (AES-256-GCM) and key the
//! MACs of cookies and CSRF tokens. Subkeys are derived with HMAC-SHA256 and a label, so one secret
//! never serves two purposes directly.

use super::{b64, RngError};
use base64::Engine;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use ring::hmac;

/// Errors of the server key.
#[derive(Debug, thiserror::Error)]
pub enum ServerKeyError {
    /// The configured key is not 32 bytes of hex or base64.
    #[error("the server key must be 32 bytes, written as 64 hex digits or base64")]
    BadFormat,
    /// A sealed value did not open: wrong key or tampered data.
    #[error("a sealed value did not open (wrong server key or tampered data)")]
    Open,
    /// Randomness failed.
    #[error(transparent)]
    Rng(#[from] RngError),
}

/// The server key and the subkeys derived from it. `Debug` never prints key material.
#[derive(Clone)]
pub struct ServerKey {
    seal: LessSafeKey,
    cookie: hmac::Key,
    csrf: hmac::Key,
    pairwise: hmac::Key,
    successor: hmac::Key,
    check: String,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

fn derive(master: &hmac::Key, label: &str) -> hmac::Tag {
    hmac::sign(master, label.as_bytes())
}

impl ServerKey {
    /// Build from the 32 raw key bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> ServerKey {
        let master = hmac::Key::new(hmac::HMAC_SHA256, bytes);
        let seal_bytes = derive(&master, "assent/seal/v1");
        let cookie_bytes = derive(&master, "assent/cookie/v1");
        let csrf_bytes = derive(&master, "assent/csrf/v1");
        let pairwise_bytes = derive(&master, "assent/pairwise-uid/v1");
        let successor_bytes = derive(&master, "assent/refresh-successor/v1");
        let check = hex::encode(derive(&master, "assent/key-check/v1").as_ref());
        // A 32-byte key always fits AES-256; the fallback can not happen.
        let unbound = UnboundKey::new(&aead::AES_256_GCM, seal_bytes.as_ref())
            .unwrap_or_else(|_| unreachable!("32-byte key for AES-256-GCM"));
        ServerKey {
            seal: LessSafeKey::new(unbound),
            cookie: hmac::Key::new(hmac::HMAC_SHA256, cookie_bytes.as_ref()),
            csrf: hmac::Key::new(hmac::HMAC_SHA256, csrf_bytes.as_ref()),
            pairwise: hmac::Key::new(hmac::HMAC_SHA256, pairwise_bytes.as_ref()),
            successor: hmac::Key::new(hmac::HMAC_SHA256, successor_bytes.as_ref()),
            check,
        }
    }

    /// Parse a key written as 64 hex digits or as base64 of 32 bytes (surrounding white space ignored).
    pub fn parse(text: &str) -> Result<ServerKey, ServerKeyError> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .ok_or(ServerKeyError::BadFormat)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| ServerKeyError::BadFormat)?;
        Ok(ServerKey::from_bytes(&arr))
    }

    /// Generate a new random key; returns it with its hex form (to be written to the key file).
    pub fn generate() -> Result<(ServerKey, String), ServerKeyError> {
        let bytes = super::random_bytes::<32>()?;
        Ok((ServerKey::from_bytes(&bytes), hex::encode(bytes)))
    }

    /// A value stored in the database on first start; a different key gives a different value, so a
    /// wrong key is detected at startup instead of failing later on every sealed secret.
    pub fn check_value(&self) -> &str {
        &self.check
    }

    /// Seal `plaintext` with AES-256-GCM and a random nonce; `context` is bound as associated data
    /// (e.g. "app-secret") so a sealed value can not be moved to another column.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<String, ServerKeyError> {
        let nonce_bytes = super::random_bytes::<NONCE_LEN>()?;
        let mut buf = plaintext.to_vec();
        self.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .map_err(|_| ServerKeyError::Open)?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&buf);
        Ok(b64(&out))
    }

    /// Open a value made by [`ServerKey::seal`] with the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, ServerKeyError> {
        let mut data = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| ServerKeyError::Open)?;
        if data.len() < NONCE_LEN + aead::AES_256_GCM.tag_len() {
            return Err(ServerKeyError::Open);
        }
        let mut body = data.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&data).map_err(|_| ServerKeyError::Open)?;
        let plain = self
            .seal
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut body)
            .map_err(|_| ServerKeyError::Open)?;
        Ok(plain.to_vec())
    }

    /// Sign a cookie value: `value.<b64url(HMAC(name=value))>`.
    pub fn sign_cookie(&self, name: &str, value: &str) -> String {
        let tag = hmac::sign(&self.cookie, format!("{name}={value}").as_bytes());
        format!("{value}.{}", super::b64url(tag.as_ref()))
    }

    /// Verify a signed cookie value and return the value (constant-time comparison).
    pub fn verify_cookie<'a>(&self, name: &str, signed: &'a str) -> Option<&'a str> {
        let (value, tag) = signed.rsplit_once('.')?;
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(tag)
            .ok()?;
        hmac::verify(&self.cookie, format!("{name}={value}").as_bytes(), &tag).ok()?;
        Some(value)
    }

    /// The anti-CSRF token bound to `binding` (the session token, or the pre-session cookie).
    pub fn csrf_token(&self, binding: &str) -> String {
        super::b64url(hmac::sign(&self.csrf, binding.as_bytes()).as_ref())
    }

    /// Check an anti-CSRF token against its binding, in constant time.
    pub fn verify_csrf(&self, binding: &str, token: &str) -> bool {
        match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token) {
            Ok(tag) => hmac::verify(&self.csrf, binding.as_bytes(), &tag).is_ok(),
            Err(_) => false,
        }
    }

    /// The refresh token that rotating `presented` issues: standard base64 of
    /// HMAC-SHA256(subkey, presented), 32 bytes like a first refresh token. Deriving it (instead of
    /// drawing it at random) lets a client that lost the answer to a rotation retry with the token it
    /// still holds and get the same successor back (see `security.refresh_grace_secs`), with no
    /// clear token stored anywhere; without the server key it is as unpredictable as a random one.
    pub fn refresh_successor(&self, presented: &str) -> super::PlainToken {
        let tag = hmac::sign(&self.successor, presented.as_bytes());
        super::PlainToken::from_exposed(b64(tag.as_ref()))
    }

    /// The Web Authentication `uid` of a user at one application (docs/protocol.md section 10.3): 32
    /// lower-case hex digits, the first 16 bytes of HMAC-SHA256(subkey, "uid" || user id (8 bytes,
    /// big-endian) || appid). Stable per (user, app), unlinkable between apps without the key.
    pub fn pairwise_uid(&self, user_id: i64, appid: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.pairwise);
        ctx.update(b"uid");
        ctx.update(&user_id.to_be_bytes());
        ctx.update(appid.as_bytes());
        hex::encode(&ctx.sign().as_ref()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_the_same_key_and_context() {
        let (key, _) = ServerKey::generate().unwrap();
        let sealed = key.seal("app-secret", b"hello").unwrap();
        assert!(!sealed.contains("hello"));
        assert_eq!(key.open("app-secret", &sealed).unwrap(), b"hello");
        assert!(key.open("signing-key", &sealed).is_err());
        let (other, _) = ServerKey::generate().unwrap();
        assert!(other.open("app-secret", &sealed).is_err());
        assert_ne!(key.check_value(), other.check_value());
    }

    #[test]
    fn a_key_parses_from_hex_and_base64_alike() {
        let (_, hex_form) = ServerKey::generate().unwrap();
        let a = ServerKey::parse(&hex_form).unwrap();
        let b64_form = super::super::b64(&hex::decode(&hex_form).unwrap());
        let b = ServerKey::parse(&b64_form).unwrap();
        assert_eq!(a.check_value(), b.check_value());
        assert!(ServerKey::parse("abcd").is_err());
    }

    #[test]
    fn a_successor_is_the_same_for_the_same_token_and_key_and_unlinkable_otherwise() {
        let (key, _) = ServerKey::generate().unwrap();
        let (other, _) = ServerKey::generate().unwrap();
        let next = key.refresh_successor("token-a");
        assert_eq!(next.expose(), key.refresh_successor("token-a").expose());
        assert_ne!(next.expose(), key.refresh_successor("token-b").expose());
        assert_ne!(next.expose(), other.refresh_successor("token-a").expose());
        // The same shape as a first refresh token: 32 bytes in standard base64.
        assert_eq!(next.expose().len(), 44);
    }

    #[test]
    fn a_tampered_cookie_is_rejected() {
        let (key, _) = ServerKey::generate().unwrap();
        let signed = key.sign_cookie("s", "token123");
        assert_eq!(key.verify_cookie("s", &signed), Some("token123"));
        assert_eq!(key.verify_cookie("t", &signed), None);
        let tampered = signed.replacen("token123", "token124", 1);
        assert_eq!(key.verify_cookie("s", &tampered), None);
    }

    #[test]
    fn a_pairwise_uid_is_stable_per_app_and_differs_between_apps_and_users() {
        let (key, _) = ServerKey::generate().unwrap();
        let uid = key.pairwise_uid(7, "000000004C00C9B8");
        assert_eq!(uid.len(), 32);
        assert!(uid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(uid, key.pairwise_uid(7, "000000004C00C9B8"));
        assert_ne!(uid, key.pairwise_uid(7, "000000004C00C9B9"));
        assert_ne!(uid, key.pairwise_uid(8, "000000004C00C9B8"));
        let (other, _) = ServerKey::generate().unwrap();
        assert_ne!(uid, other.pairwise_uid(7, "000000004C00C9B8"));
    }

    #[test]
    fn a_csrf_token_is_bound_to_its_session() {
        let (key, _) = ServerKey::generate().unwrap();
        let token = key.csrf_token("session-a");
        assert!(key.verify_csrf("session-a", &token));
        assert!(!key.verify_csrf("session-b", &token));
        assert!(!key.verify_csrf("session-a", ""));
    }
}
