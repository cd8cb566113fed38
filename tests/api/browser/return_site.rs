//! The website's return URL for browser tests: a tiny HTTP server on a free local port that records
//! every form the browser POSTs to it (the response page's auto-submitted ConsentToken) and answers
//! with a plain page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Contoso</title></head>\
                    <body><h1 id=\"received\">Received</h1></body></html>";

/// The running website.
pub struct ReturnSite {
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    posts: Arc<Mutex<Vec<(String, String)>>>,
    stop: Arc<AtomicBool>,
}

impl ReturnSite {
    /// Listen on a free port, in a thread.
    pub fn start() -> ReturnSite {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let posts = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (posts.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    if let Some(post) = serve(stream) {
                        seen.lock().unwrap().push(post);
                    }
                }
            }
        });
        ReturnSite {
            origin,
            posts,
            stop,
        }
    }

    /// The first form POSTed to `path`, decoded, waiting up to 10 s for it.
    pub async fn form_posted_to(&self, path: &str) -> Vec<(String, String)> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self
                .posts
                .lock()
                .unwrap()
                .iter()
                .find(|(p, _)| p == path)
                .cloned();
            if let Some((_, body)) = found {
                return url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
            }
            assert!(Instant::now() < deadline, "nothing was posted to {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Answer one request (one per connection); `Some((path, body))` for a POST.
fn serve(mut stream: TcpStream) -> Option<(String, String)> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{PAGE}",
        PAGE.len()
    );
    stream.write_all(answer.as_bytes()).ok()?;
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next()?, parts.next()?);
    (method == "POST").then(|| {
        (
            path.to_string(),
            String::from_utf8_lossy(&body).into_owned(),
        )
    })
}

impl Drop for ReturnSite {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
    }
}
