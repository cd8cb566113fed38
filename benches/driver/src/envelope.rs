//! The Live envelope, client side (docs/protocol.md sections 1 and 2): the app keys derived from
//! the secret, the app verifier, and opening a sealed ConsentToken.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::Engine;
use hmac::Mac;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

/// `urlenc` of docs/protocol.md: every byte outside `A-Z a-z 0-9 . - _ ~`, upper-case hex.
const URLENC: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

pub fn urlenc(s: &str) -> String {
    utf8_percent_encode(s, URLENC).to_string()
}

fn urldec(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

pub fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

pub struct AppKeys {
    sign: [u8; 16],
    crypt: [u8; 16],
}

impl AppKeys {
    pub fn derive(secret: &str) -> AppKeys {
        let k = |prefix: &str| {
            let d = Sha256::digest(format!("{prefix}{secret}").as_bytes());
            let mut out = [0u8; 16];
            out.copy_from_slice(&d[..16]);
            out
        };
        AppKeys {
            sign: k("SIGNATURE"),
            crypt: k("ENCRYPTION"),
        }
    }

    /// `appid=..&ts=..&sig=urlenc(b64(HMAC-SHA256(signKey, "appid=..&ts=..")))`.
    pub fn verifier(&self, appid: &str, ts: u64) -> String {
        let data = format!("appid={appid}&ts={ts}");
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.sign).expect("any key length");
        mac.update(data.as_bytes());
        let sig = b64().encode(mac.finalize().into_bytes());
        format!("{data}&sig={}", urlenc(&sig))
    }

    /// Open a ConsentToken value (`urlenc("eact=" + urlenc(b64(iv||ct)))`) into its fields.
    pub fn open_consent_token(&self, value: &str) -> Result<Vec<(String, String)>, String> {
        let once = urldec(value.trim());
        let sealed = once
            .strip_prefix("eact=")
            .ok_or_else(|| format!("no eact= prefix in {:.40}", once))?;
        let raw = b64()
            .decode(urldec(sealed).trim())
            .map_err(|e| format!("base64: {e}"))?;
        if raw.len() < 32 || raw.len() % 16 != 0 {
            return Err(format!("sealed token of {} bytes", raw.len()));
        }
        let (iv, ct) = raw.split_at(16);
        let mut buf = ct.to_vec();
        let plain = cbc::Decryptor::<aes::Aes128>::new(&self.crypt.into(), iv.into())
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map_err(|_| "bad padding (wrong secret?)".to_string())?;
        let text = std::str::from_utf8(plain).map_err(|_| "plaintext is not UTF-8".to_string())?;
        Ok(text
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), urldec(v)))
            .collect())
    }
}
