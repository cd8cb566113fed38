//! The rows of `bench-seed` and how they are written: one transaction's worth of grant families,
//! built in memory, then written table by table with diesel's query builder against
//! `crate::db::schema` (binary COPY on PostgreSQL, multi-row INSERTs on SQLite).

use diesel::prelude::*;

use super::{AdminError, Sample};
use crate::crypto::{b64, random_bytes, random_id, sha256_hex};
use crate::db::schema::{audit_events, grants, refresh_tokens, token_families, users};
use crate::db::{self, DbConnection};

/// Seeded families were granted over the last 30 days...
const SPREAD_SECS: u64 = 30 * 86_400;

/// ...each for 90 days.
const GRANT_SECS: i64 = 90 * 86_400;

// Owned values ('static types): diesel caches a prepared statement only for those.

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub(super) struct UserRow {
    pub(super) id: i64,
    pub(super) lid: String,
    pub(super) email: String,
    pub(super) name: &'static str,
    pub(super) password_hash: &'static str,
    pub(super) created_at: i64,
    pub(super) password_changed_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = token_families, treat_none_as_default_value = false)]
struct FamilyRow {
    id: i64,
    user_id: i64,
    application_id: i64,
    protocol: &'static str,
    created_at: i64,
    last_used_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = grants, treat_none_as_default_value = false)]
struct GrantRow {
    id: i64,
    family_id: i64,
    user_id: i64,
    application_id: i64,
    permission: String,
    granted_at: i64,
    expires_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens, treat_none_as_default_value = false)]
struct TokenRow {
    id: i64,
    family_id: i64,
    token_hash: String,
    generation: i32,
    issued_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct EventRow {
    id: i64,
    at: i64,
    kind: &'static str,
    user_id: Option<i64>,
    application_id: Option<i64>,
    family_id: Option<i64>,
    detail: String,
}

/// Write filler users (in the caller's transaction).
pub(super) fn insert_users(conn: &mut DbConnection, rows: &[UserRow]) -> QueryResult<()> {
    crate::db::bulk::write_rows!(conn, users::table, rows);
    Ok(())
}

/// What every seeded family shares.
pub(super) struct Shape<'a> {
    /// The application's primary key.
    pub(super) application_id: i64,
    /// The users who own the families, in turn.
    pub(super) owners: &'a [i64],
    /// The granted permission.
    pub(super) permission: &'a str,
    /// Unix seconds.
    pub(super) now: i64,
}

/// The rows of one transaction's families.
pub(super) struct Batch {
    families: Vec<FamilyRow>,
    grants: Vec<GrantRow>,
    tokens: Vec<TokenRow>,
    events: Vec<EventRow>,
    /// The last family of each protocol, with its refresh token.
    pub(super) samples: Vec<Sample>,
}

/// The audit text of a grant of `permission` over `protocol`, as a consent decision writes it.
fn grant_detail(permission: &str, protocol: &str) -> String {
    let via = if protocol == "oauth" {
        "OAuth 2.0"
    } else {
        "the Live consent protocol"
    };
    format!("granted {permission} via {via}")
}

impl Batch {
    /// Families number `from..to` of this run: even ones `live`, odd ones `oauth`, owners in turn,
    /// granted up to 30 days before `now` for 90 days.
    pub(super) fn build(shape: &Shape<'_>, from: u64, to: u64) -> Result<Batch, AdminError> {
        let n = usize::try_from(to.saturating_sub(from))
            .map_err(|e| AdminError::Invalid(e.to_string()))?;
        let mut b = Batch {
            families: Vec::with_capacity(n),
            grants: Vec::with_capacity(n),
            tokens: Vec::with_capacity(n),
            events: Vec::with_capacity(n),
            samples: Vec::new(),
        };
        let owners = shape.owners.len() as u64;
        for i in from..to {
            let protocol = if i % 2 == 0 { "live" } else { "oauth" };
            // Both remainders are far below `usize::MAX` and `i64::MAX`.
            let user_id = shape.owners[(i % owners) as usize];
            let at = shape.now - (i % SPREAD_SECS) as i64;
            let family_id = random_id()?;
            let refresh_token = b64(&random_bytes::<32>()?);
            b.families.push(FamilyRow {
                id: family_id,
                user_id,
                application_id: shape.application_id,
                protocol,
                created_at: at,
                last_used_at: at,
            });
            b.grants.push(GrantRow {
                id: random_id()?,
                family_id,
                user_id,
                application_id: shape.application_id,
                permission: shape.permission.to_string(),
                granted_at: at,
                expires_at: at + GRANT_SECS,
            });
            b.tokens.push(TokenRow {
                id: random_id()?,
                family_id,
                token_hash: sha256_hex(refresh_token.as_bytes()),
                generation: 0,
                issued_at: at,
            });
            b.events.push(EventRow {
                id: db::audit::ordered_id()?,
                at,
                kind: "grant",
                user_id: Some(user_id),
                application_id: Some(shape.application_id),
                family_id: Some(family_id),
                detail: grant_detail(shape.permission, protocol),
            });
            if i + 2 >= to {
                b.samples.push(Sample {
                    protocol: protocol.to_string(),
                    family_id,
                    refresh_token,
                });
            }
        }
        // In key order, each INSERT touches a narrow range of its primary-key index (on SQLite a
        // third less time for a million families); audit ids are in order already.
        b.families.sort_unstable_by_key(|r| r.id);
        b.grants.sort_unstable_by_key(|r| r.id);
        b.tokens.sort_unstable_by_key(|r| r.id);
        Ok(b)
    }

    /// Write the batch (in the caller's transaction).
    pub(super) fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        crate::db::bulk::write_rows!(conn, token_families::table, self.families);
        crate::db::bulk::write_rows!(conn, grants::table, self.grants);
        crate::db::bulk::write_rows!(conn, refresh_tokens::table, self.tokens);
        crate::db::bulk::write_rows!(conn, audit_events::table, self.events);
        Ok(())
    }
}
