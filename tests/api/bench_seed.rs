//! `assent bench-seed` (hidden, for benches/run): grant families written in bulk are ordinary
//! families: the counts add up, and a seeded refresh token rotates over HTTP like any other.

use assent::tokens::Presented;
use diesel::prelude::*;

use crate::helpers::{cli, cli_json as json, TestApp, TestDb};

fn assent(db: &TestDb, args: &[&str]) -> std::process::Output {
    cli(db, args, None)
}

fn count(app: &TestApp, f: impl Fn(&mut assent::db::DbConnection) -> QueryResult<i64>) -> i64 {
    app.state
        .db
        .run_sync(|conn| f(conn).map_err(assent::db::DbError::from))
        .unwrap()
}

#[tokio::test]
async fn seeded_families_add_up_and_their_refresh_tokens_rotate() {
    use assent::db::schema::{audit_events, grants, token_families, users};
    let app = TestApp::spawn().await;
    let urls = ["https://site.example/cb".to_string()];
    let site = assent::admin::create_app(
        &app.state.db,
        &app.state.key,
        &assent::admin::AppRegistration {
            name: "Bench site",
            return_urls: &urls,
            ..Default::default()
        },
        assent::clock::now(),
    )
    .unwrap();

    // 300 families in transactions of 128 (two full ones and a short one), 10 per filler user.
    let v = json(&assent(
        &app.db,
        &[
            "bench-seed",
            "--families",
            "300",
            "--app",
            &site.appid,
            "--batch",
            "128",
        ],
    ));
    assert_eq!(v["families"], 300);
    assert_eq!(v["grants"], 300);
    assert_eq!(v["refresh_tokens"], 300);
    assert_eq!(v["users"], 30);
    assert_eq!(v["totals"]["families"], 300);
    assert_eq!(v["totals"]["grants"], 300);
    assert_eq!(v["totals"]["refresh_tokens"], 300);
    assert_eq!(
        count(&app, |c| users::table.count().get_result(c)),
        30,
        "one filler user per 10 families"
    );
    assert_eq!(
        count(&app, |c| token_families::table
            .filter(token_families::protocol.eq("live"))
            .count()
            .get_result(c)),
        150
    );
    assert_eq!(
        count(&app, |c| grants::table
            .filter(grants::permission.eq("Contacts.Read"))
            .filter(grants::expires_at.gt(assent::clock::now()))
            .count()
            .get_result(c)),
        300,
        "every grant is active"
    );
    assert_eq!(
        count(&app, |c| audit_events::table
            .filter(audit_events::kind.eq("grant"))
            .count()
            .get_result(c)),
        300
    );

    let samples = v["samples"].as_array().unwrap();
    let sample = |protocol: &str| {
        samples
            .iter()
            .find(|s| s["protocol"] == protocol)
            .unwrap_or_else(|| panic!("a {protocol} sample in {v}"))["refresh_token"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // The OAuth family's refresh token rotates; the old one again is a retry (the same new token)
    // until the new one is used, and then reuse.
    let refresh = |token: String| {
        app.client
            .post(format!("{}/oauth2/token", app.address))
            .basic_auth(&site.appid, site.secret.as_deref())
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
    };
    let oauth = sample("oauth");
    let answer = refresh(oauth.clone()).await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    let next = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(next, oauth);
    assert!(body["access_token"].is_string());
    let retried: serde_json::Value = refresh(oauth.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(retried["refresh_token"], next.as_str());
    assert_eq!(refresh(next).await.unwrap().status(), 200);
    assert_eq!(refresh(oauth).await.unwrap().status(), 400);

    // The Live family's token reads as a fresh generation-0 token with its one active grant.
    let live = sample("live");
    let presented = app
        .state
        .db
        .run_sync(|conn| Presented::read(conn, &live))
        .unwrap()
        .expect("the Live sample token exists");
    assert_eq!(presented.family.protocol, "live");
    assert_eq!(presented.token.generation, 0);
    assert_eq!(presented.grants.len(), 1);
    assert!(presented.grants[0].is_active(assent::clock::now()));

    // With --user, the families go to that user and no filler user is made.
    let owner = app.create_user("owner@example.com", "a long password");
    let v = json(&assent(
        &app.db,
        &[
            "bench-seed",
            "--families",
            "5",
            "--app",
            &site.appid,
            "--user",
            "Owner@Example.com",
        ],
    ));
    assert_eq!(v["users"], 0);
    assert_eq!(v["totals"]["families"], 305);
    assert_eq!(
        count(&app, |c| token_families::table
            .filter(token_families::user_id.eq(owner.id))
            .count()
            .get_result(c)),
        5
    );
}

#[test]
fn bench_seed_is_hidden_and_refuses_an_unknown_application() {
    let db = TestDb::migrated();
    let help = assent(&db, &["--help"]);
    assert!(help.status.success());
    assert!(!String::from_utf8_lossy(&help.stdout).contains("bench-seed"));
    let out = assent(
        &db,
        &["bench-seed", "--families", "3", "--app", "0123456789ABCDEF"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no application"));
}
