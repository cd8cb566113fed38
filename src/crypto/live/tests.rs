//! Unit tests of the parent module.
use super::*;
use VerifierError::{BadSignature, FromFuture, Malformed, Stale};

// A real ConsentToken of 2008 with its public test app id and secret (docs/protocol.md section 4.1).
const TESTDATA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/live-consent-token-2008.json"
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
        "", " ", "%", "%%%", "%2", "%zz", "eact=", "eact%3D", "A", "AA", "AAAA", "====", "!!!!",
        "\u{0}", "é", "+/+/", "%252525", "&sig=", "appid%3D",
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
