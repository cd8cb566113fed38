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

/// A session as the account page lists it (never its token hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SessionRow {
    /// Primary key (what the "Sign out" form names).
    pub id: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The last request seen, to the minute (see [`SEEN_EVERY_SECS`]).
    pub last_seen_at: i64,
}

/// `last_seen_at` is written at most this often per session: one small write a minute for an active
/// browser, none for the requests in between.
pub const SEEN_EVERY_SECS: i64 = 60;

/// The user of an unexpired session and the session's `last_seen_at` (one indexed read).
pub fn find_user(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
    now: i64,
) -> QueryResult<Option<(User, i64)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash.as_str()))
        .filter(sessions::expires_at.gt(now))
        .select((User::as_select(), sessions::last_seen_at))
        .get_result(conn)
        .optional()
}

/// Record that the session was used at `now`, unless that was recorded less than
/// [`SEEN_EVERY_SECS`] ago (the condition is in the statement, so racing requests write once).
pub fn touch(conn: &mut DbConnection, token_hash: &TokenHash, now: i64) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::token_hash.eq(token_hash.as_str()))
            .filter(sessions::last_seen_at.le(now - SEEN_EVERY_SECS)),
    )
    .set(sessions::last_seen_at.eq(now))
    .execute(conn)
}

/// The user's unexpired sessions, most recently used first.
pub fn active_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .select(SessionRow::as_select())
        .load(conn)
}

/// The primary key of the session whose token hashes to `token_hash`.
pub fn id_of(conn: &mut DbConnection, token_hash: &TokenHash) -> QueryResult<Option<i64>> {
    sessions::table
        .filter(sessions::token_hash.eq(token_hash.as_str()))
        .select(sessions::id)
        .get_result(conn)
        .optional()
}

/// End session `id` of `user_id` (someone else's id changes nothing); how many ended.
pub fn delete_by_id(conn: &mut DbConnection, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
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
