//! The Live-compatible delegated consent flow over HTTP, as a browser and a website drive it.

use assent::crypto::live::urlenc;
use diesel::prelude::*;

use crate::helpers::{csrf_in, hidden_value, TestApp};
use crate::website::{ResponseForm, Website};

mod decided_once;
mod refusals;

const PASSWORD: &str = "password-1234";

async fn signed_in_app() -> (TestApp, Website, assent::admin::CreatedUser) {
    let app = TestApp::spawn().await;
    seed_catalogue(&app);
    let site = Website::register(&app, "https://contoso.example/cb");
    let user = app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    (app, site, user)
}

/// Contacts and News (Read, Write, Full) owned by one provider.
pub fn seed_catalogue(app: &TestApp) {
    let rp = assent::admin::create_provider(&app.state.db, "Live services", false, 1).unwrap();
    for offer in ["Contacts", "News"] {
        let actions: Vec<(String, String)> = ["Read", "Write", "Full"]
            .iter()
            .map(|a| (a.to_string(), format!("{a} your {offer}")))
            .collect();
        assent::admin::add_offer(&app.state.db, &rp.rp_id, offer, &actions, &[]).unwrap();
    }
}

/// Open the consent page, untick/choose as `choices` says, and submit with `decision`.
async fn decide(
    app: &TestApp,
    consent_path: &str,
    ticked: &[(&str, &str)],
    decision: &str,
) -> reqwest::Response {
    let page = app.get(consent_path).await;
    assert_eq!(page.status(), 200, "the consent page is shown");
    let html = page.text().await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_in(&html).unwrap()),
        ("request".into(), hidden_value(&html, "request").unwrap()),
        ("decision".into(), decision.into()),
    ];
    for (permission, days) in ticked {
        form.push(("permission".into(), permission.to_string()));
        form.push((format!("expiry.{permission}"), days.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.post_form("/consent", &pairs).await
}

fn grant_rows(app: &TestApp, uid: i64) -> Vec<(String, i64, Option<i64>)> {
    app.state
        .db
        .run_sync(|conn| {
            use assent::db::schema::grants::dsl::*;
            grants
                .filter(user_id.eq(uid))
                .select((permission, expires_at, revoked_at))
                .load::<(String, i64, Option<i64>)>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

fn refresh_value(body: &str) -> String {
    // Clients extract the value with a regular expression on this exact shape.
    let inner = body
        .strip_prefix("{\"ConsentToken\":\"")
        .and_then(|b| b.strip_suffix("\"}"))
        .unwrap_or_else(|| panic!("exact refresh body, got {body}"));
    assert!(!inner.contains(['"', ' ', '\n']));
    inner.to_string()
}

#[tokio::test]
async fn the_whole_flow_grants_only_ticked_permissions_and_refresh_rotates() {
    let app = TestApp::spawn().await;
    seed_catalogue(&app);
    let site = Website::register(&app, "https://contoso.example/cb");
    let user = app.create_user("alice@example.com", PASSWORD);
    let path = site.consent_path("Contacts.Read,News.Write", "");

    // Not signed in: the sign-in page first, then back to the same request.
    let r = app.get(&path).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/signin?next="), "{location}");
    let signin = app.get(&location).await.text().await.unwrap();
    let next = hidden_value(&signin, "next").unwrap();
    assert_eq!(next, path);
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "alice@example.com"),
                ("password", PASSWORD),
                ("csrf", &csrf_in(&signin).unwrap()),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), path);

    // The page shows the app, the return host and one row per permission.
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("Contoso Test Site"));
    assert!(html.contains("contoso.example"));
    assert!(html.contains("value=\"Contacts.Read\""));
    assert!(html.contains("name=\"expiry.News.Write\""));

    // Untick News.Write; keep Contacts.Read for 7 days.
    let before = assent::clock::now();
    let r = decide(&app, &path, &[("Contacts.Read", "7")], "allow").await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://contoso.example"),
        "{csp}"
    );
    let form = ResponseForm::parse(&r.text().await.unwrap());
    assert_eq!(form.action, "https://contoso.example/cb");
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["action", "ResponseCode", "ConsentToken", "appctx"]);
    assert_eq!(form.get("action"), Some("delauth"));
    assert_eq!(form.get("ResponseCode"), Some("RequestApproved"));
    assert_eq!(form.get("appctx"), Some("state-42"));

    let token = site.open(form.get("ConsentToken").unwrap());
    assert_eq!(
        token.names(),
        ["delt", "reft", "skey", "offer", "exp", "lid", "sig"]
    );
    let offer = token.get("offer").unwrap();
    let (perm, exp) = offer.split_once(':').unwrap();
    assert_eq!(perm, "Contacts.Read", "News.Write was unticked: {offer}");
    let exp: i64 = exp.parse().unwrap();
    assert!((before + 7 * 86_400..=assent::clock::now() + 7 * 86_400).contains(&exp));
    assert_eq!(token.get("lid").unwrap(), user.lid);
    // The delegation token names its audience: the provider of Contacts (issue 15 item 15).
    let live_services = app
        .state
        .db
        .run_sync(|conn| assent::db::provider::list(conn).map_err(assent::db::DbError::from))
        .unwrap()
        .into_iter()
        .find(|rp| rp.name == "Live services")
        .unwrap();
    assert_eq!(
        crate::provider::claims_of(&token.get("delt").unwrap())["aud"],
        format!("{}/resources/{}", app.address, live_services.rp_id)
    );
    let delt_exp: i64 = token.get("exp").unwrap().parse().unwrap();
    assert!(delt_exp > before && delt_exp <= assent::clock::now() + 3600);
    assert_eq!(
        assent::crypto::live::b64_decode_lenient(&token.get("skey").unwrap())
            .unwrap()
            .len(),
        24
    );
    assert_eq!(
        grant_rows(&app, user.id).len(),
        1,
        "one grant row, for the ticked permission"
    );
    assert_eq!(grant_rows(&app, user.id)[0].0, "Contacts.Read");

    // Refresh: exactly {"ConsentToken":"..."}, a new reft, and the old one is consumed.
    let reft = token.get("reft").unwrap();
    let r = app.get(&site.refresh_path("Contacts.Read", &reft)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let refreshed = site.open(&refresh_value(&r.text().await.unwrap()));
    let new_reft = refreshed.get("reft").unwrap();
    assert_ne!(new_reft, reft);
    assert_ne!(refreshed.get("delt"), token.get("delt"));
    assert_eq!(refreshed.get("offer").unwrap(), offer);

    // The old reft again at once, the new one unused: a retry (the answer was lost), which answers
    // the same new reft.
    let r = app.get(&site.refresh_path("Contacts.Read", &reft)).await;
    assert_eq!(r.status(), 200);
    let retried = site.open(&refresh_value(&r.text().await.unwrap()));
    assert_eq!(retried.get("reft").unwrap(), new_reft);

    // Once the new reft was used, the old one is reuse: the whole family is revoked, the newest reft
    // dies too.
    let r = app
        .get(&site.refresh_path("Contacts.Read", &new_reft))
        .await;
    assert_eq!(r.status(), 200);
    let newest = site.open(&refresh_value(&r.text().await.unwrap()));
    let newest_reft = newest.get("reft").unwrap();
    let r = app.get(&site.refresh_path("Contacts.Read", &reft)).await;
    assert_eq!(r.status(), 400);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["error"], "refresh_token_reused");
    let r = app
        .get(&site.refresh_path("Contacts.Read", &newest_reft))
        .await;
    assert_eq!(r.status(), 400);
    assert_ne!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn cancel_or_nothing_ticked_answers_request_rejected_without_a_token() {
    let (app, site, user) = signed_in_app().await;
    for (ticked, decision) in [
        (&[("Contacts.Read", "30")][..], "cancel"),
        (&[][..], "allow"),
    ] {
        let r = decide(
            &app,
            &site.consent_path("Contacts.Read", ""),
            ticked,
            decision,
        )
        .await;
        let form = ResponseForm::parse(&r.text().await.unwrap());
        assert_eq!(form.get("ResponseCode"), Some("RequestRejected"));
        assert_eq!(form.get("ConsentToken"), None);
        assert_eq!(form.get("appctx"), Some("state-42"));
    }
    assert!(grant_rows(&app, user.id).is_empty());
}

#[tokio::test]
async fn a_remembered_consent_skips_the_page() {
    let (app, site, _) = signed_in_app().await;
    let path = site.consent_path("Contacts.Read", "");
    decide(&app, &path, &[("Contacts.Read", "30")], "allow").await;
    let r = app.get(&site.consent_path("Contacts.Read", "")).await;
    let form = ResponseForm::parse(&r.text().await.unwrap());
    assert_eq!(form.get("ResponseCode"), Some("RequestApproved"));
    site.open(form.get("ConsentToken").unwrap());
    // A new permission is asked for: the page is shown.
    let html = app
        .get(&site.consent_path("Contacts.Read,News.Read", ""))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"News.Read\""));
}

#[tokio::test]
async fn the_aspx_aliases_and_upper_case_names_work() {
    let (app, site, _) = signed_in_app().await;
    let path = format!(
        "/Delegation.aspx?PS=Contacts.Read&RU={}&APP={}",
        urlenc(&site.return_url),
        site.verifier()
    );
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("value=\"Contacts.Read\""), "{html}");
}
