//! A project file as a whole, for the command line and the window: creating one, opening one as it
//! is (plain, or with its passphrase), its backups and restoring one. (Opening for work, with the
//! checks and the interrupted purge, and whether a file is an encrypted project, are in
//! [`super::open`].)

use std::path::{Path, PathBuf};

pub use crate::store::BackupInfo;
use crate::store::{Passphrase, Store, StoreError};

/// Creates a new project file named `name`, encrypted with `key` when one is given.
pub fn create(path: &Path, name: &str, key: Option<&Passphrase>) -> Result<Store, StoreError> {
    match key {
        Some(key) => Store::create_encrypted(path, name, key),
        None => Store::create(path, name),
    }
}

/// Opens a plain project file as it is ([`StoreError::Encrypted`] for an encrypted one).
pub fn open_plain(path: &Path) -> Result<Store, StoreError> {
    Store::open(path)
}

/// Opens an encrypted project file with its passphrase ([`StoreError::WrongPassphrase`] when it
/// does not open it).
pub fn open_encrypted(path: &Path, key: &Passphrase) -> Result<Store, StoreError> {
    Store::open_encrypted(path, key)
}

/// The backup folder of a project file.
#[must_use]
pub fn backups_dir(project: &Path) -> PathBuf {
    crate::store::backups_dir(project)
}

/// The project's backups, oldest first.
pub fn list_backups(project: &Path) -> Result<Vec<BackupInfo>, StoreError> {
    crate::store::list_backups(project)
}

/// Puts `backup` back in place of the project given by its path, for a project that may be too
/// damaged to open (`accord restore` then; one that opens is restored by
/// [`super::ProjectCommand::Restore`] through [`super::Workspace::apply`], the same restore on
/// the open store). The project as it was is backed up first when it opens (its file is
/// returned).
pub fn restore(
    project: &Path,
    backup: &Path,
    key: Option<&Passphrase>,
) -> Result<Option<PathBuf>, StoreError> {
    Store::restore(project, backup, key)
}
