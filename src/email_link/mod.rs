//! Emailed links (issue 15 items 6 and 7): verifying the address of an account and resetting a
//! forgotten password, and the sign-up that answers the same whether or not the address has an
//! account. HTTP-free: `routes::email` calls these.
//!
//! A link carries a fresh 256-bit random token; only its SHA-256 is stored
//! ([`crate::db::email_token`]), it expires (`[mail] verify_link_ttl_secs`,
//! `reset_link_ttl_secs`) and it is deleted in the transaction of its effect, so it works once.
//! Messages are sent after that transaction commits ([`EmailLinks::send`]); requests that send
//! mail are limited per client IP (429) and per address (past it, the same page and no mail).

use std::sync::Arc;

use crate::config::MailConfig;
use crate::crypto::PlainToken;
use crate::db::email_token::Purpose;
use crate::db::limit::Counters;
use crate::db::{self, Db, DbConnection};
use crate::mail::{Mail, Mailer};
use crate::ratelimit::{FailureLimiter, Limit};

mod reset;
mod signup;
pub use reset::{check_new, forgot_password, reset_link_works, reset_password, ResetError};
pub use signup::{sign_up, SignUp};

/// The path of the verification link (`?token=`).
pub const VERIFY_PATH: &str = "/verify-email";
/// The path of the password-reset link (`?token=`).
pub const RESET_PATH: &str = "/reset-password";

/// The mailer, the links' lifetimes and the limits on sending.
#[derive(Debug)]
pub struct EmailLinks {
    mailer: Arc<Mailer>,
    public_url: String,
    requests_per_ip: FailureLimiter,
    mails_per_address: FailureLimiter,
    /// Lifetime of a verification link.
    pub verify_ttl_secs: i64,
    /// Lifetime of a password-reset link.
    pub reset_ttl_secs: i64,
}

impl EmailLinks {
    /// Links under `public_url` sent by `mailer`, limited over counters for `db`.
    pub fn new(config: &MailConfig, mailer: Mailer, db: &Db, public_url: &str) -> EmailLinks {
        let counters = Arc::new(Counters::for_db(db));
        let window_secs = config.window_secs.max(1);
        let ip = Limit {
            max: config.max_requests_per_ip,
            window_secs,
        };
        let address = Limit {
            max: config.max_per_address,
            window_secs,
        };
        EmailLinks {
            mailer: Arc::new(mailer),
            public_url: public_url.trim_end_matches('/').to_string(),
            requests_per_ip: FailureLimiter::new(counters.clone(), "mailreq", ip, ip),
            // Keyed by the address in the limiter's first slot.
            mails_per_address: FailureLimiter::new(counters, "mailto", address, address),
            verify_ttl_secs: config.verify_link_ttl_secs,
            reset_ttl_secs: config.reset_link_ttl_secs,
        }
    }

    /// The mailer (the demo's outbox page reads its folder).
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// The absolute link to `path` with `token`.
    pub fn link(&self, path: &str, token: &PlainToken) -> String {
        format!("{}{path}?token={}", self.public_url, token.expose())
    }

    /// Count a request that may send mail from `ip`: `Err(retry_after)` past the limit.
    fn count_request(
        &self,
        conn: &mut DbConnection,
        ip: &str,
        now: i64,
    ) -> diesel::QueryResult<Result<(), i64>> {
        Ok(self.requests_per_ip.reserve(conn, ip, None, now)?.map(drop))
    }

    /// Count a request from `ip` that would mail `address`, both limits in their order:
    /// `Err(retry_after)` past the per-IP limit; `Ok(false)` once the address had its share (the
    /// request then sends nothing and answers the same page). The address is counted whether or
    /// not it has an account, so the limit tells nothing.
    pub fn admit(
        &self,
        conn: &mut DbConnection,
        ip: &str,
        address: &str,
        now: i64,
    ) -> diesel::QueryResult<Result<bool, i64>> {
        if let Err(retry_after) = self.count_request(conn, ip, now)? {
            return Ok(Err(retry_after));
        }
        Ok(Ok(self.count_mail_to(conn, address, now)?))
    }

    /// Count one message to `address`: `false` once the address had its share in the window
    /// (the request then sends nothing and answers the same page).
    pub fn count_mail_to(
        &self,
        conn: &mut DbConnection,
        address: &str,
        now: i64,
    ) -> diesel::QueryResult<bool> {
        Ok(self
            .mails_per_address
            .reserve(conn, address, None, now)?
            .is_ok())
    }

    /// Send `mail` (about `user_id`) after the transaction that made its link committed.
    pub fn send(&self, mail: Mail, user_id: i64) {
        self.mailer.send_later(mail, user_id);
    }

    /// A new verification link for `user` (in the caller's transaction) and its message.
    pub fn verification(
        &self,
        conn: &mut DbConnection,
        user: &db::user::User,
        now: i64,
    ) -> diesel::QueryResult<Mail> {
        let token = issue(conn, user, Purpose::Verify, now, self.verify_ttl_secs)?;
        let link = self.link(VERIFY_PATH, &token);
        Ok(crate::mail::letters::verify(
            &user.email,
            &user.name,
            &link,
            self.verify_ttl_secs,
        ))
    }
}

fn issue(
    conn: &mut DbConnection,
    user: &db::user::User,
    purpose: Purpose,
    now: i64,
    ttl_secs: i64,
) -> diesel::QueryResult<PlainToken> {
    let token = PlainToken::random()
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
    db::email_token::insert(
        conn,
        &token.hash(),
        user.id,
        purpose,
        &user.email,
        now,
        ttl_secs,
    )?;
    Ok(token)
}

/// Whose address a verification link is for, while it works (the page before the button).
pub fn verification_for(
    conn: &mut DbConnection,
    token: &str,
    now: i64,
) -> diesel::QueryResult<Option<String>> {
    let hash = crate::crypto::TokenHash::of(token);
    Ok(db::email_token::find(conn, &hash, Purpose::Verify, now)?.map(|t| t.email))
}

/// Use a verification link (call in a transaction): the address it was sent to is verified,
/// if the account still has it. Returns that address; `None` for a link that expired, was used,
/// or never existed.
pub fn verify(
    conn: &mut DbConnection,
    token: &str,
    now: i64,
) -> diesel::QueryResult<Option<String>> {
    let hash = crate::crypto::TokenHash::of(token);
    let Some(used) = db::email_token::consume(conn, &hash, Purpose::Verify, now)? else {
        return Ok(None);
    };
    let Some(user) = db::user::find(conn, used.user_id)? else {
        return Ok(None);
    };
    if user.email != used.email {
        // The account has another address now: this link proves nothing about it.
        return Ok(None);
    }
    if db::user::mark_verified(conn, used.user_id, &used.email, now)? {
        db::audit::record(
            conn,
            now,
            "email_verified",
            Some(used.user_id),
            None,
            None,
            "email address verified",
        )?;
    }
    Ok(Some(used.email))
}
