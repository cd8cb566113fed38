//! A `next` target after sign-in: a local path only, so sign-in can never become an open redirect.

/// A path on this server, starting with a single `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// Accept `/path?query` only: not `//host`, not `/\host`, no scheme, no control characters.
    pub fn parse(input: &str) -> Option<LocalPath> {
        let ok = input.starts_with('/')
            && !input.starts_with("//")
            && !input.starts_with("/\\")
            && input.len() <= 4096
            && !input.chars().any(|c| c.is_control() || c == '\\');
        ok.then(|| LocalPath(input.to_string()))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_path_is_accepted() {
        assert!(LocalPath::parse("/consent?ps=Contacts.Read&app=x").is_some());
    }

    #[test]
    fn anything_that_could_leave_the_site_is_rejected() {
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/a\nb",
            "javascript:alert(1)",
        ] {
            assert!(LocalPath::parse(bad).is_none(), "{bad}");
        }
    }
}
