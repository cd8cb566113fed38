//! The OAuth side of the metrics: grants, refreshes and reuse under `protocol="oauth"`, families
//! ended for a replayed code and for RFC 7009, and the client-secret limiter.

use oauth2::{AuthorizationCode, PkceCodeVerifier, TokenResponse};

use super::{code_for, http, is_invalid_grant, revoke, signed_in_with};
use crate::metrics::{alone, delta, Scrape};

#[tokio::test]
async fn oauth_flows_are_counted_under_their_protocol_and_reasons() {
    if !alone("oauth::metrics::oauth_flows_are_counted_under_their_protocol_and_reasons") {
        return;
    }
    // Without the retry grace, so that the old refresh token presented at once is reuse.
    let (app, registered, client) = signed_in_with(|c| c.security.refresh_grace_secs = 0).await;
    let http = http();
    let before = Scrape::of(&app).await;
    let ticked = [("Contacts.Read", "30")];

    // Code, refresh, the old refresh token again: reuse.
    let (code, verifier) = code_for(&app, &client, &["Contacts.Read"], &ticked).await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let first = token.refresh_token().unwrap().clone();
    client
        .exchange_refresh_token(&first)
        .request_async(&http)
        .await
        .unwrap();
    assert!(is_invalid_grant(
        client
            .exchange_refresh_token(&first)
            .request_async(&http)
            .await
    ));
    // A code exchanged twice: the family it issued ends.
    let (code, verifier) = code_for(&app, &client, &["Contacts.Read"], &ticked).await;
    let again = PkceCodeVerifier::new(verifier.secret().clone());
    client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    assert!(is_invalid_grant(
        client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(again)
            .request_async(&http)
            .await
    ));
    // RFC 7009: the client revokes its refresh token.
    let (code, verifier) = code_for(&app, &client, &["Contacts.Read"], &ticked).await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let r = revoke(&app, &registered, token.refresh_token().unwrap().secret()).await;
    assert_eq!(r.status(), 200);
    // Wrong client secrets until the limiter refuses (10 per client by default).
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let r = reqwest::Client::new()
            .post(format!("{}/oauth2/token", app.address))
            .basic_auth(&registered.appid, Some("not-the-secret"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");

    let after = Scrape::of(&app).await;
    let d = |name: &str, labels: &[(&str, &str)]| delta(&before, &after, name, labels);
    let oauth = [("protocol", "oauth")];
    assert_eq!(d("assent_grants_issued_total", &oauth), 3.0);
    assert_eq!(d("assent_grants_issued_total", &[]), 3.0);
    let outcome = |o| [("protocol", "oauth"), ("outcome", o)];
    assert_eq!(d("assent_refreshes_total", &outcome("issued")), 1.0);
    assert_eq!(d("assent_refreshes_total", &outcome("reused")), 1.0);
    assert_eq!(d("assent_refresh_reuse_detected_total", &oauth), 1.0);
    for reason in ["reuse", "code_replay", "client"] {
        let labels = [("reason", reason)];
        assert_eq!(d("assent_revocations_total", &labels), 1.0, "{reason}");
    }
    assert_eq!(d("assent_revocations_total", &[]), 3.0);
    let secret = [("limiter", "secret"), ("by", "subject")];
    assert_eq!(d("assent_limiter_refusals_total", &secret), 1.0);
    assert_eq!(d("assent_limiter_refusals_total", &[]), 1.0);
    let token_429 = [("route", "/oauth2/token"), ("status", "429")];
    assert_eq!(d("assent_http_requests_total", &token_429), 1.0);
}
