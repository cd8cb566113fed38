//! `devices` and `device_tokens`: the rich clients a user signed in from, and their tokens. A token
//! row holds only the SHA-256 of the UUID handed to the client.

use super::schema::{device_tokens, devices, users};
use super::user::User;
use super::DbConnection;
use crate::crypto::TokenHash;
use diesel::prelude::*;

/// A device row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// NULL for None (these columns have no default) keeps the statement cacheable as a
// prepared statement; the default would make diesel rebuild and re-prepare it every time.
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = devices, treat_none_as_null = true)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Device {
    /// Primary key (given to the client as `device_id`).
    pub id: i64,
    /// Its owner.
    pub user_id: i64,
    /// The client's own device identifier (`manufacturerId`).
    pub manufacturer_id: String,
    /// E.g. `phone` or `desktop`, as the client says.
    pub device_type: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A device token row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = device_tokens)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct DeviceToken {
    /// Primary key.
    pub id: i64,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Its user.
    pub user_id: i64,
    /// Its device.
    pub device_id: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A device token to insert.
#[derive(Insertable)]
#[diesel(table_name = device_tokens)]
struct NewDeviceToken<'a> {
    id: i64,
    token_hash: &'a str,
    user_id: i64,
    device_id: i64,
    created_at: i64,
    expires_at: i64,
}

/// Take the user's row lock (a no-op update) so that concurrent sign-ins of one user run one after
/// the other: PostgreSQL would otherwise let both delete nothing and both insert. SQLite already
/// serializes writers.
pub fn lock_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::password_changed_at.eq(users::password_changed_at))
        .execute(conn)
}

/// The user's device with this `manufacturer_id`, created if new; a given `device_type` replaces
/// the stored one.
pub fn upsert(
    conn: &mut DbConnection,
    user_id: i64,
    manufacturer_id: &str,
    device_type: Option<&str>,
    now: i64,
) -> QueryResult<Device> {
    let existing: Option<Device> = devices::table
        .filter(devices::user_id.eq(user_id))
        .filter(devices::manufacturer_id.eq(manufacturer_id))
        .select(Device::as_select())
        .get_result(conn)
        .optional()?;
    match existing {
        Some(mut device) => {
            if let Some(kind) = device_type.filter(|k| device.device_type.as_deref() != Some(k)) {
                diesel::update(devices::table.find(device.id))
                    .set(devices::device_type.eq(kind))
                    .execute(conn)?;
                device.device_type = Some(kind.to_string());
            }
            Ok(device)
        }
        None => {
            let device = Device {
                id: super::new_id()?,
                user_id,
                manufacturer_id: manufacturer_id.to_string(),
                device_type: device_type.map(str::to_string),
                created_at: now,
            };
            diesel::insert_into(devices::table)
                .values(&device)
                .execute(conn)?;
            Ok(device)
        }
    }
}

/// Delete every token of the user (`one_per_user`).
pub fn delete_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(device_tokens::table.filter(device_tokens::user_id.eq(user_id))).execute(conn)
}

/// Delete the tokens of one device, and the user's expired ones (`one_per_device`).
pub fn delete_for_device(
    conn: &mut DbConnection,
    user_id: i64,
    device_id: i64,
    now: i64,
) -> QueryResult<usize> {
    diesel::delete(
        device_tokens::table
            .filter(device_tokens::user_id.eq(user_id))
            .filter(
                device_tokens::device_id
                    .eq(device_id)
                    .or(device_tokens::expires_at.le(now)),
            ),
    )
    .execute(conn)
}

/// Store a token by its hash.
pub fn insert_token(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
    user_id: i64,
    device_id: i64,
    now: i64,
    expires_at: i64,
) -> QueryResult<()> {
    diesel::insert_into(device_tokens::table)
        .values(NewDeviceToken {
            id: super::new_id()?,
            token_hash: token_hash.as_str(),
            user_id,
            device_id,
            created_at: now,
            expires_at,
        })
        .execute(conn)
        .map(|_| ())
}

/// An unexpired token with its user (one indexed read).
pub fn find_active(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
    now: i64,
) -> QueryResult<Option<(DeviceToken, User)>> {
    device_tokens::table
        .inner_join(users::table.on(users::id.eq(device_tokens::user_id)))
        .filter(device_tokens::token_hash.eq(token_hash.as_str()))
        .filter(device_tokens::expires_at.gt(now))
        .select((DeviceToken::as_select(), User::as_select()))
        .get_result(conn)
        .optional()
}

/// Delete one unexpired token; the number of rows deleted (0 when unknown or expired).
pub fn delete_active(
    conn: &mut DbConnection,
    token_hash: &TokenHash,
    now: i64,
) -> QueryResult<usize> {
    diesel::delete(
        device_tokens::table
            .filter(device_tokens::token_hash.eq(token_hash.as_str()))
            .filter(device_tokens::expires_at.gt(now)),
    )
    .execute(conn)
}

/// The user's unexpired tokens, newest first.
pub fn active_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
) -> QueryResult<Vec<DeviceToken>> {
    device_tokens::table
        .filter(device_tokens::user_id.eq(user_id))
        .filter(device_tokens::expires_at.gt(now))
        .order(device_tokens::created_at.desc())
        .select(DeviceToken::as_select())
        .load(conn)
}

/// The user's unexpired tokens with their devices, newest first (the account page).
pub fn active_with_devices(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
) -> QueryResult<Vec<(DeviceToken, Device)>> {
    device_tokens::table
        .inner_join(devices::table.on(devices::id.eq(device_tokens::device_id)))
        .filter(device_tokens::user_id.eq(user_id))
        .filter(device_tokens::expires_at.gt(now))
        .order((device_tokens::created_at.desc(), device_tokens::id.desc()))
        .select((DeviceToken::as_select(), Device::as_select()))
        .load(conn)
}

/// Every device of the user (the data download).
pub fn devices_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Device>> {
    devices::table
        .filter(devices::user_id.eq(user_id))
        .order(devices::created_at.asc())
        .select(Device::as_select())
        .load(conn)
}

/// Delete token `id` of `user_id` (someone else's id changes nothing); how many, with its device.
pub fn delete_token_by_id(
    conn: &mut DbConnection,
    user_id: i64,
    id: i64,
) -> QueryResult<Option<Device>> {
    let device: Option<Device> = device_tokens::table
        .inner_join(devices::table.on(devices::id.eq(device_tokens::device_id)))
        .filter(device_tokens::id.eq(id))
        .filter(device_tokens::user_id.eq(user_id))
        .select(Device::as_select())
        .get_result(conn)
        .optional()?;
    if device.is_some() {
        diesel::delete(
            device_tokens::table
                .filter(device_tokens::id.eq(id))
                .filter(device_tokens::user_id.eq(user_id)),
        )
        .execute(conn)?;
    }
    Ok(device)
}
