//! Issue 15 item 15: a delegation token's `aud` names the resource provider(s) whose offers it
//! carries (RFC 9068 section 2.2), and a provider its audience does not name is refused at the
//! check endpoint, at introspection and at Assent's own profile resource.

use super::*;

/// The resource indicator of provider `rp_id` (docs/protocol.md section 5).
fn indicator(w: &World, rp_id: &str) -> String {
    format!("{}/resources/{rp_id}", w.app.state.public_url)
}

/// `token`'s claims with `aud` replaced (or removed, for `Value::Null`), signed with Assent's
/// current key: a token Assent could have issued for that audience.
fn with_aud(w: &World, token: &str, aud: Value) -> String {
    let mut claims = claims_of(token);
    match aud {
        Value::Null => {
            claims.as_object_mut().unwrap().remove("aud");
        }
        aud => claims["aud"] = aud,
    }
    let state = &w.app.state;
    let now = assent::clock::now();
    let signer = state
        .db
        .run_sync(|conn| {
            state
                .issuer
                .keys
                .signer(conn, &state.issuer.server_key, now)
        })
        .unwrap();
    signer.sign(&claims).unwrap()
}

fn sorted<const N: usize>(mut values: [String; N]) -> [String; N] {
    values.sort();
    values
}

async fn introspect(w: &World, rp: &CreatedProvider, token: &str) -> Value {
    let r = w
        .app
        .client
        .post(format!("{}/oauth2/introspect", w.app.address))
        .basic_auth(&rp.rp_id, Some(&rp.secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_audience_is_the_provider_of_the_offers_a_string_for_one_an_array_for_several() {
    let w = World::new().await;
    let one = w.grant(&["Contacts.Read", "Contacts.Write"]);
    assert_eq!(
        claims_of(&one.delegation_token)["aud"],
        json!(indicator(&w, &w.contacts.rp_id))
    );
    let three = w.grant(&["News.Read", "Contacts.Read", "Profiles.Read"]);
    assert_eq!(
        claims_of(&three.delegation_token)["aud"],
        json!(sorted([
            indicator(&w, &w.news.rp_id),
            indicator(&w, &w.contacts.rp_id),
            indicator(&w, "assent"),
        ])),
        "each provider once, sorted"
    );
    // A refresh's token names the providers of what it carries.
    let refreshed = {
        let state = &w.app.state;
        let now = assent::clock::now();
        let wanted = [Permission::parse("News.Read").unwrap()];
        let catalogue = assent::domain::permission::Catalogue::new();
        let token = three.refresh_token.expose().to_string();
        state
            .db
            .run_sync(|conn| {
                let outcome = state.issuer.refresh_rows(
                    conn,
                    None,
                    &token,
                    None,
                    w.application_id,
                    &w.appid,
                    Some((&wanted, &catalogue)),
                    now,
                )?;
                match outcome {
                    assent::tokens::RefreshOutcome::Issued(unsigned) => {
                        state.issuer.sign(conn, unsigned, now)
                    }
                    refused => panic!("{refused:?}"),
                }
            })
            .unwrap()
    };
    assert_eq!(
        claims_of(&refreshed.delegation_token)["aud"],
        json!(indicator(&w, &w.news.rp_id))
    );
}

#[tokio::test]
async fn a_provider_the_audience_does_not_name_is_refused_at_check_and_introspection() {
    let w = World::new().await;
    let issued = w.grant(&["Contacts.Read"]);
    let t = issued.delegation_token.as_str();
    assert_eq!(w.check(&w.contacts, &[("token", t)]).await["active"], true);
    assert_eq!(introspect(&w, &w.contacts, t).await["active"], true);
    assert_eq!(w.check(&w.news, &[("token", t)]).await, inactive());

    // The same grant, but a token for the News provider only: Contacts may not use it, even
    // though it owns the offer the token carries.
    let for_news = with_aud(&w, t, json!(indicator(&w, &w.news.rp_id)));
    assert_eq!(
        w.check(&w.contacts, &[("token", &for_news)]).await,
        inactive()
    );
    assert_eq!(introspect(&w, &w.contacts, &for_news).await, inactive());
    let for_news = with_aud(&w, t, json!([indicator(&w, &w.news.rp_id), "rp_x"]));
    assert_eq!(
        w.check(&w.contacts, &[("token", &for_news)]).await,
        inactive()
    );
    // Only the exact indicator names a provider: not its bare id, not another issuer's URL.
    for aud in [
        json!(w.contacts.rp_id),
        json!(format!(
            "https://elsewhere.example/resources/{}",
            w.contacts.rp_id
        )),
        json!(format!("{}/", indicator(&w, &w.contacts.rp_id))),
        json!([]),
    ] {
        let token = with_aud(&w, t, aud.clone());
        assert_eq!(
            w.check(&w.contacts, &[("token", &token)]).await,
            inactive(),
            "{aud}"
        );
    }
    // An array that names it is enough.
    let both = with_aud(
        &w,
        t,
        json!([
            indicator(&w, &w.news.rp_id),
            indicator(&w, &w.contacts.rp_id)
        ]),
    );
    assert_eq!(
        w.check(&w.contacts, &[("token", &both)]).await["active"],
        true
    );
    // A token from before audiences (no aud) still checks until it expires.
    let legacy = with_aud(&w, t, Value::Null);
    assert_eq!(
        w.check(&w.contacts, &[("token", &legacy)]).await["active"],
        true
    );
}

#[tokio::test]
async fn the_profile_resource_and_me_refuse_a_token_whose_audience_is_not_assent() {
    let w = World::new().await;
    let issued = w.grant(&["Profiles.Read", "Contacts.Read"]);
    let t = issued.delegation_token.as_str();
    let profile = format!("/users/@L@{}/profile", w.user.lid);
    let get = |path: String, token: String| {
        let client = w.app.client.clone();
        let url = format!("{}{path}", w.app.address);
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(get(profile.clone(), t.to_string()).await, 200);
    assert_eq!(get("/me".into(), t.to_string()).await, 200);
    let for_contacts = with_aud(&w, t, json!(indicator(&w, &w.contacts.rp_id)));
    assert_eq!(get(profile, for_contacts.clone()).await, 401);
    assert_eq!(get("/me".into(), for_contacts).await, 401);
}

#[tokio::test]
async fn a_custom_type_is_for_the_provider_that_owns_custom_types() {
    let w = World::new().await;
    let db = &w.app.state.db;
    let custom = admin::create_provider(db, "Anything service", true, 1).unwrap();
    let issued = w.grant(&["Music.Read", "Contacts.Read"]);
    let t = issued.delegation_token.as_str();
    assert_eq!(
        claims_of(t)["aud"],
        json!(sorted([
            indicator(&w, &custom.rp_id),
            indicator(&w, &w.contacts.rp_id)
        ]))
    );
    let v = w.check(&custom, &[("token", t)]).await;
    assert_eq!(v["offers"].as_object().unwrap().len(), 1, "{v}");
    assert!(v["offers"].get("Music.Read").is_some(), "{v}");
}
