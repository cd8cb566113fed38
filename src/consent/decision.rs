//! The user's answer on the consent page, read from the form: Allow or Cancel, and for each ticked
//! permission the expiry chosen.

use crate::domain::permission::{parse_expiry_days, Permission, DEFAULT_EXPIRY_DAYS};

use super::PendingConsent;

/// The expiry choice "keep the current expiry" of an already allowed permission.
pub const KEEP: &str = "keep";

/// What the user decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allow was pressed and at least one permission is ticked.
    pub allow: bool,
    /// The ticked permissions with their grant expiry (Unix seconds), in form order, each once.
    pub chosen: Vec<(Permission, i64)>,
}

/// A form no consent page of this request could have sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// A ticked permission was not requested.
    #[error("{0} was not part of this request.")]
    NotRequested(String),
    /// A ticked value is not a permission.
    #[error("{0}.")]
    Permission(String),
    /// An expiry that the page does not offer.
    #[error("{0:?} is not an expiry choice.")]
    Expiry(String),
}

impl Decision {
    /// Read the decision form (`decision`, repeated `permission`, `expiry.<permission>` in days)
    /// for `pending`; expiries count from `now`. Nothing ticked is a refusal.
    pub fn parse(
        pairs: &[(String, String)],
        pending: &PendingConsent,
        now: i64,
    ) -> Result<Decision, DecisionError> {
        let value_of = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let mut chosen: Vec<(Permission, i64)> = Vec::new();
        for (_, value) in pairs.iter().filter(|(n, _)| n == "permission") {
            if !pending.permissions.contains(value) {
                return Err(DecisionError::NotRequested(value.clone()));
            }
            let permission =
                Permission::parse(value).map_err(|e| DecisionError::Permission(e.to_string()))?;
            // The duration of an unticked permission is never read (the page disables it).
            let expires_at = match value_of(&format!("expiry.{value}")) {
                None => now + DEFAULT_EXPIRY_DAYS * 86_400,
                // "Keep until ...": the expiry the page showed as already allowed.
                // (Not when that date passed while the page was open.)
                Some(text) if text == KEEP => *pending
                    .kept
                    .get(value)
                    .filter(|until| **until > now)
                    .ok_or_else(|| DecisionError::Expiry(text.clone()))?,
                Some(text) => {
                    now + parse_expiry_days(text)
                        .ok_or_else(|| DecisionError::Expiry(text.clone()))?
                        * 86_400
                }
            };
            if !chosen.iter().any(|(p, _)| p == &permission) {
                chosen.push((permission, expires_at));
            }
        }
        let allow = value_of("decision").map(String::as_str) == Some("allow") && !chosen.is_empty();
        Ok(Decision { allow, chosen })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Protocol;

    fn pending() -> PendingConsent {
        PendingConsent {
            id: "p1".into(),
            appid: "0016BFFD80013411".into(),
            user_id: 1,
            permissions: vec!["Contacts.Read".into(), "News.Write".into()],
            return_url: "https://contoso.example/auth".into(),
            shown_at: 0,
            protocol: Protocol::Live {
                appctx: None,
                resource: None,
            },
            kept: std::collections::BTreeMap::from([("News.Write".to_string(), 9_000_000)]),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn allow_grants_the_ticked_permissions_with_their_chosen_expiries() {
        let d = Decision::parse(
            &form(&[
                ("decision", "allow"),
                ("permission", "News.Write"),
                ("expiry.News.Write", "7"),
                ("permission", "Contacts.Read"),
                ("permission", "News.Write"),
            ]),
            &pending(),
            100,
        )
        .unwrap();
        assert!(d.allow);
        let chosen: Vec<(String, i64)> =
            d.chosen.iter().map(|(p, e)| (p.to_string(), *e)).collect();
        assert_eq!(
            chosen,
            [
                ("News.Write".to_string(), 100 + 7 * 86_400),
                ("Contacts.Read".to_string(), 100 + 30 * 86_400)
            ]
        );
    }

    #[test]
    fn allow_with_nothing_ticked_or_cancel_is_a_refusal() {
        let nothing = Decision::parse(&form(&[("decision", "allow")]), &pending(), 0).unwrap();
        assert!(!nothing.allow);
        let cancel = form(&[("decision", "cancel"), ("permission", "Contacts.Read")]);
        assert!(!Decision::parse(&cancel, &pending(), 0).unwrap().allow);
    }

    #[test]
    fn a_permission_that_was_not_requested_is_refused() {
        let f = form(&[("decision", "allow"), ("permission", "Contacts.Full")]);
        assert_eq!(
            Decision::parse(&f, &pending(), 0),
            Err(DecisionError::NotRequested("Contacts.Full".into()))
        );
    }

    #[test]
    fn keep_grants_until_the_expiry_the_page_showed_and_only_for_an_allowed_permission() {
        let f = form(&[
            ("decision", "allow"),
            ("permission", "News.Write"),
            ("expiry.News.Write", "keep"),
            ("expiry.Contacts.Read", "keep"),
        ]);
        let d = Decision::parse(&f, &pending(), 100).unwrap();
        let chosen: Vec<(String, i64)> =
            d.chosen.iter().map(|(p, e)| (p.to_string(), *e)).collect();
        // Contacts.Read is unticked: its (impossible) keep is not read.
        assert_eq!(chosen, [("News.Write".to_string(), 9_000_000)]);
        let f = form(&[
            ("decision", "allow"),
            ("permission", "Contacts.Read"),
            ("expiry.Contacts.Read", "keep"),
        ]);
        assert_eq!(
            Decision::parse(&f, &pending(), 100),
            Err(DecisionError::Expiry("keep".into()))
        );
        let ended = form(&[
            ("decision", "allow"),
            ("permission", "News.Write"),
            ("expiry.News.Write", "keep"),
        ]);
        assert_eq!(
            Decision::parse(&ended, &pending(), 9_000_000),
            Err(DecisionError::Expiry("keep".into()))
        );
    }

    #[test]
    fn an_expiry_the_page_does_not_offer_is_refused() {
        let f = form(&[
            ("decision", "allow"),
            ("permission", "Contacts.Read"),
            ("expiry.Contacts.Read", "3650"),
        ]);
        assert_eq!(
            Decision::parse(&f, &pending(), 0),
            Err(DecisionError::Expiry("3650".into()))
        );
    }
}
