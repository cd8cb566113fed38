//! The dashboard's search and sort, done on the server so they work without JavaScript: a GET form
//! with `q` (words to find in an app's name, website or permissions) and `sort` (`name`, `used` or
//! `granted`), kept in the form after submitting.
//!
//! "Last used" is the family's `last_used_at`: set when a token is issued (consent, OAuth code
//! exchange) and on every refresh. The check endpoint does not write it (it is the hot path and
//! stays read-only), so an app that only presents an unexpired delegation token shows the time of
//! its last refresh; delegation tokens live an hour by default, so an app in use renews at least
//! about that often. The page says "last renewed" next to the exact time, which is what it is.

use super::AppAccess;

/// The order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By name, A to Z (the default).
    #[default]
    Name,
    /// Most recently used first.
    LastUsed,
    /// Most recently allowed first.
    Granted,
}

impl Sort {
    /// `?sort=`; anything unknown is the default.
    pub fn parse(text: Option<&str>) -> Sort {
        match text.map(str::trim) {
            Some("used") => Sort::LastUsed,
            Some("granted") => Sort::Granted,
            _ => Sort::Name,
        }
    }

    /// The value in the form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::LastUsed => "used",
            Sort::Granted => "granted",
        }
    }
}

/// At most this many characters of `q` are used (and shown back).
pub const MAX_QUERY_CHARS: usize = 100;

/// The search text as used: trimmed, at most [`MAX_QUERY_CHARS`].
pub fn clean_query(q: Option<&str>) -> String {
    q.unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect()
}

/// Whether `app` matches every word of `query` (case-insensitive) in its name, website or any
/// permission (description or `Offer.Action`). Not the appid: its hex digits would match numbers.
pub fn matches(app: &AppAccess, query: &str) -> bool {
    let mut haystack = format!("{} {}", app.name, app.return_host);
    for p in &app.permissions {
        haystack.push(' ');
        haystack.push_str(&p.description);
        haystack.push(' ');
        haystack.push_str(&p.permission);
    }
    let haystack = haystack.to_lowercase();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// Keep the apps matching `query` and order them by `sort` (ties by name, then appid).
pub fn apply(apps: &mut Vec<AppAccess>, query: &str, sort: Sort) {
    apps.retain(|a| matches(a, query));
    let by_name = |a: &AppAccess| (a.name.to_lowercase(), a.appid.clone());
    match sort {
        Sort::Name => apps.sort_by_key(by_name),
        Sort::LastUsed => {
            apps.sort_by_key(|a| (std::cmp::Reverse(a.last_used.unix), by_name(a)));
        }
        Sort::Granted => {
            apps.sort_by_key(|a| (std::cmp::Reverse(a.last_granted.unix), by_name(a)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consents::{Moment, PermissionAccess};

    fn app(name: &str, used: i64, granted: i64, perms: &[(&str, &str)]) -> AppAccess {
        AppAccess {
            appid: format!("{:016X}", used),
            name: name.into(),
            initial: name.chars().next().unwrap().to_string(),
            return_host: format!("{}.example", name.to_lowercase()),
            privacy_url: None,
            privacy_host: None,
            last_used: Moment::at(used, 0, crate::domain::Zone::UTC, crate::i18n::Lang::En),
            last_granted: Moment::at(granted, 0, crate::domain::Zone::UTC, crate::i18n::Lang::En),
            permissions: perms
                .iter()
                .map(|(p, d)| PermissionAccess {
                    permission: (*p).into(),
                    description: (*d).into(),
                    granted: Moment::at(
                        granted,
                        0,
                        crate::domain::Zone::UTC,
                        crate::i18n::Lang::En,
                    ),
                    expires: Moment::at(
                        granted + 100,
                        0,
                        crate::domain::Zone::UTC,
                        crate::i18n::Lang::En,
                    ),
                    expires_soon: false,
                    resources: Vec::new(),
                })
                .collect(),
        }
    }

    fn names(apps: &[AppAccess]) -> Vec<&str> {
        apps.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn each_sort_orders_the_apps_its_own_way() {
        let all = vec![
            app("beta", 30, 1, &[]),
            app("Alpha", 10, 3, &[]),
            app("gamma", 20, 2, &[]),
        ];
        for (sort, expected) in [
            (Sort::Name, ["Alpha", "beta", "gamma"]),
            (Sort::LastUsed, ["beta", "gamma", "Alpha"]),
            (Sort::Granted, ["Alpha", "gamma", "beta"]),
        ] {
            let mut apps = all.clone();
            apply(&mut apps, "", sort);
            assert_eq!(names(&apps), expected, "{sort:?}");
            assert_eq!(Sort::parse(Some(sort.as_str())), sort);
        }
        assert_eq!(Sort::parse(Some("<script>")), Sort::Name);
        assert_eq!(Sort::parse(None), Sort::Name);
    }

    #[test]
    fn search_finds_every_word_in_names_websites_and_permissions() {
        let all = vec![
            app("Contoso", 1, 1, &[("Contacts.Read", "Read your contacts")]),
            app("Fabrikam", 2, 2, &[("News.Read", "Read your news feed")]),
        ];
        for (q, expected) in [
            ("cont", vec!["Contoso"]),
            ("FABRIKAM.example", vec!["Fabrikam"]),
            ("news feed", vec!["Fabrikam"]),
            ("read", vec!["Contoso", "Fabrikam"]),
            ("read contoso", vec!["Contoso"]),
            ("contacts.read", vec!["Contoso"]),
            ("nothing like it", vec![]),
            ("   ", vec!["Contoso", "Fabrikam"]),
        ] {
            let mut apps = all.clone();
            apply(&mut apps, &clean_query(Some(q)), Sort::Name);
            assert_eq!(names(&apps), expected, "{q}");
        }
        assert_eq!(clean_query(Some(&"x".repeat(500))).len(), MAX_QUERY_CHARS);
    }
}
