//! The consent flow, HTTP-free and written once for every protocol: the pending consent carried
//! through the form (with the protocol it answers), the decision read from the form, the
//! remembered-consent rule, the page's view, and [`decide`], which returns what the protocol
//! answers. `routes::consent` (the Live URLs) and `routes::oauth` (the OAuth URLs) only convert
//! HTTP.

pub mod decide;
pub mod decision;
pub mod page;
pub mod pending;
pub mod remember;

pub use decide::{decide, Answer};
pub use decision::{Decision, DecisionError};
pub use page::ConsentPage;
pub use pending::{PendingConsent, Protocol, PENDING_TTL_SECS};
