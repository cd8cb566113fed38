//! The rule for a URL an administrator registers (a return URL or a privacy URL): absolute http(s)
//! with a host, without userinfo or fragment. It is stored as given: requests must match a
//! registered return URL exactly.

/// Check a URL to register; the error says what is wrong.
pub fn check_registrable_url(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("invalid URL {url}: {e}"))?;
    let ok = matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some_and(|h| !h.is_empty())
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{url} is not an absolute http(s) URL with a host, without userinfo or fragment"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::check_registrable_url;

    #[test]
    fn an_https_url_with_a_path_and_query_can_be_registered() {
        assert!(check_registrable_url("https://contoso.example/cb?x=1").is_ok());
        assert!(check_registrable_url("http://127.0.0.1:9000/callback").is_ok());
    }

    #[test]
    fn a_url_with_userinfo_a_fragment_or_another_scheme_is_rejected() {
        for url in [
            "https://user:pw@contoso.example/cb",
            "https://contoso.example/cb#frag",
            "javascript:alert(1)",
            "ftp://contoso.example/cb",
            "/relative/path",
        ] {
            assert!(check_registrable_url(url).is_err(), "{url}");
        }
    }
}
