//! When a grant of a permission counts: the rule the check, refresh, issue and revocation paths
//! share, on plain values so that it can be tested without a database.

/// Is a grant active at `now` (Unix seconds)? Active means never revoked and not yet expired: a
/// grant that expires at `now` has expired, and a revocation is final whenever it was recorded.
pub fn is_active(revoked_at: Option<i64>, expires_at: i64, now: i64) -> bool {
    revoked_at.is_none() && expires_at > now
}

#[cfg(test)]
mod tests {
    use super::is_active;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn an_unrevoked_grant_that_expires_later_is_active() {
        assert!(is_active(None, NOW + 1, NOW));
        assert!(is_active(None, NOW + 86_400 * 365, NOW));
    }

    #[test]
    fn a_grant_that_expires_at_this_very_second_is_no_longer_active() {
        assert!(!is_active(None, NOW, NOW));
    }

    #[test]
    fn a_grant_that_expired_earlier_is_not_active() {
        assert!(!is_active(None, NOW - 1, NOW));
    }

    #[test]
    fn a_revoked_grant_is_not_active_even_before_it_expires() {
        assert!(!is_active(Some(NOW - 10), NOW + 3_600, NOW));
    }

    #[test]
    fn a_revocation_counts_whatever_time_it_was_recorded_at() {
        // A revocation stamped by a clock ahead of ours still ends the grant now.
        assert!(!is_active(Some(NOW + 10), NOW + 3_600, NOW));
        assert!(!is_active(Some(0), NOW + 3_600, NOW));
    }

    #[test]
    fn a_revoked_and_expired_grant_is_not_active() {
        assert!(!is_active(Some(NOW - 10), NOW - 5, NOW));
    }
}
