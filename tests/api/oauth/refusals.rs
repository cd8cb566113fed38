//! OAuth 2.0 refusals: PKCE downgrades, bad redirect URIs and clients, denial, another client's
//! tokens, malformed requests, and codes voided by a removal.

use super::*;

#[tokio::test]
async fn pkce_downgrades_are_refused() {
    let (app, registered, client) = signed_in().await;
    let http = http();
    // Challenge made, verifier dropped at the token endpoint.
    let (code, _) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
        &[("Contacts.Read", "30")],
    )
    .await;
    assert!(is_invalid_grant(
        client
            .exchange_code(AuthorizationCode::new(code))
            .request_async(&http)
            .await
    ));
    // Wrong verifier.
    let (code, _) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
        &[("Contacts.Read", "30")],
    )
    .await;
    let wrong = PkceCodeVerifier::new("x".repeat(64));
    assert!(is_invalid_grant(
        client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(wrong)
            .request_async(&http)
            .await
    ));
    // A verifier for a code issued without a challenge.
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("Contacts.Read".into()))
        .url();
    let back = consent(&app, &url, &[("Contacts.Read", "30")], "allow").await;
    let code = param(&back, "code").unwrap();
    let some = PkceCodeVerifier::new("y".repeat(64));
    assert!(is_invalid_grant(
        client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(some)
            .request_async(&http)
            .await
    ));
    // `plain` is refused at the authorization endpoint.
    let path = format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=Contacts.Read&state=s1&code_challenge={}&code_challenge_method=plain",
        registered.appid, urlenc(REDIRECT), "z".repeat(50)
    );
    let r = app.get(&path).await;
    assert_eq!(r.status(), 302);
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(REDIRECT));
    assert!(param(&back, "error").is_some(), "{back}");
    assert!(param(&back, "code").is_none());
    // A public client must use PKCE.
    let public = register(&app, true);
    let path = format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=Contacts.Read&state=s2",
        public.appid, urlenc(REDIRECT)
    );
    let r = app.get(&path).await;
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(
        param(&back, "error").is_some() && param(&back, "code").is_none(),
        "{back}"
    );
}

fn urlenc(s: &str) -> String {
    assent::crypto::live::urlenc(s)
}

#[tokio::test]
async fn bad_redirect_uris_and_unknown_clients_get_a_page_never_a_redirect() {
    let (app, registered, _) = signed_in().await;
    let variants = [
        "https://client.example.evil.example/callback",
        "https://evil@client.example/callback",
        "https://client.example/callback/../admin",
        "https://CLIENT.example/callback",
        "https://client.example/Callback",
        "https://client.example/callback?extra=1",
        "https://client.example/callback#frag",
        "https://client.example:8443/callback",
        "http://client.example/callback",
    ];
    for v in variants {
        let path = format!(
            "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=Contacts.Read&state=s",
            registered.appid, urlenc(v)
        );
        let r = app.get(&path).await;
        assert_eq!(r.status(), 400, "{v}");
        assert!(r.headers().get("location").is_none(), "{v}");
    }
    for path in [
        format!("/oauth2/authorize?response_type=code&client_id=0123456789ABCDEF&redirect_uri={}&scope=Contacts.Read", urlenc(REDIRECT)),
        "/oauth2/authorize?response_type=code&scope=Contacts.Read".to_string(),
        "/oauth2/authorize".to_string(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 400, "{path}");
        assert!(r.headers().get("location").is_none());
    }
}

#[tokio::test]
async fn denial_and_bad_scope_redirect_with_errors_state_and_iss() {
    let (app, _registered, client) = signed_in().await;
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("Contacts.Read".into()))
        .url();
    let back = consent(&app, &url, &[], "cancel").await;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(param(&back, "iss").as_deref(), Some(app.address.as_str()));
    let (url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("Profiles.Write".into()))
        .url();
    let r = app.get(&url.as_str()[app.address.len()..]).await;
    assert_eq!(r.status(), 302);
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("invalid_scope"));
}

#[tokio::test]
async fn another_client_can_neither_refresh_nor_revoke_a_token() {
    let (app, _registered, client) = signed_in().await;
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
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
    let other_app = register(&app, false);
    let other = discover(&app, &other_app, true).await;
    let rt = token.refresh_token().unwrap().clone();
    assert!(is_invalid_grant(
        other.exchange_refresh_token(&rt).request_async(&http).await
    ));
    assert_eq!(
        revoke(&app, &other_app, rt.secret()).await.status(),
        200,
        "RFC 7009: not an error"
    );
    assert!(
        !other
            .introspect(token.access_token())
            .request_async(&http)
            .await
            .unwrap()
            .active(),
        "not its token"
    );
    // Still valid for its owner.
    assert!(client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap()
        .active());
    client
        .exchange_refresh_token(&rt)
        .request_async(&http)
        .await
        .expect("the owner still refreshes");
    // Wrong secret, unknown grant type.
    let bad = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.address))
        .form(&[("grant_type", "password"), ("username", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<serde_json::Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
}

#[tokio::test]
async fn malformed_token_requests_are_400s_never_500s() {
    let app = TestApp::spawn().await;
    let url = format!("{}/oauth2/token", app.address);
    let c = reqwest::Client::new();
    let two_auth = c
        .post(&url)
        .header("authorization", "Basic YTpi")
        .header("authorization", "Basic YzpkYQ==")
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(two_auth.status(), 400);
    let no_body = c.post(&url).send().await.unwrap();
    assert_eq!(no_body.status(), 400);
    let unknown_client = c
        .post(&url)
        .basic_auth("0123456789ABCDEF", Some("secret-secret-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "abc"),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        unknown_client.status().is_client_error(),
        "{}",
        unknown_client.status()
    );
}

#[tokio::test]
async fn removing_the_app_voids_a_code_not_yet_exchanged() {
    let (app, registered, client) = signed_in().await;
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
        &[("Contacts.Read", "30")],
    )
    .await;
    let user = app
        .state
        .db
        .run_sync(|conn| {
            assent::db::user::find_by_email(conn, "olivia@example.com")
                .map_err(assent::db::DbError::from)
        })
        .unwrap()
        .unwrap();
    let appid = assent::domain::AppId::parse(&registered.appid).unwrap();
    app.state
        .db
        .transaction_sync(|conn| {
            assent::consents::revoke::app(conn, user.id, &appid, assent::clock::now())
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    let http = http();
    assert!(is_invalid_grant(
        client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
    ));
}
