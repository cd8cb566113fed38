//! `GET /account/history`: newest first, paginated, with app names, one user's events only.

use diesel::prelude::*;

use super::{signed_in_browser, Setup, PASSWORD};

/// Where each needle is in `html`, in order; panics when one is missing.
fn positions(html: &str, needles: &[String]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| {
            html.find(n.as_str())
                .unwrap_or_else(|| panic!("{n} is on the page"))
        })
        .collect()
}

#[tokio::test]
async fn history_lists_events_newest_first_and_paginates() {
    let s = Setup::new().await;
    s.grant(&["Contacts.Read"]);
    let (db, now, uid) = (&s.app.state.db, assent::clock::now(), s.alice.id);
    let app_id = db
        .run_sync(|conn| {
            assent::db::application::find_by_appid(conn, &s.site.appid)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
        .unwrap()
        .id;
    db.transaction_sync(|conn| {
        use assent::db::schema::audit_events as events;
        // Events store whole seconds: move the grant back so the order below is certain.
        diesel::update(events::table.filter(events::kind.eq("grant")))
            .set(events::at.eq(events::at - 7_200))
            .execute(conn)?;
        for i in 0..25 {
            let text = format!("synthetic {i:02}");
            let when = now - 3_600 - i * 60;
            assent::db::audit::record(conn, when, "refresh", Some(uid), Some(app_id), None, &text)?;
        }
        Ok::<_, assent::db::DbError>(())
    })
    .unwrap();
    s.revoke(&s.app.client, &s.site.appid, "Contacts.Read")
        .await;

    let first = s.app.get("/account/history").await.text().await.unwrap();
    let mut needles = vec!["Permission removed".to_string()];
    needles.extend((0..19).map(|i| format!("synthetic {i:02}")));
    let at = positions(&first, &needles);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "newest first: {at:?}");
    assert!(!first.contains("synthetic 19"), "20 events per page");
    assert!(first.contains("Page 1 of 2"));
    assert!(first.contains("rel=\"next\" href=\"/account/history?page=2\""));
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains("Contoso Test Site"), "events name their app");
    assert!(first.contains("removed Contacts.Read"));

    let second = s
        .app
        .get("/account/history?page=2")
        .await
        .text()
        .await
        .unwrap();
    let mut needles: Vec<String> = (19..25).map(|i| format!("synthetic {i:02}")).collect();
    needles.push("Access allowed".into());
    let at = positions(&second, &needles);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "older events follow: {at:?}"
    );
    assert!(!second.contains("synthetic 18"));
    assert!(second.contains("Page 2 of 2"));
    assert!(second.contains("rel=\"prev\" href=\"/account/history?page=1\""));
    assert!(!second.contains("rel=\"next\""));

    let beyond = s
        .app
        .get("/account/history?page=99")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        beyond.contains("Page 2 of 2"),
        "a page past the end shows the last one"
    );
    let garbage = s.app.get("/account/history?page=abc").await;
    assert_eq!(garbage.status(), 200);
    assert!(garbage.text().await.unwrap().contains("Page 1 of 2"));

    s.app.create_user("bob@example.com", PASSWORD);
    let bob = signed_in_browser(&s.app, "bob@example.com", PASSWORD).await;
    let url = format!("{}/account/history", s.app.address);
    let bobs = bob.get(url).send().await.unwrap().text().await.unwrap();
    assert!(
        bobs.contains("Nothing yet") && !bobs.contains("synthetic"),
        "one user's events only"
    );
}
