//! The consent page over HTTP, for both protocols (issue 17 items 2 and 3): what is already allowed
//! is shown with its end date and kept by default, new permissions are marked, `Full` and `Write`
//! say in words what they include, an undescribed custom type reads as what it is.

use assent::consent::page::date_label;
use diesel::prelude::*;

use crate::dashboard::{Setup, DAY};
use crate::helpers::{csrf_in, hidden_value, TestApp};

/// The `<li>` of `permission` on the consent page.
fn row<'a>(html: &'a str, permission: &str) -> &'a str {
    let at = html
        .find(&format!("value=\"{permission}\""))
        .unwrap_or_else(|| panic!("{permission} is on the page: {html}"));
    let start = html[..at].rfind("<li").unwrap();
    &html[start..at + html[at..].find("</li>").unwrap()]
}

/// The active grants of `permission` for `user`: (expires_at, protocol family id).
fn expiries(app: &TestApp, user: i64, name: &str) -> Vec<i64> {
    let name = name.to_string();
    let mut got = app
        .state
        .db
        .run_sync(move |conn| {
            use assent::db::schema::grants::dsl::*;
            grants
                .filter(user_id.eq(user))
                .filter(permission.eq(&name))
                .filter(revoked_at.is_null())
                .select(expires_at)
                .load::<i64>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    got.sort();
    got
}

async fn page(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// Submit the consent form of `html` to `action` with `ticked` (permission, expiry value).
async fn submit(
    app: &TestApp,
    html: &str,
    action: &str,
    ticked: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("csrf".to_string(), csrf_in(html).unwrap()),
        (
            "request".to_string(),
            hidden_value(html, "request").unwrap(),
        ),
        ("decision".to_string(), "allow".to_string()),
    ];
    for (p, v) in ticked {
        form.push(("permission".into(), p.to_string()));
        form.push((format!("expiry.{p}"), v.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.post_form(action, &pairs).await
}

fn assert_already_allowed_page(html: &str, until: i64) {
    let allowed = row(html, "Contacts.Read");
    let label = format!(
        "Already allowed until {}",
        date_label(until, assent::domain::Zone::UTC, assent::i18n::Lang::En)
    );
    assert!(allowed.contains(&label), "{allowed}");
    assert!(
        allowed.contains("<option value=\"keep\" selected>Keep until"),
        "the current end is the default: {allowed}"
    );
    assert!(
        !allowed.contains("value=\"30\"") && allowed.contains("value=\"365\""),
        "only later ends are offered: {allowed}"
    );
    let new = row(html, "News.Write");
    assert!(new.contains(">New<"), "{new}");
    assert!(!new.contains("Already allowed"), "{new}");
    assert!(new.contains("<option value=\"30\" selected>"), "{new}");
    assert!(
        html.contains("You already allowed Contoso Test Site to:"),
        "{html}"
    );
    assert!(html.contains("wants more access"), "{html}");
}

#[tokio::test]
async fn a_live_consent_page_shows_what_is_already_allowed_and_keeps_its_end_date() {
    let s = Setup::new().await;
    let issued = s.grant_to(&s.site.appid, &s.alice, &[("Contacts.Read", 45 * DAY)]);
    let until = issued.offers[0].1;
    let html = page(&s.app, &s.site.consent_path("Contacts.Read,News.Write", "")).await;
    assert_already_allowed_page(&html, until);

    let r = submit(
        &s.app,
        &html,
        "/consent",
        &[("Contacts.Read", "keep"), ("News.Write", "7")],
    )
    .await;
    assert_eq!(r.status(), 200);
    // Kept: the new grant ends when the old one does.
    assert_eq!(
        expiries(&s.app, s.alice.id, "Contacts.Read"),
        [until, until]
    );
    let news = expiries(&s.app, s.alice.id, "News.Write");
    let week = assent::clock::now() + 7 * DAY;
    assert!(news.len() == 1 && (news[0] - week).abs() < 60, "{news:?}");
}

#[tokio::test]
async fn the_consent_page_says_until_when_in_the_users_time_zone() {
    use crate::dashboard::time_zone::{choose_zone, shifted, ttl_to_late_evening_utc};
    let s = Setup::new().await;
    let issued = s.grant_to(
        &s.site.appid,
        &s.alice,
        &[("Contacts.Read", ttl_to_late_evening_utc())],
    );
    let until = issued.offers[0].1;
    let path = s.site.consent_path("Contacts.Read,News.Write", "");
    let (utc, tokyo) = (
        shifted(until, 0, "%-d %B %Y"),
        shifted(until, 9, "%-d %B %Y"),
    );
    assert_ne!(utc, tokyo);
    let html = page(&s.app, &path).await;
    assert!(
        html.contains(&format!("Already allowed until {utc}")),
        "{html}"
    );

    assert_eq!(
        choose_zone(&s.app, &s.app.client, "Asia/Tokyo")
            .await
            .status(),
        303
    );
    let html = page(&s.app, &path).await;
    let allowed = row(&html, "Contacts.Read");
    assert!(
        allowed.contains(&format!("Already allowed until {tokyo}")),
        "{allowed}"
    );
    assert!(
        allowed.contains(&format!("Keep until {tokyo}")),
        "{allowed}"
    );
    assert!(!html.contains(&utc), "{html}");
}

#[tokio::test]
async fn an_oauth_consent_page_shows_what_is_already_allowed_and_keeps_its_end_date() {
    let s = Setup::new().await;
    let issued = s.grant_to(&s.site.appid, &s.alice, &[("Contacts.Read", 45 * DAY)]);
    let until = issued.offers[0].1;
    let path = format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=Contacts.Read%20News.Write&state=s1",
        s.site.appid,
        assent::crypto::live::urlenc(&s.site.return_url)
    );
    let html = page(&s.app, &path).await;
    assert_already_allowed_page(&html, until);
    let r = submit(
        &s.app,
        &html,
        "/oauth2/authorize",
        &[("Contacts.Read", "keep"), ("News.Write", "30")],
    )
    .await;
    assert_eq!(r.status(), 302);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let token = s
        .app
        .client
        .post(format!("{}/oauth2/token", s.app.address))
        .basic_auth(&s.site.appid, Some(&s.site.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &s.site.return_url),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200, "{}", token.text().await.unwrap());
    assert_eq!(
        expiries(&s.app, s.alice.id, "Contacts.Read"),
        [until, until]
    );
}

#[tokio::test]
async fn full_and_write_say_what_they_include_and_a_first_request_marks_nothing_new() {
    let s = Setup::new().await;
    let html = page(&s.app, &s.site.consent_path("Contacts.Full,News.Write", "")).await;
    let full = row(&html, "Contacts.Full");
    assert!(
        full.contains("Includes: Read your contacts; Write your contacts."),
        "{full}"
    );
    let write = row(&html, "News.Write");
    assert!(
        write.contains("Does not include: Read your news feed."),
        "{write}"
    );
    assert!(
        !html.contains(">New<") && !html.contains("Already allowed"),
        "a first request has nothing to tell apart: {html}"
    );
    assert!(
        html.contains("can use what you allow while you are away, until the date you choose; then it ends by itself"),
        "{html}"
    );
}

#[tokio::test]
async fn a_custom_type_nobody_described_reads_as_what_it_is() {
    let s = Setup::new().await;
    assent::admin::create_provider(&s.app.state.db, "Files service", true, 1).unwrap();
    let html = page(&s.app, &s.site.consent_path("Photos.Read,Photos.Full", "")).await;
    let read = row(&html, "Photos.Read");
    assert!(
        read.contains(
            "Read your \u{201c}Photos\u{201d} data, kept by Files service (no description was given)"
        ),
        "{read}"
    );
    assert!(!html.contains("Photos items"), "{html}");
    let full = row(&html, "Photos.Full");
    assert!(
        full.contains("Includes: Read your \u{201c}Photos\u{201d} data"),
        "{full}"
    );
}
