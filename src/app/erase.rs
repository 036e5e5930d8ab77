//! Erasing transcripts for good, as when a participant withdraws consent: a safety backup, then the
//! transcripts and everything on them erased in one transaction and vacuumed away
//! ([`crate::store::Store::erase_transcripts`]), every backup (which still holds them) replaced by
//! one fresh backup, and the search index rebuilt. It cannot be undone; `accord transcripts erase`
//! shows what would go before it does anything.

use std::path::PathBuf;

use serde::Serialize;

use super::deidentify::replace_backups_and_reindex;
use super::{AppError, Result};
use crate::model::{Erasure, TranscriptId};
use crate::store::Store;

/// What erasing did.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    /// What went.
    pub erasure: Erasure,
    /// The one backup kept (taken after erasing; the older ones held the text).
    pub backup: Option<PathBuf>,
}

/// The transcripts to erase: those chosen and, with `removed`, every removed one (each once).
pub fn with_removed(
    store: &Store,
    chosen: &[TranscriptId],
    removed: bool,
) -> Result<Vec<TranscriptId>> {
    let mut ids = Vec::with_capacity(chosen.len());
    let extra = if removed {
        store.removed_transcript_ids()?
    } else {
        Vec::new()
    };
    for id in chosen.iter().chain(&extra) {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    Ok(ids)
}

/// Erases the transcripts for good (see the module notes). Refused, with nothing changed, while
/// another Accord has the project open (the purge rewrites the whole file). When the purge cannot
/// be finished after the transcripts went (a full disk, a program reading the file), the error says
/// they are erased and what finishing needs; the purge stays pending and is finished the next time
/// the project is opened.
pub(super) fn erase(store: &mut Store, ids: &[TranscriptId]) -> Result<Erased> {
    // Refuse an unknown transcript before taking any backup.
    store.erasure(ids)?;
    let names = store.transcript_names(ids)?;
    let _whole = store.exclusive()?;
    // A safety copy in case erasing fails part way; it goes with the other backups afterwards.
    store.backup("before-erase")?;
    let erasure = store.erase_transcripts(ids)?;
    killed_here_if_asked();
    let backup = purge(store, "after-erase")
        .map_err(|e| unfinished(store, &format!("{} erased", listed(&names)), &e))?;
    Ok(Erased { erasure, backup })
}

/// The environment variable that makes a debug build stop right after the erasing transaction.
pub const KILL_BEFORE_PURGE: &str = "ACCORD_TEST_KILL_BEFORE_PURGE";

/// For the tests of an interrupted erase (`tests/integration/erase.rs`): with
/// [`KILL_BEFORE_PURGE`] set, a debug build's process ends right after the erasing transaction
/// committed, before the purge, as a process killed there would: no destructor runs, so the
/// connection is not closed and the write-ahead log stays. Release builds never look.
fn killed_here_if_asked() {
    #[cfg(debug_assertions)]
    if std::env::var_os(KILL_BEFORE_PURGE).is_some() {
        std::process::exit(137);
    }
}

/// Finishes an erase or de-identification that was interrupted after the text left the file but
/// before the backups were replaced and the index rebuilt: vacuums again, deletes the backups,
/// rebuilds the index. Returns what was being finished, or `None` when nothing was pending (and
/// then writes nothing). An error says what finishing needs (space, the other program closed); the
/// project is still readable meanwhile.
pub(super) fn finish_purge(store: &mut Store) -> Result<Option<String>> {
    let Some(why) = store.setting(crate::model::PURGE_PENDING)? else {
        return Ok(None);
    };
    purge(store, "after-purge")
        .map_err(|e| unfinished(store, &format!("an interrupted {why} is not finished"), &e))?;
    Ok(Some(why))
}

/// The purge after text left the project: the file vacuumed (checked), the backups replaced, the
/// index rebuilt, the pending mark cleared; with the project held exclusively throughout.
pub(super) fn purge(store: &mut Store, reason: &str) -> Result<Option<PathBuf>> {
    let _whole = store.exclusive()?;
    store.purge_free_pages()?;
    replace_backups_and_reindex(store, reason)
}

/// "P01, P02 and P03" (the first few of a long list, then how many more).
fn listed(names: &[String]) -> String {
    const SHOWN: usize = 5;
    match names {
        [] => "the transcripts".to_string(),
        [one] => one.clone(),
        _ if names.len() > SHOWN => format!(
            "{} and {} more transcripts",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        ),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}

/// Whether an error comes from a full disk.
fn disk_full(e: &AppError) -> bool {
    match e {
        AppError::Store(e) => crate::store::is_disk_full(e),
        other => {
            let text = other.to_string();
            text.contains("os error 28") || text.contains("disk is full")
        }
    }
}

/// The error of a purge that could not be finished after `done` (what already happened).
pub(super) fn unfinished(store: &Store, done: &str, e: &AppError) -> AppError {
    let path = store.path().map(|p| p.display().to_string());
    let why = e.to_string();
    let file = match &path {
        Some(p) if !why.contains(p.as_str()) => format!("{p}: "),
        _ => String::new(),
    };
    let meanwhile = "until then the old text may still be in the file's free pages and in its \
                     backups";
    if disk_full(e) {
        let folder = store
            .path()
            .and_then(std::path::Path::parent)
            .map_or_else(|| ".".to_string(), |d| d.display().to_string());
        let mb = store.purge_space_needed().div_ceil(1_000_000).max(1);
        AppError::Invalid(format!(
            "{}{done}; finishing the purge needs about {mb} MB free in {folder}: free some space, \
             then run any accord command on the project to finish it ({meanwhile})",
            path.map(|p| format!("{p}: ")).unwrap_or_default()
        ))
    } else {
        AppError::Invalid(format!(
            "{file}{done}, but the purge could not be finished: {why} ({meanwhile})"
        ))
    }
}
