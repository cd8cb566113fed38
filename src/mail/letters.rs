//! The text of each email Assent sends. Plain text; the recipient's address is the only
//! header taken from the user (parsed as an address), names and links go in the body.

use super::Mail;

/// "2 hours", "30 minutes", "24 hours" for a link's lifetime.
pub fn lifetime(secs: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs >= 3600 && secs % 3600 == 0 {
        plural(secs / 3600, "hour")
    } else if secs >= 60 {
        plural(secs / 60, "minute")
    } else {
        plural(secs.max(1), "second")
    }
}

/// The link that confirms `to` belongs to the account.
pub fn verify(to: &str, name: &str, link: &str, ttl_secs: i64) -> Mail {
    Mail {
        kind: "verify",
        to: to.to_string(),
        subject: "Confirm your email address for Assent".into(),
        body: format!(
            "Hello {name},\n\n\
             Please confirm that {to} is your email address: open this link within {}.\n\n\
             {link}\n\n\
             Until you do, websites you connect to Assent are told that your address is not \
             verified.\n\n\
             If you did not create an Assent account, ignore this message: without the link \
             nothing is confirmed.\n",
            lifetime(ttl_secs)
        ),
    }
}

/// Sent to the owner of `to` when someone signs up with it again.
pub fn sign_up_taken(to: &str, public_url: &str) -> Mail {
    Mail {
        kind: "signup_taken",
        to: to.to_string(),
        subject: "Someone tried to sign up with your address".into(),
        body: format!(
            "Hello,\n\n\
             Someone tried to create an Assent account with {to}. There is an account with \
             this address already, so nothing was created or changed.\n\n\
             If it was you, sign in:\n\n{public_url}/signin\n\n\
             If you forgot your password, ask for a reset link:\n\n{public_url}/forgot-password\n\n\
             If it was not you, you can ignore this message: your account is as it was.\n"
        ),
    }
}

/// The link that sets a new password for the account of `to`.
pub fn reset(to: &str, name: &str, link: &str, ttl_secs: i64) -> Mail {
    Mail {
        kind: "reset",
        to: to.to_string(),
        subject: "Reset your Assent password".into(),
        body: format!(
            "Hello {name},\n\n\
             Someone (we hope you) asked to reset the password of the Assent account {to}. \
             To choose a new password, open this link within {}. It works once.\n\n\
             {link}\n\n\
             Setting a new password signs your account out everywhere: every browser and every \
             device.\n\n\
             If you did not ask for this, ignore this message: your password stays as it is.\n",
            lifetime(ttl_secs)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_as_people_say_them() {
        assert_eq!(lifetime(86_400), "24 hours");
        assert_eq!(lifetime(1800), "30 minutes");
        assert_eq!(lifetime(3600), "1 hour");
        assert_eq!(lifetime(5), "5 seconds");
    }
}
