//! Unit tests of the parent module.
use super::*;
type Claims = DelegationClaims;
const EXP: i64 = 4_102_444_800; // 2100-01-01: still valid for jsonwebtoken's own clock.

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

fn claims(exp: i64) -> Claims {
    let offers = [
        ("Contacts.Read".into(), 1_900_000_000),
        ("News.Write".into(), 1),
    ];
    DelegationClaims {
        iss: "https://assent.example".into(),
        aud: Some(super::Audience::of(vec![
            "https://assent.example/resources/rp_a".into(),
            "https://assent.example/resources/rp_b".into(),
        ])),
        sub: "0123456789abcdef".into(),
        client_id: "000000004C00C9B8".into(),
        scope: "Contacts.Read News.Write".into(),
        offers: offers.into(),
        resource: Some("book-7".into()),
        gid: "1234567890123".into(),
        jti: "Jti_4_unique".into(),
        iat: exp - 3600,
        exp,
    }
}

fn key() -> (SigningKey, VerifyingKey, String) {
    let (key, _) = SigningKey::generate().unwrap();
    let (vk, token) = (key.verifying_key(), key.sign(&claims(EXP)).unwrap());
    (key, vk, token)
}

/// Our claims under a hand-written `header` (raw JSON) and signature part.
fn forged(header: &str, sig: &str) -> String {
    let payload = serde_json::to_string(&claims(EXP)).unwrap();
    format!("{}.{}.{sig}", b64(header), b64(&payload))
}

/// Any payload (raw JSON), properly signed.
fn signed_raw(key: &SigningKey, payload: &str) -> String {
    let input = format!("{}.{}", key.header_b64, b64(payload));
    let sig = URL_SAFE_NO_PAD.encode(key.pair.sign(input.as_bytes()));
    format!("{input}.{sig}")
}

#[test]
fn sign_then_verify_round_trips_the_claims_under_an_exact_header() {
    let (key, vk, token) = key();
    assert_eq!(verify::<Claims>(&token, &vk, EXP - 1), Ok(claims(EXP)));
    let header = URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap());
    let expected = format!(r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{}"}}"#, key.kid());
    assert_eq!(String::from_utf8(header.unwrap()).unwrap(), expected);
    assert_eq!(peek_kid(&token).as_deref(), Ok(key.kid()));
    assert_eq!((key.kid().len(), key.public_key().len()), (16, 32));
    let found = verify_with::<Claims, _, _>(&token, 0, |kid| (kid == vk.kid).then_some(&vk));
    assert_eq!(found, Ok(claims(EXP)));
    let none = verify_with::<Claims, VerifyingKey, _>(&token, 0, |_| None);
    assert_eq!(none, Err(JwsError::UnknownKey));
}

#[test]
fn jsonwebtoken_verifies_our_token_with_the_jwk_from_the_jwks() {
    use jsonwebtoken::{decode, jwk::JwkSet, Algorithm, DecodingKey, Validation};
    let (key, vk, token) = key();
    let set: JwkSet = serde_json::from_value(jwks(&[vk])).unwrap();
    let jwk_key = DecodingKey::from_jwk(set.find(key.kid()).unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.leeway = 0;
    // An offline verifier checks that `aud` names its own resource indicator (section 5).
    validation.set_audience(&["https://assent.example/resources/rp_b"]);
    let data = decode::<Claims>(&token, &jwk_key, &validation).unwrap();
    assert_eq!(data.claims, claims(EXP));
    let mut elsewhere = validation.clone();
    elsewhere.set_audience(&["https://assent.example/resources/rp_c"]);
    assert!(decode::<Claims>(&token, &jwk_key, &elsewhere).is_err());
    assert_eq!(data.header.kid.as_deref(), Some(key.kid()));
    assert_eq!(data.header.typ.as_deref(), Some("at+jwt"));
    let other = DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode([7u8; 32])).unwrap();
    assert!(decode::<Claims>(&token, &other, &validation).is_err());
}

#[test]
fn we_verify_a_token_that_jsonwebtoken_signed_with_our_pkcs8_document() {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let (key, pkcs8) = SigningKey::generate().unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".into());
    header.kid = Some(key.kid().into());
    let token = encode(&header, &claims(EXP), &EncodingKey::from_ed_der(&pkcs8)).unwrap();
    assert_eq!(peek_kid(&token).as_deref(), Ok(key.kid()));
    assert_eq!(verify(&token, &key.verifying_key(), 0), Ok(claims(EXP)));
}

#[test]
fn from_pkcs8_restores_the_same_key_and_each_verifies_the_others_tokens() {
    let (key, pkcs8) = SigningKey::generate().unwrap();
    let again = SigningKey::from_pkcs8(key.kid(), &pkcs8).unwrap();
    assert_eq!(
        (again.kid(), again.public_key()),
        (key.kid(), key.public_key())
    );
    let by_again = again.sign(&claims(EXP)).unwrap();
    assert_eq!(verify(&by_again, &key.verifying_key(), 0), Ok(claims(EXP)));
    let by_key = key.sign(&claims(EXP)).unwrap();
    assert_eq!(verify(&by_key, &again.verifying_key(), 0), Ok(claims(EXP)));
    for (kid, doc) in [
        ("k", &b"junk"[..]),
        ("", &pkcs8),
        ("a\"b", &pkcs8),
        ("a b", &pkcs8),
    ] {
        assert_eq!(SigningKey::from_pkcs8(kid, doc).err(), Some(JwsError::Key));
    }
    let shown = format!("{key:?}");
    assert!(shown.contains("redacted") && !shown.contains(&URL_SAFE_NO_PAD.encode(&pkcs8[16..48])));
}

#[test]
fn tampered_or_foreign_tokens_fail_the_signature() {
    let (_, vk, token) = key();
    let (other, _, foreign) = key();
    let flip = |at: usize| {
        let mut b = token.clone().into_bytes();
        b[at] = if b[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    let bad = Err(JwsError::BadSignature);
    assert_eq!(
        verify::<Claims>(&flip(token.find('.').unwrap() + 9), &vk, 0),
        bad
    );
    assert_eq!(
        verify::<Claims>(&flip(token.rfind('.').unwrap() + 1), &vk, 0),
        bad
    );
    assert_eq!(verify::<Claims>(&foreign, &vk, 0), bad);
    // The other key's token relabelled with our header still fails.
    let (ours, theirs) = (
        token.split_once('.').unwrap(),
        foreign.split_once('.').unwrap(),
    );
    assert_eq!(
        verify::<Claims>(&format!("{}.{}", ours.0, theirs.1), &vk, 0),
        bad
    );
    assert_eq!(verify::<Claims>(&token, &other.verifying_key(), 0), bad);
}

#[test]
fn alg_none_hs256_and_extra_header_members_are_refused() {
    let (key, vk, _) = key();
    let kid = key.kid();
    let none = forged(
        &format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{kid}"}}"#),
        "",
    );
    let hs = forged(
        &format!(r#"{{"alg":"HS256","typ":"at+jwt","kid":"{kid}"}}"#),
        "AAAA",
    );
    for t in [&none, &hs] {
        assert_eq!(peek_kid(t), Err(JwsError::UnsupportedAlgorithm));
        assert_eq!(
            verify::<Claims>(t, &vk, 0),
            Err(JwsError::UnsupportedAlgorithm)
        );
    }
    let sig = "A".repeat(SIG_B64_LEN);
    let extras = [
        r#""crit":["exp"]"#,
        r#""jku":"u""#,
        r#""jwk":{}"#,
        r#""x5u":"u""#,
        r#""kid":"x""#,
    ];
    for extra in extras {
        let h = format!(r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{kid}",{extra}}}"#);
        assert_eq!(
            peek_kid(&forged(&h, &sig)),
            Err(JwsError::Malformed),
            "{extra}"
        );
    }
    let headers = [
        r#"{"alg":"EdDSA","kid":"k"}"#,
        r#"{"alg":"EdDSA","typ":"JWT","kid":"k"}"#,
    ];
    for h in headers
        .into_iter()
        .chain([r#"{"alg":"EdDSA","typ":"at+jwt"}"#, "[]"])
    {
        assert_eq!(peek_kid(&forged(h, &sig)), Err(JwsError::Malformed), "{h}");
    }
}

#[test]
fn a_token_is_expired_from_its_exp_second_on() {
    let (key, vk, _) = key();
    let token = key.sign(&claims(1_700_000_000)).unwrap();
    assert!(verify::<Claims>(&token, &vk, 1_699_999_999).is_ok());
    for now in [1_700_000_000, 1_700_000_001, i64::MAX] {
        assert_eq!(verify::<Claims>(&token, &vk, now), Err(JwsError::Expired));
    }
    // Claims without exactly one integer exp are refused, whatever the target type.
    let bad = [
        r#"{"sub":"x"}"#,
        r#"{"exp":5,"exp":9999999999}"#,
        r#"{"exp":"9"}"#,
        "[1]",
    ];
    for payload in bad.into_iter().chain([r#"{"exp":1e10}"#, r#"{"exp":1} x"#]) {
        let t = signed_raw(&key, payload);
        assert_eq!(
            verify::<serde_json::Value>(&t, &vk, 0),
            Err(JwsError::Json),
            "{payload}"
        );
    }
    let escaped = signed_raw(&key, r#"{"\u0065xp":9999999999,"sub":"x"}"#);
    let value = serde_json::json!({"exp": 9_999_999_999_i64, "sub": "x"});
    assert_eq!(verify(&escaped, &vk, 0), Ok(value));
    let late = verify::<serde_json::Value>(&escaped, &vk, 9_999_999_999);
    assert_eq!(late, Err(JwsError::Expired));
}

#[test]
fn garbage_never_panics_and_is_malformed() {
    let (_, vk, token) = key();
    let long = "A".repeat(MAX_TOKEN + 1);
    let (padded, spaced) = (format!("{token}="), format!(" {token}"));
    let garbage = ["", ".", "..", "a.b", "a.b.c.d", "....", "é.é.é", "%7B.a.b"];
    for t in garbage.into_iter().chain([&*long, &padded, &spaced]) {
        assert_eq!(verify::<Claims>(t, &vk, 0), Err(JwsError::Malformed), "{t}");
        assert_eq!(peek_kid(t), Err(JwsError::Malformed), "{t}");
    }
    // Every one-character substitution, multi-byte ones included, fails without panicking.
    for at in 0..token.len() {
        for c in ["A", "-", ".", "=", "+", "/", " ", "é", "\0"] {
            let t = format!("{}{c}{}", &token[..at], &token[at + 1..]);
            assert!(t == token || verify::<Claims>(&t, &vk, 0).is_err(), "{t}");
        }
    }
}

#[test]
fn a_key_from_a_seed_is_the_rfc_8032_key_with_the_generated_kid_rule() {
    // RFC 8032 section 7.1, TEST 1.
    let seed: [u8; 32] =
        hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .unwrap()
            .try_into()
            .unwrap();
    let key = SigningKey::from_seed(&seed).unwrap();
    assert_eq!(
        hex::encode(key.public_key()),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(key.kid(), kid_of(key.public_key()));
    assert_eq!(key.kid().len(), 16);
    let token = key.sign(&claims(EXP)).unwrap();
    assert_eq!(
        token,
        key.sign(&claims(EXP)).unwrap(),
        "Ed25519 is deterministic"
    );
    assert_eq!(
        verify::<Claims>(&token, &key.verifying_key(), EXP - 1).unwrap(),
        claims(EXP)
    );
}
