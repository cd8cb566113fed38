//! Client authentication for the token, revocation and introspection endpoints. Confidential
//! clients present the application secret (HTTP Basic or form); it is compared as SHA-256 digests
//! in constant time (a fast hash: the secret is random, unlike a password). Public clients have none.

use base64::Engine;

use crate::crypto::{ct_eq, sha256_hex, ServerKey};
use crate::db::{self, application::Application, DbConnection};

/// `(user, password)` of an `Authorization: Basic` header value, as sent (no further decoding).
pub fn basic_raw(header: Option<&str>) -> Option<(String, String)> {
    let (scheme, encoded) = header?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// `(client_id, client_secret)` from `Authorization: Basic`, each form-decoded (RFC 6749 2.3.1).
pub fn basic(header: Option<&str>) -> Option<(String, String)> {
    let (id, secret) = basic_raw(header)?;
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((dec(&id)?, dec(&secret)?))
}

/// The application whose credentials these are, if they are right (current secret, or the old one
/// during a rollover).
pub fn authenticate(
    conn: &mut DbConnection,
    key: &ServerKey,
    client_id: &str,
    secret: Option<&str>,
    now: i64,
) -> diesel::QueryResult<Option<Application>> {
    Ok(db::application::find_by_appid(conn, client_id)?
        .filter(|app| credentials_match(key, app, secret, now)))
}

/// Are `secret` the credentials of `app`: none for a public client, else its current secret or,
/// during a rollover, the old one.
pub fn credentials_match(
    key: &ServerKey,
    app: &Application,
    secret: Option<&str>,
    now: i64,
) -> bool {
    let secret = secret.filter(|s| !s.is_empty());
    if app.is_public {
        return secret.is_none();
    }
    let Some(given) = secret else {
        return false;
    };
    let given = sha256_hex(given.as_bytes());
    let matches = |sealed: &str| {
        key.open("app-secret", sealed)
            .is_ok_and(|s| ct_eq(sha256_hex(&s).as_bytes(), given.as_bytes()))
    };
    let old_ok = match (&app.old_secret_sealed, app.old_secret_expires_at) {
        (Some(old), Some(until)) if now < until => matches(old),
        _ => false,
    };
    matches(&app.secret_sealed) || old_ok
}
