//! A website written against the old SDK, as test code: builds consent URLs and refresh requests,
//! opens ConsentTokens with the envelope rules.

use assent::crypto::live::{self, urlenc, AppKeys, OpenedEnvelope};

use crate::helpers::{hidden_value, unescape_html, TestApp};

/// A registered website.
pub struct Website {
    pub appid: String,
    pub secret: String,
    pub return_url: String,
}

impl Website {
    /// Register a website with `return_url` (plus an alternative) and a privacy URL.
    pub fn register(app: &TestApp, return_url: &str) -> Website {
        let urls = [return_url.to_string(), format!("{return_url}/alt")];
        let created = assent::admin::create_app(
            &app.state.db,
            &app.state.key,
            &assent::admin::AppRegistration {
                name: "Contoso Test Site",
                return_urls: &urls,
                privacy_url: Some("https://contoso.example/privacy"),
                ..Default::default()
            },
            assent::clock::now(),
        )
        .unwrap();
        Website {
            appid: created.appid,
            secret: created.secret.unwrap_or_default(),
            return_url: return_url.to_string(),
        }
    }

    pub fn keys(&self) -> AppKeys {
        AppKeys::derive(&self.secret)
    }

    /// A fresh `app` verifier, urlenc-ed for a URL.
    pub fn verifier(&self) -> String {
        urlenc(&live::build_app_verifier(
            &self.appid,
            assent::clock::now(),
            &self.keys(),
        ))
    }

    /// The consent URL path for `ps`, with extra raw query parameters.
    pub fn consent_path(&self, ps: &str, extra: &str) -> String {
        format!(
            "/consent?ps={}&ru={}&app={}&appctx=state-42{extra}",
            urlenc(ps),
            urlenc(&self.return_url),
            self.verifier()
        )
    }

    /// A refresh request path.
    pub fn refresh_path(&self, ps: &str, reft: &str) -> String {
        format!(
            "/consent/refresh?ps={}&reft={}&ru={}&app={}",
            urlenc(ps),
            urlenc(reft),
            urlenc(&self.return_url),
            self.verifier()
        )
    }

    /// Open a ConsentToken value (form field or refresh JSON value).
    pub fn open(&self, value: &str) -> OpenedEnvelope {
        live::open_consent_token_field(&[self.keys()], value).expect("the ConsentToken opens")
    }
}

/// The response page's form: its action and its fields in order.
pub struct ResponseForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl ResponseForm {
    pub fn parse(html: &str) -> ResponseForm {
        let form_at = html.find("name=\"responseform\"").expect("a responseform");
        let tag_start = html[..form_at].rfind("<form").unwrap();
        let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
        let a = tag.find("action=\"").unwrap() + 8;
        let action = unescape_html(&tag[a..a + tag[a..].find('"').unwrap()]);
        let mut fields = Vec::new();
        for name in ["action", "ResponseCode", "ConsentToken", "appctx"] {
            if let Some(v) = hidden_value(&html[tag_start..], name) {
                fields.push((name.to_string(), v));
            }
        }
        ResponseForm { action, fields }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}
