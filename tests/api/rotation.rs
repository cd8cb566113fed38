//! A refresh reads first and writes in one short transaction after. These tests put another party's
//! change exactly between the two (by handing `refresh_rows` what it read before that change) and
//! check that the change wins: a revocation is never undone, a concurrent rotation is reuse (or,
//! within the retry grace, the same answer as the rotation that won: never a second token).

use assent::db::DbError;
use assent::tokens::{Presented, RefreshOutcome, RefreshRefusal};

use crate::dashboard::Setup;

/// Read the presented token as a refresh would, before anything else happens.
fn read(s: &Setup, reft: &str) -> Presented {
    s.app
        .state
        .db
        .run_sync(|conn| Presented::read(conn, reft))
        .unwrap()
        .expect("the token exists")
}

/// The write half of a refresh with what `read` saw earlier, at `now`; the refresh token it issued.
fn rotate_with(s: &Setup, reft: &str, earlier: Presented, now: i64) -> RefreshOutcome<String> {
    let state = &s.app.state;
    let application_id = earlier.family.application_id;
    let outcome = state
        .db
        .run_sync(|conn| {
            state.issuer.refresh_rows(
                conn,
                Some(&state.db),
                reft,
                Some(earlier.clone()),
                application_id,
                &s.site.appid,
                None,
                now,
            )
        })
        .unwrap();
    match outcome {
        RefreshOutcome::Issued(u) => RefreshOutcome::Issued(u.refresh_token.into_exposed()),
        RefreshOutcome::Refused(r) => RefreshOutcome::Refused(r),
    }
}

/// How many refresh tokens family `family` holds (consumed or not).
pub fn refresh_tokens_of(s: &Setup, family: i64) -> i64 {
    use assent::db::schema::refresh_tokens::dsl::*;
    use diesel::prelude::*;
    s.app
        .state
        .db
        .run_sync(|conn| {
            refresh_tokens
                .filter(family_id.eq(family))
                .count()
                .get_result::<i64>(conn)
                .map_err(DbError::from)
        })
        .unwrap()
}

#[tokio::test]
async fn a_removal_between_the_read_and_the_write_of_a_refresh_wins() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let earlier = read(&s, issued.refresh_token.expose());
    assert!(earlier.token.consumed_at.is_none());

    s.remove_app(&s.app.client, &s.site.appid).await;
    assert!(matches!(
        rotate_with(
            &s,
            issued.refresh_token.expose(),
            earlier,
            assent::clock::now()
        ),
        RefreshOutcome::Refused(RefreshRefusal::FamilyRevoked)
    ));
    assert_eq!(
        refresh_tokens_of(&s, issued.family_id),
        1,
        "no new refresh token was written"
    );
}

#[tokio::test]
async fn a_rotation_between_the_read_and_the_write_of_a_refresh_is_reuse_after_the_grace() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let earlier = read(&s, issued.refresh_token.expose());

    // Another request rotates the same token first.
    let (_, next) = s
        .refresh("Contacts.Read", issued.refresh_token.expose())
        .await
        .unwrap();
    let later = assent::clock::now() + s.app.state.issuer.refresh_grace_secs + 1;
    assert!(matches!(
        rotate_with(&s, issued.refresh_token.expose(), earlier, later),
        RefreshOutcome::Refused(RefreshRefusal::Reused)
    ));
    // Reuse ends the whole family, including the token the other request received.
    assert_eq!(
        s.refresh("Contacts.Read", &next).await,
        Err("refresh_token_reused".into())
    );
}

#[tokio::test]
async fn a_rotation_between_the_read_and_the_write_within_the_grace_gets_the_same_token() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read"]);
    let earlier = read(&s, issued.refresh_token.expose());

    let (_, next) = s
        .refresh("Contacts.Read", issued.refresh_token.expose())
        .await
        .unwrap();
    match rotate_with(
        &s,
        issued.refresh_token.expose(),
        earlier,
        assent::clock::now(),
    ) {
        RefreshOutcome::Issued(token) => assert_eq!(token, next, "the same successor, no fork"),
        other => panic!("expected the same token again, got {other:?}"),
    }
    assert_eq!(
        refresh_tokens_of(&s, issued.family_id),
        2,
        "the first token and its one successor"
    );
    assert!(s.refresh("Contacts.Read", &next).await.is_ok());
}
