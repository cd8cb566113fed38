//! Issuing a grant family (one consent decision) and signing delegation tokens; rotation is in
//! [`super::refresh`].
//!
//! Refresh tokens are 32 random bytes in standard base64; only their SHA-256 is stored.

use std::collections::BTreeMap;

use super::{KeyRing, TokenError};
use crate::crypto::jws::DelegationClaims;
use crate::crypto::{PlainToken, ServerKey};
use crate::db::{self, DbConnection};
use crate::domain::permission::Permission;

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
    /// `security.refresh_grace_secs`: how long a just-rotated refresh token may be presented again
    /// as a retry (see [`super::refresh`]).
    pub refresh_grace_secs: i64,
    /// Who owns which offer (the audience of a token), read again at most every
    /// `security.key_reload_secs`.
    pub owners: super::audience::OwnerCache,
}

/// Tokens just issued for a family. `Debug` redacts the tokens.
#[derive(Clone)]
pub struct Issued {
    /// The family (`gid`).
    pub family_id: i64,
    /// The refresh token (exists only here and in the response).
    pub refresh_token: PlainToken,
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
/// `Debug` redacts the refresh token.
#[derive(Clone)]
pub struct Unsigned {
    /// The family (`gid`).
    pub family_id: i64,
    /// The refresh token (exists only here and in the response).
    pub refresh_token: PlainToken,
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

/// A new refresh token (32 random bytes, standard base64) and its SHA-256 (hex).
pub(super) fn new_refresh_token() -> Result<(PlainToken, crate::crypto::TokenHash), TokenError> {
    let token = PlainToken::random_b64()?;
    let hash = token.hash();
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
        let aud = super::audience::of_offers(
            conn,
            &self.owners,
            &self.issuer_url,
            offers.iter().map(|(p, _)| p.as_str()),
        )?;
        let claims = DelegationClaims {
            iss: self.issuer_url.clone(),
            aud: Some(aud),
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
        crate::metrics::grant_issued(req.protocol);
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
        db::refresh_token::insert_refresh_token(conn, family_id, &hash, 0, now)?;
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
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("family_id", &self.family_id)
            .field("refresh_token", &crate::crypto::REDACTED)
            .field("delegation_token", &crate::crypto::REDACTED)
            .field("exp", &self.exp)
            .field("offers", &self.offers)
            .field("lid", &self.lid)
            .finish()
    }
}

impl std::fmt::Debug for Unsigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unsigned")
            .field("family_id", &self.family_id)
            .field("refresh_token", &crate::crypto::REDACTED)
            .field("offers", &self.offers)
            .field("lid", &self.lid)
            .field("appid", &self.appid)
            .field("resource", &self.resource)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_of_issued_tokens_shows_neither_token() {
        let issued = Issued {
            family_id: 7,
            refresh_token: PlainToken::from_exposed("refresh-secret-value"),
            delegation_token: "eyJ.delegation.secret".into(),
            exp: 1,
            offers: vec![("Contacts.Read".into(), 2)],
            lid: "6a9e4d31496a894d".into(),
        };
        let printed = format!("{issued:?}");
        assert!(!printed.contains("refresh-secret") && !printed.contains("delegation.secret"));
        assert!(printed.contains("Contacts.Read") && printed.contains("6a9e4d31496a894d"));
    }
}
