//! Several Assent instances on one database: what one instance revokes, every other instance's
//! check endpoint refuses at once, even after it cached the token's verified signature.

use assent::startup::Application;

use crate::provider::World;

#[tokio::test]
async fn a_revocation_on_one_instance_is_seen_at_once_by_the_check_endpoint_of_another() {
    let world = World::new().await;
    let second = Application::build(world.app.config.clone())
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
