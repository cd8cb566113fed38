//! Checking a delegation token (docs/protocol.md section 7): one signature verification plus one indexed
//! read of its family and grants, so a revocation is seen at once by every instance.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Issuer, TokenError};
use crate::crypto::jws::{self, DelegationClaims};
use crate::db::{self, DbConnection};
use crate::domain::permission::{Catalogue, Permission};

/// What a resource provider asks.
#[derive(Debug, Default)]
pub struct CheckRequest<'a> {
    /// The delegation token (already URL-decoded).
    pub token: &'a str,
    /// A permission that must be granted (directly, or through `Full` when it is grantable).
    pub permission: Option<&'a Permission>,
    /// The user the token must be for.
    pub lid: Option<&'a str>,
    /// The resource the token must be limited to.
    pub resource: Option<&'a str>,
    /// The asking provider's `rp_id`: the token's `aud` must name it (see
    /// [`super::audience::names`]). None: no audience is required (an application introspecting
    /// its own token).
    pub audience: Option<&'a str>,
}

/// An active token as the check endpoint reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActiveToken {
    /// Always true (an inactive token is `None`).
    pub active: bool,
    /// The user's location id.
    pub lid: String,
    /// The application.
    pub client_id: String,
    /// Granted, unexpired, unrevoked permissions the asker may see, with grant expiries.
    pub offers: BTreeMap<String, i64>,
    /// The resource.
    pub resource: Option<String>,
    /// Token expiry.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Space-separated `offers` keys (RFC 7662 `scope`).
    #[serde(skip)]
    pub scope: String,
    /// The family (`gid`).
    #[serde(skip)]
    pub family_id: i64,
}

/// Check a token. `visible` says which permissions the asker may see (an RP sees only its offers);
/// `catalogue` says what `Offer.Full` implies (only the offer's grantable actions).
/// `Ok(None)` means inactive, for any reason; `Err` means storage failed.
pub fn check(
    issuer: &Issuer,
    conn: &mut DbConnection,
    req: &CheckRequest<'_>,
    catalogue: &Catalogue,
    visible: impl Fn(&Permission) -> bool,
    now: i64,
) -> Result<Option<ActiveToken>, TokenError> {
    let Some(claims) = verified_claims(issuer, conn, req.token, now)? else {
        return Ok(None);
    };
    let Some(family_id) = family_asked(issuer, &claims, req) else {
        return Ok(None);
    };
    let read = db::grant::family_with_grants(conn, family_id)?;
    Ok(evaluate(
        &claims,
        family_id,
        read.as_ref(),
        req,
        catalogue,
        visible,
        now,
    ))
}

/// The claims of `token` when the verified-signature cache holds them: no storage is asked.
pub fn cached_claims(issuer: &Issuer, token: &str, now: i64) -> Option<Arc<DelegationClaims>> {
    issuer.verified.get(&super::verified::key(token), now)
}

/// The claims of `token` if its signature verifies (from the cache, else verified and cached);
/// `Ok(None)` for a token that does not verify.
fn verified_claims(
    issuer: &Issuer,
    conn: &mut DbConnection,
    token: &str,
    now: i64,
) -> Result<Option<Arc<DelegationClaims>>, TokenError> {
    let cache_key = super::verified::key(token);
    if let Some(claims) = issuer.verified.get(&cache_key, now) {
        return Ok(Some(claims));
    }
    let mut lookup_error = None;
    let verified = jws::verify_with::<DelegationClaims, _, _>(token, now, |kid| {
        match issuer.keys.verifying(kid, conn, &issuer.server_key, now) {
            Ok(key) => key,
            Err(e) => {
                lookup_error = Some(e);
                None
            }
        }
    });
    match (verified, lookup_error) {
        (Ok(claims), _) => {
            let claims = Arc::new(claims);
            issuer.verified.insert(cache_key, claims.clone());
            Ok(Some(claims))
        }
        (Err(_), Some(e)) => Err(e),
        (Err(_), None) => Ok(None),
    }
}

/// The family whose grants decide the answer, when the claims fit what is asked (the user, the
/// resource, the audience); `None` means inactive without reading anything.
pub fn family_asked(
    issuer: &Issuer,
    claims: &DelegationClaims,
    req: &CheckRequest<'_>,
) -> Option<i64> {
    if req
        .lid
        .is_some_and(|lid| !lid.eq_ignore_ascii_case(&claims.sub))
        || req
            .resource
            .is_some_and(|r| claims.resource.as_deref() != Some(r))
        || req.audience.is_some_and(|rp_id| {
            !super::audience::names(claims.aud.as_ref(), &issuer.issuer_url, rp_id)
        })
    {
        return None;
    }
    claims.gid.parse::<i64>().ok()
}

/// The answer for verified `claims` of family `family_id`, from the family and its grants as read
/// (`None`: the family does not exist).
pub fn evaluate(
    claims: &DelegationClaims,
    family_id: i64,
    read: Option<&(db::grant::Family, Vec<db::grant::Grant>)>,
    req: &CheckRequest<'_>,
    catalogue: &Catalogue,
    visible: impl Fn(&Permission) -> bool,
    now: i64,
) -> Option<ActiveToken> {
    let (family, grants) = read?;
    if family.revoked_at.is_some() {
        return None;
    }
    let mut offers = BTreeMap::new();
    let mut held = Vec::new();
    for name in claims.offers.keys() {
        let Ok(permission) = Permission::parse(name) else {
            continue;
        };
        let grant = grants
            .iter()
            .filter(|g| &g.permission == name && g.is_active(now))
            .max_by_key(|g| g.expires_at);
        if let (Some(grant), true) = (grant, visible(&permission)) {
            offers.insert(name.clone(), grant.expires_at);
            held.push(permission);
        }
    }
    if offers.is_empty() || req.permission.is_some_and(|p| !catalogue.allows(&held, p)) {
        return None;
    }
    Some(ActiveToken {
        active: true,
        lid: claims.sub.clone(),
        client_id: claims.client_id.clone(),
        scope: offers.keys().cloned().collect::<Vec<_>>().join(" "),
        offers,
        resource: claims.resource.clone(),
        exp: claims.exp,
        iat: claims.iat,
        family_id,
    })
}

#[cfg(test)]
mod tests;
