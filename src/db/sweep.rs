//! The storage sweeper's deletes: what is past its retention, in batches (each a short write, so
//! that requests are never kept waiting behind a long one). The rules are in `crate::sweeper`.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{
    audit_events, authorization_codes, device_tokens, email_tokens, grants, refresh_tokens,
    sessions, token_families,
};
use super::DbConnection;

/// Times before which each kind of row goes (Unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Cutoffs {
    /// Now: sessions and device tokens expired before it go.
    pub now: i64,
    /// Refresh tokens consumed (rotated away) before it go.
    pub consumed_before: i64,
    /// Families that ended before it go, with their grants and tokens.
    pub ended_before: i64,
    /// Audit events (the user's history) before it go.
    pub history_before: i64,
    /// Authorization codes that expired before it go.
    pub codes_before: i64,
}

/// How many rows one pass deleted, by kind.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Swept {
    /// Consumed refresh tokens of families that go on.
    pub consumed_refresh_tokens: usize,
    /// Ended families (their grants and refresh tokens went with them).
    pub ended_families: usize,
    /// Expired sign-in sessions.
    pub sessions: usize,
    /// Expired device tokens.
    pub device_tokens: usize,
    /// Expired authorization codes.
    pub codes: usize,
    /// Audit events older than the history kept.
    pub audit_events: usize,
    /// Emailed links (verification, password reset) that expired unused.
    pub email_links: usize,
}

impl Swept {
    /// The sum over every kind.
    pub fn total(&self) -> usize {
        self.consumed_refresh_tokens
            + self.ended_families
            + self.sessions
            + self.device_tokens
            + self.codes
            + self.audit_events
            + self.email_links
    }

    /// Add `other` to this.
    pub fn add(&mut self, other: &Swept) {
        self.consumed_refresh_tokens += other.consumed_refresh_tokens;
        self.ended_families += other.ended_families;
        self.sessions += other.sessions;
        self.device_tokens += other.device_tokens;
        self.codes += other.codes;
        self.audit_events += other.audit_events;
        self.email_links += other.email_links;
    }
}

/// Delete at most `limit` rows of each kind past `cut`. Call in a transaction; call again while
/// some kind deleted `limit` rows.
pub fn batch(conn: &mut DbConnection, cut: &Cutoffs, limit: i64) -> QueryResult<Swept> {
    let consumed: Vec<i64> = refresh_tokens::table
        .filter(refresh_tokens::consumed_at.lt(cut.consumed_before))
        .select(refresh_tokens::id)
        .limit(limit)
        .load(conn)?;
    let consumed_refresh_tokens =
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::id.eq_any(&consumed)))
            .execute(conn)?;

    // Ended before the cutoff: revoked as a whole then, or no permission of it was still in force
    // (unrevoked and unexpired, or revoked only later) at the cutoff.
    let in_force_at_cutoff = grants::table.filter(
        grants::family_id.eq(token_families::id).and(
            grants::revoked_at
                .is_null()
                .and(grants::expires_at.ge(cut.ended_before))
                .or(grants::revoked_at.ge(cut.ended_before)),
        ),
    );
    let ended: Vec<i64> = token_families::table
        .filter(
            token_families::revoked_at
                .lt(cut.ended_before)
                .or(token_families::revoked_at
                    .is_null()
                    .and(not(exists(in_force_at_cutoff)))),
        )
        .select(token_families::id)
        .limit(limit)
        .load(conn)?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::family_id.eq_any(&ended)))
        .execute(conn)?;
    diesel::delete(grants::table.filter(grants::family_id.eq_any(&ended))).execute(conn)?;
    diesel::delete(
        authorization_codes::table.filter(authorization_codes::family_id.eq_any(&ended)),
    )
    .execute(conn)?;
    let ended_families =
        diesel::delete(token_families::table.filter(token_families::id.eq_any(&ended)))
            .execute(conn)?;

    let expired: Vec<i64> = sessions::table
        .filter(sessions::expires_at.lt(cut.now))
        .select(sessions::id)
        .limit(limit)
        .load(conn)?;
    let sessions =
        diesel::delete(sessions::table.filter(sessions::id.eq_any(&expired))).execute(conn)?;

    let expired: Vec<i64> = device_tokens::table
        .filter(device_tokens::expires_at.lt(cut.now))
        .select(device_tokens::id)
        .limit(limit)
        .load(conn)?;
    let device_tokens =
        diesel::delete(device_tokens::table.filter(device_tokens::id.eq_any(&expired)))
            .execute(conn)?;

    let expired: Vec<i64> = authorization_codes::table
        .filter(authorization_codes::expires_at.lt(cut.codes_before))
        .select(authorization_codes::id)
        .limit(limit)
        .load(conn)?;
    let codes =
        diesel::delete(authorization_codes::table.filter(authorization_codes::id.eq_any(&expired)))
            .execute(conn)?;

    let old: Vec<i64> = audit_events::table
        .filter(audit_events::at.lt(cut.history_before))
        .select(audit_events::id)
        .limit(limit)
        .load(conn)?;
    let audit_events =
        diesel::delete(audit_events::table.filter(audit_events::id.eq_any(&old))).execute(conn)?;

    let expired: Vec<String> = email_tokens::table
        .filter(email_tokens::expires_at.lt(cut.now))
        .select(email_tokens::token_hash)
        .limit(limit)
        .load(conn)?;
    let email_links =
        diesel::delete(email_tokens::table.filter(email_tokens::token_hash.eq_any(&expired)))
            .execute(conn)?;

    Ok(Swept {
        email_links,
        consumed_refresh_tokens,
        ended_families,
        sessions,
        device_tokens,
        codes,
        audit_events,
    })
}

/// After a sweep on SQLite: copy the write-ahead log into the database and truncate it, so the
/// log file does not stay at its high-water mark. Nothing to do on PostgreSQL.
pub fn truncate_log(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
        DbConnection::Pg(_) => Ok(()),
    }
}
