//! Coalesced reads of the check path: concurrent checks of delegation tokens read their families
//! (with grants) and their limiter counters together, one query each per batch (`IN (..)`,
//! `= ANY($1)`), instead of one of each per request.
//!
//! Freshness is kept: a request joins the batch that has NOT started yet, so every answer comes
//! from a read that began after its request arrived, and a revocation committed before a check
//! arrived is seen by it. Up to `max_in_flight` batches run at once (an idle server answers each
//! request with its own read, without waiting); a busy one gathers what arrives while those run.
//! Batches run on tasks of their own, so a client that goes away never strands the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::grant::{Family, Grant};
use super::limit::{Count, Counters};
use super::{Db, DbError};

/// At most this many requests share one read (the `IN` list stays small).
const MAX_BATCH: usize = 256;

/// What one request's check needs from storage.
#[derive(Debug)]
pub struct Read {
    /// Its family with grants, when one was asked for and exists (shared by the requests of
    /// the batch that asked for the same family).
    pub family: Option<Arc<(Family, Vec<Grant>)>>,
    /// The counts of its limiter keys, in their order.
    pub counts: Vec<Count>,
}

struct Job {
    family: Option<i64>,
    keys: Vec<String>,
    reply: oneshot::Sender<Result<Read, DbError>>,
}

#[derive(Default)]
struct Pending {
    jobs: Vec<Job>,
    in_flight: usize,
}

/// The coalescing reader (one per process, shared by every worker).
pub struct CheckReads {
    db: Db,
    counters: Arc<Counters>,
    max_in_flight: usize,
    pending: Mutex<Pending>,
    /// Batches read and requests answered from them, since start.
    batches: AtomicU64,
    requests: AtomicU64,
}

impl std::fmt::Debug for CheckReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckReads")
            .field("max_in_flight", &self.max_in_flight)
            .finish_non_exhaustive()
    }
}

impl CheckReads {
    /// The reader for `db` with a pool of `pool_size` connections. How many batches read at once
    /// was measured with benches/run on 2 cores (2026-12-01, pool of 8): SQLite's reads run side
    /// by side in-process, and 4 beat 2 by 1.16x; on PostgreSQL fewer, larger batches win (each
    /// read is a round trip and a backend's CPU): 2 beat 4 by 1.30x, and 1 was within noise of 2
    /// (kept at 2, so one slow read does not hold every check).
    pub fn for_pool(db: &Db, counters: Arc<Counters>) -> Arc<CheckReads> {
        let pool_size = db.pool_size();
        let batches = match db.backend() {
            super::Backend::Sqlite(_) => pool_size / 2,
            super::Backend::Postgres(_) => pool_size / 4,
        };
        Self::new(db.clone(), counters, batches)
    }

    /// A reader over `db` and `counters`, with at most `max_in_flight` batches at once.
    fn new(db: Db, counters: Arc<Counters>, max_in_flight: usize) -> Arc<CheckReads> {
        Arc::new(CheckReads {
            db,
            counters,
            max_in_flight: max_in_flight.max(1),
            pending: Mutex::new(Pending::default()),
            batches: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        })
    }

    /// (batches read, requests answered from them) since start: how much the reads were shared.
    pub fn shared(&self) -> (u64, u64) {
        (
            self.batches.load(Ordering::Relaxed),
            self.requests.load(Ordering::Relaxed),
        )
    }

    /// Read family `family` (if any) and the counts of `keys` in the next batch.
    pub async fn read(
        self: &Arc<Self>,
        family: Option<i64>,
        keys: Vec<String>,
    ) -> Result<Read, DbError> {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.jobs.push(Job {
                family,
                keys,
                reply,
            });
            let start = pending.in_flight < self.max_in_flight;
            if start {
                pending.in_flight += 1;
            }
            start
        };
        if start {
            let this = Arc::clone(self);
            tokio::spawn(async move { this.drain().await });
        }
        answer.await.map_err(|_| DbError::Blocking)?
    }

    /// Run batches until nothing is pending.
    async fn drain(self: Arc<Self>) {
        loop {
            let jobs: Vec<Job> = {
                let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                if pending.jobs.is_empty() {
                    pending.in_flight -= 1;
                    return;
                }
                let n = pending.jobs.len().min(MAX_BATCH);
                pending.jobs.drain(..n).collect()
            };
            self.batch(jobs).await;
        }
    }

    /// One read for `jobs`, each answered from it.
    async fn batch(&self, jobs: Vec<Job>) {
        let mut families: Vec<i64> = jobs.iter().filter_map(|j| j.family).collect();
        families.sort_unstable();
        families.dedup();
        let mut keys: Vec<String> = jobs.iter().flat_map(|j| j.keys.iter().cloned()).collect();
        keys.sort_unstable();
        keys.dedup();
        let counters = Arc::clone(&self.counters);
        // The batch's time is taken now, after every request in it arrived.
        let now = crate::clock::now();
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.requests
            .fetch_add(jobs.len() as u64, Ordering::Relaxed);
        let result = self
            .db
            .run(move |conn| {
                let read = super::grant::families_with_grants(conn, &families)?;
                let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
                let counts = counters.peek(conn, &refs, now)?;
                let counts: HashMap<String, Count> = keys.iter().cloned().zip(counts).collect();
                Ok::<_, DbError>((read, counts))
            })
            .await;
        match result {
            Ok((read, counts)) => {
                let read: HashMap<i64, Arc<(Family, Vec<Grant>)>> =
                    read.into_iter().map(|(id, f)| (id, Arc::new(f))).collect();
                let none = Count {
                    attempts: 0,
                    window_ends: now,
                };
                for job in jobs {
                    let family = job.family.and_then(|id| read.get(&id).map(Arc::clone));
                    let counts = job
                        .keys
                        .iter()
                        .map(|k| counts.get(k).copied().unwrap_or(none))
                        .collect();
                    let _ = job.reply.send(Ok(Read { family, counts }));
                }
            }
            Err(e) => {
                let cause = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(DbError::Shared(cause.clone())));
                }
            }
        }
    }
}
