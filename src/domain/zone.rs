//! A time zone of the IANA database (through `chrono-tz`): what the account pages show dates in.
//! Untrusted names (a form value, the `assent_tz` cookie, a stored column) become a [`Zone`] only
//! when the database knows them, exactly as spelled; anything else is no zone.

use chrono_tz::Tz;

/// The longest zone name accepted (the longest in the database is about 30 characters).
const MAX_NAME_LEN: usize = 64;

/// The regions whose zones the account page offers (the database also has old aliases such as
/// `US/Pacific` or `Etc/GMT+5`: accepted when sent, not offered).
const REGIONS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// A known time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Zone {
        Zone::UTC
    }
}

impl Zone {
    /// Coordinated Universal Time: the zone when nothing else is known.
    pub const UTC: Zone = Zone(Tz::UTC);

    /// The zone named `name` (`Europe/Berlin`), if the database knows it.
    pub fn parse(name: &str) -> Option<Zone> {
        if name.is_empty() || name.len() > MAX_NAME_LEN {
            return None;
        }
        name.parse::<Tz>().ok().map(Zone)
    }

    /// Its IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The `chrono` time zone.
    pub fn tz(&self) -> Tz {
        self.0
    }

    /// The zones the account page offers, by region, each region's zones in name order; UTC
    /// first, on its own.
    pub fn offered() -> Vec<(&'static str, Vec<&'static str>)> {
        let mut groups: Vec<(&'static str, Vec<&'static str>)> = vec![("UTC", vec!["UTC"])];
        for region in REGIONS {
            let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
                .iter()
                .map(|tz| tz.name())
                .filter(|name| name.split_once('/').is_some_and(|(head, _)| head == region))
                .collect();
            names.sort_unstable();
            groups.push((region, names));
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_parse_exactly_and_anything_else_is_no_zone() {
        assert_eq!(
            Zone::parse("Asia/Tokyo").map(|z| z.name()),
            Some("Asia/Tokyo")
        );
        assert_eq!(Zone::parse("UTC"), Some(Zone::UTC));
        for bad in [
            "",
            "asia/tokyo",
            "Mars/Olympus",
            "Asia/Tokyo ",
            "<script>",
            &"A".repeat(65),
        ] {
            assert_eq!(Zone::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Zone::default(), Zone::UTC);
    }

    #[test]
    fn the_offered_zones_are_grouped_by_region_and_all_parse() {
        let groups = Zone::offered();
        assert_eq!(groups[0], ("UTC", vec!["UTC"]));
        let asia = groups.iter().find(|(r, _)| *r == "Asia").map(|(_, z)| z);
        assert!(asia.is_some_and(|z| z.contains(&"Asia/Tokyo")));
        for (region, names) in &groups {
            assert!(!names.is_empty(), "{region}");
            assert!(names.iter().all(|n| Zone::parse(n).is_some()));
        }
        assert!(!groups.iter().any(|(_, z)| z.contains(&"US/Pacific")));
    }
}
