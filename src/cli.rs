//! The command line's arguments (part of the `assent` binary, not of the library).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use assent::admin;

/// Assent: a delegated-consent authorization server.
#[derive(Debug, Parser)]
#[command(name = "assent", version, about)]
pub(crate) struct Cli {
    /// TOML configuration file (also ASSENT_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://... (also ASSENT_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Write a consistent copy of the embedded database to FILE, while Assent runs (SQLite only;
    /// PostgreSQL: pg_dump). The server key is not in it: keep the key file safe on its own.
    Backup {
        /// The new file (must not exist).
        file: PathBuf,
    },
    /// Put a backup in place of the embedded database (Assent must not be running; the backup
    /// must come from an installation with the same server key).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Delete now what is past its retention (`[retention]`; `serve` also does it on its own).
    Sweep,
    /// Bulk grant families for benches/run (benchmark databases only).
    #[command(hide = true)]
    BenchSeed(admin::bench_seed::BenchSeed),
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
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
pub(crate) enum AppCommand {
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
pub(crate) enum SecretCommand {
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
pub(crate) enum RpCommand {
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
pub(crate) enum OfferCommand {
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
pub(crate) enum KeysCommand {
    /// Make a new signing key current.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogueCommand {
    /// Create or update the providers, offers and actions of a TOML file (idempotent; never deletes).
    Apply {
        /// The catalogue file.
        file: PathBuf,
    },
}
