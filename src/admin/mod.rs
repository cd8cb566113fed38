//! Administrative operations behind the CLI (and self-service sign-up): each is one transaction and
//! returns what the CLI prints as JSON. Synchronous: call from a blocking thread.

use serde::Serialize;

mod app;
pub mod backup;
pub mod bench_seed;
pub mod catalogue;
pub use app::*;

use crate::crypto::password::PasswordHasher;
use crate::crypto::{random_token, ServerKey};
use crate::db::{self, Db, DbError};
use crate::domain::{Email, Lid};

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

/// Create a user with a fresh `lid` and an argon2id hash of `password`, its address verified
/// (an operator's `user create`, the demo user; a sign-up verifies by an emailed link instead).
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
                // The operator vouches for the address (sign-up verifies by an emailed link).
                email_verified_at: Some(now),
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
            &crate::crypto::TokenHash::of(&secret),
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
    let kid = crate::tokens::keys::new_signing_key(conn, key, now).map_err(|e| match e {
        crate::tokens::TokenError::Db(db) => AdminError::Db(db),
        crate::tokens::TokenError::Query(q) => AdminError::Db(DbError::Query(q)),
        other => AdminError::Internal(other.to_string()),
    })?;
    Ok(RotatedKey { kid })
}
