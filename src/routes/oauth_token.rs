//! OAuth 2.0 token, revocation (RFC 7009) and introspection (RFC 7662) endpoints, and RFC 8414
//! metadata.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use super::web::{client_ip, form_pairs as pairs, oauth_response as to_http, only};
use crate::error::AppError;
use crate::oauth::error::OAuthError;
use crate::oauth::store::FlowContext;
use crate::oauth::{self, FlowError, OAuthReq, TokenAnswer};
use crate::ratelimit::Verdict;
use crate::state::AppState;

fn auth_header(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `POST /oauth2/token`. A request that is not one form, repeats a parameter (RFC 6749 3.1),
/// sends two `Authorization` headers or names two clients is the client's mistake:
/// `invalid_request`, never a 500. Client authentication is limited per `client_id` and IP (429
/// `too_many_attempts` past the limit).
pub async fn token(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return OAuthError::InvalidRequest("The token request needs a form body.").error_response();
    }
    let mut auths = req.headers().get_all(header::AUTHORIZATION);
    let auth = auths
        .next()
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if auths.next().is_some() {
        return OAuthError::InvalidRequest("The token request could not be read.").error_response();
    }
    let basic_client = oauth::client::basic(auth.as_deref()).map(|(id, _)| id);
    let request = match OAuthReq::from_token_form(pairs(&body), auth, basic_client.as_deref()) {
        Ok(request) => request,
        Err(oauth::request::BodyError::Repeated) => {
            return OAuthError::InvalidRequest("A request parameter is repeated.").error_response()
        }
        Err(oauth::request::BodyError::TwoMethods) => {
            return OAuthError::InvalidRequest(
                "Use one client authentication method: HTTP Basic or client_secret in the form.",
            )
            .error_response()
        }
        Err(oauth::request::BodyError::ClientMismatch) => {
            return OAuthError::InvalidRequest(
                "The client_id in the form is not the client of the Authorization header.",
            )
            .error_response()
        }
    };
    let value = |name: &str| request.body_value(name);
    let grant_type = value("grant_type").unwrap_or_default();
    if !matches!(grant_type.as_str(), "authorization_code" | "refresh_token") {
        return OAuthError::UnsupportedGrantType("Use authorization_code or refresh_token.")
            .error_response();
    }
    let (code, verifier) = (value("code"), value("code_verifier"));
    let redirect_uri = value("redirect_uri");
    let st = state.clone();
    let now = crate::clock::now();
    let ip = client_ip(&req);
    // A code exchange is one transaction (consume the code, create the grant); a refresh runs
    // outside one and its rotation is its own write transaction, with signing after the commit.
    let refresh = grant_type == "refresh_token";
    let db = state.db.clone();
    let run = move |conn: &mut crate::db::DbConnection| {
        let flow = FlowContext {
            issuer: &st.issuer,
            key: &st.key,
            now,
            expiries: BTreeMap::new(),
            redirect_uri: None,
            requested_scope: None,
            db: refresh.then_some(&db),
            client_limit: Some((&st.limits.secrets, &ip)),
        };
        let code = (!refresh).then(|| oauth::CodeExchange {
            code: code.as_deref().unwrap_or_default(),
            verifier: verifier.as_deref(),
            redirect_uri: redirect_uri.as_deref(),
        });
        Ok::<_, AppError>(oauth::token(
            conn,
            &flow,
            request.clone(),
            &grant_type,
            code,
        ))
    };
    let result = if refresh {
        state.db.run(run).await
    } else {
        state.db.transaction(run).await
    };
    match result {
        Ok(Ok(TokenAnswer::Flow(resp))) => to_http(resp, None),
        Ok(Ok(TokenAnswer::InvalidGrant(why))) => OAuthError::InvalidGrant(why).error_response(),
        Ok(Ok(TokenAnswer::InvalidTarget)) => {
            OAuthError::InvalidTarget("The resource is not one this grant can be used for.")
                .error_response()
        }
        Ok(Ok(TokenAnswer::TooManyAttempts(retry_after))) => {
            OAuthError::TooManyAttempts { retry_after }.error_response()
        }
        Ok(Err(FlowError::Invalid)) => {
            OAuthError::InvalidRequest("The token request is malformed.").error_response()
        }
        Ok(Err(FlowError::Storage(cause))) | Err(AppError::Unavailable(cause)) => {
            tracing::warn!(%cause, "token endpoint storage failure");
            OAuthError::TemporarilyUnavailable.error_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "token endpoint failure");
            OAuthError::ServerError("The token could not be issued.").error_response()
        }
    }
}

/// Client credentials from Basic or the form (`client_id` [+ `client_secret`]).
fn client_credentials(
    req: &HttpRequest,
    form: &[(String, String)],
) -> Option<(String, Option<String>)> {
    match oauth::client::basic(auth_header(req).as_deref()) {
        Some((id, secret)) => Some((id, Some(secret))),
        None => only(form, "client_id").map(|id| {
            (
                id.to_string(),
                only(form, "client_secret").map(str::to_string),
            )
        }),
    }
}

/// `POST /oauth2/revoke` (RFC 7009).
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form = pairs(&body);
    let Some((client_id, secret)) = client_credentials(&req, &form) else {
        return OAuthError::InvalidClient("Client authentication is required.").error_response();
    };
    let Some(token) = only(&form, "token").map(str::to_string) else {
        return OAuthError::InvalidRequest("The token parameter is required.").error_response();
    };
    let st = state.clone();
    let (now, ip) = (crate::clock::now(), client_ip(&req));
    let result = state
        .db
        .transaction(move |conn| {
            let app =
                oauth::client::authenticate(conn, &st.key, &client_id, secret.as_deref(), now)?;
            let limits = &st.limits.secrets;
            let verdict = limits.after_check(conn, &ip, &client_id, app.is_some(), now)?;
            let app = match (verdict, app) {
                (Verdict::Limited { retry_after }, _) => return Ok(Err(Some(retry_after))),
                (_, Some(app)) => app,
                (_, None) => return Ok(Err(None)),
            };
            oauth::revoke::revoke(conn, &st.issuer, &app, &token, now)
                .map(Ok)
                .map_err(AppError::from)
        })
        .await;
    match result {
        Ok(Ok(_)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Ok(Err(Some(retry_after))) => OAuthError::TooManyAttempts { retry_after }.error_response(),
        Ok(Err(None)) => {
            OAuthError::InvalidClient("Client authentication failed.").error_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "revocation storage failure");
            OAuthError::TemporarilyUnavailable.error_response()
        }
    }
}

/// `POST /oauth2/introspect` (RFC 7662), for resource providers (their rp_id and secret) and for
/// confidential clients about their own tokens (never a public client: 401 `invalid_client`); the
/// same logic as `/delegation/check`.
pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form = pairs(&body);
    let Some((user, secret)) = client_credentials(&req, &form) else {
        return OAuthError::InvalidClient("Authentication is required.").error_response();
    };
    let Some(token) = only(&form, "token").map(str::to_string) else {
        return OAuthError::InvalidRequest("The token parameter is required.").error_response();
    };
    let (now, ip) = (crate::clock::now(), client_ip(&req));
    // A resource provider known to the caches, with a token verified before: its family and the
    // limiter's counts are read in a batch with concurrent checks (see `db::coalesce`).
    let query = crate::provider_cache::ProviderQuery {
        token: &token,
        ..Default::default()
    };
    let presented = secret.as_deref().unwrap_or_default();
    if let Some(prepared) = state
        .providers
        .prepare(&state.issuer, &user, presented, &query, now)
    {
        let settled = prepared
            .settle(&state.check_reads, &state.limits.secrets, &ip, now)
            .await;
        return match settled {
            Ok(Err(retry_after)) => OAuthError::TooManyAttempts { retry_after }.error_response(),
            Ok(Ok(crate::provider_cache::CheckOutcome::Active(active))) => {
                introspection_answer(&state, Some(active))
            }
            Ok(Ok(_)) => introspection_answer(&state, None),
            Err(e) => {
                tracing::warn!(error = %e, "introspection storage failure");
                OAuthError::TemporarilyUnavailable.error_response()
            }
        };
    }
    let st = state.clone();
    let result = state
        .db
        .run(move |conn| {
            let token = crate::provider_cache::unescape_token(&token).into_owned();
            let check = crate::tokens::CheckRequest {
                token: &token,
                ..Default::default()
            };
            let secret = secret.clone().unwrap_or_default();
            let rp = st.providers.authenticate(conn, &user, &secret, now)?;
            let app = match rp {
                Some(_) => None,
                // Only confidential clients introspect (RFC 7662 section 2.1): a public client
                // has no credentials, and its client_id alone authenticates nothing.
                None => oauth::client::authenticate(conn, &st.key, &user, Some(&secret), now)?
                    .filter(|app| !app.is_public),
            };
            let right = rp.is_some() || app.is_some();
            let limits = &st.limits.secrets;
            if let Verdict::Limited { retry_after } =
                limits.after_check(conn, &ip, &user, right, now)?
            {
                return Ok(Err(Some(retry_after)));
            }
            if let Some(rp) = rp {
                return Ok(Ok(rp.check(&st.issuer, conn, &check, now)?));
            }
            // No permission is asked here, so the catalogue decides nothing: an empty one.
            let catalogue = crate::domain::permission::Catalogue::new();
            match app {
                Some(app) => Ok(Ok(crate::tokens::check(
                    &st.issuer,
                    conn,
                    &check,
                    &catalogue,
                    |_| true,
                    now,
                )?
                .filter(|active| active.client_id == app.appid))),
                None => Ok::<_, crate::tokens::TokenError>(Err(None)),
            }
        })
        .await;
    match result {
        Ok(Err(Some(retry_after))) => OAuthError::TooManyAttempts { retry_after }.error_response(),
        Ok(Err(None)) => OAuthError::InvalidClient("Authentication failed.").error_response(),
        Ok(Ok(active)) => introspection_answer(&state, active),
        Err(e) => {
            tracing::warn!(error = %e, "introspection storage failure");
            OAuthError::TemporarilyUnavailable.error_response()
        }
    }
}

/// The RFC 7662 answer for an active token, or `{"active":false}`.
fn introspection_answer(
    state: &AppState,
    active: Option<crate::tokens::ActiveToken>,
) -> HttpResponse {
    match active {
        None => HttpResponse::Ok().json(serde_json::json!({"active": false})),
        Some(active) => HttpResponse::Ok().json(serde_json::json!({
            "active": true,
            "scope": active.scope,
            "client_id": active.client_id,
            "sub": active.lid,
            "lid": active.lid,
            "offers": active.offers,
            "resource": active.resource,
            "exp": active.exp,
            "iat": active.iat,
            "iss": state.public_url,
            "token_type": "Bearer",
        })),
    }
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
pub async fn metadata(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let catalogue = state
        .db
        .run(|conn| crate::db::provider::catalogue(conn).map_err(AppError::from))
        .await?;
    let scopes: Vec<String> = catalogue
        .iter()
        .filter(|row| row.grantable)
        .map(|row| format!("{}.{}", row.offer, row.action))
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(oauth::metadata::metadata(&state.public_url, &scopes)))
}
