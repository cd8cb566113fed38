//! The consent decision, written once: read the app again, then answer in the pending consent's
//! protocol. Grant rows are written in one write transaction and the tokens signed after it, on
//! every path (a decision, a remembered consent, an OAuth code's exchange later).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{remember, Decision, PendingConsent, Protocol};
use crate::db::user::User;
use crate::delauth::request::ConsentRequest;
use crate::delauth::{token, AppContext};
use crate::domain::permission::Permission;
use crate::error::AppError;
use crate::oauth::store::FlowContext;
use crate::oauth::{self, AuthorizeDecision, OAuthReq, OAuthResp};
use crate::state::AppState;
use crate::tokens::issue::GrantRequest;
use crate::tokens::Issued;

/// What the website gets.
#[derive(Debug)]
pub enum Answer {
    /// Live: a page whose form posts these fields to the verified return URL.
    Post {
        /// The verified return URL.
        return_url: String,
        /// `action`, `ResponseCode`, `ConsentToken` (when approved), `appctx` (when given).
        fields: Vec<(&'static str, String)>,
    },
    /// OAuth 2.0: the authorization flow's answer (a redirect to the verified redirect URI).
    OAuth(OAuthResp),
}

/// Answer `pending` with the user's `decision`.
pub async fn decide(
    state: &Arc<AppState>,
    user: &User,
    pending: PendingConsent,
    decision: Decision,
    now: i64,
) -> Result<Answer, AppError> {
    let (st, appid) = (state.clone(), pending.appid.clone());
    let app = state
        .db
        .run(move |conn| AppContext::load(conn, &st.key, &appid, now).map_err(AppError::from))
        .await?
        .filter(|app| app.is_registered(&pending.return_url))
        .ok_or_else(|| AppError::BadRequest("This application is no longer registered.".into()))?;
    let form = DecidedForm {
        id: pending.id.clone(),
        expires_at: pending.expires_at(),
    };
    match pending.protocol {
        Protocol::OAuth { query } => {
            let answered = OAuthAnswered {
                query,
                redirect_uri: pending.return_url,
                requested: pending.permissions.join(" "),
                public_client: app.app.is_public,
            };
            oauth_decision(state, answered, form, user.id, decision, now)
                .await
                .map(Answer::OAuth)
        }
        Protocol::Live { appctx, resource } => {
            if !decision.allow {
                state
                    .db
                    .transaction(move |conn| form.consume(conn, now))
                    .await?;
                return Ok(live_answer(pending.return_url, appctx, None));
            }
            let chosen = decision.chosen;
            let choose = move |conn: &mut crate::db::DbConnection| {
                form.consume(conn, now)?;
                Ok(Some(chosen))
            };
            let issued = issue_live(state, &app, user, resource, choose, now)
                .await?
                .ok_or_else(|| AppError::Internal("a decision issued nothing".into()))?;
            let token = token::consent_token(&app.seal_keys, &issued)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(live_answer(pending.return_url, appctx, Some(token)))
        }
    }
}

/// The remembered consent of a Live request, answered at once, or `None` when the user must be
/// asked (see [`remember::remembered`]).
pub async fn remembered(
    state: &Arc<AppState>,
    consent: &ConsentRequest,
    user: &User,
    now: i64,
) -> Result<Option<Answer>, AppError> {
    let (user_id, app_id) = (user.id, consent.app.app.id);
    let wanted: Vec<Permission> = consent
        .permissions
        .iter()
        .map(|p| p.permission.clone())
        .collect();
    let resource = consent.resource.clone();
    let wanted_resource = resource.clone();
    let issued = issue_live(
        state,
        &consent.app,
        user,
        resource,
        move |conn| {
            let active = crate::db::grant::active_for_user_app(conn, user_id, app_id, now)?;
            Ok(remember::remembered(
                &active,
                &wanted,
                wanted_resource.as_deref(),
                now,
            ))
        },
        now,
    )
    .await?;
    let Some(issued) = issued else {
        return Ok(None);
    };
    let token = token::consent_token(&consent.app.seal_keys, &issued)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some(live_answer(
        consent.return_url.clone(),
        consent.appctx.clone(),
        Some(token),
    )))
}

/// In one write transaction: `choose` reads what to grant (None: nothing), and the grant family
/// with its grants and refresh token is written; the tokens are signed after the commit.
async fn issue_live(
    state: &Arc<AppState>,
    app: &AppContext,
    user: &User,
    resource: Option<String>,
    choose: impl FnOnce(&mut crate::db::DbConnection) -> Result<Option<Vec<(Permission, i64)>>, AppError>
        + Send
        + 'static,
    now: i64,
) -> Result<Option<Issued>, AppError> {
    let st = state.clone();
    let (app_id, appid) = (app.app.id, app.app.appid.clone());
    let (user_id, lid) = (user.id, user.lid.clone());
    // One state change (on SQLite committed with the concurrent ones, see `Db::write_change`).
    // Taken when the change runs: a call retried because its transaction could not begin (its
    // connection was dead) still has it.
    let choose = Arc::new(std::sync::Mutex::new(Some(choose)));
    state
        .db
        .run(move |conn| {
            let (writer, lid, appid, resource) =
                (st.clone(), lid.clone(), appid.clone(), resource.clone());
            let choose = choose.clone();
            let unsigned = st.db.write_change(conn, move |conn| {
                let taken = choose.lock().map(|mut slot| slot.take()).ok().flatten();
                let choose = taken
                    .ok_or_else(|| AppError::Internal("a decision was chosen twice".into()))?;
                let Some(permissions) = choose(conn)? else {
                    return Ok::<_, AppError>(None);
                };
                let req = GrantRequest {
                    user_id,
                    lid: &lid,
                    application_id: app_id,
                    appid: &appid,
                    protocol: "live",
                    resource: resource.as_deref(),
                    permissions: &permissions,
                };
                Ok(Some(writer.issuer.grant_rows(conn, &req, now)?))
            })?;
            match unsigned {
                Some(unsigned) => Ok(Some(st.issuer.sign(conn, unsigned, now)?)),
                None => Ok(None),
            }
        })
        .await
}

fn live_answer(return_url: String, appctx: Option<String>, token: Option<String>) -> Answer {
    let mut fields = vec![("action", "delauth".to_string())];
    match token {
        Some(token) => {
            fields.push(("ResponseCode", "RequestApproved".to_string()));
            fields.push(("ConsentToken", token));
        }
        None => fields.push(("ResponseCode", "RequestRejected".to_string())),
    }
    if let Some(ctx) = appctx {
        fields.push(("appctx", ctx));
    }
    Answer::Post { return_url, fields }
}

/// The form being decided: recorded as decided in the decision's own transaction, so a second
/// submit (a double click, the back button, parallel submits, a replay) grants nothing.
struct DecidedForm {
    id: String,
    expires_at: i64,
}

impl DecidedForm {
    /// Record the decision; [`AppError::AlreadyDecided`] (and the caller's transaction rolls
    /// back) when this form was decided before.
    fn consume(&self, conn: &mut crate::db::DbConnection, now: i64) -> Result<(), AppError> {
        if crate::db::decided_consent::consume(conn, &self.id, self.expires_at, now)? {
            Ok(())
        } else {
            Err(AppError::AlreadyDecided)
        }
    }
}

/// What the OAuth authorization request that showed the page said.
struct OAuthAnswered {
    /// Its query.
    query: Vec<(String, String)>,
    /// The redirect URI exactly as it named it (or the registered default it stood for).
    redirect_uri: String,
    /// The permissions it asked for, space-separated.
    requested: String,
    public_client: bool,
}

/// An OAuth request's decision: the granted scope is the ticked permissions, each with its
/// expiry; the code is written by the authorization flow in one transaction, with the form's
/// decision.
async fn oauth_decision(
    state: &Arc<AppState>,
    answered: OAuthAnswered,
    form: DecidedForm,
    user_id: i64,
    decision: Decision,
    now: i64,
) -> Result<OAuthResp, AppError> {
    let OAuthAnswered {
        mut query,
        redirect_uri,
        requested,
        public_client,
    } = answered;
    if decision.allow {
        let granted: Vec<String> = decision.chosen.iter().map(|(p, _)| p.to_string()).collect();
        query.retain(|(n, _)| n != "scope");
        query.push(("scope".into(), granted.join(" ")));
    }
    let expiries: BTreeMap<String, i64> = decision
        .chosen
        .iter()
        .map(|(p, e)| (p.to_string(), *e))
        .collect();
    let st = state.clone();
    let allow = decision.allow;
    state
        .db
        .transaction(move |conn| {
            form.consume(conn, now)?;
            let flow = FlowContext {
                issuer: &st.issuer,
                key: &st.key,
                now,
                expiries,
                redirect_uri: Some(redirect_uri),
                requested_scope: Some(requested),
                db: None,
                client_limit: None,
            };
            let answer = if allow {
                AuthorizeDecision::Allow(user_id.to_string())
            } else {
                AuthorizeDecision::Deny
            };
            oauth::authorize(
                conn,
                &flow,
                OAuthReq::from_query(&query),
                answer,
                public_client,
            )
            .map_err(AppError::from)
        })
        .await
}
