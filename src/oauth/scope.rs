//! The `scope` of an OAuth refresh (RFC 6749 section 6) after a partial consent. Common client
//! libraries (authlib, requests-oauthlib) re-send the scope they first asked for; when the user
//! unticked some of it, the refresh answers with the granted subset and its response `scope` says
//! so (section 3.3). A permission the authorization request never asked for stays
//! `invalid_scope`.

use std::collections::BTreeSet;

use crate::db::grant::Grant;

/// The scope to refresh with in place of `asked`, when it must change: the permissions of `asked`
/// still granted in the family (`grants`, at `now`), if every other permission of `asked` was
/// requested at consent (`consent_requested`, space-separated) and at least one is granted.
/// `None` leaves `asked` as it is (the flow then accepts it, or answers `invalid_scope`).
pub fn narrowed(
    asked: &str,
    consent_requested: &str,
    grants: &[Grant],
    now: i64,
) -> Option<String> {
    let active: BTreeSet<&str> = grants
        .iter()
        .filter(|g| g.is_active(now))
        .map(|g| g.permission.as_str())
        .collect();
    let requested: BTreeSet<&str> = consent_requested.split_whitespace().collect();
    let mut seen = BTreeSet::new();
    let asked: Vec<&str> = asked
        .split_whitespace()
        .filter(|p| seen.insert(*p))
        .collect();
    if asked
        .iter()
        .any(|p| !active.contains(p) && !requested.contains(p))
    {
        return None;
    }
    let kept: Vec<&str> = asked
        .iter()
        .copied()
        .filter(|p| active.contains(p))
        .collect();
    (!kept.is_empty() && kept.len() < asked.len()).then(|| kept.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(permission: &str, revoked_at: Option<i64>) -> Grant {
        Grant {
            id: 1,
            family_id: 2,
            user_id: 3,
            application_id: 4,
            permission: permission.into(),
            resource: None,
            granted_at: 0,
            expires_at: 100,
            revoked_at,
        }
    }

    #[test]
    fn declined_permissions_are_dropped_and_unrequested_ones_are_left_to_refuse() {
        let grants = [grant("Contacts.Read", None)];
        let requested = "Contacts.Read News.Write";
        assert_eq!(
            narrowed("Contacts.Read News.Write", requested, &grants, 50).as_deref(),
            Some("Contacts.Read")
        );
        assert_eq!(narrowed("Contacts.Read", requested, &grants, 50), None);
        assert_eq!(
            narrowed("Contacts.Read News.Read", requested, &grants, 50),
            None,
            "never requested: left for invalid_scope"
        );
        assert_eq!(
            narrowed("News.Write", requested, &grants, 50),
            None,
            "nothing granted is left"
        );
    }
}
