//! Logging never takes a request down: with stderr on a full disk (`/dev/full`), `assent serve`
//! still answers, and counts the log lines it had to drop.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_full_log_disk_drops_log_lines_not_requests() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The log can not say where it listens: pick the port here.
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, metrics_port) = (free_port(), free_port());
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_assent"))
            .arg("--database-url")
            .arg(format!("sqlite://{}/assent.db", dir.path().display()))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env_remove("ASSENT_CONFIG")
            .env_remove("ASSENT_SERVER_KEY")
            .env_remove("ASSENT_SERVER_KEY_FILE")
            .env("ASSENT_LOG", "info")
            .env("ASSENT_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(full))
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let healthz = loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            break r;
        }
        if let Some(status) = server.0.try_wait().unwrap() {
            panic!("the server exited ({status}) instead of answering");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(healthz.status(), 200);
    assert_eq!(healthz.text().await.unwrap(), "ok");
    let page = client.get(format!("{base}/signin")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form"));

    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let dropped = ready["log_writes_dropped"].as_u64().unwrap();
    assert!(
        dropped >= 3,
        "startup and the requests above logged, and none of it could be written: {ready}"
    );
    // The metrics say the same, and count on.
    let scrape = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counted: u64 = scrape
        .lines()
        .find_map(|l| l.strip_prefix("assent_log_writes_dropped_total "))
        .unwrap_or_else(|| panic!("no dropped-lines count in {scrape}"))
        .parse()
        .unwrap();
    assert!(counted >= dropped, "{counted} < {dropped}");
    assert!(server.0.try_wait().unwrap().is_none(), "still running");
}
