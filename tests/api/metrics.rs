//! Prometheus metrics: served on the metrics listener only, named as the README says, with route
//! patterns (never paths) as labels, and counting what the flows did.
//!
//! The recorder is process-wide and the other tests of this binary run beside these, adding to the
//! same counters: a test that compares counts runs itself again in a process of its own (this test
//! binary, filtered to the test's exact name; see [`alone`]), where nothing else counts.

use std::time::Duration;

use assent::db::DbError;

use crate::dashboard::Setup;
use crate::helpers::TestApp;

mod scrape;
use scrape::readme_names;
pub use scrape::{alone, delta, Scrape};

#[tokio::test]
async fn the_public_listener_has_no_metrics_and_the_metrics_listener_nothing_else() {
    let app = TestApp::spawn().await;
    let public = app.get("/metrics").await;
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("assent_"));

    let base = app.metrics_address.clone().unwrap();
    assert_ne!(base, app.address);
    let scrape = Scrape::of(&app).await;
    assert!(scrape
        .text
        .contains("# TYPE assent_http_requests_total counter"));
    for path in ["/", "/healthz", "/signin", "/metrics/x"] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), 404, "{path} on the metrics listener");
    }
}

#[tokio::test]
async fn metrics_off_means_no_listener() {
    let app = TestApp::spawn_with(|c| c.metrics.bind = "off".into()).await;
    assert_eq!(app.metrics_address, None);
    assert_eq!(app.get("/metrics").await.status(), 404);
}

#[tokio::test]
async fn a_metrics_address_in_use_stops_the_start_with_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let db = crate::helpers::TestDb::new();
    let mut config = crate::helpers::test_config(&db);
    config.metrics.bind = bind.clone();
    match assent::startup::Application::build(config).await {
        Err(e) => assert!(
            e.to_string()
                .contains(&format!("can not listen for metrics on {bind}")),
            "{e}"
        ),
        Ok(_) => panic!("started without its metrics listener"),
    }
}

#[tokio::test]
async fn flows_are_counted_by_route_pattern_protocol_outcome_reason_and_limiter() {
    if !alone("metrics::flows_are_counted_by_route_pattern_protocol_outcome_reason_and_limiter") {
        return;
    }
    // Without the retry grace, so that the old refresh token presented at once is reuse.
    let s = Setup::configured("https://contoso.example/cb", |c| {
        c.security.refresh_grace_secs = 0
    })
    .await;
    let app = &s.app;
    let before = Scrape::of(app).await;

    // A grant, a refresh, then the consumed token again: reuse, which ends the family (and its
    // newer token, which is reuse too then, though the family ends only once).
    let issued = s.grant(&["Contacts.Read"]);
    let reft = issued.refresh_token.expose();
    let (_, new_reft) = s.refresh("Contacts.Read", reft).await.unwrap();
    for token in [reft, new_reft.as_str()] {
        assert_eq!(
            s.refresh("Contacts.Read", token).await,
            Err("refresh_token_reused".into())
        );
    }
    // The user removes the app: another family ends, for `user`, and its token is refused.
    let news = s.grant(&["News.Read"]);
    s.remove_app(&s.app.client, &s.site.appid).await;
    assert_eq!(
        s.refresh("News.Read", news.refresh_token.expose()).await,
        Err("consent_revoked".into())
    );
    // Wrong passwords for one account until the limiter refuses (5 allowed by default).
    let limited = crate::helpers::browser();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let csrf = {
            let r = limited
                .get(format!("{}/signin", app.address))
                .send()
                .await
                .unwrap();
            crate::helpers::csrf_in(&r.text().await.unwrap()).unwrap()
        };
        let r = limited
            .post(format!("{}/signin", app.address))
            .form(&[
                ("email", "bob@example.com"),
                ("password", "wrong-password"),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // A path with an identifier in it, and one that matches no route.
    app.get("/users/@L@0123456789abcdef/profile").await;
    app.get("/no-such-page/secret-looking-0xdeadbeef").await;

    let after = Scrape::of(app).await;
    let d = |name: &str, labels: &[(&str, &str)]| delta(&before, &after, name, labels);
    assert_eq!(
        d("assent_grants_issued_total", &[("protocol", "live")]),
        2.0
    );
    let live = |outcome| [("protocol", "live"), ("outcome", outcome)];
    assert_eq!(d("assent_refreshes_total", &live("issued")), 1.0);
    assert_eq!(d("assent_refreshes_total", &live("reused")), 2.0);
    assert_eq!(d("assent_refreshes_total", &live("family_revoked")), 1.0);
    assert_eq!(d("assent_refreshes_total", &[]), 4.0);
    let reuse = [("protocol", "live")];
    assert_eq!(d("assent_refresh_reuse_detected_total", &reuse), 2.0);
    assert_eq!(d("assent_revocations_total", &[("reason", "reuse")]), 1.0);
    assert_eq!(d("assent_revocations_total", &[("reason", "user")]), 1.0);
    assert_eq!(d("assent_revocations_total", &[]), 2.0);
    let signin = [("limiter", "signin"), ("by", "subject")];
    assert_eq!(d("assent_limiter_refusals_total", &signin), 1.0);
    assert_eq!(d("assent_limiter_refusals_total", &[]), 1.0);

    // Requests by route pattern and status; latency histograms beside them.
    let refresh = [("route", "/consent/refresh"), ("method", "GET")];
    assert_eq!(d("assent_http_requests_total", &refresh), 4.0);
    let ok = [("route", "/consent/refresh"), ("status", "200")];
    assert_eq!(d("assent_http_requests_total", &ok), 1.0);
    let bad = [("route", "/consent/refresh"), ("status", "400")];
    assert_eq!(d("assent_http_requests_total", &bad), 3.0);
    let refused = [("route", "/signin"), ("method", "POST"), ("status", "429")];
    assert_eq!(d("assent_http_requests_total", &refused), 1.0);
    let profile = [("route", "/users/@L@{lid}/profile")];
    assert_eq!(d("assent_http_requests_total", &profile), 1.0);
    let unmatched = [("route", "(no route)"), ("status", "404")];
    assert_eq!(d("assent_http_requests_total", &unmatched), 1.0);
    assert!(!after.text.contains("0123456789abcdef"), "no id in a label");
    assert!(!after.text.contains("deadbeef"), "no path in a label");
    assert!(!after.text.contains(reft), "no token anywhere");
    let count = "assent_http_request_duration_seconds_count";
    assert_eq!(d(count, &refresh), 4.0);
    let inf = [("route", "/consent/refresh"), ("le", "+Inf")];
    let bucket = "assent_http_request_duration_seconds_bucket";
    assert_eq!(d(bucket, &inf), 4.0);
    assert!(after.sum("assent_http_request_duration_seconds_sum", &refresh) > 0.0);
    // Every request above checked out at least one pooled connection, and waited for it.
    assert!(d("assent_db_pool_wait_seconds_count", &[]) >= 10.0);
    // The startup read the signing keys once at least.
    assert!(after.sum("assent_key_reloads_total", &[("outcome", "ok")]) >= 1.0);
    // Every request above ran statements; the count only grows.
    let statements = d("assent_db_statements_total", &[]);
    assert!(
        statements >= 10.0,
        "{statements} statements for the flows above"
    );

    // Every name the README lists is in the scrape, and every assent_ metric is in the README.
    let names = readme_names();
    assert_eq!(names.len(), 12, "{names:?}");
    for name in &names {
        let histogram = format!("{name}_bucket");
        assert!(
            after.has(name) || after.has(&histogram),
            "{name} is not in the scrape:\n{}",
            after.text
        );
        assert!(
            after.text.contains(&format!("# HELP {name} ")),
            "{name} has help"
        );
    }
    for (name, _, _) in &after.series {
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|b| names.iter().any(|n| n == b))
            .unwrap_or(name);
        assert!(
            names.iter().any(|n| n == base),
            "{name} is not in the README"
        );
    }
}

#[tokio::test]
async fn a_pool_checkout_that_times_out_is_counted_and_answered_503() {
    if !alone("metrics::a_pool_checkout_that_times_out_is_counted_and_answered_503") {
        return;
    }
    let app = TestApp::spawn_with(|c| {
        c.database.pool_size = 1;
        c.database.checkout_timeout_ms = 300;
        c.retention.sweep_every_secs = 0;
    })
    .await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let before = Scrape::of(&app).await;

    // The pool's one connection is held elsewhere for longer than a check-out may wait.
    let (held, release) = (
        std::sync::mpsc::channel::<()>(),
        std::sync::mpsc::channel::<()>(),
    );
    let (held_tx, held_rx) = held;
    let (release_tx, release_rx) = release;
    let db = app.state.db.clone();
    let holder = std::thread::spawn(move || {
        db.run_sync(|_| {
            held_tx.send(()).unwrap();
            release_rx.recv_timeout(Duration::from_secs(30)).unwrap();
            Ok::<_, DbError>(())
        })
        .unwrap();
    });
    held_rx.recv().unwrap();
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    release_tx.send(()).unwrap();
    holder.join().unwrap();

    let after = Scrape::of(&app).await;
    let d = |name: &str, labels: &[(&str, &str)]| delta(&before, &after, name, labels);
    let timeouts = [("kind", "checkout_timeout")];
    assert_eq!(d("assent_db_errors_total", &timeouts), 1.0);
    assert_eq!(d("assent_db_errors_total", &[]), 1.0);
    // The held check-out and the failed one, which waited its whole bound.
    assert_eq!(d("assent_db_pool_wait_seconds_count", &[]), 2.0);
    assert!(d("assent_db_pool_wait_seconds_sum", &[]) >= 0.3);
    let fast = [("le", "0.1")];
    assert_eq!(
        d("assent_db_pool_wait_seconds_bucket", &fast),
        1.0,
        "{}",
        after.text
    );
    let readyz = [("route", "/readyz"), ("status", "503")];
    assert_eq!(d("assent_http_requests_total", &readyz), 1.0);
}

#[tokio::test]
async fn dead_and_refused_postgres_connections_are_counted_by_kind() {
    if !alone("metrics::dead_and_refused_postgres_connections_are_counted_by_kind") {
        return;
    }
    let app = TestApp::spawn_with(|c| {
        c.database.pool_size = 1;
        c.database.checkout_timeout_ms = 500;
        c.retention.sweep_every_secs = 0;
    })
    .await;
    let Some((server, name)) = app.db.postgres() else {
        eprintln!("skipped: needs PostgreSQL (ASSENT_TEST_DATABASE_URL); .ci/run runs it");
        return;
    };
    use diesel::{Connection, RunQueryDsl};
    let mut admin = diesel::PgConnection::establish(server).unwrap();
    let mut sql = |q: String| diesel::sql_query(q).execute(&mut admin).unwrap();
    let terminate = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
    let before = Scrape::of(&app).await;

    // The pool's connection is ended: the next request meets it, buries it, runs again.
    sql(terminate.clone());
    assert_eq!(app.get("/readyz").await.status(), 200);
    let dead = Scrape::of(&app).await;
    let d = |a: &Scrape, b: &Scrape, kind| delta(a, b, "assent_db_errors_total", &[("kind", kind)]);
    assert_eq!(d(&before, &dead, "dead_connection"), 1.0);
    assert_eq!(d(&before, &dead, "connect"), 0.0);

    // Now the database refuses connections too: no new one can be opened within the bound.
    sql(format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
    ));
    sql(terminate);
    let r = app.get("/readyz").await;
    sql(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"));
    assert_eq!(r.status(), 503);
    let refused = Scrape::of(&app).await;
    assert_eq!(d(&dead, &refused, "dead_connection"), 1.0);
    assert!(d(&dead, &refused, "connect") >= 1.0, "{}", refused.text);
    assert_eq!(d(&dead, &refused, "checkout_timeout"), 1.0);
}

#[tokio::test]
async fn a_key_ring_reload_is_counted_once_per_reload() {
    if !alone("metrics::a_key_ring_reload_is_counted_once_per_reload") {
        return;
    }
    let world = crate::provider::World::new().await;
    // A second instance on the same database (it reads the keys at its start), behind the same
    // public URL as every instance of one deployment (tokens name it as issuer and audience).
    let mut config = world.app.config.clone();
    config.server.public_url = Some(world.app.address.clone());
    let second = assent::startup::Application::build(config).await.unwrap();
    let second_address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let before = Scrape::of(&world.app).await;

    // A rotation on the first instance, which reloads; the second learns of the new key from the
    // first token that names it, and only then.
    let state = &world.app.state;
    let now = assent::clock::now();
    assent::admin::rotate_keys(&state.db, &state.key, now).unwrap();
    state
        .db
        .transaction_sync(|conn| state.issuer.keys.reload(conn, &state.key, now))
        .unwrap();
    let issued = world.grant(&["Contacts.Read"]);
    for _ in 0..3 {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{second_address}/delegation/check"))
            .basic_auth(&world.contacts.rp_id, Some(&world.contacts.secret))
            .form(&[
                ("token", issued.delegation_token.as_str()),
                ("permission", "Contacts.Read"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["active"], true);
    }
    let after = Scrape::of(&world.app).await;
    let ok = [("outcome", "ok")];
    assert_eq!(delta(&before, &after, "assent_key_reloads_total", &ok), 2.0);
    let error = [("outcome", "error")];
    assert_eq!(
        delta(&before, &after, "assent_key_reloads_total", &error),
        0.0
    );
}

#[tokio::test]
async fn storage_work_past_its_bound_is_counted_as_a_timeout() {
    if !alone("metrics::storage_work_past_its_bound_is_counted_as_a_timeout") {
        return;
    }
    // PostgreSQL behind a relay that stops forwarding (bounds: 1 s + 1 s).
    let Some((app, relay)) = crate::stall::stallable().await else {
        return;
    };
    assert_eq!(app.get("/readyz").await.status(), 200);
    let before = Scrape::of(&app).await;
    relay
        .stalled
        .store(true, std::sync::atomic::Ordering::SeqCst);
    // The relay's threads look at the flag between reads of at most 50 ms.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(app.get("/readyz").await.status(), 503);
    let after = Scrape::of(&app).await;
    let timeout = [("kind", "timeout")];
    assert_eq!(
        delta(&before, &after, "assent_db_errors_total", &timeout),
        1.0
    );
    let readyz = [("route", "/readyz"), ("status", "503")];
    let slow = [("route", "/readyz"), ("le", "1")];
    assert_eq!(
        delta(&before, &after, "assent_http_requests_total", &readyz),
        1.0
    );
    let bucket = "assent_http_request_duration_seconds_bucket";
    assert_eq!(
        delta(&before, &after, bucket, &slow),
        0.0,
        "it took the whole bound"
    );
}
