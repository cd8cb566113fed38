//! Offline verification with the JWKS, key rotation, and the built-in Profiles provider.

use assent::crypto::jws::peek_kid;
use jsonwebtoken::{decode, jwk::JwkSet, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

use super::{claims_of, World};
use crate::helpers::TestApp;

async fn jwks(w: &World) -> JwkSet {
    let r = w.app.get("/.well-known/jwks.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["cache-control"], "public, max-age=60");
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_delegation_token_verifies_offline_with_jsonwebtoken_against_the_jwks() {
    let w = World::new().await;
    let issued = w.grant(&["Contacts.Read", "News.Read"]);
    let token = &issued.delegation_token;
    let set = jwks(&w).await;
    let kid = peek_kid(token).unwrap();
    let jwk = set.find(&kid).expect("the token's kid is in the JWKS");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.leeway = 0;
    validation.set_issuer(&[&w.app.address]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    // The provider's own resource indicator is the audience it expects (docs/protocol.md 5).
    let news = format!("{}/resources/{}", w.app.address, w.news.rp_id);
    validation.set_audience(&[&news]);
    let data = decode::<Value>(token, &key, &validation).expect("verifies offline");
    let c = data.claims;
    assert_eq!(data.header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(c["iss"], w.app.address.as_str());
    assert_eq!(c["sub"], w.user.lid.as_str());
    assert_eq!(c["client_id"], w.appid.as_str());
    assert_eq!(c["scope"], "Contacts.Read News.Read");
    let offers: serde_json::Map<String, Value> = issued
        .offers
        .iter()
        .map(|(p, e)| (p.clone(), json!(e)))
        .collect();
    assert_eq!(c["offers"], Value::Object(offers));
    assert_eq!(c["gid"], issued.family_id.to_string());
    assert_eq!(c["exp"], issued.exp);
    assert!(c["jti"].is_string() && c["iat"].is_i64());

    // A different key or a changed claim does not verify.
    let mut other = validation.clone();
    other.set_issuer(&["https://elsewhere.example"]);
    assert!(decode::<Value>(token, &key, &other).is_err());
    let (stranger, _) = assent::crypto::jws::SigningKey::generate().unwrap();
    let foreign = stranger.sign(&claims_of(token)).unwrap();
    assert!(decode::<Value>(&foreign, &key, &validation).is_err());
}

#[tokio::test]
async fn after_a_key_rotation_old_tokens_still_check_and_new_ones_carry_the_new_kid() {
    let app = TestApp::spawn_with(|c| c.security.key_reload_secs = 0).await;
    let w = World::with(app);
    let old = w.grant(&["Contacts.Read"]).delegation_token;
    let old_kid = peek_kid(&old).unwrap();
    let (db, key) = (&w.app.state.db, &w.app.state.key);
    let rotated = assent::admin::rotate_keys(db, key, assent::clock::now()).unwrap();
    assert_ne!(rotated.kid, old_kid);
    let new = w.grant(&["Contacts.Read"]).delegation_token;
    assert_eq!(peek_kid(&new).unwrap(), rotated.kid);
    for t in [&old, &new] {
        let v = w.check(&w.contacts, &[("token", t)]).await;
        assert_eq!(v["active"], true, "{t}");
    }
    let set = jwks(&w).await;
    let kids: Vec<_> = set
        .keys
        .iter()
        .filter_map(|k| k.common.key_id.clone())
        .collect();
    assert!(
        kids.contains(&old_kid) && kids.contains(&rotated.kid),
        "{kids:?}"
    );
}

#[tokio::test]
async fn the_profiles_provider_serves_the_profile_only_for_a_token_with_profiles_read() {
    let w = World::new().await;
    let bob = w
        .app
        .create_user("bob@example.com", "a long enough password");
    let token = w.grant(&["Profiles.Read"]).delegation_token;
    let path = format!("/users/@L@{}/profile", w.user.lid);
    let get = |path: String, auth: Option<String>| {
        let mut req = w.app.client.get(format!("{}{path}", w.app.address));
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        req.send()
    };
    let encoded = token.replace('.', "%2E");
    for auth in [
        format!(r#"DelegatedToken dt="{token}""#),
        format!(r#"DelegatedToken dt="{encoded}""#),
        format!("Bearer {token}"),
    ] {
        let r = get(path.clone(), Some(auth.clone())).await.unwrap();
        assert_eq!(r.status(), 200, "{auth}");
        let v: Value = r.json().await.unwrap();
        let want = json!({"lid": w.user.lid, "name": "Test User", "email": "ann@example.com", "email_verified": true});
        assert_eq!(v, want);
    }
    // An address nobody verified is given out as such (issue 15 item 6).
    let lid = w.user.lid.clone();
    w.app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::users;
            use diesel::prelude::*;
            diesel::update(users::table.filter(users::lid.eq(&lid)))
                .set(users::email_verified_at.eq(None::<i64>))
                .execute(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    let auth = format!("Bearer {token}");
    let v: Value = get(path.clone(), Some(auth))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["email_verified"], false, "{v}");

    let contacts_only = w.grant(&["Contacts.Read"]).delegation_token;
    let bobs_path = format!("/users/@L@{}/profile", bob.lid);
    let refused = [
        (bobs_path, Some(format!(r#"DelegatedToken dt="{token}""#))),
        (path.clone(), None),
        (
            path.clone(),
            Some(format!(r#"DelegatedToken dt="{contacts_only}""#)),
        ),
        (path.clone(), Some("DelegatedToken dt=\"\"".to_string())),
        (path, Some(format!("Basic {token}"))),
    ];
    for (path, auth) in refused {
        let r = get(path.clone(), auth.clone()).await.unwrap();
        assert_eq!(r.status(), 401, "{path} {auth:?}");
        assert_eq!(
            r.headers()["www-authenticate"],
            r#"DelegatedToken realm="assent""#
        );
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "invalid_token");
    }
}
