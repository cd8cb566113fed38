//! `grants`, `token_families`, `refresh_tokens`: what a user granted to an app, and the rotating
//! refresh tokens of each grant family.

use super::schema::{applications, grants, refresh_tokens, token_families, users};
use super::DbConnection;
use diesel::prelude::*;

/// A grant row.
#[derive(Debug, Clone, Queryable)]
pub struct Grant {
    /// Primary key.
    pub id: i64,
    /// The family (the `gid` of tokens).
    pub family_id: i64,
    /// The user.
    pub user_id: i64,
    /// The application (primary key).
    pub application_id: i64,
    /// `Offer.Action`.
    pub permission: String,
    /// The `in` resource.
    pub resource: Option<String>,
    /// Unix seconds.
    pub granted_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Unix seconds, when revoked.
    pub revoked_at: Option<i64>,
}

impl Grant {
    /// Neither revoked nor expired at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// A token-family row.
#[derive(Debug, Clone, Queryable)]
pub struct Family {
    /// Primary key, the `gid` claim.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// The application (primary key).
    pub application_id: i64,
    /// `live` or `oauth`.
    pub protocol: String,
    /// The `in` resource.
    pub resource: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Last issue or refresh, Unix seconds.
    pub last_used_at: i64,
    /// When revoked.
    pub revoked_at: Option<i64>,
    /// Why: `user`, `reuse`, `code_replay`, `client`.
    pub revoked_reason: Option<String>,
}

/// A refresh-token row (the token itself is never stored).
#[derive(Debug, Clone, Queryable)]
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

/// Create a family.
pub fn insert_family(
    conn: &mut DbConnection,
    id: i64,
    user_id: i64,
    application_id: i64,
    protocol: &str,
    resource: Option<&str>,
    now: i64,
) -> QueryResult<()> {
    diesel::insert_into(token_families::table)
        .values((
            token_families::id.eq(id),
            token_families::user_id.eq(user_id),
            token_families::application_id.eq(application_id),
            token_families::protocol.eq(protocol),
            token_families::resource.eq(resource),
            token_families::created_at.eq(now),
            token_families::last_used_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Insert one grant of a family.
#[allow(clippy::too_many_arguments)]
pub fn insert_grant(
    conn: &mut DbConnection,
    family_id: i64,
    user_id: i64,
    application_id: i64,
    permission: &str,
    resource: Option<&str>,
    now: i64,
    expires_at: i64,
) -> QueryResult<()> {
    diesel::insert_into(grants::table)
        .values((
            grants::id.eq(super::new_id()?),
            grants::family_id.eq(family_id),
            grants::user_id.eq(user_id),
            grants::application_id.eq(application_id),
            grants::permission.eq(permission),
            grants::resource.eq(resource),
            grants::granted_at.eq(now),
            grants::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Store a refresh token's hash as generation `generation` of a family.
pub fn insert_refresh_token(
    conn: &mut DbConnection,
    family_id: i64,
    token_hash: &str,
    generation: i32,
    now: i64,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(super::new_id()?),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::generation.eq(generation),
            refresh_tokens::issued_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A refresh token with its family and the user's `lid`, by hash (one indexed read).
pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(RefreshToken, Family, String)>> {
    refresh_tokens::table
        .inner_join(token_families::table)
        .inner_join(users::table.on(users::id.eq(token_families::user_id)))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::all_columns,
            token_families::all_columns,
            users::lid,
        ))
        .get_result(conn)
        .optional()
}

/// [`find_refresh_token`] with the family's grants, in one read.
#[allow(clippy::type_complexity)]
pub fn find_refresh_token_with_grants(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(RefreshToken, Family, String, Vec<Grant>)>> {
    let rows: Vec<(RefreshToken, Family, String, Option<Grant>)> = refresh_tokens::table
        .inner_join(token_families::table.left_join(grants::table))
        .inner_join(users::table.on(users::id.eq(token_families::user_id)))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::all_columns,
            token_families::all_columns,
            users::lid,
            grants::all_columns.nullable(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    Ok(rows.next().map(|(token, family, lid, first)| {
        let grants = first.into_iter().chain(rows.filter_map(|r| r.3)).collect();
        (token, family, lid, grants)
    }))
}

/// Mark a refresh token consumed if it was not; false when another request consumed it first.
pub fn consume_refresh_token(conn: &mut DbConnection, id: i64, now: i64) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::consumed_at.is_null()),
    )
    .set(refresh_tokens::consumed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// End every refresh token of a family: consume them all and mark the family revoked.
pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: i64,
    reason: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::update(
        token_families::table
            .filter(token_families::id.eq(family_id))
            .filter(token_families::revoked_at.is_null()),
    )
    .set((
        token_families::revoked_at.eq(now),
        token_families::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::consumed_at.is_null()),
    )
    .set(refresh_tokens::consumed_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Record use of a family (a refresh) unless it is revoked; false when it is. In a transaction this
/// also takes the family's row lock (PostgreSQL), so a revocation of the family waits for it or
/// wins before it, never in between.
pub fn touch_family(conn: &mut DbConnection, family_id: i64, now: i64) -> QueryResult<bool> {
    let n = diesel::update(
        token_families::table
            .filter(token_families::id.eq(family_id))
            .filter(token_families::revoked_at.is_null()),
    )
    .set(token_families::last_used_at.eq(now))
    .execute(conn)?;
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
    pub new_hash: &'a str,
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

/// Write a rotation: touch the family (unless revoked), consume the token (unless consumed), insert
/// the new token and the audit event. On PostgreSQL this is ONE statement, so one round trip and
/// its own transaction (or part of the caller's); elsewhere four statements that must run inside a
/// transaction. Only `Done` writes a token or an event (`AlreadyConsumed` may have touched the
/// family's `last_used_at`).
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

#[derive(QueryableByName)]
struct RotationCounts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    touched: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    consumed: i64,
}

/// [`rotate`] as one PostgreSQL statement: each step runs only if the one before changed a row.
fn rotate_pg(
    pg: &mut diesel::PgConnection,
    r: &Rotation<'_>,
    new_id: i64,
    event_id: i64,
) -> QueryResult<Rotated> {
    use diesel::sql_types::{BigInt, Integer, Text};
    let counts: RotationCounts = diesel::sql_query(
        "WITH touched AS ( \
             UPDATE token_families SET last_used_at = $1 \
             WHERE id = $2 AND revoked_at IS NULL RETURNING id), \
         consumed AS ( \
             UPDATE refresh_tokens SET consumed_at = $1 \
             WHERE id = $3 AND consumed_at IS NULL AND EXISTS (SELECT 1 FROM touched) \
             RETURNING id), \
         issued AS ( \
             INSERT INTO refresh_tokens (id, family_id, token_hash, generation, issued_at) \
             SELECT $4, $2, $5, $6, $1 WHERE EXISTS (SELECT 1 FROM consumed) RETURNING id), \
         audited AS ( \
             INSERT INTO audit_events (id, at, kind, user_id, application_id, family_id, detail) \
             SELECT $7, $1, 'refresh', $8, $9, $2, $10 WHERE EXISTS (SELECT 1 FROM issued) \
             RETURNING id) \
         SELECT (SELECT count(*) FROM touched) AS touched, \
                (SELECT count(*) FROM consumed) AS consumed",
    )
    .bind::<BigInt, _>(r.now)
    .bind::<BigInt, _>(r.family_id)
    .bind::<BigInt, _>(r.consumed_id)
    .bind::<BigInt, _>(new_id)
    .bind::<Text, _>(r.new_hash)
    .bind::<Integer, _>(r.generation)
    .bind::<BigInt, _>(event_id)
    .bind::<BigInt, _>(r.user_id)
    .bind::<BigInt, _>(r.application_id)
    .bind::<Text, _>(r.detail)
    .get_result(pg)?;
    Ok(match (counts.touched, counts.consumed) {
        (0, _) => Rotated::FamilyRevoked,
        (_, 0) => Rotated::AlreadyConsumed,
        _ => Rotated::Done,
    })
}

/// Every grant of a family.
pub fn family_grants(conn: &mut DbConnection, family_id: i64) -> QueryResult<Vec<Grant>> {
    grants::table
        .filter(grants::family_id.eq(family_id))
        .load(conn)
}

/// A family with its grants, in one indexed read (the check endpoint's hot path).
pub fn family_with_grants(
    conn: &mut DbConnection,
    family_id: i64,
) -> QueryResult<Option<(Family, Vec<Grant>)>> {
    let query = token_families::table
        .left_join(grants::table)
        .filter(token_families::id.eq(family_id))
        .select((token_families::all_columns, grants::all_columns.nullable()));
    let rows: Vec<(Family, Option<Grant>)> = super::on_backend!(conn, |c| query.load(c))?;
    let mut iter = rows.into_iter();
    let Some((family, first)) = iter.next() else {
        return Ok(None);
    };
    let grants = first
        .into_iter()
        .chain(iter.filter_map(|(_, g)| g))
        .collect();
    Ok(Some((family, grants)))
}

/// The active grants of a user for an app, across families (for remembered consent).
pub fn active_for_user_app(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
    now: i64,
) -> QueryResult<Vec<Grant>> {
    grants::table
        .inner_join(token_families::table)
        .filter(grants::user_id.eq(user_id))
        .filter(grants::application_id.eq(application_id))
        .filter(grants::revoked_at.is_null())
        .filter(grants::expires_at.gt(now))
        .filter(token_families::revoked_at.is_null())
        .select(grants::all_columns)
        .load(conn)
}

/// Every grant of a user with its application's appid and name, newest first (the dashboard).
pub fn for_user(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<(Grant, String, String)>> {
    grants::table
        .inner_join(applications::table)
        .filter(grants::user_id.eq(user_id))
        .select((grants::all_columns, applications::appid, applications::name))
        .order(grants::granted_at.desc())
        .load(conn)
}

/// Revoke a user's active grants of one permission for an app; returns how many.
pub fn revoke_permission(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
    permission: &str,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        grants::table
            .filter(grants::user_id.eq(user_id))
            .filter(grants::application_id.eq(application_id))
            .filter(grants::permission.eq(permission))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)
}

/// Families of a user for an app that are not revoked.
pub fn live_families(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
) -> QueryResult<Vec<i64>> {
    token_families::table
        .filter(token_families::user_id.eq(user_id))
        .filter(token_families::application_id.eq(application_id))
        .filter(token_families::revoked_at.is_null())
        .select(token_families::id)
        .load(conn)
}

/// A grant with its family and its application's appid, name and privacy URL.
pub type GrantInContext = (Grant, Family, String, String, Option<String>);

/// Every grant of a user with its family and its application's appid, name and privacy URL, in one
/// read (the consent dashboard).
pub fn for_user_with_families(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<GrantInContext>> {
    grants::table
        .inner_join(token_families::table)
        .inner_join(applications::table)
        .filter(grants::user_id.eq(user_id))
        .select((
            grants::all_columns,
            token_families::all_columns,
            applications::appid,
            applications::name,
            applications::privacy_url,
        ))
        .order(grants::granted_at.asc())
        .load(conn)
}

/// Revoke every unrevoked grant of a user for an app (expired ones too); returns how many.
pub fn revoke_app_grants(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: i64,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        grants::table
            .filter(grants::user_id.eq(user_id))
            .filter(grants::application_id.eq(application_id))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)
}
