//! Group commit: concurrent state changes are written together (on SQLite one transaction for all
//! that wait), each answered after its commit; a change that fails fails alone.

use assent::db::{meta, DbError};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use crate::dashboard::Setup;
use crate::helpers::TestApp;

fn stored(app: &TestApp, name: &str) -> Option<String> {
    app.state
        .db
        .run_sync(|conn| meta::get(conn, name).map_err(DbError::from))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_change_fails_alone_and_the_others_in_its_group_are_kept() {
    let app = TestApp::spawn().await;
    let db = app.state.db.clone();
    // The first change holds the writer, so the ten after it wait and are written as one group.
    let slow = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.run_sync(|conn| {
                db.write_change(conn, |conn| {
                    std::thread::sleep(Duration::from_millis(300));
                    meta::insert(conn, "slow", "1").map_err(DbError::from)
                })
            })
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let start = Arc::new(Barrier::new(10));
    let changes: Vec<_> = (0..10)
        .map(|i| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                db.run_sync(|conn| {
                    db.write_change(conn, move |conn| {
                        meta::insert(conn, &format!("change-{i}"), "1")?;
                        if i == 3 {
                            // Wrote a row, then failed: the row must not survive.
                            return Err(DbError::Migration("refused".into()));
                        }
                        Ok(i)
                    })
                })
            })
        })
        .collect();
    let answers: Vec<Result<i32, DbError>> =
        changes.into_iter().map(|h| h.join().unwrap()).collect();
    slow.join().unwrap().unwrap();

    for (i, answer) in answers.iter().enumerate() {
        let kept = stored(&app, &format!("change-{i}"));
        if i == 3 {
            assert!(answer.is_err(), "the failing change fails");
            assert_eq!(kept, None, "and what it wrote is rolled back");
        } else {
            assert_eq!(answer.as_ref().ok(), Some(&(i as i32)), "change {i}");
            assert_eq!(kept.as_deref(), Some("1"), "change {i} is stored");
        }
    }
    assert_eq!(stored(&app, "slow").as_deref(), Some("1"));
}

/// Refresh every token at once (each over its own request); the new tokens, in order.
async fn refresh_all(s: &Setup, tokens: &[String]) -> Vec<Result<String, String>> {
    let mut set = tokio::task::JoinSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let client = s.app.client.clone();
        let url = format!(
            "{}{}",
            s.app.address,
            s.site.refresh_path("Contacts.Read", token)
        );
        set.spawn(async move {
            let r = client.get(url).send().await.unwrap();
            let ok = r.status() == 200;
            let body: serde_json::Value = r.json().await.unwrap();
            (i, ok, body)
        });
    }
    let mut out: Vec<(usize, Result<String, String>)> = set
        .join_all()
        .await
        .into_iter()
        .map(|(i, ok, body)| {
            let answer = if ok {
                let token = s.site.open(body["ConsentToken"].as_str().unwrap());
                Ok(token.get("reft").unwrap())
            } else {
                Err(body.to_string())
            };
            (i, answer)
        })
        .collect();
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, a)| a).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_refreshes_of_many_grants_all_rotate() {
    let s = Setup::new().await;
    let first: Vec<String> = (0..32)
        .map(|_| {
            s.grant(&["Contacts.Read"])
                .refresh_token
                .expose()
                .to_string()
        })
        .collect();
    let next: Vec<String> = refresh_all(&s, &first)
        .await
        .into_iter()
        .map(|a| a.expect("every refresh rotates"))
        .collect();
    // Every new token was stored: each rotates again.
    let again = refresh_all(&s, &next).await;
    assert!(again.iter().all(Result::is_ok), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_that_panics_fails_alone_and_the_writer_goes_on() {
    let app = TestApp::spawn().await;
    if matches!(app.state.db.backend(), assent::db::Backend::Postgres(_)) {
        return; // the writer thread is SQLite's; on PostgreSQL a change runs on its caller
    }
    let db = app.state.db.clone();
    let panicked = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.run_sync(|conn| {
                db.write_change(conn, |conn| -> Result<(), DbError> {
                    meta::insert(conn, "before-the-panic", "1")?;
                    panic!("a bug in one change");
                })
            })
        })
        .join()
        .unwrap()
    };
    assert!(
        panicked.is_err(),
        "the panicking change is answered, with an error"
    );
    assert_eq!(stored(&app, "before-the-panic"), None, "and rolled back");
    // The writer still writes, for requests too.
    let db2 = db.clone();
    let after = tokio::task::spawn_blocking(move || {
        db2.run_sync(|conn| {
            db2.write_change(conn, |conn| {
                meta::insert(conn, "after-the-panic", "1").map_err(DbError::from)
            })
        })
    })
    .await
    .unwrap();
    assert!(after.is_ok());
    assert_eq!(stored(&app, "after-the-panic").as_deref(), Some("1"));
    assert_eq!(app.get("/readyz").await.status(), 200);
}
