//! The `assent` command: parses arguments and calls the library. Commands that create something
//! print one JSON object on stdout; errors go to stderr with exit code 1.
#![forbid(unsafe_code)]

use std::io::Read;
use std::process::ExitCode;

use clap::Parser;

use assent::admin::{self, AdminError};
use assent::config::Config;
use assent::startup::{self, Application};

mod cli;
use cli::*;

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
        Command::Backup { file } => {
            let storage = startup::open_existing_storage(&config)?;
            print(&admin::backup::backup(&storage.db, &file)?)
        }
        Command::Restore { file } => {
            let key = startup::existing_key(&config)?;
            print(&admin::backup::restore(&config.database.url, &key, &file)?)
        }
        Command::Sweep => {
            let storage = startup::open_existing_storage(&config)?;
            let swept = assent::sweeper::sweep(&storage.db, &config.retention, now)
                .map_err(|e| CliError::Other(e.to_string()))?;
            print(&swept)
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
