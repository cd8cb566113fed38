//! Forgotten passwords: a reset link to the account's address (the same answer for an address
//! without an account), and the reset itself, which ends every session and device token.

use crate::crypto::password::PasswordHasher;
use crate::crypto::TokenHash;
use crate::db::email_token::Purpose;
use crate::db::{self, Db, DbConnection};
use crate::domain::password::{check_new_password, NewPasswordError, MIN_PASSWORD_CHARS};
use crate::error::AppError;
use crate::mail::Mail;

use super::{issue, EmailLinks, RESET_PATH};

/// Why a reset did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// The link expired, was used, or never existed.
    #[error("This link has expired or was used already.")]
    InvalidLink,
    /// The new password is too short.
    #[error("Choose a password of at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    /// The new password is too long.
    #[error("That password is too long.")]
    TooLong,
    /// The two passwords differ.
    #[error("The two passwords are not the same.")]
    Mismatch,
    /// Storage or hashing failed.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<diesel::result::Error> for ResetError {
    fn from(e: diesel::result::Error) -> Self {
        ResetError::App(e.into())
    }
}

impl From<db::DbError> for ResetError {
    fn from(e: db::DbError) -> Self {
        ResetError::App(e.into())
    }
}

/// In a transaction: a reset link for the account of `email`, if there is one, and its message.
pub fn forgot_password(
    links: &EmailLinks,
    conn: &mut DbConnection,
    email: &str,
    now: i64,
) -> diesel::QueryResult<Option<(i64, Mail)>> {
    let Some(user) = db::user::find_by_email(conn, email)? else {
        return Ok(None);
    };
    let token = issue(conn, &user, Purpose::Reset, now, links.reset_ttl_secs)?;
    let link = links.link(RESET_PATH, &token);
    let mail = crate::mail::letters::reset(&user.email, &user.name, &link, links.reset_ttl_secs);
    Ok(Some((user.id, mail)))
}

/// The rules a new password follows, and its confirmation.
pub fn check_new(new: &str, confirm: &str) -> Result<(), ResetError> {
    match check_new_password(new) {
        Err(NewPasswordError::TooShort) => Err(ResetError::TooShort),
        Err(NewPasswordError::TooLong) => Err(ResetError::TooLong),
        Ok(()) if new != confirm => Err(ResetError::Mismatch),
        Ok(()) => Ok(()),
    }
}

/// Whether the reset link `token` works now (the form is shown only for one that does).
pub fn reset_link_works(
    conn: &mut DbConnection,
    token: &str,
    now: i64,
) -> diesel::QueryResult<bool> {
    Ok(db::email_token::find(conn, &TokenHash::of(token), Purpose::Reset, now)?.is_some())
}

/// Set a new password with the reset link `token`, in one transaction: the link is used (it and
/// every other reset link of the account stop working), every session and device token of the
/// account ends, and the address counts as verified (the link reached it). Blocking (hashes):
/// run it on the blocking pool. Returns the user.
pub fn reset_password(
    db: &Db,
    hasher: &PasswordHasher,
    token: &str,
    new: &str,
    confirm: &str,
    now: i64,
) -> Result<i64, ResetError> {
    check_new(new, confirm)?;
    let hash = TokenHash::of(token);
    let works = db.run_sync(|conn| {
        db::email_token::find(conn, &hash, Purpose::Reset, now).map_err(db::DbError::from)
    })?;
    if works.is_none() {
        return Err(ResetError::InvalidLink);
    }
    let password_hash = hasher
        .hash(new)
        .map_err(|e| ResetError::App(AppError::Internal(e.to_string())))?;
    db.transaction_sync(|conn| {
        let used = db::email_token::consume(conn, &hash, Purpose::Reset, now)?
            .ok_or(ResetError::InvalidLink)?;
        let user_id = used.user_id;
        db::user::set_password(conn, user_id, &password_hash, now)?;
        let sessions = db::session::delete_all_for_user(conn, user_id, None)?;
        let devices = db::device::delete_for_user(conn, user_id)?;
        db::user::mark_verified(conn, user_id, &used.email, now)?;
        db::audit::record(
            conn,
            now,
            "password_reset",
            Some(user_id),
            None,
            None,
            &format!(
                "password reset by emailed link; {sessions} session(s) and {devices} device \
                 token(s) signed out"
            ),
        )?;
        Ok(user_id)
    })
}
