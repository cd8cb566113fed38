//! The demo website ("Contoso Contacts") at `/demo`: an app registered against this same server that
//! builds a consent URL, receives the POSTed ConsentToken, opens it with the same envelope code a
//! website uses, shows its fields, and refreshes it through the refresh protocol.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};

use super::web::{run_refresh, see_other, CsrfForm, Visitor};
use crate::crypto::live::{self, urlenc, AppKeys};
use crate::demo::{DemoSite, DEMO_REQUEST};
use crate::domain::Zone;
use crate::error::AppError;
use crate::state::AppState;

const TOKEN_COOKIE: &str = "contoso_token";
/// Who signed in with Assent (the `stoken`'s pairwise uid).
const USER_COOKIE: &str = "contoso_user";
/// The name read once through the profile resource when the token arrived.
const NAME_COOKIE: &str = "contoso_name";
const COOKIES: [&str; 3] = [TOKEN_COOKIE, USER_COOKIE, NAME_COOKIE];

/// `appctx` of the demo's Web Authentication sign-in (posted back untouched).
const SIGN_IN_APPCTX: &str = "contoso-signin";

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

// Values are kept base64url-encoded: cookie values must not hold `%` (actix decodes them).
fn stored(req: &HttpRequest, state: &AppState, name: &str) -> Option<String> {
    use base64::Engine;
    let cookie = req.cookie(name)?;
    let encoded = state.key.verify_cookie(name, cookie.value())?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn demo_cookie(state: &AppState, name: &'static str, value: &str) -> Cookie<'static> {
    let encoded = crate::crypto::b64url(value.as_bytes());
    Cookie::build(name, state.key.sign_cookie(name, &encoded))
        .path("/demo")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .finish()
}

fn removed(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build(name, "").path("/demo").finish();
    c.make_removal();
    c
}

fn token_view(site: &DemoSite, field: &str, zone: Zone) -> Option<serde_json::Value> {
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
        .map(|(p, exp)| serde_json::json!({"permission": p, "expires": format_time(exp, zone)}))
        .collect();
    Some(serde_json::json!({
        "fields": fields,
        "offer": offer,
        "exp": opened.get("exp").as_deref().map(|t| format_time(t, zone)),
        "lid": opened.get("lid"),
        "delt": opened.get("delt").as_deref().map(live::url_decode),
    }))
}

/// A token's time in the visitor's zone ("4 Mar 2025, 14:05 CET").
fn format_time(unix: &str, zone: Zone) -> String {
    unix.parse::<i64>()
        .ok()
        .map(|t| {
            crate::consents::Moment::at(t, crate::clock::now(), zone, crate::i18n::Lang::En)
                .date_time
        })
        .unwrap_or_else(|| unix.to_string())
}

/// `?message=` of the demo page.
#[derive(Debug, serde::Deserialize)]
pub struct DemoQuery {
    message: Option<String>,
}

async fn render(
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
    ctx.insert(
        "sign_in_url",
        &format!(
            "{}/wlogin.srf?appid={}&alg=wsignin1.0&appctx={SIGN_IN_APPCTX}",
            state.public_url, site.appid
        ),
    );
    ctx.insert(
        "sign_out_url",
        &format!("{}/logout.srf?appid={}", state.public_url, site.appid),
    );
    ctx.insert("requested", DEMO_REQUEST);
    ctx.insert("appid", &site.appid);
    ctx.insert("app_secret", &site.secret);
    ctx.insert("rp_id", &site.rp_id);
    ctx.insert("rp_secret", &site.rp_secret);
    ctx.insert("public_url", &state.public_url);
    if let Some(uid) = stored(req, state, USER_COOKIE) {
        ctx.insert("signed_in_uid", &uid);
    }
    // "Connected" is what the grants say now, not what the cookie remembers.
    if let Some(view) =
        stored(req, state, TOKEN_COOKIE).and_then(|f| token_view(site, &f, visitor.zone))
    {
        let lid = view["lid"].as_str().unwrap_or_default().to_string();
        let (demo, now) = (site.clone(), crate::clock::now());
        let allowed = state
            .db
            .run(move |conn| {
                crate::demo::allowed_now(conn, &demo, &lid, now).map_err(AppError::from)
            })
            .await?;
        if allowed.is_empty() {
            ctx.insert("disconnected", &true);
        } else {
            let allowed: Vec<serde_json::Value> = allowed
                .iter()
                .map(|(p, exp)| {
                    serde_json::json!({"permission": p, "expires": format_time(&exp.to_string(), visitor.zone)})
                })
                .collect();
            ctx.insert("allowed", &allowed);
            ctx.insert("token", &view);
            if let Some(name) = stored(req, state, NAME_COOKIE) {
                ctx.insert("user_name", &name);
            }
        }
    }
    if let Some(m) = message {
        ctx.insert("message", m);
    }
    if let Some(e) = refresh_error {
        ctx.insert("refresh_error", e);
    }
    // The demo plays another company's English-only website: its page is not Assent's to translate.
    let body = crate::templates::render(crate::i18n::Lang::En, "demo.html", &ctx)?;
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
        Some("signed-in") => Some("Signed in with Assent: Contoso opened the stoken."),
        Some("signed-out") => Some("Signed out of Contoso and Assent."),
        _ => None,
    };
    render(&req, &state, visitor, message, None).await
}

/// `POST /demo/return`: what Assent's response page posts to the website: `action=login` after
/// Web Authentication, `action=delauth` after a consent.
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
    let now = crate::clock::now();
    if get("action") == Some("login") {
        let uid = crate::demo::signed_in_uid(site, get("stoken").unwrap_or_default(), now)
            .ok_or_else(|| {
                AppError::BadRequest(
                    "The stoken did not open with Contoso's secret, names another website, or is \
                     too old."
                        .into(),
                )
            })?;
        let mut resp = see_other("/demo?message=signed-in");
        let _ = resp.add_cookie(&demo_cookie(&state, USER_COOKIE, &uid));
        return Ok(resp);
    }
    if get("action") != Some("delauth") || get("ResponseCode") != Some("RequestApproved") {
        return Ok(see_other("/demo?message=rejected"));
    }
    let field = get("ConsentToken").unwrap_or_default();
    let opened =
        live::open_consent_token_field(&[AppKeys::derive(&site.secret)], field).map_err(|_| {
            AppError::BadRequest("The ConsentToken did not open with Contoso's secret.".into())
        })?;
    // The delegation token, used once: the user's name through the profile resource.
    let (delt, lid) = (
        opened.get("delt").unwrap_or_default(),
        opened.get("lid").unwrap_or_default(),
    );
    let st = state.clone();
    let profile = state
        .db
        .run(move |conn| {
            crate::profile::read_profile(&st.issuer, &st.providers, conn, &delt, &lid, now)
                .map_err(AppError::from)
        })
        .await?;
    let mut resp = see_other("/demo?message=connected");
    let _ = resp.add_cookie(&demo_cookie(&state, TOKEN_COOKIE, field));
    let _ = match profile {
        Some(profile) => resp.add_cookie(&demo_cookie(&state, NAME_COOKIE, &profile.name)),
        None => resp.add_cookie(&removed(NAME_COOKIE)),
    };
    Ok(resp)
}

/// `?action=` of `GET /demo/return` (Web Authentication's sign-out calls).
#[derive(Debug, serde::Deserialize)]
pub struct ReturnQuery {
    action: Option<String>,
}

/// A transparent 1x1 GIF: the answer to `action=clearcookie`, which Assent loads as an image.
const CLEAR_GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// `GET /demo/return?action=clearcookie|logout`: Web Authentication's sign-out (`/logout.srf`)
/// has the website forget who signed in and its token.
pub async fn demo_sign_out(query: web::Query<ReturnQuery>) -> HttpResponse {
    let mut resp = match query.action.as_deref() {
        Some("clearcookie") => HttpResponse::Ok().content_type("image/gif").body(CLEAR_GIF),
        Some("logout") => see_other("/demo?message=signed-out"),
        _ => return see_other("/demo"),
    };
    for name in COOKIES {
        let _ = resp.add_cookie(&removed(name));
    }
    resp
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
    let Some(opened) = stored(&req, &state, TOKEN_COOKIE)
        .and_then(|f| live::open_consent_token_field(std::slice::from_ref(&keys), &f).ok())
    else {
        return render(
            &req,
            &state,
            visitor,
            None,
            Some("Connect first: there is no token to refresh."),
        )
        .await;
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
            let _ = resp.add_cookie(&demo_cookie(&state, TOKEN_COOKIE, field));
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
            .await
        }
    }
}
