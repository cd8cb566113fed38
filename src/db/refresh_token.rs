//! `refresh_tokens`: the rotating refresh tokens of grant families (hashes only), and a rotation
//! written in one go.

use super::grant::{touch_family, Family, Grant};
use super::schema::{grants, refresh_tokens, token_families, users};
use super::DbConnection;
use crate::crypto::TokenHash;
use diesel::prelude::*;

/// A refresh-token row (the token itself is never stored).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct RefreshToken {
    /// Primary key.
    pub id: i64,
    /// Its family.
    pub family_id: i64,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// 0 for the first, +1 per rotation.
    pub generation: i32,
    /// Unix seconds.
    pub issued_at: i64,
    /// Set when rotated.
    pub consumed_at: Option<i64>,
}

/// A refresh token to insert (not consumed).
#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken<'a> {
    id: i64,
    family_id: i64,
    token_hash: &'a str,
    generation: i32,
    issued_at: i64,
}

/// Store a refresh token's hash as generation `generation` of a family.
pub fn insert_refresh_token(
    conn: &mut DbConnection,
    family_id: i64,
    token_hash: &TokenHash,
    generation: i32,
    now: i64,
) -> QueryResult<()> {
    let row = NewRefreshToken {
        id: super::new_id()?,
        family_id,
        token_hash: token_hash.as_str(),
        generation,
        issued_at: now,
    };
    super::on_backend!(conn, |c| diesel::insert_into(refresh_tokens::table)
        .values(&row)
        .execute(c))
    .map(|_| ())
}

/// A refresh token with its family and the user's `lid`, by hash (one indexed read).
pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
) -> QueryResult<Option<(RefreshToken, Family, String)>> {
    super::on_backend!(conn, |c| refresh_tokens::table
        .inner_join(token_families::table)
        .inner_join(users::table.on(users::id.eq(token_families::user_id)))
        .filter(refresh_tokens::token_hash.eq(token_hash.as_str()))
        .select((RefreshToken::as_select(), Family::as_select(), users::lid))
        .get_result(c)
        .optional())
}

/// [`find_refresh_token`] with the family's grants, in one read.
#[allow(clippy::type_complexity)]
pub fn find_refresh_token_with_grants(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
) -> QueryResult<Option<(RefreshToken, Family, String, Vec<Grant>)>> {
    let rows: Vec<(RefreshToken, Family, String, Option<Grant>)> =
        super::on_backend!(conn, |c| refresh_tokens::table
            .inner_join(token_families::table.left_join(grants::table))
            .inner_join(users::table.on(users::id.eq(token_families::user_id)))
            .filter(refresh_tokens::token_hash.eq(token_hash.as_str()))
            .select((
                RefreshToken::as_select(),
                Family::as_select(),
                users::lid,
                Option::<Grant>::as_select(),
            ))
            .load(c))?;
    let mut rows = rows.into_iter();
    Ok(rows.next().map(|(token, family, lid, first)| {
        let grants = first.into_iter().chain(rows.filter_map(|r| r.3)).collect();
        (token, family, lid, grants)
    }))
}

/// Mark a refresh token consumed if it was not; false when another request consumed it first.
pub fn consume_refresh_token(conn: &mut DbConnection, id: i64, now: i64) -> QueryResult<bool> {
    let n = super::cached::execute(conn, super::cached::ConsumeRefreshToken { id, now })?;
    Ok(n == 1)
}

/// One refresh-token rotation: what is written.
#[derive(Debug)]
pub struct Rotation<'a> {
    /// The family.
    pub family_id: i64,
    /// Its user (for the audit event).
    pub user_id: i64,
    /// Its application (for the audit event).
    pub application_id: i64,
    /// The presented token's row.
    pub consumed_id: i64,
    /// SHA-256 (hex) of the new token.
    pub new_hash: &'a TokenHash,
    /// The new token's generation.
    pub generation: i32,
    /// The audit event's text.
    pub detail: &'a str,
    /// Unix seconds.
    pub now: i64,
}

/// What a rotation found when it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotated {
    /// Done: family touched, token consumed, new token and audit event written.
    Done,
    /// The family was revoked before the write; nothing was written.
    FamilyRevoked,
    /// The token was consumed by someone else before the write; nothing was written.
    AlreadyConsumed,
}

/// [`rotate`] as its own write (see [`super::write_through`]): on PostgreSQL the rotation is one
/// statement, atomic by itself, so it runs without BEGIN/COMMIT round trips; elsewhere its four
/// statements run in one write transaction.
pub fn rotate_in(
    db: Option<&super::Db>,
    conn: &mut DbConnection,
    r: &Rotation<'_>,
) -> QueryResult<Rotated> {
    if matches!(conn, DbConnection::Pg(_)) {
        // One statement, its own transaction: not through `write_in`, so checked here.
        super::abandon::before_write()?;
        return rotate(conn, r);
    }
    match db {
        // SQLite: with the concurrent rotations, in one group commit.
        Some(db) => {
            let owned = (r.new_hash.clone(), r.detail.to_string());
            let (family_id, user_id, application_id) = (r.family_id, r.user_id, r.application_id);
            let (consumed_id, generation, now) = (r.consumed_id, r.generation, r.now);
            db.write_change(conn, move |conn| {
                let (new_hash, detail) = &owned;
                let r = Rotation {
                    family_id,
                    user_id,
                    application_id,
                    consumed_id,
                    new_hash,
                    generation,
                    detail,
                    now,
                };
                rotate(conn, &r).map_err(super::DbError::from)
            })
            .map_err(into_query_error)
        }
        None => rotate(conn, r),
    }
}

/// A group write's error as the query error the callers of a rotation expect.
fn into_query_error(e: super::DbError) -> diesel::result::Error {
    match e {
        super::DbError::Query(e) => e,
        other => diesel::result::Error::QueryBuilderError(other.to_string().into()),
    }
}

/// Write a rotation: touch the family (unless revoked), consume the token (unless consumed), insert
/// the new token and the audit event. On PostgreSQL this is ONE statement, so one round trip and
/// its own transaction (or part of the caller's); elsewhere four statements that must run inside a
/// transaction (see [`rotate_in`]). Only `Done` writes a token or an event (`AlreadyConsumed` may
/// have touched the family's `last_used_at`).
pub fn rotate(conn: &mut DbConnection, r: &Rotation<'_>) -> QueryResult<Rotated> {
    let event_id = super::audit::ordered_id()?;
    if let DbConnection::Pg(pg) = conn {
        return rotate_pg(pg, r, super::new_id()?, event_id);
    }
    if !touch_family(conn, r.family_id, r.now)? {
        return Ok(Rotated::FamilyRevoked);
    }
    if !consume_refresh_token(conn, r.consumed_id, r.now)? {
        return Ok(Rotated::AlreadyConsumed);
    }
    insert_refresh_token(conn, r.family_id, r.new_hash, r.generation, r.now)?;
    super::audit::record_with_id(
        conn,
        event_id,
        r.now,
        "refresh",
        Some(r.user_id),
        Some(r.application_id),
        Some(r.family_id),
        r.detail,
    )
    .map(|_| Rotated::Done)
}

/// [`rotate`] as one PostgreSQL statement (see [`super::cached::RotatePg`]).
fn rotate_pg(
    pg: &mut diesel::PgConnection,
    r: &Rotation<'_>,
    new_id: i64,
    event_id: i64,
) -> QueryResult<Rotated> {
    let counts: (i64, i64) = super::cached::RotatePg {
        now: r.now,
        family_id: r.family_id,
        consumed_id: r.consumed_id,
        new_id,
        new_hash: r.new_hash.as_str(),
        generation: r.generation,
        event_id,
        user_id: r.user_id,
        application_id: r.application_id,
        detail: r.detail,
    }
    .get_result(pg)?;
    Ok(match counts {
        (0, _) => Rotated::FamilyRevoked,
        (_, 0) => Rotated::AlreadyConsumed,
        _ => Rotated::Done,
    })
}
