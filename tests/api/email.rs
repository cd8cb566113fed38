//! Issue 15 items 6-8: verified addresses, a sign-up that does not tell who has an account,
//! password reset by an emailed link, and real delivery: every test here sends through a real
//! SMTP listener it starts (`email::smtp`), or through the default outbox folder.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{browser, csrf_in, hidden_value, unescape_html, TestApp};

mod smtp;
use smtp::SmtpServer;

const PASSWORD: &str = "a long enough password";

/// Assent sending through the test's SMTP listener (plain SMTP on 127.0.0.1).
async fn app_with_smtp(adjust: impl FnOnce(&mut assent::config::Config)) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let app = TestApp::spawn_with(|c| {
        c.mail.transport = assent::config::MailTransport::Smtp;
        c.mail.smtp_host = "127.0.0.1".into();
        c.mail.smtp_port = Some(port);
        c.mail.smtp_tls = assent::config::SmtpTls::None;
        c.mail.from = "Assent <no-reply@assent.test>".into();
        adjust(c);
    })
    .await;
    (app, smtp)
}

async fn page(client: &reqwest::Client, url: &str) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

/// Sign up in `client` (a fresh browser); returns the response.
async fn sign_up(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    sign_up_as(app, client, "Ada", email, password).await
}

async fn sign_up_as(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let (_, html) = page(client, &format!("{}/signup", app.address)).await;
    let csrf = csrf_in(&html).unwrap();
    let form = [
        ("name", name),
        ("email", email),
        ("password", password),
        ("csrf", csrf.as_str()),
        ("next", "/"),
    ];
    post(client, &format!("{}/signup", app.address), &form).await
}

/// A device token for `email` (`POST /tokens`), to read `/me` as an app does.
async fn device_token(app: &TestApp, email: &str, password: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/tokens", app.address))
        .json(&json!({"email": email, "password": password, "manufacturerId": "phone-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["token_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}/me", app.address))
        .header("X-Token", token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Open an emailed link in `client` and press its button (POST the form it shows).
async fn open_verify_link(client: &reqwest::Client, link: &str) -> (u16, String) {
    let (status, html) = page(client, link).await;
    if status != 200 {
        return (status, html);
    }
    let csrf = csrf_in(&html).unwrap();
    let token = hidden_value(&html, "token").unwrap();
    let action = format!(
        "{}/verify-email",
        link.split("/verify-email").next().unwrap()
    );
    let r = post(client, &action, &[("csrf", &csrf), ("token", &token)]).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The page with every per-browser value (anti-CSRF tokens) and the address taken out.
fn normalized(html: &str, address: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("name=\"csrf\" value=\"") {
        let start = at + "name=\"csrf\" value=\"".len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        rest = &rest[rest.find('"').unwrap()..];
    }
    out.push_str(rest);
    out.replace(address, "ADDRESS")
}

#[tokio::test]
async fn sign_up_mails_a_link_that_verifies_the_address_once() {
    let (app, smtp) = app_with_smtp(|_| {}).await;
    let client = browser();
    let r = sign_up(&app, &client, "Ada@Example.com", PASSWORD).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.cookies().all(|c| c.name() != "assent_session"),
        "a sign-up signs nobody in"
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Check your inbox") && html.contains("ada@example.com"),
        "{html}"
    );

    let mail = smtp.wait_for_mail_to("ada@example.com").await;
    assert_eq!(mail.from, "no-reply@assent.test");
    let message = mail.message();
    assert_eq!(message.subject, "Confirm your email address for Assent");
    let link = mail
        .link(&format!("{}/verify-email?token=", app.address))
        .expect("a link");
    // Only the token's hash is stored.
    let token = link.split("token=").nth(1).unwrap().to_string();
    let stored: Vec<String> = app
        .state
        .db
        .run_sync(|conn| {
            use assent::db::schema::email_tokens::dsl::*;
            use diesel::prelude::*;
            email_tokens
                .select(token_hash)
                .load(conn)
                .map_err(assent::db::DbError::from)
        })
        .unwrap();
    assert_eq!(stored, [assent::crypto::sha256_hex(token.as_bytes())]);

    // Until the link is opened, apps are told the address is not verified.
    let device = device_token(&app, "ada@example.com", PASSWORD).await;
    let (status, profile) = me(&app, &device).await;
    assert_eq!(status, 200);
    assert_eq!(profile["email"], "ada@example.com");
    assert_eq!(profile["email_verified"], false);

    // Opening the link shows a button; only the button verifies (link scanners do not).
    let (status, html) = page(&browser(), &link).await;
    assert_eq!(status, 200);
    assert!(html.contains("Confirm my address"));
    assert_eq!(me(&app, &device).await.1["email_verified"], false);
    let (status, html) = open_verify_link(&browser(), &link).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Email address verified"), "{html}");
    assert_eq!(me(&app, &device).await.1["email_verified"], true);

    // Once: the same link again is an expired link, and changes nothing.
    let (status, html) = open_verify_link(&browser(), &link).await;
    assert_eq!(status, 400);
    assert!(html.contains("expired"), "{html}");
    let csrf = csrf_in(&page(&client, &format!("{}/signin", app.address)).await.1).unwrap();
    let r = post(
        &client,
        &format!("{}/verify-email", app.address),
        &[("csrf", &csrf), ("token", &token)],
    )
    .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_verification_link_expires() {
    let (app, smtp) = app_with_smtp(|c| c.mail.verify_link_ttl_secs = 1).await;
    assert_eq!(
        sign_up(&app, &browser(), "late@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    let mail = smtp.wait_for_mail_to("late@example.com").await;
    assert!(mail.message().body.contains("within 1 second"));
    let link = mail
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, html) = page(&browser(), &link).await;
    assert_eq!(status, 400);
    assert!(html.contains("expired"));
    let device = device_token(&app, "late@example.com", PASSWORD).await;
    assert_eq!(me(&app, &device).await.1["email_verified"], false);
}

#[tokio::test]
async fn sign_up_with_a_taken_address_answers_the_same_and_mails_the_owner() {
    let (app, smtp) = app_with_smtp(|_| {}).await;
    app.create_user("owner@example.com", "the owner's password");

    let new = sign_up(&app, &browser(), "fresh@example.com", PASSWORD).await;
    let taken = sign_up(&app, &browser(), "owner@example.com", PASSWORD).await;
    assert_eq!(new.status(), taken.status());
    let cookie_names = |r: &reqwest::Response| {
        r.cookies()
            .map(|c| c.name().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(cookie_names(&new), cookie_names(&taken));
    let (new, taken) = (new.text().await.unwrap(), taken.text().await.unwrap());
    assert_eq!(
        normalized(&new, "fresh@example.com"),
        normalized(&taken, "owner@example.com"),
        "the page does not tell a taken address from a new one"
    );
    assert!(!taken.contains("already"), "{taken}");

    let to_owner = smtp.wait_for_mail_to("owner@example.com").await;
    let message = to_owner.message();
    assert_eq!(
        message.subject,
        "Someone tried to sign up with your address"
    );
    assert!(message
        .body
        .contains(&format!("{}/forgot-password", app.address)));
    assert!(to_owner
        .link(&format!("{}/verify-email", app.address))
        .is_none());
    smtp.wait_for_mail_to("fresh@example.com").await;

    // Nothing changed for the owner: the old password signs in, the one typed at sign-up not.
    assert_eq!(
        app.sign_in("owner@example.com", PASSWORD).await.status(),
        401
    );
    assert_eq!(
        app.sign_in("owner@example.com", "the owner's password")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_new_verification_link_can_be_asked_for() {
    let (app, smtp) = app_with_smtp(|_| {}).await;
    assert_eq!(
        sign_up(&app, &browser(), "again@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    smtp.wait_for(1).await;

    // Signed in, the account page says the address is not verified and offers a new link.
    assert_eq!(
        app.sign_in("again@example.com", PASSWORD).await.status(),
        303
    );
    let (status, account) = page(&app.client, &format!("{}/account", app.address)).await;
    assert_eq!(status, 200);
    assert!(account.contains("Not verified"), "{account}");
    let csrf = csrf_in(&account).unwrap();
    let r = post(
        &app.client,
        &format!("{}/verify-email/resend", app.address),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("We sent a new link to"));
    let mails = smtp.wait_for(2).await;
    let link = mails[1]
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    assert_ne!(
        Some(&link),
        mails[0]
            .link(&format!("{}/verify-email?token=", app.address))
            .as_ref()
    );
    let (status, _) = open_verify_link(&app.client, &link).await;
    assert_eq!(status, 200);
    let (_, account) = page(&app.client, &format!("{}/account", app.address)).await;
    assert!(account.contains("Verified") && !account.contains("Not verified"));
    // The first link went with the verification.
    let first = mails[0]
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    assert_eq!(page(&browser(), &first).await.0, 400);

    // Not signed in: the same page for an unknown and a verified address, and no mail.
    for address in ["nobody@example.com", "again@example.com"] {
        let b = browser();
        let csrf = csrf_in(&page(&b, &format!("{}/signin", app.address)).await.1).unwrap();
        let r = post(
            &b,
            &format!("{}/verify-email/resend", app.address),
            &[("csrf", &csrf), ("email", address)],
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 2);
}

/// Ask for a reset link in a fresh browser; returns status and page.
async fn forgot(app: &TestApp, email: &str) -> (u16, String) {
    let b = browser();
    let csrf = csrf_in(
        &page(&b, &format!("{}/forgot-password", app.address))
            .await
            .1,
    )
    .unwrap();
    let r = post(
        &b,
        &format!("{}/forgot-password", app.address),
        &[("csrf", &csrf), ("email", email)],
    )
    .await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Set `new` with the reset `link` in `client`.
async fn reset_with(client: &reqwest::Client, link: &str, new: &str) -> reqwest::Response {
    let (status, html) = page(client, link).await;
    assert_eq!(status, 200, "{html}");
    let csrf = csrf_in(&html).unwrap();
    let token = hidden_value(&html, "token").unwrap();
    let action = link.split('?').next().unwrap();
    let form = [
        ("csrf", csrf.as_str()),
        ("token", &token),
        ("new_password", new),
        ("confirm_password", new),
    ];
    post(client, action, &form).await
}

#[tokio::test]
async fn a_password_reset_link_works_once_and_ends_every_session_and_device_token() {
    let (app, smtp) = app_with_smtp(|_| {}).await;
    app.create_user("rita@example.com", "the old password");
    assert_eq!(
        app.sign_in("rita@example.com", "the old password")
            .await
            .status(),
        303
    );
    let device = device_token(&app, "rita@example.com", "the old password").await;
    assert_eq!(me(&app, &device).await.0, 200);

    let (status, html) = forgot(&app, "Rita@Example.com").await;
    assert_eq!(status, 200);
    assert!(html.contains("Check your inbox"));
    let mail = smtp.wait_for_mail_to("rita@example.com").await;
    assert_eq!(mail.message().subject, "Reset your Assent password");
    let link = mail
        .link(&format!("{}/reset-password?token=", app.address))
        .unwrap();

    // A mismatch shows the form again and uses nothing.
    let b = browser();
    let (_, html) = page(&b, &link).await;
    let form = [
        ("csrf", csrf_in(&html).unwrap()),
        ("token", hidden_value(&html, "token").unwrap()),
        ("new_password", "the new password".to_string()),
        ("confirm_password", "another password".to_string()),
    ];
    let r = b
        .post(format!("{}/reset-password", app.address))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("not the same"));

    let r = reset_with(&b, &link, "the new password").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/reset-password/done");
    // This browser is signed in afresh; the other session and the device token ended.
    let (status, done) = page(&b, &format!("{}/reset-password/done", app.address)).await;
    assert_eq!(status, 200);
    assert!(
        unescape_html(&done).contains("signed in as <strong class=\"addr\">rita@example.com"),
        "{done}"
    );
    assert_eq!(page(&b, &format!("{}/account", app.address)).await.0, 200);
    assert_eq!(
        page(&app.client, &format!("{}/account", app.address))
            .await
            .0,
        303
    );
    assert_eq!(me(&app, &device).await.0, 401);
    // The old password stops working, the new one works.
    assert_eq!(
        app.sign_in("rita@example.com", "the old password")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in("rita@example.com", "the new password")
            .await
            .status(),
        303
    );

    // Once: the link now shows the expired page, and its form can not be posted again.
    assert_eq!(page(&browser(), &link).await.0, 400);
    let c = browser();
    let csrf = csrf_in(
        &page(&c, &format!("{}/forgot-password", app.address))
            .await
            .1,
    )
    .unwrap();
    let replay = [
        ("csrf", csrf.as_str()),
        ("token", form[1].1.as_str()),
        ("new_password", "an attacker's password"),
        ("confirm_password", "an attacker's password"),
    ];
    let r = c
        .post(format!("{}/reset-password", app.address))
        .form(&replay)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("expired"));
    assert_eq!(
        app.sign_in("rita@example.com", "the new password")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_reset_link_expires_and_a_reset_verifies_the_address() {
    let (app, smtp) = app_with_smtp(|c| c.mail.reset_link_ttl_secs = 1).await;
    assert_eq!(
        sign_up(&app, &browser(), "sam@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    smtp.wait_for(1).await;
    forgot(&app, "sam@example.com").await;
    let mail = smtp.wait_for(2).await.pop().unwrap();
    let link = mail
        .link(&format!("{}/reset-password?token=", app.address))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(page(&browser(), &link).await.0, 400);
    assert_eq!(app.sign_in("sam@example.com", PASSWORD).await.status(), 303);

    // A link used in time proves the address too.
    let (app, smtp) = app_with_smtp(|_| {}).await;
    assert_eq!(
        sign_up(&app, &browser(), "sam@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    smtp.wait_for(1).await;
    forgot(&app, "sam@example.com").await;
    let mail = smtp.wait_for(2).await.pop().unwrap();
    let link = mail
        .link(&format!("{}/reset-password?token=", app.address))
        .unwrap();
    assert_eq!(
        reset_with(&browser(), &link, "a new long password")
            .await
            .status(),
        303
    );
    let device = device_token(&app, "sam@example.com", "a new long password").await;
    assert_eq!(me(&app, &device).await.1["email_verified"], true);
}

#[tokio::test]
async fn forgot_password_for_an_unknown_address_answers_the_same_and_sends_nothing() {
    let (app, smtp) = app_with_smtp(|_| {}).await;
    app.create_user("known@example.com", PASSWORD);
    let (known_status, known) = forgot(&app, "known@example.com").await;
    let (unknown_status, unknown) = forgot(&app, "unknown@example.com").await;
    assert_eq!(known_status, unknown_status);
    assert_eq!(
        normalized(&known, "known@example.com"),
        normalized(&unknown, "unknown@example.com")
    );
    smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].to, ["known@example.com"]);
}

#[tokio::test]
async fn mail_requests_are_limited_per_client_address_and_per_recipient() {
    let (app, smtp) = app_with_smtp(|c| {
        c.mail.max_requests_per_ip = 3;
        c.mail.max_per_address = 1;
    })
    .await;
    app.create_user("limited@example.com", PASSWORD);
    // Past the recipient's share: the same page, no second mail.
    assert_eq!(forgot(&app, "limited@example.com").await.0, 200);
    assert_eq!(forgot(&app, "limited@example.com").await.0, 200);
    assert_eq!(forgot(&app, "other@example.com").await.0, 200);
    // Past the client's: 429.
    assert_eq!(forgot(&app, "third@example.com").await.0, 429);
    smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn a_mail_server_that_is_down_does_not_fail_the_page() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(|c| {
        c.mail.transport = assent::config::MailTransport::Smtp;
        c.mail.smtp_host = "127.0.0.1".into();
        c.mail.smtp_port = Some(port);
        c.mail.smtp_tls = assent::config::SmtpTls::None;
    })
    .await;
    let r = sign_up(&app, &browser(), "down@example.com", PASSWORD).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Check your inbox"));
    assert_eq!(forgot(&app, "down@example.com").await.0, 200);
}

#[tokio::test]
async fn the_default_outbox_gets_a_private_file_and_the_demo_shows_it() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn_with(|c| c.server.demo = true).await;
    let dir = app.state.email.mailer().outbox_dir().unwrap().to_path_buf();
    if let Some(db) = app.db.sqlite_path() {
        assert_eq!(
            dir,
            std::path::PathBuf::from(format!("{}.outbox", db.display()))
        );
    }
    assert_eq!(
        sign_up_as(
            &app,
            &browser(),
            "<script>x()</script>",
            "outbox@example.com",
            PASSWORD
        )
        .await
        .status(),
        200
    );
    let mut files = Vec::new();
    for _ in 0..100 {
        files = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        if !files.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("To: outbox@example.com"), "{text}");

    // The demo's outbox page shows it, with its link to click, escaped.
    let (status, html) = page(&browser(), &format!("{}/demo/outbox", app.address)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Confirm your email address for Assent"),
        "{html}"
    );
    assert!(
        html.contains("Hello &lt;script&gt;x()&lt;&#x2F;script&gt;,"),
        "{html}"
    );
    assert!(!html.contains("<script>x()"), "the name is escaped");
    let link = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .map(unescape_html)
        .find(|href| href.starts_with(&format!("{}/verify-email?token=", app.address)))
        .expect("the link is clickable");
    let (status, _) = open_verify_link(&browser(), &link).await;
    assert_eq!(status, 200);
    let (_, demo) = page(&browser(), &format!("{}/demo", app.address)).await;
    assert!(demo.contains("href=\"/demo/outbox\""));

    // Without demo mode there is no outbox page.
    let plain = TestApp::spawn().await;
    assert_eq!(
        page(&browser(), &format!("{}/demo/outbox", plain.address))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn parallel_uses_of_one_reset_link_set_one_password() {
    let (app, smtp) = app_with_smtp(|_| {}).await;
    app.create_user("race@example.com", PASSWORD);
    forgot(&app, "race@example.com").await;
    let mail = smtp.wait_for_mail_to("race@example.com").await;
    let link = mail
        .link(&format!("{}/reset-password?token=", app.address))
        .unwrap();
    // Three browsers open the link, then all submit at once, each with its own new password.
    let mut forms = Vec::new();
    for n in 0..3 {
        let b = browser();
        let (_, html) = page(&b, &link).await;
        let new = format!("new password number {n}");
        let form = vec![
            ("csrf".to_string(), csrf_in(&html).unwrap()),
            ("token".to_string(), hidden_value(&html, "token").unwrap()),
            ("new_password".to_string(), new.clone()),
            ("confirm_password".to_string(), new.clone()),
        ];
        forms.push((b, form, new));
    }
    let url = format!("{}/reset-password", app.address);
    let mut set = tokio::task::JoinSet::new();
    for (b, form, _) in &forms {
        let (b, form, url) = (b.clone(), form.clone(), url.clone());
        set.spawn(async move {
            b.post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let answers = set.join_all().await;
    assert_eq!(
        answers.iter().filter(|s| **s == 303).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 400).count(),
        2,
        "{answers:?}"
    );
    let mut working = 0;
    for (_, _, new) in &forms {
        if app.sign_in("race@example.com", new).await.status() == 303 {
            working += 1;
        }
    }
    assert_eq!(working, 1);
}

#[tokio::test]
async fn the_mail_limits_hold_across_instances_on_postgres() {
    let (app, smtp) = app_with_smtp(|c| c.mail.max_per_address = 1).await;
    if !app.db.is_postgres() {
        // With SQLite one process serves the database and counts in memory.
        return;
    }
    let second = assent::startup::Application::build(app.config.clone())
        .await
        .expect("a second instance on the same database");
    let second_address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    app.create_user("shared@example.com", PASSWORD);

    assert_eq!(forgot(&app, "shared@example.com").await.0, 200);
    smtp.wait_for(1).await;
    // The second instance counts the same recipient: the same page, and no second mail.
    let b = browser();
    let csrf = csrf_in(
        &page(&b, &format!("{second_address}/forgot-password"))
            .await
            .1,
    )
    .unwrap();
    let form = [("csrf", csrf.as_str()), ("email", "shared@example.com")];
    let r = post(&b, &format!("{second_address}/forgot-password"), &form).await;
    assert_eq!(r.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1);
}
