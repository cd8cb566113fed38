//! `GET /.well-known/jwks.json`: the public keys of delegation tokens (docs/protocol.md section 5).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::error::ProviderError;
use crate::state::AppState;

/// `GET /.well-known/jwks.json`: every key whose tokens may still be valid, read from storage so
/// every instance answers alike; cacheable for a minute.
pub async fn jwks(state: web::Data<AppState>) -> Result<HttpResponse, ProviderError> {
    let now = crate::clock::now();
    let shared = state.clone();
    let doc = state
        .db
        .run(move |conn| {
            let retention = shared.issuer.keys.retention_secs();
            crate::tokens::keys::jwks(conn, retention, now)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(doc))
}
