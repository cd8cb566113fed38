//! `[mail]`: how Assent sends its emails (address verification, password reset) and how long
//! their links work. The default transport is a local outbox folder, so nothing needs installing.

use serde::Deserialize;
use std::path::PathBuf;

/// Where messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// Written as `.eml` files to `outbox_dir` (shown at `/demo/outbox` in demo mode).
    #[default]
    Outbox,
    /// Sent to an SMTP server (`smtp_host`).
    Smtp,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must offer (default port 587).
    #[default]
    Starttls,
    /// TLS from the first byte ("SMTPS", default port 465).
    Tls,
    /// No encryption (a relay on the same host or network only; default port 25).
    None,
}

/// `[mail]`
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `transport` (`ASSENT_MAIL_TRANSPORT`): `outbox` (default) or `smtp`.
    pub transport: MailTransport,
    /// `from` (`ASSENT_MAIL_FROM`): the sender, e.g. `Assent <no-reply@example.com>`.
    pub from: String,
    /// `outbox_dir`: the outbox folder; default `<database file>.outbox` with SQLite,
    /// `assent-outbox` (in the working directory) with PostgreSQL.
    pub outbox_dir: Option<PathBuf>,
    /// `smtp_host` (`ASSENT_SMTP_HOST`): the SMTP server's host name (its certificate must name it).
    pub smtp_host: String,
    /// `smtp_port` (`ASSENT_SMTP_PORT`): default 587, 465 or 25 by `smtp_tls`.
    pub smtp_port: Option<u16>,
    /// `smtp_tls`: `starttls` (default), `tls` or `none`.
    pub smtp_tls: SmtpTls,
    /// `smtp_user` (`ASSENT_SMTP_USER`): the user name to authenticate with; none: no AUTH.
    pub smtp_user: Option<String>,
    /// `smtp_password` (`ASSENT_SMTP_PASSWORD`): its password (never logged).
    pub smtp_password: Option<String>,
    /// `smtp_timeout_secs`: the longest one SMTP conversation may take (default 20).
    pub smtp_timeout_secs: u64,
    /// `verify_link_ttl_secs`: how long an address-verification link works (default 24 h).
    pub verify_link_ttl_secs: i64,
    /// `reset_link_ttl_secs`: how long a password-reset link works (default 30 min).
    pub reset_link_ttl_secs: i64,
    /// `max_per_address`: emails (verification, reset, "someone tried") sent to one address in
    /// the window; more requests answer the same page and send nothing (default 5).
    pub max_per_address: u32,
    /// `max_requests_per_ip`: forgot-password and new-link requests per client IP in the window,
    /// then 429 (default 20).
    pub max_requests_per_ip: u32,
    /// `window_secs`: the window of both email limits (default 3600).
    pub window_secs: i64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: MailTransport::Outbox,
            from: "Assent <no-reply@assent.invalid>".into(),
            outbox_dir: None,
            smtp_host: String::new(),
            smtp_port: None,
            smtp_tls: SmtpTls::Starttls,
            smtp_user: None,
            smtp_password: None,
            smtp_timeout_secs: 20,
            verify_link_ttl_secs: 24 * 3600,
            reset_link_ttl_secs: 30 * 60,
            max_per_address: 5,
            max_requests_per_ip: 20,
            window_secs: 3600,
        }
    }
}

impl MailConfig {
    /// The outbox folder for a database at `database_url`.
    pub fn outbox_dir(&self, database_url: &str) -> PathBuf {
        if let Some(dir) = &self.outbox_dir {
            return dir.clone();
        }
        match super::sqlite_path(database_url) {
            Some(path) => PathBuf::from(format!("{path}.outbox")),
            None => PathBuf::from("assent-outbox"),
        }
    }

    /// The SMTP port: `smtp_port`, or the usual one for `smtp_tls`.
    pub fn smtp_port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.smtp_tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        })
    }

    /// Apply the `ASSENT_MAIL_*` and `ASSENT_SMTP_*` variables read through `get`.
    pub fn apply_env(
        &mut self,
        get: &impl Fn(&'static str) -> Option<String>,
    ) -> Result<(), super::ConfigError> {
        if let Some(v) = get("ASSENT_MAIL_TRANSPORT") {
            self.transport = match v.as_str() {
                "outbox" => MailTransport::Outbox,
                "smtp" => MailTransport::Smtp,
                _ => {
                    return Err(super::ConfigError::Env {
                        name: "ASSENT_MAIL_TRANSPORT",
                        message: "expected outbox or smtp".into(),
                    })
                }
            };
        }
        if let Some(v) = get("ASSENT_MAIL_FROM") {
            self.from = v;
        }
        if let Some(v) = get("ASSENT_SMTP_HOST") {
            self.smtp_host = v;
        }
        if let Some(v) = get("ASSENT_SMTP_PORT") {
            self.smtp_port = Some(v.parse().map_err(|_| super::ConfigError::Env {
                name: "ASSENT_SMTP_PORT",
                message: "expected a port number".into(),
            })?);
        }
        if let Some(v) = get("ASSENT_SMTP_USER") {
            self.smtp_user = Some(v);
        }
        if let Some(v) = get("ASSENT_SMTP_PASSWORD") {
            self.smtp_password = Some(v);
        }
        Ok(())
    }
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &self.transport)
            .field("from", &self.from)
            .field("outbox_dir", &self.outbox_dir)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_user", &self.smtp_user)
            .field(
                "smtp_password",
                &self.smtp_password.as_ref().map(|_| crate::crypto::REDACTED),
            )
            .field("smtp_timeout_secs", &self.smtp_timeout_secs)
            .field("verify_link_ttl_secs", &self.verify_link_ttl_secs)
            .field("reset_link_ttl_secs", &self.reset_link_ttl_secs)
            .field("max_per_address", &self.max_per_address)
            .field("max_requests_per_ip", &self.max_requests_per_ip)
            .field("window_secs", &self.window_secs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_password_is_never_printed_and_the_environment_sets_smtp() {
        let mut config = MailConfig::default();
        config
            .apply_env(&|name| match name {
                "ASSENT_MAIL_TRANSPORT" => Some("smtp".into()),
                "ASSENT_SMTP_PASSWORD" => Some("hunter2-smtp".into()),
                "ASSENT_SMTP_PORT" => Some("2525".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.transport, MailTransport::Smtp);
        assert_eq!(config.smtp_port(), 2525);
        assert!(!format!("{config:?}").contains("hunter2-smtp"));
        assert!(config
            .apply_env(&|name| (name == "ASSENT_MAIL_TRANSPORT").then(|| "carrier-pigeon".into()))
            .is_err());
    }

    #[test]
    fn the_outbox_sits_beside_the_sqlite_database_and_ports_follow_the_tls_mode() {
        let config = MailConfig::default();
        assert_eq!(
            config.outbox_dir("sqlite:///var/lib/assent/assent.db"),
            PathBuf::from("/var/lib/assent/assent.db.outbox")
        );
        let tls = MailConfig {
            smtp_tls: SmtpTls::Tls,
            ..MailConfig::default()
        };
        assert_eq!((config.smtp_port(), tls.smtp_port()), (587, 465));
    }
}
