//! The lenient Live query parser (docs/protocol.md section 0): any bytes parse, and what it finds
//! it finds again in its own output's terms (each name's value is one of the pairs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let params = assent::delauth::Params::parse(&query);
    for name in ["ps", "ru", "app", "appctx", "reft", "mkt", "pl"] {
        let _ = params.get(name);
    }
});
