//! A stalled database (PostgreSQL behind a network path that stops forwarding) does not hang
//! requests: past the configured bounds the answer is a 503 with `Retry-After`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::TestApp;
use crate::website::Website;
use crate::wlogin::{consent, PASSWORD};

/// A TCP relay to `target` that forwards until `stalled` is set, then holds every byte, and drops
/// its connections once `closed` is set.
pub struct Relay {
    addr: String,
    pub stalled: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
}

impl Relay {
    fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stalled = Arc::new(AtomicBool::new(false));
        let closed = Arc::new(AtomicBool::new(false));
        let (s, c) = (stalled.clone(), closed.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(&target) else {
                    return;
                };
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let (s, c) = (s.clone(), c.clone());
                    std::thread::spawn(move || pipe(from, to, &s, &c));
                }
            }
        });
        Relay {
            addr,
            stalled,
            closed,
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, stalled: &AtomicBool, closed: &AtomicBool) {
    from.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 16 * 1024];
    while !closed.load(Ordering::SeqCst) {
        if stalled.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// The app with its database behind a relay, bounds of 1 s each; a signed-in user.
pub async fn stallable() -> Option<(TestApp, Relay)> {
    if !std::env::var("ASSENT_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        eprintln!("skipped: needs PostgreSQL (ASSENT_TEST_DATABASE_URL); .ci/run runs it");
        return None;
    }
    let mut relay = None;
    let app = TestApp::spawn_with(|c| {
        // postgres://user@HOST:PORT/db: the server reaches HOST:PORT through the relay.
        let url = c.database.url.clone();
        let (head, rest) = url.split_once('@').unwrap();
        let (target, db) = rest.split_once('/').unwrap();
        let r = Relay::start(target.to_string());
        c.database.url = format!("{head}@{}/{db}", r.addr);
        c.database.statement_timeout_ms = 1000;
        c.database.checkout_timeout_ms = 1000;
        relay = Some(r);
    })
    .await;
    app.create_user("ann@example.com", PASSWORD);
    assert_eq!(app.sign_in("ann@example.com", PASSWORD).await.status(), 303);
    Some((app, relay.unwrap()))
}

#[tokio::test]
async fn a_stalled_database_is_a_503_with_retry_after_within_the_configured_bounds() {
    let Some((app, relay)) = stallable().await else {
        return;
    };
    assert_eq!(app.get("/account/consents").await.status(), 200);

    relay.stalled.store(true, Ordering::SeqCst);
    // The session lookup of a signed-in page, the readiness probe, and a request that only waits
    // for a connection (the stalled ones are held): each is answered within the bounds.
    for path in ["/account/consents", "/readyz", "/account"] {
        let started = Instant::now();
        let r = tokio::time::timeout(Duration::from_secs(15), app.get(path))
            .await
            .unwrap_or_else(|_| panic!("{path}: no answer within 15 s"));
        let took = started.elapsed();
        assert_eq!(r.status(), 503, "{path}");
        assert!(r.headers().contains_key("retry-after"), "{path}");
        assert!(
            took < Duration::from_secs(4),
            "{path}: answered after {took:?}, bounds 1 s + 1 s"
        );
    }
}

/// A refresh answered 503 because the database stalled did not happen: once the database answers
/// again, the same refresh token still works (it was not rotated behind the client's back, which
/// would make the client's retry look like reuse and end the grant).
#[tokio::test]
async fn a_refresh_answered_503_during_a_stall_is_not_made_after_it() {
    let Some((app, relay)) = stallable().await else {
        return;
    };
    let site = Website::register(&app, "https://contoso.example/cb");
    let token = consent(&app, &site, "Profiles.Read").await;
    let reft = site.open(&token).get("reft").unwrap();

    relay.stalled.store(true, Ordering::SeqCst);
    let path = site.refresh_path("Profiles.Read", &reft);
    let r = tokio::time::timeout(Duration::from_secs(15), app.get(&path))
        .await
        .expect("answered within the bounds");
    assert_eq!(r.status(), 503);
    relay.stalled.store(false, Ordering::SeqCst);
    // Let the abandoned work get through the relay and end.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let r = app.get(&site.refresh_path("Profiles.Read", &reft)).await;
    let status = r.status();
    assert_eq!(
        status,
        200,
        "the client's retry: {}",
        r.text().await.unwrap()
    );
}
