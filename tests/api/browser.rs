//! End to end in a real headless Chromium (WebDriver): a user allows an app, sees it on the
//! dashboard, removes one permission and then the whole app; the website's refreshes follow at once.
//! The same tests check what the browser gets: security headers, no inline script or style, a label
//! for every control, AA contrast, and no sideways scrolling at phone width.

mod driver;
mod languages;
mod pages;
mod return_site;
mod scale;
mod time_zone;

use fantoccini::Locator;
use serde_json::Value;

use crate::dashboard::{refresh_with, Setup, PASSWORD};
use driver::Chrome;
use return_site::ReturnSite;

/// Problems a page must not have, found in the live DOM: inline script, style or handlers; a
/// control without a label; a button or link without a name; text below WCAG AA contrast against
/// its background; content wider than the window.
pub const AUDIT: &str = r#"
const problems = [];
document.querySelectorAll('script:not([src])').forEach(() => problems.push('inline script'));
document.querySelectorAll('[style]').forEach(e => problems.push('inline style on ' + e.tagName));
document.querySelectorAll('*').forEach(e => { for (const a of e.attributes) {
  if (a.name.startsWith('on')) problems.push('inline handler ' + a.name); } });
document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(c => {
  if (!c.labels.length && !c.getAttribute('aria-label')) problems.push('unlabelled ' + c.name); });
document.querySelectorAll('button, a[href]').forEach(b => {
  if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('nameless ' + b.outerHTML.slice(0, 60)); });
if (document.documentElement.scrollWidth > window.innerWidth)
  problems.push('sideways scrolling: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
const rgba = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(',').map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const bg = el => { for (let e = el; e; e = e.parentElement) {
  const c = rgba(getComputedStyle(e).backgroundColor); if (c && c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const text = walker.currentNode.textContent.trim(); const el = walker.currentNode.parentElement;
  if (!text || seen.has(el)) continue; seen.add(el);
  const st = getComputedStyle(el); const r = el.getBoundingClientRect();
  if (st.visibility === 'hidden' || r.width <= 1 || r.height <= 1 || r.bottom < 0) continue;
  const fg = rgba(st.color); if (!fg) continue;
  const a = lum(fg), b = lum(bg(el)); const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(st.fontSize); const large = size >= 24 || (parseInt(st.fontWeight) >= 700 && size >= 18.66);
  if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ': ' + text.slice(0, 40));
}
return problems;
"#;

/// Audit the page the browser shows and fail with what is wrong.
async fn audit(chrome: &Chrome, page: &str) {
    let problems = chrome.eval(AUDIT).await;
    assert_eq!(problems, Value::Array(vec![]), "{page}");
    // The pages work without script; the one script they load is the time zone hint.
    let scripts = chrome
        .eval("return Array.from(document.scripts).map(s => new URL(s.src).pathname)")
        .await;
    assert_eq!(scripts, serde_json::json!(["/static/tz.js"]), "{page}");
}

/// The headers the page at `path` is served with (the same request the browser made, by reqwest
/// with a session of the same user).
async fn assert_security_headers(s: &Setup, path: &str) {
    let r = s.app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{path}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert_eq!(h["x-frame-options"], "DENY", "{path}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    assert_eq!(h["cache-control"], "no-store", "{path}");
    assert_eq!(h["content-type"], "text/html; charset=utf-8", "{path}");
}

/// Fill the sign-in form the browser shows and submit it.
async fn sign_in(chrome: &Chrome, email: &str) {
    let c = &chrome.client;
    c.wait()
        .for_element(Locator::Id("f-email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("f-password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/signin'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn click(chrome: &Chrome, locator: Locator<'_>) {
    chrome
        .client
        .find(locator)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_user_removes_one_permission_then_the_whole_app_in_a_real_browser() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let website = ReturnSite::start();
    let s = Setup::with_return_url(&format!("{}/cb", website.origin)).await;
    let c = &chrome.client;
    let consent = s.site.consent_path("Contacts.Read,News.Read", "");

    // The website sends the user to Assent; sign in; allow both permissions.
    c.goto(&format!("{}{consent}", s.app.address))
        .await
        .unwrap();
    sign_in(&chrome, "alice@example.com").await;
    c.wait()
        .for_element(Locator::Css("button[value=allow]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The response page posts the ConsentToken to the website by itself (its script).
    let form = website.form_posted_to("/cb").await;
    chrome
        .wait_for_url("the website", |u| {
            u.as_str() == format!("{}/cb", website.origin)
        })
        .await;
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(field("ResponseCode").as_deref(), Some("RequestApproved"));
    let token = s.site.open(&field("ConsentToken").unwrap());
    let reft = token.get("reft").unwrap();

    // The dashboard shows the app as a row; opened, its permissions.
    c.goto(&format!("{}/account/consents", s.app.address))
        .await
        .unwrap();
    click(&chrome, Locator::Css("details.app-row > summary")).await;
    let text = chrome.main_text().await;
    for shown in [
        "Contoso Test Site",
        "2 permissions",
        "Read your contacts",
        "Read your news feed",
        "expires in 30 days",
    ] {
        assert!(text.contains(shown), "the dashboard shows {shown}:\n{text}");
    }
    audit(&chrome, "the dashboard").await;
    assert_security_headers(&s, "/account/consents").await;

    // Remove one permission: a confirmation page names it first.
    click(
        &chrome,
        Locator::Css("a.grant-remove[href$='permission=Contacts.Read']"),
    )
    .await;
    let heading = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        heading,
        "Remove “Read your contacts” from Contoso Test Site?"
    );
    audit(&chrome, "the permission's confirmation page").await;
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
    let text = chrome.main_text().await;
    assert!(
        text.contains("Removed “Read your contacts” from Contoso Test Site.")
            && text.contains("Read your news feed"),
        "the notice names it and the app stays open: {text}"
    );
    assert!(!text.contains("Remove… “Read your contacts”"));
    assert_eq!(
        refresh_with(&s.app, &s.site, "Contacts.Read", &reft).await,
        Err("consent_revoked".into())
    );
    let (offer, reft) = refresh_with(&s.app, &s.site, "News.Read", &reft)
        .await
        .unwrap();
    assert!(offer.starts_with("News.Read:"), "{offer}");

    // Remove the app: a confirmation page first.
    click(&chrome, Locator::Css("a[href^='/account/consents/remove']")).await;
    let heading = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Remove all access of Contoso Test Site?");
    audit(&chrome, "the confirmation page").await;
    let confirm = chrome.client.current_url().await.unwrap();
    assert_security_headers(
        &s,
        &format!("{}?{}", confirm.path(), confirm.query().unwrap()),
    )
    .await;
    click(
        &chrome,
        Locator::Css("form[action='/account/consents/remove'] button[type=submit]"),
    )
    .await;
    chrome
        .wait_for_url("the list", |u| u.query() == Some("done=removed"))
        .await;
    let text = chrome.main_text().await;
    assert!(
        text.contains("No app has access") && !text.contains("Contoso Test Site"),
        "{text}"
    );
    assert_eq!(
        refresh_with(&s.app, &s.site, "News.Read", &reft).await,
        Err("consent_revoked".into())
    );

    // The history tells the story (its order is tested where events are seconds apart).
    c.goto(&format!("{}/account/history", s.app.address))
        .await
        .unwrap();
    let text = chrome.main_text().await;
    for event in [
        "App removed",
        "Access renewed",
        "Permission removed",
        "Access allowed",
    ] {
        assert!(text.contains(event), "the history shows {event}:\n{text}");
    }
    audit(&chrome, "the history").await;
    assert_security_headers(&s, "/account/history").await;
}

#[tokio::test]
async fn the_account_pages_work_at_phone_and_desktop_widths_without_script() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let s = Setup::new().await;
    let day = 86_400;
    s.grant_to(
        &s.site.appid,
        &s.alice,
        &[("Contacts.Read", 30 * day), ("News.Write", 3 * day)],
    );
    let fabrikam = s.other_app("Fabrikam Photos");
    s.grant_to(
        &fabrikam,
        &s.alice,
        &[("Contacts.Full", 365 * day), ("News.Read", -day)],
    );
    let c = &chrome.client;
    c.goto(&format!("{}/account/consents", s.app.address))
        .await
        .unwrap();
    sign_in(&chrome, "alice@example.com").await;
    chrome
        .wait_for_url("the dashboard", |u| u.path() == "/account/consents")
        .await;
    let remove = format!("/account/consents/remove?appid={fabrikam}");
    for (width, height) in [(1280, 900), (390, 844)] {
        c.set_window_size(width, height).await.unwrap();
        c.goto(&format!("{}/account", s.app.address)).await.unwrap();
        assert_eq!(
            chrome.eval("return window.innerWidth").await,
            width,
            "the viewport"
        );
        for path in ["/account/consents", &remove, "/account/history", "/account"] {
            c.goto(&format!("{}{path}", s.app.address)).await.unwrap();
            audit(&chrome, &format!("{path} at {width} px")).await;
        }
    }
    assert_security_headers(&s, "/account").await;

    // Change the password at phone width: the form works with plain HTML.
    for (id, value) in [
        ("f-current_password", PASSWORD),
        ("f-new_password", "a brand new passphrase"),
        ("f-confirm_password", "a brand new passphrase"),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(
        &chrome,
        Locator::Css("form[action='/account/password'] button[type=submit]"),
    )
    .await;
    chrome
        .wait_for_url("the notice", |u| u.query() == Some("done=password"))
        .await;
    assert!(chrome.main_text().await.contains("Password changed"));
    audit(&chrome, "the account page with its notice").await;

    click(
        &chrome,
        Locator::Css("form[action='/account/sign-out-everywhere'] button"),
    )
    .await;
    chrome
        .wait_for_url("the sign-in page", |u| u.path() == "/signin")
        .await;
    c.goto(&format!("{}/account/consents", s.app.address))
        .await
        .unwrap();
    chrome
        .wait_for_url("sign-in again", |u| u.path() == "/signin")
        .await;
}
