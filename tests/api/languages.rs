//! Page languages over HTTP: `Accept-Language` chooses, the switch's cookie wins and is remembered,
//! the switch goes back only to a local path, and what Rust words (dates, durations, descriptions,
//! notices, error pages) follows the page's language.

use crate::dashboard::{csrf_on, location, post, Setup, DAY};
use crate::helpers::{browser, TestApp};

async fn get_with(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    accept: &str,
) -> (u16, String) {
    let r = client
        .get(format!("{}{path}", app.address))
        .header("Accept-Language", accept)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").map(|i| i + 12).unwrap_or(0);
    let end = html[start..].find('"').map_or(start, |e| start + e);
    &html[start..end]
}

#[tokio::test]
async fn accept_language_chooses_the_page_language_and_english_is_the_default() {
    let app = TestApp::spawn().await;
    let client = browser();
    for (accept, lang, title) in [
        ("de-DE,de;q=0.9,en;q=0.8", "de", "Bei Assent anmelden"),
        ("fr-FR, ja;q=0.7", "ja", "Assent にログイン"),
        ("fr-FR, es;q=0.8", "en", "Sign in to Assent"),
        ("", "en", "Sign in to Assent"),
    ] {
        let (status, html) = get_with(&app, &client, "/signin", accept).await;
        assert_eq!(status, 200);
        assert_eq!(html_lang(&html), lang, "{accept}");
        assert!(html.contains(title), "{accept}: {title} in {html}");
    }
}

#[tokio::test]
async fn the_switch_is_remembered_over_accept_language_and_returns_only_to_a_local_path() {
    let app = TestApp::spawn().await;
    let client = browser();
    let r = client
        .get(format!(
            "{}/language?to=ja&back=%2Fsignup%3Fnext%3D%252Faccount",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/signup?next=%2Faccount");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("assent_lang="))
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("assent_lang=ja;"), "{cookie}");
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
    let (_, html) = get_with(&app, &client, "/signup", "de").await;
    assert_eq!(
        html_lang(&html),
        "ja",
        "the choice wins over Accept-Language"
    );
    // The switch on that page offers the other languages and comes back to it.
    assert!(
        html.contains("href=\"/language?to=de&amp;back=%2Fsignup\""),
        "{html}"
    );

    for back in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "",
    ] {
        let r = client
            .get(format!(
                "{}/language?to=de&back={}",
                app.address,
                urlenc(back)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{back}");
        assert_eq!(location(&r), "/", "{back}");
    }
    let r = client
        .get(format!("{}/language?to=xx&back=/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert_eq!(
        html_lang(&page),
        "de",
        "the error page is in the remembered language"
    );
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn error_pages_follow_the_language_signed_out_and_signed_in() {
    let s = Setup::new().await;
    let (status, html) = get_with(&s.app, &browser(), "/no-such-page", "de").await;
    assert_eq!(status, 404);
    assert_eq!(html_lang(&html), "de");
    assert!(html.contains("Seite nicht gefunden"), "{html}");
    let (status, html) = get_with(&s.app, &s.app.client, "/wlogin.srf?alg=wsignin1.0", "ja").await;
    assert_eq!(status, 400);
    assert_eq!(html_lang(&html), "ja");
    assert!(
        html.contains("alice@example.com"),
        "signed in header: {html}"
    );
}

#[tokio::test]
async fn the_consent_page_and_the_dashboard_word_dates_durations_and_permissions_in_german() {
    let s = Setup::new().await;
    s.grant_to(&s.site.appid, &s.alice, &[("Contacts.Read", 45 * DAY)]);
    let consent = s.site.consent_path("Contacts.Read,Contacts.Full", "");
    let (status, html) = get_with(&s.app, &s.app.client, &consent, "de").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(html_lang(&html), "de");
    // The catalogue's German words for a registered permission replace the provider's English.
    assert!(html.contains("Kontakte lesen"), "{html}");
    assert!(!html.contains("Read your contacts"), "{html}");
    assert!(
        html.contains("30 Tage") && html.contains("1 Jahr"),
        "{html}"
    );
    let month = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    assert!(
        month.iter().any(|m| html.contains(m)),
        "a German month: {html}"
    );

    let (_, html) = get_with(&s.app, &s.app.client, "/account/consents", "de").await;
    assert!(html.contains("Kontakte lesen"), "{html}");
    assert!(html.contains("in 45 Tagen"), "{html}");

    // A notice worded in Rust (the removal) is shown in the page's language.
    let csrf = csrf_on(&s.app, &s.app.client, "/account/consents").await;
    let r = post(
        &s.app,
        &s.app.client,
        "/account/consents/revoke",
        &[
            ("csrf", csrf.as_str()),
            ("appid", s.site.appid.as_str()),
            ("permission", "Contacts.Read"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = get_with(&s.app, &s.app.client, &location(&r), "ja").await;
    assert_eq!(html_lang(&html), "ja");
    assert!(html.contains("連絡先の閲覧"), "{html}");
    let (_, history) = get_with(&s.app, &s.app.client, "/account/history", "ja").await;
    assert!(history.contains("連絡先の閲覧"), "{history}");
    assert!(!history.contains("Permission removed"), "{history}");
}
