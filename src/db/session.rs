//! `sessions`: browser sign-in sessions. The cookie carries a random token; only its SHA-256 is here.

use super::schema::{sessions, users};
use super::user::User;
use super::DbConnection;
use crate::crypto::TokenHash;
use diesel::prelude::*;

/// A session to insert.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
struct NewSession<'a> {
    id: i64,
    token_hash: &'a str,
    user_id: i64,
    created_at: i64,
    expires_at: i64,
    last_seen_at: i64,
}

/// Create a session for `user_id` whose token hashes to `token_hash`.
pub fn create(
    conn: &mut DbConnection,
    user_id: i64,
    token_hash: &TokenHash,
    now: i64,
    ttl_secs: i64,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(NewSession {
            id: super::new_id()?,
            token_hash: token_hash.as_str(),
            user_id,
            created_at: now,
            expires_at: now + ttl_secs,
            last_seen_at: now,
        })
        .execute(conn)
        .map(|_| ())
}

/// The user of an unexpired session (one indexed read).
pub fn find_user(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
    now: i64,
) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash.as_str()))
        .filter(sessions::expires_at.gt(now))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

/// End one session.
pub fn delete(conn: &mut DbConnection, token_hash: &TokenHash) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash.as_str())))
        .execute(conn)
}

/// End every session of a user except `keep` (the current one), e.g. after a password change.
pub fn delete_all_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<&TokenHash>,
) -> QueryResult<usize> {
    let doomed = sessions::table.filter(sessions::user_id.eq(user_id));
    match keep {
        Some(hash) => {
            diesel::delete(doomed.filter(sessions::token_hash.ne(hash.as_str()))).execute(conn)
        }
        None => diesel::delete(doomed).execute(conn),
    }
}
