//! `[retention]`: how long Assent keeps what it no longer needs, and how often the sweeper runs.

use serde::Deserialize;

const DAY: i64 = 86_400;

/// `[retention]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// `history_secs`: how long the user's history (audit events) is kept (default 400 days).
    pub history_secs: i64,
    /// `consumed_refresh_secs`: how long a rotated-away refresh token is kept, so that presenting
    /// it again is recognised as reuse and ends its grant (default 30 days; afterwards it is
    /// merely unknown).
    pub consumed_refresh_secs: i64,
    /// `ended_grant_secs`: how long a grant family is kept after it ended (revoked, or every
    /// permission expired), with its permissions and refresh tokens (default 30 days).
    pub ended_grant_secs: i64,
    /// `sweep_every_secs`: how often the sweeper deletes what is past these times (default 3600;
    /// 0 turns it off, e.g. for an instance that should leave sweeping to others).
    pub sweep_every_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            history_secs: 400 * DAY,
            consumed_refresh_secs: 30 * DAY,
            ended_grant_secs: 30 * DAY,
            sweep_every_secs: 3600,
        }
    }
}
