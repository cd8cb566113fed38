//! Permissions (`Offer.Action`), requested permission lists (`ps`, OAuth `scope`), the permission
//! catalogue and the consent page's expiry choices (docs/protocol.md sections 3 and 6).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Longest offer or action name.
const MAX_IDENT: usize = 64;
/// Most permissions in one request.
const MAX_ENTRIES: usize = 64;
/// Longest `ps` or `scope` value.
const MAX_LIST_LEN: usize = 4096;
/// The actions a custom type offers.
const CUSTOM_ACTIONS: [&str; 3] = ["Read", "Write", "Full"];

/// Why a permission or permission list was refused. The messages are shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermissionError {
    /// Not of the form `Offer.Action` (or an empty entry in a list).
    #[error("{0:?} is not a permission of the form Offer.Action, such as Contacts.Read")]
    Malformed(String),
    /// The list is empty.
    #[error("no permissions were requested")]
    Empty,
    /// More than 64 permissions, or a list longer than 4096 characters.
    #[error("too many permissions were requested (at most 64)")]
    TooMany,
    /// The offer of this permission is not in the catalogue.
    #[error("the permission {0} is unknown: there is no such offer")]
    UnknownOffer(String),
    /// The offer exists but has no such action.
    #[error("the permission {0} is unknown: its offer has no such action")]
    UnknownAction(String),
    /// The action exists but no website can obtain it.
    #[error("the permission {0} can not be granted to websites")]
    NotGrantable(String),
}

/// One permission, `Offer.Action`, e.g. `Contacts.Read`. Offer and action are identifiers:
/// ASCII letters, digits and `_`, starting with a letter, 1..=64 chars each. Case-sensitive (as the SDK).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Permission {
    offer: String,
    action: String,
}

/// True for an identifier: ASCII letters, digits and `_`, starting with a letter, 1..=64 chars.
fn is_ident(s: &str) -> bool {
    s.len() <= MAX_IDENT
        && s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Permission {
    /// Parse `Offer.Action`; white space around it is ignored.
    pub fn parse(s: &str) -> Result<Permission, PermissionError> {
        let s = s.trim();
        match s.split_once('.') {
            Some((offer, action)) if is_ident(offer) && is_ident(action) => Ok(Permission {
                offer: offer.to_owned(),
                action: action.to_owned(),
            }),
            _ => Err(PermissionError::Malformed(s.to_owned())),
        }
    }

    /// The offer, e.g. `Contacts`.
    pub fn offer(&self) -> &str {
        &self.offer
    }

    /// The action, e.g. `Read`.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// True when the action is `Full`.
    pub fn is_full(&self) -> bool {
        self.action == "Full"
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.offer, self.action)
    }
}

impl TryFrom<String> for Permission {
    type Error = PermissionError;
    fn try_from(s: String) -> Result<Permission, PermissionError> {
        Permission::parse(&s)
    }
}

impl From<Permission> for String {
    fn from(p: Permission) -> String {
        p.to_string()
    }
}

/// A parsed `ps` (or OAuth `scope`) value: non-empty, de-duplicated, order of first appearance kept, at most 64 entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionList(Vec<Permission>);

impl PermissionList {
    /// Parse a comma-separated `ps` value; white space around entries is ignored, empty entries
    /// (`,,` or a trailing comma) are an error, the whole value may be at most 4096 characters.
    pub fn parse_ps(s: &str) -> Result<PermissionList, PermissionError> {
        if s.trim().is_empty() {
            return Err(PermissionError::Empty);
        }
        Self::parse_entries(s, s.split(','))
    }

    /// Parse a space-separated OAuth `scope` value (runs of white space count as one separator).
    pub fn parse_scope(s: &str) -> Result<PermissionList, PermissionError> {
        Self::parse_entries(s, s.split_whitespace())
    }

    fn parse_entries<'a>(
        whole: &str,
        entries: impl Iterator<Item = &'a str>,
    ) -> Result<PermissionList, PermissionError> {
        if whole.len() > MAX_LIST_LEN {
            return Err(PermissionError::TooMany);
        }
        let parsed = entries
            .map(Permission::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let list = PermissionList::from_vec(parsed);
        if list.is_empty() {
            Err(PermissionError::Empty)
        } else if list.len() > MAX_ENTRIES {
            Err(PermissionError::TooMany)
        } else {
            Ok(list)
        }
    }

    /// Build a list from permissions, dropping repeats (first appearance kept). Unlike the parsers,
    /// this does not enforce the non-empty and 64-entry rules.
    pub fn from_vec(v: Vec<Permission>) -> PermissionList {
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(v.len());
        for p in v {
            if seen.insert(p.clone()) {
                out.push(p);
            }
        }
        PermissionList(out)
    }

    /// The permissions in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = &Permission> {
        self.0.iter()
    }

    /// How many permissions.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none (only possible through [`PermissionList::from_vec`]).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The permissions as a vector.
    pub fn into_vec(self) -> Vec<Permission> {
        self.0
    }
}

/// What the catalogue says about one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSpec {
    /// The description shown on the consent page.
    pub description: String,
    /// False for actions that exist but no website can obtain (e.g. `Profiles.Write`).
    pub grantable: bool,
}

/// One registered offer.
#[derive(Debug, Clone)]
struct OfferSpec {
    provider: i64,
    actions: BTreeMap<String, ActionSpec>,
}

/// The permission catalogue (loaded from the database by the caller).
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    offers: BTreeMap<String, OfferSpec>,
    custom_type_providers: Vec<(i64, String)>,
}

/// A requested permission with what the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResolvedPermission {
    /// The permission.
    pub permission: Permission,
    /// Its description from the catalogue (generated for custom types).
    pub description: String,
    /// The resource provider that owns it.
    pub provider: i64,
}

impl Catalogue {
    /// An empty catalogue.
    pub fn new() -> Catalogue {
        Catalogue::default()
    }

    /// Add one action row (offer, action, description, grantable, provider id). The offer's
    /// provider is the one of its first row; a repeated action replaces the earlier row.
    pub fn add(
        &mut self,
        offer: &str,
        action: &str,
        description: &str,
        grantable: bool,
        provider: i64,
    ) {
        let spec = ActionSpec {
            description: description.to_owned(),
            grantable,
        };
        self.offers
            .entry(offer.to_owned())
            .or_insert_with(|| OfferSpec {
                provider,
                actions: BTreeMap::new(),
            })
            .actions
            .insert(action.to_owned(), spec);
    }

    /// Declare that provider `provider` (display name `name`) owns custom types: any `<Type>.Read|Write|Full`
    /// whose `<Type>` is not a registered offer is that provider's. If several providers declare
    /// custom types, the first added wins; the others are ignored.
    pub fn add_custom_type_provider(&mut self, provider: i64, name: &str) {
        self.custom_type_providers.push((provider, name.to_owned()));
    }

    /// The name of the provider that keeps `p` as a custom type (its offer is not registered), if
    /// one does.
    pub fn custom_owner(&self, p: &Permission) -> Option<&str> {
        if self.offers.contains_key(p.offer()) {
            return None;
        }
        self.custom_type_providers
            .first()
            .map(|(_, name)| name.as_str())
    }

    /// The provider owning custom types, if any (the first declared).
    fn custom_provider(&self) -> Option<i64> {
        self.custom_type_providers.first().map(|(id, _)| *id)
    }

    /// Resolve one permission.
    fn resolve_one(&self, p: &Permission) -> Result<ResolvedPermission, PermissionError> {
        let resolved = |description: String, provider| ResolvedPermission {
            permission: p.clone(),
            description,
            provider,
        };
        if let Some(offer) = self.offers.get(p.offer()) {
            let spec = offer
                .actions
                .get(p.action())
                .ok_or_else(|| PermissionError::UnknownAction(p.to_string()))?;
            if !spec.grantable {
                return Err(PermissionError::NotGrantable(p.to_string()));
            }
            return Ok(resolved(spec.description.clone(), offer.provider));
        }
        let (provider, name) = self
            .custom_type_providers
            .first()
            .ok_or_else(|| PermissionError::UnknownOffer(p.to_string()))?;
        // Nobody described a custom type: say what it is (data a provider keeps under that name).
        let verb = match p.action() {
            "Read" => "Read",
            "Write" => "Add to and change",
            "Full" => "Read, add to and change",
            _ => return Err(PermissionError::UnknownAction(p.to_string())),
        };
        let description = format!(
            "{verb} your \u{201c}{}\u{201d} data, kept by {name} (no description was given)",
            p.offer()
        );
        Ok(resolved(description, *provider))
    }

    /// The other grantable actions of `p`'s offer, with their descriptions, in name order: what
    /// `<Offer>.Full` includes (exactly what [`Catalogue::implies`] lets it stand for, besides
    /// itself), and what another action such as `Write` does NOT include. `Full` itself is never
    /// listed; an unknown offer lists nothing.
    pub fn other_actions(&self, p: &Permission) -> Vec<(Permission, String)> {
        let actions: Vec<String> = match self.offers.get(p.offer()) {
            Some(offer) => offer.actions.keys().cloned().collect(),
            None if self.custom_provider().is_some() => {
                CUSTOM_ACTIONS.iter().map(|a| a.to_string()).collect()
            }
            None => Vec::new(),
        };
        actions
            .iter()
            .filter(|a| a.as_str() != "Full" && a.as_str() != p.action())
            .filter_map(|a| Permission::parse(&format!("{}.{a}", p.offer())).ok())
            .filter_map(|other| {
                let resolved = self.resolve_one(&other).ok()?;
                Some((other, resolved.description))
            })
            .collect()
    }

    /// Resolve a requested list, in request order: each permission must be a registered, grantable
    /// action of a registered offer, or a custom type (Read/Write/Full only) when a custom-type
    /// provider exists. The error names the first culprit.
    pub fn resolve(
        &self,
        list: &PermissionList,
    ) -> Result<Vec<ResolvedPermission>, PermissionError> {
        list.iter().map(|p| self.resolve_one(p)).collect()
    }

    /// True when a website can obtain `p`: a grantable action of a registered offer, or `Read`,
    /// `Write` or `Full` of a custom type when a custom-type provider exists.
    pub fn is_grantable(&self, p: &Permission) -> bool {
        self.resolve_one(p).is_ok()
    }

    /// True when holding `held` allows `wanted` (docs/protocol.md section 6): equal, or `held` is
    /// `<Offer>.Full` and `wanted` is a GRANTABLE action of the same offer. `Full` never implies an
    /// action no website can obtain (such as `Mail.Send` marked not grantable), nor an action
    /// the offer does not have. This is the one implication rule: the check endpoint,
    /// introspection, refresh and `/me` all ask it.
    pub fn implies(&self, held: &Permission, wanted: &Permission) -> bool {
        held == wanted
            || (held.is_full() && held.offer() == wanted.offer() && self.is_grantable(wanted))
    }

    /// True when any of `held` implies `wanted` (see [`Catalogue::implies`]).
    pub fn allows(&self, held: &[Permission], wanted: &Permission) -> bool {
        held.iter().any(|h| self.implies(h, wanted))
    }

    /// The provider that owns a permission's offer, if any. An unregistered offer belongs to the
    /// custom-type provider when the action is `Read`, `Write` or `Full`.
    pub fn owner(&self, p: &Permission) -> Option<i64> {
        match self.offers.get(p.offer()) {
            Some(offer) => Some(offer.provider),
            None if CUSTOM_ACTIONS.contains(&p.action()) => self.custom_provider(),
            None => None,
        }
    }
}

/// Expiry choices in days offered on the consent page (docs/protocol.md section 3): 1, 7, 30 (default), 90, 365.
pub const EXPIRY_DAYS: [i64; 5] = [1, 7, 30, 90, 365];

/// The expiry choice selected by default.
pub const DEFAULT_EXPIRY_DAYS: i64 = 30;

/// Parse a submitted expiry choice (`"30"`); anything not in [`EXPIRY_DAYS`] gives `None`.
pub fn parse_expiry_days(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|d| EXPIRY_DAYS.contains(d))
}

#[cfg(test)]
mod tests;
