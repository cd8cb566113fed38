//! Times as the account pages show them: a date, a date with time (always UTC, said so), the ISO form
//! for `<time datetime>`, and a relative phrase ("3 days ago", "in 30 days").

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
    /// `4 Mar 2025`.
    pub date: String,
    /// `4 Mar 2025, 14:05 UTC`.
    pub date_time: String,
    /// `3 days ago`, `in 30 days`, `just now`.
    pub relative: String,
}

impl Moment {
    /// `unix` as seen at `now`.
    pub fn at(unix: i64, now: i64) -> Moment {
        let formatted = chrono::DateTime::from_timestamp(unix, 0).map(|t| {
            (
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                t.format("%-d %b %Y").to_string(),
                t.format("%-d %b %Y, %H:%M UTC").to_string(),
            )
        });
        let (iso, date, date_time) =
            formatted.unwrap_or_else(|| (unix.to_string(), unix.to_string(), unix.to_string()));
        Moment {
            unix,
            iso,
            date,
            date_time,
            relative: relative(unix, now),
        }
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// How far `unix` is from `now` in words: minutes and hours are whole units passed, days are
/// rounded to the nearest day (a 30-day grant made a minute ago expires "in 30 days").
pub fn relative(unix: i64, now: i64) -> String {
    let delta = unix - now;
    let span = delta.abs();
    let amount = if span < MINUTE {
        return if delta > 0 {
            "in less than a minute".into()
        } else {
            "just now".into()
        };
    } else if span < HOUR {
        plural(span / MINUTE, "minute")
    } else if span < DAY {
        plural(span / HOUR, "hour")
    } else {
        plural((span + DAY / 2) / DAY, "day")
    };
    if delta > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thirty_day_grant_made_a_moment_ago_expires_in_30_days() {
        assert_eq!(relative(1_000 + 30 * DAY - 5, 1_000), "in 30 days");
        assert_eq!(relative(1_000 + DAY, 1_000), "in 1 day");
    }

    #[test]
    fn past_times_read_as_ago_and_recent_ones_as_just_now() {
        assert_eq!(relative(1_000, 1_010), "just now");
        assert_eq!(relative(1_000, 1_000 + 2 * MINUTE + 3), "2 minutes ago");
        assert_eq!(relative(1_000, 1_000 + HOUR), "1 hour ago");
        assert_eq!(relative(1_000, 1_000 + 3 * DAY), "3 days ago");
        assert_eq!(relative(1_030, 1_000), "in less than a minute");
        assert_eq!(
            relative(1_000 + 5 * HOUR + 59 * MINUTE, 1_000),
            "in 5 hours"
        );
    }

    #[test]
    fn a_moment_is_shown_in_utc_with_an_iso_form() {
        let m = Moment::at(1_216_897_654, 1_216_897_654);
        assert_eq!(m.iso, "2008-07-24T11:07:34Z");
        assert_eq!(m.date, "24 Jul 2008");
        assert_eq!(m.date_time, "24 Jul 2008, 11:07 UTC");
        assert_eq!(m.relative, "just now");
    }
}
