//! The time zone hint in a real browser: /static/tz.js sets the `assent_tz` cookie to the browser's
//! zone (chromedriver runs with `TZ=Asia/Tokyo`), the dashboard then shows Tokyo time, and a zone
//! chosen on the account page wins.

use fantoccini::Locator;

use super::driver::Chrome;
use super::{audit, click, sign_in};
use crate::dashboard::time_zone::{shifted, ttl_to_late_evening_utc};
use crate::dashboard::Setup;

#[tokio::test]
async fn the_static_script_tells_assent_the_browsers_zone() {
    let Some(chrome) = Chrome::start_in_zone(Some("Asia/Tokyo")).await else {
        return;
    };
    let zone = chrome
        .eval("return Intl.DateTimeFormat().resolvedOptions().timeZone")
        .await;
    assert_eq!(zone, "Asia/Tokyo", "the browser runs in Tokyo time");
    let s = Setup::new().await;
    let issued = s.grant_to(
        &s.site.appid,
        &s.alice,
        &[("Contacts.Read", ttl_to_late_evening_utc())],
    );
    let until = issued.offers[0].1;
    let c = &chrome.client;
    // Signed out: the dashboard sends the browser to the sign-in page, which loads the script.
    c.goto(&format!("{}/account/consents", s.app.address))
        .await
        .unwrap();
    // The script is deferred: the cookie is there once the page has loaded.
    let cookie = chrome.eval("return document.cookie").await;
    assert!(
        cookie
            .as_str()
            .unwrap_or_default()
            .contains("assent_tz=Asia/Tokyo"),
        "{cookie}"
    );
    sign_in(&chrome, "alice@example.com").await;
    chrome
        .wait_for_url("the dashboard", |u| u.path() == "/account/consents")
        .await;
    let tokyo = format!("{}, 08:30 JST", shifted(until, 9, "%-d %b %Y"));
    let title = c
        .find(Locator::Css(".grant-list time[title]"))
        .await
        .unwrap()
        .attr("title")
        .await
        .unwrap();
    assert_eq!(title.as_deref(), Some(tokyo.as_str()));

    // Choose Berlin on the account page: it wins over the browser's zone.
    c.goto(&format!("{}/account", s.app.address)).await.unwrap();
    audit(&chrome, "the account page with the time zone setting").await;
    c.find(Locator::Css("#f-zone option[value='Europe/Berlin']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(
        &chrome,
        Locator::Css("form[action='/account/time-zone'] button[type=submit]"),
    )
    .await;
    chrome
        .wait_for_url("the notice", |u| u.query() == Some("done=zone"))
        .await;
    assert!(chrome.main_text().await.contains("Time zone saved"));
    assert!(chrome
        .main_text()
        .await
        .contains("Europe/Berlin (your choice)"));
}
