//! The SQLite database file on disk: created private to its owner.

use super::DbError;

/// Create a new SQLite database file with mode 0600 (like the key file: it holds sealed secrets,
/// password hashes and token hashes), before SQLite opens it. SQLite creates the `-wal` and `-shm`
/// files with the mode of the database file, so they are 0600 too. An existing file is left as it
/// is; special names (`:memory:`, `file:` URIs) are SQLite's own.
pub(super) fn create_private(path: &str) -> Result<(), DbError> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.starts_with(':') || path.starts_with("file:") {
        return Ok(());
    }
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(DbError::Migration(format!("can not create {path}: {e}"))),
    }
}
