//! The built-in `Profiles` resource (docs/protocol.md sections 7 and 10.4): Assent is itself the
//! provider of `Profiles.Read`, checked like any provider's offer, served at
//! `GET /users/@L@<lid>/profile` and `GET /me`.

use crate::catalogue::BUILTIN_RP;
use crate::db::{self, DbConnection};

/// The user's profile as the built-in `Profiles` provider serves it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    /// Location id.
    pub lid: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Whether the user showed the address is theirs (opened a link sent to it); apps should not
    /// trust `email` while this is `false`.
    pub email_verified: bool,
}

impl From<db::user::User> for Profile {
    fn from(user: db::user::User) -> Profile {
        Profile {
            email_verified: user.email_verified(),
            lid: user.lid,
            name: user.name,
            email: user.email,
        }
    }
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
        ..Default::default()
    };
    let Some(active) = builtin.check(issuer, conn, &req, now)? else {
        return Ok(None);
    };
    Ok(db::user::find_by_lid(conn, &active.lid)?.map(Profile::from))
}
