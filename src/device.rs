//! Device tokens for rich clients (docs/protocol.md section 10.2): a
//! phone or desktop app signs in once with email, password and its `manufacturerId`, keeps the
//! returned UUID and sends it as `X-Token`.
//!
//! The UUID exists in clear only in the 201 response; storage keeps its SHA-256, so a database leak
//! yields no usable token, and lookups compare hashes. Sign-in costs one argon2 verification
//! whether or not the email is known, and the chassis's sign-in failure limiter applies. Every
//! change of state (device, old tokens, new token) happens in ONE transaction. No actix here.

mod request;

use serde::Serialize;

pub use request::TokenRequest;

use crate::config::DeviceTokenPolicy;
use crate::crypto::password::PasswordHasher;
use crate::crypto::{random_bytes, RngError};
use crate::db::{self, user::User, Db, DbConnection, DbError};
use crate::domain::Email;
use crate::ratelimit::FailureLimiter;

/// Wire errors of the device-token API and `GET /me`, answered as JSON
/// `{"error":<code>,"error_description":..}`; the string form is the code.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// `invalid_request`, 400: the body is not a form or JSON object with `email`, `password` and
    /// `manufacturerId` of sane lengths (malformed input is a 400, never a 500).
    #[error("invalid_request")]
    InvalidRequest(&'static str),
    /// `invalid_grant`, 401: wrong email or password (RFC 6749 section 5.2: "the provided ...
    /// resource owner credentials ... is invalid").
    #[error("invalid_grant")]
    InvalidCredentials,
    /// `invalid_token`, 401: no `X-Token` and no `Authorization` header (RFC 6750 section 3.1:
    /// "the request lacks any authentication information").
    #[error("invalid_token")]
    MissingToken,
    /// `invalid_token`, 401: the token is unknown, expired, or does not grant `Profiles.Read`.
    #[error("invalid_token")]
    InvalidToken,
    /// `not_found`, 404: "`GET /tokens/<uuid>` returns it while valid (404 otherwise)".
    #[error("not_found")]
    NotFound,
    /// `too_many_attempts`, 429 with `Retry-After`: the sign-in failure limit was reached.
    #[error("too_many_attempts")]
    TooManyAttempts {
        /// Seconds until the next attempt is allowed.
        retry_after: i64,
    },
    /// `temporarily_unavailable`, 503: storage is unreachable.
    #[error("temporarily_unavailable")]
    Unavailable(String),
    /// `server_error`, 500: the cause is logged, never shown.
    #[error("server_error")]
    Internal(String),
}

impl From<DbError> for DeviceError {
    fn from(e: DbError) -> Self {
        if e.is_storage_failure() {
            DeviceError::Unavailable(e.to_string())
        } else {
            DeviceError::Internal(e.to_string())
        }
    }
}

impl From<diesel::result::Error> for DeviceError {
    fn from(e: diesel::result::Error) -> Self {
        DeviceError::Unavailable(e.to_string())
    }
}

impl From<RngError> for DeviceError {
    fn from(e: RngError) -> Self {
        DeviceError::Internal(e.to_string())
    }
}

impl From<crate::tokens::TokenError> for DeviceError {
    fn from(e: crate::tokens::TokenError) -> Self {
        match e {
            crate::tokens::TokenError::Db(db) => db.into(),
            crate::tokens::TokenError::Query(q) => q.into(),
            other => DeviceError::Internal(other.to_string()),
        }
    }
}

/// A device token as `POST /tokens` and `GET /tokens/<uuid>` show it. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The token (a UUIDv4, hyphenated lower-case): the only time it is in clear is the 201.
    pub token_id: String,
    /// Expiry, Unix seconds.
    pub expiration: i64,
    /// The user's location id (the same for every app).
    pub user_id: String,
    /// The device's id, as a string.
    pub device_id: String,
}

impl std::fmt::Debug for TokenInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenInfo")
            .field("expiration", &self.expiration)
            .field("user_id", &self.user_id)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// The canonical text of a presented token (any form the `uuid` crate reads: hyphenated, simple,
/// braced, URN), or None when it is no UUID at all.
fn canonical(token_id: &str) -> Option<String> {
    uuid::Uuid::try_parse(token_id.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// A device token from 16 random bytes: a UUIDv4 (version and variant bits set), hyphenated
/// lower-case, e.g. `0f8fad5b-d9cb-469f-a165-70867728950e`.
pub fn token_id(random: [u8; 16]) -> String {
    uuid::Builder::from_random_bytes(random)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// What storage keeps of a token: the hex SHA-256 of its canonical text.
pub fn token_hash(token_id: &str) -> Option<crate::crypto::TokenHash> {
    canonical(token_id).map(|t| crate::crypto::TokenHash::of(&t))
}

/// Everything `POST /tokens` needs from the running server.
#[derive(Debug, Clone, Copy)]
pub struct DeviceSignIn<'a> {
    /// Storage.
    pub db: &'a Db,
    /// Password hashing (and the dummy hash for unknown emails).
    pub hasher: &'a PasswordHasher,
    /// The chassis's sign-in failure limiter (shared with the browser sign-in).
    pub limiter: &'a FailureLimiter,
    /// `security.device_token_policy`.
    pub policy: DeviceTokenPolicy,
    /// `security.device_token_ttl_secs`.
    pub ttl_secs: i64,
}

impl DeviceSignIn<'_> {
    /// `POST /tokens`: check the credentials (always one argon2 verification, against the dummy
    /// hash for an unknown email), then in ONE transaction find or create the device, delete the
    /// tokens the policy replaces, and store the new token's hash.
    pub async fn create_token(
        &self,
        req: TokenRequest,
        ip: &str,
        now: i64,
    ) -> Result<TokenInfo, DeviceError> {
        let account = req.email.to_lowercase();
        let email = Email::parse(&req.email)
            .ok()
            .map(|e| e.as_str().to_string());
        // The attempt is counted before the password is verified: N parallel guesses get at most
        // the limit's worth of verifications.
        let (limiter, ip_owned) = (self.limiter.clone(), ip.to_string());
        let (reservation, user) = self
            .db
            .run(move |conn| {
                let reservation = limiter.reserve(conn, &ip_owned, Some(&account), now)?;
                let user = match (&reservation, email.clone()) {
                    (Ok(_), Some(email)) => db::user::find_by_email(conn, &email)?,
                    _ => None,
                };
                Ok::<_, DeviceError>((reservation, user))
            })
            .await?;
        let reservation =
            reservation.map_err(|retry_after| DeviceError::TooManyAttempts { retry_after })?;
        let hasher = self.hasher.clone();
        let phc = user.as_ref().map_or_else(
            || hasher.dummy_hash().to_string(),
            |u| u.password_hash.clone(),
        );
        let password = req.password;
        let verified =
            match tokio::task::spawn_blocking(move || hasher.verify(&password, &phc)).await {
                Ok(verified) => verified,
                Err(e) => {
                    self.limiter.release_in(self.db, reservation).await?;
                    return Err(DeviceError::Internal(e.to_string()));
                }
            };
        let user = match user {
            Some(user) if verified => user,
            // The reservation stays counted: a failure.
            _ => return Err(DeviceError::InvalidCredentials),
        };
        self.limiter.forgive_in(self.db, reservation).await?;
        let token = token_id(random_bytes::<16>()?);
        let hash = crate::crypto::TokenHash::of(&token);
        let (policy, expires_at) = (self.policy, now.saturating_add(self.ttl_secs));
        let (user_id, manufacturer_id, device_type) =
            (user.id, req.manufacturer_id, req.device_type);
        let device_id = self
            .db
            .transaction(move |conn| {
                if db::device::lock_user(conn, user_id)? == 0 {
                    return Err(DeviceError::InvalidCredentials);
                }
                let device = db::device::upsert(
                    conn,
                    user_id,
                    &manufacturer_id,
                    device_type.as_deref(),
                    now,
                )?;
                match policy {
                    DeviceTokenPolicy::OnePerUser => db::device::delete_for_user(conn, user_id)?,
                    DeviceTokenPolicy::OnePerDevice => {
                        db::device::delete_for_device(conn, user_id, device.id, now)?
                    }
                };
                db::device::insert_token(conn, &hash, user_id, device.id, now, expires_at)?;
                let detail = format!("signed in on {}", device_label(&device));
                db::audit::record(
                    conn,
                    now,
                    "device_sign_in",
                    Some(user_id),
                    None,
                    None,
                    &detail,
                )?;
                Ok::<_, DeviceError>(device.id)
            })
            .await?;
        tracing::info!(user_id, device_id, "device token issued");
        Ok(TokenInfo {
            token_id: token,
            expiration: expires_at,
            user_id: user.lid,
            device_id: device_id.to_string(),
        })
    }
}

/// How the account page and the history name a device: its type as the client gave it, and its
/// own identifier (`phone “pixel-7”`, or `device “pixel-7”` without a type). Neither is a secret.
pub fn device_label(device: &db::device::Device) -> String {
    let kind = device
        .device_type
        .as_deref()
        .filter(|k| !k.trim().is_empty())
        .unwrap_or("device");
    format!("{kind} “{}”", device.manufacturer_id)
}

/// `GET /tokens/<uuid>`: the token while it is valid.
pub fn token_info(
    conn: &mut DbConnection,
    token_id: &str,
    now: i64,
) -> diesel::QueryResult<Option<TokenInfo>> {
    let Some(token) = canonical(token_id) else {
        return Ok(None);
    };
    let hash = crate::crypto::TokenHash::of(&token);
    Ok(
        db::device::find_active(conn, &hash, now)?.map(|(row, user)| TokenInfo {
            token_id: token,
            expiration: row.expires_at,
            user_id: user.lid,
            device_id: row.device_id.to_string(),
        }),
    )
}

/// `X-Token`: the user of a valid device token.
pub fn user_for_token(
    conn: &mut DbConnection,
    token_id: &str,
    now: i64,
) -> diesel::QueryResult<Option<User>> {
    match token_hash(token_id) {
        Some(hash) => Ok(db::device::find_active(conn, &hash, now)?.map(|(_, user)| user)),
        None => Ok(None),
    }
}

/// `DELETE /tokens/<uuid>` (log out): true when a valid token was deleted.
pub fn delete_token(
    conn: &mut DbConnection,
    token_id: &str,
    now: i64,
) -> diesel::QueryResult<bool> {
    match token_hash(token_id) {
        Some(hash) => Ok(db::device::delete_active(conn, &hash, now)? > 0),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_hashes_the_same_in_every_uuid_spelling_and_garbage_has_no_hash() {
        let t = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let h = token_hash(t).unwrap();
        assert_eq!(h, crate::crypto::TokenHash::of(t));
        assert_eq!(token_hash(&t.to_uppercase()).unwrap(), h);
        assert_eq!(token_hash(&t.replace('-', "")).unwrap(), h);
        for bad in [
            "",
            "not-a-uuid",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "../etc",
        ] {
            assert!(token_hash(bad).is_none(), "{bad}");
        }
    }
}
