use crate::helpers::{browser, csrf_in, TestApp};

#[tokio::test]
async fn a_user_can_sign_up_sign_in_and_sign_out() {
    let app = TestApp::spawn().await;
    let csrf = app.csrf_of("/signup").await;
    let r = app
        .post_form(
            "/signup",
            &[
                ("name", "Ada"),
                ("email", "Ada@Example.com"),
                ("password", "a long enough password"),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        )
        .await;
    // "Check your inbox" (the same page for a taken address), nobody signed in yet.
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Check your inbox"));
    let home = app.get("/").await.text().await.unwrap();
    assert!(
        !home.contains("ada@example.com"),
        "not signed in by a sign-up"
    );

    // Sign in with the password chosen.
    let r = app
        .sign_in("ada@example.com", "a long enough password")
        .await;
    assert_eq!(r.status(), 303);
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("ada@example.com"), "signed in");

    // Sign out.
    let csrf = csrf_in(&home).unwrap();
    let r = app.post_form("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), 303);
    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("ada@example.com"), "signed out");

    // Sign in again with the same password.
    let r = app
        .sign_in("ada@example.com", "a long enough password")
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("ada@example.com"));
}

#[tokio::test]
async fn signing_up_with_a_taken_email_changes_nothing_and_does_not_say_so() {
    let app = TestApp::spawn().await;
    app.create_user("taken@example.com", "password-1234");
    let csrf = app.csrf_of("/signup").await;
    let r = app
        .post_form(
            "/signup",
            &[
                ("name", "Other"),
                ("email", "taken@example.com"),
                ("password", "another password"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Check your inbox"));
    assert!(!html.contains("already"), "{html}");
    assert_eq!(
        app.sign_in("taken@example.com", "another password")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn the_session_is_renewed_at_sign_in_and_the_old_one_ends() {
    let app = TestApp::spawn().await;
    app.create_user("renew@example.com", "password-1234");
    let first = app.sign_in("renew@example.com", "password-1234").await;
    let first_cookie = app.session_cookie(&first).expect("session cookie set");
    let set_cookie = first
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("assent_session="))
        .unwrap();
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(
        !first_cookie.contains("renew"),
        "the cookie holds no user data"
    );

    // Signing in again (same browser) issues a new token and ends the old session.
    let second = app.sign_in("renew@example.com", "password-1234").await;
    let second_cookie = app.session_cookie(&second).expect("session cookie set");
    assert_ne!(first_cookie, second_cookie);

    let old = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = old
        .get(format!("{}/", app.address))
        .header("cookie", format!("assent_session={first_cookie}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("renew@example.com"),
        "the old session no longer works"
    );
    let page = old
        .get(format!("{}/", app.address))
        .header("cookie", format!("assent_session={second_cookie}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("renew@example.com"), "the new session works");
}

#[tokio::test]
async fn a_tampered_session_cookie_is_ignored() {
    let app = TestApp::spawn().await;
    app.create_user("tamper@example.com", "password-1234");
    let r = app.sign_in("tamper@example.com", "password-1234").await;
    let cookie = app.session_cookie(&r).unwrap();
    let (token, mac) = cookie.rsplit_once('.').unwrap();
    let mut chars: Vec<char> = token.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    let forged = format!("{}.{mac}", chars.into_iter().collect::<String>());
    let page = browser()
        .get(format!("{}/", app.address))
        .header("cookie", format!("assent_session={forged}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("tamper@example.com"));
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user("csrf@example.com", "password-1234");
    // No token at all.
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "csrf@example.com"),
                ("password", "password-1234"),
                ("csrf", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    // A token from another browser.
    let other = TestApp::spawn().await;
    let foreign = other.csrf_of("/signin").await;
    let _ = app.get("/signin").await;
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "csrf@example.com"),
                ("password", "password-1234"),
                ("csrf", &foreign),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    // Signed in, sign-out still needs the token.
    assert_eq!(
        app.sign_in("csrf@example.com", "password-1234")
            .await
            .status(),
        303
    );
    let r = app.post_form("/signout", &[("csrf", "forged")]).await;
    assert_eq!(r.status(), 403);
    assert!(app
        .get("/")
        .await
        .text()
        .await
        .unwrap()
        .contains("csrf@example.com"));
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account_with_retry_after() {
    let app = TestApp::spawn().await;
    app.create_user("limited@example.com", "password-1234");
    let max = app.config.security.sign_in_max_failures_per_account;
    for _ in 0..max {
        assert_eq!(
            app.sign_in("limited@example.com", "wrong password")
                .await
                .status(),
            401
        );
    }
    let r = app.sign_in("limited@example.com", "password-1234").await;
    assert_eq!(r.status(), 429, "even the right password waits");
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= app.config.security.sign_in_window_secs);
    // Another account from another address... same IP here, so only the account limit applies.
    app.create_user("free@example.com", "password-1234");
    assert_eq!(
        app.sign_in("free@example.com", "password-1234")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_ip_across_accounts() {
    let app = TestApp::spawn_with(|c| c.security.sign_in_max_failures_per_ip = 3).await;
    for i in 0..3 {
        let email = format!("nobody{i}@example.com");
        assert_eq!(app.sign_in(&email, "wrong password").await.status(), 401);
    }
    assert_eq!(app.sign_in("nobody9@example.com", "x").await.status(), 429);
}

#[tokio::test]
async fn sign_in_only_follows_a_local_next() {
    let app = TestApp::spawn().await;
    app.create_user("next@example.com", "password-1234");
    for (next, expected) in [
        ("/account/consents", "/account/consents"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let csrf = app.csrf_of("/signin").await;
        let r = app
            .post_form(
                "/signin",
                &[
                    ("email", "next@example.com"),
                    ("password", "password-1234"),
                    ("csrf", &csrf),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], expected, "next={next}");
    }
}

/// The consent page says which account answers, at every width, and "Not you?" signs out and
/// comes back to the same request after the next sign-in (a local path only: never elsewhere).
#[tokio::test]
async fn the_consent_page_names_the_account_and_not_you_switches_back_to_the_request() {
    let s = crate::dashboard::setup::Setup::new().await;
    let path = s.site.consent_path("Contacts.Read", "");
    let page = s.app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Signed in as <strong class=\"break\">alice@example.com</strong>"));
    let next = crate::helpers::hidden_value(&page, "next").expect("the Not you? form");
    assert_eq!(next, path);
    let csrf = csrf_in(&page).unwrap();

    let r = s
        .app
        .post_form("/signout", &[("csrf", &csrf), ("next", &next)])
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        to,
        format!("/signin?next={}", assent::crypto::live::urlenc(&path))
    );
    assert_eq!(s.app.get("/account").await.status(), 303, "signed out");

    // Another account signs in and lands on the same consent request.
    s.app
        .create_user("bob@example.com", "a long enough password");
    let signin = s
        .app
        .client
        .get(format!("{}{to}", s.app.address))
        .send()
        .await
        .unwrap();
    let csrf = csrf_in(&signin.text().await.unwrap()).unwrap();
    let r = s
        .app
        .post_form(
            "/signin",
            &[
                ("email", "bob@example.com"),
                ("password", "a long enough password"),
                ("csrf", &csrf),
                ("next", &path),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), path);
    let page = s.app.get(&path).await.text().await.unwrap();
    assert!(page.contains("Signed in as <strong class=\"break\">bob@example.com</strong>"));

    // Never a redirect elsewhere.
    let csrf = csrf_in(&page).unwrap();
    let r = s
        .app
        .post_form("/signout", &[("csrf", &csrf), ("next", "//evil.example/x")])
        .await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), "/");
}
