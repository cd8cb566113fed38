//! Deleting an account, in ONE transaction: first every grant is revoked and every family ended
//! with its refresh tokens (so from the commit on no refresh and no check accepts anything the user
//! allowed), unexchanged codes are voided, sessions and device tokens end; then the user row goes,
//! and with it (`ON DELETE CASCADE`) every row that belongs to the user, history included. The
//! email is free again for a new sign-up. One event without any personal data is kept for the
//! operator.

use crate::db::{self, DbConnection};

/// Why families end when their user deletes the account (`token_families.revoked_reason`).
const REASON: &str = crate::tokens::RevokeReason::User.as_str();

/// What a deletion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deleted {
    /// Grants revoked.
    pub grants: usize,
    /// Families ended (with their refresh tokens).
    pub families: usize,
    /// Browser sessions ended.
    pub sessions: usize,
    /// Device tokens ended.
    pub devices: usize,
}

/// How much the deletion of `user_id` would end: apps with access, sessions, devices (for the
/// confirmation page).
pub fn preview(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
) -> diesel::QueryResult<(usize, usize, usize)> {
    let apps = super::dashboard::build(
        conn,
        user_id,
        now,
        crate::domain::Zone::UTC,
        crate::i18n::Lang::En,
    )?
    .apps
    .len();
    let sessions = db::session::active_for_user(conn, user_id, now)?.len();
    let devices = db::device::active_for_user(conn, user_id, now)?.len();
    Ok((apps, sessions, devices))
}

/// Delete `user_id`. Call inside ONE transaction; `None` when the user no longer exists.
pub fn delete_account(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
) -> diesel::QueryResult<Option<Deleted>> {
    // The user's row lock first: a sign-in of a device or a grant of the same user waits for us.
    if db::device::lock_user(conn, user_id)? == 0 {
        return Ok(None);
    }
    let grants = db::grant::revoke_all_for_user(conn, user_id, now)?;
    let families = db::grant::live_families_of_user(conn, user_id)?;
    for family_id in &families {
        db::grant::revoke_family(conn, *family_id, REASON, now)?;
    }
    db::oauth_code::void_for_user(conn, user_id, now)?;
    let sessions = db::session::delete_all_for_user(conn, user_id, None)?;
    let devices = db::device::delete_for_user(conn, user_id)?;
    db::user::delete(conn, user_id)?;
    db::audit::record(
        conn,
        now,
        "account_deleted",
        None,
        None,
        None,
        &format!(
            "an account was deleted: {grants} grant(s) revoked, {} grant family(ies) ended, \
             {sessions} session(s) and {devices} device token(s) signed out",
            families.len()
        ),
    )?;
    Ok(Some(Deleted {
        grants,
        families: families.len(),
        sessions,
        devices,
    }))
}
