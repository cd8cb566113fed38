//! Neither a link's token nor the SMTP password reaches the log, even at `debug`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::smtp::SmtpServer;
use super::{open_verify_link, page, post, PASSWORD};
use crate::helpers::{browser, csrf_in};

/// Kills the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn link_tokens_and_the_smtp_password_are_never_logged() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("assent.toml");
    std::fs::write(
        &config,
        format!(
            "[security]\npassword_memory_kib = 64\npassword_iterations = 1\n\
             [mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\n\
             smtp_tls = \"none\"\nsmtp_password = \"smtp-password-never-logged\"\n",
            smtp.port
        ),
    )
    .unwrap();
    let log_path = dir.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_assent"))
            .arg("--config")
            .arg(&config)
            .arg("--database-url")
            .arg(format!("sqlite://{}/assent.db", dir.path().display()))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env_remove("ASSENT_SERVER_KEY")
            .env_remove("ASSENT_SERVER_KEY_FILE")
            .env("ASSENT_LOG", "debug")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = browser();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let csrf = csrf_in(&page(&client, &format!("{base}/signup")).await.1).unwrap();
    let form = [
        ("name", "Lou"),
        ("email", "lou@example.com"),
        ("password", PASSWORD),
        ("csrf", csrf.as_str()),
    ];
    assert_eq!(
        post(&client, &format!("{base}/signup"), &form)
            .await
            .status(),
        200
    );
    let mail = smtp.wait_for_mail_to("lou@example.com").await;
    let link = mail.link(&format!("{base}/verify-email?token=")).unwrap();
    let token = link.split("token=").nth(1).unwrap().to_string();
    assert_eq!(open_verify_link(&browser(), &link).await.0, 200);

    // The log was written (the mail was logged as sent), and holds neither secret.
    let mut text = String::new();
    for _ in 0..50 {
        text = std::fs::read_to_string(&log_path).unwrap();
        if text.contains("mail sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text.contains("mail sent"), "{text}");
    assert!(!text.contains(&token), "a link token was logged");
    assert!(
        !text.contains("smtp-password-never-logged"),
        "the SMTP password was logged"
    );
}
