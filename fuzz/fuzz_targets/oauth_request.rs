//! The OAuth request adapter: form or query pairs, including repeated parameters, never panic; a
//! parameter given twice is never taken as given once.
#![no_main]
use assent::oauth::authorize::single;
use assent::oauth::request::OAuthReq;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let _ = OAuthReq::from_query(&pairs);
    for name in [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
    ] {
        let count = pairs.iter().filter(|(n, _)| n == name).count();
        if single(&pairs, name).is_some() {
            assert_eq!(count, 1, "{name} taken once from {count} occurrences");
        }
    }
    let registered = ["https://client.example/cb".to_string()];
    let _ = assent::oauth::authorize::redirect_uri(&pairs, &registered);
});
