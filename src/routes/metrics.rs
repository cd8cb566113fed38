//! `GET /metrics`, served on the metrics listener only (`metrics.bind`), never on the public one.

use actix_web::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use actix_web::HttpResponse;

/// The Prometheus text exposition format, version 0.0.4.
const CONTENT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Every metric, as Prometheus scrapes it.
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(CONTENT)))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(crate::metrics::render())
}

/// Anything else on the metrics listener.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("not found: this listener serves GET /metrics only\n")
}
