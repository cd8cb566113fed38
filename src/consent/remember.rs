//! The remembered-consent rule (docs/protocol.md section 3, last paragraph): when the user already
//! granted every requested permission to this app (for the same resource) and none of them ends
//! within a day, the page is skipped and the tokens are issued at once.

use std::collections::BTreeMap;

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
    let allowed = already_allowed(active, resource);
    wanted
        .iter()
        .map(|w| {
            allowed
                .get(&w.to_string())
                .filter(|exp| **exp > now + REMEMBER_MARGIN_SECS)
                .map(|exp| (w.clone(), *exp))
        })
        .collect()
}

/// What the user already allowed: for each permission of `active` (the user's active grants to an
/// app) for `resource`, its latest expiry.
pub fn already_allowed(active: &[Grant], resource: Option<&str>) -> BTreeMap<String, i64> {
    let mut allowed = BTreeMap::new();
    for g in active.iter().filter(|g| g.resource.as_deref() == resource) {
        let until = allowed.entry(g.permission.clone()).or_insert(g.expires_at);
        *until = (*until).max(g.expires_at);
    }
    allowed
}
