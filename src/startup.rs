//! Building the application: storage first (migrations, server-key check), then the HTTP server.
//! `Application::build` binds before returning, so port 0 works and tests learn the real port.

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::password::PasswordHasher;
use crate::crypto::ServerKey;
use crate::db::coalesce::CheckReads;
use crate::db::{self, Backend, Db, DbError};
use crate::ratelimit::Limits;
use crate::state::AppState;

/// Why Assent did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A query failed during startup.
    #[error("database query failed during startup: {0}")]
    Query(#[from] diesel::result::Error),
    /// The server key is missing, unreadable or wrong.
    #[error("{0}")]
    Key(String),
    /// Bad password-hash parameters.
    #[error(transparent)]
    Password(#[from] crate::crypto::password::PasswordError),
    /// A template does not parse.
    #[error("template error: {0}")]
    Template(#[from] tera::Error),
    /// Binding the socket failed.
    #[error("can not listen: {0}")]
    Io(#[from] std::io::Error),
    /// A command that works on an existing database found none.
    #[error(
        "no Assent database at {0}: run `assent migrate` (or `assent serve`) to create one here, \
         or name another with --database-url or ASSENT_DATABASE_URL"
    )]
    NoDatabase(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// Storage ready for use: migrated, with the verified server key.
#[derive(Debug, Clone)]
pub struct Storage {
    /// The pool.
    pub db: Db,
    /// The server key.
    pub key: ServerKey,
}

const KEY_CHECK: &str = "server_key_check";

/// Open the database, run migrations, and load (or, for a new embedded database, create) the server
/// key. Never regenerates a key for a database that already holds sealed data.
pub fn open_storage(config: &Config) -> Result<Storage, StartupError> {
    let settings = db::Settings {
        pool_size: config.database.pool_size,
        busy_timeout_ms: config.database.busy_timeout_ms,
        statement_timeout_ms: config.database.statement_timeout_ms,
        checkout_timeout_ms: config.database.checkout_timeout_ms,
        sqlite_synchronous: config.database.sqlite_synchronous,
    };
    let db = Db::connect_with(&config.database.url, &settings)?;
    let ran = db.migrate()?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    let (stored_check, has_sealed) = db.run_sync(|conn| -> Result<_, StartupError> {
        Ok((
            db::meta::get(conn, KEY_CHECK)?,
            db::application::any_exists(conn)?,
        ))
    })?;
    let key = load_key(config, db.backend(), stored_check.is_some() || has_sealed)?;
    match stored_check {
        Some(check) if crate::crypto::ct_eq(check.as_bytes(), key.check_value().as_bytes()) => {}
        Some(_) => {
            return Err(StartupError::Key(
                "the server key does not match this database (it was set up with another key); \
                 refusing to start"
                    .into(),
            ))
        }
        None => db.run_sync(|conn| -> Result<_, StartupError> {
            Ok(db::meta::insert(conn, KEY_CHECK, key.check_value())?)
        })?,
    }
    db.transaction_sync(|conn| -> Result<_, StartupError> {
        Ok(crate::catalogue::ensure_builtin(conn, crate::clock::now())?)
    })?;
    Ok(Storage { db, key })
}

/// [`open_storage`] for commands that work on what is there (every CLI command but `serve` and
/// `migrate`): a database that does not exist yet, or holds no Assent schema, is
/// [`StartupError::NoDatabase`] naming it, and nothing is created.
pub fn open_existing_storage(config: &Config) -> Result<Storage, StartupError> {
    match db::probe::probe(&config.database.url)? {
        db::probe::Found::SetUp => open_storage(config),
        db::probe::Found::Missing { name } => Err(StartupError::NoDatabase(name)),
    }
}

/// The server key this configuration names, without opening the database and never generating
/// one (for `assent restore`, which must not hold the database open).
pub fn existing_key(config: &Config) -> Result<ServerKey, StartupError> {
    let backend = Backend::from_url(&config.database.url)?;
    load_key(config, &backend, true)
}

fn load_key(config: &Config, backend: &Backend, has_data: bool) -> Result<ServerKey, StartupError> {
    if let Some(text) = &config.security.server_key {
        return ServerKey::parse(text).map_err(|e| StartupError::Key(format!("server_key: {e}")));
    }
    let path: PathBuf = match (&config.security.server_key_file, backend) {
        (Some(p), _) => p.clone(),
        (None, Backend::Sqlite(db_path)) => PathBuf::from(format!("{db_path}.key")),
        (None, Backend::Postgres(_)) => {
            return Err(StartupError::Key(
                "PostgreSQL needs a shared server key: set ASSENT_SERVER_KEY or \
                 ASSENT_SERVER_KEY_FILE (e.g. `openssl rand -hex 32`)"
                    .into(),
            ))
        }
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => ServerKey::parse(&text)
            .map_err(|e| StartupError::Key(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !has_data => {
            let (key, hex_form) =
                ServerKey::generate().map_err(|e| StartupError::Key(e.to_string()))?;
            write_key_file(&path, &hex_form)?;
            tracing::info!(path = %path.display(), "generated a new server key");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StartupError::Key(format!(
            "the server key file {} is missing but the database holds data sealed with it; \
             restore the file (refusing to generate a new key)",
            path.display()
        ))),
        Err(e) => Err(StartupError::Key(format!(
            "can not read the server key file {}: {e}",
            path.display()
        ))),
    }
}

fn write_key_file(path: &std::path::Path, hex_form: &str) -> Result<(), StartupError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(format!("{hex_form}\n").as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// A password hasher with the configured cost.
pub fn password_hasher(config: &Config) -> Result<PasswordHasher, StartupError> {
    let concurrency = config
        .security
        .password_hash_concurrency
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
        });
    Ok(PasswordHasher::new(
        config.security.password_memory_kib,
        config.security.password_iterations,
        config.security.password_parallelism,
        concurrency,
    )?)
}

/// A running (not yet awaited) Assent server.
pub struct Application {
    port: u16,
    server: Server,
    /// The metrics listener (its port and server), unless turned off.
    metrics: Option<(u16, Server)>,
    state: web::Data<AppState>,
}

impl Application {
    /// Open storage, prepare state, bind the listener. The server runs when awaited.
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        crate::templates::init()?;
        let storage = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || open_storage(&config))
                .await
                .map_err(|e| StartupError::Other(e.to_string()))??
        };
        crate::sweeper::spawn(storage.db.clone(), config.retention.clone());
        let hasher = password_hasher(&config)?;
        let listener = TcpListener::bind(&config.server.bind)?;
        let addr = listener.local_addr()?;
        let metrics_listener = metrics_listener(&config)?;
        let public_url = match &config.server.public_url {
            Some(_) => config.public_url(),
            None => format!("http://{addr}"),
        };
        let issuer = crate::tokens::Issuer {
            keys: crate::tokens::KeyRing::new(
                config.security.key_reload_secs,
                config.delauth.delegation_token_ttl_secs,
            ),
            server_key: storage.key.clone(),
            issuer_url: public_url.clone(),
            delegation_ttl_secs: config.delauth.delegation_token_ttl_secs,
            verified: crate::tokens::verified::VerifiedCache::new(10_000),
            refresh_grace_secs: config.security.refresh_grace_secs,
            owners: crate::tokens::audience::OwnerCache::new(config.security.key_reload_secs),
        };
        {
            let (db, issuer_keys, key) = (storage.db.clone(), &issuer, storage.key.clone());
            let now = crate::clock::now();
            db.transaction_sync(|conn| issuer_keys.keys.reload(conn, &key, now))
                .map_err(|e| StartupError::Key(format!("signing keys: {e}")))?;
        }
        let demo = if config.server.demo {
            let (db, key, hasher, url) = (
                storage.db.clone(),
                storage.key.clone(),
                hasher.clone(),
                public_url.clone(),
            );
            let site = tokio::task::spawn_blocking(move || {
                crate::demo::seed(&db, &key, &hasher, &url, crate::clock::now())
            })
            .await
            .map_err(|e| StartupError::Other(e.to_string()))?
            .map_err(|e| StartupError::Other(format!("demo: {e}")))?;
            tracing::info!(
                url = %format!("{public_url}/demo"),
                user = crate::demo::DEMO_EMAIL,
                password = crate::demo::DEMO_PASSWORD,
                "demo ready: open the demo website and connect it to the demo account"
            );
            Some(site)
        } else {
            let db = storage.db.clone();
            let locked =
                tokio::task::spawn_blocking(move || crate::demo::lock(&db, crate::clock::now()))
                    .await
                    .map_err(|e| StartupError::Other(e.to_string()))?
                    .map_err(|e| StartupError::Other(format!("demo: {e}")))?;
            if locked {
                tracing::info!("not in demo mode: the demo account is locked until serve --demo");
            }
            None
        };
        let mailer = crate::mail::Mailer::from_config(&config.mail, &config.database.url)
            .map_err(|e| StartupError::Other(e.to_string()))?;
        tracing::info!(mailer = ?mailer, "mail");
        let email =
            crate::email_link::EmailLinks::new(&config.mail, mailer, &storage.db, &public_url);
        let limits = Limits::for_db(&config.security, &storage.db);
        let state = web::Data::new(AppState {
            check_reads: CheckReads::for_pool(&storage.db, limits.secrets.counters()),
            email,
            providers: crate::provider_cache::ProviderCache::new(
                crate::provider_cache::MAX_AGE_SECS,
            ),
            demo,
            issuer,
            limits,
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            db: storage.db,
            key: storage.key,
            hasher,
            config,
        });
        let workers = state
            .config
            .server
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        let app_state = state.clone();
        let https = state.public_url.starts_with("https://");
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .wrap(middleware::from_fn(
                    crate::routes::error::error_pages_know_the_visitor,
                ))
                .wrap(crate::routes::security_headers(https))
                .wrap(middleware::from_fn(crate::routes::log_request))
                .configure(crate::routes::configure)
        })
        .workers(workers.max(1))
        .shutdown_timeout(state.config.server.shutdown_timeout_secs)
        // actix stops at once on SIGINT; Ctrl-C must drain like SIGTERM (see `stop_on_signal`).
        .disable_signals()
        .listen(listener)?
        .run();
        tracing::info!(%addr, public_url = %state.public_url, "Assent listening");
        let metrics = match metrics_listener {
            Some(listener) => Some(metrics_server(listener, &state.config)?),
            None => None,
        };
        Ok(Application {
            port: addr.port(),
            server,
            metrics,
            state,
        })
    }

    /// The metrics listener's port, when it is on (`metrics.bind`).
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use it to reach storage directly).
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone().into_inner()
    }

    /// Serve until SIGTERM or SIGINT, both graceful: the listener closes at once and requests in
    /// flight finish within `server.shutdown_timeout_secs`; the metrics listener stops after them.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let metrics = self.metrics.map(|(_, m)| (m.handle(), tokio::spawn(m)));
        let signals = tokio::spawn(stop_on_signal(handle));
        let result = self.server.await;
        signals.abort();
        if let Some((handle, task)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        result
    }
}

/// Bind the metrics listener (`metrics.bind`) and install the recorder; None when turned off.
fn metrics_listener(config: &Config) -> Result<Option<TcpListener>, StartupError> {
    let Some(bind) = config.metrics.listen_on() else {
        return Ok(None);
    };
    let listener = TcpListener::bind(bind)
        .map_err(|e| StartupError::Other(format!("can not listen for metrics on {bind}: {e}")))?;
    crate::metrics::install();
    Ok(Some(listener))
}

/// The metrics server: its own small actix server, serving `GET /metrics` only.
fn metrics_server(listener: TcpListener, config: &Config) -> Result<(u16, Server), StartupError> {
    let addr = listener.local_addr()?;
    let server = HttpServer::new(|| App::new().configure(crate::routes::configure_metrics))
        .workers(1)
        .shutdown_timeout(config.server.shutdown_timeout_secs)
        .disable_signals()
        .listen(listener)?
        .run();
    tracing::info!(%addr, "metrics listening");
    Ok((addr.port(), server))
}

/// Wait for SIGTERM or SIGINT, then stop the server gracefully.
async fn stop_on_signal(handle: actix_web::dev::ServerHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "can not listen for SIGTERM and SIGINT");
            return;
        }
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    tracing::info!(signal = name, "stopping: finishing requests in flight");
    handle.stop(true).await;
}
