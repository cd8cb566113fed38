//! Downloading the account's data (JSON, an attachment, no secret in it) and deleting the account
//! (a confirmation with the password, limited like sign-in; then every grant is revoked at once for
//! refresh and the check endpoint, every session and device ends, and the email is free again).

use serde_json::{json, Value};

use super::{csrf_on, location, post, signed_in_browser, Setup, DAY, PASSWORD};
use crate::helpers::{browser, csrf_in};

#[tokio::test]
async fn the_data_download_holds_every_grant_and_history_entry_and_no_secret() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read", "News.Read"]);
    let fabrikam = s.other_app("Fabrikam");
    s.grant_to(&fabrikam, &s.alice, &[("News.Write", -DAY)]);
    s.revoke(&s.app.client, &s.site.appid, "Contacts.Read")
        .await;
    let r = post(&s.app, &s.app.client, "/account/data", &[]).await;
    assert_eq!(r.status(), 403, "a POST with the CSRF token only");
    assert_eq!(s.app.get("/account/data").await.status(), 404);

    let csrf = csrf_on(&s.app, &s.app.client, "/account").await;
    let r = post(&s.app, &s.app.client, "/account/data", &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"assent-data-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    let text = r.text().await.unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["email"], "alice@example.com");
    assert_eq!(data["account"]["user_id"], s.alice.lid.as_str());
    let grants = data["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 3, "active, revoked and expired: {grants:?}");
    let find = |p: &str| grants.iter().find(|g| g["permission"] == p).unwrap();
    assert_eq!(find("News.Read")["active"], true);
    assert_eq!(find("News.Read")["description"], "Read your news feed");
    assert_eq!(
        find("News.Read")["app"],
        json!({"appid": s.site.appid, "name": "Contoso Test Site"})
    );
    assert!(find("Contacts.Read")["revoked_at"].is_string());
    assert_eq!(find("Contacts.Read")["active"], false);
    assert_eq!(find("News.Write")["active"], false);
    let history = data["history"].as_array().unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["sign_in", "grant", "revoke"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    // No secret: no hash of any kind, no token.
    for secret in [
        "argon2",
        "password_hash",
        "token_hash",
        issued.refresh_token.expose(),
        issued.delegation_token.as_str(),
    ] {
        assert!(!text.contains(secret), "the download holds {secret}");
    }
    let hex64 = text
        .split('"')
        .any(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!hex64, "no SHA-256 in the download");
}

#[tokio::test]
async fn deleting_the_account_confirms_with_the_password_then_ends_everything_at_once() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read", "News.Read"]);
    let phone = signed_in_browser(&s.app, "alice@example.com", PASSWORD).await;
    let device: Value = reqwest::Client::new()
        .post(format!("{}/tokens", s.app.address))
        .json(&json!({"email": "alice@example.com", "password": PASSWORD, "manufacturerId": "pixel-7"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token_url = format!(
        "{}/tokens/{}",
        s.app.address,
        device["token_id"].as_str().unwrap()
    );

    let page = s.app.get("/account/delete").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Delete your account?"));
    assert!(html.contains("1 app loses its access"));
    assert!(html.contains("2 browser sessions and 1 device</strong> are signed out"));
    let csrf = csrf_in(&html).unwrap();

    // Without the CSRF token, or with a wrong password: nothing happens.
    let r = post(
        &s.app,
        &s.app.client,
        "/account/delete",
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 403);
    let wrong = [("csrf", csrf.as_str()), ("password", "not my password")];
    let r = post(&s.app, &s.app.client, "/account/delete", &wrong).await;
    assert_eq!(r.status(), 401);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Your account was not deleted"));
    let delt = issued.delegation_token.as_str();
    assert_eq!(s.check(&s.contacts, delt).await["active"], true);

    let right = [("csrf", csrf.as_str()), ("password", PASSWORD)];
    let r = post(&s.app, &s.app.client, "/account/delete", &right).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/account/deleted");
    let page = s.app.get("/account/deleted").await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Your account is deleted"));

    // At once: checks and refreshes refuse, sessions and the device token are gone.
    assert_eq!(s.check(&s.contacts, delt).await, json!({ "active": false }));
    assert_eq!(s.check(&s.news, delt).await, json!({ "active": false }));
    assert!(s
        .refresh("News.Read", issued.refresh_token.expose())
        .await
        .is_err());
    assert_eq!(
        browser().get(&token_url).send().await.unwrap().status(),
        404
    );
    for client in [&s.app.client, &phone] {
        let r = client
            .get(format!("{}/account", s.app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/signin?next=%2Faccount");
    }
    assert_eq!(
        s.app.sign_in("alice@example.com", PASSWORD).await.status(),
        401
    );

    // The email is free again: a new account with another password can be made and signed in to
    // (sign-up answers "check your inbox" whether or not the address is taken).
    let fresh = browser();
    let csrf = csrf_on(&s.app, &fresh, "/signup").await;
    let new_password = "another long enough password";
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Alice again"),
        ("email", "alice@example.com"),
        ("password", new_password),
        ("next", "/account"),
    ];
    let r = post(&s.app, &fresh, "/signup", &form).await;
    assert_eq!(r.status(), 200);
    let fresh = signed_in_browser(&s.app, "alice@example.com", new_password).await;
    let history = fresh
        .get(format!("{}/account/history", s.app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!history.contains("Contoso"), "nothing of the old account");
}

#[tokio::test]
async fn wrong_passwords_on_the_deletion_page_meet_the_sign_in_limit() {
    let s = Setup::new().await;
    let limit = s.app.config.security.sign_in_max_failures_per_account;
    let csrf = csrf_on(&s.app, &s.app.client, "/account/delete").await;
    let wrong = [("csrf", csrf.as_str()), ("password", "not my password")];
    for _ in 0..limit {
        let r = post(&s.app, &s.app.client, "/account/delete", &wrong).await;
        assert_eq!(r.status(), 401);
    }
    let right = [("csrf", csrf.as_str()), ("password", PASSWORD)];
    let r = post(&s.app, &s.app.client, "/account/delete", &right).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        s.app.get("/account").await.status(),
        200,
        "the account is still there"
    );
}
