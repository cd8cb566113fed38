//! The Live-compatible delegated authentication protocol (docs/protocol.md sections 1 to 4 and 8): the
//! application verifier, the consent request, the ConsentToken and refresh; and Web Authentication
//! (section 10.3). No actix here.

pub mod app;
pub mod params;
pub mod refresh;
pub mod request;
pub mod token;
pub mod webauth;

pub use app::AppContext;
pub use params::Params;
