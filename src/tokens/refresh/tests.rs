//! The classifier and the coverage rule of a refresh.

use super::*;

fn presented(consumed: bool, revoked: Option<&str>) -> Presented {
    Presented {
        token: db::refresh_token::RefreshToken {
            id: 1,
            family_id: 2,
            token_hash: "h".into(),
            generation: 0,
            issued_at: 10,
            consumed_at: consumed.then_some(20),
        },
        family: db::grant::Family {
            id: 2,
            user_id: 3,
            application_id: 4,
            protocol: "live".into(),
            resource: None,
            created_at: 10,
            last_used_at: 10,
            revoked_at: revoked.map(|_| 30),
            revoked_reason: revoked.map(str::to_string),
            requested_scope: None,
        },
        lid: "6a9e4d31496a894d".into(),
        grants: Vec::new(),
    }
}

#[test]
fn an_unconsumed_token_of_a_live_family_may_rotate() {
    assert_eq!(presented(false, None).standing(), Standing::Fresh);
}

#[test]
fn a_consumed_token_is_reuse_even_after_an_earlier_reuse_revoked_its_family() {
    assert_eq!(presented(true, None).standing(), Standing::Reused);
    assert_eq!(presented(true, Some("reuse")).standing(), Standing::Reused);
}

#[test]
fn a_family_the_user_or_the_client_revoked_is_only_revoked() {
    for reason in ["user", "client", "code_replay"] {
        assert_eq!(
            presented(true, Some(reason)).standing(),
            Standing::FamilyRevoked
        );
        assert_eq!(
            presented(false, Some(reason)).standing(),
            Standing::FamilyRevoked
        );
    }
    assert_eq!(
        presented(false, Some("reuse")).standing(),
        Standing::FamilyRevoked
    );
}

fn grant(permission: &str, expires_at: i64, revoked_at: Option<i64>) -> Grant {
    Grant {
        id: 1,
        family_id: 2,
        user_id: 3,
        application_id: 4,
        permission: permission.into(),
        resource: None,
        granted_at: 0,
        expires_at,
        revoked_at,
    }
}

#[test]
fn a_refresh_covers_the_requested_permissions_still_granted_and_says_why_when_none_is() {
    let read = Permission::parse("Contacts.Read").unwrap();
    let write = Permission::parse("News.Write").unwrap();
    let grants = [
        grant("Contacts.Full", 100, None),
        grant("News.Write", 100, Some(5)),
    ];
    let mut catalogue = Catalogue::new();
    for action in ["Read", "Write", "Full"] {
        catalogue.add("Contacts", action, action, true, 1);
    }
    catalogue.add("Contacts", "Export", "Export", false, 1);
    let c = &catalogue;
    assert_eq!(
        covered(&grants, Some((std::slice::from_ref(&read), c)), 50),
        Ok(vec![("Contacts.Full".to_string(), 100)])
    );
    assert_eq!(
        covered(&grants, Some((std::slice::from_ref(&write), c)), 50),
        Err(RefreshRefusal::ConsentRevoked)
    );
    assert_eq!(
        covered(&grants, Some((std::slice::from_ref(&read), c)), 100),
        Err(RefreshRefusal::ConsentExpired)
    );
    let other = Permission::parse("Photos.Read").unwrap();
    assert_eq!(
        covered(&grants, Some((&[other], c)), 50),
        Err(RefreshRefusal::NotGranted)
    );
    // Full never covers an action that is not grantable.
    let export = Permission::parse("Contacts.Export").unwrap();
    assert_eq!(
        covered(&grants, Some((&[export], c)), 50),
        Err(RefreshRefusal::NotGranted)
    );
}
