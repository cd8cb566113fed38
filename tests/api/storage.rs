//! Storage: migrations, sealed secrets, the server key.

use assent::config::Config;
use assent::startup::{open_storage, Application, StartupError};
use diesel::prelude::*;

use crate::helpers::{test_config, TestApp, TestDb};

#[tokio::test]
async fn migrations_ran_and_running_them_again_does_nothing() {
    let app = TestApp::spawn().await;
    assert_eq!(app.state.db.migrate().unwrap(), 0);
    let is_pg = matches!(app.state.db.backend(), assent::db::Backend::Postgres(_));
    assert_eq!(
        is_pg,
        std::env::var("ASSENT_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
    );
}

#[tokio::test]
async fn an_app_secret_is_stored_sealed_and_comes_back_intact() {
    let app = TestApp::spawn().await;
    let secret = "my-plain-secret-0123456789abcdef";
    let urls = ["https://sealed.example/cb".to_string()];
    let created = assent::admin::create_app(
        &app.state.db,
        &app.state.key,
        &assent::admin::AppRegistration {
            name: "Sealed",
            return_urls: &urls,
            secret: Some(secret),
            ..Default::default()
        },
        1,
    )
    .unwrap();
    let stored: String = app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::applications::dsl::*;
            applications
                .filter(appid.eq(&created.appid))
                .select(secret_sealed)
                .first::<String>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert!(!stored.contains(secret), "not in clear");
    assert!(!stored.contains("0123456789abcdef"));
    let shown =
        assent::admin::show_app(&app.state.db, &app.state.key, &created.appid, true).unwrap();
    assert_eq!(shown.secret.as_deref(), Some(secret));
}

fn other_key() -> String {
    hex::encode(assent::crypto::random_bytes::<32>().unwrap())
}

#[tokio::test]
async fn the_server_refuses_to_start_with_a_wrong_key() {
    let db = TestDb::new();
    let mut config: Config = test_config(&db);
    let first = Application::build(config.clone())
        .await
        .expect("first start");
    drop(first);
    config.security.server_key = Some(other_key());
    match Application::build(config).await {
        Err(StartupError::Key(msg)) => assert!(msg.contains("does not match"), "{msg}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("started with a wrong key"),
    }
}

#[test]
fn a_missing_key_file_with_sealed_data_is_an_error_not_a_new_key() {
    let db = TestDb::new();
    if db.is_postgres() {
        // PostgreSQL has no default key file: a key must be configured (tested below).
        let mut config = test_config(&db);
        config.security.server_key = None;
        assert!(matches!(open_storage(&config), Err(StartupError::Key(_))));
        return;
    }
    let config = test_config(&db);
    let storage = open_storage(&config).unwrap();
    let urls = ["https://data.example/".to_string()];
    assent::admin::create_app(
        &storage.db,
        &storage.key,
        &assent::admin::AppRegistration {
            name: "Has data",
            return_urls: &urls,
            ..Default::default()
        },
        1,
    )
    .unwrap();
    let path = db.url.trim_start_matches("sqlite://").to_string() + ".key";
    let meta = std::fs::metadata(&path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o600,
        "key file is private"
    );
    std::fs::remove_file(&path).unwrap();
    match open_storage(&config) {
        Err(StartupError::Key(msg)) => assert!(msg.contains("missing"), "{msg}"),
        other => panic!("expected a key error, got {:?}", other.map(|_| ())),
    }
    assert!(
        !std::path::Path::new(&path).exists(),
        "no key was regenerated"
    );
}

/// Pooled connections are not tested with a query at every check-out (that cost a round trip per
/// request); instead a connection that fails is checked and replaced. So after PostgreSQL drops
/// every connection (a server restart, a failover), Assent recovers by itself.
#[tokio::test]
async fn dead_postgres_connections_are_replaced_after_they_fail() {
    let app = TestApp::spawn().await;
    let Some((server, name)) = app.db.postgres() else {
        eprintln!("skipped: needs PostgreSQL (ASSENT_TEST_DATABASE_URL); .ci/run runs it");
        return;
    };
    // 16 concurrent readiness probes use every pooled connection; their statuses.
    let batch = || {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (client, url) = (app.client.clone(), format!("{}/readyz", app.address));
            set.spawn(async move { client.get(url).send().await.unwrap().status().as_u16() });
        }
        set.join_all()
    };
    assert!(batch().await.iter().all(|s| *s == 200));
    let mut admin = PgConnection::establish(server).unwrap();
    let killed = diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .load::<Killed>(&mut admin)
    .unwrap();
    assert!(
        killed.iter().any(|k| k.killed),
        "the pool had connections to end"
    );
    // Each dead connection fails one request at most, and is then replaced.
    let mut failures = 0;
    let mut last = Vec::new();
    for _ in 0..3 {
        last = batch().await;
        failures += last.iter().filter(|s| **s != 200).count();
    }
    let pool = app.config.database.pool_size as usize;
    assert!(
        failures <= pool,
        "{failures} failed requests for {pool} dead connections"
    );
    assert!(last.iter().all(|s| *s == 200), "still failing: {last:?}");
}

#[derive(QueryableByName)]
struct Killed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    killed: bool,
}

/// Two processes writing one SQLite file (a CLI command beside the server): a write transaction
/// that read first must not fail because the other committed meanwhile. Two `Db`s stand for the
/// two processes (each serializes only its own writers).
#[test]
fn a_write_transaction_that_read_first_survives_a_commit_by_another_process() {
    let db = TestDb::migrated();
    if db.is_postgres() {
        return;
    }
    let config = test_config(&db);
    let (first, second) = (
        open_storage(&config).unwrap().db,
        open_storage(&config).unwrap().db,
    );
    let (read_done, read_seen) = std::sync::mpsc::channel();
    let other = std::thread::spawn(move || {
        read_seen.recv().unwrap();
        second.transaction_sync(|conn| {
            assent::db::meta::insert(conn, "other process", "1").map_err(assent::db::DbError::from)
        })
    });
    let result = first.transaction_sync(|conn| {
        let before = assent::db::meta::get(conn, "server_key_check")?;
        read_done.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        assent::db::meta::insert(conn, "this process", "1")?;
        Ok::<_, assent::db::DbError>(before)
    });
    assert!(
        result.is_ok(),
        "the writer that read first failed: {result:?}"
    );
    assert!(other.join().unwrap().is_ok());
}

/// A connection that PostgreSQL ended fails no request: the request that meets it first runs again
/// on a live connection (it wrote nothing), and the other dead connections are dropped at their
/// next check-out instead of being handed out.
#[tokio::test]
async fn after_postgres_ends_every_connection_no_dashboard_or_check_request_fails() {
    let world = crate::provider::World::new().await;
    let app = &world.app;
    let Some((server, name)) = app.db.postgres() else {
        eprintln!("skipped: needs PostgreSQL (ASSENT_TEST_DATABASE_URL); .ci/run runs it");
        return;
    };
    let signed_in = app.sign_in("ann@example.com", "a long enough password");
    assert_eq!(signed_in.await.status(), 303);
    let delt = world.grant(&["Contacts.Read"]).delegation_token;
    // 16 concurrent requests, dashboards and checks: every pooled connection is used.
    let batch = || {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..16 {
            let request = if i % 2 == 0 {
                app.client.get(format!("{}/account/consents", app.address))
            } else {
                app.client
                    .post(format!("{}/delegation/check", app.address))
                    .basic_auth(&world.contacts.rp_id, Some(&world.contacts.secret))
                    .form(&[("token", delt.as_str()), ("permission", "Contacts.Read")])
            };
            set.spawn(async move {
                let r = request.send().await.unwrap();
                let status = r.status().as_u16();
                let body = r.text().await.unwrap();
                (
                    status,
                    body.contains("\"active\":true") || body.contains("Contoso"),
                )
            });
        }
        set.join_all()
    };
    let before = batch().await;
    assert!(before.iter().all(|r| *r == (200, true)), "{before:?}");
    let mut admin = PgConnection::establish(server).unwrap();
    let killed = diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .load::<Killed>(&mut admin)
    .unwrap();
    assert!(
        killed.iter().filter(|k| k.killed).count() > 1,
        "the pool had connections to end"
    );
    let after = batch().await;
    assert!(after.iter().all(|r| *r == (200, true)), "{after:?}");
}

/// `PRAGMA synchronous` as a pooled connection sees it (1 = NORMAL, 2 = FULL).
fn synchronous_of(app: &TestApp) -> i32 {
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    app.state
        .db
        .run_sync(|conn| {
            let assent::db::DbConnection::Sqlite(c) = conn else {
                panic!("SQLite only");
            };
            diesel::sql_query("PRAGMA synchronous")
                .get_result::<Mode>(c)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
        .synchronous
}

#[tokio::test]
async fn sqlite_commits_are_synced_as_the_configuration_says() {
    let normal = TestApp::spawn().await;
    if matches!(normal.state.db.backend(), assent::db::Backend::Postgres(_)) {
        return; // a PostgreSQL run: the key is SQLite's
    }
    assert_eq!(synchronous_of(&normal), 1, "NORMAL by default");
    let full =
        TestApp::spawn_with(|c| c.database.sqlite_synchronous = assent::db::Synchronous::Full)
            .await;
    assert_eq!(synchronous_of(&full), 2, "FULL when configured");
    // The file-form of the key parses too.
    let parsed: assent::config::DatabaseConfig =
        toml::from_str("sqlite_synchronous = \"full\"").unwrap();
    assert_eq!(parsed.sqlite_synchronous, assent::db::Synchronous::Full);
}
