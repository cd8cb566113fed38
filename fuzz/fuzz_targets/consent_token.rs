//! ConsentToken and `stoken` envelopes (docs/protocol.md section 1): opening any input never
//! panics and opens nothing not sealed with the key; sealing a fuzzed plaintext opens to it again.
#![no_main]
use assent::crypto::live::{open_consent_token_field, open_with_any, seal_with_iv, AppKeys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = [AppKeys::derive("fuzzing secret")];
    let text = String::from_utf8_lossy(data);
    let _ = open_consent_token_field(&keys, &text);
    let _ = open_with_any(&keys, &text);
    let plaintext: String = text.chars().filter(|c| *c != '\0').collect();
    let sealed = seal_with_iv(&keys[0], &plaintext, [7u8; 16]);
    let opened = open_with_any(&keys, &sealed).expect("a sealed plaintext opens");
    assert!(opened.plaintext.starts_with(&format!("{plaintext}&sig=")));
    assert!(open_with_any(&[AppKeys::derive("another secret")], &sealed).is_err());
});
