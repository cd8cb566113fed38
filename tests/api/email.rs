//! Issue 15 items 6-8: verified addresses, a sign-up that does not tell who has an account,
//! password reset by an emailed link, and real delivery: every test here sends through a real
//! SMTP listener it starts (`email::smtp`), or through the default outbox folder.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{browser, csrf_in, hidden_value, unescape_html, TestApp};

mod reset;
mod secrets;
mod smtp;
use reset::forgot;
use smtp::SmtpServer;

pub(super) const PASSWORD: &str = "a long enough password";

/// Assent sending through the test's SMTP listener (plain SMTP on 127.0.0.1).
pub(super) async fn app_with_smtp(
    adjust: impl FnOnce(&mut assent::config::Config),
) -> (TestApp, SmtpServer) {
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

pub(super) async fn page(client: &reqwest::Client, url: &str) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub(super) async fn post(
    client: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

/// Sign up in `client` (a fresh browser); returns the response.
pub(super) async fn sign_up(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    sign_up_as(app, client, "Ada", email, password).await
}

pub(super) async fn sign_up_as(
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
pub(super) async fn device_token(app: &TestApp, email: &str, password: &str) -> String {
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

pub(super) async fn me(app: &TestApp, token: &str) -> (u16, Value) {
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
pub(super) async fn open_verify_link(client: &reqwest::Client, link: &str) -> (u16, String) {
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
pub(super) fn normalized(html: &str, address: &str) -> String {
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

    // The demo user is seeded verified.
    let demo = device_token(&app, assent::demo::DEMO_EMAIL, assent::demo::DEMO_PASSWORD).await;
    assert_eq!(me(&app, &demo).await.1["email_verified"], true);

    // Without demo mode there is no outbox page.
    let plain = TestApp::spawn().await;
    assert_eq!(
        page(&browser(), &format!("{}/demo/outbox", plain.address))
            .await
            .0,
        404
    );
}
