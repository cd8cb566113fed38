//! Revoking: one permission of an app, or the whole app. Call each inside ONE transaction: the grants,
//! the refresh tokens of the families that lose their last permission and the audit event commit
//! together. Every query is scoped to the signed-in user, so an appid or permission of someone
//! else's grant changes nothing.
//!
//! From the commit on, refresh refuses the revoked permissions (`consent_revoked`) and the check
//! endpoint answers inactive for them: both read the grants on every request.

use crate::db::{self, DbConnection};
use crate::domain::{permission::Permission, AppId};

/// Why refresh tokens end when the user removes access (`token_families.revoked_reason`).
const REASON: &str = crate::tokens::RevokeReason::User.as_str();

/// What a revocation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// One permission ended.
    Permission {
        /// The app's name.
        app_name: String,
        /// It was the app's last permission: the app has no access left and every refresh token
        /// of its families ended.
        app_ended: bool,
    },
    /// Every permission and refresh token of the app ended.
    App {
        /// The app's name.
        app_name: String,
    },
    /// The user had nothing of this to revoke (already revoked, or not theirs).
    Nothing,
}

/// Revoke `permission` of app `appid` for `user_id`. Families left with no active grant lose their
/// refresh tokens (reason `user`); if the app has no active grant left at all, that is every family.
pub fn permission(
    conn: &mut DbConnection,
    user_id: i64,
    appid: &AppId,
    permission: &Permission,
    now: i64,
) -> diesel::QueryResult<Revoked> {
    let Some(app) = db::application::find_by_appid(conn, appid.as_str())? else {
        return Ok(Revoked::Nothing);
    };
    let name = permission.to_string();
    if db::grant::revoke_permission(conn, user_id, app.id, &name, now)? == 0 {
        return Ok(Revoked::Nothing);
    }
    // An OAuth code not yet exchanged would grant it again.
    db::oauth_code::void_for_user_app(conn, user_id, app.id, now)?;
    let mut ended = 0;
    for family_id in db::grant::live_families(conn, user_id, app.id)? {
        let grants = db::grant::family_grants(conn, family_id)?;
        let held_it = grants.iter().any(|g| g.permission == name);
        if held_it && !grants.iter().any(|g| g.is_active(now)) {
            db::grant::revoke_family(conn, family_id, REASON, now)?;
            ended += 1;
        }
    }
    let app_ended = db::grant::active_for_user_app(conn, user_id, app.id, now)?.is_empty();
    if app_ended {
        // Nothing is left to refresh: end the families that only held expired grants too.
        for family_id in db::grant::live_families(conn, user_id, app.id)? {
            db::grant::revoke_family(conn, family_id, REASON, now)?;
            ended += 1;
        }
    }
    let mut detail = format!("removed {name}");
    if app_ended {
        detail.push_str("; it was the last permission, so the app has no access left");
    }
    if ended > 0 {
        detail.push_str(&format!("; ended the refresh tokens of {ended} grant(s)"));
    }
    db::audit::record(
        conn,
        now,
        "revoke",
        Some(user_id),
        Some(app.id),
        None,
        &detail,
    )?;
    Ok(Revoked::Permission {
        app_name: app.name,
        app_ended,
    })
}

/// Revoke every grant of app `appid` for `user_id` and end every refresh token of its families.
pub fn app(
    conn: &mut DbConnection,
    user_id: i64,
    appid: &AppId,
    now: i64,
) -> diesel::QueryResult<Revoked> {
    let Some(app) = db::application::find_by_appid(conn, appid.as_str())? else {
        return Ok(Revoked::Nothing);
    };
    let active: Vec<String> = db::grant::active_for_user_app(conn, user_id, app.id, now)?
        .into_iter()
        .map(|g| g.permission)
        .collect();
    let grants = db::grant::revoke_app_grants(conn, user_id, app.id, now)?;
    db::oauth_code::void_for_user_app(conn, user_id, app.id, now)?;
    let families = db::grant::live_families(conn, user_id, app.id)?;
    if grants == 0 && families.is_empty() {
        return Ok(Revoked::Nothing);
    }
    for family_id in &families {
        db::grant::revoke_family(conn, *family_id, REASON, now)?;
    }
    let mut permissions = active;
    permissions.sort();
    permissions.dedup();
    let detail = if permissions.is_empty() {
        "removed the app's access".to_string()
    } else {
        format!("removed the app's access: {}", permissions.join(", "))
    };
    db::audit::record(
        conn,
        now,
        "revoke_app",
        Some(user_id),
        Some(app.id),
        None,
        &detail,
    )?;
    Ok(Revoked::App { app_name: app.name })
}

/// The notice after removing `permission` of `appid`: "Removed “Read your contacts” from Contoso.
/// ..." with the names from storage, and only while the app really no longer holds it on
/// `dashboard` (`last`: the app has no access left at all), so a crafted link can not make the page
/// claim a removal that did not happen.
pub fn removed_notice(
    conn: &mut DbConnection,
    dashboard: &crate::consents::Dashboard,
    appid: &AppId,
    permission: &Permission,
    last: bool,
    lang: crate::i18n::Lang,
) -> diesel::QueryResult<Option<String>> {
    let name = permission.to_string();
    let app_left = dashboard.app(appid.as_str());
    if app_left.is_some_and(|a| a.permission(&name).is_some()) || (last && app_left.is_some()) {
        return Ok(None);
    }
    let Some(app) = db::application::find_by_appid(conn, appid.as_str())? else {
        return Ok(None);
    };
    let catalogue = crate::catalogue::load(conn)?;
    let description = crate::consents::dashboard::describe(&catalogue, &name, lang);
    let key = if last {
        "apps-notice-removed-last"
    } else {
        "apps-notice-removed"
    };
    Ok(Some(crate::i18n::text(
        lang,
        key,
        &[
            ("permission", crate::i18n::Arg::Str(&description)),
            ("app", crate::i18n::Arg::Str(&app.name)),
        ],
    )))
}
