//! `GET /consent` (alias `/Delegation.aspx`): the consent page; `POST /consent` (and
//! `POST /oauth2/authorize`): the decision of either protocol, answered by `consent::decide`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::web::{
    answer_response, consent_html, first, form_pairs, sign_in_redirect, this_path, Visitor,
};
use crate::consent::{self, Decision, PendingConsent, Protocol};
use crate::delauth::request::{self, RequestError};
use crate::delauth::Params;
use crate::error::AppError;
use crate::state::AppState;

fn request_error(e: RequestError) -> AppError {
    if e.is_storage() {
        AppError::Unavailable(e.to_string())
    } else {
        AppError::BadRequest(format!("{e}."))
    }
}

/// `GET /consent`.
pub async fn consent_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut visitor: Visitor,
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
    let Some(user) = visitor.user().cloned() else {
        return Ok(sign_in_redirect(&req));
    };
    let shared = state.clone().into_inner();
    if let Some(answer) = consent::decide::remembered(&shared, &consent, &user, now).await? {
        return answer_response(&state, visitor.lang, answer);
    }
    let protocol = Protocol::Live {
        appctx: consent.appctx.clone(),
        resource: consent.resource.clone(),
    };
    let body = consent_html(
        &state,
        &mut visitor,
        &user,
        &consent,
        protocol,
        &this_path(&req),
        now,
    )
    .await?;
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body);
    visitor.set_cookies(&state, &mut resp);
    Ok(resp)
}

/// `POST /consent` and `POST /oauth2/authorize`: Allow records one grant per ticked permission in
/// ONE transaction; Cancel (or nothing ticked) refuses. The answer is the pending consent's protocol.
pub async fn decide_consent(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body);
    visitor.check_csrf(&state, first(&pairs, "csrf").unwrap_or_default())?;
    let user = visitor
        .user()
        .cloned()
        .ok_or(AppError::Unauthorized("error-session-ended"))?;
    let now = crate::clock::now();
    let pending = PendingConsent::open(
        &state.key,
        first(&pairs, "request").unwrap_or_default(),
        user.id,
        now,
    )
    .map_err(|e| AppError::BadRequest(format!("{e}.")))?;
    let decision =
        Decision::parse(&pairs, &pending, now).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let shared = state.clone().into_inner();
    let answer = consent::decide(&shared, &user, pending, decision, now).await?;
    answer_response(&state, visitor.lang, answer)
}
