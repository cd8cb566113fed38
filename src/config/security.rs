//! `[security]`: keys, password hashing, sessions, device tokens and the limits of
//! [`crate::ratelimit`].

use serde::Deserialize;
use std::path::PathBuf;

/// `[security]`
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// `server_key` (`ASSENT_SERVER_KEY`): 32 bytes as 64 hex digits or base64; seals app secrets and
    /// signing keys, keys cookie MACs. Required with PostgreSQL (all instances share it).
    pub server_key: Option<String>,
    /// `server_key_file` (`ASSENT_SERVER_KEY_FILE`): file holding the key; for SQLite the default is
    /// `<database file>.key`, created with mode 0600 on first start.
    pub server_key_file: Option<PathBuf>,
    /// `session_ttl_secs`: lifetime of a sign-in session (default 7 days).
    pub session_ttl_secs: i64,
    /// `password_memory_kib`: argon2id memory cost (default 19456, OWASP).
    pub password_memory_kib: u32,
    /// `password_iterations`: argon2id time cost (default 2).
    pub password_iterations: u32,
    /// `password_parallelism`: argon2id lanes (default 1).
    pub password_parallelism: u32,
    /// `password_hash_concurrency`: hashes computed at once, each holding `password_memory_kib`;
    /// more wait (default: half the cores, at least 1).
    pub password_hash_concurrency: Option<usize>,
    /// `sign_in_max_failures_per_account`: failed sign-ins per account within the window before 429.
    pub sign_in_max_failures_per_account: u32,
    /// `sign_in_max_failures_per_ip`: failed sign-ins per client IP within the window before 429.
    pub sign_in_max_failures_per_ip: u32,
    /// `sign_in_window_secs`: the window of both limits (default 900).
    pub sign_in_window_secs: i64,
    /// `client_secret_max_failures_per_client`: wrong client or provider secrets per client id
    /// (OAuth token, introspection, revocation, `POST /delegation/check`) in the window before 429.
    pub client_secret_max_failures_per_client: u32,
    /// `client_secret_max_failures_per_ip`: wrong client or provider secrets per client IP in the
    /// window before 429.
    pub client_secret_max_failures_per_ip: u32,
    /// `client_secret_window_secs`: the window of both client-secret limits (default 900).
    pub client_secret_window_secs: i64,
    /// `sign_up_max_per_ip`: accounts `POST /signup` creates per client IP in the window, then 429.
    pub sign_up_max_per_ip: u32,
    /// `sign_up_window_secs`: the window of the sign-up limit (default 3600).
    pub sign_up_window_secs: i64,
    /// `key_reload_secs`: how often an instance re-reads the signing keys (default 60), so a
    /// `keys rotate` on any instance reaches all of them.
    pub key_reload_secs: i64,
    /// `device_token_policy`: `one_per_user` (default: signing in on another device ends the
    /// previous device token) or `one_per_device` (each device keeps its own token).
    pub device_token_policy: DeviceTokenPolicy,
    /// `refresh_grace_secs`: how long after a rotation the client may present the refresh token it
    /// just rotated again and get the same new refresh token back, as long as that one is unused
    /// (its answer was lost); later, or once the new one was used, it is reuse (default 5; 0 turns
    /// retries off).
    pub refresh_grace_secs: i64,
    /// `device_token_ttl_secs`: lifetime of a device token from `POST /tokens` (default 30 days).
    pub device_token_ttl_secs: i64,
}

/// How many device tokens (`POST /tokens`) a user may hold at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceTokenPolicy {
    /// One for the whole account: a sign-in on any device deletes every other device token.
    #[default]
    OnePerUser,
    /// One per device: a new sign-in replaces only the token of the same device.
    OnePerDevice,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            server_key: None,
            server_key_file: None,
            session_ttl_secs: 7 * 24 * 3600,
            password_memory_kib: 19 * 1024,
            password_iterations: 2,
            password_parallelism: 1,
            password_hash_concurrency: None,
            sign_in_max_failures_per_account: 5,
            sign_in_max_failures_per_ip: 20,
            sign_in_window_secs: 900,
            client_secret_max_failures_per_client: 10,
            client_secret_max_failures_per_ip: 50,
            client_secret_window_secs: 900,
            sign_up_max_per_ip: 10,
            sign_up_window_secs: 3600,
            key_reload_secs: 60,
            device_token_policy: DeviceTokenPolicy::OnePerUser,
            device_token_ttl_secs: 30 * 24 * 3600,
            refresh_grace_secs: 5,
        }
    }
}

impl std::fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityConfig")
            .field(
                "server_key",
                &self.server_key.as_ref().map(|_| crate::crypto::REDACTED),
            )
            .field("server_key_file", &self.server_key_file)
            .field("session_ttl_secs", &self.session_ttl_secs)
            .field("password_memory_kib", &self.password_memory_kib)
            .field("password_iterations", &self.password_iterations)
            .field("password_parallelism", &self.password_parallelism)
            .field("password_hash_concurrency", &self.password_hash_concurrency)
            .field(
                "sign_in_max_failures_per_account",
                &self.sign_in_max_failures_per_account,
            )
            .field(
                "sign_in_max_failures_per_ip",
                &self.sign_in_max_failures_per_ip,
            )
            .field("sign_in_window_secs", &self.sign_in_window_secs)
            .field(
                "client_secret_max_failures_per_client",
                &self.client_secret_max_failures_per_client,
            )
            .field(
                "client_secret_max_failures_per_ip",
                &self.client_secret_max_failures_per_ip,
            )
            .field("client_secret_window_secs", &self.client_secret_window_secs)
            .field("sign_up_max_per_ip", &self.sign_up_max_per_ip)
            .field("sign_up_window_secs", &self.sign_up_window_secs)
            .field("key_reload_secs", &self.key_reload_secs)
            .field("device_token_policy", &self.device_token_policy)
            .field("device_token_ttl_secs", &self.device_token_ttl_secs)
            .field("refresh_grace_secs", &self.refresh_grace_secs)
            .finish()
    }
}
