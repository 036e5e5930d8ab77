//! Importing many transcript files: each file is read and stored on its own (one transaction each), a
//! failed file is reported and the batch carries on; a file whose text is already in the project is
//! skipped, so importing a folder twice is harmless.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::TranscriptCommand;
use super::{AppError, Command, Outcome};
use crate::import::{ImportOptions, read_transcript};
use crate::store::{Store, StoreError};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum FileOutcome {
    /// Stored.
    Imported(ImportSummary),
    /// Not stored, and that is fine (the same text is already in the project).
    Skipped {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not stored because of an error.
    Failed {
        /// The file.
        path: PathBuf,
        /// The error, naming the file.
        error: String,
    },
}

/// A file that was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The file.
    pub path: PathBuf,
    /// The transcript's name.
    pub name: String,
    /// Its case.
    pub case: String,
    /// Turns found.
    pub turns: usize,
    /// Characters of text.
    pub chars: usize,
    /// Bytes of the file.
    pub bytes: u64,
    /// Encoding it was decoded with.
    pub encoding: String,
    /// Speakers found, with their roles.
    pub speakers: Vec<(String, String)>,
}

/// Imports each file; `progress(done, total, path)` is called before each file.
pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize, &Path),
) -> Vec<FileOutcome> {
    let mut outcomes = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        progress(i, paths.len(), path);
        outcomes.push(import_one(store, path, opts));
    }
    outcomes
}

fn import_one(store: &mut Store, path: &Path, opts: &ImportOptions) -> FileOutcome {
    let imported = match read_transcript(path, opts) {
        Ok(imported) => imported,
        Err(e) => {
            return FileOutcome::Failed {
                path: path.to_path_buf(),
                error: e.to_string(),
            };
        }
    };
    let t = &imported.transcript;
    let mut speakers: Vec<(String, String)> = t
        .turns
        .iter()
        .map(|turn| (turn.speaker.clone(), turn.role.to_string()))
        .collect();
    speakers.sort();
    speakers.dedup();
    let summary = ImportSummary {
        path: path.to_path_buf(),
        name: t.name.clone(),
        case: imported.case_name.clone(),
        turns: t.turns.len(),
        chars: t.len_chars,
        bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        encoding: imported.encoding.name().to_string(),
        speakers,
    };
    let label = format!("Import {}", t.name);
    match super::apply_undoable(
        store,
        &label,
        Command::Transcripts(TranscriptCommand::Import(Box::new(imported))),
    ) {
        Ok(Outcome::TranscriptImported { .. } | _) => FileOutcome::Imported(summary),
        Err(AppError::Store(StoreError::Duplicate { what, name }))
            if what.starts_with("transcript with") =>
        {
            FileOutcome::Skipped {
                path: path.to_path_buf(),
                reason: format!("its text is already imported as {name}"),
            }
        }
        Err(e) => FileOutcome::Failed {
            path: path.to_path_buf(),
            error: format!("{}: {e}", path.display()),
        },
    }
}
