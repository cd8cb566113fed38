//! `ps` lists, OAuth scopes and single permissions: never panic, and what parses prints back to
//! itself (the printed form parses to the same permission).
#![no_main]
use assent::domain::permission::{Permission, PermissionList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = Permission::parse(&text) {
        assert_eq!(Permission::parse(&p.to_string()).ok(), Some(p));
    }
    for list in [
        PermissionList::parse_ps(&text),
        PermissionList::parse_scope(&text),
    ]
    .into_iter()
    .flatten()
    {
        for p in list.iter() {
            assert_eq!(Permission::parse(&p.to_string()).ok().as_ref(), Some(p));
        }
    }
    let _ = assent::domain::permission::parse_expiry_days(&text);
});
