//! The consent decision form: any pairs parse or are refused, and a decision never holds a
//! permission the pending consent did not ask for.
#![no_main]
use assent::consent::decision::Decision;
use assent::consent::{PendingConsent, Protocol};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let pending = PendingConsent {
        id: "fuzz-pending".into(),
        appid: "00000000400D0A7E".into(),
        user_id: 1,
        permissions: vec!["Contacts.Read".into(), "News.Write".into()],
        return_url: "https://contoso.example/cb".into(),
        shown_at: 1_700_000_000,
        protocol: Protocol::Live {
            appctx: None,
            resource: None,
        },
        // One permission already allowed: its "keep until" choice is parsed too.
        kept: [("News.Write".to_string(), 1_700_864_000)].into_iter().collect(),
    };
    if let Ok(decision) = Decision::parse(&pairs, &pending, 1_700_000_000) {
        let shown = format!("{decision:?}");
        for (n, v) in &pairs {
            if n == "permission" {
                assert!(
                    pending.permissions.contains(v),
                    "{v} granted, not asked: {shown}"
                );
            }
        }
    }
});
