//! `sessions`: browser sign-in sessions. The cookie carries a random token; only its SHA-256 is here.

use super::schema::{sessions, users};
use super::user::User;
use super::DbConnection;
use diesel::prelude::*;

/// Create a session for `user_id` whose token hashes to `token_hash`.
pub fn create(
    conn: &mut DbConnection,
    user_id: i64,
    token_hash: &str,
    now: i64,
    ttl_secs: i64,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(super::new_id()?),
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + ttl_secs),
            sessions::last_seen_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The user of an unexpired session (one indexed read).
pub fn find_user(conn: &mut DbConnection, token_hash: &str, now: i64) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .select(users::all_columns)
        .get_result(conn)
        .optional()
}

/// End one session.
pub fn delete(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}

/// End every session of a user except `keep` (the current one), e.g. after a password change.
pub fn delete_all_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<&str>,
) -> QueryResult<usize> {
    let doomed = sessions::table.filter(sessions::user_id.eq(user_id));
    match keep {
        Some(hash) => diesel::delete(doomed.filter(sessions::token_hash.ne(hash))).execute(conn),
        None => diesel::delete(doomed).execute(conn),
    }
}
