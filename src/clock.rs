//! The only caller of `Utc::now()`. Everything else takes `now` (Unix seconds) as a parameter, so rules
//! about expiry are testable without waiting.

/// Current time as Unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Current time as Unix microseconds (for ids that sort by time).
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}
