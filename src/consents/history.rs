//! The history page's model: the user's audit events (grants, refreshes, revocations, reuse
//! detections, sign-ins, account changes), newest first, one page at a time, optionally only those
//! about one app, in plain words (see [`super::wording`]), with app names and, for a grant, each
//! permission's description and the expiry the user chose.

use std::collections::BTreeMap;

use super::wording::{label, plain_in};
use super::Moment;
use crate::consents::dashboard::describe;
use crate::db::{self, DbConnection};
use crate::domain::Zone;

/// Events per page.
pub const PER_PAGE: i64 = 20;

/// One page of the history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryPage {
    /// The events of this page, newest first.
    pub events: Vec<HistoryEvent>,
    /// This page, from 1.
    pub page: i64,
    /// How many pages there are (at least 1).
    pub pages: i64,
    /// All events shown (of the chosen app, or all of the user's).
    pub total: i64,
    /// The newer page, if any.
    pub prev: Option<i64>,
    /// The older page, if any.
    pub next: Option<i64>,
    /// The app the page is filtered to (its appid), if any.
    pub app: Option<String>,
    /// The apps the user's events are about, by name (the filter's choices).
    pub apps: Vec<AppChoice>,
}

/// An app in the history's filter.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppChoice {
    /// Its appid.
    pub appid: String,
    /// Its name.
    pub name: String,
}

/// A permission of a grant event, with the expiry chosen for it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GrantedPermission {
    /// The catalogue's description.
    pub description: String,
    /// Until when it was allowed.
    pub until: Moment,
}

/// One event as the history shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryEvent {
    /// The stored kind (`grant`, `refresh`, `revoke`, ...).
    pub kind: String,
    /// What happened, in words.
    pub label: String,
    /// Badge style: `success`, `info`, `warn`, `danger` or `muted`.
    pub tone: &'static str,
    /// The app's name, when the event concerns one.
    pub app_name: Option<String>,
    /// The detail in plain words (never a secret).
    pub detail: String,
    /// A grant's permissions with their expiries (empty for other events).
    pub permissions: Vec<GrantedPermission>,
    /// When.
    pub at: Moment,
}

/// How many events there are, and those of page `page` (clamped to the last page).
fn one_page(
    conn: &mut DbConnection,
    user_id: i64,
    application_id: Option<i64>,
    page: i64,
) -> diesel::QueryResult<(i64, Vec<db::audit::AuditEvent>)> {
    let total = db::audit::count_for_user(conn, user_id, application_id)?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let offset = (page.clamp(1, pages) - 1) * PER_PAGE;
    let rows = db::audit::for_user(conn, user_id, application_id, PER_PAGE, offset)?;
    Ok((total, rows))
}

/// Page `page` (from 1; out-of-range pages are clamped) of `user_id`'s history at `now` (dates in
/// `zone`), only the
/// events about app `appid` when given (an appid the user has no event of shows nothing).
pub fn page(
    conn: &mut DbConnection,
    user_id: i64,
    appid: Option<&str>,
    page: i64,
    now: i64,
    zone: Zone,
    lang: crate::i18n::Lang,
) -> diesel::QueryResult<HistoryPage> {
    let mut names: BTreeMap<i64, (String, String)> = BTreeMap::new();
    let mut apps = Vec::new();
    for (id, appid, name) in db::audit::applications_of_user(conn, user_id)? {
        apps.push(AppChoice {
            appid: appid.clone(),
            name: name.clone(),
        });
        names.insert(id, (appid, name));
    }
    apps.sort_by_key(|a| (a.name.to_lowercase(), a.appid.clone()));
    let chosen = appid.map(|appid| {
        names
            .iter()
            .find(|(_, (a, _))| a == appid)
            .map(|(id, _)| *id)
    });
    let (total, rows) = match chosen {
        // An app without events of this user: nothing, not everything.
        Some(None) => (0, Vec::new()),
        Some(Some(id)) => one_page(conn, user_id, Some(id), page)?,
        None => one_page(conn, user_id, None, page)?,
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let catalogue = crate::catalogue::load(conn)?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let app_name = row
            .application_id
            .and_then(|id| names.get(&id).cloned())
            .map(|(_, name)| name);
        let permissions = match (row.kind.as_str(), row.family_id) {
            ("grant", Some(family)) => db::grant::family_grants(conn, family)?
                .into_iter()
                .filter(|g| g.granted_at == row.at)
                .map(|g| GrantedPermission {
                    description: describe(&catalogue, &g.permission, lang),
                    until: Moment::at(g.expires_at, now, zone, lang),
                })
                .collect(),
            _ => Vec::new(),
        };
        let (label, tone) = label(&row.kind, lang);
        events.push(HistoryEvent {
            detail: plain_in(lang, &row.kind, &row.detail, &catalogue),
            kind: row.kind,
            label,
            tone,
            app_name,
            permissions,
            at: Moment::at(row.at, now, zone, lang),
        });
    }
    Ok(HistoryPage {
        events,
        page,
        pages,
        total,
        prev: (page > 1).then(|| page - 1),
        next: (page < pages).then(|| page + 1),
        app: appid.map(str::to_string),
        apps,
    })
}
