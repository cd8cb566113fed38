//! The summary of a load run: requests, rate, p50/p99 latency, errors, broken chains.

use std::time::Duration;

/// The `p`th percentile (nearest rank) of sorted microseconds, in milliseconds.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

/// What one chain did.
#[derive(Default)]
pub struct ChainResult {
    pub latencies_us: Vec<u32>,
    pub ok: u64,
    pub status_errors: u64,
    pub socket_errors: u64,
    pub warmup_ok: u64,
    /// Answered after the measured window closed (neither measured nor warm-up).
    pub tail_ok: u64,
    /// The token to continue with; None when the chain broke.
    pub last_token: Option<String>,
    pub first_error: Option<String>,
}

/// The one JSON object the driver prints for a run of `chains` chains measured over `duration`.
pub fn summary(results: &[ChainResult], duration: Duration, chains: usize) -> serde_json::Value {
    let mut lat: Vec<u32> = results
        .iter()
        .flat_map(|r| r.latencies_us.iter().copied())
        .collect();
    lat.sort_unstable();
    let ok: u64 = results.iter().map(|r| r.ok).sum();
    let status_errors: u64 = results.iter().map(|r| r.status_errors).sum();
    let socket_errors: u64 = results.iter().map(|r| r.socket_errors).sum();
    let broken = results.iter().filter(|r| r.last_token.is_none()).count();
    let secs = duration.as_secs_f64();
    serde_json::json!({
        "requests": ok,
        "duration_s": secs,
        "rps": ok as f64 / secs,
        "p50_ms": percentile(&lat, 50.0),
        "p99_ms": percentile(&lat, 99.0),
        "status_errors": status_errors,
        "socket_errors": socket_errors,
        "errors": status_errors + socket_errors,
        "chains": chains,
        "broken_chains": broken,
        "warmup_requests": results.iter().map(|r| r.warmup_ok).sum::<u64>(),
        // Every successful answer (warm-up, measured and after the stop): each consumed one
        // refresh token, which benches/run checks against the database.
        "answered_ok": results.iter().map(|r| r.ok + r.warmup_ok + r.tail_ok).sum::<u64>(),
    })
}
