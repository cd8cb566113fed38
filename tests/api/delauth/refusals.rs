//! Live protocol refusals: bad consent requests, CSRF, refresh error codes; and the demo site.

use super::*;

#[tokio::test]
async fn every_bad_consent_request_is_a_400_page_without_redirect() {
    let (app, site, _) = signed_in_app().await;
    let ru = urlenc(&site.return_url);
    let v = site.verifier();
    let stale = urlenc(&assent::crypto::live::build_app_verifier(
        &site.appid,
        assent::clock::now() - 7200,
        &site.keys(),
    ));
    let tampered = v.replacen(&site.appid[..4], "FFFF", 1);
    let other_secret = urlenc(&assent::crypto::live::build_app_verifier(
        &site.appid,
        assent::clock::now(),
        &assent::crypto::live::AppKeys::derive("another-secret-entirely-123"),
    ));
    let unknown_app = urlenc(&assent::crypto::live::build_app_verifier(
        "0123456789ABCDEF",
        assent::clock::now(),
        &site.keys(),
    ));
    let long_ctx = "x".repeat(2049);
    let cases = [
        (
            "stale verifier",
            format!("/consent?ps=Contacts.Read&ru={ru}&app={stale}"),
        ),
        (
            "tampered verifier",
            format!("/consent?ps=Contacts.Read&ru={ru}&app={tampered}"),
        ),
        (
            "wrong secret",
            format!("/consent?ps=Contacts.Read&ru={ru}&app={other_secret}"),
        ),
        (
            "unknown app",
            format!("/consent?ps=Contacts.Read&ru={ru}&app={unknown_app}"),
        ),
        ("no verifier", format!("/consent?ps=Contacts.Read&ru={ru}")),
        (
            "unregistered ru",
            format!(
                "/consent?ps=Contacts.Read&ru={}&app={v}",
                urlenc("https://evil.example/cb")
            ),
        ),
        (
            "other port",
            format!(
                "/consent?ps=Contacts.Read&ru={}&app={v}",
                urlenc("https://contoso.example:8443/cb")
            ),
        ),
        (
            "userinfo",
            format!(
                "/consent?ps=Contacts.Read&ru={}&app={v}",
                urlenc("https://evil@contoso.example/cb")
            ),
        ),
        (
            "suffix domain",
            format!(
                "/consent?ps=Contacts.Read&ru={}&app={v}",
                urlenc("https://contoso.example.evil.example/cb")
            ),
        ),
        (
            "trailing path",
            format!(
                "/consent?ps=Contacts.Read&ru={}&app={v}",
                urlenc("https://contoso.example/cb/../x")
            ),
        ),
        (
            "unknown offer",
            format!("/consent?ps=Calendar.Read&ru={ru}&app={v}"),
        ),
        (
            "unknown action",
            format!("/consent?ps=Contacts.Fly&ru={ru}&app={v}"),
        ),
        (
            "non-grantable",
            format!("/consent?ps=Profiles.Write&ru={ru}&app={v}"),
        ),
        (
            "malformed ps",
            format!("/consent?ps=Contacts&ru={ru}&app={v}"),
        ),
        ("no ps", format!("/consent?ru={ru}&app={v}")),
        (
            "oversize appctx",
            format!("/consent?ps=Contacts.Read&ru={ru}&app={v}&appctx={long_ctx}"),
        ),
        (
            "bad pl",
            format!("/consent?ps=Contacts.Read&ru={ru}&app={v}&pl=javascript:alert(1)"),
        ),
    ];
    for (what, path) in cases {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 400, "{what}");
        assert!(r.headers().get("location").is_none(), "{what}");
        let html = r.text().await.unwrap();
        assert!(!html.contains("responseform"), "{what}");
        assert!(
            !html.contains("evil.example"),
            "{what}: the bad URL is not echoed as a target"
        );
    }
    // The culprit is named.
    let html = app
        .get(&format!("/consent?ps=Profiles.Write&ru={ru}&app={v}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Profiles.Write"));
}

#[tokio::test]
async fn a_consent_post_without_csrf_is_refused() {
    let (app, site, user) = signed_in_app().await;
    let html = app
        .get(&site.consent_path("Contacts.Read", ""))
        .await
        .text()
        .await
        .unwrap();
    let request = hidden_value(&html, "request").unwrap();
    for csrf in ["", "forged"] {
        let r = app
            .post_form(
                "/consent",
                &[
                    ("csrf", csrf),
                    ("request", &request),
                    ("decision", "allow"),
                    ("permission", "Contacts.Read"),
                ],
            )
            .await;
        assert_eq!(r.status(), 403);
    }
    // A forged pending request is refused too.
    let r = app
        .post_form(
            "/consent",
            &[
                ("csrf", &csrf_in(&html).unwrap()),
                ("request", "AAAA"),
                ("decision", "allow"),
                ("permission", "Contacts.Read"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(grant_rows(&app, user.id).is_empty());
}

#[tokio::test]
async fn refresh_errors_have_the_protocol_codes() {
    let (app, site, user) = signed_in_app().await;
    let r = decide(
        &app,
        &site.consent_path("Contacts.Read,News.Read", ""),
        &[("Contacts.Read", "30"), ("News.Read", "30")],
        "allow",
    )
    .await;
    let token = site.open(
        ResponseForm::parse(&r.text().await.unwrap())
            .get("ConsentToken")
            .unwrap(),
    );
    let reft = token.get("reft").unwrap();

    let code = |r: serde_json::Value| r["error"].as_str().unwrap().to_string();
    let mut tampered = reft.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let r = app
        .get(&site.refresh_path("Contacts.Read", &tampered))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(code(r.json().await.unwrap()), "invalid_refresh_token");
    let r = app
        .get(&site.refresh_path("Contacts.Read", "bm90LWEtdG9rZW4="))
        .await;
    assert_eq!(code(r.json().await.unwrap()), "invalid_refresh_token");

    let bad_verifier = format!(
        "/consent/refresh?ps=Contacts.Read&reft={}&app={}",
        urlenc(&reft),
        site.verifier().replace("ts%3D", "ts%3D1")
    );
    let r = app.get(&bad_verifier).await;
    assert_eq!(r.status(), 401);
    assert_eq!(code(r.json().await.unwrap()), "invalid_verifier");
    let r = app
        .get(&format!(
            "/consent/refresh?ps=Contacts.Read&reft={}",
            urlenc(&reft)
        ))
        .await;
    assert_eq!(code(r.json().await.unwrap()), "invalid_app");
    let r = app
        .get(&format!(
            "/consent/refresh?ps=Contacts.Read&reft={}&ru={}&app={}",
            urlenc(&reft),
            urlenc("https://evil.example/"),
            site.verifier()
        ))
        .await;
    assert_eq!(code(r.json().await.unwrap()), "invalid_return_url");
    let r = app.get(&site.refresh_path("Contacts..Read", &reft)).await;
    assert_eq!(code(r.json().await.unwrap()), "invalid_permission");

    // The Python SDK double-encodes reft: still accepted.
    let double = format!(
        "/consent/refresh?ps=Contacts.Read&reft={}&ru={}&app={}",
        urlenc(&urlenc(&reft)),
        urlenc(&site.return_url),
        site.verifier()
    );
    let r = app.get(&double).await;
    assert_eq!(r.status(), 200);
    let reft = site
        .open(&refresh_value(&r.text().await.unwrap()))
        .get("reft")
        .unwrap();

    // A revoked grant is never refreshed; a mix gets a token for the rest.
    app.state
        .db
        .run_sync(|conn| {
            let app_row = assent::db::application::find_by_appid(conn, &site.appid)
                .unwrap()
                .unwrap();
            assent::db::grant::revoke_permission(
                conn,
                user.id,
                app_row.id,
                "News.Read",
                assent::clock::now(),
            )
            .map_err(assent::db::DbError::from)
        })
        .unwrap();
    let r = app.get(&site.refresh_path("News.Read", &reft)).await;
    assert_eq!(code(r.json().await.unwrap()), "consent_revoked");
    let r = app
        .get(&site.refresh_path("Contacts.Read,News.Read", &reft))
        .await;
    assert_eq!(r.status(), 200);
    let t = site.open(&refresh_value(&r.text().await.unwrap()));
    assert!(t.get("offer").unwrap().starts_with("Contacts.Read:"));
    assert!(!t.get("offer").unwrap().contains("News"));

    // An expired grant is never refreshed.
    let reft = t.get("reft").unwrap();
    app.state
        .db
        .run_sync(|conn| {
            use assent::db::schema::grants::dsl::*;
            diesel::update(grants.filter(permission.eq("Contacts.Read")))
                .set(expires_at.eq(assent::clock::now() - 1))
                .execute(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    let r = app.get(&site.refresh_path("Contacts.Read", &reft)).await;
    assert_eq!(code(r.json().await.unwrap()), "consent_expired");
}

#[tokio::test]
async fn the_demo_site_connects_and_refreshes_through_the_real_flow() {
    let app = TestApp::spawn_with(|c| c.server.demo = true).await;
    let page = app.get("/demo").await.text().await.unwrap();
    let consent_at = page.find("consent?ps=").unwrap();
    let start = page[..consent_at].rfind("href=\"").unwrap() + 6;
    let consent_url =
        crate::helpers::unescape_html(&page[start..start + page[start..].find('"').unwrap()]);
    let path = consent_url
        .strip_prefix(&app.address)
        .expect("a consent URL on this server")
        .to_string();
    assert_eq!(
        app.sign_in(assent::demo::DEMO_EMAIL, assent::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let r = decide(
        &app,
        &path,
        &[("Contacts.Read", "30"), ("Profiles.Read", "7")],
        "allow",
    )
    .await;
    let form = ResponseForm::parse(&r.text().await.unwrap());
    assert_eq!(form.action, format!("{}/demo/return", app.address));
    let pairs: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = app.post_form("/demo/return", &pairs).await;
    assert_eq!(r.headers()["location"], "/demo?message=connected");
    let page = app
        .get("/demo?message=connected")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Contacts.Read") && page.contains("Profiles.Read"));
    assert!(page.contains("skey"));
    // The developer panel's check command works as printed: its provider and secret are real.
    let start = page
        .find("curl -s -u ")
        .expect("a check command on the demo page")
        + 11;
    let command =
        crate::helpers::unescape_html(&page[start..start + page[start..].find("</code>").unwrap()]);
    let (credentials, rest) = command.split_once(' ').unwrap();
    let (rp_id, rp_secret) = credentials.split_once(':').unwrap();
    let token = rest
        .split("'token=")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    let check = reqwest::Client::new()
        .post(format!("{}/delegation/check", app.address))
        .basic_auth(rp_id, Some(rp_secret))
        .form(&[("token", token), ("permission", "Contacts.Read")])
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 200);
    let answer: serde_json::Value = check.json().await.unwrap();
    assert_eq!(answer["active"], true, "{answer}");
    let r = app
        .post_form("/demo/refresh", &[("csrf", &csrf_in(&page).unwrap())])
        .await;
    assert_eq!(r.headers()["location"], "/demo?message=refreshed");
}

/// The demo account never outlives demo mode: a server started without `--demo` on a database
/// the demo was seeded in refuses the published demo password everywhere and ends the demo
/// account's sessions; `serve --demo` again makes it work again.
#[tokio::test]
async fn the_demo_account_does_not_sign_in_on_a_server_without_demo() {
    use assent::demo::{DEMO_EMAIL, DEMO_PASSWORD};
    let tokens = |address: &str| {
        reqwest::Client::new()
            .post(format!("{address}/tokens"))
            .json(&serde_json::json!({
                "email": DEMO_EMAIL, "password": DEMO_PASSWORD, "manufacturerId": "demo-phone",
            }))
            .send()
    };
    let demo = TestApp::spawn_with(|c| c.server.demo = true).await;
    assert_eq!(tokens(&demo.address).await.unwrap().status(), 201);
    assert_eq!(demo.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.status(), 303);
    let session = demo.client.get(format!("{}/account", demo.address));
    assert_eq!(session.send().await.unwrap().status(), 200);

    let TestApp {
        db,
        client: demo_browser,
        address: demo_address,
        ..
    } = demo;
    let plain = TestApp::spawn_on(db, |_| {}).await;
    assert_eq!(tokens(&plain.address).await.unwrap().status(), 401);
    assert_ne!(plain.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.status(), 303);
    // The demo browser's session ended too.
    let r = demo_browser
        .get(format!("{demo_address}/account"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the demo session outlived demo mode");

    let TestApp { db, .. } = plain;
    let again = TestApp::spawn_on(db, |c| c.server.demo = true).await;
    assert_eq!(tokens(&again.address).await.unwrap().status(), 201);
}
