//! `assent catalogue apply` files: any text parses or is refused with a message.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = assent::admin::catalogue::parse_file(&text);
});
