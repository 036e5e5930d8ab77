//! Opening a project for work: the one way the command line and the window open a project file
//! (through [`super::Workspace::open_for`]). An encrypted project asks for its passphrase through
//! the caller; a project meant to be changed is checked for damage first (nothing is written to, or
//! backed up from, a damaged file); a project only read opens read-only where nothing can be written
//! beside it; an interrupted erase or de-identification is finished; a working session (the
//! window) takes the opening backup.

use std::path::Path;

use super::AppError;
use crate::store::{Passphrase, Store, StoreError};

/// What a project is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// To change it: refused when the file fails SQLite's quick check or holds damaged text.
    Change,
    /// To read it: opened read-only where nothing can be written beside it (a read-only folder,
    /// a full disk).
    Read,
    /// Upkeep after a change this process already made (the search index): no second check.
    Upkeep,
    /// A working session (the window): checked for damage as [`Purpose::Change`] where it can be
    /// written, opened read-only (with a note) where nothing can be written beside it, as
    /// [`Purpose::Read`]; the opening backup is taken (at most one an hour), after an interrupted
    /// purge is finished so that no backup holds what the purge removes.
    Session,
}

/// A project opened, with what the person should be told about opening it.
#[derive(Debug)]
pub struct Opened {
    /// The project.
    pub store: Store,
    /// Notes and warnings (opened read-only; a purge finished, or still pending and why).
    pub notes: Vec<String>,
}

/// Opens `path` for `purpose`; `ask` gives the passphrase of an encrypted project (asked only then).
pub fn open<E: From<AppError>>(
    path: &Path,
    purpose: Purpose,
    ask: impl FnOnce() -> Result<Passphrase, E>,
) -> Result<Opened, E> {
    let open_with = |key: Option<&Passphrase>| {
        if matches!(purpose, Purpose::Read | Purpose::Session) {
            Store::open_for_reading(path, key)
        } else {
            match key {
                Some(key) => Store::open_encrypted(path, key),
                None => Store::open(path),
            }
        }
    };
    let mut store = match open_with(None) {
        Err(StoreError::Encrypted(_)) => {
            let key = ask()?;
            open_with(Some(&key)).map_err(|e| E::from(AppError::from(e)))?
        }
        other => other.map_err(|e| E::from(AppError::from(e)))?,
    };
    let mut notes = Vec::new();
    if store.is_read_only() {
        if matches!(purpose, Purpose::Read | Purpose::Session) {
            notes.push(format!(
                "note: {}: opened read-only (nothing can be written beside it)",
                path.display()
            ));
        }
        return Ok(Opened { store, notes });
    }
    if matches!(purpose, Purpose::Change | Purpose::Session) {
        store
            .check_sound()
            .map_err(|e| E::from(AppError::from(e)))?;
    }
    match super::erase::finish_purge(&mut store) {
        Ok(Some(why)) => notes.push(format!(
            "{}: finished an interrupted {why}: the backups were replaced and the search index rebuilt",
            path.display()
        )),
        Ok(None) => {}
        // The project is still readable; the purge is tried again on the next open.
        Err(e) => notes.push(format!("warning: {e}")),
    }
    if purpose == Purpose::Session
        && let Err(e) = store.backup_on_open()
    {
        notes.push(format!("warning: no backup was taken on opening: {e}"));
    }
    Ok(Opened { store, notes })
}

/// Whether the file at `path` is an encrypted project, whose opening needs its passphrase (false
/// for a plain one); an error when it is not a project Accord can open.
pub fn is_encrypted(path: &Path) -> Result<bool, AppError> {
    match Store::open(path) {
        Ok(_) => Ok(false),
        Err(StoreError::Encrypted(_)) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// Names `project` in a store error that arose deep inside a read (a damaged value), where the
/// store could not name the file; any other error is left as it is.
pub fn name_the_project(e: &mut (dyn std::error::Error + Send + Sync + 'static), project: &Path) {
    let name = |s: &mut StoreError| {
        let taken = std::mem::replace(s, StoreError::Refused(String::new()));
        *s = taken.naming(project);
    };
    if let Some(s) = e.downcast_mut::<StoreError>() {
        name(s);
    } else if let Some(AppError::Store(s)) = e.downcast_mut::<AppError>() {
        name(s);
    }
}
