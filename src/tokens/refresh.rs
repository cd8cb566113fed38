//! Rotating a refresh token (both protocols): read what the token stands for, then ONE short write
//! that re-checks what it read (family unrevoked, token unconsumed). A consumed token presented
//! again is reuse and revokes its family (RFC 9700 section 4.14.2), except as a retry: within
//! `refresh_grace_secs` of its rotation, while the token that rotation issued is unused, it answers
//! that same token again (the client lost the answer), and writes nothing.
//!
//! The token a rotation issues is derived from the one presented ([`ServerKey::refresh_successor`]
//! (crate::crypto::ServerKey::refresh_successor)), which is what lets a retry find it again with
//! nothing but hashes in the database.

use super::issue::{Issued, Issuer, Unsigned};
use super::revoke::{revoke_family, FamilyRef, RevokeReason};
use super::TokenError;
use crate::crypto::PlainToken;
use crate::db::{self, grant::Grant, Db, DbConnection};
use crate::domain::permission::{Catalogue, Permission};

/// Why a refresh was refused (each maps to a wire error code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefusal {
    /// No such refresh token, or it belongs to another application.
    Unknown,
    /// The token was already used: the family has just been revoked.
    Reused,
    /// The family was revoked (by the user, or after reuse).
    FamilyRevoked,
    /// Every requested permission was revoked.
    ConsentRevoked,
    /// Every requested permission expired.
    ConsentExpired,
    /// None of the requested permissions was ever granted in this family.
    NotGranted,
}

/// The result of a refresh.
#[derive(Debug)]
pub enum RefreshOutcome<T = Issued> {
    /// New tokens.
    Issued(T),
    /// Refused (a reuse revocation has been written and must be committed).
    Refused(RefreshRefusal),
}

impl<T> RefreshOutcome<T> {
    /// The `outcome` label of the refresh metric: `issued`, or the refusal in snake case.
    pub fn label(&self) -> &'static str {
        match self {
            RefreshOutcome::Issued(_) => "issued",
            RefreshOutcome::Refused(RefreshRefusal::Unknown) => "unknown",
            RefreshOutcome::Refused(RefreshRefusal::Reused) => "reused",
            RefreshOutcome::Refused(RefreshRefusal::FamilyRevoked) => "family_revoked",
            RefreshOutcome::Refused(RefreshRefusal::ConsentRevoked) => "consent_revoked",
            RefreshOutcome::Refused(RefreshRefusal::ConsentExpired) => "consent_expired",
            RefreshOutcome::Refused(RefreshRefusal::NotGranted) => "not_granted",
        }
    }
}

/// What the reads of a refresh found for a presented refresh token (before any write).
#[derive(Debug, Clone)]
pub struct Presented {
    /// The token's row.
    pub token: db::refresh_token::RefreshToken,
    /// Its family.
    pub family: db::grant::Family,
    /// The user's location id.
    pub lid: String,
    /// The family's grants.
    pub grants: Vec<Grant>,
}

/// What a presented refresh token stands for, from the reads alone: the ONE classifier both
/// protocols use before they write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Unconsumed, in an unrevoked family: it may rotate.
    Fresh,
    /// Already consumed: reuse (RFC 9700 section 4.14.2); the family must be revoked, also when it
    /// already was for an earlier reuse (the new attempt is recorded too).
    Reused,
    /// Its family was revoked for another reason (the user, the client, a replayed code).
    FamilyRevoked,
}

impl Presented {
    /// Classify the token (see [`Standing`]).
    pub fn standing(&self) -> Standing {
        let revoked_for_reuse = self
            .family
            .revoked_reason
            .as_deref()
            .and_then(RevokeReason::parse)
            == Some(RevokeReason::Reuse);
        match (self.token.consumed_at, self.family.revoked_at) {
            (Some(_), Some(_)) if !revoked_for_reuse => Standing::FamilyRevoked,
            (Some(_), _) => Standing::Reused,
            (None, Some(_)) => Standing::FamilyRevoked,
            (None, None) => Standing::Fresh,
        }
    }

    /// The family, as revocation needs it.
    pub fn family_ref(&self) -> FamilyRef {
        FamilyRef {
            id: self.family.id,
            user_id: self.family.user_id,
            application_id: self.family.application_id,
        }
    }

    /// Read what a refresh needs about `presented`: one indexed read, no write.
    pub fn read(conn: &mut DbConnection, presented: &str) -> Result<Option<Presented>, TokenError> {
        let hash = crate::crypto::TokenHash::of(presented);
        let Some((token, family, lid, grants)) =
            db::refresh_token::find_refresh_token_with_grants(conn, &hash)?
        else {
            return Ok(None);
        };
        Ok(Some(Presented {
            token,
            family,
            lid,
            grants,
        }))
    }
}

impl Issuer {
    /// Rotate `presented` (a refresh token of application `application_id`) without signing:
    /// consume it and write a new one covering the `requested` permissions that are still granted
    /// (all active ones when `requested` is None; what a granted `Offer.Full` covers is the
    /// catalogue's rule, [`Catalogue::implies`]); the caller signs the delegation token. The reads (`read`, or
    /// [`Presented::read`] when None) happen first, outside any transaction; the writes are ONE short
    /// write transaction through `db` (or on `conn` directly when `db` is None because the caller
    /// already holds one). What the reads saw is re-checked by the writes themselves: the family is
    /// touched only if it is still unrevoked, and the token consumed only if it still is unconsumed,
    /// so a concurrent refresh is detected as reuse and a concurrent revocation wins.
    #[allow(clippy::too_many_arguments)]
    pub fn refresh_rows(
        &self,
        conn: &mut DbConnection,
        db: Option<&Db>,
        presented: &str,
        read: Option<Presented>,
        application_id: i64,
        appid: &str,
        requested: Option<(&[Permission], &Catalogue)>,
        now: i64,
    ) -> Result<RefreshOutcome<Unsigned>, TokenError> {
        use RefreshOutcome::Refused;
        let found = match read {
            Some(read) => Some(read),
            None => Presented::read(conn, presented)?,
        };
        let Some(found) = found else {
            return Ok(Refused(RefreshRefusal::Unknown));
        };
        if found.family.application_id != application_id {
            return Ok(Refused(RefreshRefusal::Unknown));
        }
        let family_ref = found.family_ref();
        let reuse = move |conn: &mut DbConnection| -> Result<RefreshRefusal, TokenError> {
            revoke_family(conn, family_ref, RevokeReason::Reuse, now)?;
            Ok(RefreshRefusal::Reused)
        };
        match found.standing() {
            Standing::Reused => {
                if let Some(retried) = self.retry(conn, &found, presented, appid, requested, now)? {
                    return Ok(retried);
                }
                return db::write_through(db, conn, reuse).map(Refused);
            }
            Standing::FamilyRevoked => return Ok(Refused(RefreshRefusal::FamilyRevoked)),
            Standing::Fresh => {}
        }
        let Presented {
            token,
            family,
            lid,
            grants,
        } = found;
        let (family_id, user_id) = (family.id, family.user_id);
        let offers = match covered(&grants, requested, now) {
            Ok(offers) => offers,
            Err(refusal) => return Ok(Refused(refusal)),
        };
        let refresh_token = self.server_key.refresh_successor(presented);
        let new_hash = refresh_token.hash();
        let detail = format!(
            "refreshed {}",
            offers
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rotation = db::refresh_token::Rotation {
            family_id,
            user_id,
            application_id,
            consumed_id: token.id,
            new_hash: &new_hash,
            generation: token.generation + 1,
            detail: &detail,
            now,
        };
        let rotated = db::refresh_token::rotate_in(db, conn, &rotation)?;
        let outcome = match rotated {
            db::refresh_token::Rotated::Done => RefreshOutcome::Issued(()),
            // Revoked since the read (by the user, or by a reuse elsewhere).
            db::refresh_token::Rotated::FamilyRevoked => Refused(RefreshRefusal::FamilyRevoked),
            // Another request consumed it between our read and this write: a retry if that was
            // within the grace and its token is unused (the answer is the same token), else reuse.
            db::refresh_token::Rotated::AlreadyConsumed => {
                let again = Presented::read(conn, presented)?;
                let retried = match again {
                    Some(again) => self.retry(conn, &again, presented, appid, requested, now)?,
                    None => None,
                };
                match retried {
                    Some(retried) => return Ok(retried),
                    None => Refused(db::write_through(db, conn, reuse)?),
                }
            }
        };
        Ok(match outcome {
            RefreshOutcome::Issued(()) => RefreshOutcome::Issued(Unsigned {
                family_id,
                refresh_token,
                offers,
                lid,
                appid: appid.to_string(),
                resource: family.resource,
            }),
            Refused(r) => Refused(r),
        })
    }
}

impl Issuer {
    /// When `found` (the read of `presented`, a consumed token) is a retry: within the grace of its
    /// rotation, in a family still unrevoked, with the token that rotation issued still unused; then
    /// that token and its read. None when it is reuse. Reads only.
    pub fn retried(
        &self,
        conn: &mut DbConnection,
        found: &Presented,
        presented: &str,
        now: i64,
    ) -> Result<Option<(PlainToken, Presented)>, TokenError> {
        let Some(consumed_at) = found.token.consumed_at else {
            return Ok(None);
        };
        let within = self.refresh_grace_secs > 0 && now - consumed_at <= self.refresh_grace_secs;
        if !within || found.family.revoked_at.is_some() {
            return Ok(None);
        }
        let successor = self.server_key.refresh_successor(presented);
        let Some(next) = Presented::read(conn, successor.expose())? else {
            // Issued before successors were derived, or under another server key.
            return Ok(None);
        };
        let is_the_successor = next.family.id == found.family.id
            && next.token.generation == found.token.generation + 1;
        if !is_the_successor || next.standing() != Standing::Fresh {
            return Ok(None);
        }
        Ok(Some((successor, next)))
    }

    /// [`Issuer::retried`] as the answer of a refresh: the same successor token, with the permissions
    /// it covers now (a removal since the rotation is seen).
    fn retry(
        &self,
        conn: &mut DbConnection,
        found: &Presented,
        presented: &str,
        appid: &str,
        requested: Option<(&[Permission], &Catalogue)>,
        now: i64,
    ) -> Result<Option<RefreshOutcome<Unsigned>>, TokenError> {
        let Some((successor, next)) = self.retried(conn, found, presented, now)? else {
            return Ok(None);
        };
        Ok(Some(match covered(&next.grants, requested, now) {
            Err(refusal) => RefreshOutcome::Refused(refusal),
            Ok(offers) => RefreshOutcome::Issued(Unsigned {
                family_id: next.family.id,
                refresh_token: successor,
                offers,
                lid: next.lid,
                appid: appid.to_string(),
                resource: next.family.resource,
            }),
        }))
    }
}

/// The requested permissions still granted in a family, with their grant expiries; or why none.
fn covered(
    grants: &[Grant],
    requested: Option<(&[Permission], &Catalogue)>,
    now: i64,
) -> Result<Vec<(String, i64)>, RefreshRefusal> {
    let wanted = |g: &Grant| match requested {
        None => true,
        Some((list, catalogue)) => Permission::parse(&g.permission)
            .map(|held| {
                list.iter()
                    .any(|w| catalogue.implies(&held, w) || w.to_string() == g.permission)
            })
            .unwrap_or(false),
    };
    let relevant: Vec<&Grant> = grants.iter().filter(|g| wanted(g)).collect();
    let offers: Vec<(String, i64)> = relevant
        .iter()
        .filter(|g| g.is_active(now))
        .map(|g| (g.permission.clone(), g.expires_at))
        .collect();
    if !offers.is_empty() {
        return Ok(offers);
    }
    if relevant.is_empty() {
        Err(RefreshRefusal::NotGranted)
    } else if relevant.iter().any(|g| g.revoked_at.is_some()) {
        Err(RefreshRefusal::ConsentRevoked)
    } else {
        Err(RefreshRefusal::ConsentExpired)
    }
}

#[cfg(test)]
mod tests;
