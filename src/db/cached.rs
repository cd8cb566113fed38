//! Statements diesel would prepare again on every execution, written as query types of their own
//! so that diesel prepares each once per connection and finds it again by type: diesel never caches
//! an UPDATE (its changeset could differ between calls), and `batch_execute` parses its text every
//! time. Only for the hottest writes (a refresh rotation, the group commit's savepoints): the
//! query DSL stays the way to write everything else.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType};
use diesel::QueryResult;

use super::DbConnection;

/// Run `statement` on the concrete connection (through the `MultiConnection` its SQL would be
/// written out again for every execution); the number of rows it changed.
pub(super) fn execute<Q>(conn: &mut DbConnection, statement: Q) -> QueryResult<usize>
where
    Q: ExecuteDsl<diesel::SqliteConnection> + ExecuteDsl<diesel::PgConnection>,
{
    super::on_backend!(conn, |c| ExecuteDsl::execute(statement, c))
}

/// A query type for each fixed statement without parameters.
macro_rules! fixed_statements {
    ($($(#[$doc:meta])* $name:ident => $sql:literal,)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub(super) struct $name;

        impl QueryId for $name {
            type QueryId = $name;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl<DB: Backend> QueryFragment<DB> for $name {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
                out.push_sql($sql);
                Ok(())
            }
        }
    )*};
}

fixed_statements! {
    /// The group writer's savepoint around one change.
    Savepoint => "SAVEPOINT change",
    /// Undo a refused change of the group.
    RollbackTo => "ROLLBACK TO change",
    /// End the change's savepoint (kept or undone).
    Release => "RELEASE change",
}

/// `last_used_at = now` on a family that is not revoked (one row, or none when revoked).
#[derive(Debug, Clone, Copy)]
pub(super) struct TouchFamily {
    pub family_id: i64,
    pub now: i64,
}

/// `consumed_at = now` on a refresh token not yet consumed (one row, or none when it was).
#[derive(Debug, Clone, Copy)]
pub(super) struct ConsumeRefreshToken {
    pub id: i64,
    pub now: i64,
}

/// `UPDATE table SET set = now WHERE id = id AND unless IS NULL` for each statement type.
macro_rules! set_now_where_null {
    ($($name:ident { $id:ident } => $table:literal, $set:literal, $unless:literal;)*) => {$(
        impl QueryId for $name {
            type QueryId = $name;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl<DB> QueryFragment<DB> for $name
        where
            DB: Backend + HasSqlType<BigInt>,
            i64: ToSql<BigInt, DB>,
        {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
                out.push_sql(concat!("UPDATE ", $table, " SET ", $set, " = "));
                out.push_bind_param::<BigInt, _>(&self.now)?;
                out.push_sql(" WHERE id = ");
                out.push_bind_param::<BigInt, _>(&self.$id)?;
                out.push_sql(concat!(" AND ", $unless, " IS NULL"));
                Ok(())
            }
        }
    )*};
}

set_now_where_null! {
    TouchFamily { family_id } => "token_families", "last_used_at", "revoked_at";
    ConsumeRefreshToken { id } => "refresh_tokens", "consumed_at", "consumed_at";
}

/// A refresh rotation on PostgreSQL as ONE statement (see `refresh_token::rotate`): touch the
/// family unless revoked, consume the token unless consumed, insert the new token and the audit
/// event, each step only if the one before changed a row. Answers (touched, consumed) counts.
/// Prepared once per connection: as `sql_query` PostgreSQL parsed and planned it every time.
#[derive(Debug, Clone, Copy)]
pub(super) struct RotatePg<'a> {
    pub now: i64,
    pub family_id: i64,
    pub consumed_id: i64,
    pub new_id: i64,
    pub new_hash: &'a str,
    pub generation: i32,
    pub event_id: i64,
    pub user_id: i64,
    pub application_id: i64,
    pub detail: &'a str,
}

impl QueryId for RotatePg<'_> {
    type QueryId = RotatePg<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for RotatePg<'_> {
    type SqlType = (BigInt, BigInt);
}

impl diesel::RunQueryDsl<diesel::PgConnection> for RotatePg<'_> {}

impl QueryFragment<diesel::pg::Pg> for RotatePg<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Integer, Text};
        out.push_sql("WITH touched AS (UPDATE token_families SET last_used_at = ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.family_id)?;
        out.push_sql(" AND revoked_at IS NULL RETURNING id), ");
        out.push_sql("consumed AS (UPDATE refresh_tokens SET consumed_at = ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.consumed_id)?;
        out.push_sql(" AND consumed_at IS NULL AND EXISTS (SELECT 1 FROM touched) RETURNING id), ");
        out.push_sql(
            "issued AS (INSERT INTO refresh_tokens (id, family_id, token_hash, generation, \
             issued_at) SELECT ",
        );
        out.push_bind_param::<BigInt, _>(&self.new_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.family_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.new_hash)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&self.generation)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(" WHERE EXISTS (SELECT 1 FROM consumed) RETURNING id), ");
        out.push_sql(
            "audited AS (INSERT INTO audit_events (id, at, kind, user_id, application_id, \
             family_id, detail) SELECT ",
        );
        out.push_bind_param::<BigInt, _>(&self.event_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(", 'refresh', ");
        out.push_bind_param::<BigInt, _>(&self.user_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.application_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.family_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.detail)?;
        out.push_sql(" WHERE EXISTS (SELECT 1 FROM issued) RETURNING id) ");
        out.push_sql("SELECT (SELECT count(*) FROM touched), (SELECT count(*) FROM consumed)");
        Ok(())
    }
}

/// The limiter's counts of `keys` whose window runs past `now`, on PostgreSQL (see
/// `limit::Counters::peek`): (key, window end, attempts) rows.
#[derive(Debug, Clone, Copy)]
pub(super) struct PeekCounters<'a> {
    pub keys: &'a Vec<String>,
    pub now: i64,
}

impl QueryId for PeekCounters<'_> {
    type QueryId = PeekCounters<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for PeekCounters<'_> {
    type SqlType = (diesel::sql_types::Text, BigInt, diesel::sql_types::Integer);
}

impl diesel::RunQueryDsl<diesel::PgConnection> for PeekCounters<'_> {}

impl QueryFragment<diesel::pg::Pg> for PeekCounters<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, Text};
        out.push_sql(
            "SELECT counter_key, window_ends, attempts FROM limit_counters WHERE counter_key = ANY(",
        );
        out.push_bind_param::<Array<Text>, _>(self.keys)?;
        out.push_sql(") AND window_ends > ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::refresh_token::{rotate, Rotated, Rotation};
    use super::super::{DbConnection, MIGRATIONS};
    use crate::crypto::TokenHash;
    use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
    use diesel::prelude::*;
    use diesel_migrations::MigrationHarness;
    use std::sync::{Arc, Mutex};

    /// A migrated SQLite file with one family (id 1) and its first refresh token (id 1), and the
    /// SQL of every statement the connection prepares into its cache from now on.
    fn seeded(dir: &tempfile::TempDir) -> (DbConnection, Arc<Mutex<Vec<String>>>) {
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let mut conn = DbConnection::establish(&url).unwrap();
        conn.run_pending_migrations(MIGRATIONS).unwrap();
        conn.batch_execute(
            "INSERT INTO users (id, lid, email, name, password_hash, created_at, \
               password_changed_at) VALUES (1, '0123456789abcdef', 'a@example.com', 'A', 'x', 0, 0);
             INSERT INTO applications (id, appid, name, secret_sealed, created_at) \
               VALUES (1, '0000000000000001', 'App', 's', 0);
             INSERT INTO token_families (id, user_id, application_id, protocol, created_at, \
               last_used_at) VALUES (1, 1, 1, 'oauth', 0, 0);
             INSERT INTO refresh_tokens (id, family_id, token_hash, generation, issued_at) \
               VALUES (1, 1, 'h0', 0, 0);",
        )
        .unwrap();
        let cached = Arc::new(Mutex::new(Vec::new()));
        let seen = cached.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                seen.lock().unwrap().push(sql.to_string());
            }
        });
        (conn, cached)
    }

    fn rotation(consumed_id: i64, new_hash: &TokenHash, generation: i32) -> Rotation<'_> {
        Rotation {
            family_id: 1,
            user_id: 1,
            application_id: 1,
            consumed_id,
            new_hash,
            generation,
            detail: "refreshed Contacts.Read",
            now: 100 + i64::from(generation),
        }
    }

    fn newest_token(conn: &mut DbConnection) -> i64 {
        use super::super::schema::refresh_tokens;
        refresh_tokens::table
            .order(refresh_tokens::generation.desc())
            .select(refresh_tokens::id)
            .first(conn)
            .unwrap()
    }

    #[test]
    fn every_statement_of_a_rotation_is_prepared_once_and_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, cached) = seeded(&dir);
        let (first, second) = (TokenHash::of("first"), TokenHash::of("second"));

        let done = conn.transaction(|c| rotate(c, &rotation(1, &first, 1)));
        assert_eq!(done.unwrap(), Rotated::Done);
        let prepared: Vec<String> = cached.lock().unwrap().drain(..).collect();
        // touch the family, consume the token, insert the new token, insert the audit event
        assert_eq!(prepared.len(), 4, "{prepared:#?}");
        assert!(
            prepared[0].starts_with("UPDATE token_families"),
            "{prepared:#?}"
        );
        assert!(
            prepared[1].starts_with("UPDATE refresh_tokens"),
            "{prepared:#?}"
        );

        let next = newest_token(&mut conn);
        cached.lock().unwrap().clear();
        let done = conn.transaction(|c| rotate(c, &rotation(next, &second, 2)));
        assert_eq!(done.unwrap(), Rotated::Done);
        assert_eq!(*cached.lock().unwrap(), Vec::<String>::new());

        // The cached statements still say what they must: a consumed token is not consumed again,
        // a revoked family is not touched.
        let again = conn.transaction(|c| rotate(c, &rotation(next, &TokenHash::of("x"), 3)));
        assert_eq!(again.unwrap(), Rotated::AlreadyConsumed);
        conn.batch_execute("UPDATE token_families SET revoked_at = 1 WHERE id = 1")
            .unwrap();
        let newest = newest_token(&mut conn);
        let revoked = conn.transaction(|c| rotate(c, &rotation(newest, &TokenHash::of("y"), 3)));
        assert_eq!(revoked.unwrap(), Rotated::FamilyRevoked);
    }
}
