//! Cryptography compatible with Windows Live ID Delegated Authentication (docs/protocol.md sections 1,
//! 2, 4.1 and 8): key derivation, the sealed envelope, the ConsentToken field, the app verifier.
//!
//! Pure functions: no I/O and no clock (callers pass `now`, Unix seconds).
//!
//! The sealed envelope is MAC-then-encrypt (HMAC-SHA256 over the plaintext, then AES-128-CBC), as
//! the old SDKs require. Its error variants say which check failed; never reveal that distinction
//! to whoever supplied the token (it would be a padding oracle): answer every [`EnvelopeError`]
//! alike.

mod encoding;

use std::fmt;

pub use encoding::{b64_decode_lenient, url_decode, url_decode_fully, urlenc, urlenc_offer};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};

type Aes128CbcEnc = cbc::Encryptor<aes::Aes128>;
type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;

/// The two 16-byte keys derived from an application secret (docs/protocol.md section 1).
#[derive(Clone)]
pub struct AppKeys {
    sign: [u8; 16],
    crypt: [u8; 16],
}

impl fmt::Debug for AppKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppKeys(..)")
    }
}

fn derive_half(prefix: &[u8], secret: &str) -> [u8; 16] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(prefix);
    ctx.update(secret.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&ctx.finish().as_ref()[..16]);
    out
}

impl AppKeys {
    /// Derives both keys: `signKey = SHA-256("SIGNATURE" + secret)[..16]` and
    /// `cryptKey = SHA-256("ENCRYPTION" + secret)[..16]`.
    pub fn derive(secret: &str) -> AppKeys {
        AppKeys {
            sign: derive_half(b"SIGNATURE", secret),
            crypt: derive_half(b"ENCRYPTION", secret),
        }
    }

    /// The 16-byte `signKey` (the HMAC-SHA256 key), e.g. to compare with another implementation.
    pub fn sign_key(&self) -> &[u8; 16] {
        &self.sign
    }

    /// The 16-byte `cryptKey` (the AES-128-CBC key), e.g. to compare with another implementation.
    pub fn crypt_key(&self) -> &[u8; 16] {
        &self.crypt
    }

    fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.sign)
    }

    /// HMAC-SHA256 of `data` under the sign key.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(hmac::sign(&self.hmac_key(), data).as_ref());
        out
    }

    /// Checks an HMAC-SHA256 of `data` under the sign key, in constant time.
    pub fn verify(&self, data: &[u8], sig: &[u8]) -> bool {
        hmac::verify(&self.hmac_key(), data, sig).is_ok()
    }
}

/// Why a sealed envelope did not open. Tell the sender none of this: answer every variant alike.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum EnvelopeError {
    /// The token is not base64 (after URL decoding and white-space stripping).
    #[error("token is not valid base64")]
    Base64,
    /// The decoded token is shorter than 32 bytes or not a whole number of 16-byte blocks.
    #[error("token length is not a multiple of 16 of at least 32 bytes")]
    Length,
    /// CBC decryption gave bad PKCS#7 padding (wrong key or tampered token).
    #[error("token did not decrypt")]
    Decrypt,
    /// The plaintext is not UTF-8, has no `&sig=`, or its signature is not canonically encoded.
    #[error("token plaintext is malformed: {0}")]
    Format(&'static str),
    /// The HMAC does not match.
    #[error("token signature is invalid")]
    Signature,
    /// The system random number generator failed.
    #[error("random number generator failed")]
    Rng,
}

/// Seals `plaintext` (`name=value&...` with `urlenc`-ed values, without `sig`) per section 1.1
/// with the given IV: appends `&sig=<urlenc(b64(hmac))>`, encrypts with AES-128-CBC/PKCS#7,
/// returns `urlenc(b64(iv || ciphertext))`.
pub fn seal_with_iv(keys: &AppKeys, plaintext: &str, iv: [u8; 16]) -> String {
    let mut full = String::with_capacity(plaintext.len() + 64);
    full.push_str(plaintext);
    full.push_str("&sig=");
    full.push_str(&urlenc(&STANDARD.encode(keys.sign(plaintext.as_bytes()))));
    let mut data = full.into_bytes();
    let pad = 16 - data.len() % 16;
    data.resize(data.len() + pad, pad as u8);
    let mut blocks: Vec<aes::Block> = data
        .chunks_exact(16)
        .map(aes::Block::clone_from_slice)
        .collect();
    Aes128CbcEnc::new(&keys.crypt.into(), &iv.into()).encrypt_blocks_mut(&mut blocks);
    let mut raw = iv.to_vec();
    raw.extend(blocks.iter().flatten());
    urlenc(&STANDARD.encode(raw))
}

/// [`seal_with_iv`] with a fresh random IV from `ring::rand::SystemRandom`; fails only if the RNG
/// does.
pub fn seal(keys: &AppKeys, plaintext: &str) -> Result<String, EnvelopeError> {
    let mut iv = [0u8; 16];
    SystemRandom::new()
        .fill(&mut iv)
        .map_err(|_| EnvelopeError::Rng)?;
    Ok(seal_with_iv(keys, plaintext, iv))
}

/// An opened envelope.
#[derive(Clone)]
pub struct OpenedEnvelope {
    /// The whole decrypted plaintext, `&sig=...` included.
    pub plaintext: String,
    /// The `name=value` pairs in order, the final `("sig", ..)` included. Values are raw: exactly
    /// as in the plaintext, still `urlenc`-ed (use [`OpenedEnvelope::get`] for decoded values).
    pub fields: Vec<(String, String)>,
}

impl fmt::Debug for OpenedEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values carry tokens and keys: show names only.
        f.debug_struct("OpenedEnvelope")
            .field("names", &self.names())
            .finish_non_exhaustive()
    }
}

impl OpenedEnvelope {
    /// The [`url_decode`]d value of the first field called `name` (exact, case-sensitive match).
    pub fn get(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| url_decode(v))
    }

    /// The field names in order, `sig` included.
    pub fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// Opens a sealed token (`urlenc(b64(iv || ct))`; already URL-decoded input and white space inside
/// the base64 are tolerated). Checks the length, the padding, UTF-8, splits on the LAST `&sig=`,
/// requires the signature in its one canonical form `urlenc(b64(hmac))` (upper-case hex, as the
/// 2008 tokens have it) and verifies the HMAC in constant time.
pub fn open(keys: &AppKeys, token: &str) -> Result<OpenedEnvelope, EnvelopeError> {
    let raw = b64_decode_lenient(&url_decode_fully(token)).ok_or(EnvelopeError::Base64)?;
    if raw.len() < 32 || raw.len() % 16 != 0 {
        return Err(EnvelopeError::Length);
    }
    let (iv, ct) = raw.split_at(16);
    let mut buf = ct.to_vec();
    let plain = Aes128CbcDec::new(&keys.crypt.into(), iv.into())
        .decrypt_padded_mut::<Pkcs7>(&mut buf)
        .map_err(|_| EnvelopeError::Decrypt)?;
    let plaintext = String::from_utf8(plain.to_vec())
        .map_err(|_| EnvelopeError::Format("plaintext is not UTF-8"))?;
    let (body, sig_text) = plaintext
        .rsplit_once("&sig=")
        .ok_or(EnvelopeError::Format("no &sig="))?;
    let sig = STANDARD
        .decode(url_decode(sig_text))
        .map_err(|_| EnvelopeError::Format("sig is not base64"))?;
    // One canonical spelling only, so that no bit of a sealed token can change without detection.
    if urlenc(&STANDARD.encode(&sig)) != sig_text {
        return Err(EnvelopeError::Format("sig is not canonically encoded"));
    }
    if !keys.verify(body.as_bytes(), &sig) {
        return Err(EnvelopeError::Signature);
    }
    let fields = plaintext
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (n.to_owned(), v.to_owned())
        })
        .collect();
    Ok(OpenedEnvelope { plaintext, fields })
}

/// Tries each key in turn (secret rollover) and returns the first envelope that opens.
pub fn open_with_any(keys: &[AppKeys], token: &str) -> Result<OpenedEnvelope, EnvelopeError> {
    let mut last = EnvelopeError::Signature;
    for k in keys {
        match open(k, token) {
            Ok(env) => return Ok(env),
            Err(e @ (EnvelopeError::Base64 | EnvelopeError::Length)) => return Err(e),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The ConsentToken form-field value (section 4.1): `urlenc("eact=" + sealed)`.
pub fn consent_token_field(sealed: &str) -> String {
    urlenc(&format!("eact={sealed}"))
}

/// Website side: opens a POSTed ConsentToken value, either as a form parser delivers it
/// (`eact=...`) or still URL-encoded (`eact%3D...`, decoded once). A leading `eact=` (any case) is
/// stripped; the rest goes to [`open_with_any`].
pub fn open_consent_token_field(
    keys: &[AppKeys],
    field: &str,
) -> Result<OpenedEnvelope, EnvelopeError> {
    let field = field.trim();
    let decoded;
    let field = if strip_prefix_ci(field, "eact%3D").is_some() {
        decoded = url_decode(field);
        decoded.as_str()
    } else {
        field
    };
    open_with_any(keys, strip_prefix_ci(field, "eact=").unwrap_or(field))
}

/// Website side: builds `appid=<appid>&ts=<ts>&sig=<urlenc(b64(hmac))>` (section 2). The caller
/// `urlenc`-s the result once more to put it in a URL.
pub fn build_app_verifier(appid: &str, ts: i64, keys: &AppKeys) -> String {
    let signed = format!("appid={}&ts={ts}", urlenc(appid));
    let sig = urlenc(&STANDARD.encode(keys.sign(signed.as_bytes())));
    format!("{signed}&sig={sig}")
}

/// Why an application verifier was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum VerifierError {
    /// The verifier cannot be parsed; the text says what is missing or wrong.
    #[error("malformed application verifier: {0}")]
    Malformed(&'static str),
    /// No key gives this signature.
    #[error("application verifier signature is invalid")]
    BadSignature,
    /// `ts` is older than the freshness window.
    #[error("application verifier is stale")]
    Stale,
    /// `ts` is further in the future than the allowed clock skew.
    #[error("application verifier is from the future")]
    FromFuture,
}

/// A parsed, not yet verified, application verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppVerifier {
    /// The `appid` value (URL-decoded).
    pub appid: String,
    /// The `ts` value, Unix seconds.
    pub ts: i64,
    /// The optional `ip` value (URL-decoded).
    pub ip: Option<String>,
    signed: String,
    sig: Vec<u8>,
}

/// Server side, step 1: parses a verifier value URL-decoded ONCE (as a query-string parser delivers
/// it; a value still starting `appid%3D` without a literal `&sig=` is decoded once more). Splits on
/// the first literal `&sig=`: the left part is what was signed, exactly as received; `appid`, `ts`
/// and `ip` are read from it (names case-insensitive, duplicates refused). The right part is
/// [`url_decode_fully`]d and base64-decoded leniently (white space stripped, padding optional).
pub fn parse_app_verifier(value: &str) -> Result<AppVerifier, VerifierError> {
    let decoded;
    let value = if !value.contains("&sig=") && strip_prefix_ci(value, "appid%3D").is_some() {
        decoded = url_decode(value);
        decoded.as_str()
    } else {
        value
    };
    let (signed, sig_text) = value
        .split_once("&sig=")
        .ok_or(VerifierError::Malformed("no &sig="))?;
    let (mut appid, mut ts, mut ip) = (None, None, None);
    for pair in signed.split('&') {
        let (name, v) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name.to_ascii_lowercase().as_str() {
            "appid" => &mut appid,
            "ts" => &mut ts,
            "ip" => &mut ip,
            _ => continue,
        };
        if slot.replace(url_decode(v)).is_some() {
            return Err(VerifierError::Malformed("duplicate field"));
        }
    }
    let appid = appid
        .filter(|a| !a.is_empty())
        .ok_or(VerifierError::Malformed("no appid"))?;
    let ts = ts
        .ok_or(VerifierError::Malformed("no ts"))?
        .parse::<i64>()
        .map_err(|_| VerifierError::Malformed("ts is not an integer"))?;
    let sig = b64_decode_lenient(&url_decode_fully(sig_text))
        .ok_or(VerifierError::Malformed("sig is not base64"))?;
    Ok(AppVerifier {
        appid,
        ts,
        ip,
        signed: signed.to_owned(),
        sig,
    })
}

impl AppVerifier {
    /// Step 2: the signature must verify (constant time) under one of `keys`, and `ts` must lie
    /// within `[now - max_age_secs, now + max_skew_secs]` (signature checked first).
    pub fn check(
        &self,
        keys: &[AppKeys],
        now: i64,
        max_age_secs: i64,
        max_skew_secs: i64,
    ) -> Result<(), VerifierError> {
        if !keys
            .iter()
            .any(|k| k.verify(self.signed.as_bytes(), &self.sig))
        {
            return Err(VerifierError::BadSignature);
        }
        if self.ts < now.saturating_sub(max_age_secs) {
            return Err(VerifierError::Stale);
        }
        if self.ts > now.saturating_add(max_skew_secs) {
            return Err(VerifierError::FromFuture);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
