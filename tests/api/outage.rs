//! A storage failure is a 503 with an opaque body and `Retry-After` on every page and endpoint that
//! needs storage, never a 500 (nor an answer made up without the database). SQLite: the database
//! files are overwritten under the running server; PostgreSQL: the test database stops accepting
//! connections and its backends are terminated.

use assent::domain::permission::Permission;
use assent::tokens::issue::GrantRequest;
use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::helpers::TestApp;
use crate::website::Website;

/// Make the running app's storage fail.
fn break_storage(app: &TestApp) {
    match app.db.postgres() {
        Some((server, name)) => {
            let mut conn = PgConnection::establish(server).unwrap();
            diesel::sql_query(format!(
                "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
            ))
            .execute(&mut conn)
            .unwrap();
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut conn)
            .unwrap();
        }
        None => {
            let path = app.db.url.strip_prefix("sqlite://").unwrap().to_string();
            // Twice, across a checkpoint interval, so a checkpoint that copied WAL pages back in
            // while the files were being overwritten is overwritten too.
            for round in 0..2 {
                if round > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(700));
                }
                for file in [format!("{path}-shm"), format!("{path}-wal"), path.clone()] {
                    if let Ok(meta) = std::fs::metadata(&file) {
                        // Same inode, same length, every byte zero: a corrupted disk.
                        std::fs::write(&file, vec![0u8; meta.len() as usize]).unwrap();
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn every_surface_answers_503_when_storage_fails() {
    // Fail fast where the pool would wait for a connection that never comes.
    let app = TestApp::spawn_with(|c| c.database.pool_size = 4).await;
    let site = Website::register(&app, "https://contoso.example/cb");
    let password = "a long enough password";
    let user = app.create_user("ann@example.com", password);
    let db = &app.state.db;
    let rp = assent::admin::create_provider(db, "Contacts service", false, 1).unwrap();
    let actions = [("Read".to_string(), "Read your contacts".to_string())];
    assent::admin::add_offer(db, &rp.rp_id, "Contacts", &actions, &[]).unwrap();
    let application_id = db
        .run_sync(|conn| {
            assent::db::application::find_by_appid(conn, &site.appid)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
        .unwrap()
        .id;
    let now = assent::clock::now();
    let permissions = [(Permission::parse("Contacts.Read").unwrap(), now + 86_400)];
    let req = GrantRequest {
        user_id: user.id,
        lid: &user.lid,
        application_id,
        appid: &site.appid,
        protocol: "live",
        resource: None,
        permissions: &permissions,
    };
    let issued = db
        .transaction_sync(|conn| app.state.issuer.grant(conn, &req, now))
        .unwrap();
    assert_eq!(app.sign_in("ann@example.com", password).await.status(), 303);
    let device: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/tokens", app.address))
        .json(
            &serde_json::json!({"email": "ann@example.com", "password": password,
            "manufacturerId": "phone-1"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_token = device["token_id"].as_str().unwrap().to_string();
    // A visitor who opened the sign-in page before the outage and submits it during it.
    let visitor = crate::helpers::browser();
    let page = visitor
        .get(format!("{}/signin", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sign_in_csrf = crate::helpers::csrf_in(&page).unwrap();
    let delt = issued.delegation_token.clone();

    break_storage(&app);

    let base = app.address.clone();
    let signed_in = app.client.clone();
    let anonymous = reqwest::Client::new();
    let form = |pairs: &[(&str, &str)]| serde_urlencoded::to_string(pairs).unwrap();
    let authorize = format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=Contacts.Read",
        site.appid,
        assent::crypto::live::urlenc(&site.return_url)
    );
    let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("home, signed in", signed_in.get(format!("{base}/"))),
        ("dashboard", signed_in.get(format!("{base}/account/consents"))),
        ("account page", signed_in.get(format!("{base}/account"))),
        ("history", signed_in.get(format!("{base}/account/history"))),
        ("consent page", signed_in.get(format!("{base}{}", site.consent_path("Contacts.Read", "")))),
        ("authorize page", signed_in.get(format!("{base}{authorize}"))),
        ("consent decision", signed_in.post(format!("{base}/consent")).header("content-type", "application/x-www-form-urlencoded").body(form(&[("csrf", "x"), ("decision", "allow")]))),
        ("sign-in", visitor.post(format!("{base}/signin")).header("content-type", "application/x-www-form-urlencoded").body(form(&[("email", "ann@example.com"), ("password", "wrong"), ("csrf", &sign_in_csrf)]))),
        ("web sign-in", signed_in.get(format!("{base}/wlogin.srf?appid={}&alg=wsignin1.0", site.appid))),
        ("live refresh", anonymous.get(format!("{base}{}", site.refresh_path("Contacts.Read", issued.refresh_token.expose())))),
        ("oauth token", anonymous.post(format!("{base}/oauth2/token")).basic_auth(&site.appid, Some(&site.secret)).header("content-type", "application/x-www-form-urlencoded").body(form(&[("grant_type", "refresh_token"), ("refresh_token", issued.refresh_token.expose())]))),
        ("introspection", anonymous.post(format!("{base}/oauth2/introspect")).basic_auth(&site.appid, Some(&site.secret)).header("content-type", "application/x-www-form-urlencoded").body(form(&[("token", &delt)]))),
        ("revocation", anonymous.post(format!("{base}/oauth2/revoke")).basic_auth(&site.appid, Some(&site.secret)).header("content-type", "application/x-www-form-urlencoded").body(form(&[("token", issued.refresh_token.expose())]))),
        ("check", anonymous.post(format!("{base}/delegation/check")).basic_auth(&rp.rp_id, Some(&rp.secret)).header("content-type", "application/x-www-form-urlencoded").body(form(&[("token", &delt)]))),
        ("profile", anonymous.get(format!("{base}/users/@L@{}/profile", user.lid)).header("authorization", format!("Bearer {delt}"))),
        ("me", anonymous.get(format!("{base}/me")).header("x-token", &device_token)),
        ("device sign-in", anonymous.post(format!("{base}/tokens")).json(&serde_json::json!({"email": "ann@example.com", "password": password, "manufacturerId": "phone-2"}))),
        ("device token", anonymous.get(format!("{base}/tokens/{device_token}"))),
        ("readiness", anonymous.get(format!("{base}/readyz"))),
    ];
    let runs: Vec<_> = cases
        .into_iter()
        .map(|(name, request)| tokio::spawn(async move { (name, request.send().await) }))
        .collect();
    let mut failures = Vec::new();
    for run in runs {
        let (name, response) = run.await.unwrap();
        let response = response.unwrap();
        let status = response.status().as_u16();
        let retry = response.headers().contains_key("retry-after");
        let body = response.text().await.unwrap().to_lowercase();
        let leaks = ["diesel", "sqlite", "postgres", "malformed", "connection"]
            .iter()
            .any(|w| body.contains(w));
        // A signed-in visitor's 503 page does not ask storage again for the session, nor offer
        // "Sign in" as if they were signed out (issue 17 item 8).
        let signs_out = ["home, signed in", "dashboard", "account page"].contains(&name)
            && body.contains("href=\"/signin\"");
        if status != 503 || !retry || leaks || signs_out {
            failures.push(format!(
                "{name}: {status}, Retry-After {retry}, body {body:.200}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
