//! A check prepared from the caches alone, whose storage reads are shared with concurrent checks.

use std::sync::Arc;

use super::{unescape_token, CheckOutcome, Provider, ProviderCache, ProviderQuery};
use crate::crypto::jws::DelegationClaims;
use crate::crypto::sha256_hex;
use crate::db::coalesce::CheckReads;
use crate::db::{self, DbError};
use crate::domain::permission::Permission;
use crate::ratelimit::{FailureLimiter, Verdict};
use crate::tokens::{self, CheckRequest, Issuer};

/// A provider's check whose credentials and token signature were known from the caches: what is
/// left is the read of its family (and of the limiter's counts), which concurrent checks share
/// (see [`crate::db::coalesce`]).
pub struct PreparedCheck {
    provider: Provider,
    /// The verified claims and the family to read, when the token fits what was asked.
    asked: Option<(Arc<DelegationClaims>, i64)>,
    permission: Option<Permission>,
}

impl PreparedCheck {
    /// Read its family and the limiter's counts in a batch with concurrent checks (see
    /// [`crate::db::coalesce`]), then answer; `Ok(Err(retry_after))` while `limiter` refuses the
    /// provider or `ip`, as [`FailureLimiter::after_check`] does for a right secret.
    pub async fn settle(
        &self,
        reads: &Arc<CheckReads>,
        limiter: &FailureLimiter,
        ip: &str,
        now: i64,
    ) -> Result<Result<CheckOutcome, i64>, DbError> {
        let keys = limiter.right_keys(ip, &self.provider.rp_id).to_vec();
        let read = reads.read(self.family_id(), keys).await?;
        if let Verdict::Limited { retry_after } = limiter.right_verdict(&read.counts, now) {
            return Ok(Err(retry_after));
        }
        Ok(Ok(self.answer(read.family.as_deref(), now)))
    }

    /// The family to read (`None`: the answer is inactive whatever storage says).
    fn family_id(&self) -> Option<i64> {
        self.asked.as_ref().map(|(_, id)| *id)
    }

    /// The answer from the family and grants as read.
    fn answer(
        &self,
        read: Option<&(db::grant::Family, Vec<db::grant::Grant>)>,
        now: i64,
    ) -> CheckOutcome {
        let Some((claims, family_id)) = &self.asked else {
            return CheckOutcome::Inactive;
        };
        let req = CheckRequest {
            permission: self.permission.as_ref(),
            audience: Some(&self.provider.rp_id),
            ..CheckRequest::default()
        };
        let catalogue = &self.provider.snapshot.catalogue;
        match tokens::check::evaluate(
            claims,
            *family_id,
            read,
            &req,
            catalogue,
            |p| self.provider.owns(p),
            now,
        ) {
            Some(active) => CheckOutcome::Active(active),
            None => CheckOutcome::Inactive,
        }
    }
}

impl ProviderCache {
    /// The check of [`ProviderCache::check`] prepared from the caches alone: a fresh snapshot
    /// that knows these credentials, and a token whose signature was verified before. `None`
    /// when storage must be asked first (a cold or stale snapshot, a wrong secret, a token seen
    /// for the first time): the caller then takes the full path.
    pub fn prepare(
        &self,
        issuer: &Issuer,
        rp_id: &str,
        secret: &str,
        query: &ProviderQuery<'_>,
        now: i64,
    ) -> Option<PreparedCheck> {
        let snapshot = self.cached().filter(|s| self.fresh(s, now))?;
        let provider = snapshot.verify(rp_id, &sha256_hex(secret.as_bytes()))?;
        let Ok(permission) = query.permission.map(Permission::parse).transpose() else {
            return Some(PreparedCheck {
                provider,
                asked: None,
                permission: None,
            });
        };
        let token = unescape_token(query.token);
        let claims = tokens::check::cached_claims(issuer, &token, now)?;
        let req = CheckRequest {
            token: &token,
            permission: permission.as_ref(),
            lid: query.lid,
            resource: query.resource,
            audience: Some(&provider.rp_id),
        };
        let asked =
            tokens::check::family_asked(issuer, &claims, &req).map(|id| (Arc::clone(&claims), id));
        Some(PreparedCheck {
            provider,
            asked,
            permission,
        })
    }
}
