//! Tera templates, embedded in the binary so Assent runs from any directory. Autoescape is on for
//! every `.html` template. There is one parsed set per language: its `t(k=<message id>, name=value..)`
//! function words the page in that language ([`crate::i18n`]), and every page gets `lang` (for
//! `<html lang>`) and `languages` (the switch).

use std::collections::HashMap;
use std::sync::OnceLock;

use tera::Tera;

use crate::i18n::{Lang, LANGS};

static TERA: OnceLock<Vec<Tera>> = OnceLock::new();

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("signup.html", include_str!("../templates/signup.html")),
    ("consent.html", include_str!("../templates/consent.html")),
    (
        "consent_row.html",
        include_str!("../templates/consent_row.html"),
    ),
    ("response.html", include_str!("../templates/response.html")),
    ("logout.html", include_str!("../templates/logout.html")),
    ("demo.html", include_str!("../templates/demo.html")),
    (
        "account_tabs.html",
        include_str!("../templates/account_tabs.html"),
    ),
    ("consents.html", include_str!("../templates/consents.html")),
    (
        "revoke_app.html",
        include_str!("../templates/revoke_app.html"),
    ),
    (
        "revoke_permission.html",
        include_str!("../templates/revoke_permission.html"),
    ),
    ("history.html", include_str!("../templates/history.html")),
    ("account.html", include_str!("../templates/account.html")),
    (
        "check_inbox.html",
        include_str!("../templates/check_inbox.html"),
    ),
    ("forgot.html", include_str!("../templates/forgot.html")),
    ("reset.html", include_str!("../templates/reset.html")),
    (
        "email_link.html",
        include_str!("../templates/email_link.html"),
    ),
    ("outbox.html", include_str!("../templates/outbox.html")),
    (
        "email_status.html",
        include_str!("../templates/email_status.html"),
    ),
    (
        "delete_account.html",
        include_str!("../templates/delete_account.html"),
    ),
    (
        "account_deleted.html",
        include_str!("../templates/account_deleted.html"),
    ),
];

/// Parse every template once per language; startup calls this so a broken template stops the
/// server at once.
pub fn init() -> Result<&'static [Tera], tera::Error> {
    if let Some(t) = TERA.get() {
        return Ok(t);
    }
    crate::i18n::init().map_err(tera::Error::msg)?;
    let mut sets = Vec::with_capacity(LANGS.len());
    for lang in LANGS {
        let mut tera = Tera::default();
        tera.register_filter("urlencode", urlencode);
        tera.register_function("t", Translate(lang));
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        sets.push(tera);
    }
    Ok(TERA.get_or_init(|| sets))
}

/// `text` safe in HTML text and quoted attributes: `&`, `<`, `>`, `"` and `'` as entities (a
/// zone's `/` stays as it is).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The template function `t`: `t(k="consent-title", app=app_name)` is the message `k` of this
/// set's language with the other arguments (strings, HTML-escaped here; numbers, for plural
/// forms).
struct Translate(Lang);

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let key = args
            .get("k")
            .and_then(tera::Value::as_str)
            .ok_or_else(|| tera::Error::msg("t() needs k=\"message-id\""))?;
        let mut fluent_args = fluent_bundle::FluentArgs::new();
        for (name, value) in args {
            if name == "k" {
                continue;
            }
            let value = match value {
                tera::Value::String(s) => fluent_bundle::FluentValue::from(escape(s)),
                tera::Value::Number(n) => match n.as_i64() {
                    Some(i) => fluent_bundle::FluentValue::from(i),
                    None => fluent_bundle::FluentValue::from(n.as_f64().unwrap_or_default()),
                },
                tera::Value::Null => fluent_bundle::FluentValue::from(""),
                other => fluent_bundle::FluentValue::from(escape(&other.to_string())),
            };
            fluent_args.set(name.clone(), value);
        }
        Ok(tera::Value::String(crate::i18n::text_with(
            self.0,
            key,
            &fluent_args,
        )))
    }

    /// The catalogue is trusted markup (`<strong>` may stand in a message); every argument was
    /// escaped above, so the result goes into the page as it is.
    fn is_safe(&self) -> bool {
        true
    }
}

/// `urlencode` filter: percent-encodes everything outside the unreserved characters.
fn urlencode(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("urlencode expects a string"))?;
    Ok(tera::Value::String(crate::crypto::live::urlenc(text)))
}

/// The language switch's entries for a page in `lang`.
#[derive(serde::Serialize)]
struct LangChoice {
    tag: &'static str,
    name: &'static str,
    current: bool,
}

/// Render a template in `lang` with its context.
pub fn render(
    lang: Lang,
    name: &str,
    ctx: &tera::Context,
) -> Result<String, crate::error::AppError> {
    let sets = init().map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    let tera = &sets[lang.index()];
    let mut ctx = ctx.clone();
    ctx.insert("lang", lang.tag());
    let choices: Vec<LangChoice> = LANGS
        .iter()
        .map(|l| LangChoice {
            tag: l.tag(),
            name: l.native_name(),
            current: *l == lang,
        })
        .collect();
    ctx.insert("languages", &choices);
    tera.render(name, &ctx).map_err(|e| {
        // Tera's error chain names the missing variable; keep it for the log.
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        crate::error::AppError::Internal(msg)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        super::init().unwrap();
    }

    #[test]
    fn a_message_argument_is_escaped_and_the_catalogue_markup_is_kept() {
        let mut ctx = tera::Context::new();
        ctx.insert("user_email", "<b>x</b>@example.com");
        ctx.insert("user_name", "\"Al\" & 'Bo'");
        let page = super::render(crate::i18n::Lang::En, "home.html", &ctx).unwrap();
        assert!(
            page.contains("as <strong>&lt;b&gt;x&lt;/b&gt;@example.com</strong>."),
            "{page}"
        );
        assert!(
            page.contains("Hello &quot;Al&quot; &amp; &#39;Bo&#39;"),
            "{page}"
        );
        assert!(!page.contains("<b>x</b>"), "{page}");
    }
}
