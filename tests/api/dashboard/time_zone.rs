//! Time zones (issue 17 item 10): dates are shown in the user's saved zone, else the browser's (the
//! `assent_tz` cookie /static/tz.js sets), else UTC; `<time datetime>` stays ISO UTC. The zone is
//! chosen on the account page (CSRF, a history event); bad zones are ignored or refused.

use std::sync::Arc;

use diesel::prelude::*;

use super::{csrf_on, location, post, Setup, DAY, PASSWORD};
use crate::helpers::TestApp;

/// A lifetime that makes a grant end at 23:30 UTC, ten days from now: in Tokyo (UTC+9, no summer
/// time) that is 08:30 on the next day.
pub fn ttl_to_late_evening_utc() -> i64 {
    let now = assent::clock::now();
    let target = (now / DAY + 10) * DAY + DAY - 30 * 60;
    target - now
}

/// `unix` shifted by `hours` as "%-d %b %Y" and "%H:%M" (what the dashboard shows for a zone at a
/// fixed offset).
pub fn shifted(unix: i64, hours: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(unix + hours * 3_600, 0)
        .unwrap()
        .format(format)
        .to_string()
}

/// A grant of Contacts.Read to the website for Alice ending at 23:30 UTC; its end.
fn late_grant(s: &Setup) -> i64 {
    let issued = s.grant_to(
        &s.site.appid,
        &s.alice,
        &[("Contacts.Read", ttl_to_late_evening_utc())],
    );
    let until = issued.offers[0].1;
    assert_eq!(
        shifted(until, 0, "%H:%M"),
        "23:30",
        "the grant ends late in the UTC day"
    );
    until
}

/// Save `zone` on the account page of `client`.
pub async fn choose_zone(app: &TestApp, client: &reqwest::Client, zone: &str) -> reqwest::Response {
    let csrf = csrf_on(app, client, "/account").await;
    post(
        app,
        client,
        "/account/time-zone",
        &[("csrf", &csrf), ("time_zone", zone)],
    )
    .await
}

/// A browser whose cookie jar holds `assent_tz=zone` (as tz.js sets it), signed in as Alice.
async fn browser_in_zone(app: &TestApp, zone: &str) -> reqwest::Client {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let url: url::Url = app.address.parse().unwrap();
    jar.add_cookie_str(&format!("assent_tz={zone}; Path=/"), &url);
    let client = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf = csrf_on(app, &client, "/signin").await;
    let form = [
        ("email", "alice@example.com"),
        ("password", PASSWORD),
        ("csrf", &csrf),
        ("next", "/"),
    ];
    assert_eq!(post(app, &client, "/signin", &form).await.status(), 303);
    client
}

async fn html(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

fn saved_zone(s: &Setup) -> Option<String> {
    let uid = s.alice.id;
    s.app
        .state
        .db
        .run_sync(move |conn| {
            use assent::db::schema::users::dsl::*;
            users
                .find(uid)
                .select(time_zone)
                .first::<Option<String>>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

/// The dashboard shows the grant's end as `date` with `time` in its title, and the ISO UTC value.
fn assert_until(page: &str, until: i64, date: &str, time: &str) {
    let iso = shifted(until, 0, "%Y-%m-%dT%H:%M:%SZ");
    let expected = format!("<time datetime=\"{iso}\" title=\"{date}, {time}\">{date}</time>");
    assert!(page.contains(&expected), "{expected} in {page}");
}

#[tokio::test]
async fn a_user_in_tokyo_sees_a_grants_end_in_tokyo_time_on_the_dashboard_and_history() {
    let s = Setup::new().await;
    let until = late_grant(&s);
    let (utc_date, tokyo_date) = (
        shifted(until, 0, "%-d %b %Y"),
        shifted(until, 9, "%-d %b %Y"),
    );
    assert_ne!(utc_date, tokyo_date);
    let me = &s.app.client;
    // Nothing chosen, no browser hint: UTC, said so.
    assert_until(
        &html(&s.app, me, "/account/consents").await,
        until,
        &utc_date,
        "23:30 UTC",
    );

    let r = choose_zone(&s.app, me, "Asia/Tokyo").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/account?done=zone");
    assert_eq!(saved_zone(&s).as_deref(), Some("Asia/Tokyo"));

    let dashboard = html(&s.app, me, "/account/consents").await;
    assert_until(&dashboard, until, &tokyo_date, "08:30 JST");
    assert!(!dashboard.contains(" UTC"), "no time says UTC: {dashboard}");
    assert!(
        dashboard.contains("Dates are in Asia/Tokyo time."),
        "the page says which zone: {dashboard}"
    );

    let history = html(&s.app, me, "/account/history").await;
    let until_iso = shifted(until, 0, "%Y-%m-%dT%H:%M:%SZ");
    let expected = format!("until <time datetime=\"{until_iso}\">{tokyo_date}</time>");
    assert!(history.contains(&expected), "{expected} in {history}");
    assert!(history.contains("Time zone changed"), "{history}");
    assert!(
        history.contains("Dates are in Asia/Tokyo time."),
        "{history}"
    );
    assert!(
        history.contains("Dates now show in Asia&#x2F;Tokyo time."),
        "{history}"
    );
    assert!(
        history.contains(" JST</time>"),
        "event times say their zone: {history}"
    );

    let account = html(&s.app, me, "/account").await;
    assert!(
        account.contains("<strong>Asia/Tokyo</strong> (your choice)"),
        "{account}"
    );
    assert!(
        account.contains("<option value=\"Asia/Tokyo\" selected>Asia/Tokyo</option>"),
        "{account}"
    );
    // The export is data: still UTC, with the saved zone beside it.
    let csrf = csrf_on(&s.app, me, "/account").await;
    let r = post(&s.app, me, "/account/data", &[("csrf", &csrf)]).await;
    let data: serde_json::Value = r.json().await.unwrap();
    assert_eq!(data["account"]["time_zone"], "Asia/Tokyo");
    assert_eq!(
        data["grants"][0]["expires_at"],
        until_iso.as_str(),
        "{data}"
    );
}

#[tokio::test]
async fn the_browsers_zone_applies_until_one_is_chosen_and_again_once_it_is_cleared() {
    let s = Setup::new().await;
    let until = late_grant(&s);
    let tokyo = browser_in_zone(&s.app, "Asia/Tokyo").await;
    let tokyo_date = shifted(until, 9, "%-d %b %Y");
    assert_until(
        &html(&s.app, &tokyo, "/account/consents").await,
        until,
        &tokyo_date,
        "08:30 JST",
    );
    let account = html(&s.app, &tokyo, "/account").await;
    assert!(
        account.contains("<strong>Asia/Tokyo</strong> (your browser's)"),
        "{account}"
    );
    assert!(
        account.contains("<option value=\"\" selected>Use my browser's zone (Asia/Tokyo)</option>"),
        "{account}"
    );

    // A chosen zone wins over the browser's (Berlin in winter or summer: CET or CEST).
    assert_eq!(
        choose_zone(&s.app, &tokyo, "Europe/Berlin").await.status(),
        303
    );
    let dashboard = html(&s.app, &tokyo, "/account/consents").await;
    let berlin_date = shifted(until, 1, "%-d %b %Y");
    assert!(
        dashboard.contains(&format!("title=\"{berlin_date}, 00:30 CET\""))
            || dashboard.contains(&format!("title=\"{berlin_date}, 01:30 CEST\"")),
        "{dashboard}"
    );
    assert!(!dashboard.contains("JST"), "{dashboard}");

    // "Use my browser's zone" clears the choice: Tokyo again.
    assert_eq!(choose_zone(&s.app, &tokyo, "").await.status(), 303);
    assert_eq!(saved_zone(&s), None);
    assert_until(
        &html(&s.app, &tokyo, "/account/consents").await,
        until,
        &tokyo_date,
        "08:30 JST",
    );
    let history = html(&s.app, &tokyo, "/account/history").await;
    assert!(
        history.contains("Dates now follow your browser&#x27;s time zone."),
        "{history}"
    );
}

#[tokio::test]
async fn a_bad_zone_cookie_is_ignored_and_a_bad_form_value_is_refused() {
    let s = Setup::new().await;
    let until = late_grant(&s);
    let utc_date = shifted(until, 0, "%-d %b %Y");
    for bad in ["Mars/Olympus", "asia/tokyo", "%3Cscript%3E"] {
        let client = browser_in_zone(&s.app, bad).await;
        let page = html(&s.app, &client, "/account/consents").await;
        assert_until(&page, until, &utc_date, "23:30 UTC");
        let account = html(&s.app, &client, "/account").await;
        assert!(
            account.contains("Use my browser's zone</option>"),
            "{bad}: {account}"
        );
    }

    let me = &s.app.client;
    assert_eq!(choose_zone(&s.app, me, "Asia/Tokyo").await.status(), 303);
    for bad in ["Mars/Olympus", "asia/tokyo", "<script>", &"A/".repeat(40)] {
        let r = choose_zone(&s.app, me, bad).await;
        assert_eq!(r.status(), 400, "{bad}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("That is not a time zone Assent knows"),
            "{page}"
        );
        assert_eq!(
            saved_zone(&s).as_deref(),
            Some("Asia/Tokyo"),
            "{bad} changed nothing"
        );
    }
    // Without the form's CSRF token: refused, nothing changes.
    let r = post(
        &s.app,
        me,
        "/account/time-zone",
        &[("csrf", "forged"), ("time_zone", "Europe/Berlin")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(saved_zone(&s).as_deref(), Some("Asia/Tokyo"));
}
