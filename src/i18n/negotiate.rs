//! Which language a request gets: the `assent_lang` cookie (the switch's choice) when it names a
//! shipped language, else the best of `Accept-Language` by its q-values, else English.

use super::{Lang, LANGS};

/// The cookie the language switch sets (a preference, not a secret: unsigned).
pub const LANG_COOKIE: &str = "assent_lang";

/// The language for a request with this cookie value and `Accept-Language` header.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = cookie.and_then(Lang::parse) {
        return lang;
    }
    accept_language.and_then(best_accepted).unwrap_or_default()
}

/// The shipped language with the highest q-value in an `Accept-Language` header (RFC 9110
/// section 12.5.4); earlier entries win ties, `q=0` means "not this one", `*` means English.
fn best_accepted(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, u16)> = None;
    for item in header.split(',').take(32) {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or_default().trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(quality)
            .unwrap_or(1000);
        if q == 0 {
            continue;
        }
        let lang = if range == "*" {
            Some(Lang::En)
        } else {
            Lang::parse(range)
        };
        if let Some(lang) = lang {
            if best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
    }
    // A header naming only languages Assent does not ship gets the default.
    best.map(|(lang, _)| lang)
        .filter(|lang| LANGS.contains(lang))
}

/// A q-value in thousandths (`0.8` is 800), `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}
