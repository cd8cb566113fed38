//! RFC 8707 resource indicators: `resource` at the authorization and token endpoints names the
//! resource providers a token is for (their indicators, `<public URL>/resources/<rp_id>`, see
//! [`crate::tokens::audience`]), and narrows the grant to their offers. `resource` is the one
//! parameter that may repeat (one per provider, RFC 8707 section 2).

use crate::db::{self, DbConnection};

/// The parameter.
pub const PARAM: &str = "resource";

/// A `resource` that is malformed, unknown, or names a provider none of whose offers the request
/// covers: `invalid_target` (RFC 8707 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid_target")]
pub struct InvalidTarget;

/// The protocol's error code.
pub const INVALID_TARGET: &str = "invalid_target";

/// Every `resource` value of a request, in order.
pub fn values(pairs: &[(String, String)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(n, _)| n == PARAM)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The providers (primary keys, each once) that `values` name. Each value must be the resource
/// indicator of a registered provider, exactly.
pub fn targets(
    conn: &mut DbConnection,
    issuer_url: &str,
    values: &[String],
) -> diesel::QueryResult<Result<Vec<i64>, InvalidTarget>> {
    let mut ids = Vec::with_capacity(values.len());
    for value in values {
        let Some(rp_id) = crate::tokens::audience::rp_of(issuer_url, value) else {
            return Ok(Err(InvalidTarget));
        };
        let Some(rp) = db::provider::find_by_rp_id(conn, rp_id)? else {
            return Ok(Err(InvalidTarget));
        };
        if !ids.contains(&rp.id) {
            ids.push(rp.id);
        }
    }
    Ok(Ok(ids))
}

/// The `items` whose owner (`owner`, a provider's primary key) is one of `targets`, in order.
/// Every target must own at least one of them, or the request can not be for it.
pub fn narrow<T>(
    items: Vec<T>,
    owner: impl Fn(&T) -> Option<i64>,
    targets: &[i64],
) -> Result<Vec<T>, InvalidTarget> {
    let kept: Vec<T> = items
        .into_iter()
        .filter(|item| owner(item).is_some_and(|o| targets.contains(&o)))
        .collect();
    let covered = |t: &i64| kept.iter().any(|item| owner(item) == Some(*t));
    if targets.iter().all(covered) && !kept.is_empty() {
        Ok(kept)
    } else {
        Err(InvalidTarget)
    }
}

/// Permission names (`Offer.Action`) narrowed to `targets` with the catalogue's owners.
pub fn narrow_names(
    names: Vec<String>,
    catalogue: &crate::domain::permission::Catalogue,
    targets: &[i64],
) -> Result<Vec<String>, InvalidTarget> {
    use crate::domain::permission::Permission;
    let owner = |name: &String| {
        Permission::parse(name)
            .ok()
            .and_then(|p| catalogue.owner(&p))
    };
    narrow(names, owner, targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_keeps_the_targets_offers_and_needs_every_target() {
        let items = vec![("Contacts.Read", 1), ("News.Read", 2), ("Profiles.Read", 3)];
        let owner = |i: &(&str, i64)| Some(i.1);
        assert_eq!(
            narrow(items.clone(), owner, &[1, 3]),
            Ok(vec![("Contacts.Read", 1), ("Profiles.Read", 3)])
        );
        assert_eq!(narrow(items.clone(), owner, &[1, 4]), Err(InvalidTarget));
        assert_eq!(narrow(items, owner, &[]), Err(InvalidTarget));
    }

    #[test]
    fn only_resource_parameters_are_values() {
        let pairs = vec![
            ("resource".to_string(), "a".to_string()),
            ("scope".to_string(), "x".to_string()),
            ("resource".to_string(), "b".to_string()),
        ];
        assert_eq!(values(&pairs), vec!["a".to_string(), "b".to_string()]);
    }
}
