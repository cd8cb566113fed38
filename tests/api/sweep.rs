//! The storage sweeper (`[retention]`): what is past its time goes, what a user or reuse detection
//! still needs stays. Both backends.

use assent::crypto::TokenHash;
use diesel::RunQueryDsl;
use serde_json::Value;

use crate::dashboard::setup::{Setup, DAY};
use crate::helpers::{cli, cli_json, TestApp};

fn exec(app: &TestApp, sql: &str) -> usize {
    let sql = sql.to_string();
    app.state
        .db
        .run_sync(|conn| {
            diesel::sql_query(sql.clone())
                .execute(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

fn count(app: &TestApp, table: &str, filter: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {filter}");
    app.state
        .db
        .run_sync(|conn| {
            diesel::sql_query(sql.clone())
                .get_result::<N>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
        .n
}

fn hash(token: &str) -> String {
    TokenHash::of(token).as_str().to_string()
}

#[tokio::test]
async fn the_sweeper_deletes_what_is_past_retention_and_keeps_what_reuse_detection_needs() {
    let s = Setup::new().await;
    let now = assent::clock::now();
    let old = now - 40 * DAY;

    // A live grant whose refresh token rotated twice: the first rotated away long ago, the second
    // just now.
    let live = s.grant(&["Contacts.Read"]);
    let (_, r1) = s
        .refresh("Contacts.Read", live.refresh_token.expose())
        .await
        .unwrap();
    let (_, r2) = s.refresh("Contacts.Read", &r1).await.unwrap();
    let r0 = live.refresh_token.expose().to_string();
    exec(
        &s.app,
        &format!(
            "UPDATE refresh_tokens SET consumed_at = {old} WHERE token_hash = '{}'",
            hash(&r0)
        ),
    );
    // A grant revoked long ago, one that expired long ago, one that expired yesterday.
    let revoked = s.grant(&["Contacts.Read"]);
    exec(
        &s.app,
        &format!(
            "UPDATE token_families SET revoked_at = {old}, revoked_reason = 'user' WHERE id = {}",
            revoked.family_id
        ),
    );
    let expired_long_ago = s.grant_to(&s.site.appid, &s.alice, &[("News.Read", -40 * DAY)]);
    let expired_lately = s.grant_to(&s.site.appid, &s.alice, &[("News.Read", -DAY)]);
    // An expired session, and history older than kept.
    exec(
        &s.app,
        &format!(
            "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at) \
         VALUES (4242, '{}', {}, {}, {}, {})",
            hash("an old session"),
            s.alice.id,
            now - 10 * DAY,
            now - 3 * DAY,
            now - 10 * DAY
        ),
    );
    exec(
        &s.app,
        &format!(
            "UPDATE audit_events SET at = {} WHERE family_id = {}",
            now - 500 * DAY,
            revoked.family_id
        ),
    );

    // An emailed link that expired unused, and one that still works.
    for (name, expires) in [("an expired link", now - DAY), ("a live link", now + DAY)] {
        exec(
            &s.app,
            &format!(
                "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, \
                 expires_at) VALUES ('{}', {}, 'reset', 'alice@example.com', {}, {expires})",
                hash(name),
                s.alice.id,
                now - 2 * DAY
            ),
        );
    }
    let swept: Value = cli_json(&cli(&s.app.db, &["sweep"], None));
    assert_eq!(swept["consumed_refresh_tokens"], 1, "{swept}");
    assert_eq!(swept["ended_families"], 2, "{swept}");
    assert_eq!(swept["sessions"], 1, "{swept}");
    assert_eq!(swept["audit_events"], 1, "{swept}");
    assert_eq!(swept["email_links"], 1, "{swept}");
    assert_eq!(count(&s.app, "email_tokens", "expires_at > 0"), 1);

    for (family, left) in [
        (revoked.family_id, 0),
        (expired_long_ago.family_id, 0),
        (expired_lately.family_id, 1),
        (live.family_id, 1),
    ] {
        assert_eq!(
            count(&s.app, "token_families", &format!("id = {family}")),
            left
        );
        if left == 0 {
            for table in ["grants", "refresh_tokens"] {
                assert_eq!(
                    count(&s.app, table, &format!("family_id = {family}")),
                    0,
                    "{table}"
                );
            }
        }
    }
    assert_eq!(
        count(
            &s.app,
            "refresh_tokens",
            &format!("token_hash = '{}'", hash(&r0))
        ),
        0
    );
    // Nothing left to sweep.
    let again: Value = cli_json(&cli(&s.app.db, &["sweep"], None));
    assert!(
        again.as_object().unwrap().values().all(|n| n == 0),
        "{again}"
    );

    // The live grant goes on, and the token rotated away just now is still known: presenting it
    // again is reuse, which ends the grant.
    let (_, r3) = s
        .refresh("Contacts.Read", &r2)
        .await
        .expect("the live grant refreshes");
    assert!(s.refresh("Contacts.Read", &r1).await.is_err());
    assert!(
        s.refresh("Contacts.Read", &r3).await.is_err(),
        "reuse of a recently rotated token still revokes its grant after a sweep"
    );
}

#[tokio::test]
async fn a_running_server_sweeps_on_its_own() {
    let app = TestApp::spawn_with(|c| c.retention.sweep_every_secs = 1).await;
    let now = assent::clock::now();
    let user = app.create_user("sweep@example.com", "a long enough password");
    exec(
        &app,
        &format!(
            "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at) \
         VALUES (77, '{}', {}, {}, {}, {})",
            hash("expired"),
            user.id,
            now - 100,
            now - 10,
            now - 100
        ),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&app, "sessions", "id = 77") > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the expired session was not swept"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
