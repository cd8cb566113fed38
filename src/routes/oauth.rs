//! OAuth 2.0 authorization endpoint: the same consent page as the Live protocol. The flows run in
//! `crate::oauth`; this file converts HTTP. Token, revocation, introspection: `oauth_token.rs`.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::session::Visitor;
use crate::delauth::request::{ConsentRequest, PendingConsent};
use crate::delauth::AppContext;
use crate::domain::permission::{Permission, PermissionList};
use crate::error::AppError;
use crate::oauth::store::FlowContext;
use crate::oauth::{self, AuthorizeDecision, FlowError, OAuthReq, OAuthResp};
use crate::startup::AppState;

pub(super) fn pairs(data: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(data).into_owned().collect()
}

pub(super) fn only<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut values = pairs
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str());
    match (values.next(), values.next()) {
        (Some(v), None) => Some(v),
        _ => None,
    }
}

/// Append the RFC 9207 `iss` parameter to an authorization response redirect.
fn with_iss(location: &str, iss: &str) -> String {
    match url::Url::parse(location) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("iss", iss);
            url.into()
        }
        Err(_) => location.to_string(),
    }
}

pub(super) fn to_http(resp: OAuthResp, iss: Option<&str>) -> HttpResponse {
    let mut builder = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(resp.status)
            .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST),
    );
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(location) = &resp.location {
        let location = iss.map_or_else(|| location.clone(), |iss| with_iss(location, iss));
        builder.insert_header((header::LOCATION, location));
    }
    if let Some(www) = &resp.www_authenticate {
        builder.insert_header((header::WWW_AUTHENTICATE, www.as_str()));
    }
    match resp.body {
        Some((content_type, body)) => builder.content_type(content_type).body(body),
        None => builder.finish(),
    }
}

fn flow_error(e: FlowError) -> AppError {
    match e {
        FlowError::Invalid => AppError::BadRequest(
            "This authorization request is invalid (unknown client, unregistered redirect URI, \
             or malformed parameters)."
                .into(),
        ),
        FlowError::Storage(cause) => AppError::Unavailable(cause),
    }
}

/// `GET /oauth2/authorize`: sign-in if needed, then the consent page.
pub async fn authorize_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let query = pairs(req.query_string().as_bytes());
    let now = crate::clock::now();
    // Client and redirect URI are checked first: a bad one gets a page, never a redirect.
    let client_id = only(&query, "client_id")
        .ok_or_else(|| AppError::BadRequest("The request names no single client_id.".into()))?
        .to_string();
    let st = state.clone();
    let app = state
        .db
        .run(move |conn| {
            AppContext::load(conn, &st.key, &client_id, now)
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?
        .ok_or_else(|| AppError::BadRequest("This client is not registered with Assent.".into()))?;
    let redirect_uri = match query.iter().filter(|(n, _)| n == "redirect_uri").count() {
        0 => app.return_urls.first().cloned(),
        1 => only(&query, "redirect_uri")
            .filter(|r| app.is_registered(r))
            .map(str::to_string),
        _ => None,
    }
    .ok_or_else(|| {
        AppError::BadRequest(
            "The redirect_uri is not registered for this client; it must match exactly.".into(),
        )
    })?;
    let error_redirect = |code: &str| {
        let mut url =
            url::Url::parse(&redirect_uri).map_err(|e| AppError::Internal(e.to_string()))?;
        url.query_pairs_mut().append_pair("error", code);
        if let Some(s) = only(&query, "state") {
            url.query_pairs_mut().append_pair("state", s);
        }
        url.query_pairs_mut().append_pair("iss", &state.public_url);
        Ok::<_, AppError>(
            HttpResponse::Found()
                .insert_header((header::LOCATION, String::from(url)))
                .finish(),
        )
    };
    let scope = only(&query, "scope").map(PermissionList::parse_scope);
    let list = match scope {
        Some(Ok(list)) => list,
        _ => return error_redirect("invalid_scope"),
    };
    let resolved = state
        .db
        .run(move |conn| crate::catalogue::load(conn).map_err(AppError::from))
        .await?
        .resolve(&list);
    let Ok(permissions) = resolved else {
        return error_redirect("invalid_scope");
    };
    let mut visitor = Visitor::load(&req, &state).await?;
    let Some(user) = visitor.user().cloned() else {
        let back = format!("{}?{}", req.path(), req.query_string());
        let location = format!("/signin?next={}", crate::crypto::live::urlenc(&back));
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish());
    };
    let public_client = app.app.is_public;
    let consent = ConsentRequest {
        privacy_url: app.app.privacy_url.clone(),
        app,
        permissions,
        return_url: redirect_uri,
        appctx: None,
        resource: None,
    };
    let pending = PendingConsent {
        appid: consent.app.app.appid.clone(),
        user_id: user.id,
        permissions: consent
            .permissions
            .iter()
            .map(|p| p.permission.to_string())
            .collect(),
        return_url: consent.return_url.clone(),
        appctx: None,
        resource: None,
        shown_at: now,
        protocol: "oauth".into(),
        oauth: Some(serde_json::to_value(&query).map_err(|e| AppError::Internal(e.to_string()))?),
    };
    let mut ctx = tera::Context::new();
    ctx.insert("csrf", &visitor.csrf(&state)?);
    ctx.insert("user_email", &user.email);
    ctx.insert("request", &pending.seal(&state.key)?);
    super::consent::fill_page(&mut ctx, &consent);
    let page = OAuthResp {
        body: Some((
            "text/html; charset=utf-8",
            crate::templates::render("consent.html", &ctx)?,
        )),
        ..OAuthResp::default()
    };
    let st = state.clone();
    let resp = state
        .db
        .transaction(move |conn| {
            let flow = FlowContext {
                issuer: &st.issuer,
                key: &st.key,
                now,
                expiries: BTreeMap::new(),
                db: None,
            };
            let request = OAuthReq::from_query(&query);
            oauth::authorize(
                conn,
                &flow,
                request,
                AuthorizeDecision::Show(page),
                public_client,
            )
            .map_err(flow_error)
        })
        .await?;
    let mut http = to_http(resp, Some(&state.public_url));
    visitor.set_cookies(&state, &mut http);
    Ok(http)
}

/// The consent decision of an OAuth request (called by `POST /consent` and
/// `POST /oauth2/authorize`): the granted scope is the ticked permissions, each with its expiry.
pub async fn decide(
    state: &web::Data<AppState>,
    pending: PendingConsent,
    public_client: bool,
    user_id: i64,
    chosen: Vec<(Permission, i64)>,
    allow: bool,
) -> Result<HttpResponse, AppError> {
    let mut query: Vec<(String, String)> = pending
        .oauth
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| AppError::BadRequest("This consent form has expired.".into()))?;
    let granted = chosen
        .iter()
        .map(|(p, _)| p.to_string())
        .collect::<Vec<_>>();
    let allow = allow && !granted.is_empty();
    if allow {
        query.retain(|(n, _)| n != "scope");
        query.push(("scope".into(), granted.join(" ")));
    }
    let expiries: BTreeMap<String, i64> = chosen.iter().map(|(p, e)| (p.to_string(), *e)).collect();
    let st = state.clone();
    let now = crate::clock::now();
    let resp = state
        .db
        .transaction(move |conn| {
            let flow = FlowContext {
                issuer: &st.issuer,
                key: &st.key,
                now,
                expiries,
                db: None,
            };
            let decision = if allow {
                AuthorizeDecision::Allow(user_id.to_string())
            } else {
                AuthorizeDecision::Deny
            };
            oauth::authorize(
                conn,
                &flow,
                OAuthReq::from_query(&query),
                decision,
                public_client,
            )
            .map_err(flow_error)
        })
        .await?;
    Ok(to_http(resp, Some(&state.public_url)))
}
