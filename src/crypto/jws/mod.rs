//! Delegation tokens as compact JWS (RFC 7515) signed with Ed25519 (docs/protocol.md sections 5 and 7).
//!
//! The header is exactly `{"alg":"EdDSA","typ":"at+jwt","kid":"<kid>"}`; header, payload and signature
//! are base64url without padding. Pure: no I/O, no clock (callers pass `now`, Unix seconds), and the
//! only randomness is [`SigningKey::generate`]. Verification is the product's hottest path: the header
//! and signature decode into stack buffers, and the claims are parsed once, with `exp` picked up on the way.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::BTreeMap;

/// Longest token accepted at all, in bytes.
const MAX_TOKEN: usize = 16 * 1024;
/// Largest decoded header; ours is about 60 bytes.
const MAX_HEADER: usize = 256;
/// Payloads up to this size decode on the stack; larger ones into a `Vec`.
const STACK_PAYLOAD: usize = 1536;
/// An Ed25519 signature is 64 bytes: 86 characters of base64url.
const SIG_B64_LEN: usize = 86;

/// A delegation token's claims (docs/protocol.md section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegationClaims {
    /// Assent's public base URL.
    pub iss: String,
    /// The resource indicators of the providers whose offers the token carries (RFC 9068 section
    /// 2.2). Absent only in tokens issued before audiences existed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aud: Option<Audience>,
    /// The user's location id (`lid`).
    pub sub: String,
    /// The application's `appid`.
    pub client_id: String,
    /// Space-separated granted `Offer.Action`s.
    pub scope: String,
    /// Each granted `Offer.Action` mapped to its grant expiry (Unix seconds).
    pub offers: BTreeMap<String, i64>,
    /// The resource instance (`in`) the consent is limited to, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resource: Option<String>,
    /// Grant-family id, as a decimal string.
    pub gid: String,
    /// Unique token id.
    pub jti: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expiry (Unix seconds): the token is expired when `now >= exp`.
    pub exp: i64,
}

/// Why a token or key was refused. Deliberately coarse: callers answer `{"active":false}` for all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url parts, an oversized or odd header, or a bad signature length.
    #[error("malformed token")]
    Malformed,
    /// The header's `alg` is not `EdDSA`.
    #[error("unsupported algorithm")]
    UnsupportedAlgorithm,
    /// No verification key is known for the header's `kid`.
    #[error("unknown signing key")]
    UnknownKey,
    /// The signature does not verify under the key.
    #[error("bad signature")]
    BadSignature,
    /// `now >= exp`.
    #[error("token expired")]
    Expired,
    /// A key could not be generated or loaded, or its `kid` is not acceptable.
    #[error("bad or unusable key")]
    Key,
    /// The claims could not be serialized, or did not decode (including a missing `exp`).
    #[error("claims are not the expected JSON")]
    Json,
}

/// An Ed25519 signing key pair. `Debug` shows the `kid` and public key only.
pub struct SigningKey {
    kid: String,
    pair: Ed25519KeyPair,
    /// The base64url header, computed once.
    header_b64: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("public", &URL_SAFE_NO_PAD.encode(self.public_key()))
            .field("private", &"<redacted>")
            .finish()
    }
}

impl SigningKey {
    /// Generate a fresh key. Returns it with its PKCS#8 (v2) document, which the caller seals and stores.
    /// The `kid` is the base64url of the first 12 bytes of SHA-256 of the public key (16 characters).
    pub fn generate() -> Result<(SigningKey, Vec<u8>), JwsError> {
        let doc = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|_| JwsError::Key)?;
        let pair = Ed25519KeyPair::from_pkcs8(doc.as_ref()).map_err(|_| JwsError::Key)?;
        let kid = kid_of(pair.public_key().as_ref());
        Ok((Self::with_pair(kid, pair)?, doc.as_ref().to_vec()))
    }

    /// A key from a raw 32-byte Ed25519 seed (RFC 8032 private key), with the `kid` that
    /// [`SigningKey::generate`] would give its public key. Ed25519 is deterministic, so the same
    /// seed and claims always give the same token: for documented examples and tests, not for
    /// production keys (those come from [`SigningKey::generate`]).
    pub fn from_seed(seed: &[u8; 32]) -> Result<SigningKey, JwsError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| JwsError::Key)?;
        let kid = kid_of(pair.public_key().as_ref());
        Self::with_pair(kid, pair)
    }

    /// Load a key from its PKCS#8 document (as returned by [`SigningKey::generate`]) under `kid`.
    /// The `kid` must be 1 to 64 characters from `A-Z a-z 0-9 - _ . ~`.
    pub fn from_pkcs8(kid: &str, pkcs8: &[u8]) -> Result<SigningKey, JwsError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| JwsError::Key)?;
        Self::with_pair(kid.to_owned(), pair)
    }

    fn with_pair(kid: String, pair: Ed25519KeyPair) -> Result<SigningKey, JwsError> {
        let kid_ok = (1..=64).contains(&kid.len())
            && kid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
        if !kid_ok {
            return Err(JwsError::Key);
        }
        let header = format!(r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{kid}"}}"#);
        let header_b64 = URL_SAFE_NO_PAD.encode(header);
        Ok(SigningKey {
            kid,
            pair,
            header_b64,
        })
    }

    /// The key id written into every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The raw 32-byte Ed25519 public key.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The public half, for the database and the JWKS.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            kid: self.kid.clone(),
            public: self.public_key().to_vec(),
        }
    }

    /// Sign `claims` (serialized as a JSON object) into a compact JWS.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, JwsError> {
        let payload = serde_json::to_vec(claims).map_err(|_| JwsError::Json)?;
        let mut token =
            String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + SIG_B64_LEN + 4);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let sig = self.pair.sign(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(sig.as_ref(), &mut token);
        Ok(token)
    }
}

/// The `kid` of a public key: base64url of the first 12 bytes of its SHA-256 (16 characters).
fn kid_of(public: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, public);
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12])
}

/// A public verification key (from the database or a JWKS).
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    /// The key id, as in the tokens' headers.
    pub kid: String,
    /// The raw 32-byte Ed25519 public key.
    pub public: Vec<u8>,
}

impl VerifyingKey {
    /// The key as a JWK (RFC 8037): `{"kty":"OKP","crv":"Ed25519","x":..,"kid":..,"alg":"EdDSA","use":"sig"}`.
    pub fn to_jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(&self.public),
            "kid": self.kid, "alg": "EdDSA", "use": "sig",
        })
    }
}

/// The JWKS document `{"keys":[...]}` for `GET /.well-known/jwks.json`.
pub fn jwks(keys: &[VerifyingKey]) -> serde_json::Value {
    serde_json::json!({ "keys": keys.iter().map(VerifyingKey::to_jwk).collect::<Vec<_>>() })
}

/// The header members we accept; any other member (`crit`, `jku`, `jwk`, `x5u`, ...) or a duplicate
/// makes the token malformed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header<'a> {
    alg: &'a str,
    typ: Option<&'a str>,
    kid: Option<&'a str>,
}

/// The three base64url parts of a compact JWS, not yet decoded.
struct Parts<'t> {
    signing_input: &'t str,
    header: &'t str,
    payload: &'t str,
    signature: &'t str,
}

fn split(token: &str) -> Result<Parts<'_>, JwsError> {
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if token.len() > MAX_TOKEN || !token.bytes().all(alphabet) {
        return Err(JwsError::Malformed);
    }
    let (signing_input, signature) = token.rsplit_once('.').ok_or(JwsError::Malformed)?;
    let (header, payload) = signing_input.split_once('.').ok_or(JwsError::Malformed)?;
    if payload.contains('.') {
        return Err(JwsError::Malformed);
    }
    Ok(Parts {
        signing_input,
        header,
        payload,
        signature,
    })
}

/// Decode and check the header into `buf`; returns its `kid`, borrowed from `buf`.
fn parse_header<'b>(header_b64: &str, buf: &'b mut [u8; MAX_HEADER]) -> Result<&'b str, JwsError> {
    if header_b64.len() > MAX_HEADER * 4 / 3 {
        return Err(JwsError::Malformed);
    }
    let len = URL_SAFE_NO_PAD
        .decode_slice(header_b64, buf)
        .map_err(|_| JwsError::Malformed)?;
    let bytes = buf.get(..len).ok_or(JwsError::Malformed)?;
    let header: Header<'b> = serde_json::from_slice(bytes).map_err(|_| JwsError::Malformed)?;
    if header.alg != "EdDSA" {
        return Err(JwsError::UnsupportedAlgorithm);
    }
    match (header.typ, header.kid) {
        (Some("at+jwt"), Some(kid)) => Ok(kid),
        _ => Err(JwsError::Malformed),
    }
}

/// Parse a compact JWS WITHOUT verifying it and return its header's `kid`, so the caller can pick the
/// key. Requires exactly three parts of base64url characters and a header of exactly `alg` `EdDSA`,
/// `typ` `at+jwt` and `kid` (`UnsupportedAlgorithm` for any other `alg`, `Malformed` otherwise).
pub fn peek_kid(token: &str) -> Result<String, JwsError> {
    let parts = split(token)?;
    let mut buf = [0u8; MAX_HEADER];
    parse_header(parts.header, &mut buf).map(str::to_owned)
}

/// Verify the signature with `key`, then decode the claims and require `now < exp`.
/// Does not compare the header's `kid` with `key.kid` (see [`verify_with`]) and does not check
/// revocation: the caller does.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    key: &VerifyingKey,
    now: i64,
) -> Result<T, JwsError> {
    let parts = split(token)?;
    parse_header(parts.header, &mut [0u8; MAX_HEADER])?;
    verify_parts(&parts, key, now)
}

/// Like [`verify`], with the key chosen by `lookup` from the header's `kid` (`None`: `UnknownKey`).
/// Parses the header once and allocates nothing for the `kid`: the hot path of the check endpoint.
pub fn verify_with<T, K, F>(token: &str, now: i64, lookup: F) -> Result<T, JwsError>
where
    T: DeserializeOwned,
    K: Borrow<VerifyingKey>,
    F: FnOnce(&str) -> Option<K>,
{
    let parts = split(token)?;
    let mut buf = [0u8; MAX_HEADER];
    let key = lookup(parse_header(parts.header, &mut buf)?).ok_or(JwsError::UnknownKey)?;
    verify_parts(&parts, key.borrow(), now)
}

fn verify_parts<T: DeserializeOwned>(
    parts: &Parts<'_>,
    key: &VerifyingKey,
    now: i64,
) -> Result<T, JwsError> {
    if parts.signature.len() != SIG_B64_LEN {
        return Err(JwsError::Malformed);
    }
    let mut sig = [0u8; 64];
    match URL_SAFE_NO_PAD.decode_slice(parts.signature, &mut sig) {
        Ok(64) => {}
        _ => return Err(JwsError::Malformed),
    }
    UnparsedPublicKey::new(&ED25519, &key.public)
        .verify(parts.signing_input.as_bytes(), &sig)
        .map_err(|_| JwsError::BadSignature)?;

    let mut stack = [0u8; STACK_PAYLOAD];
    let heap;
    let payload: &[u8] = if parts.payload.len() <= STACK_PAYLOAD * 4 / 3 {
        let len = URL_SAFE_NO_PAD.decode_slice(parts.payload, &mut stack);
        stack
            .get(..len.map_err(|_| JwsError::Malformed)?)
            .ok_or(JwsError::Malformed)?
    } else {
        heap = URL_SAFE_NO_PAD
            .decode(parts.payload)
            .map_err(|_| JwsError::Malformed)?;
        &heap
    };

    let mut de = serde_json::Deserializer::from_slice(payload);
    let mut exp = None;
    let claims = T::deserialize(capture::ExpCapture {
        de: &mut de,
        exp: &mut exp,
    })
    .map_err(|_| JwsError::Json)?;
    de.end().map_err(|_| JwsError::Json)?;
    match exp {
        Some(exp) if now < exp => Ok(claims),
        Some(_) => Err(JwsError::Expired),
        None => Err(JwsError::Json),
    }
}

mod audience;
mod capture;

pub use audience::Audience;

#[cfg(test)]
mod tests;
