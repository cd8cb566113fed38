//! The checks of an authorization request that come before oxide-auth's (RFC 6749 section 4.1.2.1):
//! a bad client or redirect URI is answered on a page, never by a redirect; only once the
//! redirect URI is verified may errors (such as `invalid_scope`) be sent back to it.

/// The value of `name` when it occurs exactly once (authorization parameters must not repeat,
/// RFC 6749 section 3.1).
pub fn single<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut values = query
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str());
    match (values.next(), values.next()) {
        (Some(v), None) => Some(v),
        _ => None,
    }
}

/// The redirect URI to answer: the one given when it is registered exactly, the first registered
/// one when none is given, `None` (a page, not a redirect) otherwise, also when it repeats.
pub fn redirect_uri(query: &[(String, String)], registered: &[String]) -> Option<String> {
    match query.iter().filter(|(n, _)| n == "redirect_uri").count() {
        0 => registered.first().cloned(),
        1 => single(query, "redirect_uri")
            .filter(|given| registered.iter().any(|r| r == given))
            .map(str::to_string),
        _ => None,
    }
}

/// An error answer sent to a verified redirect URI: `error`, the client's `state` when it sent
/// one, and `iss` (RFC 9207).
pub fn error_location(
    redirect_uri: &str,
    code: &str,
    query: &[(String, String)],
    iss: &str,
) -> Option<String> {
    let mut url = url::Url::parse(redirect_uri).ok()?;
    url.query_pairs_mut().append_pair("error", code);
    if let Some(state) = single(query, "state") {
        url.query_pairs_mut().append_pair("state", state);
    }
    url.query_pairs_mut().append_pair("iss", iss);
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn registered() -> Vec<String> {
        vec![
            "https://contoso.example/cb".into(),
            "https://contoso.example/alt".into(),
        ]
    }

    #[test]
    fn a_registered_redirect_uri_is_used_exactly_and_none_given_means_the_first() {
        let given = q(&[("redirect_uri", "https://contoso.example/alt")]);
        assert_eq!(
            redirect_uri(&given, &registered()).as_deref(),
            Some("https://contoso.example/alt")
        );
        assert_eq!(
            redirect_uri(&[], &registered()).as_deref(),
            Some("https://contoso.example/cb")
        );
    }

    #[test]
    fn an_unregistered_near_miss_or_a_repeated_redirect_uri_is_never_redirected_to() {
        for bad in [
            q(&[("redirect_uri", "https://contoso.example/cb/")]),
            q(&[("redirect_uri", "https://contoso.example/cb?x=1")]),
            q(&[("redirect_uri", "https://evil.example/cb")]),
            q(&[
                ("redirect_uri", "https://contoso.example/cb"),
                ("redirect_uri", "https://contoso.example/cb"),
            ]),
        ] {
            assert_eq!(redirect_uri(&bad, &registered()), None, "{bad:?}");
        }
    }

    #[test]
    fn an_error_goes_back_with_the_clients_state_and_the_issuer() {
        let query = q(&[("state", "s 1")]);
        assert_eq!(
            error_location("https://contoso.example/cb", "invalid_scope", &query, "https://a.example")
                .as_deref(),
            Some("https://contoso.example/cb?error=invalid_scope&state=s+1&iss=https%3A%2F%2Fa.example")
        );
    }

    #[test]
    fn a_repeated_parameter_counts_as_absent() {
        let query = q(&[("client_id", "A"), ("client_id", "B")]);
        assert_eq!(single(&query, "client_id"), None);
        assert_eq!(single(&q(&[("client_id", "A")]), "client_id"), Some("A"));
    }
}
