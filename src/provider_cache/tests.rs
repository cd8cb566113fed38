use super::*;

#[test]
fn a_url_encoded_token_is_decoded_until_no_escape_is_left() {
    assert_eq!(unescape_token("aa.bb.cc"), "aa.bb.cc");
    assert_eq!(unescape_token("aa%2Ebb%2ecc"), "aa.bb.cc");
    assert_eq!(unescape_token("aa%252Ebb%252Ecc"), "aa.bb.cc");
    assert_eq!(unescape_token(" aa.bb.cc\n"), "aa.bb.cc");
}

#[test]
fn garbage_escapes_are_left_alone_and_never_panic() {
    for raw in ["%", "%zz", "a%FFb", "%%%", "%25", "é%2"] {
        let _ = unescape_token(raw);
    }
    assert_eq!(unescape_token("a%FFb"), "a%FFb");
    assert_eq!(unescape_token("%zz"), "%zz");
    assert_eq!(unescape_token("%25"), "%");
}

fn snapshot() -> Arc<Snapshot> {
    let mut catalogue = Catalogue::new();
    catalogue.add("Contacts", "Read", "Read contacts", true, 7);
    catalogue.add("News", "Read", "Read news", true, 8);
    let providers = [("rp_a", 7, "s-a"), ("rp_b", 8, "s-b")]
        .into_iter()
        .map(|(rp_id, id, secret)| {
            let secret_hash = sha256_hex(secret.as_bytes());
            let rp = Arc::from(rp_id);
            (
                rp_id.to_string(),
                Credential {
                    id,
                    rp_id: rp,
                    secret_hash,
                },
            )
        })
        .collect();
    Arc::new(Snapshot {
        providers,
        catalogue: Arc::new(catalogue),
        loaded_at: 0,
    })
}

#[test]
fn only_the_right_secret_authenticates_and_a_provider_owns_only_its_offers() {
    let s = snapshot();
    let hash = |secret: &str| sha256_hex(secret.as_bytes());
    let a = s.verify("rp_a", &hash("s-a")).unwrap();
    assert_eq!(a.id(), 7);
    assert!(s.verify("rp_a", &hash("s-b")).is_none());
    assert!(s.verify("rp_c", &hash("s-a")).is_none());
    assert!(s.verify("rp_c", NO_SUCH_SECRET).is_none());
    let p = |s: &str| Permission::parse(s).unwrap();
    assert!(a.owns(&p("Contacts.Read")) && a.owns(&p("Contacts.Write")));
    assert!(!a.owns(&p("News.Read")) && !a.owns(&p("Music.Read")));
    assert_eq!(s.find("rp_b").map(|b| b.id()), Some(8));
}

#[test]
fn the_maximum_age_is_capped_and_a_clock_going_back_reloads() {
    let cache = ProviderCache::new(3600);
    assert_eq!(cache.max_age_secs, MAX_AGE_SECS);
    let s = snapshot();
    assert!(cache.fresh(&s, 59) && !cache.fresh(&s, 60) && !cache.fresh(&s, -1));
}
