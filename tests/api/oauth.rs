//! OAuth 2.0 driven by an independent client library (the `oauth2` crate), with the browser part
//! (sign-in, consent form) played by the test's cookie-jar client.

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    IntrospectionUrl, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    RevocationUrl, Scope, TokenIntrospectionResponse, TokenResponse, TokenUrl,
};

use crate::delauth::seed_catalogue;
use crate::helpers::{csrf_in, hidden_value, TestApp};

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointSet, EndpointSet, EndpointSet>;

const REDIRECT: &str = "https://client.example/callback";

struct OAuthApp {
    appid: String,
    secret: String,
}

fn register(app: &TestApp, public: bool) -> OAuthApp {
    let urls = [REDIRECT.to_string()];
    let created = assent::admin::create_app(
        &app.state.db,
        &app.state.key,
        &assent::admin::AppRegistration {
            name: "OAuth Client",
            return_urls: &urls,
            public_client: public,
            ..Default::default()
        },
        assent::clock::now(),
    )
    .unwrap();
    OAuthApp {
        appid: created.appid,
        secret: created.secret,
    }
}

/// The client configured from the server's RFC 8414 metadata.
async fn discover(app: &TestApp, client: &OAuthApp, with_secret: bool) -> Client {
    let meta: serde_json::Value = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json()
        .await
        .unwrap();
    let s = |k: &str| meta[k].as_str().unwrap().to_string();
    let c = BasicClient::new(ClientId::new(client.appid.clone()))
        .set_auth_uri(AuthUrl::new(s("authorization_endpoint")).unwrap())
        .set_token_uri(TokenUrl::new(s("token_endpoint")).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
        .set_revocation_url(RevocationUrl::new(s("revocation_endpoint")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(s("introspection_endpoint")).unwrap());
    if with_secret {
        c.set_client_secret(ClientSecret::new(client.secret.clone()))
    } else {
        c
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follow an authorization URL in the signed-in browser, tick `ticked`, decide; the redirect.
async fn consent(
    app: &TestApp,
    auth_url: &url::Url,
    ticked: &[(&str, &str)],
    decision: &str,
) -> url::Url {
    let path = &auth_url.as_str()[app.address.len()..];
    let page = app.get(path).await;
    assert_eq!(page.status(), 200, "the consent page");
    let html = page.text().await.unwrap();
    let mut form = vec![
        ("csrf".to_string(), csrf_in(&html).unwrap()),
        (
            "request".to_string(),
            hidden_value(&html, "request").unwrap(),
        ),
        ("decision".to_string(), decision.to_string()),
    ];
    for (p, days) in ticked {
        form.push(("permission".into(), p.to_string()));
        form.push((format!("expiry.{p}"), days.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = app.post_form("/oauth2/authorize", &pairs).await;
    assert_eq!(r.status(), 302);
    url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn signed_in() -> (TestApp, OAuthApp, Client) {
    let app = TestApp::spawn().await;
    seed_catalogue(&app);
    app.create_user("olivia@example.com", "password-1234");
    assert_eq!(
        app.sign_in("olivia@example.com", "password-1234")
            .await
            .status(),
        303
    );
    let registered = register(&app, false);
    let client = discover(&app, &registered, true).await;
    (app, registered, client)
}

/// Authorization code with PKCE: the code and its verifier.
async fn code_for(
    app: &TestApp,
    client: &Client,
    scopes: &[&str],
    ticked: &[(&str, &str)],
) -> (String, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for s in scopes {
        req = req.add_scope(Scope::new(s.to_string()));
    }
    let (url, state) = req.url();
    let back = consent(app, &url, ticked, "allow").await;
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(state.secret().as_str())
    );
    (param(&back, "code").expect("a code"), verifier)
}

fn is_invalid_grant<T: std::fmt::Debug>(
    result: Result<T, RequestTokenError<impl std::error::Error, oauth2::basic::BasicErrorResponse>>,
) -> bool {
    matches!(result, Err(RequestTokenError::ServerResponse(e)) if *e.error() == BasicErrorResponseType::InvalidGrant)
}

#[tokio::test]
async fn discovery_code_with_pkce_refresh_rotation_reuse_and_introspection() {
    let (app, _registered, client) = signed_in().await;
    let meta: serde_json::Value = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], app.address.as_str());
    assert_eq!(
        meta["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("Contacts.Read".into()))
        .add_scope(Scope::new("News.Write".into()))
        .set_pkce_challenge(challenge)
        .url();
    // Only Contacts.Read is ticked, for 7 days.
    let back = consent(&app, &url, &[("Contacts.Read", "7")], "allow").await;
    assert!(back.as_str().starts_with(REDIRECT));
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(
        param(&back, "iss").as_deref(),
        Some(app.address.as_str()),
        "RFC 9207"
    );
    let code = param(&back, "code").unwrap();

    let http = http();
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code is exchanged");
    let access = token.access_token().secret().clone();
    assert_eq!(
        access.split('.').count(),
        3,
        "the access token is the delegation token (JWS)"
    );
    let scopes: Vec<String> = token
        .scopes()
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        scopes,
        ["Contacts.Read"],
        "granted scope = the ticked permissions"
    );
    assert!(token.expires_in().unwrap().as_secs() <= 3600);

    let info = client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(info.active());
    assert_eq!(info.scopes().unwrap()[0].as_str(), "Contacts.Read");

    // Refresh with rotation.
    let first_refresh = token.refresh_token().unwrap().clone();
    let refreshed = client
        .exchange_refresh_token(&first_refresh)
        .request_async(&http)
        .await
        .unwrap();
    let second_refresh = refreshed.refresh_token().unwrap().clone();
    assert_ne!(second_refresh.secret(), first_refresh.secret());
    assert_ne!(refreshed.access_token().secret(), &access);

    // Reuse of the first refresh token: invalid_grant, and the whole family is revoked.
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(&first_refresh)
            .request_async(&http)
            .await
    ));
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(&second_refresh)
            .request_async(&http)
            .await
    ));
    let info = client
        .introspect(refreshed.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        !info.active(),
        "the family's access tokens are inactive after reuse"
    );
}

#[tokio::test]
async fn revocation_ends_the_grant_and_an_oauth_grant_is_a_grant_like_any_other() {
    let (app, registered, client) = signed_in().await;
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
    // The grant is recorded like a Live grant (same table, same family rules).
    let count: i64 = app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::token_families::dsl::*;
            use diesel::prelude::*;
            token_families
                .filter(protocol.eq("oauth"))
                .count()
                .get_result(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_eq!(count, 1);
    let rt = token.refresh_token().unwrap().clone();
    assert_eq!(revoke(&app, &registered, rt.secret()).await.status(), 200);
    assert!(!client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap()
        .active());
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(&rt)
            .request_async(&http)
            .await
    ));
    // An unknown token: 200 all the same; a wrong secret: 401.
    assert_eq!(revoke(&app, &registered, "nope").await.status(), 200);
    let wrong = OAuthApp {
        appid: registered.appid.clone(),
        secret: "wrong-secret-123456".into(),
    };
    assert_eq!(revoke(&app, &wrong, "nope").await.status(), 401);
}

#[tokio::test]
async fn a_replayed_code_fails_and_revokes_what_it_issued() {
    let (app, _registered, client) = signed_in().await;
    let (code, verifier) = code_for(
        &app,
        &client,
        &["Contacts.Read"],
        &[("Contacts.Read", "30")],
    )
    .await;
    let http = http();
    let verifier_again = PkceCodeVerifier::new(verifier.secret().clone());
    let token = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    assert!(is_invalid_grant(
        client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier_again)
            .request_async(&http)
            .await
    ));
    assert!(!client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap()
        .active());
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(token.refresh_token().unwrap())
            .request_async(&http)
            .await
    ));
}

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

/// RFC 7009 revocation as a client sends it. (The oauth2 crate refuses a revocation URL that is not
/// https, as RFC 7009 2 asks; these tests run over plain http on loopback.)
async fn revoke(app: &TestApp, client: &OAuthApp, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", app.address))
        .basic_auth(&client.appid, Some(&client.secret))
        .form(&[("token", token), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap()
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
