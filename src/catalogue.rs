//! The permission catalogue as the domain sees it, loaded from storage, and the built-in `Profiles`
//! provider (Assent itself is the resource provider for the user's profile).

use crate::db::{self, DbConnection};
use crate::domain::permission::Catalogue;

pub mod apply;

pub use apply::{apply, parse_file, Applied, CatalogueFile};

/// The built-in provider's public id.
pub const BUILTIN_RP: &str = "assent";

/// Load the whole catalogue (offers, actions, custom-type providers).
pub fn load(conn: &mut DbConnection) -> diesel::QueryResult<Catalogue> {
    let mut catalogue = Catalogue::new();
    for row in db::provider::catalogue(conn)? {
        catalogue.add(
            &row.offer,
            &row.action,
            &row.description,
            row.grantable,
            row.provider_id,
        );
    }
    for rp in db::provider::list(conn)? {
        if rp.custom_types {
            catalogue.add_custom_type_provider(rp.id, &rp.name);
        }
    }
    Ok(catalogue)
}

/// Create the built-in `Profiles` provider if missing: `Profiles.Read` grantable, `Profiles.Write`
/// not (docs/protocol.md section 6). Its secret is random and never printed: Assent checks its own offer
/// in-process.
pub fn ensure_builtin(conn: &mut DbConnection, now: i64) -> diesel::QueryResult<()> {
    let provider_id = match db::provider::find_by_rp_id(conn, BUILTIN_RP)? {
        Some(rp) => rp.id,
        None => {
            let id = db::new_id()?;
            let secret = crate::crypto::random_token()
                .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
            db::provider::insert(
                conn,
                id,
                BUILTIN_RP,
                "Assent profiles",
                &crate::crypto::sha256_hex(secret.as_bytes()),
                false,
                now,
            )?;
            id
        }
    };
    let offer_id = match db::provider::find_offer(conn, "Profiles")? {
        Some((id, _)) => id,
        None => db::provider::insert_offer(conn, provider_id, "Profiles")?,
    };
    db::provider::upsert_action(
        conn,
        offer_id,
        "Read",
        "See your name and email address",
        true,
    )?;
    db::provider::upsert_action(conn, offer_id, "Write", "Change your profile", false)?;
    Ok(())
}

/// The user's profile as the built-in `Profiles` provider serves it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    /// Location id.
    pub lid: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
}

/// `GET /users/@L@<lid>/profile` (docs/protocol.md section 7): the profile of `lid` when `token` (possibly
/// URL-encoded) is active for `Profiles.Read` of that user, as the built-in provider sees it.
/// `Ok(None)` means the token does not allow it; `Err` means storage failed.
pub fn read_profile(
    issuer: &crate::tokens::Issuer,
    providers: &crate::provider_cache::ProviderCache,
    conn: &mut DbConnection,
    token: &str,
    lid: &str,
    now: i64,
) -> Result<Option<Profile>, crate::tokens::TokenError> {
    profile_for_token(issuer, providers, conn, token, Some(lid), now)
}

/// `GET /me` with a delegation token: the profile of whichever user `token` is for, when it is
/// active for `Profiles.Read` (the same check as [`read_profile`], without naming the user).
pub fn read_token_profile(
    issuer: &crate::tokens::Issuer,
    providers: &crate::provider_cache::ProviderCache,
    conn: &mut DbConnection,
    token: &str,
    now: i64,
) -> Result<Option<Profile>, crate::tokens::TokenError> {
    profile_for_token(issuer, providers, conn, token, None, now)
}

fn profile_for_token(
    issuer: &crate::tokens::Issuer,
    providers: &crate::provider_cache::ProviderCache,
    conn: &mut DbConnection,
    token: &str,
    lid: Option<&str>,
    now: i64,
) -> Result<Option<Profile>, crate::tokens::TokenError> {
    let Some(builtin) = providers.provider(conn, BUILTIN_RP, now)? else {
        return Ok(None);
    };
    let Ok(read) = crate::domain::permission::Permission::parse("Profiles.Read") else {
        return Ok(None);
    };
    let token = crate::provider_cache::unescape_token(token);
    let req = crate::tokens::CheckRequest {
        token: &token,
        permission: Some(&read),
        lid,
        resource: None,
    };
    let Some(active) = builtin.check(issuer, conn, &req, now)? else {
        return Ok(None);
    };
    Ok(
        db::user::find_by_lid(conn, &active.lid)?.map(|user| Profile {
            lid: user.lid,
            name: user.name,
            email: user.email,
        }),
    )
}
