//! docs/protocol.md: every worked example, recomputed byte for byte with Assent's own functions.
//!
//! The doc marks each example as a fenced block whose info string carries `example=<name>`. This
//! test reads the doc, recomputes every named block from the stated inputs with the functions the
//! server uses, and fails on any difference, on a missing example and on an unknown one. On a
//! difference the message shows the expected block, ready to paste.

use std::collections::BTreeMap;

use assent::crypto::jws::{self, DelegationClaims, SigningKey};
use assent::crypto::live::{self, urlenc, AppKeys};
use assent::crypto::{b64, b64url, ServerKey};
use assent::delauth::refresh::{success_body, RefreshError};
use assent::delauth::{token, webauth, Params};
use assent::device::{self, TokenInfo, TokenRequest};
use assent::domain::permission::PermissionList;
use assent::profile::Profile;
use assent::routes::check::answer_body;
use assent::tokens::{ActiveToken, Issued};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::provider::World;

mod live_formats;
mod resources;
use live_formats::*;
use resources::*;

/// The public 2008 test application (docs/protocol.md section 2).
const APPID: &str = "0016BFFD80013411";
const SECRET: &str = "b623d64e8f1d18bfe8b281d385ad461c1e8bbebb";
/// `now` of the examples: the consent, the verifier, the tokens.
const TS: i64 = 1_216_897_654;
/// The known-answer verifier signature for APPID, TS and SECRET.
const KNOWN_SIG: &str = "NJ3VHx6F9YMBZbCODuNcimejCqurCBXpEbWAclN4EZU=";
/// `now` of the refresh example (46 minutes later).
const REFRESH_TS: i64 = 1_216_900_414;
const BASE: &str = "https://assent.example";
const RU: &str = "https://contoso.example/auth";
const LID: &str = "6a9e4d31496a894d";
/// The RFC 8032 section 7.1 TEST 1 private key, as the example signing-key seed.
const SEED_HEX: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const GID: i64 = 1_234_567_890_123_456_789;
const DAY: i64 = 86_400;
const RP_ID: &str = "rp_3f2a9c0d5e7b1a46";
const DEVICE_REQUEST_JSON: &str = r#"{"email":"ann@example.com","password":"correct horse battery staple","manufacturerId":"IMEI-490154203237518","deviceType":"phone"}"#;
const DEVICE_REQUEST_FORM: &str = "email=ann%40example.com&password=correct+horse+battery+staple&manufacturerId=IMEI-490154203237518&deviceType=phone";

/// `N` bytes counting up from `first` (wrapping): the doc's "stated random bytes".
fn bytes<const N: usize>(first: u8) -> [u8; N] {
    std::array::from_fn(|i| first.wrapping_add(i as u8))
}

/// `label = value` lines, the labels padded to the longest.
fn labelled(rows: &[(&str, &str)]) -> String {
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let lines: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l:width$} = {v}"))
        .collect();
    lines.join("\n")
}

/// An opened envelope's fields, one `name=value` per line, values as in the plaintext.
fn field_lines(opened: &live::OpenedEnvelope) -> String {
    let lines: Vec<String> = opened
        .fields
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    lines.join("\n")
}

fn keys() -> AppKeys {
    AppKeys::derive(SECRET)
}

fn signing_key() -> SigningKey {
    let seed: [u8; 32] = hex::decode(SEED_HEX).unwrap().try_into().unwrap();
    SigningKey::from_seed(&seed).unwrap()
}

/// The grants of the consent example: Contacts.Read for 30 days, Profiles.Read for 7.
fn offers() -> Vec<(String, i64)> {
    vec![
        ("Contacts.Read".into(), TS + 30 * DAY),
        ("Profiles.Read".into(), TS + 7 * DAY),
    ]
}

/// The delegation token's claims exactly as `Issuer` fills them: `aud` names Assent's own
/// provider (`Profiles`) and the Contacts provider (`RP_ID`), sorted.
fn claims() -> DelegationClaims {
    let offers = offers();
    DelegationClaims {
        iss: BASE.into(),
        aud: Some(jws::Audience::of(vec![
            format!("{BASE}/resources/assent"),
            format!("{BASE}/resources/{RP_ID}"),
        ])),
        sub: LID.into(),
        client_id: APPID.into(),
        scope: offers
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        offers: offers.into_iter().collect(),
        resource: None,
        gid: GID.to_string(),
        jti: b64url(&bytes::<32>(0x80)),
        iat: TS,
        exp: TS + 3600,
    }
}

fn delt() -> String {
    signing_key().sign(&claims()).unwrap()
}

fn issued() -> Issued {
    Issued {
        family_id: GID,
        refresh_token: assent::crypto::PlainToken::from_exposed(b64(&bytes::<32>(0x20))),
        delegation_token: delt(),
        exp: TS + 3600,
        offers: offers(),
        lid: LID.into(),
    }
}

/// What the Contacts provider sees of the example token: only its own offer.
/// Every example of the doc: (name, exact content).
fn expected() -> Vec<(&'static str, String)> {
    let live_2008 = fixture()["consent_token_field"]
        .as_str()
        .unwrap()
        .to_string();
    let (header, payload) = delt_parts();
    let jwks = serde_json::to_string(&jws::jwks(&[signing_key().verifying_key()])).unwrap();
    let form = "application/x-www-form-urlencoded";
    vec![
        ("live-2008-token", live_2008),
        ("live-2008-opened", live_2008_opened()),
        ("keys", key_example()),
        ("envelope", envelope_example()),
        ("verifier", verifier_example()),
        ("consent-request", consent_request_example()),
        ("consent-token", consent_token_example()),
        ("delt-header", header),
        ("delt-claims", payload),
        ("delt", delt_example()),
        ("jwks", jwks),
        ("check-request", check_request_example()),
        ("check-active", answer_body(Some(&active())).unwrap()),
        ("check-inactive", answer_body(None).unwrap()),
        ("profile", profile_example()),
        ("refresh-request", refresh_request_example()),
        ("refresh-answer", success_body(&consent_token_value())),
        ("refresh-errors", refresh_errors_example()),
        (
            "device-request-json",
            device_request("application/json", DEVICE_REQUEST_JSON),
        ),
        (
            "device-request-form",
            device_request(form, DEVICE_REQUEST_FORM),
        ),
        ("device-answer", device_answer_example()),
        ("stoken", stoken_example()),
    ]
}

/// The named example blocks of a markdown text, in order: (name, content without the fences).
fn blocks(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let name = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("example="))
            .map(str::to_string);
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if let Some(name) = name {
            out.push((name, body.join("\n")));
        }
    }
    out
}

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/protocol.md");
    std::fs::read_to_string(path).expect("docs/protocol.md exists")
}

#[test]
fn every_worked_example_of_the_protocol_doc_is_what_assent_computes() {
    let found = blocks(&doc());
    let expected = expected();
    let mut failures = Vec::new();
    for (name, _) in &found {
        if !expected.iter().any(|(n, _)| n == name) {
            failures.push(format!("the doc has an unknown example {name:?}"));
        }
        if found.iter().filter(|(n, _)| n == name).count() > 1 {
            failures.push(format!("the doc has example {name:?} more than once"));
        }
    }
    for (name, want) in &expected {
        match found.iter().find(|(n, _)| n == name) {
            None => failures.push(format!(
                "the doc lacks example {name:?}; expected:\n{want}\n"
            )),
            Some((_, got)) if got != want => {
                failures.push(format!("example {name:?} differs; expected:\n{want}\n"))
            }
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_example_blocks_are_found_by_name() {
    let doc =
        "x\n```text example=a\nline 1\nline 2\n```\n```json\n{}\n```\n```json example=b\n{}\n```\n";
    assert_eq!(
        blocks(doc),
        [
            ("a".to_string(), "line 1\nline 2".to_string()),
            ("b".to_string(), "{}".to_string())
        ]
    );
}

/// The running server writes its tokens and check answers with the layouts the examples show.
#[tokio::test]
async fn the_server_writes_what_the_examples_show() {
    let world = World::new().await;
    let issued = world.grant(&["Contacts.Read"]);
    let token = &issued.delegation_token;

    // The delegation token: the header of section 5, the claims as DelegationClaims serializes
    // them (the delt-claims layout).
    let mut parts = token.split('.').map(|p| URL_SAFE_NO_PAD.decode(p).unwrap());
    let kid = jws::peek_kid(token).unwrap();
    let header = format!(r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{kid}"}}"#);
    assert_eq!(parts.next().unwrap(), header.as_bytes());
    let payload = parts.next().unwrap();
    let claims: DelegationClaims = serde_json::from_slice(&payload).unwrap();
    assert_eq!(serde_json::to_vec(&claims).unwrap(), payload);
    assert_eq!(claims.iss, world.app.state.public_url);
    let contacts = format!("{}/resources/{}", claims.iss, world.contacts.rp_id);
    assert_eq!(claims.aud, Some(jws::Audience::One(contacts)));
    assert_eq!(claims.exp - claims.iat, 3600);
    assert_eq!(claims.gid, issued.family_id.to_string());

    // The check endpoint's answers, byte for byte as answer_body writes them.
    let form = [("token", token.as_str())];
    let r = world
        .check_as(&world.contacts.rp_id, &world.contacts.secret, &form)
        .await;
    assert_eq!(r.headers()["content-type"], "application/json");
    let body = r.text().await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let offers: BTreeMap<String, i64> = serde_json::from_value(v["offers"].clone()).unwrap();
    let active = ActiveToken {
        active: true,
        lid: v["lid"].as_str().unwrap().into(),
        client_id: v["client_id"].as_str().unwrap().into(),
        offers,
        resource: None,
        exp: v["exp"].as_i64().unwrap(),
        iat: v["iat"].as_i64().unwrap(),
        scope: String::new(),
        family_id: 0,
    };
    assert_eq!(body, answer_body(Some(&active)).unwrap());
    assert_eq!(active.lid, world.user.lid);
    let r = world
        .check_as(&world.news.rp_id, &world.news.secret, &form)
        .await;
    assert_eq!(r.text().await.unwrap(), answer_body(None).unwrap());
}
