//! Grants and tokens shared by both protocols: the signing key ring, issuing a grant family with its
//! delegation and refresh tokens, rotating refresh tokens with reuse detection, and checking a
//! delegation token against the grants. Synchronous: call inside `Db::run` / `Db::transaction`.

pub mod audience;
pub mod check;
pub mod issue;
pub mod keys;
pub mod refresh;
pub mod revoke;
pub mod verified;

pub use check::{check, ActiveToken, CheckRequest};
pub use issue::{Issued, Issuer};
pub use keys::KeyRing;
pub use refresh::{Presented, RefreshOutcome, RefreshRefusal, Standing};
pub use revoke::{revoke_family, FamilyRef, RevokeReason};

/// Errors of token work (all are server-side failures; refusals are values, not errors).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// A query failed.
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// A signing key could not be created, opened or used.
    #[error("signing key: {0}")]
    Key(String),
    /// Randomness failed.
    #[error(transparent)]
    Rng(#[from] crate::crypto::RngError),
}
