//! `assent backup FILE` and `assent restore FILE`: the embedded database's online copy and its
//! return (storage side in `db::backup`). PostgreSQL is backed up with its own tools.

use std::path::Path;

use serde::Serialize;

use super::AdminError;
use crate::crypto::ServerKey;
use crate::db::backup::{self, BackupError};
use crate::db::Db;

/// `backup` output.
#[derive(Debug, Serialize)]
pub struct BackedUp {
    /// The file written.
    pub backup: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// `restore` output.
#[derive(Debug, Serialize)]
pub struct Restored {
    /// The backup that was put back.
    pub restored: String,
    /// The database it replaced.
    pub database: String,
}

impl From<BackupError> for AdminError {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Query(q) => AdminError::Db(crate::db::DbError::Query(q)),
            BackupError::Exists(_) | BackupError::InUse(_) => AdminError::Conflict(e.to_string()),
            BackupError::Io(_) => AdminError::Internal(e.to_string()),
            BackupError::NotSqlite | BackupError::Invalid(_) => AdminError::Invalid(e.to_string()),
        }
    }
}

/// Write a consistent copy of the running database to `dest` (which must not exist).
pub fn backup(db: &Db, dest: &Path) -> Result<BackedUp, AdminError> {
    let bytes = db.run_sync(|conn| backup::snapshot(conn, dest).map_err(AdminError::from))?;
    Ok(BackedUp {
        backup: dest.display().to_string(),
        bytes,
    })
}

/// Replace the database of `url` (not in use) with the backup `file`, if the backup's data was
/// sealed with `key` (its server-key check matches).
pub fn restore(url: &str, key: &ServerKey, file: &Path) -> Result<Restored, AdminError> {
    backup::restore(url, file, |check| match check {
        Some(value) if !crate::crypto::ct_eq(value.as_bytes(), key.check_value().as_bytes()) => {
            Err(format!(
            "{} was made with another server key: its sealed secrets would not open. Restore it \
             with the key file (or ASSENT_SERVER_KEY) of the installation it came from",
            file.display()
        ))
        }
        _ => Ok(()),
    })?;
    Ok(Restored {
        restored: file.display().to_string(),
        database: url.to_string(),
    })
}
