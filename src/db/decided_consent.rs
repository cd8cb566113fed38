//! `decided_consents`: the ids of consent forms already decided, so that each is decided once. A
//! row is kept until the form would have expired anyway; the primary key makes parallel decisions
//! of one form race safely (one insert wins, the others see a unique violation).

use super::schema::decided_consents;
use super::DbConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

/// Record `id` as decided (until `expires_at`), inside the caller's decision transaction, after
/// forgetting the ids whose forms have expired by `now`. False when it was decided before: the
/// caller must then grant nothing and roll back (on PostgreSQL the failed insert ended the
/// transaction's use).
pub fn consume(conn: &mut DbConnection, id: &str, expires_at: i64, now: i64) -> QueryResult<bool> {
    diesel::delete(decided_consents::table.filter(decided_consents::expires_at.lt(now)))
        .execute(conn)?;
    let inserted = diesel::insert_into(decided_consents::table)
        .values((
            decided_consents::id.eq(id),
            decided_consents::expires_at.eq(expires_at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}
