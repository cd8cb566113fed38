//! A real SMTP listener for the tests: a TCP server on 127.0.0.1 that speaks enough of RFC 5321
//! (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and keeps every message it
//! accepted. Assent reaches it through lettre exactly as it would reach a mail relay.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`, each.
    pub to: Vec<String>,
    /// The message as sent after DATA (headers and body).
    pub data: String,
}

impl Received {
    /// The message decoded as Assent's own outbox reads it.
    pub fn message(&self) -> assent::mail::outbox::OutboxMessage {
        assent::mail::outbox::parse("smtp".into(), &self.data)
    }

    /// The first line of the body that starts with `prefix` (a link).
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.message()
            .lines
            .into_iter()
            .find(|l| l.starts_with(prefix))
    }
}

/// The listener and what it received.
pub struct SmtpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    /// Listen on a free port; each connection is served on its own task.
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, store.clone()));
            }
        });
        SmtpServer { port, received }
    }

    /// Every message so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Wait (at most 10 s) until `n` messages arrived, and return them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} message(s), got {:?}", self.received());
    }

    /// Wait (at most 10 s) for a message to `to`.
    pub async fn wait_for_mail_to(&self, to: &str) -> Received {
        for _ in 0..200 {
            if let Some(m) = self
                .received()
                .into_iter()
                .rev()
                .find(|m| m.to.iter().any(|t| t == to))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message to {to}: {:?}", self.received());
    }
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg.find('>').unwrap_or(arg.len());
    arg[start..end].to_string()
}

async fn serve(socket: tokio::net::TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &str| format!("{text}\r\n");
    if write
        .write_all(reply("220 localhost test ESMTP").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8".to_string(),
            "HELO" | "NOOP" => "250 OK".into(),
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                "250 OK".into()
            }
            "MAIL" => {
                from = address(command.split_once(':').map_or("", |(_, a)| a));
                "250 OK".into()
            }
            "RCPT" => {
                to.push(address(command.split_once(':').map_or("", |(_, a)| a)));
                "250 OK".into()
            }
            "DATA" => {
                if write
                    .write_all(reply("354 go ahead").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                store.lock().unwrap().push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 OK queued".into()
            }
            "QUIT" => {
                let _ = write.write_all(reply("221 bye").as_bytes()).await;
                return;
            }
            _ => "502 command not implemented".into(),
        };
        if write.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}
