//! One typed configuration tree, loaded in layers: defaults, then an optional TOML file
//! (`--config FILE` or `ASSENT_CONFIG`), then `ASSENT_*` environment variables, then command-line flags.
//! Every key has a default and a doc line; the README lists them all. Tests change the struct, never
//! the process environment.

use serde::Deserialize;
use std::path::{Path, PathBuf};

mod mail;
mod metrics;
mod retention;
mod security;
pub use mail::{MailConfig, MailTransport, SmtpTls};
pub use metrics::MetricsConfig;
pub use retention::RetentionConfig;
pub use security::{DeviceTokenPolicy, SecurityConfig};

/// Errors while loading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("can not read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this tree.
    #[error("invalid configuration file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An environment variable has a value of the wrong type.
    #[error("invalid value for {name}: {message}")]
    Env {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[database]`
    pub database: DatabaseConfig,
    /// `[server]`
    pub server: ServerConfig,
    /// `[security]`
    pub security: SecurityConfig,
    /// `[delauth]`: the Live-compatible protocol.
    pub delauth: DelauthConfig,
    /// `[log]`
    pub log: LogConfig,
    /// `[retention]`: what the storage sweeper deletes, and when.
    pub retention: RetentionConfig,
    /// `[metrics]`: the Prometheus metrics listener.
    pub metrics: MetricsConfig,
    /// `[mail]`: email delivery and the links it carries.
    pub mail: MailConfig,
}

/// `[database]`
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `url` (`ASSENT_DATABASE_URL`): `sqlite://PATH` (embedded, the default `sqlite://assent.db`)
    /// or `postgres://user@host/db`.
    pub url: String,
    /// `pool_size`: connections in the pool.
    pub pool_size: u32,
    /// `busy_timeout_ms`: how long SQLite waits for a lock before failing.
    pub busy_timeout_ms: u32,
    /// `statement_timeout_ms`: the longest a query may run (PostgreSQL's `statement_timeout`, set
    /// on every connection; also bounds how long a request waits for its storage work).
    pub statement_timeout_ms: u32,
    /// `checkout_timeout_ms`: the longest a request waits for a pooled connection.
    pub checkout_timeout_ms: u32,
    /// `sqlite_synchronous`: `normal` (default; a commit survives a crash of the process, a power
    /// loss may lose the last ones) or `full` (every commit survives a power loss).
    pub sqlite_synchronous: Synchronous,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://assent.db".into(),
            pool_size: 8,
            busy_timeout_ms: 5000,
            statement_timeout_ms: 5000,
            checkout_timeout_ms: 5000,
            sqlite_synchronous: Synchronous::Normal,
        }
    }
}

/// The file of an embedded database URL (`sqlite://PATH` or `sqlite:PATH`); None for any other
/// (the rule by which the scheme picks the backend, see `db::Backend`).
pub fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .filter(|path| !path.is_empty())
}

/// `database.sqlite_synchronous`: when a commit on SQLite (in WAL mode) is durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Synchronous {
    /// `NORMAL`: a commit survives a crash of Assent (or of anything but the machine); a power loss
    /// or an operating-system crash can lose the last commits, never corrupt the file.
    #[default]
    Normal,
    /// `FULL`: every commit is on disk (fsync) before it is answered, so it survives a power loss.
    Full,
}

impl Synchronous {
    /// The PRAGMA value.
    pub fn pragma(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// `bind` (`ASSENT_BIND`): address to listen on; port 0 picks a free port.
    pub bind: String,
    /// `public_url` (`ASSENT_PUBLIC_URL`): the base URL users and websites reach; default `http://<bind>`.
    /// Used as the token issuer; cookies are `Secure` when it is https.
    pub public_url: Option<String>,
    /// `workers` (`ASSENT_WORKERS`): HTTP worker threads; default: one per core.
    pub workers: Option<usize>,
    /// `demo` : seed a demo user, catalogue and website at `/demo` (also `serve --demo`).
    pub demo: bool,
    /// `shutdown_timeout_secs`: on SIGTERM or SIGINT (Ctrl-C), how long requests in flight may
    /// take to finish before their connections are closed (default 10).
    pub shutdown_timeout_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            workers: None,
            demo: false,
            shutdown_timeout_secs: 10,
        }
    }
}

/// `[delauth]`: the Live-compatible delegated authentication protocol.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DelauthConfig {
    /// `verifier_max_age_secs`: how old an app verifier's `ts` may be (default 3600).
    pub verifier_max_age_secs: i64,
    /// `verifier_max_skew_secs`: how far in the future `ts` may be (default 300).
    pub verifier_max_skew_secs: i64,
    /// `delegation_token_ttl_secs`: lifetime of a `delt` (default 3600).
    pub delegation_token_ttl_secs: i64,
}

impl Default for DelauthConfig {
    fn default() -> Self {
        DelauthConfig {
            verifier_max_age_secs: 3600,
            verifier_max_skew_secs: 300,
            delegation_token_ttl_secs: 3600,
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `filter` (`ASSENT_LOG`): a tracing filter such as `info` or `assent=debug`.
    pub filter: String,
    /// `json` (`ASSENT_LOG_JSON`): one JSON object per line instead of text.
    pub json: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            filter: "info".into(),
            json: false,
        }
    }
}

impl Config {
    /// Defaults, then `file` (or `ASSENT_CONFIG`) if any, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env_file = std::env::var_os("ASSENT_CONFIG").map(PathBuf::from);
        let mut config = match file.map(Path::to_path_buf).or(env_file) {
            Some(path) => Config::from_file(&path)?,
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Read a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Apply `ASSENT_*` variables, read through `get` (the process environment in production).
    pub fn apply_env(
        &mut self,
        get: impl Fn(&'static str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(v) = get("ASSENT_DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = get("ASSENT_DATABASE_POOL_SIZE") {
            self.database.pool_size =
                v.parse().ok().filter(|n| *n > 0).ok_or(ConfigError::Env {
                    name: "ASSENT_DATABASE_POOL_SIZE",
                    message: "expected a positive integer".into(),
                })?;
        }
        if let Some(v) = get("ASSENT_BIND") {
            self.server.bind = v;
        }
        if let Some(v) = get("ASSENT_PUBLIC_URL") {
            self.server.public_url = Some(v);
        }
        if let Some(v) = get("ASSENT_WORKERS") {
            let n = v.parse().map_err(|_| ConfigError::Env {
                name: "ASSENT_WORKERS",
                message: "expected a positive integer".into(),
            })?;
            self.server.workers = Some(n);
        }
        if let Some(v) = get("ASSENT_SERVER_KEY") {
            self.security.server_key = Some(v);
        }
        if let Some(v) = get("ASSENT_SERVER_KEY_FILE") {
            self.security.server_key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("ASSENT_METRICS_BIND") {
            self.metrics.bind = v;
        }
        if let Some(v) = get("ASSENT_LOG") {
            self.log.filter = v;
        }
        if let Some(v) = get("ASSENT_LOG_JSON") {
            self.log.json = matches!(v.as_str(), "1" | "true" | "yes");
        }
        self.mail.apply_env(&get)?;
        Ok(())
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.server.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.server.bind),
        }
    }
}

/// A database URL fit for a log line: any password replaced by `***`.
fn url_without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &url_without_password(&self.url))
            .field("pool_size", &self.pool_size)
            .field("busy_timeout_ms", &self.busy_timeout_ms)
            .field("statement_timeout_ms", &self.statement_timeout_ms)
            .field("checkout_timeout_ms", &self.checkout_timeout_ms)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_of_the_configuration_shows_no_secret() {
        let mut config = Config::default();
        config.security.server_key = Some("00112233445566778899aabbccddeeff".repeat(2));
        config.database.url = "postgres://assent:hunter2-secret@db.internal/assent".into();
        let printed = format!("{config:?}");
        assert!(!printed.contains("00112233445566778899"), "{printed}");
        assert!(!printed.contains("hunter2-secret"), "{printed}");
        assert!(printed.contains("db.internal"), "{printed}");
    }

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        let mut config: Config = toml::from_str(
            "[database]\nurl = \"sqlite://from-file.db\"\n[server]\nbind = \"0.0.0.0:9\"\n",
        )
        .unwrap();
        assert_eq!(config.database.url, "sqlite://from-file.db");
        assert_eq!(config.security.password_iterations, 2);
        config
            .apply_env(|name| (name == "ASSENT_DATABASE_URL").then(|| "postgres://x/y".into()))
            .unwrap();
        assert_eq!(config.database.url, "postgres://x/y");
        assert_eq!(config.public_url(), "http://0.0.0.0:9");
    }

    #[test]
    fn the_metrics_listener_is_on_the_loopback_by_default_and_can_be_moved_or_turned_off() {
        let mut config = Config::default();
        assert_eq!(config.metrics.listen_on(), Some("127.0.0.1:9464"));
        let file: Config = toml::from_str("[metrics]\nbind = \"off\"\n").unwrap();
        assert_eq!(file.metrics.listen_on(), None);
        config
            .apply_env(|name| (name == "ASSENT_METRICS_BIND").then(|| "0.0.0.0:9100".into()))
            .unwrap();
        assert_eq!(config.metrics.listen_on(), Some("0.0.0.0:9100"));
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        assert!(toml::from_str::<Config>("[server]\nbindd = \"x\"\n").is_err());
    }
}
