//! `TestApp::spawn()`: the production startup, port 0, a fresh database per test.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use assent::config::Config;
use assent::startup::Application;
use assent::state::AppState;
use diesel::{Connection, PgConnection, RunQueryDsl};

/// A running Assent for one test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// A browser-like client: cookie jar on, redirects off.
    pub client: reqwest::Client,
    /// The server's shared state (storage, key).
    pub state: Arc<AppState>,
    /// The configuration it was started with.
    pub config: Config,
    /// The database (dropped with the app).
    pub db: TestDb,
    /// `http://127.0.0.1:<metrics port>` (the test configuration turns the listener on).
    pub metrics_address: Option<String>,
}

/// A fresh database: a temporary directory for SQLite, or a database created on the PostgreSQL
/// server of ASSENT_TEST_DATABASE_URL and dropped afterwards.
pub struct TestDb {
    /// The URL Assent uses.
    pub url: String,
    /// A server key (PostgreSQL needs one configured).
    pub server_key: Option<String>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Create a fresh, empty database.
    pub fn new() -> TestDb {
        match std::env::var("ASSENT_TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() => {
                let name = format!("assent_test_{}", hex::encode(rand_bytes()));
                let mut conn = PgConnection::establish(&server).expect("connect to PostgreSQL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create test database");
                let mut url = url::Url::parse(&server).expect("ASSENT_TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                TestDb {
                    url: url.to_string(),
                    server_key: Some(hex::encode(rand_bytes32())),
                    _dir: None,
                    pg: Some((server, name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/assent.db", dir.path().display());
                TestDb {
                    url,
                    server_key: None,
                    _dir: Some(dir),
                    pg: None,
                }
            }
        }
    }

    /// A fresh database with Assent's schema (as after `assent migrate`).
    pub fn migrated() -> TestDb {
        let db = TestDb::new();
        assent::startup::open_storage(&test_config(&db)).expect("the test database migrates");
        db
    }

    /// For SQLite: the database file's path.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.url
            .strip_prefix("sqlite://")
            .map(std::path::PathBuf::from)
    }

    /// True when the tests run against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// For PostgreSQL: the server URL and this test's database name.
    pub fn postgres(&self) -> Option<(&str, &str)> {
        self.pg.as_ref().map(|(s, n)| (s.as_str(), n.as_str()))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(server) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

fn rand_bytes() -> [u8; 8] {
    assent::crypto::random_bytes::<8>().unwrap()
}

fn rand_bytes32() -> [u8; 32] {
    assent::crypto::random_bytes::<32>().unwrap()
}

/// The configuration every test starts from: port 0, low password-hash cost.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config::default();
    config.database.url = db.url.clone();
    config.database.pool_size = 4;
    config.server.bind = "127.0.0.1:0".into();
    config.server.workers = Some(2);
    config.security.server_key = db.server_key.clone();
    config.security.password_memory_kib = 64;
    config.security.password_iterations = 1;
    config.log.filter = "warn".into();
    config.metrics.bind = "127.0.0.1:0".into();
    // With SQLite the outbox sits beside the database in its temporary directory; a PostgreSQL
    // test writes its mail to a temporary directory of its own, never the working directory.
    if let Some((_, name)) = db.postgres() {
        config.mail.outbox_dir = Some(std::env::temp_dir().join(format!("{name}.outbox")));
    }
    config
}

impl TestApp {
    /// Start Assent with the default test configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Start Assent after `adjust` changed the test configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(TestDb::new(), adjust).await
    }

    /// Start Assent on the database `db` (which may hold data already).
    pub async fn spawn_on(db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = test_config(&db);
        adjust(&mut config);
        assent::telemetry::init(&config.log);
        let app = Application::build(config.clone())
            .await
            .expect("Assent starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics_address = app.metrics_port().map(|p| format!("http://127.0.0.1:{p}"));
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: browser(),
            state,
            config,
            db,
            metrics_address,
        }
    }

    /// GET a path with this app's browser.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request")
    }

    /// POST a form to a path with this app's browser.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// The CSRF token of the form on the page at `path`.
    pub async fn csrf_of(&self, path: &str) -> String {
        let html = self.get(path).await.text().await.expect("body");
        csrf_in(&html).expect("the page has a csrf field")
    }

    /// Create a user directly (as `assent user create` does).
    pub fn create_user(&self, email: &str, password: &str) -> assent::admin::CreatedUser {
        assent::admin::create_user(
            &self.state.db,
            &self.state.hasher,
            email,
            "Test User",
            password,
            1,
        )
        .expect("user created")
    }

    /// Sign in through the form; returns the response (303 on success).
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf_of("/signin").await;
        self.post_form(
            "/signin",
            &[
                ("email", email),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        )
        .await
    }

    /// The value of this browser's session cookie, if any.
    pub fn session_cookie(&self, response: &reqwest::Response) -> Option<String> {
        response
            .cookies()
            .find(|c| c.name() == "assent_session")
            .map(|c| c.value().to_string())
    }
}

/// A new browser-like client: cookie jar on, redirects off.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The value of the first `name="csrf"` hidden field in an HTML page.
pub fn csrf_in(html: &str) -> Option<String> {
    hidden_value(html, "csrf")
}

/// The value of the first input named `name` in an HTML page (attributes in any order).
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find("value=\"")? + 7;
    let value = &tag[v..v + tag[v..].find('"')?];
    Some(unescape_html(value))
}

/// Undo tera's HTML escaping of attribute values.
pub fn unescape_html(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Run the `assent` binary on `db` with `args` (and `stdin` when given), as a user would.
pub fn cli(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assent"));
    cmd.arg("--database-url")
        .arg(&db.url)
        .args(args)
        .env_remove("ASSENT_CONFIG")
        .env("ASSENT_LOG", "warn")
        .env("ASSENT_PASSWORD_TEST_NOTE", "cost comes from config")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match &db.server_key {
        Some(key) => cmd.env("ASSENT_SERVER_KEY", key),
        None => cmd.env_remove("ASSENT_SERVER_KEY"),
    };
    let mut child = cmd.spawn().expect("assent runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

/// The one JSON value a successful CLI command prints.
pub fn cli_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}
