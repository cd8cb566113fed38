//! `/static/*`: the stylesheet and the small static scripts, embedded in the binary.

use actix_web::{web, HttpResponse};

use crate::error::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../static/style.css"),
    ),
    (
        "autosubmit.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/autosubmit.js"),
    ),
    (
        "tz.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/tz.js"),
    ),
    (
        "consent.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/consent.js"),
    ),
];

/// `GET /static/{file}`.
pub async fn asset(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == file.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(*body))
}
