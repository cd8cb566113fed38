//! The remembered-consent rule (docs/protocol.md section 3, last paragraph): when the user already
//! granted every requested permission to this app (for the same resource) and none of them ends
//! within a day, the page is skipped and the tokens are issued at once.

use crate::db::grant::Grant;
use crate::domain::permission::Permission;

/// A remembered consent is used only if every grant lasts at least this much longer.
pub const REMEMBER_MARGIN_SECS: i64 = 86_400;

/// The permissions to issue again, each with its current expiry, when `active` (the user's active
/// grants to this app) covers every `wanted` permission for `resource` beyond the margin;
/// `None` when the user must be asked.
pub fn remembered(
    active: &[Grant],
    wanted: &[Permission],
    resource: Option<&str>,
    now: i64,
) -> Option<Vec<(Permission, i64)>> {
    wanted
        .iter()
        .map(|w| {
            let name = w.to_string();
            active
                .iter()
                .filter(|g| g.permission == name && g.resource.as_deref() == resource)
                .map(|g| g.expires_at)
                .max()
                .filter(|exp| *exp > now + REMEMBER_MARGIN_SECS)
                .map(|exp| (w.clone(), exp))
        })
        .collect()
}
