//! `applications` and `app_return_urls`: registered websites with their sealed secrets.

use super::schema::{app_return_urls, applications};
use super::DbConnection;
use diesel::prelude::*;

/// An application row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Application {
    /// Primary key.
    pub id: i64,
    /// 16 upper-case hex digits; also the OAuth `client_id`.
    pub appid: String,
    /// Display name.
    pub name: String,
    /// The secret, sealed with the server key (context `app-secret`).
    pub secret_sealed: String,
    /// The previous secret during a rollover.
    pub old_secret_sealed: Option<String>,
    /// Until when the previous secret stays valid (Unix seconds).
    pub old_secret_expires_at: Option<i64>,
    /// Privacy-policy URL.
    pub privacy_url: Option<String>,
    /// OAuth public client (no secret; PKCE required).
    pub is_public: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// An application to insert.
#[derive(Debug, Insertable)]
// NULL for None (these columns have no default) keeps the statement cacheable as a
// prepared statement; the default would make diesel rebuild and re-prepare it every time.
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = applications)]
pub struct NewApplication<'a> {
    /// Primary key.
    pub id: i64,
    /// 16 upper-case hex digits.
    pub appid: &'a str,
    /// Display name.
    pub name: &'a str,
    /// The sealed secret.
    pub secret_sealed: &'a str,
    /// Privacy-policy URL.
    pub privacy_url: Option<&'a str>,
    /// OAuth public client.
    pub is_public: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// Insert an application with its return URLs (the first is the default). Call inside a transaction.
pub fn insert(
    conn: &mut DbConnection,
    new: &NewApplication<'_>,
    return_urls: &[String],
) -> QueryResult<()> {
    diesel::insert_into(applications::table)
        .values(new)
        .execute(conn)?;
    insert_return_urls(conn, new.id, return_urls)
}

fn insert_return_urls(
    conn: &mut DbConnection,
    application_id: i64,
    urls: &[String],
) -> QueryResult<()> {
    for (position, url) in urls.iter().enumerate() {
        diesel::insert_into(app_return_urls::table)
            .values((
                app_return_urls::application_id.eq(application_id),
                app_return_urls::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                app_return_urls::url.eq(url),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Find by `appid` (exact, upper-case).
pub fn find_by_appid(conn: &mut DbConnection, appid: &str) -> QueryResult<Option<Application>> {
    applications::table
        .filter(applications::appid.eq(appid))
        .select(Application::as_select())
        .get_result(conn)
        .optional()
}

/// Find by primary key.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Application>> {
    applications::table
        .find(id)
        .select(Application::as_select())
        .get_result(conn)
        .optional()
}

/// Every application, oldest first.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Application>> {
    applications::table
        .order((applications::created_at.asc(), applications::appid.asc()))
        .select(Application::as_select())
        .load(conn)
}

/// An application by `appid` with its registered return URLs (default first), in one read.
pub fn find_with_return_urls(
    conn: &mut DbConnection,
    appid: &str,
) -> QueryResult<Option<(Application, Vec<String>)>> {
    let rows: Vec<(Application, Option<String>)> = super::on_backend!(conn, |c| {
        applications::table
            .left_join(app_return_urls::table)
            .filter(applications::appid.eq(appid))
            .order(app_return_urls::position.asc())
            .select((Application::as_select(), app_return_urls::url.nullable()))
            .load(c)
    })?;
    let mut rows = rows.into_iter();
    Ok(rows.next().map(|(app, first)| {
        let urls = first
            .into_iter()
            .chain(rows.filter_map(|(_, u)| u))
            .collect();
        (app, urls)
    }))
}

/// The registered return URLs, default first.
pub fn return_urls(conn: &mut DbConnection, application_id: i64) -> QueryResult<Vec<String>> {
    app_return_urls::table
        .filter(app_return_urls::application_id.eq(application_id))
        .order(app_return_urls::position.asc())
        .select(app_return_urls::url)
        .load(conn)
}

/// The default return URL (position 0) of each of `application_ids`, in one read.
pub fn default_return_urls(
    conn: &mut DbConnection,
    application_ids: &[i64],
) -> QueryResult<Vec<(i64, String)>> {
    app_return_urls::table
        .filter(app_return_urls::application_id.eq_any(application_ids))
        .filter(app_return_urls::position.eq(0))
        .select((app_return_urls::application_id, app_return_urls::url))
        .load(conn)
}

/// Replace the secret; the previous one stays valid until `old_expires_at` when given.
pub fn set_secret(
    conn: &mut DbConnection,
    id: i64,
    new_sealed: &str,
    old: Option<(&str, i64)>,
) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set((
            applications::secret_sealed.eq(new_sealed),
            applications::old_secret_sealed.eq(old.map(|(s, _)| s)),
            applications::old_secret_expires_at.eq(old.map(|(_, t)| t)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Is any sealed data stored (so a missing server key must not be regenerated)?
pub fn any_exists(conn: &mut DbConnection) -> QueryResult<bool> {
    use diesel::dsl::exists;
    diesel::select(exists(applications::table.select(applications::id))).get_result(conn)
}

/// Replace an application's return URLs (the first becomes the default).
pub fn replace_return_urls(
    conn: &mut DbConnection,
    application_id: i64,
    urls: &[String],
) -> QueryResult<()> {
    diesel::delete(
        app_return_urls::table.filter(app_return_urls::application_id.eq(application_id)),
    )
    .execute(conn)?;
    insert_return_urls(conn, application_id, urls)
}
