//! What the dashboard tests (and the browser tests) share: an Assent with a catalogue, a website and
//! a signed-in user; granting, checking, refreshing and revoking over HTTP as each party would.

use assent::admin::{self, CreatedProvider, CreatedUser};
use assent::db::DbError;
use assent::domain::permission::Permission;
use assent::tokens::issue::GrantRequest;
use assent::tokens::Issued;
use serde_json::Value;

use crate::helpers::{browser, csrf_in, TestApp};
use crate::website::Website;

pub const PASSWORD: &str = "a long enough password";
pub const DAY: i64 = 86_400;

/// An Assent with a catalogue (`Contacts` owned by one provider, `News` by another), a website
/// (`Contoso Test Site`) and Alice, signed in on `app.client`.
pub struct Setup {
    pub app: TestApp,
    pub site: Website,
    pub alice: CreatedUser,
    pub contacts: CreatedProvider,
    pub news: CreatedProvider,
}

impl Setup {
    pub async fn new() -> Setup {
        Setup::with_return_url("https://contoso.example/cb").await
    }

    /// The same with the website's return URL `return_url`.
    pub async fn with_return_url(return_url: &str) -> Setup {
        Setup::with_config(return_url, |_| {}).await
    }

    /// The same with the configuration changed by `adjust`.
    pub async fn with_config(
        return_url: &str,
        adjust: impl FnOnce(&mut assent::config::Config),
    ) -> Setup {
        let app = TestApp::spawn_with(adjust).await;
        let db = &app.state.db;
        let contacts = admin::create_provider(db, "Contacts service", false, 1).unwrap();
        let actions =
            ["Read", "Write", "Full"].map(|a| (a.to_string(), format!("{a} your contacts")));
        admin::add_offer(db, &contacts.rp_id, "Contacts", &actions, &[]).unwrap();
        let news = admin::create_provider(db, "News service", false, 1).unwrap();
        let actions = ["Read", "Write"].map(|a| (a.to_string(), format!("{a} your news feed")));
        admin::add_offer(db, &news.rp_id, "News", &actions, &[]).unwrap();
        let site = Website::register(&app, return_url);
        let alice = app.create_user("alice@example.com", PASSWORD);
        assert_eq!(
            app.sign_in("alice@example.com", PASSWORD).await.status(),
            303
        );
        Setup {
            app,
            site,
            alice,
            contacts,
            news,
        }
    }

    /// Register another website called `name`; returns its appid.
    pub fn other_app(&self, name: &str) -> String {
        let urls = [format!(
            "https://{}.example/cb",
            name.to_lowercase().replace(' ', "-")
        )];
        let reg = admin::AppRegistration {
            name,
            return_urls: &urls,
            ..Default::default()
        };
        admin::create_app(&self.app.state.db, &self.app.state.key, &reg, 1)
            .unwrap()
            .appid
    }

    /// Grant `perms` (each with its lifetime in seconds, negative for already expired) to app
    /// `appid` for `user`, as one consent decision.
    pub fn grant_to(&self, appid: &str, user: &CreatedUser, perms: &[(&str, i64)]) -> Issued {
        let state = &self.app.state;
        let now = assent::clock::now();
        let application_id = state
            .db
            .run_sync(|conn| {
                assent::db::application::find_by_appid(conn, appid).map_err(DbError::from)
            })
            .unwrap()
            .unwrap()
            .id;
        let permissions: Vec<(Permission, i64)> = perms
            .iter()
            .map(|(p, ttl)| (Permission::parse(p).unwrap(), now + ttl))
            .collect();
        let req = GrantRequest {
            user_id: user.id,
            lid: &user.lid,
            application_id,
            appid,
            protocol: "live",
            resource: None,
            permissions: &permissions,
        };
        state
            .db
            .transaction_sync(|conn| state.issuer.grant(conn, &req, now))
            .unwrap()
    }

    /// Grant `perms` for 30 days to the website for Alice.
    pub fn grant(&self, perms: &[&str]) -> Issued {
        let perms: Vec<(&str, i64)> = perms.iter().map(|p| (*p, 30 * DAY)).collect();
        self.grant_to(&self.site.appid, &self.alice, &perms)
    }

    /// `POST /delegation/check` as `rp`.
    pub async fn check(&self, rp: &CreatedProvider, token: &str) -> Value {
        let r = self
            .app
            .client
            .post(format!("{}/delegation/check", self.app.address))
            .basic_auth(&rp.rp_id, Some(&rp.secret))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Refresh as the website would: `Ok((offer, new reft))` or `Err(error code)`.
    pub async fn refresh(&self, ps: &str, reft: &str) -> Result<(String, String), String> {
        refresh_with(&self.app, &self.site, ps, reft).await
    }

    /// Remove one permission of app `appid` on `client` (its CSRF token from the dashboard).
    pub async fn revoke(&self, client: &reqwest::Client, appid: &str, permission: &str) -> String {
        let csrf = csrf_on(&self.app, client, "/account/consents").await;
        let form = [
            ("csrf", csrf.as_str()),
            ("appid", appid),
            ("permission", permission),
        ];
        let r = post(&self.app, client, "/account/consents/revoke", &form).await;
        assert_eq!(r.status(), 303);
        location(&r)
    }

    /// Remove a whole app on `client`, through its confirmation page when it has one.
    pub async fn remove_app(&self, client: &reqwest::Client, appid: &str) -> String {
        let csrf = csrf_on(&self.app, client, "/account/consents").await;
        let form = [("csrf", csrf.as_str()), ("appid", appid)];
        let r = post(&self.app, client, "/account/consents/remove", &form).await;
        assert_eq!(r.status(), 303);
        location(&r)
    }

    /// The dashboard's HTML as seen by `app.client` (`path` may carry a `?done=`).
    pub async fn dashboard_at(&self, path: &str) -> String {
        let r = self.app.get(path).await;
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    }

    /// The dashboard's HTML as seen by `app.client`.
    pub async fn dashboard(&self) -> String {
        let r = self.app.get("/account/consents").await;
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    }
}

/// The refresh of docs/protocol.md section 8 over HTTP.
pub async fn refresh_with(
    app: &TestApp,
    site: &Website,
    ps: &str,
    reft: &str,
) -> Result<(String, String), String> {
    let r = app.get(&site.refresh_path(ps, reft)).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    if status == 200 {
        let token = site.open(body["ConsentToken"].as_str().unwrap());
        Ok((token.get("offer").unwrap(), token.get("reft").unwrap()))
    } else {
        assert_eq!(status, 400, "{body}");
        Err(body["error"].as_str().unwrap().to_string())
    }
}

/// GET `path` on `client` and return its CSRF token.
pub async fn csrf_on(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    csrf_in(&r.text().await.unwrap()).unwrap()
}

/// POST a form on `client`.
pub async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let url = format!("{}{path}", app.address);
    client.post(url).form(form).send().await.unwrap()
}

/// The Location header.
pub fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// A second browser signed in as `email`.
pub async fn signed_in_browser(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = browser();
    let csrf = csrf_on(app, &client, "/signin").await;
    let form = [
        ("email", email),
        ("password", password),
        ("csrf", &csrf),
        ("next", "/"),
    ];
    assert_eq!(post(app, &client, "/signin", &form).await.status(), 303);
    client
}
