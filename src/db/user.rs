//! `users`: accounts with their location id (`lid`) and argon2id password hash.

use super::schema::users;
use super::DbConnection;
use diesel::prelude::*;

/// A user row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct User {
    /// Primary key.
    pub id: i64,
    /// Location id: 16 lower-case hex digits, the same for every app.
    pub lid: String,
    /// Lower-cased email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub password_changed_at: i64,
    /// When the address was verified (a link sent to it was opened); `None`: not verified.
    pub email_verified_at: Option<i64>,
    /// The time zone the user chose for dates (an IANA name, checked before it was stored);
    /// `None`: the browser's.
    pub time_zone: Option<String>,
}

impl User {
    /// Has the user shown that the address is theirs?
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// Primary key.
    pub id: i64,
    /// Location id.
    pub lid: &'a str,
    /// Lower-cased email.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub password_changed_at: i64,
    /// When the address was verified, if it is (the demo user, an operator's `user create`).
    pub email_verified_at: Option<i64>,
}

/// Insert a user; a taken email is a `UniqueViolation`.
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Insert a user unless the email (or id) is taken, also by a transaction running at the same
/// time; returns whether it was inserted.
pub fn insert_if_new(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<bool> {
    super::on_backend!(conn, |c| diesel::insert_into(users::table)
        .values(new)
        .on_conflict_do_nothing()
        .execute(c)
        .map(|n| n > 0))
}

/// Find by (lower-cased) email.
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

/// Find by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

/// Find by location id.
pub fn find_by_lid(conn: &mut DbConnection, lid: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::lid.eq(lid))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

/// Replace the password hash.
pub fn set_password(conn: &mut DbConnection, id: i64, hash: &str, now: i64) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Record that `id` showed `email` is theirs (a link sent to it was opened), unless the account
/// changed its address since or was verified already. Returns whether the row changed.
pub fn mark_verified(conn: &mut DbConnection, id: i64, email: &str, now: i64) -> QueryResult<bool> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email.eq(email))
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}

/// Change the display name.
pub fn set_name(conn: &mut DbConnection, id: i64, name: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::name.eq(name))
        .execute(conn)
}

/// Set (or with `None` clear) the time zone dates are shown in.
pub fn set_time_zone(conn: &mut DbConnection, id: i64, zone: Option<&str>) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::time_zone.eq(zone))
        .execute(conn)
}

/// Delete the user; every row that belongs to them goes with it (`ON DELETE CASCADE`: sessions,
/// grants and their families and refresh tokens, codes, devices and their tokens, history).
pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}
