//! `Authorization: Basic` values: any header parses or is refused; a parsed pair encodes back to a
//! header that parses to it.
#![no_main]
use assent::oauth::client::{basic, basic_raw};
use base64::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    let _ = basic(Some(&header));
    if let Some((user, password)) = basic_raw(Some(&header)) {
        let again = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        assert_eq!(
            basic_raw(Some(&format!("Basic {again}"))),
            Some((user, password))
        );
    }
});
