//! The dashboard at scale: one compact row per app, a server-side search and sort that work without
//! script (a GET form whose values stay in it), and removing one permission after a confirmation
//! page that names it.

use diesel::prelude::*;
use serde_json::json;

use super::{location, post, signed_in_browser, Setup, DAY, PASSWORD};

/// Fifty apps for Alice: `App 00` .. `App 49`, each with Contacts.Read; app i was last used i hours
/// ago and allowed (50 - i) * 10 minutes ago, so "last used" and "recently allowed" order differently.
pub fn fifty_apps(s: &Setup) -> Vec<String> {
    let now = assent::clock::now();
    let mut appids = Vec::new();
    for i in 0..50 {
        let appid = s.other_app(&format!("App {i:02}"));
        s.grant_to(&appid, &s.alice, &[("Contacts.Read", 30 * DAY)]);
        appids.push(appid);
    }
    s.app
        .state
        .db
        .transaction_sync(|conn| {
            use assent::db::schema::{applications as a, grants as g, token_families as f};
            for (i, appid) in appids.iter().enumerate() {
                let i = i as i64;
                let id: i64 = a::table
                    .filter(a::appid.eq(appid))
                    .select(a::id)
                    .first(conn)?;
                diesel::update(f::table.filter(f::application_id.eq(id)))
                    .set(f::last_used_at.eq(now - i * 3_600))
                    .execute(conn)?;
                // Allowed: App 49 most recently, App 00 longest ago.
                diesel::update(g::table.filter(g::application_id.eq(id)))
                    .set(g::granted_at.eq(now - (50 - i) * 600))
                    .execute(conn)?;
            }
            Ok::<_, assent::db::DbError>(())
        })
        .unwrap();
    appids
}

/// The app names of the rows, in page order.
fn row_names(html: &str) -> Vec<String> {
    html.split("<span class=\"app-row-name\">")
        .skip(1)
        .map(|part| part[..part.find('<').unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn fifty_apps_show_as_compact_rows_that_search_and_sort_on_the_server() {
    let s = Setup::new().await;
    fifty_apps(&s);
    let html = s.dashboard().await;
    let names = row_names(&html);
    assert_eq!(names.len(), 50, "one row per app");
    assert!(!names.contains(&"Contoso Test Site".to_string()));
    assert_eq!(html.matches("<details class=\"app-row\"").count(), 50);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name by default");
    assert!(html.contains("50 apps can use your account."));
    assert!(html.contains("<option value=\"name\" selected>"));
    assert!(
        html.contains("1 permission<"),
        "each row counts its permissions"
    );
    assert!(
        html.contains("used <time"),
        "each row says when it was last used"
    );
    assert!(html.contains("method=\"get\" action=\"/account/consents\""));

    let used = s.dashboard_at("/account/consents?sort=used").await;
    let expected: Vec<String> = (0..50).map(|i| format!("App {i:02}")).collect();
    assert_eq!(
        row_names(&used)[..50],
        expected[..],
        "most recently used first"
    );
    assert!(used.contains("<option value=\"used\" selected>"));

    let granted = s.dashboard_at("/account/consents?sort=granted").await;
    let expected: Vec<String> = (0..50).rev().map(|i| format!("App {i:02}")).collect();
    assert_eq!(
        row_names(&granted)[..50],
        expected[..],
        "most recently allowed first"
    );

    let found = s.dashboard_at("/account/consents?q=app+4&sort=used").await;
    let expected: Vec<String> = (0..50)
        .map(|i| format!("App {i:02}"))
        .filter(|n| n.contains('4'))
        .collect();
    assert_eq!(expected.len(), 14);
    assert_eq!(
        row_names(&found),
        expected,
        "every word matches, sorted as asked"
    );
    assert!(
        found.contains("value=\"app 4\""),
        "the search stays in the box"
    );
    assert!(
        found.contains("<option value=\"used\" selected>"),
        "and the sort"
    );
    assert!(found.contains("14 of 50 apps match"));
    let one = s.dashboard_at("/account/consents?q=app-07.example").await;
    assert_eq!(row_names(&one), ["App 07"], "by website");
    let by_permission = s
        .dashboard_at("/account/consents?q=READ+YOUR+contacts")
        .await;
    assert_eq!(row_names(&by_permission).len(), 50);

    let none = s
        .dashboard_at("/account/consents?q=%3Cscript%3E&sort=%22%3E")
        .await;
    assert!(row_names(&none).is_empty());
    assert!(none.contains("No app matches “&lt;script&gt;”"), "escaped");
    assert!(!none.contains("<script>"));
    assert!(
        none.contains("<option value=\"name\" selected>"),
        "an unknown sort is by name"
    );
}

#[tokio::test]
async fn removing_one_permission_asks_first_then_names_what_was_removed() {
    let s = Setup::new().await;
    let issued = s.grant(&["Contacts.Read", "News.Read"]);
    let delt = issued.delegation_token.as_str();
    let html = s.dashboard().await;
    let confirm = format!(
        "/account/consents/revoke?appid={}&amp;permission=Contacts.Read",
        s.site.appid
    );
    assert!(
        html.contains(&confirm),
        "each permission links to its confirmation"
    );

    let path = format!(
        "/account/consents/revoke?appid={}&permission=Contacts.Read",
        s.site.appid
    );
    let page = s.app.get(&path).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(
        "Remove “Read your contacts” from <span class=\"app-name\">Contoso Test Site</span>?"
    ));
    assert!(page.contains("keeps"), "it says what stays");
    assert!(page.contains("Read your news feed"));
    assert!(page.contains("name=\"permission\" value=\"Contacts.Read\""));
    assert_eq!(
        s.check(&s.contacts, delt).await["active"],
        true,
        "nothing changes before the POST"
    );

    // A crafted notice link says nothing while the permission is still there.
    let crafted = format!(
        "/account/consents?done=revoked&appid={}&permission=Contacts.Read",
        s.site.appid
    );
    assert!(!s.dashboard_at(&crafted).await.contains("Removed “"));

    let done = s
        .revoke(&s.app.client, &s.site.appid, "Contacts.Read")
        .await;
    assert_eq!(
        done,
        format!("{crafted}#app-{}", s.site.appid),
        "back to the app"
    );
    assert_eq!(s.check(&s.contacts, delt).await, json!({ "active": false }));
    let html = s.dashboard_at(&done).await;
    assert!(
        html.contains("Removed “Read your contacts” from Contoso Test Site."),
        "the notice names what was removed"
    );
    assert!(
        html.contains(&format!("id=\"app-{}\" open", s.site.appid)),
        "the app stays open"
    );

    // The last permission says so first, and after.
    let path = format!(
        "/account/consents/revoke?appid={}&permission=News.Read",
        s.site.appid
    );
    let page = s.app.get(&path).await.text().await.unwrap();
    assert!(page.contains("This is the last permission of Contoso Test Site"));
    let done = s.revoke(&s.app.client, &s.site.appid, "News.Read").await;
    let html = s.dashboard_at(&done).await;
    assert!(
        html.contains("It was its last permission, so Contoso Test Site no longer has any access")
    );
    assert_eq!(
        location(&s.app.get(&path).await),
        "/account/consents?done=nothing",
        "nothing left to confirm"
    );

    // Someone else's app, or garbage, gets no confirmation page.
    s.app.create_user("bob@example.com", PASSWORD);
    let bob = signed_in_browser(&s.app, "bob@example.com", PASSWORD).await;
    let other = s.grant(&["Contacts.Read"]);
    let r = bob
        .get(format!(
            "{}/account/consents/revoke?appid={}&permission=Contacts.Read",
            s.app.address, s.site.appid
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account/consents?done=nothing");
    let r = s
        .app
        .get("/account/consents/revoke?appid=nope&permission=Contacts.Read")
        .await;
    assert_eq!(r.status(), 400);
    let r = post(
        &s.app,
        &s.app.client,
        "/account/consents/revoke",
        &[
            ("appid", s.site.appid.as_str()),
            ("permission", "Contacts.Read"),
        ],
    )
    .await;
    assert_eq!(r.status(), 403, "the POST needs the CSRF token");
    assert_eq!(
        s.check(&s.contacts, &other.delegation_token).await["active"],
        true
    );
}
