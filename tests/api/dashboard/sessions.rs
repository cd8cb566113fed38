//! `GET /account` lists browser sessions (with their last use, this one marked) and devices (by
//! name), and signs them out one at a time; the name can change.

use diesel::prelude::*;

use super::{csrf_on, location, post, signed_in_browser, Setup, PASSWORD};
use crate::helpers::browser;

/// A device signs in as Alice; returns its token.
async fn device(s: &Setup, manufacturer_id: &str, kind: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/tokens", s.app.address))
        .json(
            &serde_json::json!({"email": "alice@example.com", "password": PASSWORD,
            "manufacturerId": manufacturer_id, "deviceType": kind}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    body["token_id"].as_str().unwrap().to_string()
}

/// The values of the hidden `id` inputs of the forms posting to `action`, in page order.
fn ids(html: &str, action: &str) -> Vec<String> {
    html.split(&format!("action=\"{action}\""))
        .skip(1)
        .map(|part| crate::helpers::hidden_value(part, "id").unwrap())
        .collect()
}

/// The id in the session or device row that shows `text`.
fn row_id(html: &str, text: &str) -> String {
    let row = html
        .split("<li class=\"session-row\">")
        .find(|row| row.contains(text))
        .unwrap();
    crate::helpers::hidden_value(row, "id").unwrap()
}

/// The session id of the row marked "This browser".
fn current_id(html: &str) -> String {
    row_id(html, "This browser</span>")
}

fn last_seen(s: &Setup) -> Vec<i64> {
    s.app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::sessions::dsl::*;
            sessions
                .filter(user_id.eq(s.alice.id))
                .select(last_seen_at)
                .load::<i64>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

#[tokio::test]
async fn the_account_page_lists_sessions_and_devices_and_signs_them_out_one_at_a_time() {
    let s = Setup::configured("https://contoso.example/cb", |c| {
        c.security.device_token_policy = assent::config::DeviceTokenPolicy::OnePerDevice;
    })
    .await;
    let phone = signed_in_browser(&s.app, "alice@example.com", PASSWORD).await;
    let pixel = device(&s, "pixel-7", "phone").await;
    let laptop = device(&s, "work-laptop", "desktop").await;
    let html = s.app.get("/account").await.text().await.unwrap();
    let sessions = ids(&html, "/account/sessions/end");
    assert_eq!(sessions.len(), 2, "two browser sessions");
    assert_eq!(
        html.matches("This browser</span>").count(),
        1,
        "this one marked"
    );
    assert!(html.contains("Last used <time"));
    assert!(html.contains("phone “pixel-7”") && html.contains("desktop “work-laptop”"));
    let devices = ids(&html, "/account/devices/end");
    assert_eq!(devices.len(), 2);
    let url = format!("{}/account", s.app.address);
    // The phone's session: the row its own page marks as this browser.
    let phones = phone.get(&url).send().await.unwrap().text().await.unwrap();
    let phone_id = current_id(&phones);
    assert!(sessions.contains(&phone_id));
    assert_ne!(current_id(&html), phone_id);

    // Without the CSRF token, or for someone else, nothing ends.
    let r = post(
        &s.app,
        &s.app.client,
        "/account/sessions/end",
        &[("id", &phone_id)],
    )
    .await;
    assert_eq!(r.status(), 403);
    s.app.create_user("bob@example.com", PASSWORD);
    let bob = signed_in_browser(&s.app, "bob@example.com", PASSWORD).await;
    let bobs = csrf_on(&s.app, &bob, "/account").await;
    for (action, id) in [
        ("/account/sessions/end", &phone_id),
        ("/account/devices/end", &devices[0]),
    ] {
        let r = post(&s.app, &bob, action, &[("csrf", &bobs), ("id", id)]).await;
        assert_eq!(location(&r), "/account?done=nothing", "{action}");
    }
    let r = post(
        &s.app,
        &bob,
        "/account/sessions/end",
        &[("csrf", &bobs), ("id", "x")],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(phone.get(&url).send().await.unwrap().status(), 200);

    // Alice signs the phone out.
    let csrf = csrf_on(&s.app, &s.app.client, "/account").await;
    let form = [("csrf", csrf.as_str()), ("id", phone_id.as_str())];
    let r = post(&s.app, &s.app.client, "/account/sessions/end", &form).await;
    assert_eq!(location(&r), "/account?done=session");
    assert_eq!(
        location(&phone.get(&url).send().await.unwrap()),
        "/signin?next=%2Faccount",
        "the phone is signed out"
    );
    assert_eq!(
        s.app.get("/account").await.status(),
        200,
        "this browser is not"
    );

    // And one device.
    let token_url = |t: &str| format!("{}/tokens/{t}", s.app.address);
    let laptop_id = row_id(&html, "desktop “work-laptop”");
    assert!(devices.contains(&laptop_id));
    let form = [("csrf", csrf.as_str()), ("id", laptop_id.as_str())];
    let r = post(&s.app, &s.app.client, "/account/devices/end", &form).await;
    assert_eq!(location(&r), "/account?done=device");
    let status = |t: String| async move { browser().get(t).send().await.unwrap().status() };
    assert_eq!(
        status(token_url(&laptop)).await,
        404,
        "the laptop is signed out"
    );
    assert_eq!(status(token_url(&pixel)).await, 200, "the phone app is not");

    let history = s.app.get("/account/history").await.text().await.unwrap();
    assert!(history.contains("Signed out a browser"));
    assert!(history.contains("You signed out desktop “work-laptop”."));

    // Signing out this very browser from the list signs it out.
    let html = s.app.get("/account").await.text().await.unwrap();
    let this = ids(&html, "/account/sessions/end");
    assert_eq!(this.len(), 1);
    let form = [("csrf", csrf.as_str()), ("id", this[0].as_str())];
    let r = post(&s.app, &s.app.client, "/account/sessions/end", &form).await;
    assert_eq!(location(&r), "/signin");
    assert_eq!(s.app.get("/account").await.status(), 303);
}

#[tokio::test]
async fn a_sessions_last_use_is_written_at_most_once_a_minute() {
    let s = Setup::new().await;
    let set_seen = |ago: i64| {
        s.app
            .state
            .db
            .run_sync(|conn| {
                use assent::db::schema::sessions::dsl::*;
                diesel::update(sessions.filter(user_id.eq(s.alice.id)))
                    .set(last_seen_at.eq(assent::clock::now() - ago))
                    .execute(conn)
                    .map_err(assent::db::DbError::from)
            })
            .unwrap()
    };
    set_seen(3 * 3_600);
    let html = s.app.get("/account").await.text().await.unwrap();
    assert!(html.contains("Last used <time"));
    let now = assent::clock::now();
    assert!(
        last_seen(&s)[0] >= now - 5,
        "an hour-old last use is brought up to date"
    );
    set_seen(30);
    let before = last_seen(&s)[0];
    s.app.get("/account/consents").await;
    assert_eq!(last_seen(&s)[0], before, "not again within the minute");
    set_seen(61);
    s.app.get("/account/consents").await;
    assert!(last_seen(&s)[0] > before);
}

#[tokio::test]
async fn the_name_can_change_and_the_history_says_so() {
    let s = Setup::new().await;
    let csrf = csrf_on(&s.app, &s.app.client, "/account").await;
    let form = [("csrf", csrf.as_str()), ("name", "  Alice Liddell ")];
    let r = post(&s.app, &s.app.client, "/account/name", &form).await;
    assert_eq!(location(&r), "/account?done=name");
    let html = s.app.get("/account?done=name").await.text().await.unwrap();
    assert!(html.contains("<dd>Alice Liddell</dd>") && html.contains("Name changed."));
    let history = s.app.get("/account/history").await.text().await.unwrap();
    assert!(history.contains("Your name is now Alice Liddell."));
    for bad in ["", "   ", &"x".repeat(101)] {
        let form = [("csrf", csrf.as_str()), ("name", bad)];
        let r = post(&s.app, &s.app.client, "/account/name", &form).await;
        assert_eq!(r.status(), 400, "{bad:?}");
    }
    let r = post(
        &s.app,
        &s.app.client,
        "/account/name",
        &[("name", "Mallory")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(s
        .app
        .get("/account")
        .await
        .text()
        .await
        .unwrap()
        .contains("<dd>Alice Liddell</dd>"));
}
