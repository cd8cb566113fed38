//! Cryptography compatible with Windows Live ID Delegated Authentication (PROTOCOL.md sections 1,
//! 2, 4.1 and 8): key derivation, the sealed envelope, the ConsentToken field, the app verifier.
//!
//! Pure functions: no I/O and no clock (callers pass `now`, Unix seconds).
//!
//! The sealed envelope is MAC-then-encrypt (HMAC-SHA256 over the plaintext, then AES-128-CBC), as
//! the old SDKs require. Its error variants say which check failed; never reveal that distinction
//! to whoever supplied the token (it would be a padding oracle): answer every [`EnvelopeError`]
//! alike.

use std::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};

type Aes128CbcEnc = cbc::Encryptor<aes::Aes128>;
type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;

/// Standard alphabet; padding optional on decode; non-zero trailing bits still rejected.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The two 16-byte keys derived from an application secret (PROTOCOL.md section 1).
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

fn encode_keeping(s: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// PROTOCOL.md `urlenc`: percent-encodes every byte outside `A-Z a-z 0-9 . - _ ~`, upper-case hex.
pub fn urlenc(s: &str) -> String {
    encode_keeping(s, b"")
}

/// Like [`urlenc`] but leaves `;` and `:` raw (the `offer` value, section 1.1 step 1).
pub fn urlenc_offer(s: &str) -> String {
    encode_keeping(s, b";:")
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn escape_at(s: &[u8], i: usize) -> Option<u8> {
    match s.get(i..i + 3)? {
        [b'%', h, l] => Some(hex_val(*h)? << 4 | hex_val(*l)?),
        _ => None,
    }
}

fn decode_bytes(s: &[u8], plus_as_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if let Some(v) = escape_at(s, i) {
            out.push(v);
            i += 3;
        } else {
            out.push(if plus_as_space && b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
    out
}

/// Lenient URL decoding: `+` becomes space, `%XX` with upper- or lower-case hex; invalid escapes
/// stay literal; the result is lossy UTF-8.
pub fn url_decode(s: &str) -> String {
    String::from_utf8_lossy(&decode_bytes(s.as_bytes(), true)).into_owned()
}

/// Decodes `%XX` escapes repeatedly until none remains (at most 8 rounds). Does NOT turn `+` into
/// space (base64 contains `+`). The result is lossy UTF-8.
pub fn url_decode_fully(s: &str) -> String {
    let mut cur = s.as_bytes().to_vec();
    for _ in 0..8 {
        if !(0..cur.len()).any(|i| escape_at(&cur, i).is_some()) {
            break;
        }
        cur = decode_bytes(&cur, false);
    }
    String::from_utf8_lossy(&cur).into_owned()
}

/// Lenient standard-base64 decoding: strips all ASCII white space first, accepts missing padding.
pub fn b64_decode_lenient(s: &str) -> Option<Vec<u8>> {
    let cleaned: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT_B64.decode(cleaned).ok()
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
mod tests {
    use super::*;
    use VerifierError::{BadSignature, FromFuture, Malformed, Stale};

    // In the project the manifest dir is /work/main and shared/ sits beside it.
    const TESTDATA: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/testdata/live-consent-token-2008.json"
    ));
    const SECRET: &str = "b623d64e8f1d18bfe8b281d385ad461c1e8bbebb";
    const APPID: &str = "0016BFFD80013411";
    const TS: i64 = 1216897654;
    const KNOWN_SIG: &str = "NJ3VHx6F9YMBZbCODuNcimejCqurCBXpEbWAclN4EZU=";
    const PLAINTEXTS: &[&str] = &[
        "a=b",
        "x=",
        "exactly-16-bytes",
        "appid=0016BFFD80013411&uid=0123456789abcdef0123456789abcdef&ts=1216897654&flags=0",
        "delt=a%2Fb%3D&reft=r%2B&skey=s&offer=Contacts.Read:1700000000;News.Write:17&exp=1&lid=6a",
    ];

    /// The 2008 test data: (keys, ConsentToken field value, the whole JSON).
    fn data() -> (AppKeys, String, serde_json::Value) {
        let t: serde_json::Value = serde_json::from_str(TESTDATA).unwrap();
        let keys = AppKeys::derive(t["secret"].as_str().unwrap());
        (
            keys,
            t["consent_token_field"].as_str().unwrap().to_owned(),
            t,
        )
    }

    fn keys() -> AppKeys {
        AppKeys::derive(SECRET)
    }

    fn check(value: &str, keys: &[AppKeys], now: i64) -> Result<AppVerifier, VerifierError> {
        let v = parse_app_verifier(value)?;
        v.check(keys, now, 3600, 300).map(|()| v)
    }

    #[test]
    fn the_known_answer_signature_is_reproduced() {
        assert_eq!(
            STANDARD.encode(keys().sign(b"appid=0016BFFD80013411&ts=1216897654")),
            KNOWN_SIG
        );
        let built = build_app_verifier(APPID, TS, &keys());
        assert_eq!(
            built,
            format!("appid={APPID}&ts={TS}&sig={}", urlenc(KNOWN_SIG))
        );
        let (k, _, t) = data();
        let signed = format!(
            "appid={}&ts={}",
            t["app_id"].as_str().unwrap(),
            t["verifier_ts"]
        );
        assert_eq!(
            Some(STANDARD.encode(k.sign(signed.as_bytes())).as_str()),
            t["verifier_sig"].as_str()
        );
    }

    #[test]
    fn a_built_verifier_is_accepted_however_its_sig_was_encoded() {
        // A ts whose signature contains `/`, so that `%2F` appears in it.
        let ts = (TS..)
            .find(|t| build_app_verifier(APPID, *t, &keys()).contains("%2F"))
            .unwrap();
        let built = build_app_verifier(APPID, ts, &keys());
        let (signed, sig) = built.split_once("&sig=").unwrap();
        let b64 = url_decode(sig);
        for v in [
            url_decode(&urlenc(&built)), // urlenc-ed into the URL, decoded once by the query parser
            format!("{signed}&sig={}", urlenc(&urlenc(&b64))),
            format!(
                "{signed}&sig={}",
                sig.replace("%2F", "%2f").replace("%3D", "%3d")
            ),
            format!("{signed}&sig={}", urlenc(&format!("{b64}\n"))),
            format!("{signed}&sig={b64}\n"),
            format!("{signed}&sig={}", b64.trim_end_matches('=')),
            urlenc(&built),
        ] {
            let parsed = check(&v, &[keys()], ts).unwrap();
            assert_eq!(
                (parsed.appid.as_str(), parsed.ts, parsed.ip),
                (APPID, ts, None),
                "{v:?}"
            );
        }
    }

    #[test]
    fn verifier_names_are_case_insensitive_and_ip_is_read() {
        let signed = format!("AppId={APPID}&TS={TS}&Ip=10.0.0.1");
        let sig = urlenc(&STANDARD.encode(keys().sign(signed.as_bytes())));
        let v = check(&format!("{signed}&sig={sig}"), &[keys()], TS).unwrap();
        assert_eq!(
            (v.appid.as_str(), v.ts, v.ip.as_deref()),
            (APPID, TS, Some("10.0.0.1"))
        );
    }

    #[test]
    fn stale_and_future_verifiers_are_rejected_at_the_window_edges() {
        let v = parse_app_verifier(&build_app_verifier(APPID, TS, &keys())).unwrap();
        let at = |now: i64| v.check(&[keys()], now, 3600, 300);
        assert_eq!([at(TS + 3600), at(TS + 3601)], [Ok(()), Err(Stale)]);
        assert_eq!([at(TS - 300), at(TS - 301)], [Ok(()), Err(FromFuture)]);
        assert_eq!(v.check(&[keys()], i64::MAX, i64::MAX, 0), Ok(()));
        assert_eq!(v.check(&[keys()], i64::MIN, 0, i64::MAX), Err(FromFuture));
    }

    #[test]
    fn a_tampered_verifier_is_rejected() {
        let built = build_app_verifier(APPID, TS, &keys());
        let other_app = built.replacen("0016BFFD8", "0016BFFD9", 1);
        let other_ts = built.replacen("1216897654", "1216897655", 1);
        assert_eq!(check(&other_app, &[keys()], TS), Err(BadSignature));
        assert_eq!(check(&other_ts, &[keys()], TS), Err(BadSignature));
    }

    #[test]
    fn a_verifier_signed_with_another_secret_is_rejected_unless_that_key_is_offered() {
        let old = AppKeys::derive("an-old-secret-of-enough-length");
        let built = build_app_verifier(APPID, TS, &old);
        assert_eq!(check(&built, &[keys()], TS), Err(BadSignature));
        assert_eq!(check(&built, &[], TS), Err(BadSignature));
        assert!(check(&built, &[keys(), old], TS).is_ok());
    }

    #[test]
    fn malformed_verifiers_are_reported_as_such() {
        for bad in [
            "",
            "appid=0016BFFD80013411&ts=1216897654",
            "ts=1216897654&sig=AAAA",
            "appid=&ts=1216897654&sig=AAAA",
            "appid=0016BFFD80013411&sig=AAAA",
            "appid=0016BFFD80013411&ts=12x&sig=AAAA",
            "appid=0016BFFD80013411&ts=1&ts=2&sig=AAAA",
            "appid=0016BFFD80013411&ts=1&sig=!!!!",
        ] {
            assert!(
                matches!(parse_app_verifier(bad), Err(Malformed(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_2008_consent_token_opens_with_its_secret() {
        let (k, field, t) = data();
        let env = open_consent_token_field(&[k], &field).unwrap();
        assert_eq!(
            env.names(),
            ["delt", "reft", "skey", "offer", "exp", "lid", "sig"]
        );
        // The 2008 plaintext urlenc-s values with upper-case hex (`%2F`, `%2B`, `%3D`) and leaves
        // `:` raw in offer: `fields` holds them exactly so, `get` decodes once.
        let field_is =
            |i: usize, key: &str| assert_eq!(Some(env.fields[i].1.as_str()), t[key].as_str());
        field_is(0, "expected_delt");
        field_is(3, "expected_offer");
        field_is(5, "expected_lid");
        assert_eq!(env.get("delt"), t["expected_delt"].as_str().map(url_decode));
        assert_eq!(env.get("offer").as_deref(), t["expected_offer"].as_str());
        assert_eq!(env.get("exp"), Some(t["expected_exp"].to_string()));
        let lid = u64::from_str_radix(&env.get("lid").unwrap(), 16).unwrap();
        assert_eq!(Some(lid), t["expected_int_lid"].as_u64());
        assert!(env
            .plaintext
            .ends_with(&format!("&sig={}", env.fields[6].1)));
    }

    #[test]
    fn the_2008_consent_token_opens_in_every_delivered_form_and_only_with_its_secret() {
        let (k, field, _) = data();
        let once = url_decode(&field);
        let sealed = once.strip_prefix("eact=").unwrap();
        assert_eq!(consent_token_field(sealed), field);
        for f in [&field, &once, &once.replacen("eact=", "EACT=", 1), sealed] {
            assert!(
                open_consent_token_field(std::slice::from_ref(&k), f).is_ok(),
                "{f:.20}"
            );
        }
        assert!(open(&k, &url_decode_fully(sealed)).is_ok());
        let wrong = AppKeys::derive("not-the-right-secret-at-all");
        assert!(open_consent_token_field(std::slice::from_ref(&wrong), &field).is_err());
        assert!(open_consent_token_field(&[], &field).is_err());
        assert!(open_consent_token_field(&[wrong, k], &field).is_ok());
    }

    #[test]
    fn sealed_plaintexts_open_to_the_same_fields() {
        let long = format!("big={}", "x".repeat(5000));
        let text = format!(
            "text={}&offer={}",
            urlenc("a b&c=d+é"),
            urlenc_offer("A.Read:1;B.Write:2")
        );
        for p in PLAINTEXTS
            .iter()
            .copied()
            .chain([long.as_str(), text.as_str()])
        {
            let env = open(&keys(), &seal(&keys(), p).unwrap()).unwrap();
            assert_eq!(env.plaintext.rsplit_once("&sig=").unwrap().0, p);
            let names = p.split('&').map(|kv| kv.split('=').next().unwrap());
            assert_eq!(env.names(), names.chain(["sig"]).collect::<Vec<_>>());
        }
        let env = open(&keys(), &seal(&keys(), &text).unwrap()).unwrap();
        assert_eq!(env.get("text").as_deref(), Some("a b&c=d+é"));
        assert_eq!(env.get("offer").as_deref(), Some("A.Read:1;B.Write:2"));
        assert_eq!(env.get("nope"), None);
    }

    #[test]
    fn sealing_is_deterministic_for_an_iv_and_fresh_otherwise() {
        let p = PLAINTEXTS[3];
        assert_eq!(
            seal_with_iv(&keys(), p, [7; 16]),
            seal_with_iv(&keys(), p, [7; 16])
        );
        assert_ne!(seal(&keys(), p).unwrap(), seal(&keys(), p).unwrap());
        let raw = b64_decode_lenient(&url_decode(&seal_with_iv(&keys(), p, [7; 16]))).unwrap();
        assert_eq!(raw[..16], [7; 16]);
    }

    #[test]
    fn a_sealed_token_opens_only_with_its_own_secret() {
        let token = seal(&keys(), PLAINTEXTS[4]).unwrap();
        let other = AppKeys::derive("another-secret-0123456789");
        assert!(open(&other, &token).is_err());
        assert_eq!(
            open_with_any(&[], &token).err(),
            Some(EnvelopeError::Signature)
        );
        assert!(open_with_any(&[other, keys()], &token).is_ok());
    }

    #[test]
    fn a_consent_token_field_round_trips() {
        let field = consent_token_field(&seal(&keys(), PLAINTEXTS[4]).unwrap());
        assert!(field.starts_with("eact%3D"));
        for f in [field.clone(), url_decode(&field)] {
            let env = open_consent_token_field(&[keys()], &f).unwrap();
            assert_eq!(
                env.get("offer").as_deref(),
                Some("Contacts.Read:1700000000;News.Write:17")
            );
        }
    }

    #[test]
    fn only_the_canonical_spelling_of_the_envelope_sig_is_accepted() {
        // Encrypts a complete plaintext, sig included, as seal_with_iv does.
        let encrypt = |full: &str| {
            let (mut buf, len) = ([full.as_bytes(), &[0; 16]].concat(), full.len());
            let ct = Aes128CbcEnc::new(&keys().crypt.into(), &[0; 16].into())
                .encrypt_padded_mut::<Pkcs7>(&mut buf, len)
                .unwrap();
            urlenc(&STANDARD.encode([&[0; 16], ct].concat()))
        };
        let body = "a=1&b=2";
        let sig = urlenc(&STANDARD.encode(keys().sign(body.as_bytes())));
        assert!(open(&keys(), &encrypt(&format!("{body}&sig={sig}"))).is_ok());
        for spelled in [
            sig.replace("%3D", "%3d"),
            url_decode(&sig),
            sig.replace("%3D", ""),
        ] {
            let res = open(&keys(), &encrypt(&format!("{body}&sig={spelled}")));
            assert!(matches!(res, Err(EnvelopeError::Format(_))), "{spelled}");
        }
        assert_eq!(
            open(&keys(), &encrypt(body)).err(),
            Some(EnvelopeError::Format("no &sig="))
        );
    }

    fn assert_every_bit_flip_is_rejected(k: &AppKeys, token: &str) {
        let raw = b64_decode_lenient(&url_decode_fully(token)).unwrap();
        assert!(open(k, &urlenc(&STANDARD.encode(&raw))).is_ok());
        for bit in 0..raw.len() * 8 {
            let mut flipped = raw.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let res = open(k, &urlenc(&STANDARD.encode(&flipped)));
            assert!(res.is_err(), "bit {bit} flipped still opens");
        }
    }

    #[test]
    fn every_single_bit_flip_of_a_sealed_token_is_rejected() {
        for p in PLAINTEXTS {
            assert_every_bit_flip_is_rejected(&keys(), &seal(&keys(), p).unwrap());
        }
        let (k, field, _) = data();
        assert_every_bit_flip_is_rejected(&k, url_decode(&field).strip_prefix("eact=").unwrap());
    }

    #[test]
    fn open_never_panics_on_garbage() {
        let mut inputs: Vec<String> = [
            "", " ", "%", "%%%", "%2", "%zz", "eact=", "eact%3D", "A", "AA", "AAAA", "====",
            "!!!!", "\u{0}", "é", "+/+/", "%252525", "&sig=", "appid%3D",
        ]
        .map(String::from)
        .to_vec();
        for n in [1, 15, 16, 17, 31, 32, 33, 48, 64, 4096] {
            inputs.extend([STANDARD.encode(vec![0; n]), STANDARD.encode(vec![0xFF; n])]);
        }
        inputs.extend(["A".repeat(1 << 20), "%25".repeat(1 << 16)]);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15; // xorshift: deterministic pseudo-random bytes
        for i in 0..300 {
            let bytes: Vec<u8> = (0..(i * 7) % 200)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x.to_le_bytes()[0]
                })
                .collect();
            inputs.extend([
                String::from_utf8_lossy(&bytes).into_owned(),
                STANDARD.encode(&bytes),
            ]);
        }
        for s in &inputs {
            assert!(open(&keys(), s).is_err());
            assert!(open_consent_token_field(&[keys()], s).is_err());
            let _ = parse_app_verifier(s).map(|v| v.check(&[keys()], 0, 0, 0));
        }
    }

    #[test]
    fn url_helpers_follow_the_protocol_notation() {
        assert_eq!(
            urlenc("aZ09.-_~ &=+/:;é"),
            "aZ09.-_~%20%26%3D%2B%2F%3A%3B%C3%A9"
        );
        assert_eq!(
            urlenc_offer("Contacts.Read:1;News.Write:2 "),
            "Contacts.Read:1;News.Write:2%20"
        );
        assert_eq!(url_decode("a+b%2fc%2Fd%zz%4%"), "a b/c/d%zz%4%");
        assert_eq!(url_decode("%C3%A9%FF"), "é\u{FFFD}");
        assert_eq!(url_decode_fully("a+b%25252F%253d"), "a+b/=");
        let deep = format!("%{}41", "25".repeat(20)); // needs more than 8 rounds: stops with '%'
        assert_eq!(url_decode_fully(&deep), format!("%{}41", "25".repeat(12)));
        assert_eq!(url_decode_fully("%2"), "%2");
        assert_eq!(b64_decode_lenient(" QUJD\nRA\r\n"), Some(b"ABCD".to_vec()));
        assert_eq!(b64_decode_lenient("QUJDRA=="), Some(b"ABCD".to_vec()));
        assert_eq!(b64_decode_lenient("QUJDRA-_"), None);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        assert_eq!(format!("{:?}", keys()), "AppKeys(..)");
        let dbg = format!(
            "{:?}",
            open(&keys(), &seal(&keys(), "skey=secret").unwrap()).unwrap()
        );
        assert!(dbg.contains("skey") && !dbg.contains("secret"), "{dbg}");
        let sig = keys().sign(b"x");
        assert!(keys().verify(b"x", &sig) && !keys().verify(b"y", &sig));
        assert!(!AppKeys::derive("other-secret-value").verify(b"x", &sig));
    }
}
