//! The lenient text codings of the old SDKs: `urlenc` (upper-case hex, only unreserved characters
//! kept), repeated URL-decoding, and base64 that tolerates white space and missing padding.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Standard alphabet; padding optional on decode; non-zero trailing bits still rejected.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

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

/// docs/protocol.md `urlenc`: percent-encodes every byte outside `A-Z a-z 0-9 . - _ ~`, upper-case hex.
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
