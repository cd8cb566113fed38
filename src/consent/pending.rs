//! A validated consent request carried through the consent form: sealed with the server key,
//! bound to the user who saw the page, and short-lived.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::crypto::ServerKey;

/// What the decision answers, with what each protocol needs to answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "protocol", rename_all = "snake_case")]
pub enum Protocol {
    /// The Live protocol: the response page posts a ConsentToken to the return URL.
    Live {
        /// Website state, echoed back.
        appctx: Option<String>,
        /// The `in` resource the grant is limited to.
        resource: Option<String>,
    },
    /// OAuth 2.0: the authorization request's parameters (`state`, PKCE challenge, ...), run
    /// through the authorization flow again with the user's answer.
    #[serde(rename = "oauth")]
    OAuth {
        /// The query of `GET /oauth2/authorize`, as ordered pairs.
        query: Vec<(String, String)>,
    },
}

/// A consent page's request, as the form carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingConsent {
    /// Random and unique: the form's identity, recorded as decided by its decision (a form is
    /// decided once).
    pub id: String,
    /// The application.
    pub appid: String,
    /// The user who saw the page.
    pub user_id: i64,
    /// Requested permissions (`Offer.Action`).
    pub permissions: Vec<String>,
    /// The verified return URL.
    pub return_url: String,
    /// When the page was shown.
    pub shown_at: i64,
    /// The protocol that asked.
    pub protocol: Protocol,
    /// The requested permissions the user had already allowed this app when the page was shown,
    /// with the expiry the page offered to keep ("Keep until ...").
    #[serde(default)]
    pub kept: BTreeMap<String, i64>,
}

/// How long a consent page may stay open before its form expires.
pub const PENDING_TTL_SECS: i64 = 3600;

/// The sealed form field is not this user's, too old, or tampered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this consent form has expired; go back to the website and start again")]
pub struct PendingError;

impl PendingConsent {
    /// A new id for a pending consent (32 random bytes).
    pub fn new_id() -> Result<String, crate::crypto::RngError> {
        crate::crypto::random_token()
    }

    /// The pending consent a consent page shows for `consent` to `user_id` at `now`, with a fresh
    /// id; `kept`: what the page offers to keep (see [`crate::consent::remember::already_allowed`]).
    pub fn for_request(
        consent: &crate::delauth::request::ConsentRequest,
        user_id: i64,
        now: i64,
        protocol: Protocol,
        kept: BTreeMap<String, i64>,
    ) -> Result<PendingConsent, crate::crypto::RngError> {
        Ok(PendingConsent {
            id: PendingConsent::new_id()?,
            appid: consent.app.app.appid.clone(),
            user_id,
            permissions: consent
                .permissions
                .iter()
                .map(|p| p.permission.to_string())
                .collect(),
            return_url: consent.return_url.clone(),
            shown_at: now,
            protocol,
            kept,
        })
    }

    /// When the form expires: after that, it does not open, so its decision need not be
    /// remembered.
    pub fn expires_at(&self) -> i64 {
        self.shown_at + PENDING_TTL_SECS
    }

    /// Seal for a hidden form field.
    pub fn seal(&self, key: &ServerKey) -> Result<String, crate::crypto::ServerKeyError> {
        let json = serde_json::to_vec(self).unwrap_or_default();
        key.seal("pending-consent", &json)
    }

    /// Open a sealed form field; it must be `user_id`'s and at most [`PENDING_TTL_SECS`] old.
    pub fn open(
        key: &ServerKey,
        sealed: &str,
        user_id: i64,
        now: i64,
    ) -> Result<PendingConsent, PendingError> {
        let bytes = key
            .open("pending-consent", sealed)
            .map_err(|_| PendingError)?;
        let pending: PendingConsent = serde_json::from_slice(&bytes).map_err(|_| PendingError)?;
        if pending.user_id != user_id || now - pending.shown_at > PENDING_TTL_SECS {
            return Err(PendingError);
        }
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(protocol: Protocol) -> PendingConsent {
        PendingConsent {
            id: "p1".into(),
            appid: "0016BFFD80013411".into(),
            user_id: 7,
            permissions: vec!["Contacts.Read".into()],
            return_url: "https://contoso.example/auth".into(),
            shown_at: 1_000,
            protocol,
            kept: BTreeMap::from([("Contacts.Read".to_string(), 5_000)]),
        }
    }

    #[test]
    fn a_sealed_pending_consent_opens_for_its_user_within_the_hour() {
        let key = ServerKey::from_bytes(&[9; 32]);
        for protocol in [
            Protocol::Live {
                appctx: Some("x".into()),
                resource: None,
            },
            Protocol::OAuth {
                query: vec![("state".into(), "s".into())],
            },
        ] {
            let p = pending(protocol);
            let sealed = p.seal(&key).unwrap();
            assert_eq!(
                PendingConsent::open(&key, &sealed, 7, 1_000 + 3600).unwrap(),
                p
            );
            assert_eq!(
                PendingConsent::open(&key, &sealed, 8, 1_001),
                Err(PendingError)
            );
            assert_eq!(
                PendingConsent::open(&key, &sealed, 7, 1_000 + 3601),
                Err(PendingError)
            );
        }
    }

    #[test]
    fn a_tampered_pending_consent_does_not_open() {
        let key = ServerKey::from_bytes(&[9; 32]);
        let mut sealed = pending(Protocol::Live {
            appctx: None,
            resource: None,
        })
        .seal(&key)
        .unwrap();
        sealed.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert_eq!(
            PendingConsent::open(&key, &sealed, 7, 1_001),
            Err(PendingError)
        );
        let other = ServerKey::from_bytes(&[8; 32]);
        let sealed = pending(Protocol::Live {
            appctx: None,
            resource: None,
        })
        .seal(&other)
        .unwrap();
        assert_eq!(
            PendingConsent::open(&key, &sealed, 7, 1_001),
            Err(PendingError)
        );
    }
}
