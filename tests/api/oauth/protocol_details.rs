//! Protocol details of issue 15: who may introspect, the exact `redirect_uri` at the token
//! endpoint, repeated parameters, and refreshing after a partial consent.

use super::*;
use crate::helpers::{cli, cli_json, TestDb};

async fn introspect_as(
    app: &TestApp,
    basic: Option<(&str, Option<&str>)>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(format!("{}/oauth2/introspect", app.address));
    if let Some((user, password)) = basic {
        req = req.basic_auth(user, password);
    }
    req.form(form).send().await.unwrap()
}

#[tokio::test]
async fn a_public_client_cannot_introspect_even_its_own_token() {
    let (app, _registered, _) = signed_in().await;
    let public = register(&app, true);
    let client = discover(&app, &public, false).await;
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
        &[("Contacts.Read", "30")],
    )
    .await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .expect("a public client exchanges its code with PKCE");
    let access = token.access_token().secret().clone();
    for (basic, form) in [
        (None, vec![("client_id", public.appid.as_str())]),
        (Some((public.appid.as_str(), None)), vec![]),
        (Some((public.appid.as_str(), Some(""))), vec![]),
    ] {
        let mut form = form;
        form.push(("token", &access));
        let r = introspect_as(&app, basic, &form).await;
        assert_eq!(r.status(), 401, "{basic:?} {form:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
        assert!(body.get("active").is_none(), "{body}");
    }
    let meta: serde_json::Value = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        meta["introspection_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic"])
    );
}

#[test]
fn app_create_public_prints_no_secret_and_refuses_one() {
    let db = TestDb::new();
    cli_json(&cli(&db, &["migrate"], None));
    let created = cli_json(&cli(
        &db,
        &[
            "app",
            "create",
            "--name",
            "Phone app",
            "--return-url",
            "https://phone.example/cb",
            "--public",
        ],
        None,
    ));
    assert!(created["appid"].is_string());
    assert!(created.get("secret").is_none(), "{created}");
    let appid = created["appid"].as_str().unwrap();
    let shown = cli_json(&cli(&db, &["app", "show", appid, "--reveal-secret"], None));
    assert!(shown.get("secret").is_none(), "{shown}");
    let out = cli(
        &db,
        &[
            "app",
            "create",
            "--name",
            "Phone app",
            "--return-url",
            "https://phone.example/cb",
            "--public",
            "--secret",
            "a-given-secret-of-enough-length",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("public client has no secret"));
    let out = cli(&db, &["app", "secret", "regenerate", appid], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

/// `POST /oauth2/token` as a client would send it, with HTTP Basic.
async fn token_request(
    app: &TestApp,
    registered: &OAuthApp,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.address))
        .basic_auth(&registered.appid, Some(&registered.secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn the_token_endpoint_compares_redirect_uri_as_the_exact_string_sent() {
    let (app, registered, client) = signed_in().await;
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
        &[("Contacts.Read", "30")],
    )
    .await;
    // Each of these parses to the registered URL, but none is the string the request sent.
    for variant in [
        "HTTPS://client.example/callback",
        "https://CLIENT.EXAMPLE/callback",
        "https://client.example:443/callback",
        "https://client.example/./callback",
        "https://client.example/x/../callback",
    ] {
        let (status, body) = token_request(
            &app,
            &registered,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", variant),
                ("code_verifier", verifier.secret()),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{variant}"
        );
    }
    let (status, body) = token_request(
        &app,
        &registered,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.secret()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
}

/// The authorization URL for `scope` with `extra` raw query parameters (already encoded).
fn authorize_path(registered: &OAuthApp, extra: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=Contacts.Read{extra}",
        registered.appid,
        assent::crypto::live::urlenc(REDIRECT)
    )
}

#[tokio::test]
async fn a_repeated_authorization_parameter_is_invalid_request() {
    let (app, registered, _) = signed_in().await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let c = challenge.as_str();
    for extra in [
        "&state=s1&state=s2".to_string(),
        format!("&state=s&code_challenge={c}&code_challenge={c}&code_challenge_method=S256"),
        format!(
            "&state=s&code_challenge={c}&code_challenge_method=S256&code_challenge_method=S256"
        ),
        "&state=s&scope=News.Read".to_string(),
        "&state=s&response_type=code".to_string(),
    ] {
        let r = app.get(&authorize_path(&registered, &extra)).await;
        assert_eq!(r.status(), 302, "{extra}: no consent page");
        let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        assert!(back.as_str().starts_with(REDIRECT), "{back}");
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("invalid_request"),
            "{extra}"
        );
        assert!(param(&back, "code").is_none());
    }
    // A repeated client_id or redirect_uri can not be trusted: a page, never a redirect.
    let r = app
        .get(&authorize_path(
            &registered,
            &format!("&client_id={}", registered.appid),
        ))
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
}

#[tokio::test]
async fn a_repeated_token_parameter_or_a_second_client_is_invalid_request() {
    let (app, registered, client) = signed_in().await;
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read", "News.Read"],
        &[("Contacts.Read", "30"), ("News.Read", "30")],
    )
    .await;
    let (status, body) = token_request(
        &app,
        &registered,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.secret()),
            ("code_verifier", verifier.secret()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    // The code was not used up by the refused request; the client_id in the body may repeat
    // the Basic client.
    let (status, body) = token_request(
        &app,
        &registered,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.secret()),
            ("client_id", &registered.appid),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    let other = register(&app, false);
    for form in [
        // A repeated scope must not read as "no scope" (the whole grant).
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("scope", "Contacts.Read"),
            ("scope", "News.Read"),
        ],
        vec![
            ("grant_type", "refresh_token"),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ],
        // Basic names this client, the body another.
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", other.appid.as_str()),
        ],
        // Two authentication methods.
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_secret", registered.secret.as_str()),
        ],
    ] {
        let (status, body) = token_request(&app, &registered, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{form:?}: {body}"
        );
    }
    // None of them consumed the refresh token.
    let (status, body) = token_request(
        &app,
        &registered,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_refresh_naming_declined_permissions_answers_the_granted_subset() {
    let (app, _registered, client) = signed_in().await;
    // Asked for two, the user ticked one.
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read", "News.Write"],
        &[("Contacts.Read", "30")],
    )
    .await;
    let http = http();
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    // What authlib and requests-oauthlib do by default: re-send the scope first asked for.
    let refreshed = client
        .exchange_refresh_token(token.refresh_token().unwrap())
        .add_scope(Scope::new("Contacts.Read".into()))
        .add_scope(Scope::new("News.Write".into()))
        .request_async(&http)
        .await
        .expect("the refresh answers with the granted subset");
    let scopes: Vec<String> = refreshed
        .scopes()
        .expect("the response says which scope it has (RFC 6749 3.3)")
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(scopes, ["Contacts.Read"]);
    let info = client
        .introspect(refreshed.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.scopes().unwrap()[0].as_str(), "Contacts.Read");
    assert_eq!(info.scopes().unwrap().len(), 1);
    // A permission the request never asked for is still refused.
    let refused = client
        .exchange_refresh_token(refreshed.refresh_token().unwrap())
        .add_scope(Scope::new("Contacts.Read".into()))
        .add_scope(Scope::new("News.Read".into()))
        .request_async(&http)
        .await;
    assert!(
        matches!(&refused, Err(RequestTokenError::ServerResponse(e)) if *e.error() == BasicErrorResponseType::InvalidScope),
        "{refused:?}"
    );
    // The refused refresh did not use the token up.
    client
        .exchange_refresh_token(refreshed.refresh_token().unwrap())
        .request_async(&http)
        .await
        .expect("a refresh without scope still works");
}

async fn submit(app: &TestApp, form: Vec<(String, String)>) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.post_form("/oauth2/authorize", &pairs).await
}

#[tokio::test]
async fn an_oauth_consent_form_gives_one_code_even_submitted_in_parallel() {
    let (app, _registered, client) = signed_in().await;
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("Contacts.Read".into()))
        .url();
    let path = &url.as_str()[app.address.len()..];
    let form_of = |html: &str| {
        vec![
            ("csrf".to_string(), csrf_in(html).unwrap()),
            (
                "request".to_string(),
                hidden_value(html, "request").unwrap(),
            ),
            ("decision".to_string(), "allow".to_string()),
            ("permission".to_string(), "Contacts.Read".to_string()),
        ]
    };
    // Twice in a row: one code, then "already decided" without a redirect.
    let form = form_of(&app.get(path).await.text().await.unwrap());
    let first = submit(&app, form.clone()).await;
    assert_eq!(first.status(), 302);
    let back = url::Url::parse(first.headers()["location"].to_str().unwrap()).unwrap();
    assert!(param(&back, "code").is_some());
    let second = submit(&app, form).await;
    assert_eq!(second.status(), 409);
    assert!(second.headers().get("location").is_none());
    assert!(second
        .text()
        .await
        .unwrap()
        .contains("You already answered this consent request"));
    // Three at once: one code.
    let form = form_of(&app.get(path).await.text().await.unwrap());
    let (a, b, c) = tokio::join!(
        submit(&app, form.clone()),
        submit(&app, form.clone()),
        submit(&app, form)
    );
    let mut statuses = vec![a.status(), b.status(), c.status()];
    statuses.sort();
    assert_eq!(statuses, [302, 409, 409]);
    let codes: i64 = app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::authorization_codes::dsl::*;
            use diesel::prelude::*;
            authorization_codes
                .count()
                .get_result(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_eq!(codes, 2, "one code per decided form");
}
