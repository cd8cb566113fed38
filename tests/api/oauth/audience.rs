//! Issue 15 item 15 over OAuth: the access token's `aud` names the providers of its offers, and
//! RFC 8707 `resource` at the authorization and token endpoints narrows it (and the scope) to
//! the providers it names; an unknown resource, or one the grant does not cover, is
//! `invalid_target`.

use serde_json::{json, Value};

use super::*;
use crate::provider::claims_of;

/// The resource indicator of provider `rp_id`.
fn indicator(app: &TestApp, rp_id: &str) -> String {
    format!("{}/resources/{rp_id}", app.state.public_url)
}

/// The catalogue of `signed_in` (Contacts and News, of the "Live services" provider) plus
/// `Photos` of a second provider: the first's id and the second.
fn providers(app: &TestApp) -> (String, assent::admin::CreatedProvider) {
    let db = &app.state.db;
    let photos = assent::admin::create_provider(db, "Photos service", false, 1).unwrap();
    let actions = [("Read".to_string(), "See your photos".to_string())];
    assent::admin::add_offer(db, &photos.rp_id, "Photos", &actions, &[]).unwrap();
    let live = db
        .run_sync(|conn| assent::db::provider::list(conn).map_err(assent::db::DbError::from))
        .unwrap()
        .into_iter()
        .find(|rp| rp.name == "Live services")
        .unwrap();
    (live.rp_id, photos)
}

/// An authorization request's URL for the confidential client (no PKCE needed).
fn authorize_url(app: &TestApp, client: &OAuthApp, scope: &str, resources: &[&str]) -> url::Url {
    let mut url = url::Url::parse(&format!("{}/oauth2/authorize", app.address)).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.appid)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("state", "s1");
    for r in resources {
        url.query_pairs_mut().append_pair("resource", r);
    }
    url
}

/// A space-separated value's words, sorted (oxide-auth writes a scope in any order).
fn words(v: &Value) -> Vec<String> {
    let mut w: Vec<String> = v.as_str().unwrap().split(' ').map(str::to_string).collect();
    w.sort();
    w
}

fn sorted<const N: usize>(mut values: [String; N]) -> [String; N] {
    values.sort();
    values
}

/// POST /oauth2/token as the client: status and JSON body.
async fn token(app: &TestApp, client: &OAuthApp, form: &[(&str, &str)]) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.address))
        .basic_auth(&client.appid, Some(&client.secret))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn code(app: &TestApp, client: &OAuthApp, scope: &str, resources: &[&str]) -> String {
    let url = authorize_url(app, client, scope, resources);
    let ticked: Vec<(&str, &str)> = scope.split(' ').map(|p| (p, "30")).collect();
    let back = consent(app, &url, &ticked, "allow").await;
    param(&back, "code").expect("a code")
}

#[tokio::test]
async fn resource_at_authorize_narrows_the_consent_the_scope_and_the_audience() {
    let (app, registered, _) = signed_in().await;
    let (live, photos) = providers(&app);
    let (photos_aud, assent_aud) = (indicator(&app, &photos.rp_id), indicator(&app, "assent"));
    let url = authorize_url(
        &app,
        &registered,
        "Contacts.Read Photos.Read Profiles.Read",
        &[&photos_aud, &assent_aud],
    );
    let html = app.get(&url.as_str()[app.address.len()..]).await;
    assert_eq!(
        html.status(),
        200,
        "resource may repeat (RFC 8707 section 2)"
    );
    let html = html.text().await.unwrap();
    assert!(html.contains("value=\"Photos.Read\"") && html.contains("value=\"Profiles.Read\""));
    assert!(
        !html.contains("value=\"Contacts.Read\""),
        "not a named provider's offer"
    );
    let back = consent(
        &app,
        &url,
        &[("Photos.Read", "30"), ("Profiles.Read", "30")],
        "allow",
    )
    .await;
    let code = param(&back, "code").unwrap();
    let (status, body) = token(
        &app,
        &registered,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(words(&body["scope"]), ["Photos.Read", "Profiles.Read"]);
    let claims = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(
        claims["aud"],
        json!(sorted([photos_aud.clone(), assent_aud]))
    );
    // Without resource, the token names every provider of its offers.
    let code = code_of(&app, &registered, "Contacts.Read Photos.Read", &[]).await;
    let (_, body) = token(
        &app,
        &registered,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    let claims = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(
        claims["aud"],
        json!(sorted([indicator(&app, &live), photos_aud]))
    );
}

async fn code_of(app: &TestApp, client: &OAuthApp, scope: &str, resources: &[&str]) -> String {
    code(app, client, scope, resources).await
}

#[tokio::test]
async fn an_unknown_or_uncovered_resource_at_authorize_is_invalid_target() {
    let (app, registered, _) = signed_in().await;
    let (_, photos) = providers(&app);
    let photos = photos.rp_id;
    let unknown = indicator(&app, "rp_0000000000000000");
    let photos_aud = indicator(&app, &photos);
    let fragment = format!("{photos_aud}#x");
    for (scope, resource) in [
        ("Contacts.Read", unknown.as_str()),
        ("Contacts.Read", photos_aud.as_str()),
        ("Photos.Read", "https://elsewhere.example/resources/x"),
        ("Photos.Read", "photos"),
        ("Photos.Read", fragment.as_str()),
    ] {
        let url = authorize_url(&app, &registered, scope, &[resource]);
        let r = app.get(&url.as_str()[app.address.len()..]).await;
        assert_eq!(r.status(), 302, "{resource}");
        let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        assert!(back.as_str().starts_with(REDIRECT));
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("invalid_target"),
            "{resource}"
        );
        assert_eq!(param(&back, "state").as_deref(), Some("s1"));
    }
}

#[tokio::test]
async fn resource_at_the_token_endpoint_narrows_the_code_and_each_refresh() {
    let (app, registered, _) = signed_in().await;
    let (live, photos) = providers(&app);
    let (live_aud, photos_aud) = (indicator(&app, &live), indicator(&app, &photos.rp_id));
    let other = assent::admin::create_provider(&app.state.db, "Other", false, 1).unwrap();
    let code = code_of(&app, &registered, "Contacts.Read Photos.Read", &[]).await;
    let exchange = |resource: &str| {
        vec![
            ("grant_type".to_string(), "authorization_code".to_string()),
            ("code".into(), code.clone()),
            ("redirect_uri".into(), REDIRECT.into()),
            ("resource".into(), resource.to_string()),
        ]
    };
    // A provider the grant does not cover: invalid_target, and the code is still unused.
    let form = exchange(&indicator(&app, "assent"));
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (status, body) = token(&app, &registered, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_target")),
        "{body}"
    );
    let form = exchange(&photos_aud);
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (status, body) = token(&app, &registered, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "Photos.Read");
    assert_eq!(
        claims_of(body["access_token"].as_str().unwrap())["aud"],
        json!(photos_aud)
    );

    // The refresh token covers the whole grant; each refresh may name another provider.
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("resource", live_aud.as_str()),
    ];
    let (status, body) = token(&app, &registered, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "Contacts.Read");
    assert_eq!(
        claims_of(body["access_token"].as_str().unwrap())["aud"],
        json!(live_aud)
    );
    let refresh = body["refresh_token"].as_str().unwrap().to_string();

    // An unknown resource, or a scope of another provider: invalid_target, nothing consumed.
    let unknown = indicator(&app, "rp_0000000000000000");
    for form in [
        vec![("resource", unknown.as_str())],
        vec![
            ("resource", photos_aud.as_str()),
            ("scope", "Contacts.Read"),
        ],
    ] {
        let mut form = form;
        form.extend([
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ]);
        let (status, body) = token(&app, &registered, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_target")),
            "{body}"
        );
    }
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("resource", live_aud.as_str()),
        ("resource", photos_aud.as_str()),
    ];
    let (status, body) = token(&app, &registered, &form).await;
    assert_eq!(status, 200, "the refresh token was not consumed: {body}");
    assert_eq!(words(&body["scope"]), ["Contacts.Read", "Photos.Read"]);
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        claims_of(&access)["aud"],
        json!(sorted([live_aud, photos_aud]))
    );

    // Introspection by a provider the token names sees its own offers; by another, inactive.
    let introspect = |rp: assent::admin::CreatedProvider| {
        let (app, access) = (&app, access.clone());
        async move {
            let r = reqwest::Client::new()
                .post(format!("{}/oauth2/introspect", app.address))
                .basic_auth(&rp.rp_id, Some(&rp.secret))
                .form(&[("token", access.as_str())])
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    let seen = introspect(photos).await;
    assert_eq!(
        (&seen["active"], &seen["scope"]),
        (&json!(true), &json!("Photos.Read"))
    );
    assert_eq!(introspect(other).await, json!({"active": false}));
}
