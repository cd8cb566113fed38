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

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::Engine;
use hmac::Mac;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// `urlenc` of docs/protocol.md: every byte outside `A-Z a-z 0-9 . - _ ~`, upper-case hex.
const URLENC: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_').remove(b'~');

fn urlenc(s: &str) -> String {
    utf8_percent_encode(s, URLENC).to_string()
}

fn urldec(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn die(msg: &str) -> ! {
    eprintln!("driver: {msg}");
    std::process::exit(2)
}

// ---------------------------------------------------------------------------------------------
// The Live envelope, client side (docs/protocol.md sections 1 and 2).

struct AppKeys {
    sign: [u8; 16],
    crypt: [u8; 16],
}

impl AppKeys {
    fn derive(secret: &str) -> AppKeys {
        let k = |prefix: &str| {
            let d = Sha256::digest(format!("{prefix}{secret}").as_bytes());
            let mut out = [0u8; 16];
            out.copy_from_slice(&d[..16]);
            out
        };
        AppKeys {
            sign: k("SIGNATURE"),
            crypt: k("ENCRYPTION"),
        }
    }

    /// `appid=..&ts=..&sig=urlenc(b64(HMAC-SHA256(signKey, "appid=..&ts=..")))`.
    fn verifier(&self, appid: &str, ts: u64) -> String {
        let data = format!("appid={appid}&ts={ts}");
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.sign).expect("any key length");
        mac.update(data.as_bytes());
        let sig = b64().encode(mac.finalize().into_bytes());
        format!("{data}&sig={}", urlenc(&sig))
    }

    /// Open a ConsentToken value (`urlenc("eact=" + urlenc(b64(iv||ct)))`) into its fields.
    fn open_consent_token(&self, value: &str) -> Result<Vec<(String, String)>, String> {
        let once = urldec(value.trim());
        let sealed = once
            .strip_prefix("eact=")
            .ok_or_else(|| format!("no eact= prefix in {:.40}", once))?;
        let raw = b64()
            .decode(urldec(sealed).trim())
            .map_err(|e| format!("base64: {e}"))?;
        if raw.len() < 32 || raw.len() % 16 != 0 {
            return Err(format!("sealed token of {} bytes", raw.len()));
        }
        let (iv, ct) = raw.split_at(16);
        let mut buf = ct.to_vec();
        let plain = cbc::Decryptor::<aes::Aes128>::new(&self.crypt.into(), iv.into())
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map_err(|_| "bad padding (wrong secret?)".to_string())?;
        let text = std::str::from_utf8(plain).map_err(|_| "plaintext is not UTF-8".to_string())?;
        Ok(text
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), urldec(v)))
            .collect())
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 keep-alive client: enough for Assent (actix) and oidc-provider (koa).

struct Conn {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        Conn {
            addr: addr.to_string(),
            stream: None,
        }
    }

    async fn send(&mut self, request: &[u8]) -> std::io::Result<Response> {
        if self.stream.is_none() {
            let s = TcpStream::connect(&self.addr).await?;
            s.set_nodelay(true)?;
            self.stream = Some(BufReader::with_capacity(16 * 1024, s));
        }
        let result = self.exchange(request).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<Response> {
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        let s = self.stream.as_mut().expect("connected");
        s.get_mut().write_all(request).await?;
        let mut line = String::new();
        if s.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            if s.read_line(&mut line).await? == 0 {
                return Err(bad("eof in headers"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                s.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| bad("bad chunk size"))?;
                if size == 0 {
                    line.clear();
                    s.read_line(&mut line).await?;
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                s.read_exact(&mut body[start..]).await?;
                let mut crlf = [0u8; 2];
                s.read_exact(&mut crlf).await?;
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            s.read_exact(&mut body).await?;
        } else if status >= 200 && status != 204 && status != 304 {
            s.read_to_end(&mut body).await?;
            close = true;
        }
        if close {
            self.stream = None;
        }
        Ok(Response { status, body })
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments.

struct Args(HashMap<String, String>);

impl Args {
    fn parse(raw: &[String]) -> Args {
        let mut map = HashMap::new();
        let mut it = raw.iter();
        while let Some(k) = it.next() {
            let Some(name) = k.strip_prefix("--") else {
                die(&format!("unexpected argument {k}"))
            };
            let v = it
                .next()
                .unwrap_or_else(|| die(&format!("--{name} needs a value")));
            map.insert(name.to_string(), v.clone());
        }
        Args(map)
    }

    fn get(&self, k: &str) -> String {
        self.0
            .get(k)
            .cloned()
            .unwrap_or_else(|| die(&format!("--{k} is required")))
    }

    fn or(&self, k: &str, default: &str) -> String {
        self.0.get(k).cloned().unwrap_or_else(|| default.to_string())
    }

    fn num(&self, k: &str, default: f64) -> f64 {
        self.0.get(k).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| die(&format!("--{k} must be a number")))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The load loop.

/// How one chain builds its next request and reads the next token out of the answer.
trait Protocol: Send + Sync + 'static {
    fn request(&self, token: &str) -> Vec<u8>;
    /// The next token, or why the answer is not a success.
    fn next_token(&self, resp: &Response) -> Result<String, String>;
}

struct Live {
    host: String,
    prefix: String,
    suffix: String,
    keys: AppKeys,
}

impl Protocol for Live {
    fn request(&self, reft: &str) -> Vec<u8> {
        format!(
            "GET {}{}{} HTTP/1.1\r\nHost: {}\r\nUser-Agent: assent-bench\r\n\r\n",
            self.prefix,
            urlenc(reft),
            self.suffix,
            self.host
        )
        .into_bytes()
    }

    fn next_token(&self, resp: &Response) -> Result<String, String> {
        let body = std::str::from_utf8(&resp.body).map_err(|_| "non-UTF-8 body".to_string())?;
        if resp.status != 200 {
            return Err(format!("HTTP {}: {body:.200}", resp.status));
        }
        // The exact body the old SDKs match with a regular expression.
        let value = body
            .strip_prefix("{\"ConsentToken\":\"")
            .and_then(|b| b.strip_suffix("\"}"))
            .ok_or_else(|| format!("not exactly {{\"ConsentToken\":..}}: {body:.200}"))?;
        let fields = self.keys.open_consent_token(value)?;
        fields
            .into_iter()
            .find(|(k, _)| k == "reft")
            .map(|(_, v)| v)
            .ok_or_else(|| "no reft in the ConsentToken".to_string())
    }
}

struct OAuth {
    head: String,
}

impl Protocol for OAuth {
    fn request(&self, refresh_token: &str) -> Vec<u8> {
        let body = format!(
            "grant_type=refresh_token&refresh_token={}",
            urlenc(refresh_token)
        );
        format!("{}Content-Length: {}\r\n\r\n{body}", self.head, body.len()).into_bytes()
    }

    fn next_token(&self, resp: &Response) -> Result<String, String> {
        let body = String::from_utf8_lossy(&resp.body);
        if resp.status != 200 {
            return Err(format!("HTTP {}: {body:.200}", resp.status));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(|e| format!("JSON: {e}: {body:.200}"))?;
        v["refresh_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no refresh_token: {body:.200}"))
    }
}

#[derive(Default)]
struct ChainResult {
    latencies_us: Vec<u32>,
    ok: u64,
    status_errors: u64,
    socket_errors: u64,
    warmup_ok: u64,
    last_token: Option<String>,
    first_error: Option<String>,
}

async fn run_chain<P: Protocol>(
    proto: Arc<P>,
    addr: String,
    mut token: String,
    measure_from: Instant,
    stop_at: Instant,
    timeout: Duration,
    stopped: Arc<AtomicBool>,
) -> ChainResult {
    let mut conn = Conn::new(&addr);
    let mut out = ChainResult::default();
    while Instant::now() < stop_at && !stopped.load(Ordering::Relaxed) {
        let request = proto.request(&token);
        let started = Instant::now();
        let result = tokio::time::timeout(timeout, conn.send(&request)).await;
        let done = Instant::now();
        let measured = started >= measure_from && done <= stop_at;
        let outcome = match result {
            Err(_) => Err((true, "timeout".to_string())),
            Ok(Err(e)) => Err((true, format!("socket: {e}"))),
            Ok(Ok(resp)) => proto.next_token(&resp).map_err(|e| (false, e)),
        };
        match outcome {
            Ok(next) => {
                token = next;
                if measured {
                    out.ok += 1;
                    out.latencies_us
                        .push((done - started).as_micros().min(u32::MAX as u128) as u32);
                } else if started < measure_from {
                    out.warmup_ok += 1;
                }
            }
            Err((socket, why)) => {
                // A refresh token that may have been consumed can not be sent again (that is reuse
                // and revokes the family): this chain ends here.
                if socket {
                    out.socket_errors += 1;
                } else {
                    out.status_errors += 1;
                }
                out.first_error = Some(why);
                return out;
            }
        }
    }
    out.last_token = Some(token);
    out
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn load<P: Protocol>(proto: P, args: &Args) {
    let addr = args.get("addr");
    let chains: Vec<String> = std::fs::read_to_string(args.get("chains"))
        .unwrap_or_else(|e| die(&format!("can not read --chains: {e}")))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if chains.is_empty() {
        die("no chains in --chains");
    }
    let duration = Duration::from_secs_f64(args.num("duration", 10.0));
    let warmup = Duration::from_secs_f64(args.num("warmup", 2.0));
    let timeout = Duration::from_secs_f64(args.num("timeout", 10.0));
    let threads = args.num("threads", 1.0).max(1.0) as usize;
    let runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
    .unwrap_or_else(|e| die(&format!("runtime: {e}")));
    let proto = Arc::new(proto);
    let results: Vec<ChainResult> = runtime.block_on(async {
        let start = Instant::now();
        let measure_from = start + warmup;
        let stop_at = measure_from + duration;
        let stopped = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = chains
            .iter()
            .map(|t| {
                tokio::spawn(run_chain(
                    proto.clone(),
                    addr.clone(),
                    t.clone(),
                    measure_from,
                    stop_at,
                    timeout,
                    stopped.clone(),
                ))
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap_or_default());
        }
        out
    });
    let mut lat: Vec<u32> = results
        .iter()
        .flat_map(|r| r.latencies_us.iter().copied())
        .collect();
    lat.sort_unstable();
    let ok: u64 = results.iter().map(|r| r.ok).sum();
    let status_errors: u64 = results.iter().map(|r| r.status_errors).sum();
    let socket_errors: u64 = results.iter().map(|r| r.socket_errors).sum();
    let broken = results.iter().filter(|r| r.last_token.is_none()).count();
    let secs = duration.as_secs_f64();
    for (i, r) in results.iter().enumerate() {
        if let Some(e) = &r.first_error {
            eprintln!("driver: chain {i} ended: {e}");
        }
    }
    if let Some(path) = args.0.get("save") {
        let text: String = results
            .iter()
            .filter_map(|r| r.last_token.as_ref())
            .map(|t| format!("{t}\n"))
            .collect();
        std::fs::write(path, text).unwrap_or_else(|e| die(&format!("can not write --save: {e}")));
    }
    let summary = serde_json::json!({
        "requests": ok,
        "duration_s": secs,
        "rps": ok as f64 / secs,
        "p50_ms": percentile(&lat, 50.0),
        "p99_ms": percentile(&lat, 99.0),
        "status_errors": status_errors,
        "socket_errors": socket_errors,
        "errors": status_errors + socket_errors,
        "chains": chains.len(),
        "broken_chains": broken,
        "warmup_requests": results.iter().map(|r| r.warmup_ok).sum::<u64>(),
    });
    println!("{summary}");
}

fn host_of(addr: &str) -> String {
    addr.to_string()
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = argv.split_first() else {
        die("usage: driver open|live|oauth --option value ...")
    };
    let args = Args::parse(rest);
    match mode.as_str() {
        "open" => {
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
        "live" => {
            let keys = AppKeys::derive(&args.get("secret"));
            let appid = args.get("appid");
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock after 1970")
                .as_secs();
            // One verifier for the whole run: it stays valid for an hour.
            let verifier = keys.verifier(&appid, now);
            let path = args.or("path", "/consent/refresh");
            let proto = Live {
                host: host_of(&args.get("addr")),
                prefix: format!("{path}?ps={}&reft=", urlenc(&args.get("ps"))),
                suffix: format!("&ru={}&app={}", urlenc(&args.get("ru")), urlenc(&verifier)),
                keys,
            };
            load(proto, &args);
        }
        "oauth" => {
            let id = args.get("client-id");
            let secret = args.get("client-secret");
            // client_secret_basic: each part form-encoded first (RFC 6749 section 2.3.1).
            let basic = b64().encode(format!("{}:{}", urlenc(&id), urlenc(&secret)));
            let head = format!(
                "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: assent-bench\r\nAuthorization: Basic {basic}\r\n\
                 Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                args.or("path", "/oauth2/token"),
                host_of(&args.get("addr")),
            );
            load(OAuth { head }, &args);
        }
        other => die(&format!("unknown mode {other}")),
    }
}
