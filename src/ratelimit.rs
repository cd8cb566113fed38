//! Limits on failed credentials (passwords, client and provider secrets) and on sign-ups, per
//! client IP and per subject (account email, client id), over a fixed window. The counts live in
//! [`crate::db::limit::Counters`]: shared by every instance through PostgreSQL, in memory with
//! SQLite.
//!
//! Two ways to decide, both with ONE atomic count per attempt, so N parallel attempts get at most
//! the limit's worth of answers, whatever the timing:
//! - passwords (argon2, slow): [`FailureLimiter::reserve`] counts the attempt BEFORE the password
//!   is verified; past the limit nothing is verified. Success forgives ([`FailureLimiter::forgive`]).
//! - random secrets (compared in constant time, fast): [`FailureLimiter::after_check`] decides right
//!   after the comparison: a wrong secret is counted and answered by its own count, a right one is
//!   refused while the limit is reached. A success does not forgive: clients succeed all the time.

use std::sync::Arc;

use crate::db::limit::{Count, Counters};
use crate::db::{Db, DbConnection, DbError};

/// At most `max` per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed in one window.
    pub max: u32,
    /// The window, in seconds.
    pub window_secs: i64,
}

/// One kind of limit (sign-in, client secrets, sign-up), per IP and per subject.
#[derive(Debug, Clone)]
pub struct FailureLimiter {
    counters: Arc<Counters>,
    scope: &'static str,
    per_subject: Limit,
    per_ip: Limit,
}

/// The attempts [`FailureLimiter::reserve`] counted. Dropping it keeps them counted (a failure);
/// [`FailureLimiter::forgive`] and [`FailureLimiter::release`] take them back.
#[derive(Debug, Clone)]
pub struct Reservation {
    ip: (String, i64),
    subject: Option<(String, i64)>,
}

/// What [`FailureLimiter::after_check`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The right credentials, and the limit is not reached.
    Allowed,
    /// Wrong credentials, counted; the limit is not exceeded yet.
    Wrong,
    /// 429: the limit is reached (right or wrong, the credentials are not accepted).
    Limited {
        /// Seconds until the window ends.
        retry_after: i64,
    },
}

fn retry_after(count: Count, now: i64) -> i64 {
    (count.window_ends - now).max(1)
}

impl FailureLimiter {
    /// A limiter named `scope` (the prefix of its keys) over `counters`.
    pub fn new(
        counters: Arc<Counters>,
        scope: &'static str,
        per_subject: Limit,
        per_ip: Limit,
    ) -> Self {
        FailureLimiter {
            counters,
            scope,
            per_subject,
            per_ip,
        }
    }

    fn ip_key(&self, ip: &str) -> String {
        format!("{}:ip:{ip}", self.scope)
    }

    fn subject_key(&self, subject: &str) -> String {
        format!("{}:subject:{subject}", self.scope)
    }

    /// Count an attempt before its credentials are verified. `Ok(Err(retry_after))` when the IP or
    /// the subject already used its limit: nothing is counted then and nothing may be verified.
    pub fn reserve(
        &self,
        conn: &mut DbConnection,
        ip: &str,
        subject: Option<&str>,
        now: i64,
    ) -> diesel::QueryResult<Result<Reservation, i64>> {
        let c = &self.counters;
        let ip_key = self.ip_key(ip);
        let ip_count = c.hit(conn, &ip_key, self.per_ip.window_secs, now)?;
        if ip_count.attempts > self.per_ip.max {
            c.release(conn, &ip_key, ip_count.window_ends)?;
            crate::metrics::limiter_refusal(self.scope, "ip");
            return Ok(Err(retry_after(ip_count, now)));
        }
        let mut reservation = Reservation {
            ip: (ip_key, ip_count.window_ends),
            subject: None,
        };
        if let Some(subject) = subject {
            let key = self.subject_key(subject);
            let count = c.hit(conn, &key, self.per_subject.window_secs, now)?;
            reservation.subject = Some((key, count.window_ends));
            if count.attempts > self.per_subject.max {
                self.release(conn, reservation)?;
                crate::metrics::limiter_refusal(self.scope, "subject");
                return Ok(Err(retry_after(count, now)));
            }
        }
        Ok(Ok(reservation))
    }

    /// The attempt succeeded: the subject's failures are forgotten and the IP's count taken back.
    pub fn forgive(&self, conn: &mut DbConnection, r: Reservation) -> diesel::QueryResult<()> {
        if let Some((key, _)) = &r.subject {
            self.counters.clear(conn, key)?;
        }
        self.counters.release(conn, &r.ip.0, r.ip.1)
    }

    /// The attempt was not decided (e.g. storage failed): take back what it counted.
    pub fn release(&self, conn: &mut DbConnection, r: Reservation) -> diesel::QueryResult<()> {
        if let Some((key, ends)) = &r.subject {
            self.counters.release(conn, key, *ends)?;
        }
        self.counters.release(conn, &r.ip.0, r.ip.1)
    }

    /// The counter keys a right attempt's verdict reads: the IP's, then the subject's.
    pub fn right_keys(&self, ip: &str, subject: &str) -> [String; 2] {
        [self.ip_key(ip), self.subject_key(subject)]
    }

    /// The verdict of a right attempt from the counts of [`FailureLimiter::right_keys`], in that
    /// order: [`Verdict::Limited`] while either is at its limit, else [`Verdict::Allowed`].
    pub fn right_verdict(&self, counts: &[Count], now: i64) -> Verdict {
        let limits = [(self.per_ip, "ip"), (self.per_subject, "subject")];
        let over: Vec<(Count, &str)> = counts
            .iter()
            .zip(limits)
            .filter(|(count, (limit, _))| count.attempts >= limit.max)
            .map(|(count, (_, by))| (*count, by))
            .collect();
        if let Some((_, by)) = over.first() {
            crate::metrics::limiter_refusal(self.scope, by);
        }
        match over.into_iter().map(|(c, _)| retry_after(c, now)).max() {
            Some(retry_after) => Verdict::Limited { retry_after },
            None => Verdict::Allowed,
        }
    }

    /// The counters this limiter counts in (the coalesced check peeks them with its batch).
    pub fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    /// The decision right after credentials were compared (`right`), in one atomic step per key:
    /// a wrong attempt is counted (IP first; the subject only while the IP is within its limit)
    /// and is [`Verdict::Limited`] once a count exceeds its limit; a right one is
    /// [`Verdict::Limited`] while either count is at its limit.
    pub fn after_check(
        &self,
        conn: &mut DbConnection,
        ip: &str,
        subject: &str,
        right: bool,
        now: i64,
    ) -> diesel::QueryResult<Verdict> {
        let c = &self.counters;
        if right {
            let [ip_key, subject_key] = self.right_keys(ip, subject);
            let counts = c.peek(conn, &[&ip_key, &subject_key], now)?;
            return Ok(self.right_verdict(&counts, now));
        }
        let (ip_key, subject_key) = (self.ip_key(ip), self.subject_key(subject));
        let mut over = Vec::new();
        let ip_count = c.hit(conn, &ip_key, self.per_ip.window_secs, now)?;
        if ip_count.attempts > self.per_ip.max {
            over.push((ip_count, "ip"));
        } else {
            let count = c.hit(conn, &subject_key, self.per_subject.window_secs, now)?;
            if count.attempts > self.per_subject.max {
                over.push((count, "subject"));
            }
        }
        // One refusal, named by the first count that is over (the IP's when both are).
        if let Some((_, by)) = over.first() {
            crate::metrics::limiter_refusal(self.scope, by);
        }
        Ok(
            match over.into_iter().map(|(c, _)| retry_after(c, now)).max() {
                Some(retry_after) => Verdict::Limited { retry_after },
                None => Verdict::Wrong,
            },
        )
    }

    /// [`FailureLimiter::reserve`] on a pooled connection.
    pub async fn reserve_in(
        &self,
        db: &Db,
        ip: &str,
        subject: Option<&str>,
        now: i64,
    ) -> Result<Result<Reservation, i64>, DbError> {
        let (me, ip, subject) = (self.clone(), ip.to_string(), subject.map(str::to_string));
        db.run(move |conn| {
            me.reserve(conn, &ip, subject.as_deref(), now)
                .map_err(DbError::from)
        })
        .await
    }

    /// [`FailureLimiter::forgive`] on a pooled connection.
    pub async fn forgive_in(&self, db: &Db, r: Reservation) -> Result<(), DbError> {
        let me = self.clone();
        db.run(move |conn| me.forgive(conn, r.clone()).map_err(DbError::from))
            .await
    }

    /// [`FailureLimiter::release`] on a pooled connection.
    pub async fn release_in(&self, db: &Db, r: Reservation) -> Result<(), DbError> {
        let me = self.clone();
        db.run(move |conn| me.release(conn, r.clone()).map_err(DbError::from))
            .await
    }
}

/// Every limit of the server, over one set of counters.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Failed passwords (browser sign-in, `POST /tokens`, password change), per account and IP.
    pub sign_in: FailureLimiter,
    /// Failed client and provider secrets (OAuth endpoints, `POST /delegation/check`), per
    /// client id and IP.
    pub secrets: FailureLimiter,
    /// Account creations (`POST /signup`), per IP.
    pub sign_up: FailureLimiter,
}

impl Limits {
    /// The configured limits over the counters `db` keeps them in ([`Counters::for_db`]).
    pub fn for_db(security: &crate::config::SecurityConfig, db: &Db) -> Limits {
        Limits::new(security, Counters::for_db(db))
    }

    /// The configured limits over `counters`.
    pub fn new(security: &crate::config::SecurityConfig, counters: Counters) -> Limits {
        let counters = Arc::new(counters);
        let limit = |max, window_secs| Limit { max, window_secs };
        let s = security;
        Limits {
            sign_in: FailureLimiter::new(
                counters.clone(),
                "signin",
                limit(s.sign_in_max_failures_per_account, s.sign_in_window_secs),
                limit(s.sign_in_max_failures_per_ip, s.sign_in_window_secs),
            ),
            secrets: FailureLimiter::new(
                counters.clone(),
                "secret",
                limit(
                    s.client_secret_max_failures_per_client,
                    s.client_secret_window_secs,
                ),
                limit(
                    s.client_secret_max_failures_per_ip,
                    s.client_secret_window_secs,
                ),
            ),
            sign_up: FailureLimiter::new(
                counters,
                "signup",
                limit(s.sign_up_max_per_ip, s.sign_up_window_secs),
                limit(s.sign_up_max_per_ip, s.sign_up_window_secs),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_subject: u32, per_ip: u32) -> (FailureLimiter, Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let db = Db::connect(&url, 1, 1000).unwrap();
        let counters = Arc::new(Counters::for_db(&db));
        let l = FailureLimiter::new(
            counters,
            "t",
            Limit {
                max: per_subject,
                window_secs: 60,
            },
            Limit {
                max: per_ip,
                window_secs: 60,
            },
        );
        (l, db, dir)
    }

    #[test]
    fn reservations_stop_at_the_limit_and_a_success_forgives_the_account() {
        let (l, db, _dir) = limiter(3, 100);
        db.run_sync(|conn| {
            let held: Vec<_> = (0..3)
                .map(|_| l.reserve(conn, "1.1.1.1", Some("a"), 1000).unwrap())
                .collect();
            assert!(held.iter().all(Result::is_ok));
            assert_eq!(l.reserve(conn, "2.2.2.2", Some("a"), 1010)?.err(), Some(50));
            assert!(l.reserve(conn, "2.2.2.2", Some("b"), 1010)?.is_ok());
            let again = l.reserve(conn, "2.2.2.2", Some("a"), 1060)?.unwrap();
            l.forgive(conn, again)?;
            assert!(l.reserve(conn, "2.2.2.2", Some("a"), 1061)?.is_ok());
            Ok::<_, DbError>(())
        })
        .unwrap();
    }

    #[test]
    fn an_ip_is_limited_across_subjects_and_wrong_secrets_lock_out_the_right_one() {
        let (l, db, _dir) = limiter(2, 3);
        db.run_sync(|conn| {
            assert_eq!(l.after_check(conn, "ip", "c", false, 0)?, Verdict::Wrong);
            assert_eq!(l.after_check(conn, "ip", "c", false, 0)?, Verdict::Wrong);
            let limited = Verdict::Limited { retry_after: 59 };
            assert_eq!(l.after_check(conn, "ip", "c", false, 1)?, limited);
            assert_eq!(l.after_check(conn, "other", "c", true, 1)?, limited);
            assert_eq!(
                l.after_check(conn, "other", "d", true, 1)?,
                Verdict::Allowed
            );
            assert!(l.reserve(conn, "ip", None, 1)?.is_err());
            Ok::<_, DbError>(())
        })
        .unwrap();
    }
}
