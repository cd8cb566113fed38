//! Administrative operations behind the CLI (and self-service sign-up): each is one transaction and
//! returns what the CLI prints as JSON. Synchronous: call from a blocking thread.

use serde::Serialize;

use crate::crypto::password::PasswordHasher;
use crate::crypto::{random_alphanumeric, random_token, sha256_hex, ServerKey};
use crate::db::{self, Db, DbError};
use crate::domain::{AppId, Email, Lid};

/// Errors of administrative operations; the CLI prints them on stderr and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad input, with what is wrong.
    #[error("{0}")]
    Invalid(String),
    /// Something with that name exists already.
    #[error("{0}")]
    Conflict(String),
    /// Nothing with that name exists.
    #[error("{0}")]
    NotFound(String),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Anything else (crypto, randomness).
    #[error("{0}")]
    Internal(String),
}

impl From<diesel::result::Error> for AdminError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AdminError::Conflict(format!("already exists ({})", info.message()))
            }
            _ => AdminError::Db(DbError::Query(e)),
        }
    }
}

impl From<crate::crypto::RngError> for AdminError {
    fn from(e: crate::crypto::RngError) -> Self {
        AdminError::Internal(e.to_string())
    }
}

impl From<crate::crypto::ServerKeyError> for AdminError {
    fn from(e: crate::crypto::ServerKeyError) -> Self {
        AdminError::Internal(e.to_string())
    }
}

impl From<AdminError> for crate::error::AppError {
    fn from(e: AdminError) -> Self {
        use crate::error::AppError;
        match e {
            AdminError::Invalid(m) | AdminError::Conflict(m) => AppError::BadRequest(m),
            AdminError::NotFound(_) => AppError::NotFound,
            AdminError::Db(db) => db.into(),
            AdminError::Internal(m) => AppError::Internal(m),
        }
    }
}

/// `user create` output.
#[derive(Debug, Serialize)]
pub struct CreatedUser {
    /// Primary key.
    pub id: i64,
    /// Location id.
    pub lid: String,
    /// Email as stored.
    pub email: String,
}

/// Create a user with a fresh `lid` and an argon2id hash of `password`.
pub fn create_user(
    db: &Db,
    hasher: &PasswordHasher,
    email: &str,
    name: &str,
    password: &str,
    now: i64,
) -> Result<CreatedUser, AdminError> {
    let email = Email::parse(email).map_err(AdminError::Invalid)?;
    if password.is_empty() {
        return Err(AdminError::Invalid("the password is empty".into()));
    }
    let hash = hasher
        .hash(password)
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let id = crate::crypto::random_id()?;
    let lid = Lid::generate()?;
    let name = if name.trim().is_empty() {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        name.trim().to_string()
    };
    db.transaction_sync(|conn| {
        if db::user::find_by_email(conn, email.as_str())?.is_some() {
            return Err(AdminError::Conflict(format!(
                "a user with email {} exists already",
                email.as_str()
            )));
        }
        db::user::insert(
            conn,
            &db::user::NewUser {
                id,
                lid: lid.as_str(),
                email: email.as_str(),
                name: &name,
                password_hash: &hash,
                created_at: now,
                password_changed_at: now,
            },
        )?;
        Ok(())
    })?;
    Ok(CreatedUser {
        id,
        lid: lid.as_str().to_string(),
        email: email.as_str().to_string(),
    })
}

/// `app create` output: the only time the secret is printed unasked.
#[derive(Debug, Serialize)]
pub struct CreatedApp {
    /// 16 upper-case hex digits.
    pub appid: String,
    /// The application secret.
    pub secret: String,
}

/// One application as `app list` / `app show` print it.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// 16 upper-case hex digits.
    pub appid: String,
    /// Display name.
    pub name: String,
    /// Registered return URLs, default first.
    pub return_urls: Vec<String>,
    /// Privacy-policy URL.
    pub privacy_url: Option<String>,
    /// OAuth public client.
    pub public_client: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Until when a previous secret is still accepted (rollover), if any.
    pub old_secret_valid_until: Option<i64>,
    /// Only with `--reveal-secret`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// A secret as PROTOCOL.md section 1 asks: ASCII, printable, at least 16 characters.
pub fn validate_secret(secret: &str) -> Result<(), AdminError> {
    if secret.len() < 16 || secret.len() > 256 || !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AdminError::Invalid(
            "a secret must be 16 to 256 printable ASCII characters without spaces".into(),
        ));
    }
    Ok(())
}

/// A return URL or privacy URL to register: absolute http(s) with a host and no fragment. Stored
/// as given: requests must match it exactly.
pub fn validate_url(url: &str) -> Result<(), AdminError> {
    let parsed =
        url::Url::parse(url).map_err(|e| AdminError::Invalid(format!("invalid URL {url}: {e}")))?;
    let ok = matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some_and(|h| !h.is_empty())
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    if !ok {
        return Err(AdminError::Invalid(format!(
            "{url} is not an absolute http(s) URL with a host, without userinfo or fragment"
        )));
    }
    Ok(())
}

/// What `app create` asks for.
#[derive(Debug, Default)]
pub struct AppRegistration<'a> {
    /// Display name.
    pub name: &'a str,
    /// Return URLs, default first.
    pub return_urls: &'a [String],
    /// Privacy-policy URL.
    pub privacy_url: Option<&'a str>,
    /// A given secret; None generates 32 random alphanumerics.
    pub secret: Option<&'a str>,
    /// An OAuth public client.
    pub public_client: bool,
}

/// Register an application.
pub fn create_app(
    db: &Db,
    key: &ServerKey,
    reg: &AppRegistration<'_>,
    now: i64,
) -> Result<CreatedApp, AdminError> {
    let AppRegistration {
        name,
        return_urls,
        privacy_url,
        secret,
        public_client,
    } = *reg;
    if name.trim().is_empty() {
        return Err(AdminError::Invalid("the name is empty".into()));
    }
    if return_urls.is_empty() {
        return Err(AdminError::Invalid(
            "at least one --return-url is needed".into(),
        ));
    }
    for url in return_urls.iter().map(String::as_str).chain(privacy_url) {
        validate_url(url)?;
    }
    let secret = match secret {
        Some(s) => {
            validate_secret(s)?;
            s.to_string()
        }
        None => random_alphanumeric(32)?,
    };
    let sealed = key.seal("app-secret", secret.as_bytes())?;
    let appid = AppId::generate()?;
    let id = crate::crypto::random_id()?;
    db.transaction_sync(|conn| {
        db::application::insert(
            conn,
            &db::application::NewApplication {
                id,
                appid: appid.as_str(),
                name: name.trim(),
                secret_sealed: &sealed,
                privacy_url,
                is_public: public_client,
                created_at: now,
            },
            return_urls,
        )
        .map_err(AdminError::from)
    })?;
    Ok(CreatedApp {
        appid: appid.as_str().to_string(),
        secret,
    })
}

fn app_info(
    conn: &mut db::DbConnection,
    key: &ServerKey,
    app: db::application::Application,
    reveal: bool,
) -> Result<AppInfo, AdminError> {
    let return_urls = db::application::return_urls(conn, app.id)?;
    let secret = if reveal {
        let bytes = key.open("app-secret", &app.secret_sealed)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        None
    };
    Ok(AppInfo {
        appid: app.appid,
        name: app.name,
        return_urls,
        privacy_url: app.privacy_url,
        public_client: app.is_public,
        created_at: app.created_at,
        old_secret_valid_until: app.old_secret_sealed.and(app.old_secret_expires_at),
        secret,
    })
}

/// Every application (secrets never included).
pub fn list_apps(db: &Db, key: &ServerKey) -> Result<Vec<AppInfo>, AdminError> {
    db.run_sync(|conn| {
        db::application::list(conn)?
            .into_iter()
            .map(|app| app_info(conn, key, app, false))
            .collect()
    })
}

fn find_app(
    conn: &mut db::DbConnection,
    appid: &str,
) -> Result<db::application::Application, AdminError> {
    let id = AppId::parse(appid)
        .ok_or_else(|| AdminError::Invalid(format!("{appid} is not a 16-hex-digit app id")))?;
    db::application::find_by_appid(conn, id.as_str())?
        .ok_or_else(|| AdminError::NotFound(format!("no application {appid}")))
}

/// One application; the secret only when `reveal`.
pub fn show_app(
    db: &Db,
    key: &ServerKey,
    appid: &str,
    reveal: bool,
) -> Result<AppInfo, AdminError> {
    db.run_sync(|conn| {
        let app = find_app(conn, appid)?;
        app_info(conn, key, app, reveal)
    })
}

/// Result of a secret change.
#[derive(Debug, Serialize)]
pub struct SecretChanged {
    /// The application.
    pub appid: String,
    /// The new secret: printed only by `regenerate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Until when the previous secret stays valid.
    pub old_secret_valid_until: Option<i64>,
}

/// Replace an application's secret; with `keep_old_for_secs` the previous one stays valid (and keeps
/// sealing tokens, PROTOCOL.md section 1) until then. `new_secret` None generates one.
pub fn change_secret(
    db: &Db,
    key: &ServerKey,
    appid: &str,
    new_secret: Option<&str>,
    keep_old_for_secs: Option<i64>,
    now: i64,
) -> Result<SecretChanged, AdminError> {
    let (secret, generated) = match new_secret {
        Some(s) => {
            validate_secret(s)?;
            (s.to_string(), false)
        }
        None => (random_alphanumeric(32)?, true),
    };
    let sealed = key.seal("app-secret", secret.as_bytes())?;
    let valid_until = keep_old_for_secs.map(|d| now + d);
    let appid_out = db.transaction_sync(|conn| {
        let app = find_app(conn, appid)?;
        let old = valid_until.map(|t| (app.secret_sealed.as_str(), t));
        db::application::set_secret(conn, app.id, &sealed, old)?;
        Ok::<_, AdminError>(app.appid)
    })?;
    Ok(SecretChanged {
        appid: appid_out,
        secret: generated.then_some(secret),
        old_secret_valid_until: valid_until,
    })
}

/// `rp create` output.
#[derive(Debug, Serialize)]
pub struct CreatedProvider {
    /// The provider's public id (HTTP Basic user name).
    pub rp_id: String,
    /// Its secret (stored only as a hash; printed once).
    pub secret: String,
}

/// Register a resource provider.
pub fn create_provider(
    db: &Db,
    name: &str,
    custom_types: bool,
    now: i64,
) -> Result<CreatedProvider, AdminError> {
    if name.trim().is_empty() {
        return Err(AdminError::Invalid("the name is empty".into()));
    }
    let rp_id = format!("rp_{}", hex::encode(crate::crypto::random_bytes::<8>()?));
    let secret = random_token()?;
    let id = crate::crypto::random_id()?;
    db.transaction_sync(|conn| {
        db::provider::insert(
            conn,
            id,
            &rp_id,
            name.trim(),
            &sha256_hex(secret.as_bytes()),
            custom_types,
            now,
        )
        .map_err(AdminError::from)
    })?;
    Ok(CreatedProvider { rp_id, secret })
}

/// `offer add` output.
#[derive(Debug, Serialize)]
pub struct OfferAdded {
    /// The offer.
    pub offer: String,
    /// Its provider.
    pub rp_id: String,
    /// The actions written.
    pub actions: Vec<ActionInfo>,
}

/// One action of an offer.
#[derive(Debug, Serialize)]
pub struct ActionInfo {
    /// e.g. `Read`.
    pub action: String,
    /// Human description.
    pub description: String,
    /// Can a website obtain it?
    pub grantable: bool,
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && s.as_bytes()[0].is_ascii_alphabetic()
}

/// Add (or update) an offer's actions for a provider. Idempotent.
pub fn add_offer(
    db: &Db,
    rp_id: &str,
    offer: &str,
    actions: &[(String, String)],
    not_grantable: &[String],
) -> Result<OfferAdded, AdminError> {
    if !is_identifier(offer) {
        return Err(AdminError::Invalid(format!(
            "offer name {offer:?} must be letters, digits or _ and start with a letter"
        )));
    }
    for (action, _) in actions {
        if !is_identifier(action) {
            return Err(AdminError::Invalid(format!(
                "action name {action:?} is invalid"
            )));
        }
    }
    for ng in not_grantable {
        if !actions.iter().any(|(a, _)| a == ng) {
            return Err(AdminError::Invalid(format!(
                "--not-grantable {ng} names no --action"
            )));
        }
    }
    if actions.is_empty() {
        return Err(AdminError::Invalid(
            "at least one --action is needed".into(),
        ));
    }
    db.transaction_sync(|conn| {
        let rp = db::provider::find_by_rp_id(conn, rp_id)?
            .ok_or_else(|| AdminError::NotFound(format!("no resource provider {rp_id}")))?;
        let offer_id = match db::provider::find_offer(conn, offer)? {
            Some((id, owner)) if owner == rp.id => id,
            Some(_) => {
                return Err(AdminError::Conflict(format!(
                    "offer {offer} belongs to another resource provider"
                )))
            }
            None => db::provider::insert_offer(conn, rp.id, offer)?,
        };
        let mut written = Vec::new();
        for (action, description) in actions {
            let grantable = !not_grantable.contains(action);
            db::provider::upsert_action(conn, offer_id, action, description, grantable)?;
            written.push(ActionInfo {
                action: action.clone(),
                description: description.clone(),
                grantable,
            });
        }
        Ok(OfferAdded {
            offer: offer.to_string(),
            rp_id: rp.rp_id,
            actions: written,
        })
    })
}

/// Parse a duration such as `3600`, `90s`, `30m`, `12h`, `7d` into seconds.
pub fn parse_duration(text: &str) -> Result<i64, AdminError> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: i64 = digits.parse().map_err(|_| {
        AdminError::Invalid(format!("invalid duration {text:?} (e.g. 7d, 12h, 30m)"))
    })?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(AdminError::Invalid(format!(
                "invalid duration unit in {text:?} (s, m, h, d, w)"
            )))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| AdminError::Invalid("duration too large".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90").unwrap(), 90);
        assert_eq!(parse_duration("30m").unwrap(), 1800);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert!(parse_duration("7y").is_err());
        assert!(parse_duration("d").is_err());
    }

    #[test]
    fn a_return_url_with_userinfo_or_fragment_is_rejected_at_registration() {
        assert!(validate_url("https://site.example/cb").is_ok());
        assert!(validate_url("https://user@site.example/cb").is_err());
        assert!(validate_url("https://site.example/cb#x").is_err());
        assert!(validate_url("ftp://site.example/").is_err());
        assert!(validate_url("/relative").is_err());
    }

    #[test]
    fn short_secrets_are_rejected() {
        assert!(validate_secret("short").is_err());
        assert!(validate_secret("with a space 1234567").is_err());
        assert!(validate_secret("b623d64e8f1d18bfe8b281d385ad461c1e8bbebb").is_ok());
    }
}

/// `keys rotate` output.
#[derive(Debug, Serialize)]
pub struct RotatedKey {
    /// The new current key id.
    pub kid: String,
}

/// Make a new Ed25519 signing key current; older keys keep verifying until their tokens expire.
pub fn rotate_keys(db: &Db, key: &ServerKey, now: i64) -> Result<RotatedKey, AdminError> {
    db.transaction_sync(|conn| rotate_keys_in(conn, key, now))
}

/// [`rotate_keys`] on a connection (inside the caller's transaction).
pub fn rotate_keys_in(
    conn: &mut db::DbConnection,
    key: &ServerKey,
    now: i64,
) -> Result<RotatedKey, AdminError> {
    let (signing, pkcs8) = crate::crypto::jws::SigningKey::generate()
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let sealed = key.seal("signing-key", &pkcs8)?;
    let public = crate::crypto::b64url(signing.public_key());
    let kid = signing.kid().to_string();
    db::signing_key::rotate(conn, &kid, &public, &sealed, now)?;
    Ok(RotatedKey { kid })
}
