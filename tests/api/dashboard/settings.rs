//! `GET /account`: changing the password ends every other session; signing out everywhere ends all.

use super::{csrf_on, location, post, signed_in_browser, Setup, PASSWORD};
use crate::helpers::browser;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Submit the password form on Alice's first browser.
async fn change(
    s: &Setup,
    csrf: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> reqwest::Response {
    let form = [
        ("csrf", csrf),
        ("current_password", current),
        ("new_password", new),
        ("confirm_password", confirm),
    ];
    post(&s.app, &s.app.client, "/account/password", &form).await
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let s = Setup::new().await;
    let phone = signed_in_browser(&s.app, "alice@example.com", PASSWORD).await;
    let me = &s.app.client;
    let csrf = csrf_on(&s.app, me, "/account").await;
    for (current, new, confirm, says) in [
        (
            "not my password",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "current password is not right",
        ),
        (PASSWORD, "short", "short", "at least 10 characters"),
        (PASSWORD, NEW_PASSWORD, "something else", "not the same"),
    ] {
        let r = change(&s, &csrf, current, new, confirm).await;
        assert_eq!(r.status(), 400, "{says}");
        assert!(r.text().await.unwrap().contains(says), "{says}");
    }
    let url = format!("{}/account", s.app.address);
    assert_eq!(
        phone.get(&url).send().await.unwrap().status(),
        200,
        "nothing changed yet"
    );
    let no_csrf = [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
    ];
    let r = post(&s.app, me, "/account/password", &no_csrf).await;
    assert_eq!(r.status(), 403);

    // A rich client signed in with the old password.
    let device: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/tokens", s.app.address))
        .json(&serde_json::json!({"email": "alice@example.com", "password": PASSWORD, "manufacturerId": "phone-1"}))
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
    assert_eq!(
        browser().get(&token_url).send().await.unwrap().status(),
        200
    );

    let r = change(&s, &csrf, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        browser().get(&token_url).send().await.unwrap().status(),
        404,
        "the device token ended with the old password"
    );
    assert_eq!(location(&r), "/account?done=password");
    let page = s.app.get("/account?done=password").await;
    assert_eq!(page.status(), 200, "this session stays");
    assert!(page.text().await.unwrap().contains("Password changed"));
    let r = phone.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 303, "the other session ended");
    assert_eq!(location(&r), "/signin?next=%2Faccount");

    let fresh = browser();
    let csrf = csrf_on(&s.app, &fresh, "/signin").await;
    let old = [
        ("email", "alice@example.com"),
        ("password", PASSWORD),
        ("csrf", &csrf),
    ];
    assert_eq!(post(&s.app, &fresh, "/signin", &old).await.status(), 401);
    signed_in_browser(&s.app, "alice@example.com", NEW_PASSWORD).await;
    let history = s.app.get("/account/history").await.text().await.unwrap();
    assert!(history.contains("Password changed"));
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_including_this_one() {
    let s = Setup::new().await;
    let phone = signed_in_browser(&s.app, "alice@example.com", PASSWORD).await;
    let me = &s.app.client;
    let r = post(
        &s.app,
        me,
        "/account/sign-out-everywhere",
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let csrf = csrf_on(&s.app, me, "/account").await;
    let r = post(
        &s.app,
        me,
        "/account/sign-out-everywhere",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/signin");
    for client in [me, &phone] {
        let r = client
            .get(format!("{}/account/consents", s.app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/signin?next=%2Faccount%2Fconsents");
    }
}
