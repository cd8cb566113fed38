//! Pure types and rules: untrusted values become these types at the edge. No I/O, no actix.

pub mod app_id;
pub mod email;
pub mod grant;
pub mod local_path;
pub mod password;
pub mod permission;
pub mod return_url;
pub mod zone;

pub use app_id::{AppId, Lid};
pub use email::Email;
pub use local_path::LocalPath;
pub use zone::Zone;
