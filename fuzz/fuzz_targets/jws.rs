//! Delegation tokens (compact JWS, EdDSA): no input panics the parser, and none verifies but one
//! the key signed.
#![no_main]
use assent::crypto::jws::{peek_kid, verify, verify_with, DelegationClaims, SigningKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_seed(&[9u8; 32]).expect("a key from a seed");
    let vk = key.verifying_key();
    let token = String::from_utf8_lossy(data);
    let _ = peek_kid(&token);
    assert!(
        verify::<DelegationClaims>(&token, &vk, 0).is_err(),
        "a fuzzed token verified"
    );
    let _ = verify_with::<serde_json::Value, _, _>(&token, 0, |_| Some(vk.clone()));
});
