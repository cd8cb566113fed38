//! Device tokens for rich clients: `POST /tokens`, `GET|DELETE /tokens/{id}`, `X-Token` on `/me`.

use std::time::{Duration, Instant};

use assent::config::DeviceTokenPolicy;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const PASSWORD: &str = "a phone password";

/// A client without cookies, like a phone app.
fn phone() -> reqwest::Client {
    reqwest::Client::new()
}

async fn sign_in_json(
    app: &TestApp,
    email: &str,
    password: &str,
    device: &str,
) -> reqwest::Response {
    phone()
        .post(format!("{}/tokens", app.address))
        .json(&json!({
            "email": email,
            "password": password,
            "manufacturerId": device,
            "deviceType": "phone",
        }))
        .send()
        .await
        .unwrap()
}

async fn sign_in_form(
    app: &TestApp,
    email: &str,
    password: &str,
    device: &str,
) -> reqwest::Response {
    phone()
        .post(format!("{}/tokens", app.address))
        .form(&[
            ("email", email),
            ("password", password),
            ("manufacturerId", device),
        ])
        .send()
        .await
        .unwrap()
}

/// Sign in and return the 201 body.
async fn token_for(app: &TestApp, device: &str) -> Value {
    let r = sign_in_json(app, "dana@example.com", PASSWORD, device).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn show(app: &TestApp, token: &Value) -> reqwest::Response {
    let id = token["token_id"].as_str().unwrap();
    phone()
        .get(format!("{}/tokens/{id}", app.address))
        .send()
        .await
        .unwrap()
}

async fn me_with(app: &TestApp, header: &str, value: &str) -> reqwest::Response {
    phone()
        .get(format!("{}/me", app.address))
        .header(header, value)
        .send()
        .await
        .unwrap()
}

fn stored_hashes(app: &TestApp) -> Vec<String> {
    app.state
        .db
        .run_sync(|conn| {
            use assent::db::schema::device_tokens::dsl::*;
            device_tokens
                .select(token_hash)
                .load::<String>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

#[tokio::test]
async fn a_device_token_is_issued_shown_used_on_me_and_deleted() {
    let app = TestApp::spawn().await;
    let user = app.create_user("dana@example.com", PASSWORD);
    let before = assent::clock::now();
    let token = token_for(&app, "iPhone-1").await;
    let id = token["token_id"].as_str().unwrap().to_string();
    let parsed = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(parsed.hyphenated().to_string(), id);
    assert_eq!(token["user_id"], user.lid.as_str());
    assert!(token["device_id"].as_str().unwrap().parse::<i64>().is_ok());
    let expiration = token["expiration"].as_i64().unwrap();
    let ttl = 30 * 86_400;
    assert!((before + ttl..=assent::clock::now() + ttl).contains(&expiration));
    let keys: Vec<&String> = token.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{token}");

    // Only the SHA-256 of the token is stored.
    assert_eq!(
        stored_hashes(&app),
        [assent::crypto::sha256_hex(id.as_bytes())]
    );

    let r = show(&app, &token).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), token);

    let r = me_with(&app, "X-Token", &id).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(
        me,
        json!({"lid": user.lid, "name": "Test User", "email": "dana@example.com", "email_verified": true})
    );

    // Log out: 204, then the token is gone everywhere.
    let url = format!("{}/tokens/{id}", app.address);
    assert_eq!(phone().delete(&url).send().await.unwrap().status(), 204);
    assert_eq!(show(&app, &token).await.status(), 404);
    assert_eq!(phone().delete(&url).send().await.unwrap().status(), 404);
    let r = me_with(&app, "X-Token", &id).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_some());
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_token");
    assert!(stored_hashes(&app).is_empty());
}

#[tokio::test]
async fn a_sign_in_on_another_device_deletes_the_previous_token() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.com", PASSWORD);
    let iphone = token_for(&app, "iPhone-1").await;
    // The form body works like JSON.
    let r = sign_in_form(&app, "Dana@Example.com", PASSWORD, "iPad-7").await;
    assert_eq!(r.status(), 201);
    let ipad: Value = r.json().await.unwrap();
    assert_ne!(ipad["device_id"], iphone["device_id"]);
    assert_eq!(
        show(&app, &iphone).await.status(),
        404,
        "the iPhone token was deleted"
    );
    assert_eq!(show(&app, &ipad).await.status(), 200);
    let r = me_with(&app, "X-Token", iphone["token_id"].as_str().unwrap()).await;
    assert_eq!(r.status(), 401);

    // Signing in again on the same device replaces its token and keeps the device id.
    let again = token_for(&app, "iPad-7").await;
    assert_eq!(again["device_id"], ipad["device_id"]);
    assert_ne!(again["token_id"], ipad["token_id"]);
    assert_eq!(show(&app, &ipad).await.status(), 404);
    assert_eq!(stored_hashes(&app).len(), 1);
}

#[tokio::test]
async fn concurrent_sign_ins_on_several_devices_leave_one_token() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.com", PASSWORD);
    let handles: Vec<_> = ["d1", "d2", "d3", "d4"]
        .into_iter()
        .map(|device| {
            let url = format!("{}/tokens", app.address);
            let body = json!({
                "email": "dana@example.com",
                "password": PASSWORD,
                "manufacturerId": device,
            });
            tokio::spawn(async move { phone().post(url).json(&body).send().await.unwrap() })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.await.unwrap().status(), 201);
    }
    assert_eq!(stored_hashes(&app).len(), 1, "one active token per user");
}

#[tokio::test]
async fn with_one_per_device_each_device_keeps_its_own_token() {
    let app = TestApp::spawn_with(|c| {
        c.security.device_token_policy = DeviceTokenPolicy::OnePerDevice;
    })
    .await;
    app.create_user("dana@example.com", PASSWORD);
    let iphone = token_for(&app, "iPhone-1").await;
    let ipad = token_for(&app, "iPad-7").await;
    assert_eq!(show(&app, &iphone).await.status(), 200);
    assert_eq!(show(&app, &ipad).await.status(), 200);
    let iphone2 = token_for(&app, "iPhone-1").await;
    assert_eq!(iphone2["device_id"], iphone["device_id"]);
    assert_eq!(
        show(&app, &iphone).await.status(),
        404,
        "replaced on the same device"
    );
    assert_eq!(show(&app, &iphone2).await.status(), 200);
    assert_eq!(
        show(&app, &ipad).await.status(),
        200,
        "the other device keeps its token"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_are_401_json_and_cost_a_hash_alike() {
    // A real argon2 cost, so that skipping the hash for unknown emails would show.
    let app = TestApp::spawn_with(|c| {
        c.security.password_memory_kib = 8 * 1024;
        c.security.password_iterations = 2;
    })
    .await;
    app.create_user("dana@example.com", PASSWORD);
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..3 {
        let started = Instant::now();
        let r = sign_in_json(&app, "dana@example.com", "not the password", "iPhone-1").await;
        known.push(started.elapsed());
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().get("www-authenticate").is_some());
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
        assert!(body["error_description"].is_string());

        let started = Instant::now();
        let r = sign_in_json(
            &app,
            &format!("nobody{i}@example.com"),
            PASSWORD,
            "iPhone-1",
        )
        .await;
        unknown.push(started.elapsed());
        assert_eq!(r.status(), 401);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[1], unknown[1]);
    assert!(
        k > Duration::from_millis(5),
        "the hash has a real cost here: {k:?}"
    );
    assert!(u * 3 > k, "unknown emails cost a hash too: {u:?} vs {k:?}");
    assert!(stored_hashes(&app).is_empty());
}

#[tokio::test]
async fn the_sign_in_limiter_answers_429_with_retry_after() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.com", PASSWORD);
    for _ in 0..app.config.security.sign_in_max_failures_per_account {
        let r = sign_in_json(&app, "dana@example.com", "wrong", "iPhone-1").await;
        assert_eq!(r.status(), 401);
    }
    // Even the right password is refused until the window ends.
    let r = sign_in_json(&app, "dana@example.com", PASSWORD, "iPhone-1").await;
    assert_eq!(r.status(), 429);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= app.config.security.sign_in_window_secs);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "too_many_attempts"
    );
    // The browser sign-in shares the limiter.
    assert_eq!(
        app.sign_in("dana@example.com", PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn malformed_requests_are_400_or_404_never_500() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.com", PASSWORD);
    let url = format!("{}/tokens", app.address);
    let long = "m".repeat(300);
    let cases: [(&str, String); 8] = [
        ("application/json", "{\"email\":".into()),
        ("application/json", "not json".into()),
        ("application/json", "[1,2]".into()),
        (
            "application/json",
            r#"{"email":1,"password":"p","manufacturerId":"m"}"#.into(),
        ),
        (
            "application/json",
            r#"{"email":"dana@example.com","password":"p"}"#.into(),
        ),
        (
            "application/x-www-form-urlencoded",
            "email=dana%40example.com".into(),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("email=a&password=p&manufacturerId={long}"),
        ),
        ("text/plain", "hello".into()),
    ];
    for (content_type, body) in cases {
        let r = phone()
            .post(&url)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{content_type} {body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "invalid_request", "{body}");
        assert!(v["error_description"].as_str().unwrap().len() > 10);
    }
    for id in ["not-a-uuid", "%00", "0f8fad5b-d9cb-469f-a165-70867728950e"] {
        let r = phone().get(format!("{url}/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{id}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "not_found");
        let r = phone().delete(format!("{url}/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{id}");
    }
    for (header, value) in [("X-Token", "garbage"), ("Authorization", "Bearer a.b.c")] {
        let r = me_with(&app, header, value).await;
        assert_eq!(r.status(), 401, "{header}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_token");
    }
    let r = phone()
        .get(format!("{}/me", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let challenges: Vec<&str> = r
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        challenges.contains(&r#"Bearer realm="assent""#),
        "{challenges:?}"
    );
}
