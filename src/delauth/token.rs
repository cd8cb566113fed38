//! The ConsentToken (docs/protocol.md section 4.1): fields in exactly the order delt, reft, skey, offer,
//! exp, lid, then sig; sealed with the application's key; wrapped as `urlenc("eact=" + sealed)`.

use crate::crypto::live::{self, urlenc, urlenc_offer, AppKeys, EnvelopeError};
use crate::crypto::{b64, random_bytes};
use crate::tokens::Issued;

/// The plaintext before sealing (without `sig`), with a given `skey`.
pub fn plaintext(issued: &Issued, skey: &str) -> String {
    let offer = issued
        .offers
        .iter()
        .map(|(p, exp)| format!("{p}:{exp}"))
        .collect::<Vec<_>>()
        .join(";");
    format!(
        "delt={}&reft={}&skey={}&offer={}&exp={}&lid={}",
        urlenc(&issued.delegation_token),
        urlenc(issued.refresh_token.expose()),
        urlenc(skey),
        urlenc_offer(&offer),
        issued.exp,
        urlenc(&issued.lid),
    )
}

/// The `ConsentToken` form value (and refresh JSON value) for freshly issued tokens: a random
/// 24-byte `skey` and a random IV, then [`consent_token_with`].
pub fn consent_token(keys: &AppKeys, issued: &Issued) -> Result<String, EnvelopeError> {
    let skey = random_bytes::<24>().map_err(|_| EnvelopeError::Rng)?;
    let iv = random_bytes::<16>().map_err(|_| EnvelopeError::Rng)?;
    Ok(consent_token_with(keys, issued, &skey, iv))
}

/// The `ConsentToken` value with the random parts given: `skey` is `b64(skey_bytes)`, the envelope
/// is sealed with `iv` (section 1.1), and the result is `urlenc("eact=" + sealed)`. Deterministic:
/// [`consent_token`] calls it with fresh random bytes; the documented examples with fixed ones.
pub fn consent_token_with(
    keys: &AppKeys,
    issued: &Issued,
    skey_bytes: &[u8; 24],
    iv: [u8; 16],
) -> String {
    let sealed = live::seal_with_iv(keys, &plaintext(issued, &b64(skey_bytes)), iv);
    live::consent_token_field(&sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued() -> Issued {
        Issued {
            family_id: 7,
            refresh_token: crate::crypto::PlainToken::from_exposed("ab+/cd=="),
            delegation_token: "h.p.s".into(),
            exp: 1_800_000_000,
            offers: vec![
                ("Contacts.Read".into(), 1_800_086_400),
                ("News.Write".into(), 1_802_592_000),
            ],
            lid: "6a9e4d31496a894d".into(),
        }
    }

    #[test]
    fn the_plaintext_has_the_fields_in_protocol_order_with_encoded_values() {
        let text = plaintext(&issued(), "k+k=");
        assert_eq!(
            text,
            "delt=h.p.s&reft=ab%2B%2Fcd%3D%3D&skey=k%2Bk%3D\
             &offer=Contacts.Read:1800086400;News.Write:1802592000&exp=1800000000\
             &lid=6a9e4d31496a894d"
        );
    }

    #[test]
    fn a_consent_token_opens_like_the_sdk_opens_it() {
        let keys = AppKeys::derive("b623d64e8f1d18bfe8b281d385ad461c1e8bbebb");
        let field = consent_token(&keys, &issued()).unwrap();
        assert!(field.starts_with("eact%3D"));
        let opened = live::open_consent_token_field(&[keys], &field).unwrap();
        assert_eq!(
            opened.names(),
            ["delt", "reft", "skey", "offer", "exp", "lid", "sig"]
        );
        assert_eq!(opened.get("reft").as_deref(), Some("ab+/cd=="));
        assert_eq!(
            opened.get("offer").as_deref(),
            Some("Contacts.Read:1800086400;News.Write:1802592000")
        );
    }
}
