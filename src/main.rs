//! The `assent` command: parses arguments and calls the library. Commands that create something
//! print one JSON object on stdout; errors go to stderr with exit code 1.
#![forbid(unsafe_code)]

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use assent::admin::{self, AdminError};
use assent::config::Config;
use assent::startup::{self, Application};

/// Assent: a delegated-consent authorization server.
#[derive(Debug, Parser)]
#[command(name = "assent", version, about)]
struct Cli {
    /// TOML configuration file (also ASSENT_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://... (also ASSENT_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (migrates first).
    Serve {
        /// Address to listen on (also ASSENT_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Seed a demo user, catalogue and website at /demo.
        #[arg(long)]
        demo: bool,
    },
    /// Run pending database migrations.
    Migrate,
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Applications (websites).
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
    /// Resource providers.
    Rp {
        #[command(subcommand)]
        command: RpCommand,
    },
    /// Offers of a resource provider.
    Offer {
        #[command(subcommand)]
        command: OfferCommand,
    },
    /// Delegation-token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The permission catalogue (providers, offers, actions) as a file.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Bulk grant families for benches/run (benchmark databases only).
    #[command(hide = true)]
    BenchSeed(admin::bench_seed::BenchSeed),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AppCommand {
    /// Register an application.
    Create {
        #[arg(long)]
        name: String,
        /// A return URL (repeatable; the first is the default).
        #[arg(long = "return-url", required = true)]
        return_urls: Vec<String>,
        #[arg(long)]
        privacy_url: Option<String>,
        /// The secret (default: 32 random alphanumerics).
        #[arg(long)]
        secret: Option<String>,
        /// An OAuth public client (no secret use; PKCE required).
        #[arg(long)]
        public: bool,
    },
    /// List applications (never prints secrets).
    List,
    /// Show one application.
    Show {
        appid: String,
        /// Also print the secret.
        #[arg(long)]
        reveal_secret: bool,
    },
    /// Change the secret.
    Secret {
        #[command(subcommand)]
        command: SecretCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SecretCommand {
    /// Set a given secret.
    Set {
        appid: String,
        #[arg(long)]
        secret: String,
        /// Keep accepting (and sealing with) the old secret for this long, e.g. 7d.
        #[arg(long)]
        keep_old_for: Option<String>,
    },
    /// Generate a new secret and print it.
    Regenerate {
        appid: String,
        /// Keep accepting (and sealing with) the old secret for this long, e.g. 7d.
        #[arg(long)]
        keep_old_for: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum RpCommand {
    /// Register a resource provider.
    Create {
        #[arg(long)]
        name: String,
        /// Own <Type>.Read|Write|Full for any type not otherwise registered.
        #[arg(long)]
        custom_types: bool,
    },
}

#[derive(Debug, Subcommand)]
enum OfferCommand {
    /// Add or update an offer's actions.
    Add {
        #[arg(long)]
        rp: String,
        #[arg(long)]
        offer: String,
        /// ACTION=DESCRIPTION (repeatable).
        #[arg(long = "action", required = true)]
        actions: Vec<String>,
        /// An action that exists but can not be granted (repeatable).
        #[arg(long = "not-grantable")]
        not_grantable: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Make a new signing key current.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum CatalogueCommand {
    /// Create or update the providers, offers and actions of a TOML file (idempotent; never deletes).
    Apply {
        /// The catalogue file.
        file: PathBuf,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] assent::config::ConfigError),
    #[error(transparent)]
    Startup(#[from] startup::StartupError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error("{0}")]
    Other(String),
}

fn print<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string(value).map_err(|e| CliError::Other(e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        config.database.url = url;
    }
    assent::telemetry::init(&config.log);
    let now = assent::clock::now();
    match cli.command {
        Command::Serve { bind, demo } => {
            if let Some(bind) = bind {
                config.server.bind = bind;
            }
            config.server.demo |= demo;
            serve(config)
        }
        Command::Migrate => {
            startup::open_storage(&config)?;
            print(&serde_json::json!({"migrated": true}))
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    name,
                    password_stdin: _,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| CliError::Other(format!("can not read the password: {e}")))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let storage = startup::open_existing_storage(&config)?;
            let hasher = startup::password_hasher(&config)?;
            print(&admin::create_user(
                &storage.db,
                &hasher,
                &email,
                &name,
                password,
                now,
            )?)
        }
        Command::App { command } => {
            let storage = startup::open_existing_storage(&config)?;
            let (db, key) = (&storage.db, &storage.key);
            match command {
                AppCommand::Create {
                    name,
                    return_urls,
                    privacy_url,
                    secret,
                    public,
                } => print(&admin::create_app(
                    db,
                    key,
                    &admin::AppRegistration {
                        name: &name,
                        return_urls: &return_urls,
                        privacy_url: privacy_url.as_deref(),
                        secret: secret.as_deref(),
                        public_client: public,
                    },
                    now,
                )?),
                AppCommand::List => print(&admin::list_apps(db, key)?),
                AppCommand::Show {
                    appid,
                    reveal_secret,
                } => print(&admin::show_app(db, key, &appid, reveal_secret)?),
                AppCommand::Secret { command } => {
                    let (appid, secret, keep) = match command {
                        SecretCommand::Set {
                            appid,
                            secret,
                            keep_old_for,
                        } => (appid, Some(secret), keep_old_for),
                        SecretCommand::Regenerate {
                            appid,
                            keep_old_for,
                        } => (appid, None, keep_old_for),
                    };
                    let keep = keep.as_deref().map(admin::parse_duration).transpose()?;
                    print(&admin::change_secret(
                        db,
                        key,
                        &appid,
                        secret.as_deref(),
                        keep,
                        now,
                    )?)
                }
            }
        }
        Command::Rp {
            command: RpCommand::Create { name, custom_types },
        } => {
            let storage = startup::open_existing_storage(&config)?;
            print(&admin::create_provider(
                &storage.db,
                &name,
                custom_types,
                now,
            )?)
        }
        Command::Offer {
            command:
                OfferCommand::Add {
                    rp,
                    offer,
                    actions,
                    not_grantable,
                },
        } => {
            let actions = actions
                .iter()
                .map(|a| {
                    a.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .ok_or_else(|| {
                            CliError::Other(format!("--action {a:?} must be ACTION=DESCRIPTION"))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let storage = startup::open_existing_storage(&config)?;
            print(&admin::add_offer(
                &storage.db,
                &rp,
                &offer,
                &actions,
                &not_grantable,
            )?)
        }
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            let storage = startup::open_existing_storage(&config)?;
            print(&admin::rotate_keys(&storage.db, &storage.key, now)?)
        }
        Command::Catalogue {
            command: CatalogueCommand::Apply { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Other(format!("can not read {}: {e}", file.display())))?;
            let parsed = assent::admin::catalogue::parse_file(&text)?;
            let storage = startup::open_existing_storage(&config)?;
            print(&assent::admin::catalogue::apply(&storage.db, &parsed, now)?)
        }
        Command::BenchSeed(request) => {
            let storage = startup::open_existing_storage(&config)?;
            print(&admin::bench_seed::bench_seed(&storage.db, &request, now)?)
        }
    }
}

fn serve(config: Config) -> Result<(), CliError> {
    let runtime = actix_web::rt::System::new();
    runtime.block_on(async move {
        let app = Application::build(config).await?;
        app.run_until_stopped()
            .await
            .map_err(|e| CliError::Other(e.to_string()))
    })
}
