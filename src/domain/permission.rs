//! Permissions (`Offer.Action`), requested permission lists (`ps`, OAuth `scope`), the permission
//! catalogue and the consent page's expiry choices (PROTOCOL.md sections 3 and 6).

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

    /// True when holding `self` allows `wanted`: equal, or self is `<Offer>.Full` and wanted has the same offer.
    pub fn implies(&self, wanted: &Permission) -> bool {
        self == wanted || (self.is_full() && self.offer == wanted.offer)
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

/// True when any of `held` implies `wanted`.
pub fn allows(held: &[Permission], wanted: &Permission) -> bool {
    held.iter().any(|h| h.implies(wanted))
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
        let provider = self
            .custom_provider()
            .ok_or_else(|| PermissionError::UnknownOffer(p.to_string()))?;
        let verb = match p.action() {
            "Read" => "Read your",
            "Write" => "Change your",
            "Full" => "Full access to your",
            _ => return Err(PermissionError::UnknownAction(p.to_string())),
        };
        Ok(resolved(format!("{verb} {} items", p.offer()), provider))
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

/// Expiry choices in days offered on the consent page (PROTOCOL.md section 3): 1, 7, 30 (default), 90, 365.
pub const EXPIRY_DAYS: [i64; 5] = [1, 7, 30, 90, 365];

/// The expiry choice selected by default.
pub const DEFAULT_EXPIRY_DAYS: i64 = 30;

/// Parse a submitted expiry choice (`"30"`); anything not in [`EXPIRY_DAYS`] gives `None`.
pub fn parse_expiry_days(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|d| EXPIRY_DAYS.contains(d))
}

/// Label for an expiry choice: `1 day`, `7 days`, `30 days`, `90 days`, `1 year`.
pub fn expiry_label(days: i64) -> String {
    match days {
        1 => "1 day".to_owned(),
        365 => "1 year".to_owned(),
        n => format!("{n} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::PermissionError::*;
    use super::*;

    fn p(s: &str) -> Permission {
        Permission::parse(s).unwrap()
    }

    fn list(s: &str) -> PermissionList {
        PermissionList::parse_ps(s).unwrap()
    }

    fn catalogue() -> Catalogue {
        let mut c = Catalogue::new();
        for (action, grantable) in [("Read", true), ("Write", true), ("Full", true)] {
            c.add(
                "Contacts",
                action,
                &format!("{action} contacts"),
                grantable,
                7,
            );
        }
        c.add("Profiles", "Read", "Read your profile", true, 1);
        c.add("Profiles", "Write", "Change your profile", false, 1);
        c
    }

    /// Resolve `ps` against `c`, giving (permission, description, provider) rows.
    fn resolve(c: &Catalogue, ps: &str) -> Result<Vec<(String, String, i64)>, PermissionError> {
        let rows = c.resolve(&list(ps))?.into_iter();
        Ok(rows
            .map(|r| (r.permission.to_string(), r.description, r.provider))
            .collect())
    }

    fn row(p: &str, d: &str, provider: i64) -> (String, String, i64) {
        (p.to_owned(), d.to_owned(), provider)
    }

    #[test]
    fn a_well_formed_permission_parses_and_displays_the_same() {
        let perm = p("  Contacts.Read\t");
        assert_eq!((perm.offer(), perm.action()), ("Contacts", "Read"));
        assert_eq!(String::from(perm.clone()), "Contacts.Read");
        assert_eq!(
            Permission::try_from("My_T2.Full".to_owned()),
            Ok(p("My_T2.Full"))
        );
        assert!(p("A.Full").is_full() && !perm.is_full());
        assert!(Permission::parse(&format!("{}.Read", "A".repeat(64))).is_ok());
    }

    #[test]
    fn malformed_permissions_are_refused() {
        let long = format!("{}.Read", "A".repeat(65));
        let bad = "Contacts|Contacts.Read.Write|.Read|Contacts.||Con tacts.Read|Contacts. Read|\
                   Contäcts.Read|1Contacts.Read|Contacts.1|_A.Read|Contacts.Read!";
        for bad in bad.split('|').chain([long.as_str()]) {
            assert_eq!(
                Permission::parse(bad),
                Err(Malformed(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn ps_ignores_spaces_and_drops_duplicates_keeping_order() {
        let l = list(" News.Write , Contacts.Read,News.Write,Contacts.Read ");
        assert_eq!(l.len(), 2);
        assert_eq!(l.into_vec(), vec![p("News.Write"), p("Contacts.Read")]);
    }

    #[test]
    fn ps_with_an_empty_entry_or_nothing_is_refused() {
        let err = |s| PermissionList::parse_ps(s).unwrap_err();
        assert_eq!(err("A.Read,,B.Read"), Malformed(String::new()));
        assert_eq!(err("A.Read,"), Malformed(String::new()));
        assert_eq!((err(""), err("  ")), (Empty, Empty));
        assert_eq!(err("A.Read;B.Read"), Malformed("A.Read;B.Read".into()));
    }

    #[test]
    fn ps_with_too_many_entries_or_characters_is_refused() {
        let many: Vec<String> = (0..65).map(|i| format!("O{i}.Read")).collect();
        assert_eq!(PermissionList::parse_ps(&many.join(",")), Err(TooMany));
        assert_eq!(list(&many[..64].join(",")).len(), 64);
        let long = format!("A.Read{}", " ".repeat(4096));
        assert_eq!(PermissionList::parse_ps(&long), Err(TooMany));
    }

    #[test]
    fn scope_is_space_separated() {
        let l = PermissionList::parse_scope("Contacts.Read  Profiles.Read Contacts.Read").unwrap();
        let got: Vec<_> = l.iter().cloned().collect();
        assert_eq!(got, vec![p("Contacts.Read"), p("Profiles.Read")]);
        assert_eq!(PermissionList::parse_scope(" "), Err(Empty));
        assert!(PermissionList::parse_scope("Contacts.Read,Profiles.Read").is_err());
    }

    #[test]
    fn from_vec_drops_duplicates() {
        let l = PermissionList::from_vec(vec![p("A.Read"), p("A.Read"), p("B.Read")]);
        assert_eq!(l.len(), 2);
        assert!(PermissionList::from_vec(vec![]).is_empty());
    }

    #[test]
    fn full_implies_actions_of_its_own_offer_only() {
        let full = p("Contacts.Full");
        assert!(full.implies(&p("Contacts.Read")) && full.implies(&p("Contacts.View")));
        assert!(!full.implies(&p("News.Read")));
        assert!(!p("Contacts.Read").implies(&p("Contacts.Write")));
        assert!(!p("Contacts.Read").implies(&p("Contacts.Full")));
        assert!(!p("contacts.Full").implies(&p("Contacts.Read")));
        assert!(allows(&[p("News.Read"), full], &p("Contacts.Write")));
        assert!(!allows(&[p("News.Read")], &p("News.Write")));
    }

    #[test]
    fn resolve_gives_descriptions_in_request_order() {
        let got = resolve(&catalogue(), "Profiles.Read,Contacts.Write").unwrap();
        let want = [
            row("Profiles.Read", "Read your profile", 1),
            row("Contacts.Write", "Write contacts", 7),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn resolve_names_an_unknown_offer() {
        let err = resolve(&catalogue(), "Contacts.Read,Music.Read").unwrap_err();
        assert_eq!(err, UnknownOffer("Music.Read".into()));
        assert!(err.to_string().contains("Music.Read"));
    }

    #[test]
    fn resolve_names_an_unknown_action() {
        let err = resolve(&catalogue(), "Contacts.Fly");
        assert_eq!(err, Err(UnknownAction("Contacts.Fly".into())));
        assert_eq!(
            resolve(&catalogue(), "contacts.Read"),
            Err(UnknownOffer("contacts.Read".into()))
        );
    }

    #[test]
    fn resolve_refuses_a_non_grantable_action_naming_it() {
        let err = resolve(&catalogue(), "Profiles.Read,Profiles.Write").unwrap_err();
        assert_eq!(err, NotGrantable("Profiles.Write".into()));
        let msg = "the permission Profiles.Write can not be granted to websites";
        assert_eq!(err.to_string(), msg);
    }

    #[test]
    fn custom_types_need_a_custom_type_provider_and_a_standard_action() {
        let mut c = catalogue();
        assert_eq!(
            resolve(&c, "Music.Write"),
            Err(UnknownOffer("Music.Write".into()))
        );
        c.add_custom_type_provider(9, "Files");
        c.add_custom_type_provider(10, "Other");
        let got = resolve(&c, "Music.Write,Photos.Full,Music.Read").unwrap();
        let want = [
            row("Music.Write", "Change your Music items", 9),
            row("Photos.Full", "Full access to your Photos items", 9),
            row("Music.Read", "Read your Music items", 9),
        ];
        assert_eq!(got, want);
        assert_eq!(
            resolve(&c, "Music.Fly"),
            Err(UnknownAction("Music.Fly".into()))
        );
        assert_eq!(
            resolve(&c, "Contacts.Fly"),
            Err(UnknownAction("Contacts.Fly".into()))
        );
        assert_eq!(
            resolve(&c, "Profiles.Write"),
            Err(NotGrantable("Profiles.Write".into()))
        );
    }

    #[test]
    fn owner_covers_registered_offers_and_custom_types() {
        let mut c = catalogue();
        assert_eq!(c.owner(&p("Contacts.Read")), Some(7));
        assert_eq!(c.owner(&p("Profiles.Write")), Some(1));
        assert_eq!(c.owner(&p("Music.Read")), None);
        c.add_custom_type_provider(9, "Files");
        assert_eq!(c.owner(&p("Music.Read")), Some(9));
        assert_eq!(c.owner(&p("Music.Fly")), None);
        assert_eq!(c.owner(&p("Contacts.Fly")), Some(7));
    }

    #[test]
    fn expiry_choices_parse_and_have_labels() {
        assert_eq!(
            (parse_expiry_days("30"), parse_expiry_days(" 365 ")),
            (Some(30), Some(365))
        );
        for bad in ["", "0", "2", "-1", "30d", "1e3", "99999999999999999999"] {
            assert_eq!(parse_expiry_days(bad), None, "{bad}");
        }
        assert!(EXPIRY_DAYS.contains(&DEFAULT_EXPIRY_DAYS));
        let labels: Vec<_> = EXPIRY_DAYS.iter().map(|d| expiry_label(*d)).collect();
        assert_eq!(labels, ["1 day", "7 days", "30 days", "90 days", "1 year"]);
    }
}
