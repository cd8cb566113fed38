//! The one migrations tree on both backends: every migration runs up on a fresh database, down, and
//! up again; what it makes is exactly what `db/schema.rs` declares (tables, columns in order, their
//! types and nullability, primary keys). SQLite always; PostgreSQL when ASSENT_TEST_DATABASE_URL
//! names a server.

use std::collections::BTreeMap;

use assent::db::schema;
use assent::db::MIGRATIONS;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};
use diesel::sqlite::Sqlite;
use diesel_migrations::MigrationHarness;

use crate::helpers::TestDb;

/// The version databases made before the trees were merged recorded (the directory name's
/// leading timestamp): it must stay, or those databases would run the initial migration again.
const INITIAL_VERSION: &str = "20261123000001";

/// One column: name, SQL type (lower case, as the migration spells it), NOT NULL.
type Column = (String, String, bool);

/// One table: its columns in order and its primary-key columns in order.
#[derive(Debug, PartialEq, Eq)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
}

/// Every table by name.
type Tables = BTreeMap<String, Table>;

/// The last `::` segment of a path, e.g. a column's name from its type's name.
fn last_segment(path: &str) -> String {
    path.rsplit("::").next().unwrap_or(path).to_string()
}

/// The items of a tuple's type name, `(A, B)` or a single `A`.
fn tuple_items(type_name: &str) -> Vec<&str> {
    let inner = type_name
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(type_name);
    inner
        .split(", ")
        .map(|item| item.trim_end_matches(','))
        .filter(|item| !item.is_empty())
        .collect()
}

/// A diesel SQL type's name as the migration writes it, and whether it is NOT NULL.
fn sql_type(diesel_type: &str) -> (String, bool) {
    let nullable = diesel_type.contains("Nullable<");
    let base = last_segment(diesel_type.trim_end_matches('>'));
    let spelled = match base.as_str() {
        "BigInt" => "bigint",
        "Text" => "text",
        "Bool" => "boolean",
        "Integer" => "integer",
        other => panic!("schema.rs uses {other}; teach this test how the migration spells it"),
    };
    (spelled.to_string(), !nullable)
}

/// What `diesel::table!` declares for a table: column names from the SQL of `SELECT all_columns`,
/// their types from the table's `SqlType` tuple, the key from its `PrimaryKey` type.
fn declared<Q>(select_all: Q, sql_types: &str, primary_key: &str) -> (String, Table)
where
    Q: diesel::query_builder::QueryFragment<Sqlite>,
{
    let sql = diesel::debug_query::<Sqlite, _>(&select_all).to_string();
    let list = sql
        .strip_prefix("SELECT ")
        .and_then(|s| s.split(" FROM ").next())
        .expect("SELECT ... FROM");
    let mut name = String::new();
    let names: Vec<String> = list
        .split(", ")
        .map(|qualified| {
            let (t, c) = qualified.split_once('.').expect("table.column");
            name = t.trim_matches('`').to_string();
            c.trim_matches('`').to_string()
        })
        .collect();
    let types = tuple_items(sql_types);
    assert_eq!(names.len(), types.len(), "{name}: names and types");
    let columns = names
        .into_iter()
        .zip(types)
        .map(|(column, ty)| {
            let (ty, not_null) = sql_type(ty);
            (column, ty, not_null)
        })
        .collect();
    let primary_key = tuple_items(primary_key)
        .into_iter()
        .map(last_segment)
        .collect();
    (
        name,
        Table {
            columns,
            primary_key,
        },
    )
}

/// Every table `db/schema.rs` declares, keyed by name.
fn schema_rs() -> Tables {
    macro_rules! tables {
        ($($t:ident),* $(,)?) => {
            [$(declared(
                schema::$t::table.select(schema::$t::all_columns),
                std::any::type_name::<schema::$t::SqlType>(),
                std::any::type_name::<<schema::$t::table as diesel::Table>::PrimaryKey>(),
            )),*]
            .into_iter()
            .collect()
        };
    }
    // Every table of schema.rs; a table missing here shows as an extra table in the database.
    tables![
        meta,
        users,
        sessions,
        applications,
        app_return_urls,
        resource_providers,
        offers,
        offer_actions,
        token_families,
        grants,
        refresh_tokens,
        authorization_codes,
        devices,
        device_tokens,
        signing_keys,
        audit_events,
        decided_consents,
        limit_counters,
        email_tokens,
    ]
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    /// 1-based position in the primary key, 0 when not part of it.
    #[diesel(sql_type = Integer)]
    key_position: i32,
}

/// The catalogue queries of one backend: its tables, and one table's columns in order.
trait Catalogue: Connection {
    fn table_names(&mut self) -> Vec<String>;
    fn columns(&mut self, table: &str) -> Vec<ColumnInfo>;

    /// Every table in the database but diesel's own.
    fn tables(&mut self) -> Tables {
        self.table_names()
            .into_iter()
            .map(|name| {
                let info = self.columns(&name);
                let mut key: Vec<(i32, String)> = info
                    .iter()
                    .filter(|c| c.key_position > 0)
                    .map(|c| (c.key_position, c.name.clone()))
                    .collect();
                key.sort();
                let table = Table {
                    columns: info
                        .into_iter()
                        .map(|c| (c.name, c.ty.to_lowercase(), c.not_null))
                        .collect(),
                    primary_key: key.into_iter().map(|(_, c)| c).collect(),
                };
                (name, table)
            })
            .collect()
    }
}

impl Catalogue for SqliteConnection {
    fn table_names(&mut self) -> Vec<String> {
        diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
        )
        .load::<Name>(self)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
    }

    fn columns(&mut self, table: &str) -> Vec<ColumnInfo> {
        diesel::sql_query(
            "SELECT name, type AS ty, \"notnull\" AS not_null, pk AS key_position \
             FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind::<Text, _>(table)
        .load(self)
        .unwrap()
    }
}

impl Catalogue for PgConnection {
    fn table_names(&mut self) -> Vec<String> {
        diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '__diesel_schema_migrations'",
        )
        .load::<Name>(self)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
    }

    fn columns(&mut self, table: &str) -> Vec<ColumnInfo> {
        diesel::sql_query(
            "SELECT c.column_name::text AS name, c.data_type::text AS ty, \
                    (c.is_nullable = 'NO') AS not_null, \
                    COALESCE(( \
                        SELECT k.ordinal_position::int \
                        FROM information_schema.table_constraints t \
                        JOIN information_schema.key_column_usage k \
                          ON k.constraint_name = t.constraint_name \
                         AND k.table_schema = t.table_schema \
                         AND k.table_name = t.table_name \
                        WHERE t.constraint_type = 'PRIMARY KEY' \
                          AND t.table_schema = c.table_schema \
                          AND t.table_name = c.table_name \
                          AND k.column_name = c.column_name), 0) AS key_position \
             FROM information_schema.columns c \
             WHERE c.table_schema = current_schema() AND c.table_name = $1 \
             ORDER BY c.ordinal_position",
        )
        .bind::<Text, _>(table)
        .load(self)
        .unwrap()
    }
}

/// Up on a fresh database, compare with schema.rs, down to nothing, up again, compare again.
fn up_down_up<C>(conn: &mut C, backend: &str)
where
    C: Catalogue + MigrationHarness<<C as Connection>::Backend>,
{
    let all = MigrationSource::<<C as Connection>::Backend>::migrations(&MIGRATIONS).unwrap();
    assert!(conn.tables().is_empty(), "{backend}: the database is fresh");

    let ran = conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(ran.len(), all.len(), "{backend}: every migration ran up");
    let applied: Vec<String> = conn
        .applied_migrations()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        applied.iter().any(|v| v == INITIAL_VERSION),
        "{backend}: the initial migration keeps its version, got {applied:?}"
    );
    assert_eq!(conn.tables(), schema_rs(), "{backend}: schema.rs after up");

    // Every migration has a down.sql that undoes it completely.
    let reverted = conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert_eq!(
        reverted.len(),
        all.len(),
        "{backend}: every migration ran down"
    );
    assert!(
        conn.tables().is_empty(),
        "{backend}: down left {:?}",
        conn.tables().keys().collect::<Vec<_>>()
    );
    assert!(conn.applied_migrations().unwrap().is_empty());

    let again = conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(
        again.len(),
        all.len(),
        "{backend}: every migration ran up again"
    );
    assert_eq!(
        conn.tables(),
        schema_rs(),
        "{backend}: schema.rs after up again"
    );
    assert!(!conn.has_pending_migration(MIGRATIONS).unwrap());
}

#[test]
fn every_migration_runs_up_down_and_up_again_on_sqlite_and_matches_schema_rs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("migrations.db");
    let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
    // As in production: with foreign keys enforced, down.sql must drop in dependency order.
    diesel::sql_query("PRAGMA foreign_keys = ON")
        .execute(&mut conn)
        .unwrap();
    up_down_up(&mut conn, "SQLite");
}

#[test]
fn every_migration_runs_up_down_and_up_again_on_postgres_and_matches_schema_rs() {
    let db = TestDb::new();
    if !db.is_postgres() {
        // ASSENT_TEST_DATABASE_URL is not set: there is no PostgreSQL server to run on.
        return;
    }
    let mut conn = PgConnection::establish(&db.url).unwrap();
    up_down_up(&mut conn, "PostgreSQL");
    drop(conn);
}

#[test]
fn the_schema_rs_reader_sees_every_column_of_a_table() {
    let users = schema_rs().remove("users").unwrap();
    assert_eq!(users.primary_key, ["id"]);
    assert_eq!(users.columns.len(), 9);
    assert_eq!(users.columns[0], ("id".into(), "bigint".into(), true));
    let apps = schema_rs().remove("applications").unwrap();
    assert!(apps
        .columns
        .contains(&("privacy_url".into(), "text".into(), false)));
    let urls = schema_rs().remove("app_return_urls").unwrap();
    assert_eq!(urls.primary_key, ["application_id", "position"]);
}

#[test]
fn a_column_the_migration_adds_but_schema_rs_lacks_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drift.db");
    let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    diesel::sql_query("ALTER TABLE grants ADD COLUMN note TEXT")
        .execute(&mut conn)
        .unwrap();
    let found = conn.tables();
    assert_ne!(found, schema_rs());
    let grants = &found["grants"].columns;
    assert_eq!(
        grants.last().unwrap(),
        &("note".into(), "text".into(), false)
    );
}
