//! Every page of Assent in every shipped language, in a real browser, checked by axe-core and the
//! suite's own audit: signed out (home, sign-in, sign-up, forgot password, dead email links, a 404),
//! the email flows (the inbox page after sign-up, a new link and a reset request; the confirmation
//! page and "verified"; the reset form and "password changed"), signed in (home, consent, Your apps,
//! both removal confirmations, history, account, account deletion, a 400) and "account deleted".
//! The language is chosen with the footer's switch, and each page must say which language it is in
//! (`<html lang>`) and be worded in it. Not here: the auto-posting answer page and the sign-out page
//! (they leave for the website at once) and the demo's pages (the demo plays an English-only site).

use std::collections::HashMap;

use fantoccini::Locator;

use super::driver::Chrome;
use super::pages::{check, sign_in_as};
use crate::dashboard::{Setup, PASSWORD};
use crate::helpers::TestApp;

/// The page's `<html lang>` and `document.title`.
async fn lang_and_title(chrome: &Chrome) -> (String, String) {
    let v = chrome
        .eval("return [document.documentElement.lang, document.title]")
        .await;
    (
        v[0].as_str().unwrap_or_default().to_string(),
        v[1].as_str().unwrap_or_default().to_string(),
    )
}

/// The newest link to `to` starting with `prefix` in the app's outbox.
fn mailed_link(app: &TestApp, to: &str, prefix: &str) -> String {
    let dir = app.state.email.mailer().outbox_dir().unwrap().to_path_buf();
    let messages = assent::mail::outbox::list(&dir, 200).unwrap();
    messages
        .iter()
        .filter(|m| m.to == to)
        .flat_map(|m| m.lines.iter())
        .find(|line| line.starts_with(&format!("{}{prefix}", app.address)))
        .unwrap_or_else(|| panic!("no {prefix} link to {to}"))
        .clone()
}

/// Fill the fields (`id`, text) of the page's form `action` and submit it.
async fn submit(chrome: &Chrome, action: &str, fields: &[(&str, &str)]) {
    let c = &chrome.client;
    for (id, text) in fields {
        let field = c.wait().for_element(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    let button = format!("form[action='{action}'] button[type=submit]");
    c.find(Locator::Css(&button))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Whether `text` holds Japanese script (kana or CJK ideographs).
fn japanese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// Check the page the browser shows as `name` in `lang`: its `<html lang>`, its words (Japanese
/// script in Japanese; another title than English's in German), axe and the suite's audit.
async fn examine(chrome: &Chrome, lang: &str, name: &str, english: &mut HashMap<String, String>) {
    let (html_lang, title) = lang_and_title(chrome).await;
    let page = format!("{name} in {lang}");
    assert_eq!(html_lang, lang, "{page}");
    match lang {
        "en" => {
            english.insert(name.to_string(), title);
        }
        "ja" => {
            let text = chrome.main_text().await;
            assert!(japanese(&text), "{page} is not in Japanese: {text}");
        }
        _ => {
            let english = &english[name];
            assert!(
                english == "Assent" || english != &title,
                "{page} keeps its English title {title:?}"
            );
        }
    }
    check(chrome, &page).await;
}

#[tokio::test]
async fn every_page_passes_axe_in_every_language_and_is_worded_in_it() {
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let s = Setup::new().await;
    s.grant(&["Contacts.Read", "News.Read"]);
    let base = s.app.address.clone();
    let appid = s.site.appid.clone();
    let consent = s
        .site
        .consent_path("Contacts.Read,Contacts.Full,News.Write", "");
    let signed_out = [
        "/",
        "/signin",
        "/signup",
        "/forgot-password",
        "/reset-password?token=not-a-token",
        "/verify-email?token=not-a-token",
        "/no-such-page",
    ];
    let signed_in = [
        "/".to_string(),
        consent.clone(),
        "/account/consents".to_string(),
        format!("/account/consents/revoke?appid={appid}&permission=Contacts.Read"),
        format!("/account/consents/remove?appid={appid}"),
        "/account/history".to_string(),
        "/account".to_string(),
        "/account/delete".to_string(),
        "/wlogin.srf?alg=wsignin1.0".to_string(),
    ];
    let c = &chrome.client;
    let mut english: HashMap<String, String> = HashMap::new();
    for lang in ["en", "de", "ja"] {
        let titles = &mut english;
        // The footer's switch, from the home page.
        c.goto(&format!("{base}/")).await.unwrap();
        if lang != "en" {
            let switch = format!(".lang-switch a[lang={lang}]");
            c.find(Locator::Css(&switch))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            chrome.wait_for_url("home", |u| u.path() == "/").await;
        }
        for path in signed_out {
            c.goto(&format!("{base}{path}")).await.unwrap();
            examine(&chrome, lang, path, titles).await;
        }

        // The email flows, each page checked as it comes.
        let newcomer = format!("{lang}-newcomer@example.com");
        c.goto(&format!("{base}/signup")).await.unwrap();
        submit(
            &chrome,
            "/signup",
            &[
                ("f-name", "Newcomer"),
                ("f-email", &newcomer),
                ("f-password", PASSWORD),
            ],
        )
        .await;
        chrome
            .wait_for_url("inbox", |u| u.path() == "/signup")
            .await;
        examine(&chrome, lang, "inbox after sign-up", titles).await;
        c.goto(&format!("{base}/verify-email?token=not-a-token"))
            .await
            .unwrap();
        submit(
            &chrome,
            "/verify-email/resend",
            &[("f-email", "nobody@example.com")],
        )
        .await;
        chrome
            .wait_for_url("inbox", |u| u.path() == "/verify-email/resend")
            .await;
        examine(&chrome, lang, "inbox after a new link", titles).await;
        c.goto(&mailed_link(&s.app, &newcomer, "/verify-email?token="))
            .await
            .unwrap();
        examine(&chrome, lang, "the confirmation page", titles).await;
        submit(&chrome, "/verify-email", &[]).await;
        c.wait()
            .for_element(Locator::Css(".mail-icon-ok"))
            .await
            .unwrap();
        examine(&chrome, lang, "address verified", titles).await;
        c.goto(&format!("{base}/forgot-password")).await.unwrap();
        submit(
            &chrome,
            "/forgot-password",
            &[("f-email", "alice@example.com")],
        )
        .await;
        chrome
            .wait_for_url("inbox", |u| u.path() == "/forgot-password")
            .await;
        examine(&chrome, lang, "inbox after a reset request", titles).await;
        c.goto(&mailed_link(
            &s.app,
            "alice@example.com",
            "/reset-password?token=",
        ))
        .await
        .unwrap();
        examine(&chrome, lang, "the reset form", titles).await;
        submit(
            &chrome,
            "/reset-password",
            &[
                ("f-new_password", PASSWORD),
                ("f-confirm_password", PASSWORD),
            ],
        )
        .await;
        chrome
            .wait_for_url("reset done", |u| u.path() == "/reset-password/done")
            .await;
        examine(&chrome, lang, "password changed", titles).await;

        // Signed in as Alice by the reset.
        for path in &signed_in {
            c.goto(&format!("{base}{path}")).await.unwrap();
            examine(&chrome, lang, &format!("signed in: {path}"), titles).await;
        }
        c.goto(&format!("{base}/")).await.unwrap();
        c.find(Locator::Css("form[action='/signout'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("a.nav-link[href='/signin']"))
            .await
            .unwrap();

        // The newcomer deletes their account.
        c.goto(&format!("{base}/signin")).await.unwrap();
        sign_in_as(&chrome, &newcomer, PASSWORD).await;
        chrome.wait_for_url("home", |u| u.path() == "/").await;
        c.goto(&format!("{base}/account/delete")).await.unwrap();
        submit(&chrome, "/account/delete", &[("f-password", PASSWORD)]).await;
        c.wait()
            .for_element(Locator::Id("deleted-title"))
            .await
            .unwrap();
        examine(&chrome, lang, "account deleted", titles).await;
    }
}
