//! The account page's one-at-a-time actions: `POST /account/sessions/end` (sign out one browser
//! session), `POST /account/devices/end` (sign out one device) and `POST /account/name` (change the
//! name). The rules live in [`crate::consents::sessions`].

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::web::{removal, see_other, Visitor};
use crate::consents::sessions::{self, SessionEnded};
use crate::error::AppError;
use crate::state::AppState;

/// A form naming one session or device token by its id.
#[derive(Debug, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// The name form.
#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

fn parse_id(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest("That is not a session of yours.".into()))
}

/// `POST /account/sessions/end`: `id` of one of the user's sessions; this browser's own ends too,
/// with its cookie.
pub async fn end_session(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let (Some(user), Some(token)) = (visitor.user(), visitor.session_token()) else {
        return Ok(see_other("/signin?next=%2Faccount"));
    };
    let id = parse_id(&form.id)?;
    let current = crate::crypto::TokenHash::of(token);
    let (user_id, now) = (user.id, crate::clock::now());
    let ended = state
        .db
        .transaction(move |conn| {
            sessions::end_session(conn, user_id, id, &current, now).map_err(AppError::from)
        })
        .await?;
    tracing::info!(user_id, ?ended, "signed out one session");
    Ok(match ended {
        SessionEnded::Other => see_other("/account?done=session"),
        SessionEnded::Nothing => see_other("/account?done=nothing"),
        SessionEnded::This => {
            let mut resp = see_other("/signin");
            let _ = resp.add_cookie(&removal());
            resp
        }
    })
}

/// `POST /account/devices/end`: `id` of one of the user's device tokens.
pub async fn end_device(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user() else {
        return Ok(see_other("/signin?next=%2Faccount"));
    };
    let id = parse_id(&form.id)?;
    let (user_id, now) = (user.id, crate::clock::now());
    let ended = state
        .db
        .transaction(move |conn| {
            sessions::end_device(conn, user_id, id, now).map_err(AppError::from)
        })
        .await?;
    tracing::info!(user_id, ended, "signed out one device");
    Ok(see_other(if ended {
        "/account?done=device"
    } else {
        "/account?done=nothing"
    }))
}

/// `POST /account/name`: 1 to 100 characters.
pub async fn change_name(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    visitor.check_csrf(&state, &form.csrf)?;
    let Some(user) = visitor.user() else {
        return Ok(see_other("/signin?next=%2Faccount"));
    };
    let Some(name) = sessions::clean_name(&form.name) else {
        return Err(AppError::BadRequest(format!(
            "Enter your name (at most {} characters). Go back and try again.",
            sessions::MAX_NAME_CHARS
        )));
    };
    let (user_id, old, now) = (user.id, user.name.clone(), crate::clock::now());
    state
        .db
        .transaction(move |conn| {
            sessions::rename(conn, user_id, &old, &name, now).map_err(AppError::from)
        })
        .await?;
    Ok(see_other("/account?done=name"))
}
