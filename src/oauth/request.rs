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
        OAuthReq { query, body, auth }
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
