//! The user's own surface (docs/protocol.md section 10.1): the consent dashboard, revoking a permission or a
//! whole app, the history of grants, refreshes and revocations, and the account settings (password
//! change, sign out everywhere).
//!
//! Everything here is synchronous over a [`DbConnection`](crate::db::DbConnection) and never sees
//! actix: handlers call these inside `Db::run` (reads) or `Db::transaction` (each state change is
//! ONE transaction, with its audit event).

pub mod account;
pub mod dashboard;
pub mod delete;
pub mod export;
pub mod history;
pub mod listing;
pub mod moment;
pub mod revoke;
pub mod sessions;
pub mod wording;

pub use dashboard::{AppAccess, Dashboard, ExpiredAccess, PermissionAccess};
pub use history::{HistoryEvent, HistoryPage};
pub use moment::{date_in, Moment};
pub use revoke::Revoked;
