//! `audit_events`: the consent history (grants, refreshes, revocations, reuse detections).

use super::schema::audit_events;
use super::DbConnection;
use diesel::prelude::*;

/// An audit event row.
#[derive(Debug, Clone, Queryable)]
pub struct AuditEvent {
    /// Primary key.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// `grant`, `refresh`, `revoke`, `revoke_app`, `reuse_detected`, ...
    pub kind: String,
    /// The user.
    pub user_id: Option<i64>,
    /// The application (primary key).
    pub application_id: Option<i64>,
    /// The family.
    pub family_id: Option<i64>,
    /// Human-readable, never a secret.
    pub detail: String,
}

/// An id that sorts by insertion time (microseconds, then 8 random bits), so events of the same
/// second keep their order in the history.
fn ordered_id() -> QueryResult<i64> {
    let micros = crate::clock::now_micros();
    let random = crate::crypto::random_bytes::<1>()
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    Ok((micros << 8) | i64::from(random[0]))
}

/// Record an event (inside the transaction of the change it describes).
pub fn record(
    conn: &mut DbConnection,
    at: i64,
    kind: &str,
    user_id: Option<i64>,
    application_id: Option<i64>,
    family_id: Option<i64>,
    detail: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(ordered_id()?),
            audit_events::at.eq(at),
            audit_events::kind.eq(kind),
            audit_events::user_id.eq(user_id),
            audit_events::application_id.eq(application_id),
            audit_events::family_id.eq(family_id),
            audit_events::detail.eq(detail),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A user's events, newest first, one page.
pub fn for_user(
    conn: &mut DbConnection,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::user_id.eq(user_id))
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

/// How many events a user has (for the history's page count).
pub fn count_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    audit_events::table
        .filter(audit_events::user_id.eq(user_id))
        .count()
        .get_result(conn)
}
