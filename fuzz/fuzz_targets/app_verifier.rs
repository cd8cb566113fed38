//! The application verifier (`app=appid=..&ts=..&sig=..`): never panics; what parses verifies only
//! with the key that signed it.
#![no_main]
use assent::crypto::live::{build_app_verifier, parse_app_verifier, AppKeys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_app_verifier(&text);
    // A well-formed verifier around the fuzzed appid round-trips.
    let keys = AppKeys::derive("fuzzing secret");
    let appid: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    if !appid.is_empty() {
        let built = build_app_verifier(&appid, 1_700_000_000, &keys);
        let parsed = parse_app_verifier(&built).expect("a built verifier parses");
        assert_eq!(parsed.appid, appid);
    }
});
