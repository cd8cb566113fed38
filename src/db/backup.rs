//! Backups of an embedded (SQLite) database: a consistent copy taken while Assent runs, and putting
//! one back while nothing has the database open.
//!
//! The copy is SQLite's `VACUUM INTO`: it reads the database in one read transaction (a snapshot:
//! writers go on meanwhile, in WAL mode) and writes a new, compact database file. Restoring copies
//! the file next to the database, checks it (`PRAGMA integrity_check`, and a caller's check of its
//! server-key check value), then renames it into place and removes the old write-ahead log, which
//! belongs to the old file.
//!
//! "Nothing has it open" is an advisory lock on `<database>.lock`: every `Db` on a SQLite file holds
//! it shared for its lifetime (servers and CLI commands alike), and a restore takes it exclusive.
//! SQLite's own locks are not used for this: an idle server holds none of them.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::{Backend, DbConnection};

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL (back it up with its own tools).
    #[error(
        "this database is PostgreSQL: back it up with pg_dump and restore with pg_restore \
         (see the README's Backups section)"
    )]
    NotSqlite,
    /// The destination exists already.
    #[error("{0} exists already: name a new file")]
    Exists(String),
    /// A server or another command has the database open.
    #[error("{0} is in use (a running `assent serve` or another command): stop it, then restore")]
    InUse(String),
    /// The file is not a sound Assent database.
    #[error("{0}")]
    Invalid(String),
    /// A file operation failed.
    #[error("{0}")]
    Io(String),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
}

fn io(what: &str, path: &Path, e: std::io::Error) -> BackupError {
    BackupError::Io(format!("can not {what} {}: {e}", path.display()))
}

fn lock_path(db_path: &str) -> PathBuf {
    PathBuf::from(format!("{db_path}.lock"))
}

fn open_lock(db_path: &str) -> Result<File, BackupError> {
    let path = lock_path(db_path);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| io("open", &path, e))
}

/// The shared "in use" lock a `Db` holds on its SQLite file while it lives (none for PostgreSQL).
/// Blocks only while a restore holds it exclusive.
pub(super) fn hold_shared(backend: &Backend) -> Result<Option<File>, BackupError> {
    let Backend::Sqlite(path) = backend else {
        return Ok(None);
    };
    let file = open_lock(path)?;
    file.lock_shared()
        .map_err(|e| io("lock", &lock_path(path), e))?;
    Ok(Some(file))
}

/// Write a consistent copy of the database to `dest` (a new file, mode 0600). Returns its size.
pub fn snapshot(conn: &mut DbConnection, dest: &Path) -> Result<u64, BackupError> {
    let DbConnection::Sqlite(conn) = conn else {
        return Err(BackupError::NotSqlite);
    };
    if dest.exists() {
        return Err(BackupError::Exists(dest.display().to_string()));
    }
    // Created empty and private first: VACUUM INTO writes into an empty file, and the copy holds
    // every grant (hashes only, but also the sealed application secrets).
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dest)
        .map_err(|e| io("create", dest, e))?;
    let name = dest
        .to_str()
        .ok_or_else(|| BackupError::Invalid(format!("{} is not UTF-8", dest.display())))?;
    let result = diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(name)
        .execute(conn);
    if let Err(e) = result {
        let _ = std::fs::remove_file(dest);
        return Err(e.into());
    }
    File::open(dest)
        .and_then(|f| {
            f.sync_all()?;
            f.metadata()
        })
        .map(|m| m.len())
        .map_err(|e| io("sync", dest, e))
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = integrity_check)]
    line: String,
}

/// Put the backup `file` in place of the SQLite database of `url`. `accept` sees the backup's
/// server-key check value (None when it has none) and refuses with a message. Nothing is changed
/// unless every check passed.
pub fn restore(
    url: &str,
    file: &Path,
    accept: impl FnOnce(Option<&str>) -> Result<(), String>,
) -> Result<(), BackupError> {
    let Ok(Backend::Sqlite(db_path)) = Backend::from_url(url) else {
        return Err(BackupError::NotSqlite);
    };
    let lock = open_lock(&db_path)?;
    if lock.try_lock().is_err() {
        return Err(BackupError::InUse(db_path));
    }
    let staged = PathBuf::from(format!("{db_path}.restoring"));
    let _ = std::fs::remove_file(&staged);
    let copied = copy_private(file, &staged).and_then(|()| check_staged(&staged, accept));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&staged);
        return Err(e);
    }
    for suffix in ["-wal", "-shm"] {
        let old = PathBuf::from(format!("{db_path}{suffix}"));
        match std::fs::remove_file(&old) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("remove", &old, e)),
        }
    }
    let target = PathBuf::from(&db_path);
    std::fs::rename(&staged, &target).map_err(|e| io("replace", &target, e))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("sync", dir, e))?;
    }
    drop(lock);
    Ok(())
}

fn copy_private(from: &Path, to: &Path) -> Result<(), BackupError> {
    let mut source = File::open(from).map_err(|e| io("open", from, e))?;
    let mut dest = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .map_err(|e| io("create", to, e))?;
    std::io::copy(&mut source, &mut dest).map_err(|e| io("copy into", to, e))?;
    dest.flush().map_err(|e| io("write", to, e))?;
    dest.sync_all().map_err(|e| io("sync", to, e))
}

fn check_staged(
    staged: &Path,
    accept: impl FnOnce(Option<&str>) -> Result<(), String>,
) -> Result<(), BackupError> {
    let name = staged.display().to_string();
    let mut conn = SqliteConnection::establish(&name)
        .map_err(|e| BackupError::Invalid(format!("not a SQLite database: {e}")))?;
    let not_sound = |detail: String| {
        BackupError::Invalid(format!("the backup is not a sound database: {detail}"))
    };
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| not_sound(e.to_string()))?;
    if lines.len() != 1 || lines[0].line != "ok" {
        let detail = lines.into_iter().map(|l| l.line).collect::<Vec<_>>();
        return Err(not_sound(detail.join("; ")));
    }
    let mut db = DbConnection::Sqlite(conn);
    let check = super::meta::get(&mut db, "server_key_check").map_err(|_| {
        BackupError::Invalid("the file is a SQLite database but not an Assent one".into())
    })?;
    accept(check.as_deref()).map_err(BackupError::Invalid)?;
    db.batch_execute("PRAGMA journal_mode = WAL;")?;
    Ok(())
}
