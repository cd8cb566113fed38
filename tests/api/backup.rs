//! `assent backup` under write load and `assent restore`: the copy is consistent, a restore is
//! refused while the database is in use or when the server key differs, and a restored database
//! serves the grants it held.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::dashboard::setup::{refresh_with, Setup};
use crate::helpers::{cli, cli_json, TestApp, TestDb};
use crate::website::Website;

/// Rotate the Live refresh chain starting at `reft` until `stop`; counts the rotations.
async fn rotate_until(
    app_address: String,
    site: Website,
    mut reft: String,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
) {
    let client = reqwest::Client::new();
    while !stop.load(Ordering::Relaxed) {
        let r = client
            .get(format!(
                "{app_address}{}",
                site.refresh_path("Contacts.Read", &reft)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "a refresh under backup failed");
        let body: serde_json::Value = r.json().await.unwrap();
        let opened = site.open(body["ConsentToken"].as_str().unwrap());
        reft = opened.get("reft").unwrap().to_string();
        done.fetch_add(1, Ordering::Relaxed);
    }
}

fn same_site(site: &Website) -> Website {
    Website {
        appid: site.appid.clone(),
        secret: site.secret.clone(),
        return_url: site.return_url.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_write_load_restores_with_its_grants() {
    let s = Setup::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assent-backup.db");
    let file_arg = file.to_str().unwrap();
    if s.app.db.is_postgres() {
        let out = cli(&s.app.db, &["backup", file_arg], None);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        assert!(!file.exists());
        return;
    }
    let kept = s.grant(&["Contacts.Read"]);

    // Write load: four refresh chains rotating while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for _ in 0..4 {
        let chain = s.grant(&["Contacts.Read"]);
        load.push(tokio::spawn(rotate_until(
            s.app.address.clone(),
            same_site(&s.site),
            chain.refresh_token.expose().to_string(),
            stop.clone(),
            done.clone(),
        )));
    }
    while done.load(Ordering::Relaxed) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let during = done.load(Ordering::Relaxed);
    let backed_up = tokio::task::block_in_place(|| cli(&s.app.db, &["backup", file_arg], None));
    let json = cli_json(&backed_up);
    assert_eq!(json["backup"], file_arg);
    assert!(json["bytes"].as_u64().unwrap() > 0);
    while done.load(Ordering::Relaxed) < during + 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A backup never overwrites.
    let again = cli(&s.app.db, &["backup", file_arg], None);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // Not over a database in use: the server holds it.
    let busy = cli(&s.app.db, &["restore", file_arg], None);
    assert!(!busy.status.success());
    assert!(
        String::from_utf8_lossy(&busy.stderr).contains("in use"),
        "{busy:?}"
    );

    // Into another installation: refused without the same server key, accepted with it.
    let target = TestDb::new();
    let target_path = target.sqlite_path().unwrap();
    std::fs::write(
        format!("{}.key", target_path.display()),
        hex::encode([7u8; 32]),
    )
    .unwrap();
    let wrong = cli(&target, &["restore", file_arg], None);
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("another server key"),
        "{wrong:?}"
    );
    assert!(!target_path.exists(), "a refused restore creates nothing");
    let source_key = format!("{}.key", s.app.db.sqlite_path().unwrap().display());
    std::fs::copy(&source_key, format!("{}.key", target_path.display())).unwrap();
    let restored = cli_json(&cli(&target, &["restore", file_arg], None));
    assert_eq!(restored["restored"], file_arg);
    // A damaged file is refused (and the restored database stays as it is).
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, b"not a database at all, only some bytes").unwrap();
    let bad = cli(&target, &["restore", damaged.to_str().unwrap()], None);
    assert!(!bad.status.success());

    // The restored installation serves the grant made before the backup.
    let app = TestApp::spawn_on(target, |_| {}).await;
    let (offer, _) = refresh_with(&app, &s.site, "Contacts.Read", kept.refresh_token.expose())
        .await
        .expect("the grant made before the backup refreshes on the restored database");
    assert!(offer.starts_with("Contacts.Read:"), "{offer}");
}
