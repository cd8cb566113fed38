//! The Live formats' examples: keys, envelope, verifier, consent request, ConsentToken, refresh
//! and Web Authentication `stoken`.
use super::*;

pub(super) fn consent_token_value() -> String {
    token::consent_token_with(&keys(), &issued(), &bytes::<24>(0x40), bytes::<16>(0x60))
}

pub(super) fn fixture() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/live-consent-token-2008.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(super) fn live_2008_opened() -> String {
    let t = fixture();
    let keys = AppKeys::derive(t["secret"].as_str().unwrap());
    let field = t["consent_token_field"].as_str().unwrap();
    let opened = live::open_consent_token_field(&[keys], field).unwrap();
    assert_eq!(
        opened.names(),
        ["delt", "reft", "skey", "offer", "exp", "lid", "sig"]
    );
    assert_eq!(
        opened.get("delt"),
        Some(live::url_decode(t["expected_delt"].as_str().unwrap()))
    );
    assert_eq!(opened.get("lid").as_deref(), t["expected_lid"].as_str());
    assert_eq!(opened.get("offer").as_deref(), t["expected_offer"].as_str());
    field_lines(&opened)
}

pub(super) fn key_example() -> String {
    let k = keys();
    let (sign, crypt) = (hex::encode(k.sign_key()), hex::encode(k.crypt_key()));
    labelled(&[("secret", SECRET), ("signKey", &sign), ("cryptKey", &crypt)])
}

pub(super) fn verifier_example() -> String {
    let signed = format!("appid={APPID}&ts={TS}");
    let hmac = b64(&keys().sign(signed.as_bytes()));
    assert_eq!(hmac, KNOWN_SIG);
    let built = live::build_app_verifier(APPID, TS, &keys());
    // Assent accepts it at TS, as the query parser delivers it (decoded once).
    let parsed = live::parse_app_verifier(&live::url_decode(&urlenc(&built))).unwrap();
    parsed.check(&[keys()], TS, 3600, 300).unwrap();
    let app = urlenc(&built);
    labelled(&[
        ("signed", &signed),
        ("HMAC", &hmac),
        ("verifier", &built),
        ("app", &app),
    ])
}

pub(super) fn consent_request_example() -> String {
    let ps = "Contacts.Read,Profiles.Read";
    let url = format!(
        "{BASE}/consent?ps={}&ru={}&app={}&appctx={}",
        urlenc(ps),
        urlenc(RU),
        urlenc(&live::build_app_verifier(APPID, TS, &keys())),
        urlenc("state 42")
    );
    // What the server reads from it.
    let params = Params::parse(url.split_once('?').unwrap().1);
    assert_eq!(params.get("ru"), Some(RU));
    assert_eq!(params.get("appctx"), Some("state 42"));
    PermissionList::parse_ps(params.get("ps").unwrap()).unwrap();
    let verifier = live::parse_app_verifier(params.get("app").unwrap()).unwrap();
    assert_eq!((verifier.appid.as_str(), verifier.ts), (APPID, TS));
    verifier.check(&[keys()], TS, 3600, 300).unwrap();
    url
}

pub(super) fn envelope_example() -> String {
    let k = keys();
    let plaintext = "greeting=hello%20world&n=42";
    let iv = bytes::<16>(0x00);
    let token = live::seal_with_iv(&k, plaintext, iv);
    let raw_b64 = live::url_decode_fully(&token);
    let raw = live::b64_decode_lenient(&raw_b64).unwrap();
    let opened = live::open(&k, &token).unwrap();
    labelled(&[
        ("plaintext", plaintext),
        ("HMAC", &b64(&k.sign(plaintext.as_bytes()))),
        ("signed", &opened.plaintext),
        ("IV", &hex::encode(iv)),
        ("ciphertext", &hex::encode(&raw[16..])),
        ("b64", &raw_b64),
        ("token", &token),
    ])
}

pub(super) fn consent_token_example() -> String {
    let value = consent_token_value();
    let opened = live::open_consent_token_field(&[keys()], &value).unwrap();
    assert_eq!(
        opened.names(),
        ["delt", "reft", "skey", "offer", "exp", "lid", "sig"]
    );
    assert_eq!(opened.get("delt"), Some(delt()));
    format!("{}\n\nConsentToken = {value}", field_lines(&opened))
}

pub(super) fn refresh_request_example() -> String {
    let reft = b64(&bytes::<32>(0x20));
    let url = format!(
        "{BASE}/consent/refresh?ps={}&reft={}&ru={}&app={}",
        urlenc("Contacts.Read"),
        urlenc(&reft),
        urlenc(RU),
        urlenc(&live::build_app_verifier(APPID, REFRESH_TS, &keys()))
    );
    let params = Params::parse(url.split_once('?').unwrap().1);
    assert_eq!(live::url_decode_fully(params.get("reft").unwrap()), reft);
    let verifier = live::parse_app_verifier(params.get("app").unwrap()).unwrap();
    verifier.check(&[keys()], REFRESH_TS, 3600, 300).unwrap();
    url
}

pub(super) fn refresh_errors_example() -> String {
    use RefreshError::*;
    let all = [
        InvalidApp,
        InvalidVerifier,
        InvalidRefreshToken,
        RefreshTokenReused,
        ConsentRevoked,
        ConsentExpired,
        InvalidReturnUrl,
        InvalidPermission,
    ];
    let lines: Vec<String> = all
        .iter()
        .map(|e| format!("{} {}", e.status(), e.body()))
        .collect();
    lines.join("\n")
}

pub(super) fn stoken_example() -> String {
    let server_key = ServerKey::from_bytes(&bytes::<32>(0xc0));
    let uid = server_key.pairwise_uid(42, APPID);
    let plaintext = webauth::stoken_plaintext(APPID, &uid, TS);
    let stoken = live::seal_with_iv(&keys(), &plaintext, bytes::<16>(0xa0));
    let opened = live::open(&keys(), &live::url_decode(&stoken)).unwrap();
    assert_eq!(opened.names(), ["appid", "uid", "ts", "flags", "sig"]);
    labelled(&[
        ("uid", &uid),
        ("plaintext", &plaintext),
        ("signed", &opened.plaintext),
        ("stoken", &stoken),
    ])
}
