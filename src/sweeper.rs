//! The storage sweeper: deletes what Assent no longer needs, by the `[retention]` rules, so that
//! storage stays flat once the retention times are reached.
//!
//! What goes, and when (docs in the README's Retention section):
//! - a refresh token rotated away more than `consumed_refresh_secs` ago (until then, presenting it
//!   again is reuse and ends its grant; afterwards it is unknown, which is refused all the same);
//! - a grant family that ended (revoked, or every permission expired or removed) more than
//!   `ended_grant_secs` ago, with its permissions, refresh tokens and authorization codes;
//! - expired sign-in sessions and device tokens; authorization codes a day after they expired
//!   (a replay within that day still revokes what the code gave);
//! - history (audit events) older than `history_secs`.
//!
//! Every batch is its own short transaction; any number of instances may sweep the same database.

use crate::config::RetentionConfig;
use crate::db::sweep::{self, Cutoffs, Swept};
use crate::db::{Db, DbError};

/// Rows per kind per transaction.
const BATCH: i64 = 1_000;

/// How long an expired authorization code is kept (replay detection after expiry).
const CODE_GRACE_SECS: i64 = 86_400;

/// The cutoffs of `rules` at `now`.
pub fn cutoffs(rules: &RetentionConfig, now: i64) -> Cutoffs {
    Cutoffs {
        now,
        consumed_before: now - rules.consumed_refresh_secs.max(0),
        ended_before: now - rules.ended_grant_secs.max(0),
        history_before: now - rules.history_secs.max(0),
        codes_before: now - CODE_GRACE_SECS,
    }
}

/// One full sweep at `now`: batches until nothing past its time is left, then (SQLite) the
/// write-ahead log is truncated. Synchronous: call from a blocking thread.
pub fn sweep(db: &Db, rules: &RetentionConfig, now: i64) -> Result<Swept, DbError> {
    let cut = cutoffs(rules, now);
    let mut total = Swept::default();
    loop {
        let swept =
            db.transaction_sync(|conn| sweep::batch(conn, &cut, BATCH).map_err(DbError::from))?;
        total.add(&swept);
        if !more_left(&swept) {
            break;
        }
    }
    db.run_sync(|conn| sweep::truncate_log(conn).map_err(DbError::from))?;
    Ok(total)
}

fn more_left(s: &Swept) -> bool {
    let full = BATCH as usize;
    [
        s.consumed_refresh_tokens,
        s.ended_families,
        s.sessions,
        s.device_tokens,
        s.codes,
        s.audit_events,
    ]
    .iter()
    .any(|&n| n >= full)
}

/// Sweep every `sweep_every_secs` on a thread of its own while `db` lives elsewhere (the thread
/// holds a clone). A failed sweep is logged and tried again next time.
pub fn spawn(db: Db, rules: RetentionConfig) {
    if rules.sweep_every_secs == 0 {
        return;
    }
    let every = std::time::Duration::from_secs(rules.sweep_every_secs);
    let started = std::thread::Builder::new()
        .name("storage-sweeper".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            match sweep(&db, &rules, crate::clock::now()) {
                Ok(swept) if swept.total() > 0 => tracing::info!(
                    consumed_refresh_tokens = swept.consumed_refresh_tokens,
                    ended_families = swept.ended_families,
                    sessions = swept.sessions,
                    device_tokens = swept.device_tokens,
                    codes = swept.codes,
                    audit_events = swept.audit_events,
                    "storage swept"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "storage sweep failed; trying again later"),
            }
        });
    if let Err(e) = started {
        tracing::warn!(error = %e, "the storage sweeper thread could not start");
    }
}
