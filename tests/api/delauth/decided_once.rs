//! A consent form is decided once: a second submit of the same form (the back button, a double
//! click, parallel submits, a replay after the user removed the app) grants nothing and says so.

use super::*;

/// The consent page's form for `path`, ticked with `ticked` and answered `decision`.
async fn consent_form(
    app: &TestApp,
    path: &str,
    ticked: &[&str],
    decision: &str,
) -> Vec<(String, String)> {
    let html = app.get(path).await.text().await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_in(&html).unwrap()),
        ("request".into(), hidden_value(&html, "request").unwrap()),
        ("decision".into(), decision.into()),
    ];
    for p in ticked {
        form.push(("permission".into(), p.to_string()));
    }
    form
}

async fn submit(app: &TestApp, form: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.post_form("/consent", &pairs).await
}

fn families(app: &TestApp, uid: i64) -> i64 {
    app.state
        .db
        .run_sync(|conn| {
            use assent::db::schema::token_families::dsl::*;
            token_families
                .filter(user_id.eq(uid))
                .count()
                .get_result(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

async fn assert_already_decided(r: reqwest::Response) {
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("You already answered this consent request"),
        "{html}"
    );
    assert!(!html.contains("ConsentToken"), "{html}");
}

#[tokio::test]
async fn a_second_submit_of_a_live_consent_form_grants_nothing() {
    let (app, site, user) = signed_in_app().await;
    let path = site.consent_path("Contacts.Read", "");
    let form = consent_form(&app, &path, &["Contacts.Read"], "allow").await;
    let first = submit(&app, &form).await;
    assert_eq!(first.status(), 200);
    // The 409 page's header shows the signed-in user, not "Sign in" (issue 17 item 8).
    let again = submit(&app, &form).await.text().await.unwrap();
    let header = &again[again.find("<header").unwrap()..again.find("</header>").unwrap()];
    assert!(
        header.contains("alice@example.com") && !header.contains("href=\"/signin\""),
        "{header}"
    );
    let answer = ResponseForm::parse(&first.text().await.unwrap());
    site.open(answer.get("ConsentToken").unwrap());
    assert_already_decided(submit(&app, &form).await).await;
    assert_eq!(families(&app, user.id), 1, "one decision, one grant family");

    // A form answered Cancel is decided too: Allow on it later grants nothing.
    let news = site.consent_path("News.Read", "");
    let cancelled = consent_form(&app, &news, &["News.Read"], "cancel").await;
    assert_eq!(submit(&app, &cancelled).await.status(), 200);
    let allowed: Vec<(String, String)> = cancelled
        .iter()
        .map(|(n, v)| match n.as_str() {
            "decision" => (n.clone(), "allow".to_string()),
            _ => (n.clone(), v.clone()),
        })
        .collect();
    assert_already_decided(submit(&app, &allowed).await).await;
    assert_eq!(families(&app, user.id), 1);
}

#[tokio::test]
async fn parallel_submits_of_one_live_form_issue_one_consent_token() {
    let (app, site, user) = signed_in_app().await;
    let form = consent_form(
        &app,
        &site.consent_path("Contacts.Read", ""),
        &["Contacts.Read"],
        "allow",
    )
    .await;
    let (a, b, c) = tokio::join!(
        submit(&app, &form),
        submit(&app, &form),
        submit(&app, &form)
    );
    let mut statuses = vec![a.status(), b.status(), c.status()];
    statuses.sort();
    assert_eq!(statuses, [200, 409, 409]);
    assert_eq!(families(&app, user.id), 1);
}

#[tokio::test]
async fn a_replayed_live_form_after_the_app_was_removed_grants_nothing() {
    let (app, site, user) = signed_in_app().await;
    let form = consent_form(
        &app,
        &site.consent_path("Contacts.Read", ""),
        &["Contacts.Read"],
        "allow",
    )
    .await;
    assert_eq!(submit(&app, &form).await.status(), 200);
    let appid = assent::domain::AppId::parse(&site.appid).unwrap();
    app.state
        .db
        .transaction_sync(|conn| {
            assent::consents::revoke::app(conn, user.id, &appid, assent::clock::now())
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_already_decided(submit(&app, &form).await).await;
    let active: Vec<_> = grant_rows(&app, user.id)
        .into_iter()
        .filter(|(_, _, revoked)| revoked.is_none())
        .collect();
    assert!(active.is_empty(), "{active:?}");
}
