//! The pages of issue 17 in a real browser, each checked by axe-core (injected over WebDriver, never
//! served by Assent): the consent page (an unticked duration is disabled, by keyboard; Allow in view
//! at 1280x800 and 390x844; what is already allowed), error pages signed in and out, and the demo
//! website's Web Authentication sign-in, connection and removal.

use std::io::Write;

use fantoccini::Locator;
use serde_json::{json, Value};

use super::driver::{ci, Chrome};
use super::AUDIT;
use crate::dashboard::{Setup, DAY, PASSWORD};
use crate::helpers::TestApp;

/// axe-core's `axe.min.js`: `$AXE_CORE_JS`, else `tests/axe/node_modules`, installed there on
/// first use by `npm ci` (the lock file pins it) when npm is on the machine. `None` (after saying
/// so) when it can not be had and CI is not set.
fn axe_source() -> Option<String> {
    static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let path = match std::env::var("AXE_CORE_JS") {
        Ok(path) => path,
        Err(_) => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/axe");
            let path = format!("{dir}/node_modules/axe-core/axe.min.js");
            INSTALLED.get_or_init(|| {
                if !std::path::Path::new(&path).exists() {
                    let _ = std::process::Command::new("npm")
                        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                        .current_dir(dir)
                        .status();
                }
            });
            path
        }
    };
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            assert!(
                !ci(),
                "CI is set but axe-core is missing at {path} ({e}): npm ci --prefix tests/axe"
            );
            let _ = writeln!(
                std::io::stderr(),
                "axe skipped: {path} missing (npm ci --prefix tests/axe)"
            );
            None
        }
    }
}

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' +
    v.nodes.map(n => n.target.join(' ')).join(', '))))
  .catch(e => done(['axe failed: ' + e]));
"#;

/// Run axe-core and the suite's own audit on the page the browser shows; fail with what is wrong.
pub(super) async fn check(chrome: &Chrome, page: &str) {
    let problems = chrome.eval(AUDIT).await;
    assert_eq!(problems, Value::Array(vec![]), "{page}");
    let Some(axe) = axe_source() else {
        return;
    };
    chrome
        .client
        .execute(&format!("{axe}\nreturn typeof axe;"), vec![])
        .await
        .unwrap();
    let violations = chrome.client.execute_async(AXE_RUN, vec![]).await.unwrap();
    assert_eq!(violations, json!([]), "axe on {page}");
}

pub(super) async fn sign_in_as(chrome: &Chrome, email: &str, password: &str) {
    let c = &chrome.client;
    let field = c.wait().for_element(Locator::Id("f-email")).await.unwrap();
    field.send_keys(email).await.unwrap();
    let field = c.find(Locator::Id("f-password")).await.unwrap();
    field.send_keys(password).await.unwrap();
    let submit = Locator::Css("form[action='/signin'] button[type=submit]");
    c.find(submit).await.unwrap().click().await.unwrap();
}

async fn click(chrome: &Chrome, css: &str) {
    let c = &chrome.client;
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Where Allow is in the window, scrolled to the top: (top, bottom, window height).
const ALLOW_RECT: &str = r#"
window.scrollTo(0, 0);
const r = document.querySelector('button[value=allow]').getBoundingClientRect();
return [r.top, r.bottom, window.innerHeight];
"#;

#[tokio::test]
async fn the_consent_page_keeps_allow_in_view_and_disables_an_unticked_duration() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let s = Setup::new().await;
    s.grant_to(&s.site.appid, &s.alice, &[("Contacts.Read", 45 * DAY)]);
    let c = &chrome.client;
    let consent = s
        .site
        .consent_path("Contacts.Read,Contacts.Full,News.Read,News.Write", "");
    c.goto(&format!("{}{consent}", s.app.address))
        .await
        .unwrap();
    sign_in_as(&chrome, "alice@example.com", PASSWORD).await;
    c.wait()
        .for_element(Locator::Css("button[value=allow]"))
        .await
        .unwrap();
    let text = chrome.main_text().await;
    assert!(text.contains("Already allowed until"), "{text}");
    assert!(
        text.contains("Includes: Read your contacts; Write your contacts."),
        "{text}"
    );

    for (width, height) in [(1280, 800), (390, 844)] {
        c.set_window_size(width, height).await.unwrap();
        let rect = chrome.eval(ALLOW_RECT).await;
        let (top, bottom, inner) = (
            rect[0].as_f64().unwrap(),
            rect[1].as_f64().unwrap(),
            rect[2].as_f64().unwrap(),
        );
        assert!(
            top >= 0.0 && bottom <= inner,
            "Allow is visible without scrolling at {width}x{height}: {rect}"
        );
        check(&chrome, &format!("the consent page at {width} px")).await;
    }

    // Keyboard only: Space on the focused box unticks it; its duration is then disabled.
    let disabled = "return document.getElementById('expiry-n3').disabled";
    assert_eq!(chrome.eval(disabled).await, false);
    let news = c.find(Locator::Id("perm-n3")).await.unwrap();
    news.send_keys(" ").await.unwrap();
    assert_eq!(
        chrome
            .eval("return document.getElementById('perm-n3').checked")
            .await,
        false
    );
    assert_eq!(chrome.eval(disabled).await, true);
    news.send_keys(" ").await.unwrap();
    assert_eq!(chrome.eval(disabled).await, false);
}

#[tokio::test]
async fn error_pages_pass_axe_and_show_the_session_signed_in_and_out() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.create_user("alice@example.com", PASSWORD);
    let c = &chrome.client;
    c.goto(&format!("{}/no-such-page", app.address))
        .await
        .unwrap();
    let header = c
        .find(Locator::Css("header"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(header.contains("Sign in"), "{header}");
    check(&chrome, "a 404 signed out").await;
    // The developer detail is folded: closed until asked for.
    let open = "return document.querySelector('details.error-detail').open";
    assert_eq!(chrome.eval(open).await, false);

    c.goto(&format!("{}/signin", app.address)).await.unwrap();
    sign_in_as(&chrome, "alice@example.com", PASSWORD).await;
    chrome.wait_for_url("home", |u| u.path() == "/").await;
    c.goto(&format!("{}/wlogin.srf?alg=wsignin1.0", app.address))
        .await
        .unwrap();
    let header = c
        .find(Locator::Css("header"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        header.contains("alice@example.com") && !header.contains("Sign in"),
        "{header}"
    );
    check(&chrome, "a 400 signed in").await;
}

#[tokio::test]
async fn the_demo_signs_in_connects_and_forgets_a_removed_grant_in_a_real_browser() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let app = TestApp::spawn_with(|c| c.server.demo = true).await;
    let c = &chrome.client;
    c.goto(&format!("{}/demo", app.address)).await.unwrap();
    check(&chrome, "the demo signed out").await;

    // Sign in with Assent: Web Authentication, back with action=login.
    click(&chrome, "a[href*='wlogin.srf']").await;
    sign_in_as(
        &chrome,
        assent::demo::DEMO_EMAIL,
        assent::demo::DEMO_PASSWORD,
    )
    .await;
    chrome
        .wait_for_url("the demo", |u| u.query() == Some("message=signed-in"))
        .await;
    let header = c
        .find(Locator::Css("header"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(header.contains("Signed in as"), "{header}");
    check(&chrome, "the demo signed in").await;

    // Connect: the consent page, Allow, back to Contoso with the name read once.
    click(&chrome, "a[href*='consent?ps=']").await;
    click(&chrome, "button[value=allow]").await;
    chrome
        .wait_for_url("the demo", |u| u.query() == Some("message=connected"))
        .await;
    let text = chrome.main_text().await;
    assert!(
        text.contains("Welcome, Demo User") && text.contains("Connected"),
        "{text}"
    );
    check(&chrome, "the demo connected").await;

    // Remove Contoso on Your apps: the demo says so.
    c.goto(&format!("{}/account/consents", app.address))
        .await
        .unwrap();
    // The app's row opens to its details, which hold the removal.
    click(&chrome, "details summary").await;
    click(&chrome, "a[href^='/account/consents/remove']").await;
    click(
        &chrome,
        "form[action='/account/consents/remove'] button[type=submit]",
    )
    .await;
    chrome
        .wait_for_url("the list", |u| u.query() == Some("done=removed"))
        .await;
    c.goto(&format!("{}/demo", app.address)).await.unwrap();
    let text = chrome.main_text().await;
    assert!(text.contains("Not connected"), "{text}");
    check(&chrome, "the demo after removal").await;
}
