//! The permission catalogue as the domain sees it, loaded from storage, and the built-in `Profiles`
//! provider (Assent itself is the resource provider for the user's profile).

use crate::db::{self, DbConnection};
use crate::domain::permission::Catalogue;

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
                &crate::crypto::TokenHash::of(&secret),
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
