//! `signing_keys`: Ed25519 keys of delegation tokens. The private half is sealed with the server key,
//! so every instance sharing the database signs and verifies alike.

use super::schema::signing_keys;
use super::DbConnection;
use diesel::prelude::*;

/// A signing-key row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SigningKeyRow {
    /// Primary key.
    pub id: i64,
    /// Key id (JWS header `kid`).
    pub kid: String,
    /// base64url of the 32-byte public key.
    pub public_key: String,
    /// PKCS#8 document sealed with the server key (context `signing-key`).
    pub private_sealed: String,
    /// Unix seconds.
    pub created_at: i64,
    /// When a newer key became current.
    pub retired_at: Option<i64>,
}

/// A key to insert (current, so not retired).
#[derive(Insertable)]
#[diesel(table_name = signing_keys)]
struct NewSigningKey<'a> {
    id: i64,
    kid: &'a str,
    public_key: &'a str,
    private_sealed: &'a str,
    created_at: i64,
}

/// Make a new key current and retire the previous current one, at `now`. Call in a transaction.
pub fn rotate(
    conn: &mut DbConnection,
    kid: &str,
    public_key: &str,
    private_sealed: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::update(signing_keys::table.filter(signing_keys::retired_at.is_null()))
        .set(signing_keys::retired_at.eq(now))
        .execute(conn)?;
    diesel::insert_into(signing_keys::table)
        .values(NewSigningKey {
            id: super::new_id()?,
            kid,
            public_key,
            private_sealed,
            created_at: now,
        })
        .execute(conn)
        .map(|_| ())
}

/// The current key (not retired), if any.
pub fn current(conn: &mut DbConnection) -> QueryResult<Option<SigningKeyRow>> {
    signing_keys::table
        .filter(signing_keys::retired_at.is_null())
        .order(signing_keys::created_at.desc())
        .select(SigningKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Keys whose tokens may still be valid: the current one and those retired after `retired_after`.
pub fn still_needed(
    conn: &mut DbConnection,
    retired_after: i64,
) -> QueryResult<Vec<SigningKeyRow>> {
    signing_keys::table
        .filter(
            signing_keys::retired_at
                .is_null()
                .or(signing_keys::retired_at.gt(retired_after)),
        )
        .order(signing_keys::created_at.desc())
        .select(SigningKeyRow::as_select())
        .load(conn)
}

/// Is `kid` the current key or one retired after `retired_after` (one indexed read)?
pub fn is_needed(conn: &mut DbConnection, kid: &str, retired_after: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        signing_keys::table
            .filter(signing_keys::kid.eq(kid))
            .filter(
                signing_keys::retired_at
                    .is_null()
                    .or(signing_keys::retired_at.gt(retired_after)),
            ),
    ))
    .get_result(conn)
}
