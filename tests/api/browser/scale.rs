//! The account pages with fifty apps in a real browser, at desktop and phone width: search and sort
//! through the plain form, an app's details, removing one permission after its confirmation, the
//! history filtered by app, the account page with sessions and devices, and the deletion page. Every
//! page passes the audit (labels, contrast, no script, no sideways scrolling).
//!
//! With `ASSENT_SCREENSHOTS=DIR` set, each page is also saved as `DIR/NAME-WIDTH.png` (to look at).

use fantoccini::Locator;

use super::{audit, click, sign_in, Chrome};
use crate::dashboard::listing::fifty_apps;
use crate::dashboard::{Setup, DAY, PASSWORD};

async fn screenshot(chrome: &Chrome, name: &str, width: u32) {
    let Ok(dir) = std::env::var("ASSENT_SCREENSHOTS") else {
        return;
    };
    let png = chrome.client.screenshot().await.unwrap();
    std::fs::write(format!("{dir}/{name}-{width}.png"), png).unwrap();
}

async fn row_names(chrome: &Chrome) -> Vec<String> {
    let names = chrome
        .eval("return [...document.querySelectorAll('.app-row-name')].map(e => e.textContent)")
        .await;
    serde_json::from_value(names).unwrap()
}

#[tokio::test]
async fn fifty_apps_search_sort_and_removal_work_in_a_real_browser_at_both_widths() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let s = Setup::new().await;
    fifty_apps(&s);
    s.grant_to(
        &s.site.appid,
        &s.alice,
        &[
            ("Contacts.Read", 30 * DAY),
            ("News.Read", 90 * DAY),
            ("Contacts.Write", 3 * DAY),
        ],
    );
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
    let c = &chrome.client;
    let at = |path: &str| format!("{}{path}", s.app.address);
    c.goto(&at("/account/consents")).await.unwrap();
    sign_in(&chrome, "alice@example.com").await;
    chrome
        .wait_for_url("the dashboard", |u| u.path() == "/account/consents")
        .await;
    let contoso = s.site.appid.clone();
    for (width, height) in [(1280u32, 800u32), (390, 844)] {
        c.set_window_size(width, height).await.unwrap();
        c.goto(&at("/account/consents")).await.unwrap();
        assert_eq!(chrome.eval("return window.innerWidth").await, width);
        assert_eq!(row_names(&chrome).await.len(), 51);
        audit(
            &chrome,
            &format!("the dashboard with 51 apps at {width} px"),
        )
        .await;
        screenshot(&chrome, "dashboard", width).await;

        // Search and sort with the form: no script on the page, the server does it.
        let q = c.find(Locator::Id("f-q")).await.unwrap();
        q.clear().await.unwrap();
        q.send_keys("app 4").await.unwrap();
        c.find(Locator::Id("f-sort"))
            .await
            .unwrap()
            .select_by_value("used")
            .await
            .unwrap();
        click(&chrome, Locator::Css("form.app-search button[type=submit]")).await;
        chrome
            .wait_for_url("the search", |u| u.query() == Some("q=app+4&sort=used"))
            .await;
        let expected: Vec<String> = (0..50)
            .map(|i| format!("App {i:02}"))
            .filter(|n| n.contains('4'))
            .collect();
        assert_eq!(
            row_names(&chrome).await,
            expected,
            "found, most recently used first"
        );
        let kept = chrome
            .eval("return [document.getElementById('f-q').value, document.getElementById('f-sort').value]")
            .await;
        assert_eq!(
            kept,
            serde_json::json!(["app 4", "used"]),
            "the form keeps its values"
        );
        audit(&chrome, &format!("the search at {width} px")).await;
        screenshot(&chrome, "dashboard-search", width).await;

        // An app's details open in place.
        c.goto(&at("/account/consents?q=contoso")).await.unwrap();
        click(&chrome, Locator::Css("details.app-row > summary")).await;
        let text = chrome.main_text().await;
        assert!(
            text.contains("Read your news feed") && text.contains("contoso.example"),
            "{text}"
        );
        audit(&chrome, &format!("an app's details at {width} px")).await;
        chrome
            .eval("document.querySelector('details[open]').scrollIntoView(); return 0")
            .await;
        screenshot(&chrome, "app-details", width).await;

        // Removing one permission: the confirmation first.
        let permission = if width == 1280 {
            "Contacts.Write"
        } else {
            "News.Read"
        };
        click(
            &chrome,
            Locator::Css(&format!("a.grant-remove[href$='permission={permission}']")),
        )
        .await;
        chrome
            .wait_for_url("the confirmation", |u| {
                u.path() == "/account/consents/revoke"
            })
            .await;
        audit(
            &chrome,
            &format!("the permission's confirmation at {width} px"),
        )
        .await;
        screenshot(&chrome, "remove-permission", width).await;
        click(
            &chrome,
            Locator::Css("form[action='/account/consents/revoke'] button[type=submit]"),
        )
        .await;
        chrome
            .wait_for_url("the notice", |u| {
                u.query().is_some_and(|q| q.starts_with("done=revoked&"))
            })
            .await;
        assert!(chrome.main_text().await.contains("Removed “"));
        let open = chrome
            .eval("return document.querySelector('details[open]').id")
            .await;
        assert_eq!(open, format!("app-{contoso}"), "back to the app, open");
        audit(&chrome, &format!("the removal notice at {width} px")).await;
        screenshot(&chrome, "removed-notice", width).await;

        c.goto(&at(&format!("/account/consents/remove?appid={contoso}")))
            .await
            .unwrap();
        audit(&chrome, &format!("the app's confirmation at {width} px")).await;
        screenshot(&chrome, "remove-app", width).await;

        c.goto(&at(&format!("/account/history?app={contoso}")))
            .await
            .unwrap();
        let list = chrome
            .eval("return document.querySelector('.history-list').innerText")
            .await;
        let list = list.as_str().unwrap();
        assert!(
            list.contains("Permission removed") && !list.contains("App 07"),
            "{list}"
        );
        audit(&chrome, &format!("the history of one app at {width} px")).await;
        screenshot(&chrome, "history-filtered", width).await;
        c.goto(&at("/account/history")).await.unwrap();
        audit(&chrome, &format!("the history at {width} px")).await;
        screenshot(&chrome, "history", width).await;

        c.goto(&at("/account")).await.unwrap();
        let text = chrome.main_text().await;
        assert!(
            text.contains("This browser") && text.contains("phone “pixel-7”"),
            "{text}"
        );
        audit(&chrome, &format!("the account page at {width} px")).await;
        screenshot(&chrome, "account", width).await;
        chrome
            .eval("document.getElementById('sessions-title').scrollIntoView(); return 0")
            .await;
        screenshot(&chrome, "account-sessions", width).await;

        c.goto(&at("/account/delete")).await.unwrap();
        audit(&chrome, &format!("the deletion page at {width} px")).await;
        screenshot(&chrome, "delete-account", width).await;
    }
}
