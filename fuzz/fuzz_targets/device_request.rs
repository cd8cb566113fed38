//! `POST /tokens` bodies (JSON or form) with any content type: parsed or refused, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for content_type in [
        None,
        Some("application/json"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let _ = assent::device::TokenRequest::parse(content_type, data);
    }
});
