//! "Download your data": everything Assent keeps about the user, as one JSON document: the account,
//! every grant (active, expired and revoked, with its app and its family's state), every history
//! entry, the browser sessions and devices. No secret is in it: no password hash, no token or token
//! hash, no application secret. Times are RFC 3339 in UTC.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::dashboard::describe;
use super::wording::{label, plain};
use crate::db::{self, user::User, DbConnection};

fn time(unix: i64) -> Value {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(
        || json!(unix),
        |t| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    )
}

fn optional_time(unix: Option<i64>) -> Value {
    unix.map_or(Value::Null, time)
}

/// The user's data at `now`.
pub fn build(conn: &mut DbConnection, user: &User, now: i64) -> diesel::QueryResult<Value> {
    let catalogue = crate::catalogue::load(conn)?;
    let mut apps: BTreeMap<i64, Value> = BTreeMap::new();
    let mut app = |conn: &mut DbConnection, id: i64| -> diesel::QueryResult<Value> {
        if let Some(v) = apps.get(&id) {
            return Ok(v.clone());
        }
        let v = db::application::find(conn, id)?
            .map_or(Value::Null, |a| json!({ "appid": a.appid, "name": a.name }));
        apps.insert(id, v.clone());
        Ok(v)
    };
    let mut grants = Vec::new();
    for (grant, family, _, _, _) in db::grant::for_user_with_families(conn, user.id)? {
        grants.push(json!({
            "app": app(conn, grant.application_id)?,
            "permission": grant.permission,
            "description": describe(&catalogue, &grant.permission, crate::i18n::Lang::En),
            "resource": grant.resource,
            "granted_at": time(grant.granted_at),
            "expires_at": time(grant.expires_at),
            "revoked_at": optional_time(grant.revoked_at),
            "active": grant.is_active(now) && family.revoked_at.is_none(),
            "family": {
                "protocol": family.protocol,
                "started_at": time(family.created_at),
                "last_renewed_at": time(family.last_used_at),
                "ended_at": optional_time(family.revoked_at),
                "ended_because": family.revoked_reason,
            },
        }));
    }
    let mut history = Vec::new();
    for event in db::audit::all_for_user(conn, user.id)? {
        let app = match event.application_id {
            Some(id) => app(conn, id)?,
            None => Value::Null,
        };
        history.push(json!({
            "at": time(event.at),
            "kind": event.kind,
            "what": label(&event.kind, crate::i18n::Lang::En).0,
            "app": app,
            "detail": plain(&event.kind, &event.detail, &catalogue),
            "recorded_detail": event.detail,
        }));
    }
    let sessions: Vec<Value> = db::session::active_for_user(conn, user.id, now)?
        .into_iter()
        .map(|s| {
            json!({
                "started_at": time(s.created_at),
                "last_used_at": time(s.last_seen_at),
                "expires_at": time(s.expires_at),
            })
        })
        .collect();
    let tokens = db::device::active_with_devices(conn, user.id, now)?;
    let devices: Vec<Value> = db::device::devices_of_user(conn, user.id)?
        .into_iter()
        .map(|d| {
            let signed_in: Vec<Value> = tokens
                .iter()
                .filter(|(_, device)| device.id == d.id)
                .map(|(t, _)| json!({ "since": time(t.created_at), "until": time(t.expires_at) }))
                .collect();
            json!({
                "manufacturer_id": d.manufacturer_id,
                "device_type": d.device_type,
                "first_seen_at": time(d.created_at),
                "signed_in": signed_in,
            })
        })
        .collect();
    Ok(json!({
        "exported_at": time(now),
        "account": {
            "email": user.email,
            "name": user.name,
            "user_id": user.lid,
            "created_at": time(user.created_at),
            "password_changed_at": time(user.password_changed_at),
            "time_zone": user.time_zone,
        },
        "grants": grants,
        "history": history,
        "sessions": sessions,
        "devices": devices,
    }))
}
