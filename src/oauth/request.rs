//! oxide-auth's request and response traits for plain data, so flows run without actix (a stored
//! authorization request can be replayed at decision time) and handlers convert at the edge.

use std::borrow::Cow;

use oxide_auth::endpoint::{NormalizedParameter, QueryParameter, WebRequest, WebResponse};
use url::Url;

/// A request as oxide-auth reads it.
#[derive(Debug, Clone, Default)]
pub struct OAuthReq {
    query: Option<NormalizedParameter>,
    body: Option<NormalizedParameter>,
    auth: Option<String>,
    /// The form as sent, when it was given as pairs (so one value can be replaced).
    body_pairs: Vec<(String, String)>,
}

fn normalize(pairs: &[(String, String)]) -> NormalizedParameter {
    let mut params = NormalizedParameter::new();
    for (k, v) in pairs {
        // A repeated parameter poisons the value: oxide-auth then refuses it (RFC 6749 3.1).
        params.insert_or_poison(Cow::Owned(k.clone()), Cow::Owned(v.clone()));
    }
    params
}

impl OAuthReq {
    /// A request with query parameters only.
    pub fn from_query(pairs: &[(String, String)]) -> OAuthReq {
        OAuthReq {
            query: Some(normalize(pairs)),
            ..OAuthReq::default()
        }
    }

    /// A request from already-normalized parts (e.g. what oxide-auth-actix extracted).
    pub fn from_parts(
        query: Option<NormalizedParameter>,
        body: Option<NormalizedParameter>,
        auth: Option<String>,
    ) -> OAuthReq {
        OAuthReq {
            query,
            body,
            auth,
            body_pairs: Vec::new(),
        }
    }
}

/// The first parameter name that occurs more than once: RFC 6749 section 3.1 says "Request and
/// response parameters MUST NOT be included more than once", and such a request is
/// `invalid_request` (section 4.1.2.1, section 5.2). oxide-auth would read a repeated value as
/// absent instead (a repeated `code_challenge` as no challenge), so callers refuse first.
/// `resource` is the exception: RFC 8707 section 2 lets it repeat, once per resource.
pub fn repeated(pairs: &[(String, String)]) -> Option<&str> {
    let mut seen = std::collections::BTreeSet::new();
    pairs
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| *n != super::resource::PARAM)
        .find(|n| !seen.insert(*n))
}

/// Why a token request's form and client authentication do not go together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// A parameter occurs twice.
    #[error("A request parameter is repeated.")]
    Repeated,
    /// HTTP Basic and `client_secret` in the form: two authentication methods (RFC 6749 2.3).
    #[error("Use one client authentication method: HTTP Basic or client_secret in the form.")]
    TwoMethods,
    /// HTTP Basic names one client, the form's `client_id` another.
    #[error("The client_id in the form is not the client of the Authorization header.")]
    ClientMismatch,
}

impl OAuthReq {
    /// A token request from its form pairs and `Authorization` header: no parameter may repeat,
    /// and with HTTP Basic (`basic_client`, the client id it names) the form may repeat that
    /// client id but neither name another client nor add `client_secret`.
    pub fn from_token_form(
        mut pairs: Vec<(String, String)>,
        auth: Option<String>,
        basic_client: Option<&str>,
    ) -> Result<OAuthReq, BodyError> {
        if repeated(&pairs).is_some() {
            return Err(BodyError::Repeated);
        }
        if let Some(basic) = basic_client {
            if pairs.iter().any(|(n, _)| n == "client_secret") {
                return Err(BodyError::TwoMethods);
            }
            if pairs.iter().any(|(n, v)| n == "client_id" && v != basic) {
                return Err(BodyError::ClientMismatch);
            }
            // The same client named twice is one authentication (oxide-auth would count two).
            pairs.retain(|(n, _)| n != "client_id");
        }
        Ok(OAuthReq {
            body: Some(normalize(&pairs)),
            auth,
            body_pairs: pairs,
            ..OAuthReq::default()
        })
    }

    /// Replace the form value of `name` (of a request made by [`OAuthReq::from_token_form`]).
    pub fn replace_body_value(&mut self, name: &str, value: String) {
        for (n, v) in &mut self.body_pairs {
            if n == name {
                *v = value.clone();
            }
        }
        self.body = Some(normalize(&self.body_pairs));
    }

    /// Set the form value of `name`, adding it when absent (of a request made by
    /// [`OAuthReq::from_token_form`]).
    pub fn set_body_value(&mut self, name: &str, value: String) {
        if self.body_pairs.iter().any(|(n, _)| n == name) {
            self.replace_body_value(name, value);
        } else {
            self.body_pairs.push((name.to_string(), value));
            self.body = Some(normalize(&self.body_pairs));
        }
    }

    /// Every form value of `name`, in order (for `resource`, which may repeat).
    pub fn body_values(&self, name: &str) -> Vec<String> {
        self.body_pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The form value of `name` (None when absent or repeated).
    pub fn body_value(&self, name: &str) -> Option<String> {
        self.body
            .as_ref()
            .and_then(|b| b.unique_value(name))
            .map(|v| v.into_owned())
    }
}

/// Why a request could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReqError {
    /// No query string.
    Query,
    /// No form body.
    Body,
}

impl WebRequest for OAuthReq {
    type Error = ReqError;
    type Response = OAuthResp;

    fn query(&mut self) -> Result<Cow<'_, dyn QueryParameter + 'static>, ReqError> {
        self.query
            .as_ref()
            .map(|q| Cow::Borrowed(q as &dyn QueryParameter))
            .ok_or(ReqError::Query)
    }

    fn urlbody(&mut self) -> Result<Cow<'_, dyn QueryParameter + 'static>, ReqError> {
        self.body
            .as_ref()
            .map(|b| Cow::Borrowed(b as &dyn QueryParameter))
            .ok_or(ReqError::Body)
    }

    fn authheader(&mut self) -> Result<Option<Cow<'_, str>>, ReqError> {
        Ok(self.auth.as_deref().map(Cow::Borrowed))
    }
}

/// A response as oxide-auth writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthResp {
    /// HTTP status.
    pub status: u16,
    /// `Location` of a redirect.
    pub location: Option<String>,
    /// `WWW-Authenticate` of a 401.
    pub www_authenticate: Option<String>,
    /// Content type and body.
    pub body: Option<(&'static str, String)>,
}

impl Default for OAuthResp {
    fn default() -> Self {
        OAuthResp {
            status: 200,
            location: None,
            www_authenticate: None,
            body: None,
        }
    }
}

impl WebResponse for OAuthResp {
    type Error = ReqError;

    fn ok(&mut self) -> Result<(), ReqError> {
        self.status = 200;
        Ok(())
    }

    fn redirect(&mut self, url: Url) -> Result<(), ReqError> {
        self.status = 302;
        self.location = Some(url.into());
        Ok(())
    }

    fn client_error(&mut self) -> Result<(), ReqError> {
        self.status = 400;
        Ok(())
    }

    fn unauthorized(&mut self, kind: &str) -> Result<(), ReqError> {
        self.status = 401;
        self.www_authenticate = Some(kind.to_string());
        Ok(())
    }

    fn body_text(&mut self, text: &str) -> Result<(), ReqError> {
        self.body = Some(("text/plain; charset=utf-8", text.to_string()));
        Ok(())
    }

    fn body_json(&mut self, json: &str) -> Result<(), ReqError> {
        self.body = Some(("application/json", json.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_repeated_parameter_is_named_and_refused() {
        let p = pairs(&[("code", "a"), ("state", "x"), ("state", "x")]);
        assert_eq!(repeated(&p), Some("state"));
        assert_eq!(repeated(&pairs(&[("a", "1"), ("b", "1")])), None);
        let resources = pairs(&[("resource", "https://a/x"), ("resource", "https://a/y")]);
        assert_eq!(repeated(&resources), None, "RFC 8707: resource may repeat");
        assert!(matches!(
            OAuthReq::from_token_form(p, None, None),
            Err(BodyError::Repeated)
        ));
    }

    #[test]
    fn basic_with_the_same_client_id_in_the_form_is_one_authentication() {
        let p = pairs(&[("grant_type", "refresh_token"), ("client_id", "A")]);
        let req = OAuthReq::from_token_form(p.clone(), None, Some("A")).unwrap();
        assert_eq!(req.body_value("client_id"), None);
        assert_eq!(
            req.body_value("grant_type").as_deref(),
            Some("refresh_token")
        );
        assert!(matches!(
            OAuthReq::from_token_form(p, None, Some("B")),
            Err(BodyError::ClientMismatch)
        ));
        let secret = pairs(&[("client_secret", "s")]);
        assert!(matches!(
            OAuthReq::from_token_form(secret, None, Some("A")),
            Err(BodyError::TwoMethods)
        ));
    }
}
