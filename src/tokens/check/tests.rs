//! The token check without HTTP, on a real (SQLite) database: what makes a token active, and every
//! reason it is not.

use super::*;
use crate::crypto::password::PasswordHasher;
use crate::crypto::ServerKey;
use crate::db::Db;
use crate::tokens::issue::GrantRequest;
use crate::tokens::Issued;
use crate::tokens::{verified::VerifiedCache, KeyRing};

const NOW: i64 = 1_800_000_000;

struct World {
    _dir: tempfile::TempDir,
    db: Db,
    issuer: Issuer,
    lid: String,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/assent.db", dir.path().display());
    let db = Db::connect(&url, 2, 5000).unwrap();
    db.migrate().unwrap();
    let key = ServerKey::from_bytes(&[7; 32]);
    let issuer = Issuer {
        keys: KeyRing::new(60, 3600),
        server_key: key.clone(),
        issuer_url: "https://assent.example".into(),
        delegation_ttl_secs: 3600,
        verified: VerifiedCache::new(16),
        refresh_grace_secs: 5,
        owners: crate::tokens::audience::OwnerCache::new(60),
    };
    db.transaction_sync(|conn| issuer.keys.reload(conn, &key, NOW))
        .unwrap();
    let hasher = PasswordHasher::new(64, 1, 1, 1).unwrap();
    let user =
        crate::admin::create_user(&db, &hasher, "ann@example.com", "Ann", "long password", NOW)
            .unwrap();
    World {
        _dir: dir,
        db,
        issuer,
        lid: user.lid,
    }
}

impl World {
    /// Grant `perms` (each for a day) to a new application; returns the issued tokens.
    fn grant(&self, perms: &[&str]) -> Issued {
        let urls = ["https://contoso.example/cb".to_string()];
        let reg = crate::admin::AppRegistration {
            name: "Contoso",
            return_urls: &urls,
            ..Default::default()
        };
        let appid = crate::admin::create_app(&self.db, &self.issuer.server_key, &reg, NOW)
            .unwrap()
            .appid;
        let permissions: Vec<(Permission, i64)> = perms
            .iter()
            .map(|p| (Permission::parse(p).unwrap(), NOW + 86_400))
            .collect();
        self.db
            .transaction_sync(|conn| -> Result<Issued, TokenError> {
                let app = db::application::find_by_appid(conn, &appid)?.unwrap();
                let user = db::user::find_by_lid(conn, &self.lid)?.unwrap();
                let req = GrantRequest {
                    user_id: user.id,
                    lid: &self.lid,
                    application_id: app.id,
                    appid: &appid,
                    protocol: "live",
                    resource: None,
                    permissions: &permissions,
                };
                self.issuer.grant(conn, &req, NOW)
            })
            .unwrap()
    }

    fn check(&self, req: &CheckRequest<'_>, now: i64) -> Option<ActiveToken> {
        self.db
            .run_sync(|conn| check(&self.issuer, conn, req, &Catalogue::new(), |_| true, now))
            .unwrap()
    }
}

fn ask(token: &str) -> CheckRequest<'_> {
    CheckRequest {
        token,
        ..CheckRequest::default()
    }
}

#[test]
fn a_fresh_token_is_active_with_its_grants() {
    let w = world();
    let issued = w.grant(&["Contacts.Read", "News.Write"]);
    let active = w.check(&ask(&issued.delegation_token), NOW).unwrap();
    assert_eq!(active.lid, w.lid);
    assert_eq!(
        active.offers.keys().cloned().collect::<Vec<_>>(),
        ["Contacts.Read", "News.Write"]
    );
}

#[test]
fn a_permission_the_token_does_not_grant_or_another_user_is_inactive() {
    let w = world();
    let issued = w.grant(&["Contacts.Read"]);
    let write = Permission::parse("Contacts.Write").unwrap();
    let req = CheckRequest {
        permission: Some(&write),
        ..ask(&issued.delegation_token)
    };
    assert_eq!(w.check(&req, NOW), None);
    let req = CheckRequest {
        lid: Some("0000000000000000"),
        ..ask(&issued.delegation_token)
    };
    assert_eq!(w.check(&req, NOW), None);
}

#[test]
fn a_revoked_family_or_an_expired_token_is_inactive_at_once() {
    let w = world();
    let issued = w.grant(&["Contacts.Read"]);
    assert!(w.check(&ask(&issued.delegation_token), NOW).is_some());
    w.db.transaction_sync(|conn| {
        db::grant::revoke_family(conn, issued.family_id, "user", NOW).map_err(db::DbError::from)
    })
    .unwrap();
    // The signature is cached as verified; the family is read again on every check.
    assert_eq!(w.check(&ask(&issued.delegation_token), NOW), None);
    let other = w.grant(&["Contacts.Read"]);
    assert_eq!(w.check(&ask(&other.delegation_token), other.exp + 1), None);
}

#[test]
fn a_tampered_token_is_inactive() {
    let w = world();
    let issued = w.grant(&["Contacts.Read"]);
    // One character inside the signature (not the last, whose low bits are padding).
    let mut forged = issued.delegation_token.clone().into_bytes();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(w.check(&ask(&forged), NOW), None);
    assert_eq!(w.check(&ask("not a token"), NOW), None);
}
