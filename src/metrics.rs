//! Prometheus metrics: every name, label and bucket Assent exports is in this module, and every
//! call site records with one call to a function here. The README's metrics table lists [`ALL`]
//! (a unit test below keeps the two the same).
//!
//! Recording goes through the `metrics` facade to one process-wide recorder ([`install`], done by
//! `Application::build`); without it (CLI commands) every call is a no-op. The recorder renders the
//! text format at `GET /metrics` on the separate `metrics.bind` listener, never the public one.
//!
//! Label values come only from fixed sets (route patterns, never paths; known methods, reasons,
//! protocols, kinds), so no identifier or token ever becomes a label and cardinality stays bounded.
//! Counters are counted when the server decides (a storage failure that then rolls the write back
//! shows in the requests' 503s, not as a smaller count).

use std::sync::OnceLock;
use std::time::Duration;

use ::metrics::{counter, describe_counter, describe_histogram, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// HTTP requests answered, by `method`, `route` (the route pattern) and `status`.
pub const REQUESTS: &str = "assent_http_requests_total";
/// Time from a request's arrival to its response, by `method` and `route`.
pub const REQUEST_DURATION: &str = "assent_http_request_duration_seconds";
/// Time waited for a pooled database connection (every check-out, also those that failed).
pub const POOL_WAIT: &str = "assent_db_pool_wait_seconds";
/// Storage faults, by `kind`.
pub const DB_ERRORS: &str = "assent_db_errors_total";
/// Grant families issued (one per Live consent decided or OAuth code exchanged), by `protocol`.
pub const GRANTS: &str = "assent_grants_issued_total";
/// Refresh-token rotations, by `protocol` and `outcome`.
pub const REFRESHES: &str = "assent_refreshes_total";
/// Consumed refresh tokens presented again (each revokes its family), by `protocol`.
pub const REUSE: &str = "assent_refresh_reuse_detected_total";
/// Grant families ended, by `reason`.
pub const REVOCATIONS: &str = "assent_revocations_total";
/// Attempts refused by a rate limit, by `limiter` and `by` (`ip` or `subject`).
pub const LIMITER_REFUSALS: &str = "assent_limiter_refusals_total";
/// Reloads of the signing-key ring from storage, by `outcome` (`ok`, `error`).
pub const KEY_RELOADS: &str = "assent_key_reloads_total";
/// Log lines that could not be written and were dropped (the count `/readyz` shows).
pub const LOG_WRITES_DROPPED: &str = "assent_log_writes_dropped_total";
/// SQL statements that completed on pooled connections (benches/run divides it by the requests
/// of a row: queries per request).
pub const DB_STATEMENTS: &str = "assent_db_statements_total";

/// Statements completed so far (one atomic add per statement; read when `/metrics` renders).
static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Every metric: name, labels, help text (the README's table lists the same names and labels).
pub const ALL: &[(&str, &str, &str)] = &[
    (
        REQUESTS,
        "method, route, status",
        "HTTP requests answered on the public listener",
    ),
    (
        REQUEST_DURATION,
        "method, route",
        "Time from a request's arrival to its response",
    ),
    (
        POOL_WAIT,
        "",
        "Time a check-out waited for a pooled database connection",
    ),
    (DB_ERRORS, "kind", "Storage faults"),
    (
        GRANTS,
        "protocol",
        "Grants issued (one per consent decided or code exchanged)",
    ),
    (
        REFRESHES,
        "protocol, outcome",
        "Refresh-token rotations asked for",
    ),
    (REUSE, "protocol", "Consumed refresh tokens presented again"),
    (
        REVOCATIONS,
        "reason",
        "Grants ended, with their refresh tokens",
    ),
    (
        LIMITER_REFUSALS,
        "limiter, by",
        "Attempts refused by a rate limit (429)",
    ),
    (
        KEY_RELOADS,
        "outcome",
        "Reloads of the signing-key ring from storage",
    ),
    (
        LOG_WRITES_DROPPED,
        "",
        "Log lines that could not be written and were dropped",
    ),
    (
        DB_STATEMENTS,
        "",
        "SQL statements completed on pooled database connections",
    ),
];

/// `kind` of [`DB_ERRORS`]: no connection within `database.checkout_timeout_ms`.
pub const CHECKOUT_TIMEOUT: &str = "checkout_timeout";
/// `kind`: storage work past its bound (a stalled database or network).
pub const TIMEOUT: &str = "timeout";
/// `kind`: a connection found dead after a failed call (it leaves the pool).
pub const DEAD_CONNECTION: &str = "dead_connection";
/// `kind`: opening a new connection failed.
pub const CONNECT: &str = "connect";
const DB_ERROR_KINDS: [&str; 4] = [CHECKOUT_TIMEOUT, TIMEOUT, DEAD_CONNECTION, CONNECT];

const PROTOCOLS: [&str; 2] = ["live", "oauth"];
/// `outcome` of [`REFRESHES`]: `issued` or why it was refused (see `RefreshOutcome::label`).
pub const REFRESH_OUTCOMES: [&str; 7] = [
    "issued",
    "unknown",
    "reused",
    "family_revoked",
    "consent_revoked",
    "consent_expired",
    "not_granted",
];
const REASONS: [&str; 4] = ["reuse", "code_replay", "client", "user"];
const LIMITERS: [&str; 3] = ["signin", "secret", "signup"];
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/// Request latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Pool wait buckets, in seconds: 0.1 ms (free connection) to 10 s (past any check-out bound).
const POOL_WAIT_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// How often recorded histogram samples are drained into their buckets (each scrape does it too),
/// so memory stays flat when nothing scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Install the process-wide recorder (once; later calls return the same handle). Every metric of
/// a fixed label set starts at 0, so a rate can be computed from the first scrape on.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = builder().install_recorder().unwrap_or_else(|e| {
                // Another recorder was installed first: render from one that sees nothing rather
                // than fail to start.
                tracing::warn!(error = %e, "a metrics recorder was installed already");
                builder().build_recorder().handle()
            });
            describe_all();
            preregister();
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                });
            if let Err(e) = spawned {
                // Scrapes still drain what was recorded.
                tracing::warn!(error = %e, "the metrics upkeep thread could not start");
            }
            handle
        })
        .clone()
}

fn builder() -> PrometheusBuilder {
    let builder = PrometheusBuilder::new();
    let with_buckets = builder
        .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.into()), LATENCY_BUCKETS)
        .and_then(|b| b.set_buckets_for_metric(Matcher::Full(POOL_WAIT.into()), POOL_WAIT_BUCKETS));
    // The bucket lists are not empty, the only error these calls have.
    with_buckets.unwrap_or_default()
}

fn describe_all() {
    for (name, _, help) in ALL {
        if name.ends_with("_seconds") {
            describe_histogram!(*name, Unit::Seconds, *help);
        } else {
            describe_counter!(*name, Unit::Count, *help);
        }
    }
}

fn preregister() {
    for kind in DB_ERROR_KINDS {
        counter!(DB_ERRORS, "kind" => kind).absolute(0);
    }
    for protocol in PROTOCOLS {
        counter!(GRANTS, "protocol" => protocol).absolute(0);
        counter!(REUSE, "protocol" => protocol).absolute(0);
        for outcome in REFRESH_OUTCOMES {
            counter!(REFRESHES, "protocol" => protocol, "outcome" => outcome).absolute(0);
        }
    }
    for reason in REASONS {
        counter!(REVOCATIONS, "reason" => reason).absolute(0);
    }
    for limiter in LIMITERS {
        for by in ["ip", "subject"] {
            counter!(LIMITER_REFUSALS, "limiter" => limiter, "by" => by).absolute(0);
        }
    }
    for outcome in ["ok", "error"] {
        counter!(KEY_RELOADS, "outcome" => outcome).absolute(0);
    }
    counter!(LOG_WRITES_DROPPED).absolute(0);
    counter!(DB_STATEMENTS).absolute(0);
}

/// A statement completed on a pooled connection (counted for [`DB_STATEMENTS`]).
pub fn statement() {
    STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The text exposition of every metric (`GET /metrics` on the metrics listener).
pub fn render() -> String {
    let handle = install();
    counter!(LOG_WRITES_DROPPED).absolute(crate::telemetry::dropped_log_writes());
    counter!(DB_STATEMENTS).absolute(STATEMENTS.load(std::sync::atomic::Ordering::Relaxed));
    handle.run_upkeep();
    handle.render()
}

/// `label` if it is one of `known`, else `other`: no value from outside becomes a label.
fn known(label: &str, known: &[&'static str]) -> &'static str {
    known
        .iter()
        .find(|k| **k == label)
        .copied()
        .unwrap_or("other")
}

/// One request answered: `route` is the matched route pattern (or a fixed text when none matched).
pub fn request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let method = known(method, &METHODS);
    let route = route.to_string();
    counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    histogram!(REQUEST_DURATION, "method" => method, "route" => route).record(elapsed);
}

/// One pool check-out, waited `waited`; one that failed is a [`CHECKOUT_TIMEOUT`] too.
pub fn pool_checkout(waited: Duration, ok: bool) {
    histogram!(POOL_WAIT).record(waited);
    if !ok {
        db_error(CHECKOUT_TIMEOUT);
    }
}

/// A storage fault of `kind` (one of this module's kind constants).
pub fn db_error(kind: &'static str) {
    counter!(DB_ERRORS, "kind" => kind).increment(1);
}

/// A grant family issued through `protocol` (`live` or `oauth`).
pub fn grant_issued(protocol: &str) {
    counter!(GRANTS, "protocol" => known(protocol, &PROTOCOLS)).increment(1);
}

/// A refresh through `protocol` ended with `outcome` (one of [`REFRESH_OUTCOMES`]); `reused` is a
/// reuse detection as well.
pub fn refresh(protocol: &'static str, outcome: &'static str) {
    counter!(REFRESHES, "protocol" => protocol, "outcome" => outcome).increment(1);
    if outcome == "reused" {
        counter!(REUSE, "protocol" => protocol).increment(1);
    }
}

/// A grant family ended for `reason` (its stored form: `reuse`, `code_replay`, `client`, `user`).
pub fn revocation(reason: &str) {
    counter!(REVOCATIONS, "reason" => known(reason, &REASONS)).increment(1);
}

/// The limiter `limiter` refused an attempt because the count `by` (`ip` or `subject`) was over.
pub fn limiter_refusal(limiter: &'static str, by: &'static str) {
    counter!(LIMITER_REFUSALS, "limiter" => limiter, "by" => by).increment(1);
}

/// The signing-key ring was reloaded from storage with `result` (passed through).
pub fn key_reload<T, E>(result: Result<T, E>) -> Result<T, E> {
    let outcome = if result.is_ok() { "ok" } else { "error" };
    counter!(KEY_RELOADS, "outcome" => outcome).increment(1);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's metrics table: the rows between the `<!-- metrics -->` markers.
    fn readme_rows() -> Vec<(String, String)> {
        let readme = include_str!("../README.md");
        let start = readme.find("<!-- metrics -->").expect("start marker");
        let end = readme.find("<!-- /metrics -->").expect("end marker");
        readme[start..end]
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                let labels = cells.get(2)?.replace('`', "").replace("(none)", "");
                Some((name.to_string(), labels))
            })
            .collect()
    }

    #[test]
    fn the_readme_lists_every_metric_with_its_labels_and_nothing_else() {
        let rows = readme_rows();
        let listed: Vec<(String, String)> = ALL
            .iter()
            .map(|(name, labels, _)| (name.to_string(), labels.to_string()))
            .collect();
        assert_eq!(rows, listed);
    }

    #[test]
    fn a_label_from_outside_a_known_set_is_other() {
        assert_eq!(known("GET", &METHODS), "GET");
        assert_eq!(known("BREW", &METHODS), "other");
        assert_eq!(known("live", &PROTOCOLS), "live");
        assert_eq!(known("x", &REASONS), "other");
    }

    #[test]
    fn every_refusal_reason_and_revocation_reason_has_a_label() {
        use crate::tokens::{RefreshOutcome, RefreshRefusal, RevokeReason};
        for r in [
            RefreshRefusal::Unknown,
            RefreshRefusal::Reused,
            RefreshRefusal::FamilyRevoked,
            RefreshRefusal::ConsentRevoked,
            RefreshRefusal::ConsentExpired,
            RefreshRefusal::NotGranted,
        ] {
            assert!(REFRESH_OUTCOMES.contains(&RefreshOutcome::<()>::Refused(r).label()));
        }
        assert!(REFRESH_OUTCOMES.contains(&RefreshOutcome::Issued(()).label()));
        for r in [
            RevokeReason::Reuse,
            RevokeReason::CodeReplay,
            RevokeReason::Client,
            RevokeReason::User,
        ] {
            assert!(REASONS.contains(&r.as_str()));
        }
    }

    #[test]
    fn histograms_render_as_histograms_with_the_buckets_and_counters_with_their_labels() {
        let recorder = builder().build_recorder();
        let handle = recorder.handle();
        ::metrics::with_local_recorder(&recorder, || {
            request("GET", "/tokens/{id}", 200, Duration::from_millis(3));
            request("BREW", "(no route)", 404, Duration::from_millis(1));
            pool_checkout(Duration::from_micros(50), false);
            refresh("live", "reused");
        });
        let text = handle.render();
        assert!(
            text.contains(
                "assent_http_requests_total{method=\"GET\",route=\"/tokens/{id}\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("method=\"other\",route=\"(no route)\",status=\"404\""));
        assert!(text.contains(
            "assent_http_request_duration_seconds_bucket{method=\"GET\",route=\"/tokens/{id}\",le=\"0.005\"} 1"
        ), "{text}");
        assert!(text.contains(
            "assent_http_request_duration_seconds_bucket{method=\"GET\",route=\"/tokens/{id}\",le=\"0.0025\"} 0"
        ));
        assert!(text.contains("assent_db_pool_wait_seconds_bucket{le=\"0.0001\"} 1"));
        assert!(text.contains("assent_db_errors_total{kind=\"checkout_timeout\"} 1"));
        assert!(text.contains("assent_refresh_reuse_detected_total{protocol=\"live\"} 1"));
    }
}
