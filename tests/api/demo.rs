//! The demo website (issue 17 item 11): Sign in with Assent through Web Authentication
//! (`action=login`), who signed in, "Connected" only while a grant exists, the name read once
//! through the profile resource, and its banner inside a landmark.

use assent::demo::{DEMO_EMAIL, DEMO_PASSWORD};

use crate::helpers::{csrf_in, hidden_value, unescape_html, TestApp};
use crate::website::ResponseForm;

async fn demo_app() -> TestApp {
    let app = TestApp::spawn_with(|c| c.server.demo = true).await;
    assert_eq!(app.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.status(), 303);
    app
}

async fn demo_page(app: &TestApp) -> String {
    let r = app.get("/demo").await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// The path (on this server) of the first link whose URL contains `marker`.
fn link(app: &TestApp, html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker}: {html}"));
    let start = html[..at].rfind("href=\"").unwrap() + 6;
    let url = unescape_html(&html[start..start + html[start..].find('"').unwrap()]);
    url.strip_prefix(&app.address).unwrap_or(&url).to_string()
}

/// Post the response page's fields to the demo website, as the browser does.
async fn post_back(app: &TestApp, fields: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    app.post_form("/demo/return", &pairs).await
}

/// Connect the demo website, allowing `ticked`; the page after the return.
async fn connect(app: &TestApp, ticked: &[&str]) -> String {
    let path = link(app, &demo_page(app).await, "consent?ps=");
    let html = app.get(&path).await.text().await.unwrap();
    let mut form = vec![
        ("csrf".to_string(), csrf_in(&html).unwrap()),
        (
            "request".to_string(),
            hidden_value(&html, "request").unwrap(),
        ),
        ("decision".to_string(), "allow".to_string()),
    ];
    for p in ticked {
        form.push(("permission".into(), p.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let answer = ResponseForm::parse(
        &app.post_form("/consent", &pairs)
            .await
            .text()
            .await
            .unwrap(),
    );
    let r = post_back(app, &answer.fields).await;
    assert_eq!(r.headers()["location"], "/demo?message=connected");
    demo_page(app).await
}

#[tokio::test]
async fn the_demo_signs_in_with_web_authentication_and_shows_who_signed_in() {
    let app = demo_app().await;
    let page = demo_page(&app).await;
    assert!(page.contains("Sign in with Assent"), "{page}");
    let wlogin = link(&app, &page, "wlogin.srf?");
    assert!(wlogin.contains("alg=wsignin1.0"), "{wlogin}");

    let html = app.get(&wlogin).await.text().await.unwrap();
    let stoken = hidden_value(&html, "stoken").expect("Assent answers with an stoken");
    let fields = vec![
        ("action".to_string(), "login".to_string()),
        ("stoken".to_string(), stoken.clone()),
        ("appctx".to_string(), hidden_value(&html, "appctx").unwrap()),
    ];
    let r = post_back(&app, &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/demo?message=signed-in");
    let page = app
        .get("/demo?message=signed-in")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("You cancelled"), "{page}");
    let site = app.state.demo.clone().unwrap();
    let uid = assent::demo::signed_in_uid(&site, &stoken, assent::clock::now()).unwrap();
    assert!(page.contains("Signed in with Assent"), "{page}");
    assert!(page.contains(&uid), "the page names who signed in: {page}");
    assert!(page.contains("Sign out"), "{page}");

    // An stoken that does not open with Contoso's secret is refused, not taken for a sign-in.
    let forged = vec![
        ("action".to_string(), "login".to_string()),
        ("stoken".to_string(), {
            let swap = if stoken.starts_with('A') { "B" } else { "A" };
            format!("{swap}{}", &stoken[1..])
        }),
    ];
    assert_eq!(post_back(&app, &forged).await.status(), 400);

    // Web Authentication's sign-out calls: clearcookie (an image) and logout.
    let r = app.get("/demo/return?action=clearcookie").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/gif");
    let page = demo_page(&app).await;
    assert!(
        page.contains("Sign in with Assent") && !page.contains(&uid),
        "{page}"
    );
}

#[tokio::test]
async fn the_demo_says_connected_only_while_a_grant_exists_and_reads_the_name_once() {
    let app = demo_app().await;
    let page = connect(&app, &["Contacts.Read", "Profiles.Read"]).await;
    assert!(page.contains(">Connected<"), "{page}");
    // The name came through the profile resource with the delegation token.
    assert!(page.contains("Welcome, Demo User"), "{page}");

    // Removed on the dashboard: the website still has its cookie, but the grant is gone.
    let site = app.state.demo.clone().unwrap();
    let csrf = app.csrf_of("/account/consents").await;
    let r = app
        .post_form(
            "/account/consents/remove",
            &[("csrf", &csrf), ("appid", &site.appid)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = demo_page(&app).await;
    assert!(page.contains("Not connected"), "{page}");
    assert!(!page.contains(">Connected<"), "{page}");
    assert!(!page.contains("Welcome, Demo User"), "{page}");

    // Without Profiles.Read the token can not read the profile: no name.
    let page = connect(&app, &["Contacts.Read"]).await;
    assert!(page.contains(">Connected<"), "{page}");
    assert!(!page.contains("Demo User"), "{page}");
}

#[tokio::test]
async fn the_demo_banner_is_inside_a_landmark() {
    let app = demo_app().await;
    let page = demo_page(&app).await;
    let banner = page.find("class=\"demo-banner\"").expect("the banner");
    let header = page[..banner].rfind("<header").expect("a header before it");
    let end = page[header..].find("</header>").unwrap() + header;
    assert!(banner < end, "the banner is inside <header>: {page}");
}

#[tokio::test]
async fn the_demo_shows_its_token_times_in_the_visitors_time_zone() {
    let app = demo_app().await;
    let page = connect(&app, &["Contacts.Read"]).await;
    assert!(
        page.contains(" UTC</td>"),
        "no zone known yet: UTC, said so: {page}"
    );
    let r = crate::dashboard::time_zone::choose_zone(&app, &app.client, "Asia/Tokyo").await;
    assert_eq!(r.status(), 303);
    let page = demo_page(&app).await;
    assert!(page.contains(" JST</td>"), "{page}");
    assert!(page.contains("token expires "), "{page}");
    assert!(!page.contains(" UTC"), "{page}");
}
