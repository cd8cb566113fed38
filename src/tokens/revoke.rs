//! Ending a grant family: one reason enum, one function that revokes the family and its refresh
//! tokens and records why, used by every protocol (reuse detection, a replayed code, RFC 7009).

use crate::db::{self, DbConnection};

/// Why a grant family ends (`token_families.revoked_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    /// A consumed refresh token was presented again (RFC 9700 section 4.14.2: "the authorization
    /// server cannot determine which party submitted the invalid refresh token ... it will revoke
    /// the active refresh token").
    Reuse,
    /// An authorization code was exchanged twice (RFC 6749 section 4.1.2: the server "SHOULD
    /// revoke (when possible) all tokens previously issued based on that authorization code").
    CodeReplay,
    /// The application revoked its own token (RFC 7009).
    Client,
    /// The user removed the access on the dashboard.
    User,
}

impl RevokeReason {
    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            RevokeReason::Reuse => "reuse",
            RevokeReason::CodeReplay => "code_replay",
            RevokeReason::Client => "client",
            RevokeReason::User => "user",
        }
    }

    /// The stored form read back (`None` for an unknown one).
    pub fn parse(stored: &str) -> Option<RevokeReason> {
        [
            RevokeReason::Reuse,
            RevokeReason::CodeReplay,
            RevokeReason::Client,
            RevokeReason::User,
        ]
        .into_iter()
        .find(|r| r.as_str() == stored)
    }

    /// The history's event and sentence for a revocation that no person asked for on a page.
    fn audit(self) -> (&'static str, &'static str) {
        match self {
            RevokeReason::Reuse => (
                "reuse_detected",
                "a used refresh token was presented again; every token of this grant was revoked",
            ),
            RevokeReason::CodeReplay => (
                "code_replay",
                "an authorization code was used twice; the tokens it gave were revoked",
            ),
            RevokeReason::Client => ("revoke_app", "the application revoked its token (RFC 7009)"),
            RevokeReason::User => ("revoke_app", "you removed this app's access"),
        }
    }
}

/// A family as revocation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyRef {
    /// The family (`gid`).
    pub id: i64,
    /// Its user.
    pub user_id: i64,
    /// Its application (primary key).
    pub application_id: i64,
}

/// End `family` for `reason` (its refresh tokens too) and record it in the user's history, in the
/// caller's transaction.
pub fn revoke_family(
    conn: &mut DbConnection,
    family: FamilyRef,
    reason: RevokeReason,
    now: i64,
) -> diesel::QueryResult<()> {
    db::grant::revoke_family(conn, family.id, reason.as_str(), now)?;
    let (event, detail) = reason.audit();
    db::audit::record(
        conn,
        now,
        event,
        Some(family.user_id),
        Some(family.application_id),
        Some(family.id),
        detail,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_stored_form() {
        for r in [
            RevokeReason::Reuse,
            RevokeReason::CodeReplay,
            RevokeReason::Client,
            RevokeReason::User,
        ] {
            assert_eq!(RevokeReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(RevokeReason::parse("other"), None);
    }
}
