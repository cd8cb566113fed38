//! Sending Assent's emails: a [`Mailer`] over one of two transports, chosen by `[mail]`:
//! - the outbox (default): each message is written as an `.eml` file to a folder (mode 0600 in a
//!   0700 folder, named so they sort by time); demo mode shows them at `/demo/outbox`;
//! - SMTP, through `lettre` (STARTTLS, TLS or plain; optional AUTH).
//!
//! Messages carry link tokens: neither a message body nor the SMTP password is ever logged.
//! Handlers call [`Mailer::send_later`] after their transaction committed: the message goes on
//! the blocking pool and a failure is logged, never shown (the page is the same either way, and
//! the user can ask for a new link).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport as _};

use crate::config::{MailConfig, MailTransport, SmtpTls};

pub mod letters;
pub mod outbox;

/// Why a message could not be built or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration can not work (no SMTP host, a sender that is not an address).
    #[error("mail configuration: {0}")]
    Config(String),
    /// The recipient is not an address lettre accepts.
    #[error("recipient: {0}")]
    Address(String),
    /// The message could not be built.
    #[error("message: {0}")]
    Build(String),
    /// The SMTP server refused or could not be reached.
    #[error("smtp: {0}")]
    Smtp(String),
    /// The outbox could not be written or read.
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// One message to send. `Debug` shows its kind only (the body holds a link token).
#[derive(Clone)]
pub struct Mail {
    /// What it is, for the log (`verify`, `reset`, `signup_taken`).
    pub kind: &'static str,
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

enum Transport {
    Outbox(PathBuf),
    Smtp(Box<SmtpTransport>),
}

/// Sends [`Mail`] from the configured sender over the configured transport.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Outbox(dir) => format!("outbox {}", dir.display()),
            Transport::Smtp(_) => "smtp".to_string(),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

impl Mailer {
    /// The mailer `config` describes, for a database at `database_url` (the outbox's default
    /// place). Nothing is connected yet: SMTP connects per message.
    pub fn from_config(config: &MailConfig, database_url: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailError::Config(format!("from {:?}: {e}", config.from)))?;
        let transport = match config.transport {
            MailTransport::Outbox => Transport::Outbox(config.outbox_dir(database_url)),
            MailTransport::Smtp => Transport::Smtp(Box::new(smtp_transport(config)?)),
        };
        Ok(Mailer { from, transport })
    }

    /// The outbox folder, when that is the transport.
    pub fn outbox_dir(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Outbox(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// Build and send `mail` now. Blocking (network or disk): call it on the blocking pool.
    pub fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            Transport::Outbox(dir) => outbox::write(dir, mail.kind, &message.formatted()),
            Transport::Smtp(smtp) => smtp
                .send(&message)
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string())),
        }
    }

    /// Send `mail` on the blocking pool without waiting for it; a failure is logged (with the
    /// kind of message, never its link). Call after the transaction that made the link committed.
    pub fn send_later(self: &Arc<Self>, mail: Mail, user_id: i64) {
        let me = self.clone();
        tokio::task::spawn_blocking(move || match me.send(&mail) {
            Ok(()) => tracing::info!(kind = mail.kind, user_id, "mail sent"),
            Err(e) => tracing::warn!(kind = mail.kind, user_id, error = %e, "mail not sent"),
        });
    }
}

fn smtp_transport(config: &MailConfig) -> Result<SmtpTransport, MailError> {
    let host = config.smtp_host.trim();
    if host.is_empty() {
        return Err(MailError::Config(
            "transport smtp needs smtp_host (ASSENT_SMTP_HOST)".into(),
        ));
    }
    let builder = match config.smtp_tls {
        SmtpTls::Starttls => SmtpTransport::starttls_relay(host),
        SmtpTls::Tls => SmtpTransport::relay(host),
        SmtpTls::None => Ok(SmtpTransport::builder_dangerous(host)),
    }
    .map_err(|e| MailError::Config(format!("smtp_host {host}: {e}")))?;
    let mut builder = builder
        .port(config.smtp_port())
        .timeout(Some(Duration::from_secs(config.smtp_timeout_secs.max(1))));
    if let Some(user) = &config.smtp_user {
        let password = config.smtp_password.clone().unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_without_a_host_or_a_bad_sender_is_refused_at_startup() {
        let smtp = MailConfig {
            transport: MailTransport::Smtp,
            ..MailConfig::default()
        };
        assert!(matches!(
            Mailer::from_config(&smtp, "sqlite://x.db"),
            Err(MailError::Config(_))
        ));
        let bad_from = MailConfig {
            from: "not an address".into(),
            ..MailConfig::default()
        };
        assert!(matches!(
            Mailer::from_config(&bad_from, "sqlite://x.db"),
            Err(MailError::Config(_))
        ));
    }

    #[test]
    fn the_outbox_gets_one_private_file_per_message_that_reads_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let config = MailConfig {
            outbox_dir: Some(dir.path().join("out")),
            ..MailConfig::default()
        };
        let mailer = Mailer::from_config(&config, "sqlite://x.db").unwrap();
        for n in 0..2 {
            mailer
                .send(&Mail {
                    kind: "verify",
                    to: "zoë@example.com".replace('ë', "e"),
                    subject: format!("Message {n}"),
                    body: format!("Hello Zoë,\n\nhttp://localhost/verify-email?token=t{n}\n"),
                })
                .unwrap();
        }
        let listed = outbox::list(&dir.path().join("out"), 10).unwrap();
        assert_eq!(listed.len(), 2);
        // Newest first.
        assert_eq!(listed[0].subject, "Message 1");
        assert_eq!(listed[0].to, "zoe@example.com");
        assert!(listed[0].body.contains("Hello Zoë,"), "{}", listed[0].body);
        assert!(listed[0]
            .body
            .contains("http://localhost/verify-email?token=t1"));
        let meta = std::fs::metadata(dir.path().join("out").join(&listed[0].file)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let dir_meta = std::fs::metadata(dir.path().join("out")).unwrap();
        assert_eq!(dir_meta.permissions().mode() & 0o777, 0o700);
    }
}
