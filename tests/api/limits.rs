//! Failure limits (issue 15, items 1-4): parallel wrong passwords get at most the limit's worth of
//! verifications on every password surface; the counts are shared by instances on one PostgreSQL;
//! client and provider secrets are limited like passwords; sign-up is limited per client address.

use std::future::Future;

use assent::config::Config;
use assent::startup::Application;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::helpers::{browser, TestApp};
use crate::provider::World;

const PASSWORD: &str = "a long enough password";
const PARALLEL: usize = 16;

/// A real (small) argon2 cost and ONE hash at a time: requests queue for the hasher, as they do
/// under attack, so a limiter that counts only after verifying lets every queued guess through.
fn slow_hashes(config: &mut Config) {
    config.security.password_memory_kib = 2048;
    config.security.password_iterations = 2;
    config.security.password_hash_concurrency = Some(1);
}

/// Send `PARALLEL` requests at once; their statuses.
async fn all_at_once<F, Fut>(send: F) -> Vec<u16>
where
    F: Fn() -> Fut,
    Fut: Future<Output = reqwest::Response> + Send + 'static,
{
    let mut set = JoinSet::new();
    for _ in 0..PARALLEL {
        let request = send();
        set.spawn(async move { request.await.status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.unwrap());
    }
    statuses
}

/// At most `limit` answers other than 429, and each of those is `wrong`.
fn at_most_the_limit_verified(statuses: &[u16], limit: u32, wrong: u16) {
    let verified: Vec<u16> = statuses.iter().copied().filter(|s| *s != 429).collect();
    assert!(
        verified.len() <= limit as usize,
        "{} of {PARALLEL} parallel wrong guesses were verified (limit {limit}): {statuses:?}",
        verified.len()
    );
    assert!(verified.iter().all(|s| *s == wrong), "{statuses:?}");
}

/// Send `request`; the response (a transport failure fails the test).
fn sent(
    request: reqwest::RequestBuilder,
) -> impl Future<Output = reqwest::Response> + Send + 'static {
    let pending = request.send();
    async move { pending.await.expect("request") }
}

fn device_sign_in(app: &TestApp, password: &str) -> impl Future<Output = reqwest::Response> {
    sent(
        reqwest::Client::new()
            .post(format!("{}/tokens", app.address))
            .json(&json!({
                "email": "dana@example.com",
                "password": password,
                "manufacturerId": "iPhone-1",
            })),
    )
}

#[tokio::test]
async fn parallel_wrong_passwords_at_post_tokens_are_verified_at_most_the_limit() {
    let app = TestApp::spawn_with(slow_hashes).await;
    app.create_user("dana@example.com", PASSWORD);
    let limit = app.config.security.sign_in_max_failures_per_account;
    let statuses = all_at_once(|| device_sign_in(&app, "wrong password")).await;
    at_most_the_limit_verified(&statuses, limit, 401);
    // Locked: even the right password is refused.
    let r = device_sign_in(&app, PASSWORD).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn parallel_wrong_passwords_at_signin_are_verified_at_most_the_limit() {
    let app = TestApp::spawn_with(slow_hashes).await;
    app.create_user("dana@example.com", PASSWORD);
    let limit = app.config.security.sign_in_max_failures_per_account;
    let csrf = app.csrf_of("/signin").await;
    let url = format!("{}/signin", app.address);
    let statuses = all_at_once(|| {
        let form = [
            ("email", "dana@example.com"),
            ("password", "wrong password"),
            ("csrf", csrf.as_str()),
        ];
        sent(app.client.post(&url).form(&form))
    })
    .await;
    at_most_the_limit_verified(&statuses, limit, 401);
    assert_eq!(
        app.sign_in("dana@example.com", PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn parallel_wrong_current_passwords_at_the_password_change_are_verified_at_most_the_limit() {
    let app = TestApp::spawn_with(slow_hashes).await;
    app.create_user("dana@example.com", PASSWORD);
    let limit = app.config.security.sign_in_max_failures_per_account;
    assert_eq!(
        app.sign_in("dana@example.com", PASSWORD).await.status(),
        303
    );
    let csrf = app.csrf_of("/account").await;
    let url = format!("{}/account/password", app.address);
    let change = |current: &str| {
        let form = [
            ("csrf", csrf.as_str()),
            ("current_password", current),
            ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ];
        sent(app.client.post(&url).form(&form))
    };
    let statuses = all_at_once(|| change("wrong password")).await;
    at_most_the_limit_verified(&statuses, limit, 400);
    let r = change(PASSWORD).await;
    assert_eq!(
        r.status(),
        429,
        "the right current password is refused while locked"
    );
    // The password did not change.
    let user = app
        .state
        .db
        .run_sync(|conn| {
            assent::db::user::find_by_email(conn, "dana@example.com")
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
        .unwrap();
    assert!(app.state.hasher.verify(PASSWORD, &user.password_hash));
}

/// Two instances on one PostgreSQL database: failures on either count against one limit.
#[tokio::test]
async fn two_instances_on_one_postgres_share_the_sign_in_limit() {
    let first = TestApp::spawn().await;
    if !first.db.is_postgres() {
        eprintln!("skipped: needs PostgreSQL (ASSENT_TEST_DATABASE_URL); .ci/run runs it");
        return;
    }
    first.create_user("dana@example.com", PASSWORD);
    let second = Application::build(first.config.clone())
        .await
        .expect("a second instance on the same database");
    let second_address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let sign_in = |address: &str, password: &str| {
        sent(
            reqwest::Client::new()
                .post(format!("{address}/tokens"))
                .json(&json!({"email": "dana@example.com", "password": password,
                              "manufacturerId": "m"})),
        )
    };
    let limit = first.config.security.sign_in_max_failures_per_account;
    for i in 0..limit {
        let address = if i % 2 == 0 {
            &first.address
        } else {
            &second_address
        };
        assert_eq!(sign_in(address, "wrong password").await.status(), 401);
    }
    for address in [&first.address, &second_address] {
        let r = sign_in(address, PASSWORD).await;
        assert_eq!(
            r.status(),
            429,
            "{address} sees the failures made on both instances"
        );
    }
}

/// With PostgreSQL the limiter reads and writes the database: when that fails the answer is a
/// 503, never a 500 and never a verified password.
#[tokio::test]
async fn a_storage_failure_of_the_limiter_is_a_503() {
    let world = World::new().await;
    let app = &world.app;
    let Some((server, name)) = app.db.postgres() else {
        eprintln!("skipped: needs PostgreSQL (ASSENT_TEST_DATABASE_URL); .ci/run runs it");
        return;
    };
    let mut url = url::Url::parse(server).unwrap();
    url.set_path(name);
    let mut conn = PgConnection::establish(url.as_str()).unwrap();
    diesel::sql_query("DROP TABLE limit_counters")
        .execute(&mut conn)
        .unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/tokens", app.address))
        .json(&json!({"email": "ann@example.com", "password": PASSWORD, "manufacturerId": "m"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "temporarily_unavailable"
    );
    let r = world
        .check_as(&world.contacts.rp_id, "a wrong secret", &[("token", "x")])
        .await;
    assert_eq!(r.status(), 503);
    assert_eq!(app.sign_in("ann@example.com", PASSWORD).await.status(), 503);
}

/// Send `wrong` 25 times: the first `limit` are `refused_with`, then 429; then `right` is 429
/// too, with `Retry-After` and the JSON error `too_many_attempts`.
async fn locks_out<W, R, Fut>(limit: u32, refused_with: u16, wrong: W, right: R)
where
    W: Fn() -> Fut,
    R: Fn() -> Fut,
    Fut: Future<Output = reqwest::Response>,
{
    for i in 0..25 {
        let status = wrong().await.status().as_u16();
        let expected = if i < limit { refused_with } else { 429 };
        assert_eq!(status, expected, "wrong secret number {}", i + 1);
    }
    let r = right().await;
    assert_eq!(r.status(), 429, "the right secret is refused while locked");
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "too_many_attempts"
    );
}

fn oauth_client(app: &TestApp) -> assent::admin::CreatedApp {
    let urls = ["https://client.example/callback".to_string()];
    let reg = assent::admin::AppRegistration {
        name: "OAuth Client",
        return_urls: &urls,
        ..Default::default()
    };
    assent::admin::create_app(&app.state.db, &app.state.key, &reg, 1).unwrap()
}

fn post_basic(
    app: &TestApp,
    path: &str,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> impl Future<Output = reqwest::Response> {
    sent(
        reqwest::Client::new()
            .post(format!("{}{path}", app.address))
            .basic_auth(id, Some(secret))
            .form(form),
    )
}

#[tokio::test]
async fn wrong_client_secrets_at_the_token_endpoint_lock_the_client_out() {
    let app = TestApp::spawn().await;
    let client = oauth_client(&app);
    let limit = app.config.security.client_secret_max_failures_per_client;
    assert!(
        limit < 25,
        "the default limit is below the issue's 25 guesses"
    );
    let form = [
        ("grant_type", "authorization_code"),
        ("code", "no-such-code"),
        ("redirect_uri", "https://client.example/callback"),
    ];
    let send = |secret: &str| post_basic(&app, "/oauth2/token", &client.appid, secret, &form);
    // Authenticated, so the bad code is the only problem.
    assert_eq!(send(client.secret.as_deref().unwrap()).await.status(), 400);
    locks_out(
        limit,
        401,
        || send("wrong"),
        || send(client.secret.as_deref().unwrap()),
    )
    .await;
    // Another client is not affected.
    let other = oauth_client(&app);
    let r = post_basic(
        &app,
        "/oauth2/token",
        &other.appid,
        other.secret.as_deref().unwrap(),
        &form,
    )
    .await;
    assert_eq!(r.status(), 400);
    // A public client has no secret to guess: nobody can lock it out by sending one.
    let urls = ["https://client.example/callback".to_string()];
    let reg = assent::admin::AppRegistration {
        name: "Public Client",
        return_urls: &urls,
        public_client: true,
        ..Default::default()
    };
    let public = assent::admin::create_app(&app.state.db, &app.state.key, &reg, 1).unwrap();
    for _ in 0..25 {
        let r = post_basic(&app, "/oauth2/token", &public.appid, "a secret", &form).await;
        assert_eq!(r.status(), 401);
    }
    let mut public_form = form.to_vec();
    public_form.push(("client_id", public.appid.as_str()));
    let r = sent(
        reqwest::Client::new()
            .post(format!("{}/oauth2/token", app.address))
            .form(&public_form),
    )
    .await;
    assert_eq!(r.status(), 400, "authenticated; only the code is wrong");
}

#[tokio::test]
async fn wrong_client_secrets_at_introspection_and_revocation_lock_the_client_out() {
    let app = TestApp::spawn().await;
    let limit = app.config.security.client_secret_max_failures_per_client;
    let form = [("token", "not-a-token")];
    for path in ["/oauth2/introspect", "/oauth2/revoke"] {
        let client = oauth_client(&app);
        let send = |secret: &str| post_basic(&app, path, &client.appid, secret, &form);
        assert_eq!(
            send(client.secret.as_deref().unwrap()).await.status(),
            200,
            "{path}"
        );
        locks_out(
            limit,
            401,
            || send("wrong"),
            || send(client.secret.as_deref().unwrap()),
        )
        .await;
    }
}

#[tokio::test]
async fn wrong_provider_secrets_at_delegation_check_lock_the_provider_out() {
    let world = World::new().await;
    let limit = world
        .app
        .config
        .security
        .client_secret_max_failures_per_client;
    let rp = &world.contacts;
    let form = [("token", "not-a-token")];
    let send = |secret: &str| post_basic(&world.app, "/delegation/check", &rp.rp_id, secret, &form);
    assert_eq!(send(&rp.secret).await.status(), 200);
    locks_out(limit, 401, || send("wrong"), || send(&rp.secret)).await;
    // The other provider still works.
    assert_eq!(
        world.check(&world.news, &form).await,
        crate::provider::inactive()
    );
}

#[tokio::test]
async fn sign_up_is_limited_per_client_address() {
    let app = TestApp::spawn_with(|c| c.security.sign_up_max_per_ip = 2).await;
    let sign_up = |n: usize| {
        let client = browser();
        let address = app.address.clone();
        async move {
            let page = client
                .get(format!("{address}/signup"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = crate::helpers::csrf_in(&page).unwrap();
            let email = format!("new{n}@example.com");
            let form = [
                ("name", "New User"),
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("csrf", csrf.as_str()),
            ];
            client
                .post(format!("{address}/signup"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(sign_up(1).await.status(), 200);
    assert_eq!(sign_up(2).await.status(), 200);
    let r = sign_up(3).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // Nothing was created for the refused sign-up.
    let third = app
        .state
        .db
        .run_sync(|conn| {
            assent::db::user::find_by_email(conn, "new3@example.com")
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert!(third.is_none());
}
