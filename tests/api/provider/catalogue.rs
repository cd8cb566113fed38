//! `assent catalogue apply FILE`: idempotent, one transaction, and a created provider can check.

use std::process::Output;

use serde_json::{json, Value};

use super::World;
use crate::helpers::{cli, cli_json, TestDb};

const CATALOGUE: &str = r#"
[[provider]]
rp_id = "rp_photos"
name = "Photos service"
custom_types = false

  [[provider.offer]]
  name = "Photos"
  actions = [
    { name = "Read", description = "See your photos" },
    { name = "Full", description = "Manage your photos", grantable = false },
  ]

[[provider]]
name = "Calendar service"

  [[provider.offer]]
  name = "Calendar"
  actions = [ { name = "Read", description = "See your calendar" } ]
"#;

fn apply_cli(db: &TestDb, file: &std::path::Path) -> Output {
    cli(db, &["catalogue", "apply", file.to_str().unwrap()], None)
}

#[test]
fn catalogue_apply_twice_creates_once_and_then_changes_nothing() {
    let db = TestDb::migrated();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogue.toml");
    std::fs::write(&file, CATALOGUE).unwrap();

    let first = cli_json(&apply_cli(&db, &file));
    assert_eq!(first["changed"], true);
    let photos = &first["providers"][0];
    assert_eq!(
        (&photos["rp_id"], &photos["status"]),
        (&json!("rp_photos"), &json!("created"))
    );
    assert!(photos["secret"].as_str().is_some_and(|s| s.len() >= 32));
    let actions = json!([
        {"action": "Read", "status": "created"},
        {"action": "Full", "status": "created"},
    ]);
    assert_eq!(
        photos["offers"][0],
        json!({"offer": "Photos", "status": "created", "actions": actions})
    );
    let calendar = &first["providers"][1];
    assert!(calendar["rp_id"].as_str().unwrap().starts_with("rp_"));
    assert_eq!(calendar["status"], "created");

    let second = cli_json(&apply_cli(&db, &file));
    assert_eq!(second["changed"], false);
    for (i, p) in second["providers"].as_array().unwrap().iter().enumerate() {
        assert_eq!(p["rp_id"], first["providers"][i]["rp_id"]);
        assert_eq!(p["status"], "unchanged");
        assert!(p.get("secret").is_none(), "a secret is printed once");
        assert_eq!(p["offers"][0]["status"], "unchanged");
    }

    // A changed description is an update; a taken offer is an error and writes nothing.
    let changed = CATALOGUE.replace("See your photos", "See your pictures");
    std::fs::write(&file, &changed).unwrap();
    let third = cli_json(&apply_cli(&db, &file));
    assert_eq!(third["changed"], true);
    assert_eq!(
        third["providers"][0]["offers"][0]["actions"][0]["status"],
        "updated"
    );
    let extra = "[[provider]]\nrp_id = \"rp_extra\"\nname = \"Extra\"\n";
    let thief = "[[provider]]\nname = \"Thief\"\n[[provider.offer]]\nname = \"Photos\"\n\
                 actions = [ { name = \"Write\", description = \"x\" } ]\n";
    std::fs::write(&file, format!("{extra}{thief}")).unwrap();
    let out = apply_cli(&db, &file);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("belongs to another"), "{stderr}");
    std::fs::write(&file, extra).unwrap();
    let again = cli_json(&apply_cli(&db, &file));
    assert_eq!(
        again["providers"][0]["status"], "created",
        "the failed apply wrote nothing"
    );

    std::fs::write(&file, "[[provider]]\nrp_id = \"x\"\nbogus = 1\n").unwrap();
    assert_eq!(apply_cli(&db, &file).status.code(), Some(1));
}

#[tokio::test]
async fn a_provider_created_by_catalogue_apply_checks_tokens_with_its_printed_secret() {
    let w = World::new().await;
    // Warm the provider cache first: the new provider is then found by the reload an unknown
    // rp_id forces (at most once a second, hence the pause).
    let warm = w.grant(&["Contacts.Read"]).delegation_token;
    assert_eq!(
        w.check(&w.contacts, &[("token", &warm)]).await["active"],
        true
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let parsed = assent::admin::catalogue::parse_file(CATALOGUE).unwrap();
    let applied = assent::admin::catalogue::apply(&w.app.state.db, &parsed, 1).unwrap();
    let photos = &applied.providers[0];
    let secret = photos.secret.clone().unwrap();
    let token = w.grant(&["Photos.Read", "Contacts.Read"]).delegation_token;
    let r = w
        .check_as(&photos.rp_id, &secret, &[("token", &token)])
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["active"], true);
    assert_eq!(
        v["offers"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["Photos.Read"]
    );
}
