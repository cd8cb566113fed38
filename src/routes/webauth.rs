//! Web Authentication (docs/protocol.md section 10.3): `GET /wlogin.srf` signs the user in to a website
//! and posts `action=login`, `stoken`, `appctx` to its registered return URL; `GET /logout.srf`
//! signs out and calls the website with `action=clearcookie`, then `action=logout`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::web::{removal, response_page, Visitor};
use crate::delauth::request::{host_of, origin_of};
use crate::delauth::webauth::{self, WebAuthError, WebAuthRequest};
use crate::delauth::Params;
use crate::error::AppError;
use crate::state::AppState;

fn refused(e: WebAuthError) -> AppError {
    if e.is_storage() {
        AppError::Unavailable(e.to_string())
    } else {
        AppError::BadRequest(format!(
            "The website sent a request Assent can not use: {e}."
        ))
    }
}

async fn validate(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    check: fn(
        &mut crate::db::DbConnection,
        &crate::crypto::ServerKey,
        &Params,
        i64,
    ) -> Result<WebAuthRequest, WebAuthError>,
    now: i64,
) -> Result<WebAuthRequest, AppError> {
    let params = Params::parse(req.query_string());
    let st = state.clone();
    state
        .db
        .run(move |conn| Ok::<_, AppError>(check(conn, &st.key, &params, now)))
        .await?
        .map_err(refused)
}

/// `GET /wlogin.srf?appid=..&alg=wsignin1.0[&appctx=..]`: sign-in first when needed, then the
/// auto-posting page (its CSP lets the form post to the return URL's origin only).
pub async fn web_sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let now = crate::clock::now();
    let request = validate(&req, &state, webauth::validate_sign_in, now).await?;
    let Some(user) = visitor.user() else {
        let back = format!("{}?{}", req.path(), req.query_string());
        let location = format!("/signin?next={}", crate::crypto::live::urlenc(&back));
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish());
    };
    let fields = webauth::sign_in_fields(&request, &state.key, user.id, now)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(user_id = user.id, appid = %request.app.app.appid, "web sign-in");
    response_page(visitor.lang, &request.return_url, &fields)
}

/// The page CSP with the website's origin allowed for images (its clear-cookie GIF).
fn logout_csp(return_url: &str) -> String {
    let origin = origin_of(return_url).unwrap_or_default();
    super::CSP.replace(
        "img-src 'self' data:",
        &format!("img-src 'self' data: {origin}"),
    )
}

/// `GET /logout.srf?appid=..`: end this browser's session, then show a page that loads
/// `<ru>?action=clearcookie` as an image and links to `<ru>?action=logout`. No script.
pub async fn web_sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let now = crate::clock::now();
    let request = validate(&req, &state, webauth::validate_sign_out, now).await?;
    if let Some(token) = visitor.session_token() {
        crate::session::end(&state.db, token).await?;
    }
    let ru = &request.return_url;
    let mut ctx = tera::Context::new();
    ctx.insert("app_name", &request.app.app.name);
    ctx.insert("return_host", &host_of(ru));
    ctx.insert("clearcookie_url", &webauth::action_url(ru, "clearcookie"));
    ctx.insert("logout_url", &webauth::action_url(ru, "logout"));
    let body = crate::templates::render(visitor.lang, "logout.html", &ctx)?;
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", logout_csp(ru)))
        .body(body);
    let _ = resp.add_cookie(&removal());
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logout_csp_allows_images_from_the_website_origin_only() {
        let csp = logout_csp("https://contoso.example:8443/auth?x=1");
        assert!(
            csp.contains("img-src 'self' data: https://contoso.example:8443;"),
            "{csp}"
        );
        assert!(csp.contains("form-action 'self';"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
    }
}
