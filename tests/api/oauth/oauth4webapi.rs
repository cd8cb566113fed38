//! Issue 15 item 15 as the issue saw it: a strict client library, oauth4webapi, validating
//! Assent's access token as an RFC 9068 JWT access token in a resource server. Before tokens named
//! their audience it refused every one ("JWT \"aud\" (audience) claim missing"); now it accepts a
//! token for the provider its `aud` names, and refuses it for any other.
//!
//! The driver is tests/interop/oauth4webapi/validate.mjs, run with Node.js; the library is
//! installed from the npm registry by `npm ci` (its lock file pins it) on the first run. Without
//! Node.js the test prints `skipped: node not installed`, except when `CI` is set: then it fails.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use super::*;
use crate::provider::claims_of;

fn driver_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/oauth4webapi"
    ))
}

/// Install the pinned library if it is not there yet.
fn install() {
    let dir = driver_dir();
    if dir.join("node_modules/oauth4webapi/package.json").exists() {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .expect("npm (Node.js 20) is installed");
    assert!(
        out.status.success(),
        "npm ci in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What oauth4webapi says of `token` for a resource server whose indicator is `audience`.
async fn validate(issuer: &str, audience: &str, token: &str) -> Value {
    let args = [issuer.to_string(), audience.to_string(), token.to_string()];
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("validate.mjs")
            .args(args)
            .current_dir(driver_dir())
            .output()
            .expect("node (Node.js 20) is installed")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test]
async fn oauth4webapi_accepts_the_access_token_for_its_audience_and_refuses_it_for_another() {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs Node.js for this test"
        );
        eprintln!("skipped: node not installed");
        return;
    }
    tokio::task::spawn_blocking(install).await.unwrap();
    let (app, _registered, client) = signed_in().await;
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
        .unwrap();
    let access = token.access_token().secret().clone();
    let aud = claims_of(&access)["aud"].as_str().unwrap().to_string();
    let issuer = app.address.clone();

    let seen = validate(&issuer, &aud, &access).await;
    assert_eq!(
        seen,
        json!({"ok": true, "aud": aud, "sub": claims_of(&access)["sub"], "scope": "Contacts.Read"})
    );

    let other = format!("{issuer}/resources/assent");
    let seen = validate(&issuer, &other, &access).await;
    assert_eq!(seen["ok"], false);
    assert!(seen["error"].as_str().unwrap().contains("aud"), "{seen}");

    // What the issue saw: the same token without aud is refused whatever the audience.
    let mut claims = claims_of(&access);
    claims.as_object_mut().unwrap().remove("aud");
    let state = &app.state;
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
    let without = signer.sign(&claims).unwrap();
    let seen = validate(&issuer, &aud, &without).await;
    assert_eq!(seen["ok"], false);
    assert!(
        seen["error"]
            .as_str()
            .unwrap()
            .contains("\"aud\" (audience) claim missing"),
        "{seen}"
    );
}
