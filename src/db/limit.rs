//! The counters behind [`crate::ratelimit`]: how many attempts a key (e.g.
//! `signin:account:ann@example.com`) made in its current window. With PostgreSQL they live in the
//! `limit_counters` table, so every instance on the database sees the same counts; each change is
//! ONE statement (upsert and increment, with the window reset in the same statement), so
//! concurrent requests on any instance never lose a count. With SQLite (one process) they stay in
//! this process's memory. The choice of backend is made here and nowhere else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use diesel::sql_types::{BigInt, Integer, Text};
use diesel::RunQueryDsl;

use super::{Backend, Db, DbConnection};

/// A key's attempts in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// Attempts counted in the window.
    pub attempts: u32,
    /// When the window ends (Unix seconds); after that the key counts from zero.
    pub window_ends: i64,
}

/// A counter never grows past this (a flood of attempts can not overflow it).
const CAP: i32 = 1_000_000;
/// How often an instance deletes ended windows.
const SWEEP_EVERY_SECS: i64 = 60;
/// Keys kept in memory before ended windows are dropped.
const MEMORY_SWEEP_AT: usize = 100_000;

/// Attempt counters, in memory (SQLite) or shared through PostgreSQL.
#[derive(Debug)]
pub enum Counters {
    /// This process's memory.
    Memory(Mutex<HashMap<String, Count>>),
    /// The `limit_counters` table; the time of this instance's last sweep of ended windows.
    Shared(AtomicI64),
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    window_ends: i64,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

impl Row {
    fn count(&self) -> Count {
        Count {
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            window_ends: self.window_ends,
        }
    }
}

fn pg(conn: &mut DbConnection) -> diesel::QueryResult<&mut diesel::PgConnection> {
    match conn {
        DbConnection::Pg(c) => Ok(c),
        DbConnection::Sqlite(_) => Err(diesel::result::Error::QueryBuilderError(
            "shared limit counters need a PostgreSQL connection".into(),
        )),
    }
}

impl Counters {
    /// The counters for `db`'s backend: shared through the database with PostgreSQL (several
    /// instances), in memory with SQLite (one process).
    pub fn for_db(db: &Db) -> Counters {
        match db.backend() {
            Backend::Postgres(_) => Counters::Shared(AtomicI64::new(0)),
            Backend::Sqlite(_) => Counters::Memory(Mutex::new(HashMap::new())),
        }
    }

    /// Are the counts shared by every instance on the database?
    pub fn is_shared(&self) -> bool {
        matches!(self, Counters::Shared(_))
    }

    /// Count one attempt for `key` and return the count including it. A key whose window ended
    /// (or that has none) starts a window of `window_secs` from `now`.
    pub fn hit(
        &self,
        conn: &mut DbConnection,
        key: &str,
        window_secs: i64,
        now: i64,
    ) -> diesel::QueryResult<Count> {
        let fresh = Count {
            attempts: 1,
            window_ends: now.saturating_add(window_secs.max(1)),
        };
        match self {
            Counters::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() > MEMORY_SWEEP_AT {
                    map.retain(|_, c| c.window_ends > now);
                }
                let count = map.entry(key.to_string()).or_insert(Count {
                    attempts: 0,
                    window_ends: fresh.window_ends,
                });
                if count.window_ends <= now {
                    *count = fresh;
                } else {
                    count.attempts = count.attempts.saturating_add(1).min(CAP as u32);
                }
                Ok(*count)
            }
            Counters::Shared(last_sweep) => {
                let conn = pg(conn)?;
                let row: Row = diesel::sql_query(
                    "INSERT INTO limit_counters (counter_key, window_ends, attempts) \
                     VALUES ($1, $2, 1) \
                     ON CONFLICT (counter_key) DO UPDATE SET \
                       window_ends = CASE WHEN limit_counters.window_ends <= $3 \
                         THEN EXCLUDED.window_ends ELSE limit_counters.window_ends END, \
                       attempts = CASE WHEN limit_counters.window_ends <= $3 \
                         THEN 1 ELSE LEAST(limit_counters.attempts + 1, $4) END \
                     RETURNING window_ends, attempts",
                )
                .bind::<Text, _>(key)
                .bind::<BigInt, _>(fresh.window_ends)
                .bind::<BigInt, _>(now)
                .bind::<Integer, _>(CAP)
                .get_result(conn)?;
                Self::sweep(last_sweep, conn, now)?;
                Ok(row.count())
            }
        }
    }

    /// Delete ended windows, at most once a minute per instance. Rows another transaction holds
    /// are skipped, so a sweep never waits (and never deadlocks with a request).
    fn sweep(
        last_sweep: &AtomicI64,
        conn: &mut diesel::PgConnection,
        now: i64,
    ) -> diesel::QueryResult<()> {
        let last = last_sweep.load(Ordering::Relaxed);
        if now - last < SWEEP_EVERY_SECS
            || last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        diesel::sql_query(
            "DELETE FROM limit_counters WHERE counter_key IN (SELECT counter_key FROM \
             limit_counters WHERE window_ends <= $1 LIMIT 10000 FOR UPDATE SKIP LOCKED)",
        )
        .bind::<BigInt, _>(now)
        .execute(conn)
        .map(|_| ())
    }

    /// The current counts of `keys`, in their order (zero attempts for a key without a window
    /// running at `now`). One read, whatever the number of keys.
    pub fn peek(
        &self,
        conn: &mut DbConnection,
        keys: &[&str],
        now: i64,
    ) -> diesel::QueryResult<Vec<Count>> {
        let none = Count {
            attempts: 0,
            window_ends: now,
        };
        match self {
            Counters::Memory(map) => {
                let map = map.lock().unwrap_or_else(|p| p.into_inner());
                Ok(keys
                    .iter()
                    .map(|k| {
                        map.get(*k)
                            .copied()
                            .filter(|c| c.window_ends > now)
                            .unwrap_or(none)
                    })
                    .collect())
            }
            Counters::Shared(_) => {
                let owned: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                let rows: Vec<(String, i64, i32)> =
                    super::cached::PeekCounters { keys: &owned, now }.load(pg(conn)?)?;
                Ok(keys
                    .iter()
                    .map(|k| {
                        rows.iter().find(|r| r.0 == *k).map_or(
                            none,
                            |&(_, window_ends, attempts)| {
                                Row {
                                    window_ends,
                                    attempts,
                                }
                                .count()
                            },
                        )
                    })
                    .collect())
            }
        }
    }

    /// Take back one attempt of `key` counted by [`Counters::hit`] in the window ending at
    /// `window_ends` (nothing when that window is over or the key was cleared since).
    pub fn release(
        &self,
        conn: &mut DbConnection,
        key: &str,
        window_ends: i64,
    ) -> diesel::QueryResult<()> {
        match self {
            Counters::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(c) = map.get_mut(key) {
                    if c.window_ends == window_ends {
                        c.attempts = c.attempts.saturating_sub(1);
                    }
                }
                Ok(())
            }
            Counters::Shared(_) => diesel::sql_query(
                "UPDATE limit_counters SET attempts = attempts - 1 \
                 WHERE counter_key = $1 AND window_ends = $2 AND attempts > 0",
            )
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(window_ends)
            .execute(pg(conn)?)
            .map(|_| ()),
        }
    }

    /// Forget `key`'s attempts.
    pub fn clear(&self, conn: &mut DbConnection, key: &str) -> diesel::QueryResult<()> {
        match self {
            Counters::Memory(map) => {
                map.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
                Ok(())
            }
            Counters::Shared(_) => {
                diesel::sql_query("DELETE FROM limit_counters WHERE counter_key = $1")
                    .bind::<Text, _>(key)
                    .execute(pg(conn)?)
                    .map(|_| ())
            }
        }
    }
}
