//! OAuth 2.0 (docs/protocol.md section 9) through oxide-auth, over the same applications, consent page,
//! grants and tokens as the Live protocol. oxide-auth runs the flows (request validation, client
//! authentication, PKCE, error responses); [`store::Store`] is its Registrar, Authorizer and Issuer
//! over the database. Flows are synchronous: run them inside `Db::transaction`. No actix here.

pub mod authorize;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod metadata;
pub mod request;
pub mod resource;
pub mod revoke;
pub mod scope;
pub mod store;

pub use endpoint::{authorize, token, AuthorizeDecision, CodeExchange, FlowError, TokenAnswer};
pub use request::{OAuthReq, OAuthResp};
