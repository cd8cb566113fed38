//! A headless Chromium driven over WebDriver: each test starts its own chromedriver on a free port,
//! waits until it answers, opens one session with a throw-away profile, and on drop ends the session
//! and kills the chromedriver it started (by its process group, which holds the browser too).
//!
//! Without chromium/chromedriver a test prints "skipped: chromium not installed" and returns, unless
//! CI is set: then missing binaries fail the test (a browser suite must never pass silently in CI).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const DRIVERS: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
const BROWSERS: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

/// A running chromedriver with one browser session.
pub struct Chrome {
    /// The WebDriver session.
    pub client: Client,
    port: u16,
    session: Option<String>,
    _process: ProcessGroup,
    _profile: tempfile::TempDir,
}

/// A process started in its own group; dropping it kills the whole group (chromedriver and the
/// browser it started), also when a test panics half-way.
struct ProcessGroup(Child);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// `$env` when set, else the first existing candidate.
fn binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One blocking HTTP/1.1 request to chromedriver (usable from `Drop`); returns the response.
fn raw_request(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    // chromedriver keeps the connection open: read the headers, then Content-Length bytes.
    let mut answer = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let Some(end) = text.find("\r\n\r\n") else {
            if n == 0 {
                return Ok(text);
            }
            continue;
        };
        let length = text[..end]
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if n == 0 || answer.len() >= end + 4 + length {
            return Ok(text);
        }
    }
}

impl Chrome {
    /// Start chromedriver and a headless browser, or `None` (after saying so) when they are not
    /// installed and CI is not set.
    pub async fn start() -> Option<Chrome> {
        Chrome::start_in_zone(None).await
    }

    /// The same with the browser's time zone `zone` (the `TZ` environment of chromedriver, which
    /// the browser it starts inherits), or the machine's with `None`.
    pub async fn start_in_zone(zone: Option<&str>) -> Option<Chrome> {
        let (Some(driver), Some(browser)) = (
            binary("CHROMEDRIVER", DRIVERS),
            binary("CHROME_BIN", BROWSERS),
        ) else {
            assert!(
                !ci(),
                "CI is set but chromium or chromedriver is missing: install the Debian packages \
                 chromium and chromium-driver (or set CHROME_BIN and CHROMEDRIVER)"
            );
            // Straight to stderr: the test harness would swallow `println!` of a passing test.
            let _ = writeln!(std::io::stderr(), "skipped: chromium not installed");
            return None;
        };
        let port = free_port();
        let mut command = Command::new(&driver);
        if let Some(zone) = zone {
            command.env("TZ", zone);
        }
        let process = ProcessGroup(
            command
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own process group, so that drop can end chromedriver and the browser it started.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("can not start {}: {e}", driver.display())),
        );
        let profile = tempfile::tempdir().unwrap();
        let mut chrome = Chrome {
            client: connect_when_ready(port, &browser, &profile).await,
            port,
            session: None,
            _process: process,
            _profile: profile,
        };
        chrome.session = chrome.client.session_id().await.unwrap();
        Some(chrome)
    }

    /// The text of the page's `<main>`.
    pub async fn main_text(&self) -> String {
        let main = self.client.find(fantoccini::Locator::Css("main")).await;
        main.unwrap().text().await.unwrap()
    }

    /// Run `script` (a function body) in the page and return its JSON result.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Wait until the current URL satisfies `ok` (10 s at most).
    pub async fn wait_for_url(&self, what: &str, ok: impl Fn(&url::Url) -> bool) -> url::Url {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.client.current_url().await.unwrap();
            if ok(&url) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {what}; still at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn connect_when_ready(
    port: u16,
    browser: &std::path::Path,
    profile: &tempfile::TempDir,
) -> Client {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !raw_request(port, "GET", "/status").is_ok_and(|r| r.contains("\"ready\":true")) {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        &format!("--user-data-dir={}", profile.path().display()),
    ];
    let caps: Capabilities = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": browser, "args": args },
    }))
    .unwrap();
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("no browser session from chromedriver: {e}"))
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // End the session (the browser exits); then `ProcessGroup` ends chromedriver.
        if let Some(session) = &self.session {
            let _ = raw_request(self.port, "DELETE", &format!("/session/{session}"));
        }
    }
}
