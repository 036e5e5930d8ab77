//! Encrypting a plain project after the fact (`accord encrypt`, [`super::ProjectCommand::Encrypt`]
//! through [`super::Workspace::apply`]): the open project's file becomes an encrypted one and the
//! workspace goes on with it (see `Store::encrypt_here`); its undo and redo steps are copied with
//! the rest; its plaintext backups are deleted and one encrypted backup taken in their place; its
//! search index on disk, which holds the transcripts' words, is deleted (an encrypted project keeps
//! its index in memory). Copies made elsewhere (exports, rater files already issued) stay as they
//! are, in plaintext.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{AppError, Result};
use crate::search::sync::IndexRemoval;
use crate::store::{Passphrase, Store, backups_dir, list_backups};

/// What `accord encrypt` did.
#[derive(Debug, Clone, Serialize)]
pub struct EncryptOutcome {
    /// The project, now encrypted.
    pub project: PathBuf,
    /// Tables and rows copied and checked.
    pub tables: usize,
    /// Rows copied and checked.
    pub rows: u64,
    /// Plaintext backups deleted.
    pub backups_deleted: usize,
    /// The one encrypted backup taken.
    pub backup: Option<PathBuf>,
    /// Whether a search index on disk was deleted.
    pub index_deleted: bool,
    /// An index folder left in place because it does not look like Accord's.
    pub index_left: Option<PathBuf>,
}

/// Refuses a project that is already encrypted (or that is not a project), before any passphrase
/// is asked for.
pub fn refuse_if_encrypted(path: &Path) -> Result<()> {
    if super::open::is_encrypted(path)? {
        return Err(AppError::Invalid(format!(
            "{}: the project is already encrypted; nothing was changed",
            path.display()
        )));
    }
    Ok(())
}

/// Encrypts the open plain project with `key` and goes on with the encrypted file (see the module
/// documentation): what [`super::ProjectCommand::Encrypt`] does.
pub(super) fn encrypt(store: &mut Store, key: &Passphrase) -> Result<EncryptOutcome> {
    let done = store.encrypt_here(key)?;
    let path = done.path.as_path();
    let backups = list_backups(path)?;
    let dir = backups_dir(path);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| {
            AppError::Invalid(format!(
                "{}: the project is encrypted, but its old plaintext backups could not be deleted: \
                 {e}; delete this folder yourself",
                dir.display()
            ))
        })?;
    }
    let backup = store.backup("encrypted")?;
    let index = crate::search::sync::index_dir(path);
    let removal = crate::search::sync::remove_plaintext_index(&index);
    if let IndexRemoval::Failed(note) = &removal {
        return Err(AppError::Invalid(format!(
            "the project is encrypted, but {note}"
        )));
    }
    Ok(EncryptOutcome {
        project: done.path.clone(),
        tables: done.tables,
        rows: done.rows,
        backups_deleted: backups.len(),
        backup,
        index_deleted: removal == IndexRemoval::Removed,
        index_left: matches!(removal, IndexRemoval::Foreign(_)).then_some(index),
    })
}
