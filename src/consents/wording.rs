//! History events in plain words: what happened, with the catalogue's descriptions in place of
//! `Offer.Action` codes, and no protocol names (the stored detail of older events says "via OAuth
//! 2.0", "refresh tokens", "RFC 7009"; none of that reaches the page).

use crate::consents::dashboard::describe;
use crate::domain::permission::{Catalogue, Permission};
use crate::i18n::{text, Arg, Lang};

/// The event kinds with words of their own (`event-<kind>` in the catalogue), and their badge
/// style.
pub const KINDS: [(&str, &str); 16] = [
    ("grant", "success"),
    ("refresh", "info"),
    ("revoke", "warn"),
    ("revoke_app", "warn"),
    ("reuse_detected", "danger"),
    ("code_replay", "danger"),
    ("password_changed", "muted"),
    ("signed_out_everywhere", "muted"),
    ("sign_in", "muted"),
    ("device_sign_in", "muted"),
    ("session_ended", "muted"),
    ("device_signed_out", "muted"),
    ("name_changed", "muted"),
    ("time_zone_changed", "muted"),
    ("email_verified", "success"),
    ("password_reset", "warn"),
];

/// The words (in `lang`) and badge style of an event kind; unknown kinds show as themselves.
pub fn label(kind: &str, lang: Lang) -> (String, &'static str) {
    match KINDS.iter().find(|(k, _)| *k == kind) {
        Some((k, tone)) => (
            text(lang, &format!("event-{}", k.replace('_', "-")), &[]),
            tone,
        ),
        None => (kind.to_string(), "muted"),
    }
}

/// The catalogue key of a detail every language words as a whole (whatever the stored sentence
/// says): reuse, a replayed code, an app giving up or removed by the user.
fn fixed_detail(kind: &str, detail: &str) -> Option<&'static str> {
    match kind {
        "reuse_detected" => Some("event-detail-reuse"),
        "code_replay" => Some("event-detail-code-replay"),
        "revoke_app" if detail.contains("RFC 7009") => Some("event-detail-app-gave-up"),
        "revoke_app" if detail == "you removed this app's access" => {
            Some("event-detail-you-removed")
        }
        _ => None,
    }
}

/// The stored detail of an event in `lang`'s words. English reads the stored sentence itself
/// ([`plain`]); another language says what a stored detail names (the permissions allowed,
/// renewed or removed, whether it was the app's last) in its own words, and leaves out the rest
/// of a sentence that only English has (the badge already says what happened).
pub fn plain_in(lang: Lang, kind: &str, detail: &str, catalogue: &Catalogue) -> String {
    if lang == Lang::En {
        return plain(kind, detail, catalogue);
    }
    if let Some(key) = fixed_detail(kind, detail) {
        return text(lang, key, &[]);
    }
    let key = match kind {
        "grant" => "event-detail-allowed",
        "refresh" => "event-detail-renewed",
        "revoke" if detail.contains("last permission") => "event-detail-removed-last",
        "revoke" => "event-detail-removed",
        _ => return String::new(),
    };
    let named: Vec<String> = detail
        .split(" via ")
        .next()
        .unwrap_or_default()
        .split([' ', ';'])
        .map(|t| t.trim_end_matches([',', '.', ':']))
        .filter(|t| t.contains('.') && Permission::parse(t).is_ok())
        .map(|t| describe(catalogue, t, lang))
        .collect();
    if named.is_empty() {
        return String::new();
    }
    let list = named.join(&text(lang, "list-separator", &[]));
    text(lang, key, &[("list", Arg::Str(&list))])
}

/// `Offer.Action` as the catalogue says it, in quotes; anything else as it is.
fn word(catalogue: &Catalogue, token: &str) -> String {
    let bare = token.trim_end_matches([',', ';', '.', ':']);
    let rest = &token[bare.len()..];
    if bare.contains('.') && Permission::parse(bare).is_ok() {
        format!("“{}”{rest}", describe(catalogue, bare, Lang::En))
    } else {
        token.to_string()
    }
}

/// The stored detail of an event in plain words.
pub fn plain(kind: &str, detail: &str, catalogue: &Catalogue) -> String {
    if let Some(key) = fixed_detail(kind, detail) {
        return text(Lang::En, key, &[]);
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
    fn every_known_event_kind_has_words_in_every_language_and_an_unknown_one_shows_as_itself() {
        for lang in crate::i18n::LANGS {
            for (kind, _) in KINDS {
                let key = format!("event-{}", kind.replace('_', "-"));
                assert!(crate::i18n::has(lang, &key), "{} lacks {key}", lang.tag());
                assert_ne!(label(kind, lang).0, kind);
            }
        }
        assert_eq!(label("grant", Lang::En).0, "Access allowed");
        assert_eq!(
            label("something_new", Lang::De),
            ("something_new".to_string(), "muted")
        );
    }

    #[test]
    fn another_language_names_the_permissions_of_a_detail_in_its_own_words() {
        let c = catalogue();
        assert_eq!(
            plain_in(Lang::De, "revoke", "removed Contacts.Read; it was the last permission, so the app has no access left; ended the refresh tokens of 1 grant(s)", &c),
            "Entfernt: Kontakte lesen. Es war die letzte Berechtigung der App; sie hat keinen Zugriff mehr."
        );
        assert_eq!(
            plain_in(
                Lang::Ja,
                "refresh",
                "refreshed Contacts.Read, News.Read",
                &c
            ),
            "更新: 連絡先の閲覧、ニュースフィードの閲覧"
        );
        assert_eq!(plain_in(Lang::De, "name_changed", "name changed", &c), "");
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
