//! Browser sign-in sessions, HTTP-free: start (a fresh random token, only its SHA-256 stored), find
//! the signed-in user, end. Cookies and CSRF binding are the web layer's (`routes::web`).

use crate::crypto::PlainToken;
use crate::db::{self, user::User, Db};
use crate::error::AppError;

/// Start a session for `user_id` that lasts `ttl_secs`, ending the `previous` one if given (a
/// fresh token at every sign-in: no session fixation), and record the sign-in in the history. Returns the new token, which exists in
/// clear only in the cookie.
pub async fn start(
    db: &Db,
    user_id: i64,
    previous: Option<&str>,
    ttl_secs: i64,
    now: i64,
) -> Result<PlainToken, AppError> {
    let token = PlainToken::random()?;
    let hash = token.hash();
    let previous_hash = previous.map(crate::crypto::TokenHash::of);
    db.transaction(move |conn| {
        if let Some(old) = previous_hash {
            db::session::delete(conn, &old)?;
        }
        db::session::create(conn, user_id, &hash, now, ttl_secs)?;
        // The history lists sign-ins; one transaction with the session it records.
        db::audit::record(
            conn,
            now,
            "sign_in",
            Some(user_id),
            None,
            None,
            "signed in with your password in a browser",
        )
        .map_err(AppError::from)
    })
    .await?;
    Ok(token)
}

/// The user whose unexpired session `token` is (one indexed read). The session's last use is
/// recorded at most once a minute ([`db::session::SEEN_EVERY_SECS`]), so most requests only read.
pub async fn find_user(db: &Db, token: &str, now: i64) -> Result<Option<User>, AppError> {
    let hash = crate::crypto::TokenHash::of(token);
    db.run(move |conn| {
        let found = db::session::find_user(conn, &hash, now)?;
        Ok(found.map(|(user, seen)| {
            if seen <= now - db::session::SEEN_EVERY_SECS {
                // Best effort: a failed write of the last use must not refuse the page.
                if let Err(e) = db::session::touch(conn, &hash, now) {
                    tracing::warn!(error = %e, "could not record a session's last use");
                }
            }
            user
        }))
    })
    .await
}

/// End the session `token` (signing out this browser).
pub async fn end(db: &Db, token: &str) -> Result<(), AppError> {
    let hash = crate::crypto::TokenHash::of(token);
    db.run(move |conn| db::session::delete(conn, &hash).map_err(AppError::from))
        .await
        .map(|_| ())
}
