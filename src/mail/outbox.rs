//! The outbox transport: one `.eml` file per message in a private folder, named
//! `<nanoseconds since 1970, 20 digits>-<kind>-<random>.eml` so a plain sort is time order; and
//! reading them back for the demo's `/demo/outbox` page.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use base64::Engine as _;

/// A message read back from the outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxMessage {
    /// Its file name.
    pub file: String,
    /// `To:`.
    pub to: String,
    /// `Subject:`.
    pub subject: String,
    /// `Date:`.
    pub date: String,
    /// The decoded plain-text body.
    pub body: String,
    /// The body's lines.
    pub lines: Vec<String>,
}

/// Write the formatted message `bytes` as a new file in `dir` (created 0700 if missing; the file
/// is 0600 and never overwrites another).
pub fn write(dir: &Path, kind: &str, bytes: &[u8]) -> Result<(), super::MailError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let random = crate::crypto::random_alphanumeric(8)
        .map_err(|e| super::MailError::Build(e.to_string()))?;
    let path = dir.join(format!("{nanos:020}-{kind}-{random}.eml"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// The newest `max` messages of `dir`, newest first; a folder that does not exist yet is empty.
pub fn list(dir: &Path, max: usize) -> Result<Vec<OutboxMessage>, super::MailError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".eml"))
        .collect();
    names.sort_unstable_by(|a, b| b.cmp(a));
    names.truncate(max);
    let mut messages = Vec::with_capacity(names.len());
    for name in names {
        let bytes = std::fs::read(dir.join(&name))?;
        messages.push(parse(name, &String::from_utf8_lossy(&bytes)));
    }
    Ok(messages)
}

/// Headers and decoded body of one RFC 5322 message with a single text part (`file`: its name).
pub fn parse(file: String, text: &str) -> OutboxMessage {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    // Unfold continuation lines, then read "Name: value".
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        match (line.starts_with([' ', '\t']), headers.last_mut()) {
            (true, Some((_, value))) => value.push_str(line),
            _ => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
                }
            }
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = match header("content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        }
        _ => body.to_string(),
    };
    OutboxMessage {
        file,
        to: header("to"),
        subject: header("subject"),
        date: header("date"),
        lines: body.lines().map(str::to_string).collect(),
        body,
    }
}

/// RFC 2045 section 6.7: `=XX` is a byte, `=` at a line's end joins it to the next.
fn quoted_printable(body: &str) -> String {
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_bodies_and_folded_headers_read_back() {
        let m = parse(
            "f.eml".into(),
            "To: a@example.com\r\nSubject: Hello\r\n there\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\nZo=C3=AB, a lo=\r\nng line\r\n",
        );
        assert_eq!(m.subject, "Hello there");
        assert_eq!(m.body, "Zoë, a long line\n");
        assert_eq!(quoted_printable("x=zz="), "x=zz=");
    }
}
