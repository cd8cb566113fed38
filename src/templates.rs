//! Tera templates, embedded in the binary so Assent runs from any directory. Autoescape is on for
//! every `.html` template.

use std::sync::OnceLock;
use tera::Tera;

static TERA: OnceLock<Tera> = OnceLock::new();

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

/// Parse every template once; startup calls this so a broken template stops the server at once.
pub fn init() -> Result<&'static Tera, tera::Error> {
    if let Some(t) = TERA.get() {
        return Ok(t);
    }
    let mut tera = Tera::default();
    tera.register_filter("urlencode", urlencode);
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    Ok(TERA.get_or_init(|| tera))
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

/// Render a template with its context.
pub fn render(name: &str, ctx: &tera::Context) -> Result<String, crate::error::AppError> {
    let tera = init().map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    tera.render(name, ctx).map_err(|e| {
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
}
