//! Load driver for the rows of `benches/run` that a stateless load generator (wrk) can not drive:
//! refresh-token rotation, where every request must carry the refresh token returned by the
//! previous answer. Each connection keeps one chain (one grant family) and runs it sequentially;
//! `--connections` chains run concurrently, like wrk's connections.
//!
//!   driver open --secret S                 ConsentToken values on stdin -> JSON lines of fields
//!   driver live  --addr A --appid ID --secret S --ps P --ru URL --chains FILE [load options]
//!   driver oauth --addr A --path /token --client-id ID --client-secret S --chains FILE [load options]
//!   load options: --duration SECS --warmup SECS --threads N --save FILE --timeout SECS
//!
//! `live` drives `GET /consent/refresh` (docs/protocol.md section 8): the new `reft` is inside the sealed
//! ConsentToken, so every answer is opened (AES-128-CBC under cryptKey). `oauth` drives
//! `POST <path>` with `grant_type=refresh_token` (RFC 6749 section 6), client_secret_basic.
//! The summary is one JSON object on stdout: requests, rps, p50/p99 latency, errors.
//!
//! Modules: `args` (options), `envelope` (the Live envelope, client side), `http` (a keep-alive
//! HTTP/1.1 client), `live` and `oauth` (the two rotations), `load` (the loop), `stats` (summary).

mod args;
mod envelope;
mod http;
mod live;
mod load;
mod oauth;
mod stats;

use std::io::{BufRead, Write};

use args::{die, Args};
use envelope::AppKeys;

/// `driver open`: each ConsentToken value on stdin, opened, as one JSON object of its fields.
fn open(args: &Args) {
    let keys = AppKeys::derive(&args.get("secret"));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.unwrap_or_else(|e| die(&format!("stdin: {e}")));
        if line.trim().is_empty() {
            continue;
        }
        let fields = keys.open_consent_token(&line).unwrap_or_else(|e| die(&e));
        let obj: serde_json::Map<String, serde_json::Value> = fields
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        writeln!(stdout, "{}", serde_json::Value::Object(obj)).expect("stdout");
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = argv.split_first() else {
        die("usage: driver open|live|oauth --option value ...")
    };
    let args = Args::parse(rest);
    match mode.as_str() {
        "open" => open(&args),
        "live" => load::load(live::Live::from_args(&args), &args),
        "oauth" => load::load(oauth::OAuth::from_args(&args), &args),
        other => die(&format!("unknown mode {other}")),
    }
}
