//! What the consent page shows for a request, as data (the template renders it): the app, the
//! host it returns to, the privacy link, each permission with its description, the expiry choices.

use serde::Serialize;

use crate::delauth::request::{host_of, ConsentRequest};
use crate::domain::permission::{expiry_label, DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS};

/// One requested permission on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PagePermission {
    /// `Offer.Action`.
    pub permission: String,
    /// The offer.
    pub offer: String,
    /// The action.
    pub action: String,
    /// The catalogue's description.
    pub description: String,
}

/// One expiry choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiryOption {
    /// Days.
    pub days: i64,
    /// "30 days", "1 year".
    pub label: String,
    /// The default choice.
    pub selected: bool,
}

/// The consent page's content (the same for every protocol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentPage {
    /// The application's name.
    pub app_name: String,
    /// The host of the verified return URL.
    pub return_host: String,
    /// The privacy-policy URL, if any.
    pub privacy_url: Option<String>,
    /// Its host.
    pub privacy_host: Option<String>,
    /// The `in` resource, if any.
    pub resource: Option<String>,
    /// The requested permissions, in request order.
    pub permissions: Vec<PagePermission>,
    /// The expiry choices.
    pub expiry_options: Vec<ExpiryOption>,
}

impl ConsentPage {
    /// The page for `consent`.
    pub fn of(consent: &ConsentRequest) -> ConsentPage {
        ConsentPage {
            app_name: consent.app.app.name.clone(),
            return_host: host_of(&consent.return_url),
            privacy_url: consent.privacy_url.clone(),
            privacy_host: consent.privacy_url.as_deref().map(host_of),
            resource: consent.resource.clone(),
            permissions: consent
                .permissions
                .iter()
                .map(|p| PagePermission {
                    permission: p.permission.to_string(),
                    offer: p.permission.offer().to_string(),
                    action: p.permission.action().to_string(),
                    description: p.description.clone(),
                })
                .collect(),
            expiry_options: EXPIRY_DAYS
                .iter()
                .map(|&days| ExpiryOption {
                    days,
                    label: expiry_label(days),
                    selected: days == DEFAULT_EXPIRY_DAYS,
                })
                .collect(),
        }
    }
}
