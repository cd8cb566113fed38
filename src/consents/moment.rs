//! Times as the account pages show them: a date and a date with time in the visitor's [`Zone`] (the
//! time says which zone), the ISO form in UTC for `<time datetime>`, and a relative phrase ("3 days
//! ago", "in 30 days"). Every date a page shows goes through [`Moment::at`] or [`date_in`].

use chrono::TimeZone;

use crate::domain::Zone;
use crate::i18n::{text, Arg, Lang};

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// A point in time, ready for a template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Moment {
    /// Unix seconds.
    pub unix: i64,
    /// `2025-03-04T14:05:00Z`, for the `datetime` attribute.
    pub iso: String,
    /// `4 Mar 2025`, in the zone and the language (`4. März 2025`, `2025年3月4日`).
    pub date: String,
    /// `4 Mar 2025, 14:05 CET` (or `14:05 (Asia/Dubai)` where the zone has no abbreviation).
    pub date_time: String,
    /// The zone's IANA name (`Europe/Berlin`).
    pub zone: &'static str,
    /// `3 days ago`, `in 30 days`, `just now`.
    pub relative: String,
}

/// chrono's locale for month and day names in `lang`.
fn locale(lang: Lang) -> chrono::Locale {
    match lang {
        // English: chrono's own names ("Sep", not a locale's "Sept").
        Lang::En => chrono::Locale::POSIX,
        Lang::De => chrono::Locale::de_DE,
        Lang::Ja => chrono::Locale::ja_JP,
    }
}

/// `local` formatted with the catalogue's pattern `key` (`date-format`, ...) in `lang`.
fn formatted(local: &chrono::DateTime<chrono_tz::Tz>, lang: Lang, key: &str) -> String {
    let pattern = text(lang, key, &[]);
    // A pattern chrono can not read (a translation's typo) must not fail the page.
    let items: Vec<_> =
        chrono::format::StrftimeItems::new_with_locale(&pattern, locale(lang)).collect();
    if items.contains(&chrono::format::Item::Error) {
        tracing::warn!(key, lang = lang.tag(), "date pattern does not parse");
        return local.format("%Y-%m-%d").to_string();
    }
    local
        .format_localized_with_items(items.into_iter(), locale(lang))
        .to_string()
}

impl Moment {
    /// `unix` as seen at `now` in `zone`, worded in `lang`.
    pub fn at(unix: i64, now: i64, zone: Zone, lang: Lang) -> Moment {
        let shown = chrono::DateTime::from_timestamp(unix, 0).map(|t| {
            let local = zone.tz().from_utc_datetime(&t.naive_utc());
            let date = formatted(&local, lang, "date-format");
            let clock = clock_in(&local, zone);
            let date_time = text(
                lang,
                "date-time",
                &[("date", Arg::Str(&date)), ("time", Arg::Str(&clock))],
            );
            (t.format("%Y-%m-%dT%H:%M:%SZ").to_string(), date, date_time)
        });
        let (iso, date, date_time) =
            shown.unwrap_or_else(|| (unix.to_string(), unix.to_string(), unix.to_string()));
        Moment {
            unix,
            iso,
            date,
            date_time,
            zone: zone.name(),
            relative: relative(unix, now, lang),
        }
    }
}

/// `14:05 CET`: the time and the zone's abbreviation, or its name where the database has only an
/// offset for it (`14:05 (Asia/Dubai)` rather than `14:05 +04`).
fn clock_in(local: &chrono::DateTime<chrono_tz::Tz>, zone: Zone) -> String {
    let abbreviation = local.format("%Z").to_string();
    if abbreviation.starts_with(['+', '-']) || abbreviation.is_empty() {
        format!("{} ({})", local.format("%H:%M"), zone.name())
    } else {
        format!("{} {abbreviation}", local.format("%H:%M"))
    }
}

/// A date in words in `zone` and `lang`: "3 January 2027" (the consent page's "Already allowed
/// until ...").
pub fn date_in(unix: i64, zone: Zone, lang: Lang) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| {
            let local = zone.tz().from_utc_datetime(&t.naive_utc());
            formatted(&local, lang, "date-long-format")
        })
        .unwrap_or_default()
}

/// How far `unix` is from `now` in words of `lang`: minutes and hours are whole units passed,
/// days are rounded to the nearest day (a 30-day grant made a minute ago expires "in 30 days").
pub fn relative(unix: i64, now: i64, lang: Lang) -> String {
    let delta = unix - now;
    let span = delta.abs();
    let (unit, n) = if span < MINUTE {
        let key = if delta > 0 { "rel-soon" } else { "rel-now" };
        return text(lang, key, &[]);
    } else if span < HOUR {
        ("minutes", span / MINUTE)
    } else if span < DAY {
        ("hours", span / HOUR)
    } else {
        ("days", (span + DAY / 2) / DAY)
    };
    let direction = if delta > 0 { "future" } else { "past" };
    text(
        lang,
        &format!("rel-{direction}-{unit}"),
        &[("n", Arg::Num(n))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thirty_day_grant_made_a_moment_ago_expires_in_30_days() {
        assert_eq!(
            relative(1_000 + 30 * DAY - 5, 1_000, Lang::En),
            "in 30 days"
        );
        assert_eq!(relative(1_000 + DAY, 1_000, Lang::En), "in 1 day");
    }

    #[test]
    fn past_times_read_as_ago_and_recent_ones_as_just_now() {
        assert_eq!(relative(1_000, 1_010, Lang::En), "just now");
        assert_eq!(
            relative(1_000, 1_000 + 2 * MINUTE + 3, Lang::En),
            "2 minutes ago"
        );
        assert_eq!(relative(1_000, 1_000 + HOUR, Lang::En), "1 hour ago");
        assert_eq!(relative(1_000, 1_000 + 3 * DAY, Lang::En), "3 days ago");
        assert_eq!(relative(1_030, 1_000, Lang::En), "in less than a minute");
        assert_eq!(
            relative(1_000 + 5 * HOUR + 59 * MINUTE, 1_000, Lang::En),
            "in 5 hours"
        );
    }

    #[test]
    fn a_moment_is_shown_in_utc_with_an_iso_form() {
        let m = Moment::at(1_216_897_654, 1_216_897_654, Zone::UTC, Lang::En);
        assert_eq!(m.iso, "2008-07-24T11:07:34Z");
        assert_eq!(m.date, "24 Jul 2008");
        assert_eq!(m.date_time, "24 Jul 2008, 11:07 UTC");
        assert_eq!(m.relative, "just now");
        assert_eq!(m.zone, "UTC");
    }

    #[test]
    fn a_moment_is_shown_in_the_zone_with_its_abbreviation_and_the_iso_form_stays_utc() {
        let tokyo = Zone::parse("Asia/Tokyo").expect("zone");
        // 23:30 UTC on 24 July is 08:30 the next day in Tokyo.
        let m = Moment::at(1_216_942_200, 0, tokyo, Lang::En);
        assert_eq!(m.iso, "2008-07-24T23:30:00Z");
        assert_eq!(m.date, "25 Jul 2008");
        assert_eq!(m.date_time, "25 Jul 2008, 08:30 JST");
        assert_eq!(m.zone, "Asia/Tokyo");
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        assert_eq!(
            Moment::at(1_216_942_200, 0, berlin, Lang::En).date_time,
            "25 Jul 2008, 01:30 CEST"
        );
        assert_eq!(date_in(1_216_942_200, tokyo, Lang::En), "25 July 2008");
        assert_eq!(date_in(1_216_942_200, Zone::UTC, Lang::En), "24 July 2008");
    }

    #[test]
    fn dates_and_times_are_worded_in_the_language() {
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        let m = Moment::at(1_216_942_200, 1_216_942_200 - 3 * DAY, berlin, Lang::De);
        assert_eq!(m.date, "25. Jul 2008");
        assert_eq!(m.date_time, "25. Jul 2008, 01:30 CEST");
        assert_eq!(m.relative, "in 3 Tagen");
        assert_eq!(date_in(1_216_942_200, berlin, Lang::De), "25. Juli 2008");
        let tokyo = Zone::parse("Asia/Tokyo").expect("zone");
        let m = Moment::at(1_216_942_200, 1_216_942_200 + 2 * HOUR, tokyo, Lang::Ja);
        assert_eq!(m.date, "2008年7月25日");
        assert_eq!(m.relative, "2時間前");
    }

    #[test]
    fn a_zone_without_an_abbreviation_is_named() {
        let dubai = Zone::parse("Asia/Dubai").expect("zone");
        assert_eq!(
            Moment::at(1_216_942_200, 0, dubai, Lang::En).date_time,
            "25 Jul 2008, 03:30 (Asia/Dubai)"
        );
    }
}
