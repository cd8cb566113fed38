//! Coalesced check reads: concurrent checks share one read of their families and limiter counts,
//! and a revocation is seen at once by every check sent after it committed, whichever batch it
//! lands in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use assent::db::DbError;
use serde_json::Value;

use super::{inactive, World};

/// `n` checks of `tokens` (round robin) sent at once; their answers in order.
async fn checks_at_once(w: &World, tokens: &[String], n: usize) -> Vec<Value> {
    let url = format!("{}/delegation/check", w.app.address);
    let mut tasks = Vec::new();
    for i in 0..n {
        let (client, url) = (w.app.client.clone(), url.clone());
        let (rp, secret) = (w.contacts.rp_id.clone(), w.contacts.secret.clone());
        let token = tokens[i % tokens.len()].clone();
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .basic_auth(rp, Some(secret))
                .form(&[("token", token.as_str()), ("permission", "Contacts.Read")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_checks_share_reads_and_see_a_revocation_at_once() {
    let w = World::new().await;
    let revoked = w.grant(&["Contacts.Read"]);
    let kept = w.grant(&["Contacts.Read"]);
    let tokens = [
        revoked.delegation_token.clone(),
        kept.delegation_token.clone(),
    ];
    // The first check of each token verifies its signature (the full path); later ones are
    // prepared from the caches and read in batches.
    for t in &tokens {
        assert_eq!(
            w.check(&w.contacts, &[("token", t.as_str())]).await["active"],
            true
        );
    }
    let reads = &w.app.state.check_reads;
    let (batches, requests) = reads.shared();
    let answers = checks_at_once(&w, &tokens, 200).await;
    assert!(answers.iter().all(|a| a["active"] == true), "{answers:?}");
    let (batches, requests) = {
        let (b, r) = reads.shared();
        (b - batches, r - requests)
    };
    assert_eq!(requests, 200, "every check took the coalesced path");
    assert!(
        batches < requests,
        "{batches} reads for {requests} checks: none was shared"
    );

    // Checks keep arriving while the revocation commits.
    let stop = Arc::new(AtomicBool::new(false));
    let background = {
        let (client, url) = (
            w.app.client.clone(),
            format!("{}/delegation/check", w.app.address),
        );
        let (rp, secret) = (w.contacts.rp_id.clone(), w.contacts.secret.clone());
        let (token, stop) = (tokens[0].clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .post(&url)
                    .basic_auth(&rp, Some(&secret))
                    .form(&[("token", token.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        })
    };
    let state = w.app.state.clone();
    let family = revoked.family_id;
    tokio::task::spawn_blocking(move || {
        state
            .db
            .transaction_sync::<_, DbError>(|conn| {
                Ok(assent::db::grant::revoke_family(
                    conn,
                    family,
                    "user",
                    assent::clock::now(),
                )?)
            })
            .unwrap()
    })
    .await
    .unwrap();
    // Every check sent after the commit: the revoked family is inactive, the other one is not.
    let answers = checks_at_once(&w, &tokens, 100).await;
    stop.store(true, Ordering::Relaxed);
    background.await.unwrap();
    for (i, answer) in answers.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(answer, &inactive(), "check {i} after the revocation");
        } else {
            assert_eq!(answer["active"], true, "check {i} of the other family");
        }
    }
}
