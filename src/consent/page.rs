//! What the consent page shows for a request, as data (the template renders it): the app, the
//! host it returns to, the privacy link, each permission with its description, what it includes
//! (or not) in words, whether it is new or already allowed until a date, and its expiry choices.

use std::collections::BTreeMap;

use serde::Serialize;

use super::decision::KEEP;
use super::remember::{already_allowed, REMEMBER_MARGIN_SECS};
use crate::db::DbConnection;
use crate::delauth::request::{host_of, ConsentRequest};
use crate::domain::permission::{Catalogue, Permission, DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS};
use crate::domain::Zone;
use crate::i18n::{text, Arg, Lang};

/// One requested permission on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PagePermission {
    /// `Offer.Action`.
    pub permission: String,
    /// The offer.
    pub offer: String,
    /// The action.
    pub action: String,
    /// The catalogue's description.
    pub description: String,
    /// Not allowed to this app yet.
    pub is_new: bool,
    /// When the app already holds it: until when ("3 January 2027").
    pub allowed_until: Option<String>,
    /// For `Full`: the descriptions of what it includes (the catalogue's implication rule).
    pub includes: Vec<String>,
    /// For `Write`: the descriptions of the offer's other actions it does not include.
    pub excludes: Vec<String>,
    /// The expiry choices, the default selected.
    pub expiry_options: Vec<ExpiryOption>,
}

/// One expiry choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiryOption {
    /// The form value: days, or `keep`.
    pub value: String,
    /// "30 days", "1 year", "Keep until 3 January 2027".
    pub label: String,
    /// The default choice.
    pub selected: bool,
}

/// The consent page's content (the same for every protocol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentPage {
    /// The application's name.
    pub app_name: String,
    /// The host of the verified return URL.
    pub return_host: String,
    /// The privacy-policy URL, if any.
    pub privacy_url: Option<String>,
    /// Its host.
    pub privacy_host: Option<String>,
    /// The `in` resource, if any.
    pub resource: Option<String>,
    /// The requested permissions not yet allowed, in request order.
    pub new_permissions: Vec<PagePermission>,
    /// The requested permissions already allowed, in request order.
    pub allowed_permissions: Vec<PagePermission>,
}

/// What the page needs from storage besides the request: the catalogue, and what `user_id` already
/// allowed the application (permission to latest expiry, for the request's resource).
pub fn load_context(
    conn: &mut DbConnection,
    user_id: i64,
    consent: &ConsentRequest,
    now: i64,
) -> diesel::QueryResult<(Catalogue, BTreeMap<String, i64>)> {
    let catalogue = crate::catalogue::load(conn)?;
    let active = crate::db::grant::active_for_user_app(conn, user_id, consent.app.app.id, now)?;
    let mut allowed = already_allowed(&active, consent.resource.as_deref());
    allowed.retain(|p, _| {
        consent
            .permissions
            .iter()
            .any(|r| r.permission.to_string() == *p)
    });
    Ok((catalogue, allowed))
}

/// A date as the page shows it in `zone` and `lang`: "3 January 2027".
pub fn date_label(unix: i64, zone: Zone, lang: Lang) -> String {
    crate::consents::date_in(unix, zone, lang)
}

/// A duration choice in words: "1 day", "30 days", "1 year".
pub fn expiry_label(days: i64, lang: Lang) -> String {
    match days {
        365 => text(lang, "duration-year", &[]),
        n => text(lang, "duration-days", &[("n", Arg::Num(n))]),
    }
}

/// The expiry choices of a permission: for one already allowed until `until`, "Keep until ..."
/// first and selected (unless it ends within the remembered-consent margin, then the usual
/// default) and only the durations that end later (to end it sooner, the user removes it on the
/// dashboard); else every duration with the default selected.
fn expiry_options(until: Option<i64>, now: i64, zone: Zone, lang: Lang) -> Vec<ExpiryOption> {
    let keep_default = until.is_some_and(|u| u > now + REMEMBER_MARGIN_SECS);
    let mut options: Vec<ExpiryOption> = until
        .map(|u| ExpiryOption {
            value: KEEP.to_string(),
            label: text(
                lang,
                "consent-keep-until",
                &[("date", Arg::Str(&date_label(u, zone, lang)))],
            ),
            selected: keep_default,
        })
        .into_iter()
        .collect();
    options.extend(
        EXPIRY_DAYS
            .iter()
            .filter(|&&days| until.is_none_or(|u| now + days * 86_400 > u))
            .map(|&days| ExpiryOption {
                value: days.to_string(),
                label: expiry_label(days, lang),
                selected: !keep_default && days == DEFAULT_EXPIRY_DAYS,
            }),
    );
    options
}

impl ConsentPage {
    /// The page for `consent`; `allowed`: what the user already allowed the app (see
    /// [`load_context`]); its dates in `zone`.
    pub fn of(
        consent: &ConsentRequest,
        catalogue: &Catalogue,
        allowed: &BTreeMap<String, i64>,
        now: i64,
        zone: Zone,
        lang: Lang,
    ) -> ConsentPage {
        let words = |p: &Permission, registered: &str| {
            crate::consents::dashboard::worded(catalogue, p, registered, lang)
        };
        let (allowed_permissions, new_permissions) = consent
            .permissions
            .iter()
            .map(|p| {
                let name = p.permission.to_string();
                let until = allowed.get(&name).copied();
                let others: Vec<String> = catalogue
                    .other_actions(&p.permission)
                    .into_iter()
                    .map(|(other, description)| words(&other, &description))
                    .collect();
                let (includes, excludes) = match p.permission.action() {
                    "Full" => (others, Vec::new()),
                    "Write" => (Vec::new(), others),
                    _ => (Vec::new(), Vec::new()),
                };
                PagePermission {
                    offer: p.permission.offer().to_string(),
                    action: p.permission.action().to_string(),
                    description: words(&p.permission, &p.description),
                    is_new: until.is_none(),
                    allowed_until: until.map(|u| date_label(u, zone, lang)),
                    includes,
                    excludes,
                    expiry_options: expiry_options(until, now, zone, lang),
                    permission: name,
                }
            })
            .partition(|p| !p.is_new);
        ConsentPage {
            app_name: consent.app.app.name.clone(),
            return_host: host_of(&consent.return_url),
            privacy_url: consent.privacy_url.clone(),
            privacy_host: consent.privacy_url.as_deref().map(host_of),
            resource: consent.resource.clone(),
            new_permissions,
            allowed_permissions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn durations_are_worded_in_each_language() {
        let labels = |lang| {
            EXPIRY_DAYS
                .iter()
                .map(|d| expiry_label(*d, lang))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(Lang::En),
            ["1 day", "7 days", "30 days", "90 days", "1 year"]
        );
        assert_eq!(
            labels(Lang::De),
            ["1 Tag", "7 Tage", "30 Tage", "90 Tage", "1 Jahr"]
        );
        assert_eq!(labels(Lang::Ja), ["1日", "7日", "30日", "90日", "1年"]);
    }

    fn values(options: &[ExpiryOption]) -> Vec<(&str, bool)> {
        options
            .iter()
            .map(|o| (o.value.as_str(), o.selected))
            .collect()
    }

    #[test]
    fn a_new_permission_offers_every_duration_with_30_days_selected() {
        assert_eq!(
            values(&expiry_options(None, 0, Zone::UTC, Lang::En)),
            [
                ("1", false),
                ("7", false),
                ("30", true),
                ("90", false),
                ("365", false)
            ]
        );
    }

    #[test]
    fn an_allowed_permission_keeps_its_expiry_by_default_and_offers_only_later_ends() {
        let now = 1_000_000;
        let options = expiry_options(Some(now + 45 * DAY), now, Zone::UTC, Lang::En);
        assert_eq!(
            values(&options),
            [("keep", true), ("90", false), ("365", false)]
        );
        assert_eq!(
            options[0].label,
            format!(
                "Keep until {}",
                date_label(now + 45 * DAY, Zone::UTC, Lang::En)
            )
        );
        // Ending within a day (the page was shown because of it): the usual default.
        assert_eq!(
            values(&expiry_options(
                Some(now + DAY / 2),
                now,
                Zone::UTC,
                Lang::En
            )),
            [
                ("keep", false),
                ("1", false),
                ("7", false),
                ("30", true),
                ("90", false),
                ("365", false)
            ]
        );
    }

    #[test]
    fn dates_read_as_day_month_year() {
        assert_eq!(
            date_label(1_798_761_600, Zone::UTC, Lang::En),
            "1 January 2027"
        );
        let honolulu = Zone::parse("Pacific/Honolulu").expect("zone");
        assert_eq!(
            date_label(1_798_761_600, honolulu, Lang::En),
            "31 December 2026"
        );
    }
}
