//! `GET /oauth2/authorize`: the OAuth 2.0 authorization endpoint, showing the same consent page as
//! the Live protocol; the decision (`POST /oauth2/authorize`) is `consent::decide_consent`. The
//! flows run in `crate::oauth`. Token, revocation, introspection: `oauth_token.rs`.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::web::{
    consent_html, form_pairs, oauth_response, only, sign_in_redirect, this_path, Visitor,
};
use crate::consent::Protocol;
use crate::delauth::request::ConsentRequest;
use crate::delauth::AppContext;
use crate::domain::permission::PermissionList;
use crate::error::AppError;
use crate::oauth::store::FlowContext;
use crate::oauth::{self, AuthorizeDecision, OAuthReq, OAuthResp};
use crate::state::AppState;

/// `GET /oauth2/authorize`: sign-in if needed, then the consent page.
pub async fn authorize_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let query = form_pairs(req.query_string().as_bytes());
    let now = crate::clock::now();
    // Client and redirect URI are checked first: a bad one gets a page, never a redirect.
    let client_id = only(&query, "client_id")
        .ok_or_else(|| AppError::BadRequest("The request names no single client_id.".into()))?
        .to_string();
    let st = state.clone();
    let app = state
        .db
        .run(move |conn| AppContext::load(conn, &st.key, &client_id, now).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::BadRequest("This client is not registered with Assent.".into()))?;
    let redirect_uri =
        oauth::authorize::redirect_uri(&query, &app.return_urls).ok_or_else(|| {
            AppError::BadRequest(
                "The redirect_uri is not registered for this client; it must match exactly.".into(),
            )
        })?;
    let error_redirect = |code: &str| {
        let location =
            oauth::authorize::error_location(&redirect_uri, code, &query, &state.public_url)
                .ok_or_else(|| AppError::Internal("a registered URL does not parse".into()))?;
        Ok::<_, AppError>(
            HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish(),
        )
    };
    // RFC 6749 3.1: no parameter may repeat (a repeated `state` or `code_challenge` would
    // otherwise read as absent); the redirect URI is verified, so the error goes back to it.
    if oauth::request::repeated(&query).is_some() {
        return error_redirect("invalid_request");
    }
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
    // RFC 8707: `resource` narrows the request to the offers of the providers it names.
    let resources = oauth::resource::values(&query);
    let (permissions, query) = if resources.is_empty() {
        (permissions, query)
    } else {
        let iss = state.public_url.clone();
        let targets = state
            .db
            .run(move |conn| {
                oauth::resource::targets(conn, &iss, &resources).map_err(AppError::from)
            })
            .await?;
        let narrowed =
            targets.and_then(|t| oauth::resource::narrow(permissions, |p| Some(p.provider), &t));
        let Ok(permissions) = narrowed else {
            return error_redirect(oauth::resource::INVALID_TARGET);
        };
        let scope: Vec<String> = permissions
            .iter()
            .map(|p| p.permission.to_string())
            .collect();
        let mut query = query.clone();
        for (name, value) in &mut query {
            if name == "scope" {
                *value = scope.join(" ");
            }
        }
        (permissions, query)
    };
    let Some(user) = visitor.user().cloned() else {
        return Ok(sign_in_redirect(&req));
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
    let protocol = Protocol::OAuth {
        query: query.clone(),
    };
    let html = consent_html(
        &state,
        &mut visitor,
        &user,
        &consent,
        protocol,
        &this_path(&req),
        now,
    )
    .await?;
    let page = OAuthResp {
        body: Some(("text/html; charset=utf-8", html)),
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
                redirect_uri: None,
                requested_scope: None,
                db: None,
                client_limit: None,
            };
            let request = OAuthReq::from_query(&query);
            oauth::authorize(
                conn,
                &flow,
                request,
                AuthorizeDecision::Show(page),
                public_client,
            )
            .map_err(AppError::from)
        })
        .await?;
    let mut http = oauth_response(resp, Some(&state.public_url));
    visitor.set_cookies(&state, &mut http);
    Ok(http)
}
