//! `GET /account/history`: newest first, paginated, with app names, one user's events only.

use diesel::prelude::*;

use super::{signed_in_browser, Setup, DAY, PASSWORD};

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
    let mut needles = vec![
        "Permission removed".to_string(),
        ">Signed in</span>".to_string(),
    ];
    needles.extend((0..18).map(|i| format!("Synthetic {i:02}")));
    let at = positions(&first, &needles);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "newest first: {at:?}");
    assert!(!first.contains("Synthetic 18"), "20 events per page");
    assert!(first.contains("Page 1 of 2"));
    assert!(first.contains("rel=\"next\" href=\"/account/history?page=2\""));
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains("Contoso Test Site"), "events name their app");
    assert!(
        first.contains("Removed “Read your contacts”"),
        "the description, not the code"
    );
    assert!(!first.contains("Contacts.Read"));

    let second = s
        .app
        .get("/account/history?page=2")
        .await
        .text()
        .await
        .unwrap();
    let mut needles: Vec<String> = (18..25).map(|i| format!("Synthetic {i:02}")).collect();
    needles.push("Access allowed".into());
    let at = positions(&second, &needles);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "older events follow: {at:?}"
    );
    assert!(!second.contains("Synthetic 17"));
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
        !bobs.contains("Synthetic") && !bobs.contains("Contoso"),
        "one user's events only"
    );
}

#[tokio::test]
async fn history_speaks_plainly_filters_by_app_and_lists_sign_ins() {
    let s = Setup::new().await;
    s.grant_to(
        &s.site.appid,
        &s.alice,
        &[("Contacts.Read", 7 * DAY), ("News.Read", 90 * DAY)],
    );
    let fabrikam = s.other_app("Fabrikam");
    s.grant_to(&fabrikam, &s.alice, &[("News.Write", DAY)]);
    // A device signs in, and the password changes.
    let r = reqwest::Client::new()
        .post(format!("{}/tokens", s.app.address))
        .json(
            &serde_json::json!({"email": "alice@example.com", "password": PASSWORD,
            "manufacturerId": "pixel-7", "deviceType": "phone"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let csrf = super::csrf_on(&s.app, &s.app.client, "/account").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("current_password", PASSWORD),
        ("new_password", "a brand new passphrase"),
        ("confirm_password", "a brand new passphrase"),
    ];
    let r = super::post(&s.app, &s.app.client, "/account/password", &form).await;
    assert_eq!(r.status(), 303);

    let all = s.app.get("/account/history").await.text().await.unwrap();
    let until = |days: i64| {
        let at = chrono::DateTime::from_timestamp(assent::clock::now() + days * DAY, 0).unwrap();
        at.format("%-d %b %Y").to_string()
    };
    for shown in [
        ">Signed in</span>".to_string(),
        ">Device signed in</span>".to_string(),
        "Signed in on phone “pixel-7”.".to_string(),
        "Password changed".to_string(),
        "Access allowed".to_string(),
        "Read your contacts <span class=\"muted\">until <time".to_string(),
        until(7),
        until(90),
        "Write your news feed".to_string(),
    ] {
        assert!(all.contains(&shown), "the history shows {shown}");
    }
    for jargon in [
        "OAuth",
        "Live consent",
        "Contacts.Read",
        "News.Write",
        "via ",
    ] {
        assert!(!all.contains(jargon), "no {jargon}");
    }
    assert!(all.contains(&format!(
        "<option value=\"{fabrikam}\">Only Fabrikam</option>"
    )));

    let only = s
        .app
        .get(&format!("/account/history?app={fabrikam}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(only.contains("Write your news feed"));
    assert!(
        !only.contains("Read your contacts"),
        "only Fabrikam's events"
    );
    assert!(
        !only.contains(">Signed in</span>"),
        "account events are about no app"
    );
    assert!(only.contains(&format!("<option value=\"{fabrikam}\" selected>")));

    // An app this user has no event of (Bob's, or garbage) shows nothing, not everything.
    s.app.create_user("bob@example.com", PASSWORD);
    let bobs_app = s.other_app("Bobs App");
    let none = s
        .app
        .get(&format!("/account/history?app={bobs_app}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("Nothing about this app"));
    let garbage = s.app.get("/account/history?app=%3Cx%3E").await;
    assert_eq!(garbage.status(), 200);
    assert!(
        garbage.text().await.unwrap().contains("Fabrikam"),
        "garbage: everything"
    );
}
