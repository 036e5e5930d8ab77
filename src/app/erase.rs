//! Erasing transcripts for good, as when a participant withdraws consent: a safety backup, then the
//! transcripts and everything on them erased in one transaction and vacuumed away
//! ([`crate::store::Store::erase_transcripts`]), every backup (which still holds them) replaced by
//! one fresh backup, and the search index rebuilt. It cannot be undone; `accord transcripts erase`
//! shows what would go before it does anything.

use std::path::PathBuf;

use serde::Serialize;

use super::Result;
use super::deidentify::replace_backups_and_reindex;
use crate::model::TranscriptId;
use crate::store::{Erasure, Store};

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

/// Erases the transcripts for good (see the module notes).
pub fn erase(store: &mut Store, ids: &[TranscriptId]) -> Result<Erased> {
    // Refuse an unknown transcript before taking any backup.
    store.erasure(ids)?;
    // A safety copy in case erasing fails part way; it goes with the other backups afterwards.
    store.backup("before-erase")?;
    let erasure = store.erase_transcripts(ids)?;
    let backup = replace_backups_and_reindex(store, "after-erase")?;
    Ok(Erased { erasure, backup })
}

/// Finishes an erase or de-identification that was interrupted after the text left the file but
/// before the backups were replaced and the index rebuilt: vacuums again, deletes the backups,
/// rebuilds the index. Returns what was being finished, or `None` when nothing was pending (and
/// then writes nothing).
pub fn finish_purge(store: &mut Store) -> Result<Option<String>> {
    let Some(why) = store.setting(crate::store::PURGE_PENDING)? else {
        return Ok(None);
    };
    store.purge_free_pages()?;
    replace_backups_and_reindex(store, "after-purge")?;
    Ok(Some(why))
}
