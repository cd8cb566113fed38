//! `assent bench-seed` (hidden): many grant families at once, for the scale rows of `benches/run`.
//!
//! Each family is what a consent decision writes ([`crate::tokens::Issuer::grant_rows`]): a
//! `token_families` row, one grant, its first refresh token (32 random bytes, only the SHA-256
//! stored) and a `grant` audit event, with the application's own id generators. Only the way of
//! writing differs: many rows per statement and many families per transaction, with diesel's
//! query builder against `crate::db::schema` (see `rows`), so that a million families take about
//! a minute. The families belong to filler users (one per `families_per_user` families, password
//! hash `!`, so they can not sign in) or to one existing user. For benchmark databases only.

mod rows;

use std::time::Instant;

use diesel::prelude::*;
use serde::Serialize;

use super::AdminError;
use crate::crypto::{random_bytes, random_id};
use crate::db::schema::{grants, refresh_tokens, token_families};
use crate::db::{self, Db, DbConnection};
use crate::domain::permission::Permission;
use crate::domain::{Email, Lid};
use rows::{Batch, Shape, UserRow};

/// What `assent bench-seed` writes (its command-line options).
#[derive(Debug, Clone, clap::Args)]
pub struct BenchSeed {
    /// How many grant families to add.
    #[arg(long, value_name = "N")]
    pub families: u64,
    /// The application (appid) they belong to.
    #[arg(long = "app", value_name = "APPID")]
    pub appid: String,
    /// The user (email) who owns them all (default: new filler users).
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Families per filler user.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub families_per_user: u64,
    /// The permission granted in each family.
    #[arg(long, default_value = "Contacts.Read")]
    pub permission: String,
    /// Families per transaction.
    #[arg(long = "batch", value_name = "N", default_value_t = 250_000)]
    pub per_transaction: u64,
}

/// `bench-seed` output.
#[derive(Debug, Serialize)]
pub struct Seeded {
    /// Families added.
    pub families: u64,
    /// Grants added.
    pub grants: u64,
    /// Refresh tokens added.
    pub refresh_tokens: u64,
    /// Audit events added.
    pub audit_events: u64,
    /// Filler users added.
    pub users: u64,
    /// Wall-clock seconds the seeding took.
    pub seconds: f64,
    /// Rows in the database afterwards (all of them, not only the seeded ones).
    pub totals: Totals,
    /// The last seeded family of each protocol with its refresh token, to try one.
    pub samples: Vec<Sample>,
}

/// Row counts of the database after seeding.
#[derive(Debug, Serialize)]
pub struct Totals {
    /// `token_families` rows.
    pub families: i64,
    /// `grants` rows.
    pub grants: i64,
    /// `refresh_tokens` rows.
    pub refresh_tokens: i64,
}

/// One seeded family with its (only) refresh token.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// `live` or `oauth`.
    pub protocol: String,
    /// The family (`gid`).
    pub family_id: i64,
    /// Its refresh token (generation 0).
    pub refresh_token: String,
}

/// Seed `req.families` grant families of one permission for one application (see the module
/// documentation). Each transaction commits `req.per_transaction` families; afterwards PostgreSQL
/// gets fresh planner statistics (ANALYZE) and SQLite's write-ahead log is checkpointed.
pub fn bench_seed(db: &Db, req: &BenchSeed, now: i64) -> Result<Seeded, AdminError> {
    let started = Instant::now();
    let permission = Permission::parse(&req.permission)
        .map_err(|e| AdminError::Invalid(format!("--permission {}: {e}", req.permission)))?
        .to_string();
    if req.per_transaction == 0 || req.families_per_user == 0 {
        return Err(AdminError::Invalid(
            "--batch and --families-per-user must be at least 1".into(),
        ));
    }
    db.run_sync(|conn| {
        let (users, samples) =
            db::bulk::bulk_load(conn, |conn| seed_on(db, conn, req, &permission, now))?;
        Ok(Seeded {
            families: req.families,
            grants: req.families,
            refresh_tokens: req.families,
            audit_events: req.families,
            users,
            seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            totals: totals(conn)?,
            samples,
        })
    })
}

/// The writes of [`bench_seed`] on one connection: the filler users created and the samples.
fn seed_on(
    db: &Db,
    conn: &mut DbConnection,
    req: &BenchSeed,
    permission: &str,
    now: i64,
) -> Result<(u64, Vec<Sample>), AdminError> {
    let app = db::application::find_by_appid(conn, &req.appid)?
        .ok_or_else(|| AdminError::NotFound(format!("no application {}", req.appid)))?;
    let (owners, users) = match req.user.as_deref() {
        Some(email) => {
            let email = Email::parse(email).map_err(AdminError::Invalid)?;
            let user = db::user::find_by_email(conn, email.as_str())?
                .ok_or_else(|| AdminError::NotFound(format!("no user {}", email.as_str())))?;
            (vec![user.id], 0)
        }
        None => {
            let count = req.families.div_ceil(req.families_per_user);
            (filler_users(db, conn, count, now)?, count)
        }
    };
    let shape = Shape {
        application_id: app.id,
        owners: &owners,
        permission,
        now,
    };
    let mut samples = Vec::new();
    let mut done = 0;
    while done < req.families {
        let to = req.families.min(done.saturating_add(req.per_transaction));
        let batch = Batch::build(&shape, done, to)?;
        db.write_in(conn, |c| batch.insert(c))?;
        samples = batch.samples;
        done = to;
    }
    Ok((users, samples))
}

/// Add `count` filler users (`filler-TAG-N@bench.invalid`, unusable password) in one transaction;
/// their ids.
fn filler_users(
    db: &Db,
    conn: &mut DbConnection,
    count: u64,
    now: i64,
) -> Result<Vec<i64>, AdminError> {
    let tag = hex::encode(random_bytes::<4>()?);
    let mut rows = Vec::new();
    for n in 0..count {
        rows.push(UserRow {
            id: random_id()?,
            lid: Lid::generate()?.as_str().to_string(),
            email: format!("filler-{tag}-{n}@bench.invalid"),
            name: "Filler",
            password_hash: "!",
            created_at: now,
            password_changed_at: now,
        });
    }
    db.write_in(conn, |c| rows::insert_users(c, &rows))?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Row counts of the tables a family spans.
fn totals(conn: &mut DbConnection) -> QueryResult<Totals> {
    Ok(Totals {
        families: token_families::table.count().get_result(conn)?,
        grants: grants::table.count().get_result(conn)?,
        refresh_tokens: refresh_tokens::table.count().get_result(conn)?,
    })
}
