//! The CLI is a contract: JSON on stdout for what it creates, errors on stderr with exit code 1.

use std::process::{Command, Stdio};

use crate::helpers::{cli as assent, cli_json as json, TestDb};

#[test]
fn migrate_runs_and_running_it_again_is_harmless() {
    let db = TestDb::new();
    assert_eq!(json(&assent(&db, &["migrate"], None))["migrated"], true);
    assert_eq!(json(&assent(&db, &["migrate"], None))["migrated"], true);
}

#[test]
fn user_create_prints_id_lid_and_email() {
    let db = TestDb::migrated();
    let v = json(&assent(
        &db,
        &[
            "user",
            "create",
            "--email",
            "Cli@Example.com",
            "--name",
            "Cli",
            "--password-stdin",
        ],
        Some("a password from stdin\n"),
    ));
    assert!(v["id"].is_i64());
    let lid = v["lid"].as_str().unwrap();
    assert_eq!(lid.len(), 16);
    assert!(lid
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(v["email"], "cli@example.com");
    // The same email again is an error on stderr with exit code 1 and nothing on stdout.
    let out = assent(
        &db,
        &[
            "user",
            "create",
            "--email",
            "cli@example.com",
            "--password-stdin",
        ],
        Some("x\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists"));
}

#[test]
fn app_create_list_show_and_secret_rollover() {
    let db = TestDb::migrated();
    let created = json(&assent(
        &db,
        &[
            "app",
            "create",
            "--name",
            "Contoso",
            "--return-url",
            "https://contoso.example/cb",
            "--return-url",
            "https://contoso.example/other",
            "--privacy-url",
            "https://contoso.example/privacy",
        ],
        None,
    ));
    let appid = created["appid"].as_str().unwrap().to_string();
    assert_eq!(appid.len(), 16);
    assert!(appid
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    let secret = created["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 32);
    assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()));

    let list = json(&assent(&db, &["app", "list"], None));
    assert_eq!(list[0]["appid"], appid.as_str());
    assert_eq!(list[0]["return_urls"][1], "https://contoso.example/other");
    assert!(
        !String::from_utf8_lossy(&assent(&db, &["app", "list"], None).stdout).contains(&secret)
    );

    let shown = json(&assent(&db, &["app", "show", &appid], None));
    assert!(shown.get("secret").is_none(), "no secret unless asked");
    let revealed = json(&assent(
        &db,
        &["app", "show", &appid, "--reveal-secret"],
        None,
    ));
    assert_eq!(revealed["secret"], secret.as_str());

    let given = "a-given-secret-of-enough-length";
    let set = json(&assent(
        &db,
        &[
            "app",
            "secret",
            "set",
            &appid,
            "--secret",
            given,
            "--keep-old-for",
            "7d",
        ],
        None,
    ));
    assert!(set.get("secret").is_none());
    assert!(set["old_secret_valid_until"].as_i64().unwrap() > 0);
    let revealed = json(&assent(
        &db,
        &["app", "show", &appid, "--reveal-secret"],
        None,
    ));
    assert_eq!(revealed["secret"], given);

    let regen = json(&assent(&db, &["app", "secret", "regenerate", &appid], None));
    let new_secret = regen["secret"].as_str().unwrap();
    assert_eq!(new_secret.len(), 32);
    assert!(regen["old_secret_valid_until"].is_null());

    let out = assent(&db, &["app", "show", "0123456789ABCDEF"], None);
    assert_eq!(out.status.code(), Some(1));
    let out = assent(
        &db,
        &[
            "app",
            "create",
            "--name",
            "Bad",
            "--return-url",
            "https://u@x.example/",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn rp_create_offer_add_and_keys_rotate() {
    let db = TestDb::migrated();
    let rp = json(&assent(
        &db,
        &[
            "rp",
            "create",
            "--name",
            "Contacts service",
            "--custom-types",
        ],
        None,
    ));
    let rp_id = rp["rp_id"].as_str().unwrap();
    assert!(rp["secret"].as_str().unwrap().len() >= 32);
    let offer = json(&assent(
        &db,
        &[
            "offer",
            "add",
            "--rp",
            rp_id,
            "--offer",
            "Contacts",
            "--action",
            "Read=Read your contacts",
            "--action",
            "Write=Change your contacts",
            "--action",
            "Full=Full access to your contacts",
            "--not-grantable",
            "Full",
        ],
        None,
    ));
    assert_eq!(offer["offer"], "Contacts");
    assert_eq!(offer["actions"][2]["grantable"], false);
    assert_eq!(offer["actions"][0]["grantable"], true);
    // Idempotent.
    assert!(assent(
        &db,
        &[
            "offer",
            "add",
            "--rp",
            rp_id,
            "--offer",
            "Contacts",
            "--action",
            "Read=Read"
        ],
        None
    )
    .status
    .success());
    // Another RP can not take the offer.
    let other = json(&assent(&db, &["rp", "create", "--name", "Other"], None));
    let out = assent(
        &db,
        &[
            "offer",
            "add",
            "--rp",
            other["rp_id"].as_str().unwrap(),
            "--offer",
            "Contacts",
            "--action",
            "Read=x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));

    let k1 = json(&assent(&db, &["keys", "rotate"], None));
    let k2 = json(&assent(&db, &["keys", "rotate"], None));
    assert_ne!(k1["kid"], k2["kid"]);
}

#[test]
fn no_app_command_prints_a_secret_unless_asked_to_reveal_it() {
    let db = TestDb::migrated();
    let created = json(&assent(
        &db,
        &[
            "app",
            "create",
            "--name",
            "Rollover",
            "--return-url",
            "https://rollover.example/cb",
        ],
        None,
    ));
    let appid = created["appid"].as_str().unwrap().to_string();
    let first = created["secret"].as_str().unwrap().to_string();
    let second = "the-second-secret-of-rollover";
    let stdout = |args: &[&str]| {
        let out = assent(&db, args, None);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let set = stdout(&[
        "app",
        "secret",
        "set",
        &appid,
        "--secret",
        second,
        "--keep-old-for",
        "1d",
    ]);
    for out in [
        set,
        stdout(&["app", "list"]),
        stdout(&["app", "show", &appid]),
    ] {
        assert!(!out.contains(&first), "the old secret leaked: {out}");
        assert!(!out.contains(second), "the new secret leaked: {out}");
    }
    let revealed = stdout(&["app", "show", &appid, "--reveal-secret"]);
    assert!(revealed.contains(second) && !revealed.contains(&first));
}

#[test]
fn no_command_but_serve_and_migrate_creates_a_database_where_there_is_none() {
    // Run as a user would, from a folder without a database and without --database-url.
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("catalogue.toml");
    std::fs::write(&catalogue, "").unwrap();
    let commands: &[&[&str]] = &[
        &[
            "user",
            "create",
            "--email",
            "a@example.com",
            "--password-stdin",
        ],
        &[
            "app",
            "create",
            "--name",
            "A",
            "--return-url",
            "https://a.example/cb",
        ],
        &["app", "list"],
        &["app", "show", "0016BFFD80013411"],
        &["app", "secret", "regenerate", "0016BFFD80013411"],
        &["rp", "create", "--name", "P"],
        &[
            "offer",
            "add",
            "--rp",
            "p",
            "--offer",
            "O",
            "--action",
            "Read=read",
        ],
        &["keys", "rotate"],
        &["catalogue", "apply", catalogue.to_str().unwrap()],
    ];
    let expected = dir.path().canonicalize().unwrap().join("assent.db");
    for args in commands {
        let out = Command::new(env!("CARGO_BIN_EXE_assent"))
            .args(*args)
            .current_dir(dir.path())
            .env_remove("ASSENT_CONFIG")
            .env_remove("ASSENT_DATABASE_URL")
            .env_remove("ASSENT_SERVER_KEY")
            .env_remove("ASSENT_SERVER_KEY_FILE")
            .env("ASSENT_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            stderr.contains(&format!("no Assent database at {}", expected.display()))
                && stderr.contains("assent migrate"),
            "{args:?}: {stderr}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{args:?} created a file");
    }
    // `migrate` creates it; then the same commands work.
    let out = Command::new(env!("CARGO_BIN_EXE_assent"))
        .arg("migrate")
        .current_dir(dir.path())
        .env_remove("ASSENT_CONFIG")
        .env_remove("ASSENT_DATABASE_URL")
        .env_remove("ASSENT_SERVER_KEY")
        .env_remove("ASSENT_SERVER_KEY_FILE")
        .env("ASSENT_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(expected.is_file());
}
