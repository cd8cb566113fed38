//! `audit_events`: the consent history (grants, refreshes, revocations, reuse detections).

use super::schema::audit_events;
use super::DbConnection;
use diesel::prelude::*;

/// An audit event row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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

/// An audit event to insert.
#[derive(Insertable)]
// NULL for None (these columns have no default) keeps the statement cacheable as a
// prepared statement; the default would make diesel rebuild and re-prepare it every time.
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = audit_events, treat_none_as_null = true)]
struct NewAuditEvent<'a> {
    id: i64,
    at: i64,
    kind: &'a str,
    user_id: Option<i64>,
    application_id: Option<i64>,
    family_id: Option<i64>,
    detail: &'a str,
}

/// 2020-01-01T00:00:00Z in Unix microseconds: the epoch of [`ordered_id`].
const ID_EPOCH_MICROS: i64 = 1_577_836_800_000_000;

/// The last id this process handed out.
static LAST_ID: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// An id that sorts by insertion time, so events of the same second keep their order in the
/// history: microseconds since 2020 (enough until 2091), then 12 random bits, and always above the
/// last id of this process. Two events of one process never collide, whatever the load (the first
/// layout, micros then 8 random bits, did once in about 20,000 events at 2,000 events/s, and the
/// insert failed); two instances collide only on the same microsecond and the same 12 bits. Ids of
/// that first layout are all smaller, so the order holds across the change.
pub(crate) fn ordered_id() -> QueryResult<i64> {
    use std::sync::atomic::Ordering;
    let micros = crate::clock::now_micros() - ID_EPOCH_MICROS;
    let random = crate::crypto::random_bytes::<2>()
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    let candidate = (micros << 12) | i64::from(u16::from_be_bytes(random) & 0x0fff);
    let mut last = LAST_ID.load(Ordering::Relaxed);
    loop {
        let next = candidate.max(last + 1);
        match LAST_ID.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Ok(next),
            Err(seen) => last = seen,
        }
    }
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
    let id = ordered_id()?;
    record_with_id(
        conn,
        id,
        at,
        kind,
        user_id,
        application_id,
        family_id,
        detail,
    )
}

/// [`record`] with an id from [`ordered_id`] taken earlier.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_with_id(
    conn: &mut DbConnection,
    id: i64,
    at: i64,
    kind: &str,
    user_id: Option<i64>,
    application_id: Option<i64>,
    family_id: Option<i64>,
    detail: &str,
) -> QueryResult<()> {
    let row = NewAuditEvent {
        id,
        at,
        kind,
        user_id,
        application_id,
        family_id,
        detail,
    };
    super::on_backend!(conn, |c| diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(c))
    .map(|_| ())
}

/// A user's events (only those about `application_id` when given), newest first, one page.
pub fn for_user(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<AuditEvent>> {
    super::on_backend!(conn, |c| {
        let mut query = audit_events::table
            .filter(audit_events::user_id.eq(user_id))
            .into_boxed();
        if let Some(app) = application_id {
            query = query.filter(audit_events::application_id.eq(app));
        }
        query
            .order((audit_events::at.desc(), audit_events::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(AuditEvent::as_select())
            .load(c)
    })
}

/// How many events a user has (only those about `application_id` when given).
pub fn count_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: Option<i64>,
) -> QueryResult<i64> {
    super::on_backend!(conn, |c| {
        let mut query = audit_events::table
            .filter(audit_events::user_id.eq(user_id))
            .into_boxed();
        if let Some(app) = application_id {
            query = query.filter(audit_events::application_id.eq(app));
        }
        query.count().get_result(c)
    })
}

/// Every event of a user, oldest first (the data download).
pub fn all_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::user_id.eq(user_id))
        .order((audit_events::at.asc(), audit_events::id.asc()))
        .select(AuditEvent::as_select())
        .load(conn)
}

/// The applications a user's events are about, as (primary key, appid, name), in one read (the
/// history's filter and app names).
pub fn applications_of_user(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Vec<(i64, String, String)>> {
    use super::schema::applications;
    let ids = audit_events::table
        .filter(audit_events::user_id.eq(user_id))
        .filter(audit_events::application_id.is_not_null())
        .select(audit_events::application_id.assume_not_null());
    applications::table
        .filter(applications::id.eq_any(ids))
        .select((applications::id, applications::appid, applications::name))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_ids_are_unique_and_increasing_under_contention() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let ids: Vec<i64> = (0..20_000).map(|_| ordered_id().unwrap()).collect();
                    assert!(ids.windows(2).all(|w| w[0] < w[1]), "increasing per thread");
                    ids
                })
            })
            .collect();
        let mut all: Vec<i64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "no two ids alike");
        // Above every id of the first layout (Unix micros << 8) for the same moment.
        assert!(all[0] > crate::clock::now_micros() << 8);
    }
}
