//! Resource providers: `POST /delegation/check`, the JWKS, offline verification, key rotation, the
//! built-in Profiles provider and `catalogue apply`.

mod audience;
mod catalogue;
mod coalesced;
mod full_grantable;
mod keys;

use assent::admin::{self, CreatedProvider, CreatedUser};
use assent::db::DbError;
use assent::domain::permission::Permission;
use assent::tokens::issue::GrantRequest;
use assent::tokens::Issued;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const DAY: i64 = 86_400;

/// An app, a user, a website and two resource providers: `Contacts` (Read, Write, Full) belongs to
/// `contacts`, `News` (Read) to `news`.
pub struct World {
    pub app: TestApp,
    pub user: CreatedUser,
    pub appid: String,
    pub application_id: i64,
    pub contacts: CreatedProvider,
    pub news: CreatedProvider,
}

impl World {
    pub async fn new() -> World {
        World::with(TestApp::spawn().await)
    }

    pub fn with(app: TestApp) -> World {
        let user = app.create_user("ann@example.com", "a long enough password");
        let (db, key) = (&app.state.db, &app.state.key);
        let urls = ["https://contoso.example/cb".to_string()];
        let reg = admin::AppRegistration {
            name: "Contoso",
            return_urls: &urls,
            ..Default::default()
        };
        let appid = admin::create_app(db, key, &reg, 1).unwrap().appid;
        let application_id = db
            .run_sync(|conn| {
                assent::db::application::find_by_appid(conn, &appid).map_err(DbError::from)
            })
            .unwrap()
            .unwrap()
            .id;
        let contacts = admin::create_provider(db, "Contacts service", false, 1).unwrap();
        let actions = ["Read", "Write", "Full"].map(|a| (a.to_string(), format!("{a} contacts")));
        admin::add_offer(db, &contacts.rp_id, "Contacts", &actions, &[]).unwrap();
        let news = admin::create_provider(db, "News service", false, 1).unwrap();
        let actions = [("Read".to_string(), "Read your news".to_string())];
        admin::add_offer(db, &news.rp_id, "News", &actions, &[]).unwrap();
        World {
            app,
            user,
            appid,
            application_id,
            contacts,
            news,
        }
    }

    /// Grant `perms` (each with its expiry relative to now) to the website for `user`.
    pub fn grant_for(
        &self,
        user: &CreatedUser,
        perms: &[(&str, i64)],
        resource: Option<&str>,
    ) -> Issued {
        let now = assent::clock::now();
        let permissions: Vec<(Permission, i64)> = perms
            .iter()
            .map(|(p, ttl)| (Permission::parse(p).unwrap(), now + ttl))
            .collect();
        let req = GrantRequest {
            user_id: user.id,
            lid: &user.lid,
            application_id: self.application_id,
            appid: &self.appid,
            protocol: "live",
            resource,
            permissions: &permissions,
        };
        let state = &self.app.state;
        state
            .db
            .transaction_sync(|conn| state.issuer.grant(conn, &req, now))
            .unwrap()
    }

    /// Grant `perms` for a day to the website for the world's user.
    pub fn grant(&self, perms: &[&str]) -> Issued {
        let perms: Vec<(&str, i64)> = perms.iter().map(|p| (*p, DAY)).collect();
        self.grant_for(&self.user, &perms, None)
    }

    /// POST `/delegation/check` as `rp` (HTTP Basic with its id and secret).
    pub async fn check(&self, rp: &CreatedProvider, form: &[(&str, &str)]) -> Value {
        let r = self.check_as(&rp.rp_id, &rp.secret, form).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        r.json().await.unwrap()
    }

    /// POST `/delegation/check` with any Basic credentials.
    pub async fn check_as(
        &self,
        user: &str,
        password: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.app
            .client
            .post(format!("{}/delegation/check", self.app.address))
            .basic_auth(user, Some(password))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// The inactive answer, exactly.
pub fn inactive() -> Value {
    json!({ "active": false })
}

/// The decoded claims of a compact JWS (not verified).
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn check_answers_active_for_a_granted_permission_directly_or_through_full() {
    let w = World::new().await;
    let issued = w.grant(&["Contacts.Read"]);
    let t = issued.delegation_token.as_str();
    let v = w.check(&w.contacts, &[("token", t)]).await;
    assert_eq!(v["active"], true);
    assert_eq!(v["lid"], w.user.lid.as_str());
    assert_eq!(v["client_id"], w.appid.as_str());
    assert_eq!(v["offers"], json!({ "Contacts.Read": issued.offers[0].1 }));
    assert_eq!(v["exp"], issued.exp);
    assert_eq!(v["iat"], claims_of(t)["iat"]);
    let asked = [("token", t), ("permission", "Contacts.Read")];
    assert_eq!(w.check(&w.contacts, &asked).await["active"], true);
    let asked = [
        ("token", t),
        ("lid", &w.user.lid),
        ("permission", "Contacts.Read"),
    ];
    assert_eq!(w.check(&w.contacts, &asked).await["active"], true);

    let full = w.grant(&["Contacts.Full"]);
    let asked = [
        ("token", full.delegation_token.as_str()),
        ("permission", "Contacts.Read"),
    ];
    let v = w.check(&w.contacts, &asked).await;
    assert_eq!(v["active"], true);
    assert_eq!(v["offers"], json!({ "Contacts.Full": full.offers[0].1 }));
}

#[tokio::test]
async fn check_is_inactive_once_the_grant_is_revoked_expired_or_its_family_revoked() {
    let w = World::new().await;
    let (db, now) = (&w.app.state.db, assent::clock::now());
    let revoked = w.grant(&["Contacts.Read"]);
    let form = [("token", revoked.delegation_token.as_str())];
    assert_eq!(w.check(&w.contacts, &form).await["active"], true);
    db.transaction_sync::<_, DbError>(|conn| {
        Ok(assent::db::grant::revoke_permission(
            conn,
            w.user.id,
            w.application_id,
            "Contacts.Read",
            now,
        )?)
    })
    .unwrap();
    assert_eq!(w.check(&w.contacts, &form).await, inactive());

    let expired = w.grant_for(&w.user, &[("Contacts.Write", -10)], None);
    let form = [("token", expired.delegation_token.as_str())];
    assert_eq!(w.check(&w.contacts, &form).await, inactive());

    let family = w.grant(&["Contacts.Full"]);
    let form = [("token", family.delegation_token.as_str())];
    assert_eq!(w.check(&w.contacts, &form).await["active"], true);
    db.transaction_sync::<_, DbError>(|conn| {
        Ok(assent::db::grant::revoke_family(
            conn,
            family.family_id,
            "user",
            now,
        )?)
    })
    .unwrap();
    assert_eq!(w.check(&w.contacts, &form).await, inactive());
}

#[tokio::test]
async fn check_is_inactive_for_tampered_foreign_unsigned_and_hmac_tokens() {
    let w = World::new().await;
    let token = w.grant(&["Contacts.Read"]).delegation_token;
    let (header, rest) = token.split_once('.').unwrap();
    let (payload, _) = rest.split_once('.').unwrap();

    let mut tampered = token.clone().into_bytes();
    let at = header.len() + 8;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();

    let (stranger, _) = assent::crypto::jws::SigningKey::generate().unwrap();
    let foreign = stranger.sign(&claims_of(&token)).unwrap();
    let relabelled = format!("{header}.{payload}.{}", foreign.rsplit('.').next().unwrap());

    let kid = assent::crypto::jws::peek_kid(&token).unwrap();
    let forge = |alg: &str| {
        let h = format!(r#"{{"alg":"{alg}","typ":"at+jwt","kid":"{kid}"}}"#);
        format!("{}.{payload}", URL_SAFE_NO_PAD.encode(h))
    };
    let none = format!("{}.", forge("none"));
    // HS256 keyed with the public key: the classic algorithm-confusion forgery.
    let jwks: Value = w
        .app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let public = URL_SAFE_NO_PAD
        .decode(jwks["keys"][0]["x"].as_str().unwrap())
        .unwrap();
    let input = forge("HS256");
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public),
        input.as_bytes(),
    );
    let hs256 = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));

    for bad in [
        &tampered,
        &foreign,
        &relabelled,
        &none,
        &hs256,
        "",
        "garbage",
        "a.b.c",
    ] {
        assert_eq!(
            w.check(&w.contacts, &[("token", bad)]).await,
            inactive(),
            "{bad}"
        );
    }
    assert_eq!(
        w.check(&w.contacts, &[("token", &token)]).await["active"],
        true
    );
}

#[tokio::test]
async fn check_is_inactive_for_a_permission_lid_or_resource_that_does_not_match() {
    let w = World::new().await;
    let bob = w
        .app
        .create_user("bob@example.com", "a long enough password");
    let issued = w.grant_for(&w.user, &[("Contacts.Read", DAY)], Some("book-7"));
    let t = issued.delegation_token.as_str();
    let asks: [&[(&str, &str)]; 8] = [
        &[("permission", "Contacts.Write")],
        &[("permission", "Contacts.Full")],
        &[("permission", "Contacts")],
        &[("permission", "Contacts.Read.Write")],
        &[("permission", "")],
        &[("lid", &bob.lid)],
        &[("resource", "book-8")],
        &[("resource", "")],
    ];
    for ask in asks {
        let form: Vec<(&str, &str)> = [("token", t)]
            .into_iter()
            .chain(ask.iter().copied())
            .collect();
        assert_eq!(w.check(&w.contacts, &form).await, inactive(), "{ask:?}");
    }
    let ok = [("token", t), ("resource", "book-7"), ("lid", &w.user.lid)];
    let v = w.check(&w.contacts, &ok).await;
    assert_eq!(
        (&v["active"], &v["resource"]),
        (&json!(true), &json!("book-7"))
    );
    let unscoped = w.grant(&["Contacts.Read"]).delegation_token;
    let form = [("token", unscoped.as_str()), ("resource", "book-7")];
    assert_eq!(w.check(&w.contacts, &form).await, inactive());
}

#[tokio::test]
async fn a_provider_sees_only_its_own_offers() {
    let w = World::new().await;
    let issued = w.grant(&["Contacts.Read", "News.Read", "Profiles.Read"]);
    let t = issued.delegation_token.as_str();
    let exp_of = |p: &str| issued.offers.iter().find(|(name, _)| name == p).unwrap().1;
    let v = w.check(&w.contacts, &[("token", t)]).await;
    assert_eq!(
        v["offers"],
        json!({ "Contacts.Read": exp_of("Contacts.Read") })
    );
    let v = w.check(&w.news, &[("token", t)]).await;
    assert_eq!(v["offers"], json!({ "News.Read": exp_of("News.Read") }));
    let asked = [("token", t), ("permission", "News.Read")];
    assert_eq!(w.check(&w.contacts, &asked).await, inactive());
    let asked = [("token", t), ("permission", "Profiles.Read")];
    assert_eq!(w.check(&w.contacts, &asked).await, inactive());
    // A token with none of this provider's offers is inactive for it.
    let news_only = w.grant(&["News.Read"]).delegation_token;
    assert_eq!(
        w.check(&w.contacts, &[("token", &news_only)]).await,
        inactive()
    );
}

#[tokio::test]
async fn bad_or_missing_provider_credentials_are_a_401_and_a_url_encoded_token_still_checks() {
    let w = World::new().await;
    let token = w.grant(&["Contacts.Read"]).delegation_token;
    let form = [("token", token.as_str())];
    let wrong = [
        (w.contacts.rp_id.as_str(), w.news.secret.as_str()),
        (w.contacts.rp_id.as_str(), ""),
        ("rp_nobody", w.contacts.secret.as_str()),
        ("", ""),
    ];
    for (user, password) in wrong {
        let r = w.check_as(user, password, &form).await;
        assert_eq!(r.status(), 401, "{user}");
        assert_eq!(r.headers()["www-authenticate"], r#"Basic realm="assent""#);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
    let url = format!("{}/delegation/check", w.app.address);
    let r = w.app.client.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], r#"Basic realm="assent""#);
    let r = w
        .app
        .client
        .post(&url)
        .header("Authorization", "Basic !!!")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let once = token.replace('.', "%2E");
    let twice = token.replace('.', "%252e");
    for t in [&once, &twice] {
        assert_eq!(
            w.check(&w.contacts, &[("token", t)]).await["active"],
            true,
            "{t}"
        );
    }
    // Client mistakes are 4xx, never 5xx.
    let r = w
        .check_as(
            &w.contacts.rp_id,
            &w.contacts.secret,
            &[("permission", "Contacts.Read")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = w
        .app
        .client
        .post(&url)
        .basic_auth(&w.contacts.rp_id, Some(&w.contacts.secret))
        .body("token=a&token=b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
