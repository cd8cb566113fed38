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
