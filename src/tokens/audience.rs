//! Whom a delegation token is for (docs/protocol.md section 5): its `aud` names the resource
//! indicator (RFC 8707) of every resource provider whose offers it carries, and a provider checking
//! it must be among them.
//!
//! A provider's resource indicator is `<public URL>/resources/<rp_id>`, for example
//! `https://assent.example/resources/rp_3f2a9c0d5e7b1a46`, and `.../resources/assent` for Assent's
//! own `Profiles`.

use crate::crypto::jws::Audience;
use crate::db::{self, DbConnection};

/// The path under the public URL that resource indicators live at.
const RESOURCES: &str = "/resources/";

/// The resource indicator of provider `rp_id`.
pub fn indicator(issuer_url: &str, rp_id: &str) -> String {
    format!("{issuer_url}{RESOURCES}{rp_id}")
}

/// The `rp_id` a resource indicator names, if it is one of Assent's (not checked to exist).
pub fn rp_of<'a>(issuer_url: &str, indicator: &'a str) -> Option<&'a str> {
    indicator
        .strip_prefix(issuer_url)?
        .strip_prefix(RESOURCES)
        .filter(|rp| !rp.is_empty() && !rp.contains(['/', '?', '#']))
}

/// True when `aud` names provider `rp_id`. A token without `aud` was issued before audiences
/// existed: it names every provider (its offers still count only for their owner), and it expires
/// within the delegation-token lifetime.
pub fn names(aud: Option<&Audience>, issuer_url: &str, rp_id: &str) -> bool {
    aud.is_none_or(|aud| {
        aud.values()
            .iter()
            .any(|v| rp_of(issuer_url, v) == Some(rp_id))
    })
}

/// Who owns which offer, as last read: the audience of every token issued needs it, and it changes
/// only when a catalogue is applied: it is read again every `ttl`, and sooner when a token carries
/// an offer it does not know (an offer moved to another provider names its new owner within `ttl`).
#[derive(Debug)]
pub struct OwnerCache {
    ttl: std::time::Duration,
    state: std::sync::Mutex<Option<Owners>>,
}

#[derive(Debug, Clone)]
struct Owners {
    read_at: std::time::Instant,
    /// Offer name to the `rp_id` of its provider.
    offers: std::collections::HashMap<String, String>,
    /// The provider that owns custom types, if any.
    custom: Option<String>,
}

impl OwnerCache {
    /// A cache read again at most every `ttl_secs` (at least one second).
    pub fn new(ttl_secs: i64) -> OwnerCache {
        let secs = u64::try_from(ttl_secs.max(1)).unwrap_or(60);
        OwnerCache {
            ttl: std::time::Duration::from_secs(secs),
            state: std::sync::Mutex::new(None),
        }
    }

    /// The owners, read again when older than the ttl, or when one of `offers` is not among them
    /// and the last read is a second old (a catalogue applied since: its new offers name their
    /// provider at once; a custom type re-reads at most once a second).
    fn owners(&self, conn: &mut DbConnection, offers: &[&str]) -> diesel::QueryResult<Owners> {
        let cached = self.state.lock().ok().and_then(|s| s.clone());
        if let Some(owners) = cached {
            let age = owners.read_at.elapsed();
            let knows_all = offers.iter().all(|o| owners.offers.contains_key(*o));
            let fresh = age < self.ttl && (knows_all || age < std::time::Duration::from_secs(1));
            if fresh {
                return Ok(owners);
            }
        }
        let owners = Owners {
            read_at: std::time::Instant::now(),
            offers: db::provider::all_offer_owners(conn)?.into_iter().collect(),
            custom: db::provider::custom_type_owner(conn)?,
        };
        if let Ok(mut state) = self.state.lock() {
            *state = Some(owners.clone());
        }
        Ok(owners)
    }
}

/// The audience of a token carrying `offers` (`Offer.Action` names): the indicator of each
/// offer's provider, each once, sorted (so equal grants give equal tokens on every backend).
pub fn of_offers<'o>(
    conn: &mut DbConnection,
    owners: &OwnerCache,
    issuer_url: &str,
    offers: impl Iterator<Item = &'o str>,
) -> diesel::QueryResult<Audience> {
    let names: Vec<&str> = offers
        .map(|p| p.split_once('.').map_or(p, |(offer, _)| offer))
        .collect();
    let owners = owners.owners(conn, &names)?;
    let mut rp_ids: Vec<&str> = names
        .iter()
        .filter_map(|offer| {
            owners
                .offers
                .get(*offer)
                .or(owners.custom.as_ref())
                .map(String::as_str)
        })
        .collect();
    rp_ids.sort_unstable();
    rp_ids.dedup();
    Ok(Audience::of(
        rp_ids.iter().map(|rp| indicator(issuer_url, rp)).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://assent.example";

    #[test]
    fn an_indicator_names_its_provider_and_nothing_else() {
        let aud = indicator(ISS, "rp_3f2a9c0d5e7b1a46");
        assert_eq!(aud, "https://assent.example/resources/rp_3f2a9c0d5e7b1a46");
        assert_eq!(rp_of(ISS, &aud), Some("rp_3f2a9c0d5e7b1a46"));
        for other in [
            "https://assent.example/resources/",
            "https://assent.example/resources/rp_a/x",
            "https://assent.example/resources/rp_a#x",
            "https://evil.example/resources/rp_a",
            "https://assent.example.evil/resources/rp_a",
            "rp_a",
        ] {
            assert_eq!(rp_of(ISS, other), None, "{other}");
        }
    }

    #[test]
    fn a_token_is_for_the_providers_its_audience_names() {
        let two = Audience::of(vec![indicator(ISS, "rp_a"), indicator(ISS, "assent")]);
        assert!(names(Some(&two), ISS, "rp_a") && names(Some(&two), ISS, "assent"));
        assert!(!names(Some(&two), ISS, "rp_b"));
        assert!(!names(Some(&two), "https://other.example", "rp_a"));
        let bare = Audience::of(vec!["rp_a".into()]);
        assert!(!names(Some(&bare), ISS, "rp_a"), "only indicators count");
        assert!(names(None, ISS, "rp_b"), "a token from before audiences");
    }
}
