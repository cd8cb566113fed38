//! Limits on failed sign-ins, per client IP and per account, over a sliding window. Kept in this
//! process's memory: with several instances each enforces its own limit.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: i64,
    failures: u32,
}

/// Counts failures and says when to refuse.
#[derive(Debug)]
pub struct FailureLimiter {
    counts: Mutex<HashMap<String, Window>>,
    max_per_account: u32,
    max_per_ip: u32,
    window_secs: i64,
}

impl FailureLimiter {
    /// A limiter allowing `max_per_account` and `max_per_ip` failures per `window_secs`.
    pub fn new(max_per_account: u32, max_per_ip: u32, window_secs: i64) -> Self {
        FailureLimiter {
            counts: Mutex::new(HashMap::new()),
            max_per_account,
            max_per_ip,
            window_secs: window_secs.max(1),
        }
    }

    fn keys(ip: &str, account: &str) -> [String; 2] {
        [format!("ip:{ip}"), format!("account:{account}")]
    }

    /// `Err(retry_after_secs)` when either limit is reached.
    pub fn check(&self, ip: &str, account: &str, now: i64) -> Result<(), i64> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let [ip_key, account_key] = Self::keys(ip, account);
        let mut retry = 0;
        for (key, max) in [
            (ip_key, self.max_per_ip),
            (account_key, self.max_per_account),
        ] {
            if let Some(w) = counts.get(&key) {
                let ends = w.started + self.window_secs;
                if now < ends && w.failures >= max {
                    retry = retry.max(ends - now);
                }
            }
        }
        if retry > 0 {
            Err(retry)
        } else {
            Ok(())
        }
    }

    /// Count one failure for the IP and the account.
    pub fn record_failure(&self, ip: &str, account: &str, now: i64) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > 100_000 {
            let window = self.window_secs;
            counts.retain(|_, w| now < w.started + window);
        }
        for key in Self::keys(ip, account) {
            let w = counts.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now >= w.started + self.window_secs {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// Forget an account's failures after a successful sign-in.
    pub fn reset_account(&self, account: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.remove(&format!("account:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_limited_after_its_failures_until_the_window_ends() {
        let l = FailureLimiter::new(3, 100, 60);
        for _ in 0..3 {
            assert!(l.check("1.1.1.1", "a@x.io", 1000).is_ok());
            l.record_failure("1.1.1.1", "a@x.io", 1000);
        }
        assert_eq!(l.check("2.2.2.2", "a@x.io", 1010), Err(50));
        assert!(l.check("2.2.2.2", "b@x.io", 1010).is_ok());
        assert!(l.check("2.2.2.2", "a@x.io", 1060).is_ok());
    }

    #[test]
    fn an_ip_is_limited_across_accounts() {
        let l = FailureLimiter::new(100, 2, 60);
        l.record_failure("1.1.1.1", "a@x.io", 0);
        l.record_failure("1.1.1.1", "b@x.io", 0);
        assert!(l.check("1.1.1.1", "c@x.io", 1).is_err());
    }
}
