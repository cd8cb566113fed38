//! The consent dashboard's model: one entry per app with access, one row per granted permission
//! (grants of several families for the same permission are grouped: the latest expiry counts), and
//! the permissions that expired by themselves, apart.
//!
//! A grant gives access while it is neither revoked nor expired AND its family is not revoked (a
//! family ends on reuse detection or when the user removes the app): the same rule as refresh and
//! the check endpoint.

use std::collections::{BTreeMap, BTreeSet};

use super::Moment;
use crate::db::{self, DbConnection};
use crate::delauth::request::host_of;
use crate::domain::permission::{Catalogue, Permission, PermissionList};
use crate::domain::Zone;

/// A grant expiring sooner than this is flagged.
pub const EXPIRES_SOON_SECS: i64 = 7 * 86_400;

/// What the dashboard shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dashboard {
    /// Apps with access, by name.
    pub apps: Vec<AppAccess>,
    /// Permissions that expired (and were not granted again), most recent first.
    pub expired: Vec<ExpiredAccess>,
}

/// One app with access.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppAccess {
    /// Its appid.
    pub appid: String,
    /// Display name.
    pub name: String,
    /// The first letter of the name, upper-case (the row's avatar).
    pub initial: String,
    /// The host of its default return URL.
    pub return_host: String,
    /// Its privacy policy.
    pub privacy_url: Option<String>,
    /// The privacy policy's host.
    pub privacy_host: Option<String>,
    /// When a token of this app was last issued or refreshed (see [`super::listing`]).
    pub last_used: Moment,
    /// The latest time one of its active permissions was allowed.
    pub last_granted: Moment,
    /// Granted permissions, sorted by `Offer.Action`.
    pub permissions: Vec<PermissionAccess>,
}

/// One granted permission of an app.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PermissionAccess {
    /// `Offer.Action`.
    pub permission: String,
    /// The catalogue's description (the permission itself when the catalogue no longer has it).
    pub description: String,
    /// The first active grant of it.
    pub granted: Moment,
    /// The latest expiry among its active grants.
    pub expires: Moment,
    /// Expires within [`EXPIRES_SOON_SECS`].
    pub expires_soon: bool,
    /// The resources (`in`) it is limited to; empty when any grant is unlimited.
    pub resources: Vec<String>,
}

/// A permission that expired.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExpiredAccess {
    /// The app's appid.
    pub appid: String,
    /// The app's name.
    pub app_name: String,
    /// `Offer.Action`.
    pub permission: String,
    /// The catalogue's description.
    pub description: String,
    /// When the last grant of it expired.
    pub expired: Moment,
}

#[derive(Default)]
struct Group {
    granted_at: i64,
    expires_at: i64,
    unlimited: bool,
    resources: BTreeSet<String>,
}

#[derive(Default)]
struct AppGroup {
    appid: String,
    name: String,
    privacy_url: Option<String>,
    last_used_at: i64,
    last_granted_at: i64,
    active: BTreeMap<String, Group>,
    expired: BTreeMap<String, i64>,
}

/// The description of `permission` in the catalogue, in `lang` (see [`crate::i18n::permission`]).
pub fn describe(catalogue: &Catalogue, permission: &str, lang: crate::i18n::Lang) -> String {
    let Ok(p) = Permission::parse(permission) else {
        return permission.to_string();
    };
    catalogue
        .resolve(&PermissionList::from_vec(vec![p.clone()]))
        .ok()
        .and_then(|resolved| resolved.into_iter().next())
        .map_or_else(
            || permission.to_string(),
            |r| worded(catalogue, &p, &r.description, lang),
        )
}

/// `p`'s `registered` description in `lang` (see [`crate::i18n::permission`]; the catalogue says
/// whether a custom type keeps it).
pub fn worded(
    catalogue: &Catalogue,
    p: &Permission,
    registered: &str,
    lang: crate::i18n::Lang,
) -> String {
    let owner = catalogue.custom_owner(p);
    crate::i18n::permission(lang, p.offer(), p.action(), registered, owner)
}

/// The first letter of `name`, upper-case (`?` for an empty name).
pub fn initial(name: &str) -> String {
    name.trim()
        .chars()
        .next()
        .map_or_else(|| "?".to_string(), |c| c.to_uppercase().collect())
}

/// Build the dashboard of `user_id` at `now`, its dates in `zone` (a few indexed reads).
pub fn build(
    conn: &mut DbConnection,
    user_id: i64,
    now: i64,
    zone: Zone,
    lang: crate::i18n::Lang,
) -> diesel::QueryResult<Dashboard> {
    let rows = db::grant::for_user_with_families(conn, user_id)?;
    let mut apps: BTreeMap<i64, AppGroup> = BTreeMap::new();
    for (grant, family, appid, name, privacy_url) in rows {
        if grant.revoked_at.is_some() || family.revoked_at.is_some() {
            continue;
        }
        let app = apps
            .entry(grant.application_id)
            .or_insert_with(|| AppGroup {
                appid,
                name,
                privacy_url,
                ..AppGroup::default()
            });
        if grant.expires_at <= now {
            let at = app.expired.entry(grant.permission).or_default();
            *at = (*at).max(grant.expires_at);
            continue;
        }
        app.last_used_at = app.last_used_at.max(family.last_used_at);
        app.last_granted_at = app.last_granted_at.max(grant.granted_at);
        let group = app.active.entry(grant.permission).or_insert_with(|| Group {
            granted_at: grant.granted_at,
            ..Group::default()
        });
        group.granted_at = group.granted_at.min(grant.granted_at);
        group.expires_at = group.expires_at.max(grant.expires_at);
        match grant.resource {
            Some(r) => {
                group.resources.insert(r);
            }
            None => group.unlimited = true,
        }
    }
    let catalogue = crate::catalogue::load(conn)?;
    let mut dashboard = Dashboard {
        apps: Vec::new(),
        expired: Vec::new(),
    };
    // One read for every app's default return URL (the dashboard may list many apps).
    let ids: Vec<i64> = apps
        .iter()
        .filter(|(_, a)| !a.active.is_empty())
        .map(|(id, _)| *id)
        .collect();
    let hosts: BTreeMap<i64, String> = db::application::default_return_urls(conn, &ids)?
        .into_iter()
        .map(|(id, url)| (id, host_of(&url)))
        .collect();
    for (application_id, app) in apps {
        for (permission, expired_at) in &app.expired {
            if !app.active.contains_key(permission) {
                dashboard.expired.push(ExpiredAccess {
                    appid: app.appid.clone(),
                    app_name: app.name.clone(),
                    description: describe(&catalogue, permission, lang),
                    permission: permission.clone(),
                    expired: Moment::at(*expired_at, now, zone, lang),
                });
            }
        }
        if app.active.is_empty() {
            continue;
        }
        let return_host = hosts.get(&application_id).cloned().unwrap_or_default();
        let permissions = app
            .active
            .into_iter()
            .map(|(permission, g)| PermissionAccess {
                description: describe(&catalogue, &permission, lang),
                permission,
                granted: Moment::at(g.granted_at, now, zone, lang),
                expires: Moment::at(g.expires_at, now, zone, lang),
                expires_soon: g.expires_at - now < EXPIRES_SOON_SECS,
                resources: if g.unlimited {
                    Vec::new()
                } else {
                    g.resources.into_iter().collect()
                },
            })
            .collect();
        dashboard.apps.push(AppAccess {
            appid: app.appid,
            initial: initial(&app.name),
            name: app.name,
            return_host,
            privacy_host: app.privacy_url.as_deref().map(host_of),
            privacy_url: app.privacy_url,
            last_used: Moment::at(app.last_used_at, now, zone, lang),
            last_granted: Moment::at(app.last_granted_at, now, zone, lang),
            permissions,
        });
    }
    dashboard
        .apps
        .sort_by_key(|a| (a.name.to_lowercase(), a.appid.clone()));
    dashboard
        .expired
        .sort_by_key(|e| std::cmp::Reverse(e.expired.unix));
    Ok(dashboard)
}

impl Dashboard {
    /// The app with `appid`, if it has access.
    pub fn app(&self, appid: &str) -> Option<&AppAccess> {
        self.apps.iter().find(|a| a.appid == appid)
    }
}

impl AppAccess {
    /// Its active permission `permission`, if it has it.
    pub fn permission(&self, permission: &str) -> Option<&PermissionAccess> {
        self.permissions.iter().find(|p| p.permission == permission)
    }
}
