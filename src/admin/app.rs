//! Applications: registration, listing, and secrets with rollover.

use serde::Serialize;

use super::AdminError;
use crate::crypto::{random_alphanumeric, ServerKey};
use crate::db::{self, Db};
use crate::domain::AppId;

/// `app create` output: the only time the secret is printed unasked.
#[derive(Debug, Serialize)]
pub struct CreatedApp {
    /// 16 upper-case hex digits.
    pub appid: String,
    /// The application secret; none for a public client, which never presents one (OAuth refuses
    /// a secret from it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
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

/// A secret as docs/protocol.md section 1 asks: ASCII, printable, at least 16 characters.
pub fn validate_secret(secret: &str) -> Result<(), AdminError> {
    if secret.len() < 16 || secret.len() > 256 || !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AdminError::Invalid(
            "a secret must be 16 to 256 printable ASCII characters without spaces".into(),
        ));
    }
    Ok(())
}

/// A return URL or privacy URL to register (the rule: [`crate::domain::return_url`]).
pub fn validate_url(url: &str) -> Result<(), AdminError> {
    crate::domain::return_url::check_registrable_url(url).map_err(AdminError::Invalid)
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
        Some(_) if public_client => {
            return Err(AdminError::Invalid(
                "a public client has no secret: leave out --secret or --public".into(),
            ))
        }
        Some(s) => {
            validate_secret(s)?;
            s.to_string()
        }
        // A public client's stored secret is random and never shown: it is never accepted.
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
        secret: (!public_client).then_some(secret),
    })
}

fn app_info(
    conn: &mut db::DbConnection,
    key: &ServerKey,
    app: db::application::Application,
    reveal: bool,
) -> Result<AppInfo, AdminError> {
    let return_urls = db::application::return_urls(conn, app.id)?;
    let secret = if reveal && !app.is_public {
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
/// sealing tokens, docs/protocol.md section 1) until then. `new_secret` None generates one.
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
        if app.is_public {
            return Err(AdminError::Invalid(format!(
                "{} is a public client: it has no secret",
                app.appid
            )));
        }
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
