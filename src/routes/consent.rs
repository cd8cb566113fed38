//! `GET /consent` (alias `/Delegation.aspx`): the consent page; `POST /consent`: the decision, answered
//! with a page that posts `action`, `ResponseCode`, `ConsentToken`, `appctx` to the verified return URL.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::session::Visitor;
use crate::delauth::request::{self, ConsentRequest, PendingConsent, RequestError};
use crate::delauth::{token, AppContext, Params};
use crate::domain::permission::{
    expiry_label, parse_expiry_days, Permission, DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS,
};
use crate::error::AppError;
use crate::startup::AppState;
use crate::tokens::issue::GrantRequest;
use crate::tokens::Issued;

/// A remembered consent is used only if every grant lasts at least this much longer.
const REMEMBER_MARGIN_SECS: i64 = 86_400;

fn request_error(e: RequestError) -> AppError {
    if e.is_storage() {
        AppError::Internal(e.to_string())
    } else {
        AppError::BadRequest(format!("{e}."))
    }
}

/// `GET /consent`.
pub async fn consent_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let params = Params::parse(req.query_string());
    let now = crate::clock::now();
    let st = state.clone();
    let validated = state
        .db
        .run(move |conn| {
            Ok::<_, AppError>(request::validate(
                conn,
                &st.key,
                &st.config.delauth,
                &params,
                now,
            ))
        })
        .await?;
    let consent = validated.map_err(request_error)?;
    let mut visitor = Visitor::load(&req, &state).await?;
    let Some(user) = visitor.user().cloned() else {
        let back = format!("{}?{}", req.path(), req.query_string());
        let location = format!("/signin?next={}", crate::crypto::live::urlenc(&back));
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish());
    };
    if let Some(issued) = remembered(&state, &consent, &user, now).await? {
        return approved(
            &consent.app,
            &consent.return_url,
            consent.appctx.as_deref(),
            &issued,
        );
    }
    let pending = PendingConsent {
        appid: consent.app.app.appid.clone(),
        user_id: user.id,
        permissions: consent
            .permissions
            .iter()
            .map(|p| p.permission.to_string())
            .collect(),
        return_url: consent.return_url.clone(),
        appctx: consent.appctx.clone(),
        resource: consent.resource.clone(),
        shown_at: now,
        protocol: "live".into(),
        oauth: None,
    };
    let mut ctx = tera::Context::new();
    ctx.insert("csrf", &visitor.csrf(&state)?);
    ctx.insert("user_email", &user.email);
    ctx.insert("request", &pending.seal(&state.key)?);
    fill_page(&mut ctx, &consent);
    let body = crate::templates::render("consent.html", &ctx)?;
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body);
    visitor.set_cookies(&state, &mut resp);
    Ok(resp)
}

/// The consent page's context (shared with the OAuth authorize page).
pub fn fill_page(ctx: &mut tera::Context, consent: &ConsentRequest) {
    ctx.insert("app_name", &consent.app.app.name);
    ctx.insert("return_host", &request::host_of(&consent.return_url));
    if let Some(pl) = &consent.privacy_url {
        ctx.insert("privacy_url", pl);
        ctx.insert("privacy_host", &request::host_of(pl));
    }
    ctx.insert("resource", &consent.resource);
    let permissions: Vec<serde_json::Value> = consent
        .permissions
        .iter()
        .map(|p| {
            serde_json::json!({
                "permission": p.permission.to_string(),
                "offer": p.permission.offer(),
                "action": p.permission.action(),
                "description": p.description,
            })
        })
        .collect();
    ctx.insert("permissions", &permissions);
    let options: Vec<serde_json::Value> = EXPIRY_DAYS
        .iter()
        .map(|d| {
            serde_json::json!({
                "days": d, "label": expiry_label(*d), "selected": *d == DEFAULT_EXPIRY_DAYS,
            })
        })
        .collect();
    ctx.insert("expiry_options", &options);
}

/// If the user already granted every requested permission (same resource) for at least another
/// day, issue tokens without asking again (docs/protocol.md section 3, last paragraph).
async fn remembered(
    state: &web::Data<AppState>,
    consent: &ConsentRequest,
    user: &crate::db::user::User,
    now: i64,
) -> Result<Option<Issued>, AppError> {
    let st = state.clone();
    let (app_id, appid) = (consent.app.app.id, consent.app.app.appid.clone());
    let wanted: Vec<Permission> = consent
        .permissions
        .iter()
        .map(|p| p.permission.clone())
        .collect();
    let resource = consent.resource.clone();
    let (user_id, lid) = (user.id, user.lid.clone());
    state
        .db
        .transaction(move |conn| {
            let active = crate::db::grant::active_for_user_app(conn, user_id, app_id, now)?;
            let mut permissions = Vec::new();
            for w in &wanted {
                let name = w.to_string();
                let best = active
                    .iter()
                    .filter(|g| g.permission == name && g.resource == resource)
                    .map(|g| g.expires_at)
                    .max();
                match best {
                    Some(exp) if exp > now + REMEMBER_MARGIN_SECS => {
                        permissions.push((w.clone(), exp))
                    }
                    _ => return Ok(None),
                }
            }
            let req = GrantRequest {
                user_id,
                lid: &lid,
                application_id: app_id,
                appid: &appid,
                protocol: "live",
                resource: resource.as_deref(),
                permissions: &permissions,
            };
            Ok::<_, AppError>(Some(st.issuer.grant(conn, &req, now)?))
        })
        .await
}

/// The decision form, as ordered pairs (checkboxes repeat `permission`).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /consent`: Allow records one grant per ticked permission and issues the tokens in ONE
/// transaction; Cancel (or nothing ticked) answers `RequestRejected`.
pub async fn decide_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body);
    let visitor = Visitor::load(&req, &state).await?;
    visitor.check_csrf(&state, first(&pairs, "csrf").unwrap_or_default())?;
    let user = visitor.user().cloned().ok_or_else(|| {
        AppError::Unauthorized("Your session ended. Go back to the website and start again.".into())
    })?;
    let now = crate::clock::now();
    let pending = PendingConsent::open(
        &state.key,
        first(&pairs, "request").unwrap_or_default(),
        user.id,
        now,
    )
    .map_err(request_error)?;
    let allow = first(&pairs, "decision") == Some("allow");
    let mut chosen = Vec::new();
    for (_, value) in pairs.iter().filter(|(n, _)| n == "permission") {
        if !pending.permissions.contains(value) {
            return Err(AppError::BadRequest(format!(
                "{value} was not part of this request."
            )));
        }
        let permission =
            Permission::parse(value).map_err(|e| AppError::BadRequest(format!("{e}.")))?;
        let days = match first(&pairs, &format!("expiry.{value}")) {
            None => DEFAULT_EXPIRY_DAYS,
            Some(text) => parse_expiry_days(text).ok_or_else(|| {
                AppError::BadRequest(format!("{text:?} is not an expiry choice."))
            })?,
        };
        if !chosen.iter().any(|(p, _)| p == &permission) {
            chosen.push((permission, now + days * 86_400));
        }
    }
    let st = state.clone();
    let appid = pending.appid.clone();
    let app = state
        .db
        .run(move |conn| {
            AppContext::load(conn, &st.key, &appid, now)
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?
        .filter(|app| app.is_registered(&pending.return_url))
        .ok_or_else(|| AppError::BadRequest("This application is no longer registered.".into()))?;
    if pending.protocol == "oauth" {
        let public_client = app.app.is_public;
        return super::oauth::decide(&state, pending, public_client, user.id, chosen, allow).await;
    }
    if !allow || chosen.is_empty() {
        return rejected(&pending.return_url, pending.appctx.as_deref());
    }
    let st = state.clone();
    let (app_id, appid) = (app.app.id, app.app.appid.clone());
    let resource = pending.resource.clone();
    let issued = state
        .db
        .run(move |conn| {
            let req = GrantRequest {
                user_id: user.id,
                lid: &user.lid,
                application_id: app_id,
                appid: &appid,
                protocol: "live",
                resource: resource.as_deref(),
                permissions: &chosen,
            };
            // The grant rows are one transaction; signing follows outside the write lock.
            let unsigned = st
                .db
                .write_in(conn, |conn| st.issuer.grant_rows(conn, &req, now))?;
            Ok::<_, AppError>(st.issuer.sign(conn, unsigned, now)?)
        })
        .await?;
    approved(
        &app,
        &pending.return_url,
        pending.appctx.as_deref(),
        &issued,
    )
}

fn approved(
    app: &AppContext,
    return_url: &str,
    appctx: Option<&str>,
    issued: &Issued,
) -> Result<HttpResponse, AppError> {
    let value = token::consent_token(&app.seal_keys, issued)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut fields = vec![
        ("action", "delauth".to_string()),
        ("ResponseCode", "RequestApproved".to_string()),
        ("ConsentToken", value),
    ];
    if let Some(ctx) = appctx {
        fields.push(("appctx", ctx.to_string()));
    }
    response_page(return_url, &fields)
}

fn rejected(return_url: &str, appctx: Option<&str>) -> Result<HttpResponse, AppError> {
    let mut fields = vec![
        ("action", "delauth".to_string()),
        ("ResponseCode", "RequestRejected".to_string()),
    ];
    if let Some(ctx) = appctx {
        fields.push(("appctx", ctx.to_string()));
    }
    response_page(return_url, &fields)
}

/// The page whose form (`name="responseform"`) posts `fields` to a VERIFIED return URL, submitted by
/// /static/autosubmit.js, with a Continue button. Its CSP lets forms post to that origin only.
pub fn response_page(
    return_url: &str,
    fields: &[(&str, String)],
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("action_url", return_url);
    ctx.insert("return_host", &request::host_of(return_url));
    let list: Vec<serde_json::Value> = fields
        .iter()
        .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
        .collect();
    ctx.insert("fields", &list);
    let body = crate::templates::render("response.html", &ctx)?;
    let origin = request::origin_of(return_url).unwrap_or_default();
    let csp = super::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", csp))
        .body(body))
}
