//! `authorization_codes`: OAuth authorization codes, stored as SHA-256, single use.

use super::schema::authorization_codes;
use super::DbConnection;
use crate::crypto::TokenHash;
use diesel::prelude::*;

/// A code row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authorization_codes)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Code {
    /// Primary key.
    pub id: i64,
    /// Hex SHA-256 of the code.
    pub code_hash: String,
    /// The application.
    pub application_id: i64,
    /// The user who consented.
    pub user_id: i64,
    /// The redirect URI the code was issued for.
    pub redirect_uri: String,
    /// JSON map of granted permission to grant expiry.
    pub scope: String,
    /// oxide-auth's encoded PKCE challenge.
    pub code_challenge: Option<String>,
    /// Unused (the method is inside the encoded challenge).
    pub code_challenge_method: Option<String>,
    /// The family its exchange created.
    pub family_id: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// When exchanged.
    pub consumed_at: Option<i64>,
    /// The permissions the authorization request asked for, space-separated.
    pub requested_scope: Option<String>,
}

/// A code to insert.
#[derive(Debug)]
pub struct NewCode<'a> {
    /// Hex SHA-256 of the code.
    pub code_hash: &'a str,
    /// The application.
    pub application_id: i64,
    /// The user.
    pub user_id: i64,
    /// The redirect URI.
    pub redirect_uri: &'a str,
    /// JSON map of permission to expiry.
    pub scope: &'a str,
    /// Encoded PKCE challenge.
    pub code_challenge: Option<&'a str>,
    /// What the authorization request asked for, space-separated.
    pub requested_scope: Option<&'a str>,
    /// Unix seconds.
    pub now: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// The row [`insert`] writes for a [`NewCode`] (not exchanged, no family yet).
#[derive(Insertable)]
// NULL for None (these columns have no default) keeps the statement cacheable as a
// prepared statement; the default would make diesel rebuild and re-prepare it every time.
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = authorization_codes, treat_none_as_null = true)]
struct NewCodeRow<'a> {
    id: i64,
    code_hash: &'a str,
    application_id: i64,
    user_id: i64,
    redirect_uri: &'a str,
    scope: &'a str,
    code_challenge: Option<&'a str>,
    created_at: i64,
    expires_at: i64,
    requested_scope: Option<&'a str>,
}

/// Insert a code.
pub fn insert(conn: &mut DbConnection, new: &NewCode<'_>) -> QueryResult<()> {
    diesel::insert_into(authorization_codes::table)
        .values(NewCodeRow {
            id: super::new_id()?,
            code_hash: new.code_hash,
            application_id: new.application_id,
            user_id: new.user_id,
            redirect_uri: new.redirect_uri,
            scope: new.scope,
            code_challenge: new.code_challenge,
            created_at: new.now,
            expires_at: new.expires_at,
            requested_scope: new.requested_scope,
        })
        .execute(conn)
        .map(|_| ())
}

/// Find by hash.
pub fn find(conn: &mut DbConnection, code_hash: &TokenHash) -> QueryResult<Option<Code>> {
    authorization_codes::table
        .filter(authorization_codes::code_hash.eq(code_hash.as_str()))
        .select(Code::as_select())
        .get_result(conn)
        .optional()
}

/// Consume if not consumed; false when another request did first.
pub fn consume(conn: &mut DbConnection, id: i64, now: i64) -> QueryResult<bool> {
    let n = diesel::update(
        authorization_codes::table
            .filter(authorization_codes::id.eq(id))
            .filter(authorization_codes::consumed_at.is_null()),
    )
    .set(authorization_codes::consumed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Remember which family a code's exchange created (so a replay can revoke it).
pub fn set_family(conn: &mut DbConnection, id: i64, family_id: i64) -> QueryResult<()> {
    diesel::update(authorization_codes::table.find(id))
        .set(authorization_codes::family_id.eq(family_id))
        .execute(conn)
        .map(|_| ())
}

/// Use up every unexchanged code of a user for an app (the user revoked the app's access).
pub fn void_for_user_app(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        authorization_codes::table
            .filter(authorization_codes::user_id.eq(user_id))
            .filter(authorization_codes::application_id.eq(application_id))
            .filter(authorization_codes::consumed_at.is_null()),
    )
    .set(authorization_codes::consumed_at.eq(now))
    .execute(conn)
}

/// Void every unexchanged code of a user (all apps).
pub fn void_for_user(conn: &mut DbConnection, user_id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        authorization_codes::table
            .filter(authorization_codes::user_id.eq(user_id))
            .filter(authorization_codes::consumed_at.is_null()),
    )
    .set(authorization_codes::consumed_at.eq(now))
    .execute(conn)
}
