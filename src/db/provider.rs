//! `resource_providers`, `offers`, `offer_actions`: the permission catalogue.

use super::schema::{offer_actions, offers, resource_providers};
use super::DbConnection;
use crate::crypto::TokenHash;
use diesel::prelude::*;

/// A resource-provider row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resource_providers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ResourceProvider {
    /// Primary key.
    pub id: i64,
    /// Public identifier (HTTP Basic user name).
    pub rp_id: String,
    /// Display name.
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub secret_hash: String,
    /// Owns `<Type>.Read|Write|Full` for any unregistered type.
    pub custom_types: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// One action of an offer, joined with its offer and provider.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = offer_actions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CatalogueRow {
    /// Offer name, e.g. `Contacts`.
    #[diesel(select_expression = offers::name)]
    pub offer: String,
    /// Action, e.g. `Read`.
    pub action: String,
    /// Human description.
    pub description: String,
    /// Can a website obtain it at all?
    pub grantable: bool,
    /// Owning provider's primary key.
    #[diesel(select_expression = offers::provider_id)]
    pub provider_id: i64,
}

/// A provider to insert.
#[derive(Insertable)]
#[diesel(table_name = resource_providers)]
struct NewResourceProvider<'a> {
    id: i64,
    rp_id: &'a str,
    name: &'a str,
    secret_hash: &'a str,
    custom_types: bool,
    created_at: i64,
}

/// An offer's action to insert.
#[derive(Insertable)]
#[diesel(table_name = offer_actions)]
struct NewOfferAction<'a> {
    offer_id: i64,
    action: &'a str,
    description: &'a str,
    grantable: bool,
}

/// Insert a provider.
pub fn insert(
    conn: &mut DbConnection,
    id: i64,
    rp_id: &str,
    name: &str,
    secret_hash: &TokenHash,
    custom_types: bool,
    now: i64,
) -> QueryResult<()> {
    diesel::insert_into(resource_providers::table)
        .values(NewResourceProvider {
            id,
            rp_id,
            name,
            secret_hash: secret_hash.as_str(),
            custom_types,
            created_at: now,
        })
        .execute(conn)
        .map(|_| ())
}

/// Find a provider by its public id.
pub fn find_by_rp_id(
    conn: &mut DbConnection,
    rp_id: &str,
) -> QueryResult<Option<ResourceProvider>> {
    resource_providers::table
        .filter(resource_providers::rp_id.eq(rp_id))
        .select(ResourceProvider::as_select())
        .get_result(conn)
        .optional()
}

/// Every provider.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<ResourceProvider>> {
    resource_providers::table
        .order(resource_providers::created_at.asc())
        .select(ResourceProvider::as_select())
        .load(conn)
}

/// The offer's id and owner, if it exists.
pub fn find_offer(conn: &mut DbConnection, name: &str) -> QueryResult<Option<(i64, i64)>> {
    offers::table
        .filter(offers::name.eq(name))
        .select((offers::id, offers::provider_id))
        .get_result(conn)
        .optional()
}

/// Create an offer owned by `provider_id`; returns its id.
pub fn insert_offer(conn: &mut DbConnection, provider_id: i64, name: &str) -> QueryResult<i64> {
    let id = super::new_id()?;
    diesel::insert_into(offers::table)
        .values((
            offers::id.eq(id),
            offers::provider_id.eq(provider_id),
            offers::name.eq(name),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Create or update one action of an offer (idempotent).
pub fn upsert_action(
    conn: &mut DbConnection,
    offer_id: i64,
    action: &str,
    description: &str,
    grantable: bool,
) -> QueryResult<()> {
    let updated = diesel::update(
        offer_actions::table
            .filter(offer_actions::offer_id.eq(offer_id))
            .filter(offer_actions::action.eq(action)),
    )
    .set((
        offer_actions::description.eq(description),
        offer_actions::grantable.eq(grantable),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(offer_actions::table)
            .values(NewOfferAction {
                offer_id,
                action,
                description,
                grantable,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The whole catalogue, one row per action.
pub fn catalogue(conn: &mut DbConnection) -> QueryResult<Vec<CatalogueRow>> {
    offer_actions::table
        .inner_join(offers::table)
        .select(CatalogueRow::as_select())
        .order((offers::name.asc(), offer_actions::action.asc()))
        .load(conn)
}

/// Every offer with the public id of its provider (the catalogue is small: tens of offers).
pub fn all_offer_owners(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    offers::table
        .inner_join(resource_providers::table)
        .select((offers::name, resource_providers::rp_id))
        .load(conn)
}

/// The public id of the provider that owns custom types (the first registered), if any.
pub fn custom_type_owner(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    let ids: Vec<String> = resource_providers::table
        .filter(resource_providers::custom_types.eq(true))
        .order(resource_providers::created_at.asc())
        .select(resource_providers::rp_id)
        .load(conn)?;
    Ok(ids.into_iter().next())
}
