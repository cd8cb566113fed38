//! Error pages for people (issue 17 item 8): a plain sentence and what to do next first, the
//! developer detail folded below in a `<details>`, and a header that shows who is signed in on every
//! error page (404, 400, 409, ...).

use crate::helpers::TestApp;
use crate::website::Website;

const PASSWORD: &str = "password-1234";

/// The page's site header.
fn header(html: &str) -> &str {
    let start = html
        .find("<header class=\"site-header\"")
        .expect("a site header");
    &html[start..start + html[start..].find("</header>").unwrap()]
}

fn assert_signed_in_header(html: &str, email: &str, page: &str) {
    let header = header(html);
    assert!(header.contains(email), "{page}: {header}");
    assert!(header.contains("Sign out"), "{page}: {header}");
    assert!(!header.contains("href=\"/signin\""), "{page}: {header}");
}

#[tokio::test]
async fn every_error_page_shows_the_signed_in_account_in_its_header() {
    let app = TestApp::spawn().await;
    app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    for (path, status) in [
        ("/no-such-page", 404),
        ("/wlogin.srf?alg=wsignin1.0", 400),
        ("/oauth2/authorize?client_id=nobody", 400),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), status, "{path}");
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'"),
            "{path} keeps the page CSP"
        );
        let html = r.text().await.unwrap();
        assert_signed_in_header(&html, "alice@example.com", path);
    }

    // Signed out (another browser): the same page offers to sign in and names nobody.
    let other = crate::helpers::browser();
    let html = other
        .get(format!("{}/no-such-page", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header = header(&html);
    assert!(header.contains("href=\"/signin\""), "{header}");
    assert!(!header.contains("alice@example.com"), "{header}");
}

#[tokio::test]
async fn an_error_page_says_what_to_do_first_and_folds_the_developer_detail() {
    let app = TestApp::spawn().await;
    crate::delauth::seed_catalogue(&app);
    let site = Website::register(&app, "https://contoso.example/cb");
    let wrong = Website {
        return_url: "https://evil.example/cb".into(),
        ..site
    };
    let r = app.get(&wrong.consent_path("Contacts.Read", "")).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    let title = main.find("<h1").expect("a heading");
    let next = main
        .find("Go back to the website you came from and try again")
        .expect("what to do next");
    let details = main.find("<details").expect("the detail is folded");
    let detail = main
        .find("the return URL (ru) is not registered for this application")
        .expect("the developer detail");
    assert!(title < next && next < details && details < detail, "{main}");
    assert!(
        !main[title..details].contains("(ru)"),
        "the plain part has no jargon: {main}"
    );
}
