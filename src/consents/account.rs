//! The account page's actions: change the password (every OTHER session ends) and sign out
//! everywhere (every session ends, this one too). Each is one transaction with its audit event.

use crate::crypto::password::PasswordHasher;
use crate::db::{self, Db, DbConnection, DbError};

use crate::domain::password::{
    check_new_password, NewPasswordError, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS,
};

/// Why a password change was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The current password is wrong.
    #[error("The current password is not right.")]
    WrongCurrent,
    /// The new password is too short.
    #[error("Choose a new password of at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    /// The new password is too long.
    #[error("That password is too long.")]
    TooLong,
    /// The confirmation differs from the new password.
    #[error("The two new passwords are not the same.")]
    Mismatch,
    /// The user no longer exists.
    #[error("This account no longer exists.")]
    NoUser,
    /// Storage failed.
    #[error("storage failed: {0}")]
    Storage(String),
    /// Hashing failed.
    #[error("password change failed: {0}")]
    Internal(String),
}

impl From<DbError> for PasswordChangeError {
    fn from(e: DbError) -> Self {
        if e.is_storage_failure() {
            PasswordChangeError::Storage(e.to_string())
        } else {
            PasswordChangeError::Internal(e.to_string())
        }
    }
}

impl From<diesel::result::Error> for PasswordChangeError {
    fn from(e: diesel::result::Error) -> Self {
        PasswordChangeError::Storage(e.to_string())
    }
}

/// What the user typed. `Debug` shows none of it.
pub struct PasswordChange<'a> {
    /// The current password.
    pub current: &'a str,
    /// The new password.
    pub new: &'a str,
    /// The new password again, when the form asks for it.
    pub confirm: Option<&'a str>,
}

/// Check the current password, store a hash of the new one and end every session of the user
/// except `keep_session_hash` (the SHA-256 of the current session's token). Blocking (password
/// hashing): run it on the blocking pool. Returns how many sessions ended.
pub fn change_password(
    db: &Db,
    hasher: &PasswordHasher,
    user_id: i64,
    change: &PasswordChange<'_>,
    keep_session_hash: &crate::crypto::TokenHash,
    now: i64,
) -> Result<usize, PasswordChangeError> {
    match check_new_password(change.new) {
        Err(NewPasswordError::TooShort) => return Err(PasswordChangeError::TooShort),
        Err(NewPasswordError::TooLong) => return Err(PasswordChangeError::TooLong),
        Ok(()) => {}
    }
    if change.confirm.is_some_and(|c| c != change.new) {
        return Err(PasswordChangeError::Mismatch);
    }
    let user = db
        .run_sync(|conn| db::user::find(conn, user_id).map_err(DbError::from))?
        .ok_or(PasswordChangeError::NoUser)?;
    if change.current.len() > MAX_PASSWORD_BYTES
        || !hasher.verify(change.current, &user.password_hash)
    {
        return Err(PasswordChangeError::WrongCurrent);
    }
    let hash = hasher
        .hash(change.new)
        .map_err(|e| PasswordChangeError::Internal(e.to_string()))?;
    db.transaction_sync(|conn| {
        db::user::set_password(conn, user_id, &hash, now)?;
        let ended = db::session::delete_all_for_user(conn, user_id, Some(keep_session_hash))?;
        // Rich clients signed in with the old password too.
        let devices = db::device::delete_for_user(conn, user_id)?;
        let detail = format!(
            "password changed; {ended} other session(s) and {devices} device token(s) signed out"
        );
        db::audit::record(
            conn,
            now,
            "password_changed",
            Some(user_id),
            None,
            None,
            &detail,
        )?;
        Ok(ended)
    })
}

/// End every session of `user_id`, the current one included. Call inside a transaction. Returns
/// how many ended.
pub fn sign_out_everywhere(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
) -> diesel::QueryResult<usize> {
    let ended = db::session::delete_all_for_user(conn, user_id, None)?;
    let devices = db::device::delete_for_user(conn, user_id)?;
    db::audit::record(
        conn,
        now,
        "signed_out_everywhere",
        Some(user_id),
        None,
        None,
        &format!("{ended} session(s) and {devices} device token(s) signed out"),
    )?;
    Ok(ended)
}

impl std::fmt::Debug for PasswordChange<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChange").finish_non_exhaustive()
    }
}
