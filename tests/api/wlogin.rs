//! Web Authentication (`/wlogin.srf`, `/logout.srf`) as an old SDK website sees it, and one account
//! across many apps: the same `lid` in every ConsentToken, a pairwise `uid` in every `stoken`.

use assent::crypto::live::{self, urlenc, OpenedEnvelope};
use jsonwebtoken::{decode, jwk::JwkSet, Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::helpers::{csrf_in, hidden_value, unescape_html, TestApp};
use crate::website::{ResponseForm, Website};

pub const PASSWORD: &str = "password-1234";

/// The auto-posting page's form: its action and the named fields in page order.
pub fn posted_fields(html: &str, names: &[&str]) -> (String, Vec<(String, String)>) {
    let start = html.find("name=\"responseform\"").expect("a responseform");
    let form = &html[html[..start].rfind("<form").unwrap()..];
    let a = form.find("action=\"").unwrap() + 8;
    let action = unescape_html(&form[a..a + form[a..].find('"').unwrap()]);
    let mut found: Vec<(usize, String, String)> = names
        .iter()
        .filter_map(|n| {
            let at = form.find(&format!("name=\"{n}\""))?;
            Some((at, n.to_string(), hidden_value(form, n)?))
        })
        .collect();
    found.sort();
    (action, found.into_iter().map(|(_, n, v)| (n, v)).collect())
}

/// The SDK's `processLogin`: take the form-decoded `stoken`, URL-decode it once, base64-decode,
/// decrypt, check the signature; then the fields must be appid, uid, ts, flags (and sig).
pub fn sdk_open_stoken(
    site: &Website,
    stoken: &str,
) -> Result<OpenedEnvelope, live::EnvelopeError> {
    live::open(&site.keys(), &live::url_decode(stoken))
}

/// `/wlogin.srf` for `site` with this browser; returns the response.
pub async fn wlogin(app: &TestApp, site: &Website, appctx: Option<&str>) -> reqwest::Response {
    let ctx = appctx
        .map(|c| format!("&appctx={}", urlenc(c)))
        .unwrap_or_default();
    app.get(&format!(
        "/wlogin.srf?appid={}&alg=wsignin1.0{ctx}",
        site.appid
    ))
    .await
}

/// Sign in through `/wlogin.srf` and return the opened `stoken` with the posted fields.
pub async fn stoken_of(app: &TestApp, site: &Website) -> OpenedEnvelope {
    let r = wlogin(app, site, None).await;
    assert_eq!(r.status(), 200);
    let (_, fields) = posted_fields(&r.text().await.unwrap(), &["stoken"]);
    sdk_open_stoken(site, &fields[0].1).expect("the stoken opens with the app's secret")
}

/// Ask `site` for `ps` through the Live consent flow and allow everything (or take the remembered
/// consent); returns the ConsentToken field.
pub async fn consent(app: &TestApp, site: &Website, ps: &str) -> String {
    let r = app.get(&site.consent_path(ps, "")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    if html.contains("name=\"responseform\"") {
        let form = ResponseForm::parse(&html);
        return form
            .get("ConsentToken")
            .expect("a remembered consent")
            .to_string();
    }
    let mut form = vec![
        ("csrf".to_string(), csrf_in(&html).unwrap()),
        (
            "request".to_string(),
            hidden_value(&html, "request").unwrap(),
        ),
        ("decision".to_string(), "allow".to_string()),
    ];
    for p in ps.split(',') {
        form.push(("permission".into(), p.into()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = app.post_form("/consent", &pairs).await;
    assert_eq!(r.status(), 200);
    let form = ResponseForm::parse(&r.text().await.unwrap());
    assert_eq!(form.get("ResponseCode"), Some("RequestApproved"));
    form.get("ConsentToken").unwrap().to_string()
}

fn is_uid(uid: &str) -> bool {
    uid.len() == 32
        && uid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn web_sign_in_posts_an_stoken_the_sdk_opens_with_a_pairwise_uid() {
    let app = TestApp::spawn().await;
    let site = Website::register(&app, "https://contoso.example/auth");
    let other = Website::register(&app, "https://fabrikam.example/auth");
    app.create_user("alice@example.com", PASSWORD);

    // Not signed in: the sign-in page first, then back to the same request.
    let path = format!(
        "/wlogin.srf?appid={}&alg=wsignin1.0&appctx=back%20to%3Dcart",
        site.appid
    );
    let r = app.get(&path).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/signin?next={}", urlenc(&path)));
    let signin = app.get(&location).await.text().await.unwrap();
    let r = app
        .post_form(
            "/signin",
            &[
                ("email", "alice@example.com"),
                ("password", PASSWORD),
                ("csrf", &csrf_in(&signin).unwrap()),
                ("next", &hidden_value(&signin, "next").unwrap()),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), path);

    let before = assent::clock::now();
    let r = app.get(&path).await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://contoso.example"),
        "{csp}"
    );
    let (action, fields) = posted_fields(&r.text().await.unwrap(), &["action", "stoken", "appctx"]);
    assert_eq!(
        action, "https://contoso.example/auth",
        "the default return URL"
    );
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["action", "stoken", "appctx"]);
    assert_eq!(fields[0].1, "login");
    assert_eq!(fields[2].1, "back to=cart", "appctx is echoed untouched");

    let token = sdk_open_stoken(&site, &fields[1].1).unwrap();
    assert_eq!(token.names(), ["appid", "uid", "ts", "flags", "sig"]);
    assert_eq!(token.get("appid").unwrap(), site.appid);
    let uid = token.get("uid").unwrap();
    assert!(is_uid(&uid), "{uid}");
    let ts: i64 = token.get("ts").unwrap().parse().unwrap();
    assert!((before..=assent::clock::now()).contains(&ts));
    assert_eq!(token.get("flags").unwrap(), "0");
    assert!(
        sdk_open_stoken(&other, &fields[1].1).is_err(),
        "another app's secret does not open it"
    );

    // Stable per app, different between apps; no appctx when none was given.
    assert_eq!(stoken_of(&app, &site).await.get("uid").unwrap(), uid);
    let other_uid = stoken_of(&app, &other).await.get("uid").unwrap();
    assert!(is_uid(&other_uid));
    assert_ne!(other_uid, uid);
    let r = wlogin(&app, &site, None).await;
    let (_, fields) = posted_fields(&r.text().await.unwrap(), &["action", "stoken", "appctx"]);
    assert_eq!(fields.len(), 2);

    // Another user gets another uid at the same app.
    app.create_user("bob@example.com", PASSWORD);
    assert_eq!(app.sign_in("bob@example.com", PASSWORD).await.status(), 303);
    assert_ne!(stoken_of(&app, &site).await.get("uid").unwrap(), uid);
}

#[tokio::test]
async fn a_bad_web_sign_in_request_is_a_400_page_without_redirect() {
    let app = TestApp::spawn().await;
    let site = Website::register(&app, "https://contoso.example/auth");
    let id = &site.appid;
    let long = "x".repeat(2049);
    let cases = [
        ("no appid", "/wlogin.srf?alg=wsignin1.0".to_string()),
        (
            "unknown appid",
            "/wlogin.srf?appid=0123456789ABCDEF&alg=wsignin1.0".into(),
        ),
        (
            "malformed appid",
            "/wlogin.srf?appid=evil&alg=wsignin1.0".into(),
        ),
        ("no alg", format!("/wlogin.srf?appid={id}")),
        (
            "other alg",
            format!("/wlogin.srf?appid={id}&alg=wsignin2.0"),
        ),
        (
            "oversize appctx",
            format!("/wlogin.srf?appid={id}&alg=wsignin1.0&appctx={long}"),
        ),
        ("logout without appid", "/logout.srf".into()),
        (
            "logout unknown appid",
            "/logout.srf?appid=0123456789ABCDEF".into(),
        ),
    ];
    for signed_in in [false, true] {
        if signed_in {
            app.create_user("alice@example.com", PASSWORD);
            assert_eq!(
                app.sign_in("alice@example.com", PASSWORD).await.status(),
                303
            );
        }
        for (what, path) in &cases {
            let r = app.get(path).await;
            assert_eq!(r.status(), 400, "{what}");
            assert!(r.headers().get("location").is_none(), "{what}");
            let html = r.text().await.unwrap();
            assert!(
                !html.contains("responseform") && !html.contains("contoso"),
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn web_sign_out_ends_the_session_and_calls_clearcookie_then_logout() {
    let app = TestApp::spawn().await;
    let site = Website::register(&app, "https://contoso.example/auth");
    let user = app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    assert_eq!(wlogin(&app, &site, None).await.status(), 200);

    let r = app.get(&format!("/logout.srf?appid={}", site.appid)).await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("img-src 'self' data: https://contoso.example;"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = unescape_html(&r.text().await.unwrap());
    assert!(html.contains("Signed out"));
    assert!(!html.contains("<script"), "no script at all");
    let img = html.find("<img").expect("an image calls clearcookie");
    let clear = html
        .find("https://contoso.example/auth?action=clearcookie")
        .unwrap();
    let logout = html
        .find("href=\"https://contoso.example/auth?action=logout\"")
        .unwrap();
    assert!(
        img < clear && clear < logout,
        "clearcookie first, then logout"
    );
    assert!(html[img..].starts_with("<img") && html[img..clear].contains("src=\""));
    assert!(html[img..img + html[img..].find('>').unwrap()].contains("alt=\"\""));

    // The session is gone: on the server, and for the next sign-in request.
    let sessions = app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::sessions::dsl::*;
            use diesel::prelude::*;
            sessions
                .filter(user_id.eq(user.id))
                .count()
                .get_result::<i64>(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_eq!(sessions, 0);
    assert_eq!(wlogin(&app, &site, None).await.status(), 303);
    // Signing out again (no session) still answers the page.
    let r = app
        .get(&format!("/logout.srf?appid={}", site.appid.to_lowercase()))
        .await;
    assert_eq!(r.status(), 200);
}

async fn jwks(app: &TestApp) -> JwkSet {
    app.get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_account_shows_the_same_lid_to_every_app_and_no_app_can_open_another_ones_token() {
    let app = TestApp::spawn().await;
    let a = Website::register(&app, "https://contoso.example/cb");
    let b = Website::register(&app, "https://fabrikam.example/cb");
    let user = app.create_user("alice@example.com", PASSWORD);
    assert_eq!(
        app.sign_in("alice@example.com", PASSWORD).await.status(),
        303
    );
    let token_a = consent(&app, &a, "Profiles.Read").await;
    let token_b = consent(&app, &b, "Profiles.Read").await;
    let (opened_a, opened_b) = (a.open(&token_a), b.open(&token_b));
    assert_eq!(opened_a.get("lid").unwrap(), user.lid);
    assert_eq!(opened_b.get("lid").unwrap(), user.lid);

    // App A's secret does not open app B's ConsentToken, and the other way round.
    assert!(live::open_consent_token_field(&[a.keys()], &token_b).is_err());
    assert!(live::open_consent_token_field(&[b.keys()], &token_a).is_err());

    // A website that only needs "who is this" verifies either delt offline with the JWKS.
    let set = jwks(&app).await;
    for (site, opened) in [(&a, &opened_a), (&b, &opened_b)] {
        let delt = opened.get("delt").unwrap();
        let kid = assent::crypto::jws::peek_kid(&delt).unwrap();
        let key = DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&app.address]);
        // A Profiles.Read token is for Assent's own provider.
        validation.set_audience(&[format!("{}/resources/assent", app.address)]);
        let claims = decode::<Value>(&delt, &key, &validation).unwrap().claims;
        assert_eq!(claims["sub"], user.lid.as_str());
        assert_eq!(claims["client_id"], site.appid.as_str());

        // And `GET /me` answers the same account for either app's delegation token.
        let r = crate::helpers::browser()
            .get(format!("{}/me", app.address))
            .bearer_auth(&delt)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["lid"], user.lid.as_str());
        assert_eq!(me["email"], "alice@example.com");
        let r = crate::helpers::browser()
            .get(format!("{}/me", app.address))
            .header(
                "Authorization",
                format!("DelegatedToken dt=\"{}\"", urlenc(&delt)),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the old clients' header form");
    }

    // A delegation token without Profiles.Read does not answer `/me`.
    crate::delauth::seed_catalogue(&app);
    let contacts = a.open(&consent(&app, &a, "Contacts.Read").await);
    assert_eq!(contacts.get("lid").unwrap(), user.lid);
    let r = crate::helpers::browser()
        .get(format!("{}/me", app.address))
        .bearer_auth(contacts.get("delt").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let challenge = r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}
