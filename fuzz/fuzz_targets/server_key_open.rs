//! Values sealed with the server key (pending consents in forms, signed cookies, CSRF tokens):
//! nothing forged opens or verifies.
#![no_main]
use assent::consent::PendingConsent;
use assent::crypto::ServerKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = ServerKey::parse(&"ab".repeat(32)).expect("a fixed key");
    let text = String::from_utf8_lossy(data);
    assert!(
        key.open("pending-consent", &text).is_err(),
        "a fuzzed value opened"
    );
    assert!(
        key.verify_cookie("assent_session", &text).is_none(),
        "a fuzzed cookie verified"
    );
    assert!(PendingConsent::open(&key, &text, 1, 1_700_000_000).is_err());
});
