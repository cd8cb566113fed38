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

/// The audience of a token carrying `offers` (`Offer.Action` names): the indicator of each
/// offer's provider, each once, sorted (so equal grants give equal tokens on every backend).
pub fn of_offers<'o>(
    conn: &mut DbConnection,
    issuer_url: &str,
    offers: impl Iterator<Item = &'o str>,
) -> diesel::QueryResult<Audience> {
    let names: Vec<&str> = offers
        .map(|p| p.split_once('.').map_or(p, |(offer, _)| offer))
        .collect();
    let owners = db::provider::offer_owners(conn, &names)?;
    let mut custom = None;
    let mut rp_ids: Vec<String> = Vec::new();
    for name in &names {
        let owner = match owners.iter().find(|(offer, _)| offer == name) {
            Some((_, rp_id)) => Some(rp_id.clone()),
            None => {
                if custom.is_none() {
                    custom = Some(db::provider::custom_type_owner(conn)?);
                }
                custom.clone().flatten()
            }
        };
        rp_ids.extend(owner);
    }
    rp_ids.sort();
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
