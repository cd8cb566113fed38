//! Password reset by an emailed link (issue 15 item 6): once, short-lived, ending every session
//! and device token; the same answer for an address without an account; limited.

use std::time::Duration;

use super::{app_with_smtp, device_token, me, normalized, page, post, sign_up, PASSWORD};
use crate::helpers::{browser, csrf_in, hidden_value, unescape_html, TestApp};

/// Ask for a reset link in a fresh browser; returns status and page.
pub(super) async fn forgot(app: &TestApp, email: &str) -> (u16, String) {
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
