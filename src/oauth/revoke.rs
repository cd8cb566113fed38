//! RFC 7009 revocation: a client revokes its own refresh or access token (which ends the token's
//! grant family); anything else, including another client's token, is ignored with success.

use crate::crypto::jws::{self, DelegationClaims};
use crate::db::{self, application::Application, DbConnection};
use crate::tokens::{Issuer, TokenError};

/// Revoke `token` if it belongs to `app`. Returns whether something was revoked.
pub fn revoke(
    conn: &mut DbConnection,
    issuer: &Issuer,
    app: &Application,
    token: &str,
    now: i64,
) -> Result<bool, TokenError> {
    let family =
        match db::refresh_token::find_refresh_token(conn, &crate::crypto::TokenHash::of(token))? {
            Some((_, family, _)) => Some((family.id, family.user_id, family.application_id)),
            None => {
                let mut lookup_error = None;
                let claims = jws::verify_with::<DelegationClaims, _, _>(token, now, |kid| {
                    issuer
                        .keys
                        .verifying(kid, conn, &issuer.server_key, now)
                        .unwrap_or_else(|e| {
                            lookup_error = Some(e);
                            None
                        })
                });
                if let Some(e) = lookup_error {
                    return Err(e);
                }
                match claims.ok().and_then(|c| c.gid.parse::<i64>().ok()) {
                    Some(gid) => db::grant::family_with_grants(conn, gid)?
                        .map(|(f, _)| (f.id, f.user_id, f.application_id)),
                    None => None,
                }
            }
        };
    let Some((family_id, user_id, application_id)) = family else {
        return Ok(false);
    };
    if application_id != app.id {
        return Ok(false);
    }
    let family = crate::tokens::FamilyRef {
        id: family_id,
        user_id,
        application_id,
    };
    crate::tokens::revoke_family(conn, family, crate::tokens::RevokeReason::Client, now)?;
    Ok(true)
}
