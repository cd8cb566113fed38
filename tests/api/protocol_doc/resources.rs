//! The examples resource providers and rich clients see: the delegation token, the check
//! request, the Profiles resource and device tokens.
use super::*;

pub(super) fn delt_parts() -> (String, String) {
    let token = delt();
    let mut parts = token.split('.');
    let header = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    let payload = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    (
        String::from_utf8(header).unwrap(),
        String::from_utf8(payload).unwrap(),
    )
}

pub(super) fn delt_example() -> String {
    let key = signing_key();
    let token = delt();
    let verified: DelegationClaims = jws::verify(&token, &key.verifying_key(), TS).unwrap();
    assert_eq!(verified, claims());
    let public = hex::encode(key.public_key());
    labelled(&[
        ("seed", SEED_HEX),
        ("public", &public),
        ("kid", key.kid()),
        ("token", &token),
    ])
}

pub(super) fn device_request(content_type: &str, body: &str) -> String {
    let parsed = TokenRequest::parse(Some(content_type), body.as_bytes()).unwrap();
    assert_eq!(parsed.email, "ann@example.com");
    assert_eq!(parsed.manufacturer_id, "IMEI-490154203237518");
    assert_eq!(parsed.device_type.as_deref(), Some("phone"));
    body.to_string()
}

pub(super) fn device_answer_example() -> String {
    let info = TokenInfo {
        token_id: device::token_id(bytes::<16>(0xe0)),
        expiration: TS + 30 * DAY,
        user_id: LID.into(),
        device_id: "7205759403792793601".into(),
    };
    serde_json::to_string(&info).unwrap()
}

pub(super) fn rp_secret() -> String {
    b64url(&bytes::<32>(0x50))
}

pub(super) fn check_request_example() -> String {
    let authorization = format!(
        "Basic {}",
        b64(format!("{RP_ID}:{}", rp_secret()).as_bytes())
    );
    let form = [
        ("token", delt()),
        ("permission", "Contacts.Read".to_string()),
        ("lid", LID.to_string()),
    ];
    let body = serde_urlencoded::to_string(&form[..]).unwrap();
    // What the server reads from it.
    assert_eq!(
        assent::oauth::client::basic_raw(Some(&authorization)),
        Some((RP_ID.to_string(), rp_secret()))
    );
    let read: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
    let sent: Vec<(String, String)> = form
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    assert_eq!(read, sent);
    assert_eq!(assent::provider_cache::unescape_token(&read[0].1), delt());
    format!(
        "POST /delegation/check HTTP/1.1\nHost: assent.example\nAuthorization: {authorization}\n\
         Content-Type: application/x-www-form-urlencoded\n\n{body}"
    )
}

pub(super) fn active() -> ActiveToken {
    let c = claims();
    let offers: BTreeMap<String, i64> = c
        .offers
        .into_iter()
        .filter(|(p, _)| p.starts_with("Contacts."))
        .collect();
    ActiveToken {
        active: true,
        lid: c.sub,
        client_id: c.client_id,
        scope: offers.keys().cloned().collect::<Vec<_>>().join(" "),
        offers,
        resource: c.resource,
        exp: c.exp,
        iat: c.iat,
        family_id: GID,
    }
}

pub(super) fn profile_example() -> String {
    let profile = Profile {
        lid: LID.into(),
        name: "Ann Example".into(),
        email: "ann@example.com".into(),
        email_verified: true,
    };
    serde_json::to_string(&profile).unwrap()
}
