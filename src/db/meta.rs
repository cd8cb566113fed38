//! `meta`: facts about this installation (e.g. the server-key check value).

use super::schema::meta;
use super::DbConnection;
use diesel::prelude::*;

/// Read a value.
pub fn get(conn: &mut DbConnection, name: &str) -> QueryResult<Option<String>> {
    meta::table
        .filter(meta::name.eq(name))
        .select(meta::value)
        .get_result(conn)
        .optional()
}

/// Insert a value (fails if it exists).
pub fn insert(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<()> {
    diesel::insert_into(meta::table)
        .values((meta::name.eq(name), meta::value.eq(value)))
        .execute(conn)
        .map(|_| ())
}
