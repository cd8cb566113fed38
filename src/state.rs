//! What every handler shares: configuration, storage, keys, caches. Built by `startup`, read by
//! `routes`; it imports neither.

use crate::config::Config;
use crate::crypto::password::PasswordHasher;
use crate::crypto::ServerKey;
use crate::db::Db;
use crate::ratelimit::Limits;

/// Shared state of every handler.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Storage.
    pub db: Db,
    /// The server key.
    pub key: ServerKey,
    /// Password hashing.
    pub hasher: PasswordHasher,
    /// Limits on failed passwords and secrets and on sign-ups.
    pub limits: Limits,
    /// Public base URL without trailing slash.
    pub public_url: String,
    /// Set the `Secure` flag on cookies (public URL is https).
    pub secure_cookies: bool,
    /// Signs and checks tokens.
    pub issuer: crate::tokens::Issuer,
    /// Resource providers' credentials and the catalogue, cached for the check endpoint.
    pub providers: crate::provider_cache::ProviderCache,
    /// Emailed links (address verification, password reset) and the mailer that sends them.
    pub email: crate::email_link::EmailLinks,
    /// The demo website's registration, with `serve --demo`.
    pub demo: Option<crate::demo::DemoSite>,
    /// The check endpoint's coalesced reads of families and limiter counts.
    pub check_reads: std::sync::Arc<crate::db::coalesce::CheckReads>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration and keys hold secrets (the server key): none of them is printed.
        f.debug_struct("AppState")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}
