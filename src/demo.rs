//! `serve --demo`: a demo user, a demo catalogue and a demo website ("Contoso Contacts") registered
//! against this same server, so a newcomer can click through the whole flow. Idempotent.

use crate::admin::{self, AdminError, AppRegistration};
use crate::crypto::password::PasswordHasher;
use crate::crypto::ServerKey;
use crate::db::{self, Db};

/// The demo user's email.
pub const DEMO_EMAIL: &str = "demo@assent.example";
/// The demo user's password (shown on the home page in demo mode only).
pub const DEMO_PASSWORD: &str = "demo-password";
/// Permissions the demo website asks for.
pub const DEMO_REQUEST: &str = "Contacts.Read,News.Write,Profiles.Read";

/// The demo website's registration.
#[derive(Debug, Clone)]
pub struct DemoSite {
    /// Its appid.
    pub appid: String,
    /// Its secret (the demo website is part of this process).
    pub secret: String,
    /// Its return URL.
    pub return_url: String,
    /// The demo resource provider (owner of `Contacts`, `News`, `LiveMeshFolder`).
    pub rp_id: String,
    /// Its secret, kept for the demo page so a newcomer can call `/delegation/check`; `None` for a
    /// demo database seeded before the secret was kept.
    pub rp_secret: Option<String>,
}

/// What a demo user's password hash becomes outside demo mode: no password verifies against it.
const LOCKED: &str = "!locked: the demo account signs in only while serve runs with --demo";

/// For a server started without `--demo` on a database where the demo was seeded: the demo
/// account's published password stops working and its sessions and device tokens end, in one
/// transaction. `serve --demo` sets the password again. Returns whether there was a demo account.
pub fn lock(db: &Db, now: i64) -> Result<bool, AdminError> {
    db.transaction_sync(|conn| {
        if db::meta::get(conn, "demo_appid")?.is_none() {
            return Ok(false);
        }
        let Some(user) = db::user::find_by_email(conn, DEMO_EMAIL)? else {
            return Ok(false);
        };
        db::user::set_password(conn, user.id, LOCKED, now)?;
        db::session::delete_all_for_user(conn, user.id, None)?;
        db::device::delete_for_user(conn, user.id)?;
        Ok::<_, AdminError>(true)
    })
}

/// Seed everything the demo needs; returns the demo website's registration.
pub fn seed(
    db: &Db,
    key: &ServerKey,
    hasher: &PasswordHasher,
    public_url: &str,
    now: i64,
) -> Result<DemoSite, AdminError> {
    match admin::create_user(db, hasher, DEMO_EMAIL, "Demo User", DEMO_PASSWORD, now) {
        Ok(_) => {}
        // Seeded before: a server without --demo may have locked it since (see `lock`).
        Err(AdminError::Conflict(_)) => {
            let hash = hasher
                .hash(DEMO_PASSWORD)
                .map_err(|e| AdminError::Internal(e.to_string()))?;
            db.transaction_sync(|conn| {
                if let Some(user) = db::user::find_by_email(conn, DEMO_EMAIL)? {
                    db::user::set_password(conn, user.id, &hash, now)?;
                    // Seeded before addresses were verified: the demo user's counts as verified.
                    db::user::mark_verified(conn, user.id, DEMO_EMAIL, now)?;
                }
                Ok::<_, AdminError>(())
            })?;
        }
        Err(e) => return Err(e),
    }
    let rp_id =
        match db.run_sync(|conn| db::meta::get(conn, "demo_rp_id").map_err(AdminError::from))? {
            Some(id) => id,
            None => {
                let rp = admin::create_provider(db, "Demo Live services", true, now)?;
                // Only demo data keeps a provider secret in clear: the demo page shows it.
                db.transaction_sync(|conn| {
                    db::meta::insert(conn, "demo_rp_id", &rp.rp_id)?;
                    db::meta::insert(conn, "demo_rp_secret", &rp.secret).map_err(AdminError::from)
                })?;
                rp.rp_id
            }
        };
    for (offer, noun) in [
        ("Contacts", "contacts"),
        ("News", "news feed"),
        ("LiveMeshFolder", "Live Mesh folders"),
    ] {
        let actions = [
            ("Read".to_string(), format!("Read your {noun}")),
            (
                "Write".to_string(),
                format!("Add to and change your {noun}"),
            ),
            ("Full".to_string(), format!("Full access to your {noun}")),
        ];
        admin::add_offer(db, &rp_id, offer, &actions, &[])?;
    }
    let return_url = format!("{public_url}/demo/return");
    let existing =
        db.run_sync(|conn| db::meta::get(conn, "demo_appid").map_err(AdminError::from))?;
    let appid = match existing {
        Some(appid) => {
            // The public URL (port) may differ from the last run: register today's return URL.
            db.transaction_sync(|conn| {
                let app = db::application::find_by_appid(conn, &appid)?
                    .ok_or_else(|| AdminError::NotFound("demo app".into()))?;
                db::application::replace_return_urls(
                    conn,
                    app.id,
                    std::slice::from_ref(&return_url),
                )?;
                Ok::<_, AdminError>(())
            })?;
            appid
        }
        None => {
            let created = admin::create_app(
                db,
                key,
                &AppRegistration {
                    name: "Contoso Contacts (demo)",
                    return_urls: std::slice::from_ref(&return_url),
                    privacy_url: Some(&format!("{public_url}/demo/privacy")),
                    ..Default::default()
                },
                now,
            )?;
            db.run_sync(|conn| {
                db::meta::insert(conn, "demo_appid", &created.appid).map_err(AdminError::from)
            })?;
            created.appid
        }
    };
    let secret = admin::show_app(db, key, &appid, true)?
        .secret
        .ok_or_else(|| AdminError::Internal("demo secret".into()))?;
    let rp_secret =
        db.run_sync(|conn| db::meta::get(conn, "demo_rp_secret").map_err(AdminError::from))?;
    Ok(DemoSite {
        appid,
        secret,
        return_url,
        rp_id,
        rp_secret,
    })
}

/// How old a Web Authentication `stoken` the demo website accepts may be.
pub const STOKEN_MAX_AGE_SECS: i64 = 600;

/// Who signed in to the demo website through Web Authentication: the pairwise `uid` of `stoken`
/// (the posted field), when it opens with the website's secret, names this website and is at
/// most [`STOKEN_MAX_AGE_SECS`] old; as a website written against the SDK opens it.
pub fn signed_in_uid(site: &DemoSite, stoken: &str, now: i64) -> Option<String> {
    use crate::crypto::live::{self, AppKeys};
    let opened = live::open(&AppKeys::derive(&site.secret), &live::url_decode(stoken)).ok()?;
    let ts: i64 = opened.get("ts")?.parse().ok()?;
    if opened.get("appid")? != site.appid || (now - ts).abs() > STOKEN_MAX_AGE_SECS {
        return None;
    }
    opened.get("uid").filter(|uid| !uid.is_empty())
}

/// What the user `lid` allows the demo website right now (permission, expiry), read from the
/// grants themselves: after the user removed the website on the dashboard this is empty, whatever
/// token the website still holds.
pub fn allowed_now(
    conn: &mut db::DbConnection,
    site: &DemoSite,
    lid: &str,
    now: i64,
) -> diesel::QueryResult<Vec<(String, i64)>> {
    let (Some(user), Some(app)) = (
        db::user::find_by_lid(conn, lid)?,
        db::application::find_by_appid(conn, &site.appid)?,
    ) else {
        return Ok(Vec::new());
    };
    let mut allowed = std::collections::BTreeMap::new();
    for g in db::grant::active_for_user_app(conn, user.id, app.id, now)? {
        let until = allowed.entry(g.permission).or_insert(g.expires_at);
        *until = (*until).max(g.expires_at);
    }
    Ok(allowed.into_iter().collect())
}
