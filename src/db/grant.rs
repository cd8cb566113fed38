//! `grants`, `token_families`: what a user granted to an app, in families whose rotating refresh
//! tokens are in `refresh_token`.

use super::schema::{applications, grants, refresh_tokens, token_families};
use super::DbConnection;
use diesel::prelude::*;

/// A grant row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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
    /// Neither revoked nor expired at `now` (the rule: [`crate::domain::grant::is_active`]).
    pub fn is_active(&self, now: i64) -> bool {
        crate::domain::grant::is_active(self.revoked_at, self.expires_at, now)
    }
}

/// A token-family row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = token_families)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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
    /// OAuth: what the authorization request asked for, space-separated (None for Live).
    pub requested_scope: Option<String>,
}

/// A family to insert (not revoked).
#[derive(Insertable)]
// NULL for None (these columns have no default) keeps the statement cacheable as a
// prepared statement; the default would make diesel rebuild and re-prepare it every time.
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = token_families, treat_none_as_null = true)]
struct NewFamily<'a> {
    id: i64,
    user_id: i64,
    application_id: i64,
    protocol: &'a str,
    resource: Option<&'a str>,
    created_at: i64,
    last_used_at: i64,
}

/// A grant to insert (not revoked).
#[derive(Insertable)]
// NULL for None (these columns have no default) keeps the statement cacheable as a
// prepared statement; the default would make diesel rebuild and re-prepare it every time.
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = grants, treat_none_as_null = true)]
struct NewGrant<'a> {
    id: i64,
    family_id: i64,
    user_id: i64,
    application_id: i64,
    permission: &'a str,
    resource: Option<&'a str>,
    granted_at: i64,
    expires_at: i64,
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
        .values(NewFamily {
            id,
            user_id,
            application_id,
            protocol,
            resource,
            created_at: now,
            last_used_at: now,
        })
        .execute(conn)
        .map(|_| ())
}

/// Record what an OAuth family's authorization request asked for (space-separated).
pub fn set_requested_scope(
    conn: &mut DbConnection,
    family_id: i64,
    requested: &str,
) -> QueryResult<()> {
    diesel::update(token_families::table.filter(token_families::id.eq(family_id)))
        .set(token_families::requested_scope.eq(requested))
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
        .values(NewGrant {
            id: super::new_id()?,
            family_id,
            user_id,
            application_id,
            permission,
            resource,
            granted_at: now,
            expires_at,
        })
        .execute(conn)
        .map(|_| ())
}

/// End every refresh token of a family: consume them all and mark the family revoked.
pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: i64,
    reason: &str,
    now: i64,
) -> QueryResult<()> {
    let ended = diesel::update(
        token_families::table
            .filter(token_families::id.eq(family_id))
            .filter(token_families::revoked_at.is_null()),
    )
    .set((
        token_families::revoked_at.eq(now),
        token_families::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    if ended > 0 {
        crate::metrics::revocation(reason);
    }
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
    let n = super::cached::execute(conn, super::cached::TouchFamily { family_id, now })?;
    Ok(n == 1)
}

/// Every grant of a family.
pub fn family_grants(conn: &mut DbConnection, family_id: i64) -> QueryResult<Vec<Grant>> {
    grants::table
        .filter(grants::family_id.eq(family_id))
        .select(Grant::as_select())
        .load(conn)
}

/// A family with its grants, in one indexed read (the check endpoint's hot path).
pub fn family_with_grants(
    conn: &mut DbConnection,
    family_id: i64,
) -> QueryResult<Option<(Family, Vec<Grant>)>> {
    Ok(families_with_grants(conn, &[family_id])?.remove(&family_id))
}

/// [`family_with_grants`] for many families in one read (the coalesced check reads a batch of
/// concurrent requests' families this way). Families that do not exist are absent.
pub fn families_with_grants(
    conn: &mut DbConnection,
    family_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, (Family, Vec<Grant>)>> {
    let mut out: std::collections::HashMap<i64, (Family, Vec<Grant>)> =
        std::collections::HashMap::with_capacity(family_ids.len());
    if family_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Family, Option<Grant>)> = super::on_backend!(conn, |c| {
        token_families::table
            .left_join(grants::table)
            .filter(token_families::id.eq_any(family_ids))
            .select((Family::as_select(), Option::<Grant>::as_select()))
            .load(c)
    })?;
    for (family, grant) in rows {
        let entry = out.entry(family.id).or_insert_with(|| (family, Vec::new()));
        entry.1.extend(grant);
    }
    Ok(out)
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
        .select(Grant::as_select())
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
            Grant::as_select(),
            Family::as_select(),
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

/// Revoke every unrevoked grant of a user (all apps); returns how many.
pub fn revoke_all_for_user(conn: &mut DbConnection, user_id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        grants::table
            .filter(grants::user_id.eq(user_id))
            .filter(grants::revoked_at.is_null()),
    )
    .set(grants::revoked_at.eq(now))
    .execute(conn)
}

/// Every family of a user that is not revoked (all apps).
pub fn live_families_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<i64>> {
    token_families::table
        .filter(token_families::user_id.eq(user_id))
        .filter(token_families::revoked_at.is_null())
        .select(token_families::id)
        .load(conn)
}
