//! A client whose refresh answer was lost retries with the refresh token it still holds: within
//! `security.refresh_grace_secs`, while the token the rotation issued is unused, it gets that same
//! token again; otherwise presenting a rotated token is reuse and ends the grant (RFC 9700 section
//! 4.14.2). The OAuth side of the same rule is in `oauth::discovery_code_with_pkce_...`.

use crate::dashboard::Setup;
use crate::rotation::refresh_tokens_of;

const RETURN_URL: &str = "https://contoso.example/cb";

#[tokio::test]
async fn a_retry_within_the_grace_gets_the_same_refresh_token_and_writes_nothing() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let first = issued.refresh_token.expose();
    let (offer, next) = s.refresh("Contacts.Read", first).await.unwrap();

    let (again_offer, again) = s.refresh("Contacts.Read", first).await.unwrap();
    assert_eq!(again, next, "the same new refresh token");
    assert_eq!(again_offer, offer);
    assert_eq!(
        refresh_tokens_of(&s, issued.family_id),
        2,
        "a retry adds no token"
    );
    // The grant lives on: the new token rotates as usual.
    assert!(s.refresh("Contacts.Read", &next).await.is_ok());
}

#[tokio::test]
async fn a_retry_after_the_new_token_was_used_is_reuse() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let first = issued.refresh_token.expose();
    let (_, second) = s.refresh("Contacts.Read", first).await.unwrap();
    let (_, third) = s.refresh("Contacts.Read", &second).await.unwrap();

    assert_eq!(
        s.refresh("Contacts.Read", first).await,
        Err("refresh_token_reused".into())
    );
    assert_eq!(
        s.refresh("Contacts.Read", &third).await,
        Err("refresh_token_reused".into()),
        "reuse ended the whole grant"
    );
}

#[tokio::test]
async fn a_retry_after_the_grace_is_reuse() {
    let s = Setup::configured(RETURN_URL, |c| c.security.refresh_grace_secs = 1).await;
    let issued = s.grant(&["Contacts.Read"]);
    let first = issued.refresh_token.expose();
    let (_, next) = s.refresh("Contacts.Read", first).await.unwrap();
    // Unix seconds: more than one second after the rotation's second.
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;

    assert_eq!(
        s.refresh("Contacts.Read", first).await,
        Err("refresh_token_reused".into())
    );
    assert_eq!(
        s.refresh("Contacts.Read", &next).await,
        Err("refresh_token_reused".into())
    );
}

#[tokio::test]
async fn without_a_grace_a_rotated_token_presented_again_is_reuse() {
    let s = Setup::configured(RETURN_URL, |c| c.security.refresh_grace_secs = 0).await;
    let issued = s.grant(&["Contacts.Read"]);
    let first = issued.refresh_token.expose();
    let (_, next) = s.refresh("Contacts.Read", first).await.unwrap();

    assert_eq!(
        s.refresh("Contacts.Read", first).await,
        Err("refresh_token_reused".into())
    );
    assert_eq!(
        s.refresh("Contacts.Read", &next).await,
        Err("refresh_token_reused".into())
    );
}

#[tokio::test]
async fn a_retry_after_the_user_removed_the_app_grants_nothing() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let first = issued.refresh_token.expose();
    let (_, next) = s.refresh("Contacts.Read", first).await.unwrap();
    s.remove_app(&s.app.client, &s.site.appid).await;

    let retried = s.refresh("Contacts.Read", first).await;
    assert!(retried.is_err(), "{retried:?}");
    assert!(s.refresh("Contacts.Read", &next).await.is_err());
}
