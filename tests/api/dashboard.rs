//! The user's own surface over HTTP (no browser): the consent dashboard, revocation (immediate for
//! refresh and the check endpoint), the confirmation step, CSRF and cross-user safety.

mod deletion;
mod history;
pub mod listing;
mod sessions;
mod settings;
pub mod setup;
pub mod time_zone;

pub use setup::*;

use serde_json::json;

use crate::helpers::{browser, TestApp};

fn offers(offer: &str) -> Vec<&str> {
    let mut names: Vec<&str> = offer
        .split(';')
        .filter_map(|o| o.split(':').next())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn revoking_a_permission_is_immediate_for_refresh_and_the_check_endpoint() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read", "News.Read"]);
    let delt = issued.delegation_token.as_str();
    assert_eq!(s.check(&s.contacts, delt).await["active"], true);
    assert_eq!(s.check(&s.news, delt).await["active"], true);

    let done = s
        .revoke(&s.app.client, &s.site.appid, "Contacts.Read")
        .await;
    assert!(
        done.starts_with("/account/consents?done=revoked&"),
        "{done}"
    );
    assert_eq!(s.check(&s.contacts, delt).await, json!({ "active": false }));
    assert_eq!(s.check(&s.news, delt).await["active"], true);
    let reft = issued.refresh_token.expose();
    assert_eq!(
        s.refresh("Contacts.Read", reft).await,
        Err("consent_revoked".into())
    );
    let (offer, reft) = s.refresh("Contacts.Read,News.Read", reft).await.unwrap();
    assert_eq!(offers(&offer), ["News.Read"], "the rest is still granted");

    let html = s.dashboard_at(&done).await;
    assert!(
        html.contains("Removed “Read your contacts” from Contoso Test Site."),
        "a notice says what happened"
    );
    assert!(!html.contains("permission=Contacts.Read\""));
    assert!(html.contains("permission=News.Read\""));

    // The last permission: the app has no access left and its refresh tokens end with it.
    let done = s.revoke(&s.app.client, &s.site.appid, "News.Read").await;
    assert!(
        done.starts_with("/account/consents?done=revoked_last&"),
        "{done}"
    );
    assert_eq!(s.check(&s.news, delt).await, json!({ "active": false }));
    assert_eq!(
        s.refresh("News.Read", &reft).await,
        Err("consent_revoked".into())
    );
    assert!(
        !s.dashboard().await.contains("Contoso Test Site"),
        "the app left the list"
    );
}

#[tokio::test]
async fn removing_an_app_asks_for_confirmation_then_ends_every_grant_and_refresh_token() {
    let s = Setup::new().await;
    let first = s.grant(&["Contacts.Read"]);
    let second = s.grant(&["News.Read", "Contacts.Write"]);
    let path = format!("/account/consents/remove?appid={}", s.site.appid);
    let page = s.app.get(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for text in [
        "Contoso Test Site",
        "Read your contacts",
        "Read your news feed",
        "Write your contacts",
    ] {
        assert!(html.contains(text), "the confirmation names {text}");
    }
    assert!(html.contains("action=\"/account/consents/remove\""));
    // Only the POST removes: the app is still there.
    assert_eq!(
        s.check(&s.news, &second.delegation_token).await["active"],
        true
    );

    let done = s.remove_app(&s.app.client, &s.site.appid).await;
    assert_eq!(done, "/account/consents?done=removed");
    for issued in [&first, &second] {
        let delt = &issued.delegation_token;
        assert_eq!(s.check(&s.contacts, delt).await, json!({ "active": false }));
        assert_eq!(s.check(&s.news, delt).await, json!({ "active": false }));
    }
    assert_eq!(
        s.refresh("Contacts.Read", first.refresh_token.expose())
            .await,
        Err("consent_revoked".into())
    );
    assert_eq!(
        s.refresh("News.Read", second.refresh_token.expose()).await,
        Err("consent_revoked".into())
    );
    let html = s.dashboard_at(&done).await;
    assert!(html.contains("Access removed"));
    assert!(!html.contains("Contoso Test Site"));
    // Confirming again (another tab) changes nothing and says so.
    let page = s.app.get(&path).await;
    assert_eq!(location(&page), "/account/consents?done=nothing");
}

#[tokio::test]
async fn a_revoke_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let appid = s.site.appid.as_str();
    let attempts: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "/account/consents/revoke",
            vec![("appid", appid), ("permission", "Contacts.Read")],
        ),
        (
            "/account/consents/revoke",
            vec![
                ("csrf", "forged"),
                ("appid", appid),
                ("permission", "Contacts.Read"),
            ],
        ),
        ("/account/consents/remove", vec![("appid", appid)]),
        (
            "/account/consents/remove",
            vec![("csrf", ""), ("appid", appid)],
        ),
    ];
    for (path, form) in attempts {
        let r = post(&s.app, &s.app.client, path, &form).await;
        assert_eq!(r.status(), 403, "{path} {form:?}");
    }
    assert_eq!(
        s.check(&s.contacts, &issued.delegation_token).await["active"],
        true
    );
    assert!(s
        .refresh("Contacts.Read", issued.refresh_token.expose())
        .await
        .is_ok());
}

#[tokio::test]
async fn a_user_can_not_revoke_another_users_grants() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    s.app.create_user("bob@example.com", PASSWORD);
    let bob = signed_in_browser(&s.app, "bob@example.com", PASSWORD).await;
    let done = s.revoke(&bob, &s.site.appid, "Contacts.Read").await;
    assert_eq!(done, "/account/consents?done=nothing");
    assert_eq!(
        s.remove_app(&bob, &s.site.appid).await,
        "/account/consents?done=nothing"
    );
    let r = bob
        .get(format!(
            "{}/account/consents/remove?appid={}",
            s.app.address, s.site.appid
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&r),
        "/account/consents?done=nothing",
        "no confirmation for others' apps"
    );
    assert_eq!(
        s.check(&s.contacts, &issued.delegation_token).await["active"],
        true
    );
    assert!(s
        .refresh("Contacts.Read", issued.refresh_token.expose())
        .await
        .is_ok());
    assert!(s.dashboard().await.contains("Contoso Test Site"));
}

#[tokio::test]
async fn a_user_never_sees_another_users_grants() {
    let s = Setup::new().await;
    s.grant(&["Contacts.Read"]);
    let bob_user = s.app.create_user("bob@example.com", PASSWORD);
    let fabrikam = s.other_app("Fabrikam");
    s.grant_to(&fabrikam, &bob_user, &[("News.Read", DAY)]);
    let bob = signed_in_browser(&s.app, "bob@example.com", PASSWORD).await;
    let bobs = bob
        .get(format!("{}/account/consents", s.app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bobs.contains("Fabrikam") && bobs.contains("Read your news feed"));
    assert!(!bobs.contains("Contoso Test Site") && !bobs.contains("Read your contacts"));
    let alices = s.dashboard().await;
    assert!(alices.contains("Contoso Test Site") && !alices.contains("Fabrikam"));
}

#[tokio::test]
async fn the_dashboard_groups_families_and_shows_expired_grants_apart() {
    let s = Setup::new().await;
    s.grant_to(&s.site.appid, &s.alice, &[("Contacts.Read", 7 * DAY)]);
    s.grant_to(
        &s.site.appid,
        &s.alice,
        &[("Contacts.Read", 30 * DAY), ("News.Read", -DAY)],
    );
    let html = s.dashboard().await;
    assert_eq!(
        html.matches("permission=Contacts.Read\"").count(),
        1,
        "one row"
    );
    assert!(
        html.contains("expires in 30 days"),
        "the latest expiry counts"
    );
    assert!(html.contains("<dt>Website</dt><dd><strong class=\"host\">contoso.example</strong>"));
    assert!(html.contains("Privacy policy"));
    assert!(html.contains("Last renewed"));
    let expired = &html[html
        .find("id=\"expired-title\"")
        .expect("an expired section")..];
    assert!(expired.contains("Read your news feed"));
    assert!(
        !html.contains("permission=News.Read\""),
        "expired is not revocable access"
    );
    // The old alias serves the same page.
    let alias = s.app.get("/ManageConsent.aspx").await;
    assert_eq!(alias.status(), 200);
    assert!(alias.text().await.unwrap().contains("expires in 30 days"));
}

#[tokio::test]
async fn the_account_pages_send_signed_out_visitors_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    let anonymous = browser();
    for (path, next) in [
        ("/account/consents", "%2Faccount%2Fconsents"),
        ("/ManageConsent.aspx", "%2FManageConsent.aspx"),
        ("/account/history?page=2", "%2Faccount%2Fhistory%3Fpage%3D2"),
        ("/account", "%2Faccount"),
    ] {
        let r = anonymous
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(location(&r), format!("/signin?next={next}"));
    }
}
