//! Issuing a grant family (one consent decision) and rotating its refresh tokens.
//!
//! Refresh tokens are 32 random bytes in standard base64; only their SHA-256 is stored. Presenting a
//! consumed refresh token again revokes the whole family (RFC 9700 section 4.14.2): that revocation
//! is returned as a value so the caller's transaction commits it.

use std::collections::BTreeMap;

use super::{KeyRing, TokenError};
use crate::crypto::jws::DelegationClaims;
use crate::crypto::{b64, random_bytes, sha256_hex, ServerKey};
use crate::db::{self, grant::Grant, Db, DbConnection};
use crate::domain::permission::{allows, Permission};

/// What issuing needs besides the database.
#[derive(Debug)]
pub struct Issuer {
    /// Signing keys.
    pub keys: KeyRing,
    /// Opens sealed signing keys.
    pub server_key: ServerKey,
    /// `iss` claim: Assent's public base URL.
    pub issuer_url: String,
    /// Lifetime of a delegation token.
    pub delegation_ttl_secs: i64,
    /// Tokens whose signature already verified (never revocation state).
    pub verified: super::verified::VerifiedCache,
}

/// Tokens just issued for a family.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The family (`gid`).
    pub family_id: i64,
    /// The refresh token (exists only here and in the response).
    pub refresh_token: String,
    /// The delegation token (compact JWS).
    pub delegation_token: String,
    /// Its expiry.
    pub exp: i64,
    /// Granted permissions with their grant expiries, in grant order.
    pub offers: Vec<(String, i64)>,
    /// The user's location id.
    pub lid: String,
}

/// Rows written for new tokens, before the delegation token is signed (signing happens after the
/// write transaction, so the database's write lock is not held during public-key cryptography).
#[derive(Debug, Clone)]
pub struct Unsigned {
    /// The family (`gid`).
    pub family_id: i64,
    /// The refresh token (exists only here and in the response).
    pub refresh_token: String,
    /// Granted permissions with their grant expiries.
    pub offers: Vec<(String, i64)>,
    /// The user's location id.
    pub lid: String,
    /// The application's appid.
    pub appid: String,
    /// The `in` resource.
    pub resource: Option<String>,
}

/// Who is granting what to whom.
#[derive(Debug)]
pub struct GrantRequest<'a> {
    /// The user's primary key.
    pub user_id: i64,
    /// The user's location id.
    pub lid: &'a str,
    /// The application's primary key.
    pub application_id: i64,
    /// Its appid.
    pub appid: &'a str,
    /// `live` or `oauth`.
    pub protocol: &'a str,
    /// The `in` resource.
    pub resource: Option<&'a str>,
    /// Each permission with its grant expiry (Unix seconds).
    pub permissions: &'a [(Permission, i64)],
}

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

/// What the reads of a refresh found for a presented refresh token (before any write).
#[derive(Debug, Clone)]
pub struct Presented {
    /// The token's row.
    pub token: db::grant::RefreshToken,
    /// Its family.
    pub family: db::grant::Family,
    /// The user's location id.
    pub lid: String,
    /// The family's grants.
    pub grants: Vec<Grant>,
}

impl Presented {
    /// Read what a refresh needs about `presented`: one indexed read, no write.
    pub fn read(conn: &mut DbConnection, presented: &str) -> Result<Option<Presented>, TokenError> {
        let hash = sha256_hex(presented.as_bytes());
        let Some((token, family, lid, grants)) =
            db::grant::find_refresh_token_with_grants(conn, &hash)?
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

/// Run `f` as one write transaction through `db`, or directly when the caller already holds one.
fn write<T>(
    db: Option<&Db>,
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, TokenError>,
) -> Result<T, TokenError> {
    match db {
        Some(db) => db.write_in(conn, f),
        None => f(conn),
    }
}

fn new_refresh_token() -> Result<(String, String), TokenError> {
    let token = b64(&random_bytes::<32>()?);
    let hash = sha256_hex(token.as_bytes());
    Ok((token, hash))
}

impl Issuer {
    /// Sign a delegation token for `offers` of family `family_id`.
    #[allow(clippy::too_many_arguments)]
    fn sign_claims(
        &self,
        conn: &mut DbConnection,
        lid: &str,
        appid: &str,
        resource: Option<&str>,
        family_id: i64,
        offers: &[(String, i64)],
        now: i64,
    ) -> Result<(String, i64), TokenError> {
        let signer = self.keys.signer(conn, &self.server_key, now)?;
        let exp = now + self.delegation_ttl_secs;
        let claims = DelegationClaims {
            iss: self.issuer_url.clone(),
            sub: lid.to_string(),
            client_id: appid.to_string(),
            scope: offers
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            offers: offers.iter().cloned().collect::<BTreeMap<_, _>>(),
            resource: resource.map(str::to_string),
            gid: family_id.to_string(),
            jti: crate::crypto::random_token()?,
            iat: now,
            exp,
        };
        let token = signer
            .sign(&claims)
            .map_err(|e| TokenError::Key(e.to_string()))?;
        Ok((token, exp))
    }

    /// Record one grant per permission in a new family with its first refresh token, without
    /// signing. Call inside the transaction of the consent decision, then [`Issuer::sign`].
    pub fn grant_rows(
        &self,
        conn: &mut DbConnection,
        req: &GrantRequest<'_>,
        now: i64,
    ) -> Result<Unsigned, TokenError> {
        let family_id = db::new_id()?;
        db::grant::insert_family(
            conn,
            family_id,
            req.user_id,
            req.application_id,
            req.protocol,
            req.resource,
            now,
        )?;
        let mut offers = Vec::with_capacity(req.permissions.len());
        for (permission, expires_at) in req.permissions {
            let name = permission.to_string();
            db::grant::insert_grant(
                conn,
                family_id,
                req.user_id,
                req.application_id,
                &name,
                req.resource,
                now,
                *expires_at,
            )?;
            offers.push((name, *expires_at));
        }
        let (refresh_token, hash) = new_refresh_token()?;
        db::grant::insert_refresh_token(conn, family_id, &hash, 0, now)?;
        let via = if req.protocol == "oauth" {
            "OAuth 2.0"
        } else {
            "the Live consent protocol"
        };
        let detail = format!(
            "granted {} via {via}",
            offers
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        db::audit::record(
            conn,
            now,
            "grant",
            Some(req.user_id),
            Some(req.application_id),
            Some(family_id),
            &detail,
        )?;
        Ok(Unsigned {
            family_id,
            refresh_token,
            offers,
            lid: req.lid.to_string(),
            appid: req.appid.to_string(),
            resource: req.resource.map(str::to_string),
        })
    }

    /// Sign the delegation token of rows just written. `conn` is only used if the key ring must
    /// reload; it need not be in a transaction.
    pub fn sign(
        &self,
        conn: &mut DbConnection,
        unsigned: Unsigned,
        now: i64,
    ) -> Result<Issued, TokenError> {
        let (delegation_token, exp) = self.sign_claims(
            conn,
            &unsigned.lid,
            &unsigned.appid,
            unsigned.resource.as_deref(),
            unsigned.family_id,
            &unsigned.offers,
            now,
        )?;
        Ok(Issued {
            family_id: unsigned.family_id,
            refresh_token: unsigned.refresh_token,
            delegation_token,
            exp,
            offers: unsigned.offers,
            lid: unsigned.lid,
        })
    }

    /// [`Issuer::grant_rows`] then [`Issuer::sign`] on one connection.
    pub fn grant(
        &self,
        conn: &mut DbConnection,
        req: &GrantRequest<'_>,
        now: i64,
    ) -> Result<Issued, TokenError> {
        let unsigned = self.grant_rows(conn, req, now)?;
        self.sign(conn, unsigned, now)
    }

    /// Rotate `presented` (a refresh token of application `application_id`): consume it, issue a new
    /// one and a delegation token covering the `requested` permissions that are still granted
    /// (all active ones when `requested` is None). `db`: see [`Issuer::refresh_rows`].
    #[allow(clippy::too_many_arguments)]
    pub fn refresh(
        &self,
        conn: &mut DbConnection,
        db: Option<&Db>,
        presented: &str,
        application_id: i64,
        appid: &str,
        requested: Option<&[Permission]>,
        now: i64,
    ) -> Result<RefreshOutcome, TokenError> {
        let rows = self.refresh_rows(
            conn,
            db,
            presented,
            None,
            application_id,
            appid,
            requested,
            now,
        )?;
        match rows {
            RefreshOutcome::Issued(unsigned) => {
                Ok(RefreshOutcome::Issued(self.sign(conn, unsigned, now)?))
            }
            RefreshOutcome::Refused(r) => Ok(RefreshOutcome::Refused(r)),
        }
    }

    /// The row changes of [`Issuer::refresh`], without signing. The reads (`read`, or
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
        requested: Option<&[Permission]>,
        now: i64,
    ) -> Result<RefreshOutcome<Unsigned>, TokenError> {
        use RefreshOutcome::Refused;
        let found = match read {
            Some(read) => Some(read),
            None => Presented::read(conn, presented)?,
        };
        let Some(Presented {
            token,
            family,
            lid,
            grants,
        }) = found
        else {
            return Ok(Refused(RefreshRefusal::Unknown));
        };
        if family.application_id != application_id {
            return Ok(Refused(RefreshRefusal::Unknown));
        }
        let (family_id, user_id) = (family.id, family.user_id);
        let reuse = move |conn: &mut DbConnection| -> Result<RefreshRefusal, TokenError> {
            db::grant::revoke_family(conn, family_id, "reuse", now)?;
            db::audit::record(
                conn,
                now,
                "reuse_detected",
                Some(user_id),
                Some(application_id),
                Some(family_id),
                "a used refresh token was presented again; every token of this grant was revoked",
            )?;
            Ok(RefreshRefusal::Reused)
        };
        if token.consumed_at.is_some() {
            return if family.revoked_at.is_some()
                && family.revoked_reason.as_deref() != Some("reuse")
            {
                Ok(Refused(RefreshRefusal::FamilyRevoked))
            } else {
                write(db, conn, reuse).map(Refused)
            };
        }
        if family.revoked_at.is_some() {
            return Ok(Refused(RefreshRefusal::FamilyRevoked));
        }
        let offers = match covered(&grants, requested, now) {
            Ok(offers) => offers,
            Err(refusal) => return Ok(Refused(refusal)),
        };
        let (refresh_token, new_hash) = new_refresh_token()?;
        let detail = format!(
            "refreshed {}",
            offers
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rotation = db::grant::Rotation {
            family_id,
            user_id,
            application_id,
            consumed_id: token.id,
            new_hash: &new_hash,
            generation: token.generation + 1,
            detail: &detail,
            now,
        };
        // On PostgreSQL the rotation is one statement, atomic by itself: no BEGIN/COMMIT round
        // trips around it. Elsewhere it is four statements in one write transaction.
        let rotated = if matches!(conn, DbConnection::Pg(_)) {
            db::grant::rotate(conn, &rotation)?
        } else {
            write(db, conn, |conn| Ok(db::grant::rotate(conn, &rotation)?))?
        };
        let outcome = match rotated {
            db::grant::Rotated::Done => RefreshOutcome::Issued(()),
            // Revoked since the read (by the user, or by a reuse elsewhere).
            db::grant::Rotated::FamilyRevoked => Refused(RefreshRefusal::FamilyRevoked),
            // Another request consumed it between our read and this write: that is reuse too.
            db::grant::Rotated::AlreadyConsumed => Refused(write(db, conn, reuse)?),
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

/// The requested permissions still granted in a family, with their grant expiries; or why none.
fn covered(
    grants: &[Grant],
    requested: Option<&[Permission]>,
    now: i64,
) -> Result<Vec<(String, i64)>, RefreshRefusal> {
    let wanted = |g: &Grant| match requested {
        None => true,
        Some(list) => Permission::parse(&g.permission)
            .map(|held| {
                list.iter()
                    .any(|w| held.implies(w) || w.to_string() == g.permission)
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

/// Active grants of a family as `Permission`s (for `allows`).
pub fn active_permissions(grants: &[Grant], now: i64) -> Vec<(Permission, i64)> {
    grants
        .iter()
        .filter(|g| g.is_active(now))
        .filter_map(|g| {
            Permission::parse(&g.permission)
                .ok()
                .map(|p| (p, g.expires_at))
        })
        .collect()
}

/// Does a set of held permissions allow `wanted`?
pub fn held_allows(held: &[(Permission, i64)], wanted: &Permission) -> bool {
    let perms: Vec<Permission> = held.iter().map(|(p, _)| p.clone()).collect();
    allows(&perms, wanted)
}
