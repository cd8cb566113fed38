//! Secret rollover (docs/protocol.md section 1): until the deadline Assent accepts verifiers signed with
//! either secret and keeps sealing with the OLD one; after it, only the new secret works.

use assent::crypto::live::{self, urlenc};
use diesel::prelude::*;

use crate::helpers::TestApp;
use crate::website::Website;
use crate::wlogin::{consent, sdk_open_stoken, stoken_of, PASSWORD};

const NEW_SECRET: &str = "the-new-secret-of-this-website";

/// The same website holding its new secret.
fn with_new_secret(site: &Website) -> Website {
    Website {
        appid: site.appid.clone(),
        secret: NEW_SECRET.into(),
        return_url: site.return_url.clone(),
    }
}

fn opens_with(site: &Website, consent_token: &str) -> bool {
    live::open_consent_token_field(&[site.keys()], consent_token).is_ok()
}

fn end_rollover_now(app: &TestApp, appid: &str) {
    let past = assent::clock::now() - 1;
    let appid = appid.to_string();
    let changed = app
        .state
        .db
        .run_sync(move |conn| {
            use assent::db::schema::applications::dsl as a;
            diesel::update(a::applications.filter(a::appid.eq(&appid)))
                .set(a::old_secret_expires_at.eq(Some(past)))
                .execute(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_eq!(changed, 1);
}

#[tokio::test]
async fn a_rollover_accepts_both_secrets_and_seals_with_the_old_one_until_its_deadline() {
    let app = TestApp::spawn().await;
    let old = Website::register(&app, "https://contoso.example/cb");
    let new = with_new_secret(&old);
    let user = app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    let changed = assent::admin::change_secret(
        &app.state.db,
        &app.state.key,
        &old.appid,
        Some(NEW_SECRET),
        Some(7 * 86_400),
        assent::clock::now(),
    )
    .unwrap();
    assert!(changed.secret.is_none(), "a set secret is not printed back");

    // Before the deadline: verifiers of either secret are accepted; tokens are sealed with the old.
    for site in [&old, &new] {
        let token = consent(&app, site, "Profiles.Read").await;
        assert!(opens_with(&old, &token), "sealed with the old secret");
        assert!(!opens_with(&new, &token), "not with the new one yet");
        assert_eq!(old.open(&token).get("lid").unwrap(), user.lid);
    }
    let stoken = stoken_of(&app, &old).await;
    assert_eq!(stoken.get("appid").unwrap(), old.appid);
    let reft = old
        .open(&consent(&app, &old, "Profiles.Read").await)
        .get("reft")
        .unwrap();
    let r = app.get(&new.refresh_path("Profiles.Read", &reft)).await;
    assert_eq!(r.status(), 200, "refresh with a new-secret verifier");
    let body = r.text().await.unwrap();
    let value = &body["{\"ConsentToken\":\"".len()..body.len() - 2];
    assert!(opens_with(&old, value) && !opens_with(&new, value));

    // After the deadline: the old secret is refused everywhere and the new one seals.
    end_rollover_now(&app, &old.appid);
    let r = app.get(&old.consent_path("Profiles.Read", "")).await;
    assert_eq!(r.status(), 400, "an old-secret verifier is refused");
    assert!(r.text().await.unwrap().contains("signature"));
    let reft = old.open(value).get("reft").unwrap();
    let r = app.get(&old.refresh_path("Profiles.Read", &reft)).await;
    assert_eq!(r.status(), 401);
    let token = consent(&app, &new, "Profiles.Read").await;
    assert!(opens_with(&new, &token), "sealed with the new secret");
    assert!(!opens_with(&old, &token), "no longer with the old one");
    let r = crate::wlogin::wlogin(&app, &new, None).await;
    let html = r.text().await.unwrap();
    let (_, fields) = crate::wlogin::posted_fields(&html, &["stoken"]);
    assert!(sdk_open_stoken(&new, &fields[0].1).is_ok());
    assert!(sdk_open_stoken(&old, &fields[0].1).is_err());
}

#[tokio::test]
async fn a_secret_set_without_keep_old_for_ends_the_old_secret_at_once() {
    let app = TestApp::spawn().await;
    let old = Website::register(&app, "https://contoso.example/cb");
    let new = with_new_secret(&old);
    app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    let (db, key) = (&app.state.db, &app.state.key);
    let now = assent::clock::now();
    assent::admin::change_secret(db, key, &old.appid, Some(NEW_SECRET), None, now).unwrap();
    let r = app
        .get(&format!(
            "/consent?ps=Profiles.Read&ru={}&app={}",
            urlenc(&old.return_url),
            old.verifier()
        ))
        .await;
    assert_eq!(r.status(), 400);
    let token = consent(&app, &new, "Profiles.Read").await;
    assert!(opens_with(&new, &token) && !opens_with(&old, &token));
}
