//! Sign-up that does not tell who has an account (issue 15 item 7): a new address gets an
//! account and a verification link; an address with an account gets a "someone tried to sign
//! up with your address" message instead. Either way the password is hashed (the same work)
//! and the caller answers the same "check your inbox" page.

use crate::crypto::password::PasswordHasher;
use crate::db::{self, Db};
use crate::domain::{Email, Lid};
use crate::error::AppError;
use crate::mail::Mail;

use super::EmailLinks;

/// What a sign-up did; the page shown is the same for both.
#[derive(Debug)]
pub enum SignUp {
    /// A new, unverified account; its verification message.
    Created {
        /// The new user.
        user_id: i64,
        /// The verification message.
        mail: Mail,
    },
    /// The address has an account already: nothing was created; the message for its owner.
    Taken {
        /// The existing user.
        user_id: i64,
        /// The "someone tried" message.
        mail: Mail,
    },
}

impl SignUp {
    /// The account the message is about, and the message.
    pub fn into_mail(self) -> (i64, Mail) {
        match self {
            SignUp::Created { user_id, mail } | SignUp::Taken { user_id, mail } => (user_id, mail),
        }
    }
}

/// Create an unverified account for `email`, or find that it exists. Blocking (hashes the
/// password): run it on the blocking pool. One transaction: the account and its verification
/// link are stored together.
pub fn sign_up(
    links: &EmailLinks,
    db: &Db,
    hasher: &PasswordHasher,
    email: &Email,
    name: &str,
    password: &str,
    now: i64,
) -> Result<SignUp, AppError> {
    // Hashed whether or not the address is taken, so both answers take the same time.
    let hash = hasher
        .hash(password)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = crate::crypto::random_id()?;
    let lid = Lid::generate()?;
    db.transaction_sync(|conn| {
        if let Some(owner) = db::user::find_by_email(conn, email.as_str())? {
            let mail = crate::mail::letters::sign_up_taken(&owner.email, &links.public_url);
            return Ok(SignUp::Taken {
                user_id: owner.id,
                mail,
            });
        }
        let inserted = db::user::insert_if_new(
            conn,
            &db::user::NewUser {
                id,
                lid: lid.as_str(),
                email: email.as_str(),
                name,
                password_hash: &hash,
                created_at: now,
                password_changed_at: now,
                email_verified_at: None,
            },
        )?;
        if !inserted {
            // Another sign-up for the same address committed first: it is taken now.
            let owner = db::user::find_by_email(conn, email.as_str())?.ok_or(AppError::NotFound)?;
            let mail = crate::mail::letters::sign_up_taken(&owner.email, &links.public_url);
            return Ok(SignUp::Taken {
                user_id: owner.id,
                mail,
            });
        }
        let user = db::user::find(conn, id)?.ok_or(AppError::NotFound)?;
        let mail = links.verification(conn, &user, now)?;
        Ok(SignUp::Created { user_id: id, mail })
    })
}
