//! Several Assent instances on one database: what one instance revokes, every other instance's
//! check endpoint refuses at once, even after it cached the token's verified signature.

use assent::startup::Application;

use crate::provider::World;

/// The first instance's configuration, with its address as the public URL: instances behind one
/// name share it, and so the issuer and the tokens' audiences.
fn same_public_url(world: &World) -> assent::config::Config {
    let mut config = world.app.config.clone();
    config.server.public_url = Some(world.app.address.clone());
    config
}

#[tokio::test]
async fn a_revocation_on_one_instance_is_seen_at_once_by_the_check_endpoint_of_another() {
    let world = World::new().await;
    let second = Application::build(same_public_url(&world))
        .await
        .expect("a second instance on the same database");
    let second_address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());

    let issued = world.grant(&["Contacts.Read"]);
    let check_on_second = || async {
        reqwest::Client::new()
            .post(format!("{second_address}/delegation/check"))
            .basic_auth(&world.contacts.rp_id, Some(&world.contacts.secret))
            .form(&[
                ("token", issued.delegation_token.as_str()),
                ("permission", "Contacts.Read"),
            ])
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    // Twice: the second answer comes with the signature already verified (cached).
    assert_eq!(check_on_second().await["active"], true);
    assert_eq!(check_on_second().await["active"], true);

    // The user revokes through the FIRST instance.
    let state = &world.app.state;
    let appid = assent::domain::AppId::parse(&world.appid).unwrap();
    let permission = assent::domain::permission::Permission::parse("Contacts.Read").unwrap();
    state
        .db
        .transaction_sync(|conn| {
            assent::consents::revoke::permission(
                conn,
                world.user.id,
                &appid,
                &permission,
                assent::clock::now(),
            )
            .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_eq!(
        check_on_second().await,
        serde_json::json!({"active": false}),
        "the second instance sees the revocation on its next request"
    );
}

#[tokio::test]
async fn after_a_key_rotation_on_one_instance_every_concurrent_check_on_another_is_active() {
    // The second instance's key ring is fresh (loaded at start, reloaded every minute): it learns
    // of a new key only from the first token that names it.
    let world = World::new().await;
    let second = Application::build(same_public_url(&world))
        .await
        .expect("a second instance on the same database");
    let second_address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let client = reqwest::Client::new();
    // Open the connections first, so the checks below reach the server together.
    let warm: Vec<_> = (0..24)
        .map(|_| tokio::spawn(client.get(format!("{second_address}/healthz")).send()))
        .collect();
    for w in warm {
        assert_eq!(w.await.unwrap().unwrap().status(), 200);
    }

    let state = &world.app.state;
    for round in 0..3 {
        let now = assent::clock::now();
        let rotated = assent::admin::rotate_keys(&state.db, &state.key, now).unwrap();
        state
            .db
            .transaction_sync(|conn| state.issuer.keys.reload(conn, &state.key, now))
            .unwrap();
        let issued = world.grant(&["Contacts.Read"]);
        assert_eq!(
            assent::crypto::jws::peek_kid(&issued.delegation_token).unwrap(),
            rotated.kid,
            "signed by the new key"
        );
        let checks: Vec<_> = (0..24)
            .map(|_| {
                let request = client
                    .post(format!("{second_address}/delegation/check"))
                    .basic_auth(&world.contacts.rp_id, Some(&world.contacts.secret))
                    .form(&[
                        ("token", issued.delegation_token.as_str()),
                        ("permission", "Contacts.Read"),
                    ]);
                tokio::spawn(async move {
                    let answer = request.send().await.unwrap();
                    assert_eq!(answer.status(), 200);
                    answer.json::<serde_json::Value>().await.unwrap()
                })
            })
            .collect();
        let mut inactive = 0;
        for check in checks {
            if check.await.unwrap()["active"] != true {
                inactive += 1;
            }
        }
        assert_eq!(
            inactive, 0,
            "round {round}: every concurrent check is active"
        );
    }
}
