//! Ctrl-C (SIGINT) and SIGTERM stop `assent serve` gracefully: the request in flight when the
//! signal arrives still gets its answer, then the process exits with success.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// `assent serve` on a fresh SQLite database and a free port; its log lines arrive on the channel.
fn serve(dir: &std::path::Path) -> (Child, Receiver<String>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assent"))
        .arg("--database-url")
        .arg(format!("sqlite://{}/assent.db", dir.display()))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_remove("ASSENT_CONFIG")
        .env_remove("ASSENT_SERVER_KEY")
        .env_remove("ASSENT_SERVER_KEY_FILE")
        .env("ASSENT_LOG", "info")
        .env("ASSENT_METRICS_BIND", "127.0.0.1:0")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let listening = wait_for(&rx, "Assent listening");
    let addr = listening
        .split_whitespace()
        .find_map(|w| w.strip_prefix("addr="))
        .unwrap()
        .to_string();
    (child, rx, addr)
}

fn wait_for(rx: &Receiver<String>, needle: &str) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no log line with {needle:?}"));
        if line.contains(needle) {
            return line;
        }
    }
}

fn in_flight_request_finishes_after(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _log, addr) = serve(dir.path());
    // A request whose body is half sent: the handler is waiting for it when the signal arrives.
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = b"email=a%40example.com&password=x";
    let (first, rest) = body.split_at(10);
    write!(
        stream,
        "POST /signin HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(first).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Give the server time to act on the signal before the rest of the body arrives.
    std::thread::sleep(Duration::from_millis(700));

    stream.write_all(rest).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 "),
        "the request in flight got no answer after {signal}: {answer:?}"
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{signal}: exit {status:?}");
}

#[test]
fn ctrl_c_lets_the_request_in_flight_finish() {
    in_flight_request_finishes_after("-INT");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    in_flight_request_finishes_after("-TERM");
}
