//! `email_tokens`: the random tokens of emailed links (address verification, password reset).
//! Only the SHA-256 of a token is kept; [`consume`] deletes it in the caller's transaction, so a
//! link works once, whoever races.

use super::schema::email_tokens;
use super::DbConnection;
use crate::crypto::TokenHash;
use diesel::prelude::*;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirm the address.
    Verify,
    /// Choose a new password.
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }
}

/// A link's token as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_tokens)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct EmailToken {
    /// The user it is for.
    pub user_id: i64,
    /// The address it was sent to.
    pub email: String,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = email_tokens)]
struct NewToken<'a> {
    token_hash: &'a str,
    user_id: i64,
    purpose: &'a str,
    email: &'a str,
    created_at: i64,
    expires_at: i64,
}

/// Store a token for `user_id` sent to `email`, valid for `ttl_secs`. Tokens that expired (any
/// user's) are deleted on the way, so the table holds only live links.
pub fn insert(
    conn: &mut DbConnection,
    hash: &TokenHash,
    user_id: i64,
    purpose: Purpose,
    email: &str,
    now: i64,
    ttl_secs: i64,
) -> QueryResult<()> {
    diesel::delete(email_tokens::table.filter(email_tokens::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(email_tokens::table)
        .values(NewToken {
            token_hash: hash.as_str(),
            user_id,
            purpose: purpose.as_str(),
            email,
            created_at: now,
            expires_at: now.saturating_add(ttl_secs.max(1)),
        })
        .execute(conn)
        .map(|_| ())
}

/// The unexpired token `hash` for `purpose`, without using it (a page that shows a form first).
pub fn find(
    conn: &mut DbConnection,
    hash: &TokenHash,
    purpose: Purpose,
    now: i64,
) -> QueryResult<Option<EmailToken>> {
    email_tokens::table
        .filter(email_tokens::token_hash.eq(hash.as_str()))
        .filter(email_tokens::purpose.eq(purpose.as_str()))
        .filter(email_tokens::expires_at.gt(now))
        .select(EmailToken::as_select())
        .get_result(conn)
        .optional()
}

/// Use the unexpired token `hash` for `purpose`: it is deleted, with every other token of the
/// same user and purpose (one new password or verification makes older links pointless). `None`
/// when it does not exist, expired, or another request used it first (its delete found nothing).
pub fn consume(
    conn: &mut DbConnection,
    hash: &TokenHash,
    purpose: Purpose,
    now: i64,
) -> QueryResult<Option<EmailToken>> {
    let Some(token) = find(conn, hash, purpose, now)? else {
        return Ok(None);
    };
    let deleted =
        diesel::delete(email_tokens::table.filter(email_tokens::token_hash.eq(hash.as_str())))
            .execute(conn)?;
    if deleted != 1 {
        return Ok(None);
    }
    delete_for_user(conn, token.user_id, purpose)?;
    Ok(Some(token))
}

/// Delete every token of `user_id` for `purpose`.
pub fn delete_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    purpose: Purpose,
) -> QueryResult<usize> {
    diesel::delete(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose.as_str())),
    )
    .execute(conn)
}
