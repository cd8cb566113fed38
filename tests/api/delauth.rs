//! The Live-compatible delegated consent flow over HTTP, as a browser and a website drive it.

use assent::crypto::live::urlenc;
use diesel::prelude::*;

use crate::helpers::{csrf_in, hidden_value, TestApp};
use crate::website::{ResponseForm, Website};

const PASSWORD: &str = "password-1234";

async fn signed_in_app() -> (TestApp, Website, assent::admin::CreatedUser) {
    let app = TestApp::spawn().await;
    seed_catalogue(&app);
    let site = Website::register(&app, "https://contoso.example/cb");
    let user = app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    (app, site, user)
}

/// Contacts and News (Read, Write, Full) owned by one provider.
pub fn seed_catalogue(app: &TestApp) {
    let rp = assent::admin::create_provider(&app.state.db, "Live services", false, 1).unwrap();
    for offer in ["Contacts", "News"] {
        let actions: Vec<(String, String)> = ["Read", "Write", "Full"]
            .iter()
            .map(|a| (a.to_string(), format!("{a} your {offer}")))
            .collect();
        assent::admin::add_offer(&app.state.db, &rp.rp_id, offer, &actions, &[]).unwrap();
    }
}

/// Open the consent page, untick/choose as `choices` says, and submit with `decision`.
async fn decide(
    app: &TestApp,
    consent_path: &str,
    ticked: &[(&str, &str)],
    decision: &str,
) -> reqwest::Response {
    let page = app.get(consent_path).await;
    assert_eq!(page.status(), 200, "the consent page is shown");
    let html = page.text().await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf_in(&html).unwrap()),
        ("request".into(), hidden_value(&html, "request").unwrap()),
        ("decision".into(), decision.into()),
    ];
    for (permission, days) in ticked {
        form.push(("permission".into(), permission.to_string()));
        form.push((format!("expiry.{permission}"), days.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.post_form("/consent", &pairs).await
}

fn grant_rows(app: &TestApp, uid: i64) -> Vec<(String, i64, Option<i64>)> {
    app.state
        .db
        .run_sync(|conn| {
            use assent::db::schema::grants::dsl::*;
            grants
                .filter(user_id.eq(uid))
                .select((permission, expires_at, revoked_at))
                .load::<(String, i64, Option<i64>)>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
}

fn refresh_value(body: &str) -> String {
    // Clients extract the value with a regular expression on this exact shape.
    let inner = body
        .strip_prefix("{\"ConsentToken\":\"")
        .and_then(|b| b.strip_suffix("\"}"))
        .unwrap_or_else(|| panic!("exact refresh body, got {body}"));
    assert!(!inner.contains(['"', ' ', '\n']));
    inner.to_string()
}

#[tokio::test]
async fn the_whole_flow_grants_only_ticked_permissions_and_refresh_rotates() {
    let app = TestApp::spawn().await;
    seed_catalogue(&app);
    let site = Website::register(&app, "https://contoso.example/cb");
    let user = app.create_user("alice@example.com", PASSWORD);
    let path = site.consent_path("Contacts.Read,News.Write", "");

    // Not signed in: the sign-in page first, then back to the same request.
    let r = app.get(&path).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/signin?next="), "{location}");
    let signin = app.get(&location).await.text().await.unwrap();
    let next = hidden_value(&signin, "next").unwrap();
    assert_eq!(next, path);
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "alice@example.com"),
                ("password", PASSWORD),
                ("csrf", &csrf_in(&signin).unwrap()),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), path);

    // The page shows the app, the return host and one row per permission.
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("Contoso Test Site"));
    assert!(html.contains("contoso.example"));
    assert!(html.contains("value=\"Contacts.Read\""));
    assert!(html.contains("name=\"expiry.News.Write\""));

    // Untick News.Write; keep Contacts.Read for 7 days.
    let before = assent::clock::now();
    let r = decide(&app, &path, &[("Contacts.Read", "7")], "allow").await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://contoso.example"),
        "{csp}"
    );
    let form = ResponseForm::parse(&r.text().await.unwrap());
    assert_eq!(form.action, "https://contoso.example/cb");
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["action", "ResponseCode", "ConsentToken", "appctx"]);
    assert_eq!(form.get("action"), Some("delauth"));
    assert_eq!(form.get("ResponseCode"), Some("RequestApproved"));
    assert_eq!(form.get("appctx"), Some("state-42"));

    let token = site.open(form.get("ConsentToken").unwrap());
    assert_eq!(
        token.names(),
        ["delt", "reft", "skey", "offer", "exp", "lid", "sig"]
    );
    let offer = token.get("offer").unwrap();
    let (perm, exp) = offer.split_once(':').unwrap();
    assert_eq!(perm, "Contacts.Read", "News.Write was unticked: {offer}");
    let exp: i64 = exp.parse().unwrap();
    assert!((before + 7 * 86_400..=assent::clock::now() + 7 * 86_400).contains(&exp));
    assert_eq!(token.get("lid").unwrap(), user.lid);
    let delt_exp: i64 = token.get("exp").unwrap().parse().unwrap();
    assert!(delt_exp > before && delt_exp <= assent::clock::now() + 3600);
    assert_eq!(
        assent::crypto::live::b64_decode_lenient(&token.get("skey").unwrap())
            .unwrap()
            .len(),
        24
    );
    assert_eq!(
        grant_rows(&app, user.id).len(),
        1,
        "one grant row, for the ticked permission"
    );
    assert_eq!(grant_rows(&app, user.id)[0].0, "Contacts.Read");

    // Refresh: exactly {"ConsentToken":"..."}, a new reft, and the old one is consumed.
    let reft = token.get("reft").unwrap();
    let r = app.get(&site.refresh_path("Contacts.Read", &reft)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let refreshed = site.open(&refresh_value(&r.text().await.unwrap()));
    let new_reft = refreshed.get("reft").unwrap();
    assert_ne!(new_reft, reft);
    assert_ne!(refreshed.get("delt"), token.get("delt"));
    assert_eq!(refreshed.get("offer").unwrap(), offer);

    // The old reft again: reuse; the whole family is revoked, the new reft dies too.
    let r = app.get(&site.refresh_path("Contacts.Read", &reft)).await;
    assert_eq!(r.status(), 400);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["error"], "refresh_token_reused");
    let r = app
        .get(&site.refresh_path("Contacts.Read", &new_reft))
        .await;
    assert_eq!(r.status(), 400);
    assert_ne!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn cancel_or_nothing_ticked_answers_request_rejected_without_a_token() {
    let (app, site, user) = signed_in_app().await;
    for (ticked, decision) in [
        (&[("Contacts.Read", "30")][..], "cancel"),
        (&[][..], "allow"),
    ] {
        let r = decide(
            &app,
            &site.consent_path("Contacts.Read", ""),
            ticked,
            decision,
        )
        .await;
        let form = ResponseForm::parse(&r.text().await.unwrap());
        assert_eq!(form.get("ResponseCode"), Some("RequestRejected"));
        assert_eq!(form.get("ConsentToken"), None);
        assert_eq!(form.get("appctx"), Some("state-42"));
    }
    assert!(grant_rows(&app, user.id).is_empty());
}

#[tokio::test]
async fn a_remembered_consent_skips_the_page() {
    let (app, site, _) = signed_in_app().await;
    let path = site.consent_path("Contacts.Read", "");
    decide(&app, &path, &[("Contacts.Read", "30")], "allow").await;
    let r = app.get(&site.consent_path("Contacts.Read", "")).await;
    let form = ResponseForm::parse(&r.text().await.unwrap());
    assert_eq!(form.get("ResponseCode"), Some("RequestApproved"));
    site.open(form.get("ConsentToken").unwrap());
    // A new permission is asked for: the page is shown.
    let html = app
        .get(&site.consent_path("Contacts.Read,News.Read", ""))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"News.Read\""));
}

#[tokio::test]
async fn the_aspx_aliases_and_upper_case_names_work() {
    let (app, site, _) = signed_in_app().await;
    let path = format!(
        "/Delegation.aspx?PS=Contacts.Read&RU={}&APP={}",
        urlenc(&site.return_url),
        site.verifier()
    );
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("value=\"Contacts.Read\""), "{html}");
}

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
    let start = page.find("href=\"http").unwrap() + 6;
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
    let r = app
        .post_form("/demo/refresh", &[("csrf", &csrf_in(&page).unwrap())])
        .await;
    assert_eq!(r.headers()["location"], "/demo?message=refreshed");
}
