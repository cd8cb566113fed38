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

mod audience;
mod metrics;
mod oauth4webapi;
mod protocol_details;
mod refusals;

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
        secret: created.secret.unwrap_or_default(),
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
    signed_in_with(|_| {}).await
}

/// [`signed_in`] with the configuration changed by `adjust`.
async fn signed_in_with(
    adjust: impl FnOnce(&mut assent::config::Config),
) -> (TestApp, OAuthApp, Client) {
    let app = TestApp::spawn_with(adjust).await;
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

    // The first refresh token again at once, the second unused: a retry, answered with the same
    // second refresh token.
    let retried = client
        .exchange_refresh_token(&first_refresh)
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(
        retried.refresh_token().unwrap().secret(),
        second_refresh.secret()
    );
    // Once the second was used, the first is reuse: invalid_grant, and the whole family is revoked.
    let refreshed = client
        .exchange_refresh_token(&second_refresh)
        .request_async(&http)
        .await
        .unwrap();
    let third_refresh = refreshed.refresh_token().unwrap().clone();
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(&first_refresh)
            .request_async(&http)
            .await
    ));
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(&third_refresh)
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
