//! The account page's sessions and devices: the browser sessions of the user with their last use
//! (this one marked), the device tokens with their device's name, and signing out one of either.
//! Also the name change. Each change is one transaction with its audit event; every query is
//! scoped to the signed-in user, so an id of someone else's session or token changes nothing.

use super::Moment;
use crate::crypto::TokenHash;
use crate::db::{self, DbConnection};
use crate::domain::Zone;

/// A browser session as the account page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionView {
    /// Its id (what "Sign out" posts).
    pub id: String,
    /// Signed in at.
    pub started: Moment,
    /// Last used (to the minute).
    pub last_seen: Moment,
    /// It ends by itself at.
    pub expires: Moment,
    /// The session of this very browser.
    pub current: bool,
}

/// A device token as the account page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceView {
    /// The token's id (what "Sign out" posts; not the token).
    pub id: String,
    /// The device, as the client named it.
    pub name: String,
    /// Signed in at.
    pub started: Moment,
    /// It ends by itself at.
    pub expires: Moment,
}

/// The user's sessions (most recently used first; the current one is marked) and devices.
pub fn list(
    conn: &mut DbConnection,
    user_id: i64,
    current: Option<&TokenHash>,
    now: i64,
    zone: Zone,
    lang: crate::i18n::Lang,
) -> diesel::QueryResult<(Vec<SessionView>, Vec<DeviceView>)> {
    let current_id = match current {
        Some(hash) => db::session::id_of(conn, hash)?,
        None => None,
    };
    let sessions = db::session::active_for_user(conn, user_id, now)?
        .into_iter()
        .map(|s| SessionView {
            id: s.id.to_string(),
            started: Moment::at(s.created_at, now, zone, lang),
            last_seen: Moment::at(s.last_seen_at, now, zone, lang),
            expires: Moment::at(s.expires_at, now, zone, lang),
            current: Some(s.id) == current_id,
        })
        .collect();
    let devices = db::device::active_with_devices(conn, user_id, now)?
        .into_iter()
        .map(|(token, device)| DeviceView {
            id: token.id.to_string(),
            name: crate::device::device_label(&device),
            started: Moment::at(token.created_at, now, zone, lang),
            expires: Moment::at(token.expires_at, now, zone, lang),
        })
        .collect();
    Ok((sessions, devices))
}

/// What signing out one session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnded {
    /// Another session ended.
    Other,
    /// This browser's own session ended.
    This,
    /// No such session of this user (already ended, or not theirs).
    Nothing,
}

/// End session `id` of `user_id`. Call inside ONE transaction.
pub fn end_session(
    conn: &mut DbConnection,
    user_id: i64,
    id: i64,
    current: &TokenHash,
    now: i64,
) -> diesel::QueryResult<SessionEnded> {
    let this = db::session::id_of(conn, current)? == Some(id);
    if db::session::delete_by_id(conn, user_id, id)? == 0 {
        return Ok(SessionEnded::Nothing);
    }
    let detail = if this {
        "you signed out this browser from the account page"
    } else {
        "you signed out another browser session"
    };
    db::audit::record(
        conn,
        now,
        "session_ended",
        Some(user_id),
        None,
        None,
        detail,
    )?;
    Ok(if this {
        SessionEnded::This
    } else {
        SessionEnded::Other
    })
}

/// End device token `id` of `user_id`; true when one ended. Call inside ONE transaction.
pub fn end_device(
    conn: &mut DbConnection,
    user_id: i64,
    id: i64,
    now: i64,
) -> diesel::QueryResult<bool> {
    let Some(device) = db::device::delete_token_by_id(conn, user_id, id)? else {
        return Ok(false);
    };
    let detail = format!("you signed out {}", crate::device::device_label(&device));
    db::audit::record(
        conn,
        now,
        "device_signed_out",
        Some(user_id),
        None,
        None,
        &detail,
    )?;
    Ok(true)
}

/// The longest name, in characters (as at sign-up).
pub const MAX_NAME_CHARS: usize = 100;

/// A name as stored: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn clean_name(name: &str) -> Option<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control);
    ok.then(|| name.to_string())
}

/// Change the name of `user_id`; false when it was already that. Call inside ONE transaction.
pub fn rename(
    conn: &mut DbConnection,
    user_id: i64,
    old: &str,
    name: &str,
    now: i64,
) -> diesel::QueryResult<bool> {
    if old == name {
        return Ok(false);
    }
    db::user::set_name(conn, user_id, name)?;
    db::audit::record(
        conn,
        now,
        "name_changed",
        Some(user_id),
        None,
        None,
        &format!("your name is now {name}"),
    )?;
    Ok(true)
}

/// Set the zone `user_id`'s dates are shown in (`None`: the browser's); false when it was already
/// that. Call inside ONE transaction.
pub fn set_time_zone(
    conn: &mut DbConnection,
    user_id: i64,
    old: Option<&str>,
    zone: Option<Zone>,
    now: i64,
) -> diesel::QueryResult<bool> {
    let name = zone.map(|z| z.name());
    if old == name {
        return Ok(false);
    }
    db::user::set_time_zone(conn, user_id, name)?;
    let detail = match name {
        Some(name) => format!("dates now show in {name} time"),
        None => "dates now follow your browser's time zone".to_string(),
    };
    db::audit::record(
        conn,
        now,
        "time_zone_changed",
        Some(user_id),
        None,
        None,
        &detail,
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn a_name_is_trimmed_and_neither_empty_nor_too_long_nor_controlled() {
        assert_eq!(clean_name("  Ann Lee ").as_deref(), Some("Ann Lee"));
        assert_eq!(
            clean_name(&"é".repeat(100)).map(|n| n.chars().count()),
            Some(100)
        );
        for bad in ["", "   ", "a\u{0}b", "line\nbreak"] {
            assert_eq!(clean_name(bad), None, "{bad:?}");
        }
        assert_eq!(clean_name(&"x".repeat(101)), None);
    }
}
