//! The history page's model: the user's audit events (grants, refreshes, revocations, reuse
//! detections, account changes), newest first, one page at a time, with app names.

use std::collections::BTreeMap;

use super::Moment;
use crate::db::{self, DbConnection};

/// Events per page.
pub const PER_PAGE: i64 = 20;

/// One page of the history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryPage {
    /// The events of this page, newest first.
    pub events: Vec<HistoryEvent>,
    /// This page, from 1.
    pub page: i64,
    /// How many pages there are (at least 1).
    pub pages: i64,
    /// All events of the user.
    pub total: i64,
    /// The newer page, if any.
    pub prev: Option<i64>,
    /// The older page, if any.
    pub next: Option<i64>,
}

/// One event as the history shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryEvent {
    /// The stored kind (`grant`, `refresh`, `revoke`, ...).
    pub kind: String,
    /// What happened, in words.
    pub label: String,
    /// Badge style: `success`, `info`, `warn`, `danger` or `muted`.
    pub tone: &'static str,
    /// The app's name, when the event concerns one.
    pub app_name: Option<String>,
    /// The stored detail (never a secret).
    pub detail: String,
    /// When.
    pub at: Moment,
}

/// The words and badge style of an event kind; unknown kinds show as themselves.
pub fn label(kind: &str) -> (String, &'static str) {
    let (text, tone) = match kind {
        "grant" => ("Access allowed", "success"),
        "refresh" => ("Access renewed", "info"),
        "revoke" => ("Permission removed", "warn"),
        "revoke_app" => ("App removed", "warn"),
        "reuse_detected" => ("Token reuse detected: access ended", "danger"),
        "password_changed" => ("Password changed", "muted"),
        "signed_out_everywhere" => ("Signed out everywhere", "muted"),
        "email_verified" => ("Email address verified", "success"),
        "password_reset" => ("Password reset by email link", "warn"),
        other => (other, "muted"),
    };
    (text.to_string(), tone)
}

/// Page `page` (from 1; out-of-range pages are clamped) of `user_id`'s history at `now`.
pub fn page(
    conn: &mut DbConnection,
    user_id: i64,
    page: i64,
    now: i64,
) -> diesel::QueryResult<HistoryPage> {
    let total = db::audit::count_for_user(conn, user_id)?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = db::audit::for_user(conn, user_id, PER_PAGE, (page - 1) * PER_PAGE)?;
    let mut names: BTreeMap<i64, Option<String>> = BTreeMap::new();
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let app_name = match row.application_id {
            Some(id) => match names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = db::application::find(conn, id)?.map(|a| a.name);
                    names.insert(id, name.clone());
                    name
                }
            },
            None => None,
        };
        let (label, tone) = label(&row.kind);
        events.push(HistoryEvent {
            kind: row.kind,
            label,
            tone,
            app_name,
            detail: row.detail,
            at: Moment::at(row.at, now),
        });
    }
    Ok(HistoryPage {
        events,
        page,
        pages,
        total,
        prev: (page > 1).then(|| page - 1),
        next: (page < pages).then(|| page + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn every_known_event_kind_has_words_and_an_unknown_one_shows_as_itself() {
        for kind in ["grant", "refresh", "revoke", "revoke_app", "reuse_detected"] {
            assert_ne!(label(kind).0, kind);
        }
        assert_eq!(label("device_login"), ("device_login".to_string(), "muted"));
    }
}
