//! `driver live`: `GET /consent/refresh` (docs/protocol.md section 8). The new `reft` is inside the
//! sealed ConsentToken of each answer, so every answer is opened (AES-128-CBC under cryptKey).

use crate::args::Args;
use crate::envelope::{urlenc, AppKeys};
use crate::http::Response;
use crate::load::Protocol;

pub struct Live {
    host: String,
    prefix: String,
    suffix: String,
    keys: AppKeys,
}

impl Live {
    /// From `--addr --appid --secret --ps --ru [--path]`.
    pub fn from_args(args: &Args) -> Live {
        let keys = AppKeys::derive(&args.get("secret"));
        let appid = args.get("appid");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        // One verifier for the whole run: it stays valid for an hour.
        let verifier = keys.verifier(&appid, now);
        let path = args.or("path", "/consent/refresh");
        Live {
            host: args.get("addr"),
            prefix: format!("{path}?ps={}&reft=", urlenc(&args.get("ps"))),
            suffix: format!("&ru={}&app={}", urlenc(&args.get("ru")), urlenc(&verifier)),
            keys,
        }
    }
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
