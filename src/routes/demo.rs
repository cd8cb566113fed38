//! The demo website ("Contoso Contacts") at `/demo`: an app registered against this same server that
//! builds a consent URL, receives the POSTed ConsentToken, opens it with the same envelope code a
//! website uses, shows its fields, and refreshes it through the refresh protocol.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};

use super::web::{run_refresh, see_other, CsrfForm, Visitor};
use crate::crypto::live::{self, urlenc, AppKeys};
use crate::demo::{DemoSite, DEMO_REQUEST};
use crate::error::AppError;
use crate::state::AppState;

const TOKEN_COOKIE: &str = "contoso_token";

fn site(state: &AppState) -> Result<&DemoSite, AppError> {
    state.demo.as_ref().ok_or(AppError::NotFound)
}

/// The SDK's `getConsentUrl`: `ps`, `ru`, a fresh `app` verifier, `appctx`.
fn consent_url(state: &AppState, site: &DemoSite) -> String {
    let keys = AppKeys::derive(&site.secret);
    let verifier = live::build_app_verifier(&site.appid, crate::clock::now(), &keys);
    format!(
        "{}/consent?ps={}&ru={}&app={}&appctx={}",
        state.public_url,
        urlenc(DEMO_REQUEST),
        urlenc(&site.return_url),
        urlenc(&verifier),
        urlenc("contoso-demo")
    )
}

// The token is kept base64url-encoded: cookie values must not hold `%` (actix decodes them).
fn stored_token(req: &HttpRequest, state: &AppState) -> Option<String> {
    use base64::Engine;
    let cookie = req.cookie(TOKEN_COOKIE)?;
    let encoded = state.key.verify_cookie(TOKEN_COOKIE, cookie.value())?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn token_cookie(state: &AppState, value: &str) -> Cookie<'static> {
    let encoded = crate::crypto::b64url(value.as_bytes());
    Cookie::build(TOKEN_COOKIE, state.key.sign_cookie(TOKEN_COOKIE, &encoded))
        .path("/demo")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .finish()
}

fn token_view(site: &DemoSite, field: &str) -> Option<serde_json::Value> {
    let opened = live::open_consent_token_field(&[AppKeys::derive(&site.secret)], field).ok()?;
    let fields: Vec<serde_json::Value> = opened
        .fields
        .iter()
        .map(|(n, v)| serde_json::json!({"name": n, "value": live::url_decode(v)}))
        .collect();
    let offer: Vec<serde_json::Value> = opened
        .get("offer")
        .unwrap_or_default()
        .split(';')
        .filter_map(|o| o.split_once(':'))
        .map(|(p, exp)| serde_json::json!({"permission": p, "expires": format_time(exp)}))
        .collect();
    Some(serde_json::json!({
        "fields": fields,
        "offer": offer,
        "exp": opened.get("exp").as_deref().map(format_time),
        "lid": opened.get("lid"),
        "delt": opened.get("delt").as_deref().map(live::url_decode),
    }))
}

fn format_time(unix: &str) -> String {
    unix.parse::<i64>()
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| unix.to_string())
}

/// `?message=` of the demo page.
#[derive(Debug, serde::Deserialize)]
pub struct DemoQuery {
    message: Option<String>,
}

fn render(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    mut visitor: Visitor,
    message: Option<&str>,
    refresh_error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let site = site(state)?;
    let mut ctx = tera::Context::new();
    ctx.insert("csrf", &visitor.csrf(state)?);
    ctx.insert("consent_url", &consent_url(state, site));
    ctx.insert("requested", DEMO_REQUEST);
    ctx.insert("appid", &site.appid);
    ctx.insert("app_secret", &site.secret);
    ctx.insert("rp_id", &site.rp_id);
    ctx.insert("rp_secret", &site.rp_secret);
    ctx.insert("public_url", &state.public_url);
    if let Some(view) = stored_token(req, state).and_then(|f| token_view(site, &f)) {
        ctx.insert("token", &view);
    }
    if let Some(m) = message {
        ctx.insert("message", m);
    }
    if let Some(e) = refresh_error {
        ctx.insert("refresh_error", e);
    }
    let body = crate::templates::render("demo.html", &ctx)?;
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body);
    visitor.set_cookies(state, &mut resp);
    Ok(resp)
}

/// `GET /demo`.
pub async fn demo_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<DemoQuery>,
) -> Result<HttpResponse, AppError> {
    let message = match query.message.as_deref() {
        Some("connected") => Some("Connected: Assent sent a ConsentToken and Contoso opened it."),
        Some("rejected") => Some("You cancelled on Assent: nothing was shared with Contoso."),
        Some("refreshed") => Some("Refreshed: a new ConsentToken with a new refresh token."),
        _ => None,
    };
    render(&req, &state, visitor, message, None)
}

/// `POST /demo/return`: what Assent's response page posts to the website.
pub async fn demo_return(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let site = site(&state)?;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if get("action") != Some("delauth") || get("ResponseCode") != Some("RequestApproved") {
        return Ok(see_other("/demo?message=rejected"));
    }
    let field = get("ConsentToken").unwrap_or_default();
    if token_view(site, field).is_none() {
        return Err(AppError::BadRequest(
            "The ConsentToken did not open with Contoso's secret.".into(),
        ));
    }
    let mut resp = see_other("/demo?message=connected");
    let _ = resp.add_cookie(&token_cookie(&state, field));
    Ok(resp)
}

/// `POST /demo/refresh`: the SDK's refresh request, answered by Assent's refresh endpoint logic.
pub async fn demo_refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let site = site(&state)?;
    visitor.check_csrf(&state, &form.csrf)?;
    let keys = AppKeys::derive(&site.secret);
    let Some(opened) = stored_token(&req, &state)
        .and_then(|f| live::open_consent_token_field(std::slice::from_ref(&keys), &f).ok())
    else {
        return render(
            &req,
            &state,
            visitor,
            None,
            Some("Connect first: there is no token to refresh."),
        );
    };
    let ps: Vec<String> = opened
        .get("offer")
        .unwrap_or_default()
        .split(';')
        .filter_map(|o| o.split_once(':').map(|(p, _)| p.to_string()))
        .collect();
    let verifier = live::build_app_verifier(&site.appid, crate::clock::now(), &keys);
    let query = format!(
        "ps={}&reft={}&ru={}&app={}",
        urlenc(&ps.join(",")),
        urlenc(&opened.get("reft").unwrap_or_default()),
        urlenc(&site.return_url),
        urlenc(&verifier)
    );
    let (status, body) = run_refresh(&state, &query).await;
    // Clients extract the token with a regular expression on the exact body.
    let token = body
        .strip_prefix("{\"ConsentToken\":\"")
        .and_then(|b| b.strip_suffix("\"}"));
    match (status.is_success(), token) {
        (true, Some(field)) => {
            let mut resp = see_other("/demo?message=refreshed");
            let _ = resp.add_cookie(&token_cookie(&state, field));
            Ok(resp)
        }
        _ => {
            let reason = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error_description"].as_str().map(str::to_string))
                .unwrap_or_else(|| "The refresh failed.".into());
            render(
                &req,
                &state,
                visitor,
                None,
                Some(&format!("Refresh refused: {reason}")),
            )
        }
    }
}
