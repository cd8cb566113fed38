//! `GET /language?to=de&back=/account`: the language switch. It remembers the choice in the
//! `assent_lang` cookie for a year and goes back to `back` (a local path only; anything else goes
//! home). A language Assent does not ship is a 400.

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::web::see_other;
use crate::domain::LocalPath;
use crate::error::AppError;
use crate::i18n::{Lang, LANG_COOKIE};
use crate::state::AppState;

/// The switch's query.
#[derive(Debug, Deserialize)]
pub struct LanguageQuery {
    #[serde(default)]
    to: String,
    #[serde(default)]
    back: String,
}

/// `GET /language`.
pub async fn switch_language(
    state: web::Data<AppState>,
    query: web::Query<LanguageQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::parse(&query.to).ok_or_else(|| {
        AppError::BadRequest(format!(
            "Assent has no pages in the language {:?}; it has en, de and ja.",
            query.to.chars().take(20).collect::<String>()
        ))
    })?;
    let back = LocalPath::parse(&query.back).map_or_else(|| "/".to_string(), |p| p.as_str().into());
    let cookie = Cookie::build(LANG_COOKIE, lang.tag())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .max_age(Duration::days(365))
        .finish();
    let mut resp = see_other(&back);
    let _ = resp.add_cookie(&cookie);
    Ok(resp)
}
