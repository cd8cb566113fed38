//! History events in plain words: what happened, with the catalogue's descriptions in place of
//! `Offer.Action` codes, and no protocol names (the stored detail of older events says "via OAuth
//! 2.0", "refresh tokens", "RFC 7009"; none of that reaches the page).

use crate::consents::dashboard::describe;
use crate::domain::permission::{Catalogue, Permission};

/// The words and badge style of an event kind; unknown kinds show as themselves.
pub fn label(kind: &str) -> (String, &'static str) {
    let (text, tone) = match kind {
        "grant" => ("Access allowed", "success"),
        "refresh" => ("Access renewed", "info"),
        "revoke" => ("Permission removed", "warn"),
        "revoke_app" => ("App removed", "warn"),
        "reuse_detected" => ("Access ended for your safety", "danger"),
        "code_replay" => ("Access ended for your safety", "danger"),
        "password_changed" => ("Password changed", "muted"),
        "signed_out_everywhere" => ("Signed out everywhere", "muted"),
        "sign_in" => ("Signed in", "muted"),
        "device_sign_in" => ("Device signed in", "muted"),
        "session_ended" => ("Signed out a browser", "muted"),
        "device_signed_out" => ("Signed out a device", "muted"),
        "name_changed" => ("Name changed", "muted"),
        "time_zone_changed" => ("Time zone changed", "muted"),
        "email_verified" => ("Email address verified", "success"),
        "password_reset" => ("Password reset by email link", "warn"),
        other => (other, "muted"),
    };
    (text.to_string(), tone)
}

/// `Offer.Action` as the catalogue says it, in quotes; anything else as it is.
fn word(catalogue: &Catalogue, token: &str) -> String {
    let bare = token.trim_end_matches([',', ';', '.', ':']);
    let rest = &token[bare.len()..];
    if bare.contains('.') && Permission::parse(bare).is_ok() {
        format!("“{}”{rest}", describe(catalogue, bare))
    } else {
        token.to_string()
    }
}

/// The stored detail of an event in plain words.
pub fn plain(kind: &str, detail: &str, catalogue: &Catalogue) -> String {
    let fixed = match kind {
        "reuse_detected" => Some(
            "An old renewal of this app's access was used again, which can mean someone copied \
             it. Assent ended this access; the app has to ask you again.",
        ),
        "code_replay" => Some(
            "A one-time sign-in code of this app was used twice. Assent ended the access it \
             gave; the app has to ask you again.",
        ),
        "revoke_app" if detail.contains("RFC 7009") => Some("The app gave up this access itself."),
        "revoke_app" if detail == "you removed this app's access" => {
            Some("You removed this app's access.")
        }
        _ => None,
    };
    if let Some(text) = fixed {
        return text.to_string();
    }
    // Older events: "granted X via OAuth 2.0", "...; ended the refresh tokens of 2 grant(s)".
    let detail = detail.split(" via ").next().unwrap_or_default();
    let parts: Vec<String> = detail
        .split("; ")
        .filter(|part| !part.starts_with("ended the refresh tokens"))
        .map(|part| {
            let part = match part.split_once(' ') {
                Some(("granted", rest)) => format!("allowed {rest}"),
                Some(("refreshed", rest)) => format!("renewed {rest}"),
                _ => part.to_string(),
            };
            let part = part.replace("device token(s)", "device(s)").replace(
                "it was the last permission, so the app",
                "it was the app's last permission, so it",
            );
            part.split(' ')
                .map(|t| word(catalogue, t))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    sentence(&parts.join("; "))
}

/// `text` with a capital first letter and a full stop.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let mut c = Catalogue::new();
        c.add("Contacts", "Read", "Read your contacts", true, 1);
        c.add("News", "Read", "Read your news feed", true, 2);
        c
    }

    #[test]
    fn every_known_event_kind_has_words_and_an_unknown_one_shows_as_itself() {
        for kind in [
            "grant",
            "refresh",
            "revoke",
            "revoke_app",
            "reuse_detected",
            "code_replay",
            "sign_in",
            "device_sign_in",
            "session_ended",
            "device_signed_out",
            "name_changed",
            "time_zone_changed",
        ] {
            assert_ne!(label(kind).0, kind);
        }
        assert_eq!(
            label("something_new"),
            ("something_new".to_string(), "muted")
        );
    }

    #[test]
    fn details_read_as_descriptions_without_protocol_names() {
        let c = catalogue();
        for (kind, stored, shown) in [
            (
                "grant",
                "granted Contacts.Read, News.Read via OAuth 2.0",
                "Allowed “Read your contacts”, “Read your news feed”.",
            ),
            (
                "grant",
                "granted Contacts.Read via the Live consent protocol",
                "Allowed “Read your contacts”.",
            ),
            (
                "revoke",
                "removed Contacts.Read; it was the last permission, so the app has no access left; ended the refresh tokens of 1 grant(s)",
                "Removed “Read your contacts”; it was the app's last permission, so it has no access left.",
            ),
            ("refresh", "refreshed News.Read", "Renewed “Read your news feed”."),
            (
                "revoke_app",
                "the application revoked its token (RFC 7009)",
                "The app gave up this access itself.",
            ),
            (
                "password_changed",
                "password changed; 1 other session(s) and 2 device token(s) signed out",
                "Password changed; 1 other session(s) and 2 device(s) signed out.",
            ),
            ("revoke", "removed Photos.Read", "Removed “Photos.Read”."),
        ] {
            let text = plain(kind, stored, &c);
            assert_eq!(text, shown, "{stored}");
            for jargon in ["OAuth", "RFC", "refresh token", "Live consent"] {
                assert!(!text.contains(jargon), "{text}");
            }
        }
    }
}
