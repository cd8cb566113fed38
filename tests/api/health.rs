use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn html_pages_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/signin", "/signup", "/no-such-page"] {
        let r = app.get(path).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page_and_static_files_are_served() {
    let app = TestApp::spawn().await;
    let r = app.get("/no-such-page").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Page not found"));
    let css = app.get("/static/style.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn no_page_overrides_the_no_referrer_policy() {
    let app = TestApp::spawn().await;
    for path in ["/", "/signin", "/signup", "/no-such-page"] {
        let r = app.get(path).await;
        assert_eq!(r.headers()["referrer-policy"], "no-referrer", "{path}");
        let html = r.text().await.unwrap();
        // A <meta name="referrer"> in the page would win over the header in browsers.
        assert!(!html.contains("name=\"referrer\""), "{path}: {html}");
    }
}

#[tokio::test]
async fn strict_transport_security_is_sent_when_the_public_url_is_https_only() {
    let plain = TestApp::spawn().await;
    assert!(plain
        .get("/")
        .await
        .headers()
        .get("strict-transport-security")
        .is_none());
    let https = TestApp::spawn_with(|c| {
        c.server.public_url = Some("https://login.example.com".into());
    })
    .await;
    for path in ["/", "/signin", "/healthz", "/.well-known/jwks.json"] {
        let r = https.get(path).await;
        assert_eq!(
            r.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_sqlite_database_and_its_wal_and_shm_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    if app.db.is_postgres() {
        return;
    }
    // Writes, so the write-ahead log and its index exist.
    app.create_user("mode@example.com", "password-1234");
    assert_eq!(
        app.sign_in("mode@example.com", "password-1234")
            .await
            .status(),
        303
    );
    let db = app.db.url.strip_prefix("sqlite://").unwrap().to_string();
    for path in [
        db.clone(),
        format!("{db}-wal"),
        format!("{db}-shm"),
        format!("{db}.key"),
    ] {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}: {mode:o}");
    }
}
