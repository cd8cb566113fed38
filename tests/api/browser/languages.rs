//! Every page of Assent in every shipped language, in a real browser, checked by axe-core and the
//! suite's own audit: signed out (home, sign-in, sign-up, password reset, dead email links, the
//! inbox page, a 404) and signed in (home, consent, Your apps, both removal confirmations,
//! history, account, account deletion, a 400). The language is chosen with the footer's switch,
//! and each page must say which language it is in (`<html lang>`) and be worded in it.

use std::collections::HashMap;

use fantoccini::Locator;

use super::driver::Chrome;
use super::pages::{check, sign_in_as};
use crate::dashboard::{Setup, PASSWORD};

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

/// Whether `text` holds Japanese script (kana or CJK ideographs).
fn japanese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
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
    let mut english_titles: HashMap<String, String> = HashMap::new();
    for lang in ["en", "de", "ja"] {
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
        let mut look = |path: String, title: String, text: String| {
            let page = format!("{path} in {lang}");
            match lang {
                "en" => {
                    english_titles.insert(path, title);
                }
                "ja" => assert!(japanese(&text), "{page} is not in Japanese: {text}"),
                _ => {
                    let english = &english_titles[&path];
                    assert!(
                        english == "Assent" || english != &title,
                        "{page} keeps its English title {title:?}"
                    );
                }
            }
        };
        for path in signed_out {
            c.goto(&format!("{base}{path}")).await.unwrap();
            let (html_lang, title) = lang_and_title(&chrome).await;
            assert_eq!(html_lang, lang, "{path}");
            look(path.to_string(), title, chrome.main_text().await);
            check(&chrome, &format!("{path} in {lang}, signed out")).await;
        }
        // The dead confirmation link asks for the address: the inbox page follows.
        c.goto(&format!("{base}/verify-email?token=not-a-token"))
            .await
            .unwrap();
        let field = c.wait().for_element(Locator::Id("f-email")).await.unwrap();
        field.send_keys("nobody@example.com").await.unwrap();
        c.find(Locator::Css("form[action='/verify-email/resend'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        chrome
            .wait_for_url("inbox", |u| u.path() == "/verify-email/resend")
            .await;
        let (html_lang, title) = lang_and_title(&chrome).await;
        assert_eq!(html_lang, lang);
        look("inbox".into(), title, chrome.main_text().await);
        check(&chrome, &format!("the inbox page in {lang}")).await;

        c.goto(&format!("{base}/signin")).await.unwrap();
        sign_in_as(&chrome, "alice@example.com", PASSWORD).await;
        chrome.wait_for_url("home", |u| u.path() == "/").await;
        for path in &signed_in {
            c.goto(&format!("{base}{path}")).await.unwrap();
            let (html_lang, title) = lang_and_title(&chrome).await;
            assert_eq!(html_lang, lang, "{path}");
            look(format!("in:{path}"), title, chrome.main_text().await);
            check(&chrome, &format!("{path} in {lang}, signed in")).await;
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
    }
}
