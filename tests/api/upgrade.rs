//! Upgrades: a database made by the previous release (tests/fixtures/release-2026-11-23), on that
//! release's schema, is migrated by today's Assent at start, and what the parties kept from it goes
//! on working: the website's refresh token, the OAuth client's refresh token, the browser's session,
//! the resource provider's secret. SQLite always; PostgreSQL when ASSENT_TEST_DATABASE_URL is set.

use assent::db::MIGRATIONS;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::MigrationHarness;
use serde_json::Value;

use crate::helpers::{TestApp, TestDb};
use crate::website::Website;

const DATA: &str = include_str!("../fixtures/release-2026-11-23/data.sql");
const SECRETS: &str = include_str!("../fixtures/release-2026-11-23/secrets.json");

/// The previous release's schema (its one migration) and its data, on `db`. The fixture's times
/// are those of the day it was made: expiries move forward by its age, so that it does not expire.
fn load_previous_release(db: &TestDb, made_at: i64) {
    let age = assent::clock::now() - made_at;
    let shift = format!(
        "UPDATE grants SET expires_at = expires_at + {age};
         UPDATE sessions SET expires_at = expires_at + {age};"
    );
    fn load<C: MigrationHarness<B> + SimpleConnection, B: diesel::backend::Backend>(
        conn: &mut C,
        shift: &str,
    ) {
        let ran = conn.run_next_migration(MIGRATIONS).unwrap();
        assert_eq!(
            ran.to_string(),
            "20261123000001",
            "the previous release's one migration"
        );
        conn.batch_execute(DATA).unwrap();
        conn.batch_execute(shift).unwrap();
    }
    if db.is_postgres() {
        load(&mut PgConnection::establish(&db.url).unwrap(), &shift);
    } else {
        let path = db.url.strip_prefix("sqlite://").unwrap();
        load(&mut SqliteConnection::establish(path).unwrap(), &shift);
    }
}

#[tokio::test]
async fn a_database_of_the_previous_release_upgrades_and_its_tokens_keep_working() {
    let secrets: Value = serde_json::from_str(SECRETS).unwrap();
    let text = |name: &str| secrets[name].as_str().unwrap().to_string();
    let db = TestDb::new();
    load_previous_release(&db, secrets["made_at"].as_i64().unwrap());
    let key = text("server_key");
    let app = TestApp::spawn_on(db, |c| c.security.server_key = Some(key)).await;
    let site = Website {
        appid: text("appid"),
        secret: text("app_secret"),
        return_url: text("return_url"),
    };
    let permission = text("permission");

    // The website's refresh token (Live protocol), and the delegation token it gets, which the
    // resource provider checks with its old secret.
    let r = app
        .get(&site.refresh_path(&permission, &text("live_reft")))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    let opened = site.open(body["ConsentToken"].as_str().unwrap());
    assert!(opened.get("offer").unwrap().starts_with("Contacts.Read:"));
    let check: Value = app
        .client
        .post(format!("{}/delegation/check", app.address))
        .basic_auth(text("rp_id"), Some(text("rp_secret")))
        .form(&[
            ("token", opened.get("delt").unwrap().as_str()),
            ("permission", permission.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(check["active"], true, "{check}");

    // The OAuth client's refresh token.
    let r = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .basic_auth(&site.appid, Some(&site.secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &text("oauth_refresh_token")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let token: Value = r.json().await.unwrap();
    assert_eq!(token["scope"], permission.as_str());

    // The browser's session: the dashboard shows the website, with both grants.
    let page = crate::helpers::browser()
        .get(format!("{}/account/consents", app.address))
        .header(
            "cookie",
            format!("assent_session={}", text("session_cookie")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Bench site"),
        "the signed-in dashboard lists the app"
    );
}
