//! Query parameters as old SDK clients send them: names matched case-insensitively (`RU` and `ru`
//! both occur), values decoded leniently (`+` or `%20` for space, upper- or lower-case hex).

use crate::crypto::live::url_decode;

/// Decoded parameters in order; names lower-cased.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parse a raw query string (or form body).
    pub fn parse(query: &str) -> Params {
        Params(
            query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (url_decode(name).to_ascii_lowercase(), url_decode(value))
                })
                .collect(),
        )
    }

    /// The first value of `name` (lower-case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `name`.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

/// The delegation token of an `Authorization` header value: `DelegatedToken dt="<delt>"` (the form old clients send)
/// or `Authorization: Bearer <delt>`.
pub fn delegated_token(value: &str) -> Option<String> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.to_string());
    }
    if !scheme.eq_ignore_ascii_case("delegatedtoken") {
        return None;
    }
    // auth-params: `name="value"` or `name=value`, comma-separated (RFC 9110 section 11.4).
    rest.split(',').find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("dt") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        Some(value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_lenient() {
        let p =
            Params::parse("RU=http%3a%2F%2Fsite%2Fcb&Ps=Contacts.Read%2cNews.Write&appctx=a+b%20c");
        assert_eq!(p.get("ru"), Some("http://site/cb"));
        assert_eq!(p.get("ps"), Some("Contacts.Read,News.Write"));
        assert_eq!(p.get("appctx"), Some("a b c"));
        assert_eq!(p.get("app"), None);
    }
}
