//! Property tests: the envelopes open to what was sealed and to nothing else, and the permission
//! algebra (`Full` implies exactly the grantable actions of its own offer).

use assent::crypto::live::{open_with_any, seal_with_iv, AppKeys};
use assent::crypto::ServerKey;
use assent::domain::permission::{Catalogue, Permission};
use proptest::prelude::*;

const ACTIONS: [&str; 6] = ["Read", "Write", "Full", "View", "Send", "Delete"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_live_envelope_opens_to_its_plaintext_and_only_with_its_secret(
        plaintext in "[A-Za-z0-9=&%._~ -]{0,200}",
        secret in "[ -~]{1,40}",
        other in "[ -~]{1,40}",
        iv in any::<[u8; 16]>(),
    ) {
        let keys = AppKeys::derive(&secret);
        let sealed = seal_with_iv(&keys, &plaintext, iv);
        let opened = open_with_any(std::slice::from_ref(&keys), &sealed).unwrap();
        let prefix = format!("{plaintext}&sig=");
        prop_assert!(opened.plaintext.starts_with(&prefix));
        if other != secret {
            prop_assert!(open_with_any(&[AppKeys::derive(&other)], &sealed).is_err());
        }
    }

    #[test]
    fn a_server_key_seal_opens_only_in_its_context(
        data in proptest::collection::vec(any::<u8>(), 0..300),
        key in any::<[u8; 32]>(),
        context in "[a-z-]{1,20}",
    ) {
        let key = ServerKey::parse(&hex::encode(key)).unwrap();
        let sealed = key.seal(&context, &data).unwrap();
        prop_assert_eq!(key.open(&context, &sealed).unwrap(), data);
        let other_context = format!("{context}x");
        prop_assert!(key.open(&other_context, &sealed).is_err());
    }

    #[test]
    fn a_permission_prints_back_to_itself(offer in "[A-Z][A-Za-z0-9]{0,15}", action in 0..6usize) {
        let text = format!("{offer}.{}", ACTIONS[action]);
        let p = Permission::parse(&text).unwrap();
        prop_assert_eq!(p.to_string(), text);
        prop_assert_eq!(Permission::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn full_implies_exactly_the_grantable_actions_of_its_own_offer(
        grantable in proptest::collection::vec(any::<bool>(), 6),
        wanted in 0..6usize,
        other_offer in any::<bool>(),
    ) {
        let mut catalogue = Catalogue::new();
        for (action, g) in ACTIONS.iter().zip(&grantable) {
            catalogue.add("Mail", action, "mail", *g, 1);
            catalogue.add("News", action, "news", true, 2);
        }
        let offer = if other_offer { "News" } else { "Mail" };
        let wanted_p = Permission::parse(&format!("{offer}.{}", ACTIONS[wanted])).unwrap();
        let full = Permission::parse("Mail.Full").unwrap();
        let expected = wanted_p == full || (!other_offer && grantable[wanted]);
        prop_assert_eq!(catalogue.implies(&full, &wanted_p), expected);
        // Any other held action implies only itself.
        let read = Permission::parse("Mail.Read").unwrap();
        prop_assert_eq!(catalogue.implies(&read, &wanted_p), wanted_p == read);
        prop_assert_eq!(catalogue.allows(&[read, full.clone()], &wanted_p),
            expected || wanted_p == Permission::parse("Mail.Read").unwrap());
    }
}
