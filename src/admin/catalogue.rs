//! `assent catalogue apply FILE`: idempotent loading of a TOML catalogue file (format in the
//! README), in one transaction. Never deletes: applying the same file again changes nothing.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::AdminError;
use crate::catalogue::BUILTIN_RP;
use crate::crypto::random_token;
use crate::db::{self, provider::ResourceProvider, Db, DbConnection};
use crate::domain::permission::Permission;

/// A catalogue file: `[[provider]]` tables, each with `[[provider.offer]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    /// The providers, in file order.
    #[serde(default, rename = "provider")]
    pub providers: Vec<ProviderEntry>,
}

/// One `[[provider]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderEntry {
    /// Its public id; without it the provider is found by `name` (or created with a new id).
    pub rp_id: Option<String>,
    /// Display name (required to create; changes an existing provider when given).
    pub name: Option<String>,
    /// Owns custom types (false for a new provider when absent; unchanged otherwise).
    pub custom_types: Option<bool>,
    /// Its offers.
    #[serde(default, rename = "offer")]
    pub offers: Vec<OfferEntry>,
}

/// One `[[provider.offer]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferEntry {
    /// e.g. `Contacts`.
    pub name: String,
    /// Its actions.
    pub actions: Vec<ActionEntry>,
}

/// One action of an offer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionEntry {
    /// e.g. `Read`.
    pub name: String,
    /// Shown on the consent page.
    pub description: String,
    /// Can a website obtain it (default true)?
    #[serde(default = "yes")]
    pub grantable: bool,
}

fn yes() -> bool {
    true
}

/// What applying did to one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// It did not exist.
    Created,
    /// It existed and differed.
    Updated,
    /// It was already as the file says.
    Unchanged,
}

/// The output of `catalogue apply`.
#[derive(Debug, Serialize)]
pub struct Applied {
    /// True when anything was written.
    pub changed: bool,
    /// Each provider of the file.
    pub providers: Vec<AppliedProvider>,
}

/// One provider after applying.
#[derive(Debug, Serialize)]
pub struct AppliedProvider {
    /// Public id.
    pub rp_id: String,
    /// Display name.
    pub name: String,
    /// What happened to the provider itself.
    pub status: Change,
    /// The secret of a provider just created (stored only as a hash; printed once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Its offers.
    pub offers: Vec<AppliedOffer>,
}

/// One offer after applying.
#[derive(Debug, Serialize)]
pub struct AppliedOffer {
    /// Offer name.
    pub offer: String,
    /// Created or already there.
    pub status: Change,
    /// Its actions.
    pub actions: Vec<AppliedAction>,
}

/// One action after applying.
#[derive(Debug, Serialize)]
pub struct AppliedAction {
    /// Action name.
    pub action: String,
    /// What happened to it.
    pub status: Change,
}

fn invalid(message: String) -> AdminError {
    AdminError::Invalid(message)
}

/// Parse and check a catalogue file's text; nothing touches storage.
pub fn parse_file(text: &str) -> Result<CatalogueFile, AdminError> {
    let file: CatalogueFile =
        toml::from_str(text).map_err(|e| invalid(format!("catalogue file: {e}")))?;
    let mut offers = BTreeSet::new();
    for p in &file.providers {
        if let Some(rp_id) = &p.rp_id {
            let ok = (1..=64).contains(&rp_id.len())
                && rp_id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !ok {
                return Err(invalid(format!(
                    "rp_id {rp_id:?} must be 1 to 64 letters, digits, '-', '_' or '.'"
                )));
            }
        }
        if p.rp_id.as_deref() == Some(BUILTIN_RP) {
            return Err(invalid(format!("{BUILTIN_RP} is Assent's own provider")));
        }
        match (&p.rp_id, &p.name) {
            (None, None) => return Err(invalid("a provider needs rp_id or name".into())),
            (_, Some(name)) if name.trim().is_empty() => {
                return Err(invalid("a provider's name is empty".into()))
            }
            _ => {}
        }
        for offer in &p.offers {
            if !offers.insert(offer.name.as_str()) {
                return Err(invalid(format!("offer {} appears twice", offer.name)));
            }
            if offer.actions.is_empty() {
                return Err(invalid(format!("offer {} has no actions", offer.name)));
            }
            let mut actions = BTreeSet::new();
            for action in &offer.actions {
                Permission::parse(&format!("{}.{}", offer.name, action.name)).map_err(|_| {
                    invalid(format!(
                        "{}.{}: offer and action names are letters, digits or _ and \
                             start with a letter",
                        offer.name, action.name
                    ))
                })?;
                if !actions.insert(action.name.as_str()) {
                    let (o, a) = (&offer.name, &action.name);
                    return Err(invalid(format!("{o}.{a} appears twice")));
                }
            }
        }
    }
    Ok(file)
}

/// Apply a parsed file in ONE transaction: create missing providers, offers and actions, update
/// what differs, never delete. Applying the same file again changes nothing.
pub fn apply(db: &Db, file: &CatalogueFile, now: i64) -> Result<Applied, AdminError> {
    db.transaction_sync(|conn| {
        let mut existing: HashMap<(String, String), (String, bool)> =
            db::provider::catalogue(conn)?
                .into_iter()
                .map(|r| ((r.offer, r.action), (r.description, r.grantable)))
                .collect();
        let mut providers = Vec::with_capacity(file.providers.len());
        for entry in &file.providers {
            providers.push(apply_provider(conn, entry, &mut existing, now)?);
        }
        let changed = providers.iter().any(|p| {
            p.status != Change::Unchanged
                || p.offers.iter().any(|o| {
                    o.status != Change::Unchanged
                        || o.actions.iter().any(|a| a.status != Change::Unchanged)
                })
        });
        Ok(Applied { changed, providers })
    })
}

fn find_provider(
    conn: &mut DbConnection,
    entry: &ProviderEntry,
) -> Result<Option<ResourceProvider>, AdminError> {
    let found = match (&entry.rp_id, &entry.name) {
        (Some(rp_id), _) => db::provider::find_by_rp_id(conn, rp_id)?,
        (None, Some(name)) => {
            let mut named: Vec<_> = db::provider::list(conn)?
                .into_iter()
                .filter(|rp| rp.name == name.trim())
                .collect();
            if named.len() > 1 {
                return Err(invalid(format!(
                    "several providers are named {name:?}: give its rp_id"
                )));
            }
            named.pop()
        }
        (None, None) => None,
    };
    if found.as_ref().is_some_and(|rp| rp.rp_id == BUILTIN_RP) {
        return Err(invalid(format!("{BUILTIN_RP} is Assent's own provider")));
    }
    Ok(found)
}

fn apply_provider(
    conn: &mut DbConnection,
    entry: &ProviderEntry,
    existing: &mut HashMap<(String, String), (String, bool)>,
    now: i64,
) -> Result<AppliedProvider, AdminError> {
    let name = entry.name.as_deref().map(str::trim);
    let (rp, status, secret) = match find_provider(conn, entry)? {
        Some(mut rp) => {
            let new_name = name.unwrap_or(&rp.name).to_string();
            let custom_types = entry.custom_types.unwrap_or(rp.custom_types);
            let status = if new_name != rp.name || custom_types != rp.custom_types {
                update_provider(conn, rp.id, &new_name, custom_types)?;
                (rp.name, rp.custom_types) = (new_name, custom_types);
                Change::Updated
            } else {
                Change::Unchanged
            };
            (rp, status, None)
        }
        None => {
            let name = name.ok_or_else(|| {
                invalid(format!(
                    "provider {} does not exist: a name is needed to create it",
                    entry.rp_id.as_deref().unwrap_or_default()
                ))
            })?;
            let rp_id = match &entry.rp_id {
                Some(rp_id) => rp_id.clone(),
                None => format!("rp_{}", hex::encode(crate::crypto::random_bytes::<8>()?)),
            };
            let secret = random_token()?;
            let id = db::new_id()?;
            let custom_types = entry.custom_types.unwrap_or(false);
            let hash = crate::crypto::TokenHash::of(&secret);
            db::provider::insert(conn, id, &rp_id, name, &hash, custom_types, now)?;
            let rp = ResourceProvider {
                id,
                rp_id,
                name: name.to_string(),
                secret_hash: hash.as_str().to_string(),
                custom_types,
                created_at: now,
            };
            (rp, Change::Created, Some(secret))
        }
    };
    let mut offers = Vec::with_capacity(entry.offers.len());
    for offer in &entry.offers {
        offers.push(apply_offer(conn, &rp, offer, existing)?);
    }
    Ok(AppliedProvider {
        rp_id: rp.rp_id,
        name: rp.name,
        status,
        secret,
        offers,
    })
}

fn apply_offer(
    conn: &mut DbConnection,
    rp: &ResourceProvider,
    offer: &OfferEntry,
    existing: &mut HashMap<(String, String), (String, bool)>,
) -> Result<AppliedOffer, AdminError> {
    let (offer_id, status) = match db::provider::find_offer(conn, &offer.name)? {
        Some((id, owner)) if owner == rp.id => (id, Change::Unchanged),
        Some(_) => {
            return Err(AdminError::Conflict(format!(
                "offer {} belongs to another resource provider than {}",
                offer.name, rp.rp_id
            )))
        }
        None => (
            db::provider::insert_offer(conn, rp.id, &offer.name)?,
            Change::Created,
        ),
    };
    let mut actions = Vec::with_capacity(offer.actions.len());
    for action in &offer.actions {
        let key = (offer.name.clone(), action.name.clone());
        let wanted = (action.description.clone(), action.grantable);
        let change = match existing.get(&key) {
            Some(found) if *found == wanted => Change::Unchanged,
            Some(_) => Change::Updated,
            None => Change::Created,
        };
        if change != Change::Unchanged {
            let (description, grantable) = (&action.description, action.grantable);
            db::provider::upsert_action(conn, offer_id, &action.name, description, grantable)?;
            existing.insert(key, wanted);
        }
        actions.push(AppliedAction {
            action: action.name.clone(),
            status: change,
        });
    }
    Ok(AppliedOffer {
        offer: offer.name.clone(),
        status,
        actions,
    })
}

/// Set a provider's name and custom-type flag. (Belongs in `db::provider`; kept here until
/// that module grows an update.)
fn update_provider(
    conn: &mut DbConnection,
    id: i64,
    name: &str,
    custom_types: bool,
) -> diesel::QueryResult<()> {
    use crate::db::schema::resource_providers as rp;
    use diesel::prelude::*;
    diesel::update(rp::table.find(id))
        .set((rp::name.eq(name), rp::custom_types.eq(custom_types)))
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match parse_file(text) {
            Err(AdminError::Invalid(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_well_formed_file_parses_with_grantable_defaulting_to_true() {
        let file = parse_file(
            "[[provider]]\nname = \"Files\"\ncustom_types = true\n[[provider.offer]]\n\
             name = \"Files\"\nactions = [{ name = \"Read\", description = \"d\" },\n\
             { name = \"Full\", description = \"f\", grantable = false }]\n",
        )
        .unwrap();
        let p = &file.providers[0];
        assert_eq!((p.rp_id.as_deref(), p.custom_types), (None, Some(true)));
        let grantable: Vec<_> = p.offers[0].actions.iter().map(|a| a.grantable).collect();
        assert_eq!(grantable, [true, false]);
        assert!(parse_file("").unwrap().providers.is_empty());
    }

    #[test]
    fn bad_names_repeats_unknown_keys_and_the_builtin_provider_are_refused() {
        let offer = |name: &str, actions: &str| {
            format!("[[provider]]\nname = \"P\"\n[[provider.offer]]\nname = \"{name}\"\nactions = [{actions}]\n")
        };
        let read = r#"{ name = "Read", description = "d" }"#;
        assert!(refused(&offer("1Bad", read)).contains("1Bad.Read"));
        assert!(
            refused(&offer("Ok", r#"{ name = "Re ad", description = "d" }"#)).contains("Re ad")
        );
        assert!(refused(&offer("Ok", &format!("{read}, {read}"))).contains("appears twice"));
        assert!(refused(&offer("Ok", "")).contains("no actions"));
        let twice = format!("{}{}", offer("Ok", read), offer("Ok", read));
        assert!(refused(&twice).contains("offer Ok appears twice"));
        assert!(refused("[[provider]]\ncustom_types = true\n").contains("rp_id or name"));
        assert!(refused("[[provider]]\nrp_id = \"assent\"\n").contains("Assent's own"));
        assert!(refused("[[provider]]\nrp_id = \"a:b\"\nname = \"x\"\n").contains("rp_id"));
        assert!(refused("[[provider]]\nname = \"  \"\n").contains("empty"));
        assert!(refused("[[provider]]\nname = \"x\"\nsecret = \"s\"\n").contains("secret"));
    }
}
