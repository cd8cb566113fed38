//! `driver oauth`: `POST <path>` with `grant_type=refresh_token` (RFC 6749 section 6),
//! client_secret_basic; the next token is the answer's `refresh_token`.

use base64::Engine;

use crate::args::Args;
use crate::envelope::{b64, urlenc};
use crate::http::Response;
use crate::load::Protocol;

pub struct OAuth {
    head: String,
}

impl OAuth {
    /// From `--addr --client-id --client-secret [--path]`.
    pub fn from_args(args: &Args) -> OAuth {
        let id = args.get("client-id");
        let secret = args.get("client-secret");
        // client_secret_basic: each part form-encoded first (RFC 6749 section 2.3.1).
        let basic = b64().encode(format!("{}:{}", urlenc(&id), urlenc(&secret)));
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: assent-bench\r\nAuthorization: Basic {basic}\r\n\
             Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            args.or("path", "/oauth2/token"),
            args.get("addr"),
        );
        OAuth { head }
    }
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
