//! Importing many transcript files: each file is read and stored on its own (one transaction each), a
//! failed file is reported and the batch carries on; a file whose text is already in the project is
//! skipped, so importing a folder twice is harmless.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{AppError, Command, Outcome};
use super::{CaseCommand, TranscriptCommand};
use crate::import::{ImportOptions, ImportedTranscript, read_transcript};
use crate::store::StoreError;

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
    ws: &mut super::Workspace,
    paths: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize, &Path),
) -> Vec<FileOutcome> {
    let mut outcomes = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        progress(i, paths.len(), path);
        outcomes.push(store_file(read_file(path, opts), |label, command| {
            ws.apply(label, command)
        }));
    }
    outcomes
}

/// The transcript files in a folder (recursively, sorted by path), and the files of other types
/// in it, which an import skips.
pub fn files_in(folder: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    crate::import::transcript_files(folder)
}

/// A transcript file read and parsed (the slow part of importing, fit for a worker thread), or
/// why it could not be; [`store_file`] stores it.
#[derive(Debug)]
pub struct ReadFile {
    path: PathBuf,
    parsed: std::result::Result<Box<(ImportedTranscript, ImportSummary)>, String>,
}

impl ReadFile {
    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads and parses one transcript file.
#[must_use]
pub fn read_file(path: &Path, opts: &ImportOptions) -> ReadFile {
    let parsed = read_transcript(path, opts)
        .map(|imported| {
            let summary = summary(path, &imported);
            Box::new((imported, summary))
        })
        .map_err(|e| e.to_string());
    ReadFile {
        path: path.to_path_buf(),
        parsed,
    }
}

fn summary(path: &Path, imported: &ImportedTranscript) -> ImportSummary {
    let t = &imported.transcript;
    let mut speakers: Vec<(String, String)> = t
        .turns
        .iter()
        .map(|turn| (turn.speaker.clone(), turn.role.to_string()))
        .collect();
    speakers.sort();
    speakers.dedup();
    ImportSummary {
        path: path.to_path_buf(),
        name: t.name.clone(),
        case: imported.case_name.clone(),
        turns: t.turns.len(),
        chars: t.len_chars,
        bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        encoding: imported.encoding.name().to_string(),
        speakers,
    }
}

/// Stores a file read as its own undoable change through `apply` ([`super::Workspace::apply`]):
/// imported, skipped when its text is already
/// in the project, or failed.
pub fn store_file(
    read: ReadFile,
    apply: impl FnOnce(&str, Command) -> Result<Outcome, AppError>,
) -> FileOutcome {
    let ReadFile { path, parsed } = read;
    let (imported, summary) = match parsed {
        Ok(parsed) => *parsed,
        Err(error) => return FileOutcome::Failed { path, error },
    };
    let label = format!("Import {}", imported.transcript.name);
    match apply(
        &label,
        Command::Transcripts(TranscriptCommand::Import(Box::new(imported))),
    ) {
        Ok(Outcome::TranscriptImported { .. } | _) => FileOutcome::Imported(summary),
        Err(AppError::Store(StoreError::Duplicate { what, name }))
            if what.starts_with("transcript with") =>
        {
            FileOutcome::Skipped {
                path,
                reason: format!("its text is already imported as {name}"),
            }
        }
        Err(e) => FileOutcome::Failed {
            error: format!("{}: {e}", path.display()),
            path,
        },
    }
}

/// The change that sets the case attributes of a table file (a REDCap-style CSV whose column
/// `key` names the case), with what is worth telling about the file (duplicate records, rows
/// without a key).
pub fn attributes_change(
    path: &Path,
    key: &str,
    create_missing: bool,
) -> Result<(Command, Vec<String>), AppError> {
    let table = crate::import::attributes::read_attributes(path, key)?;
    Ok((
        Command::Cases(CaseCommand::SetAttributes {
            rows: table.rows,
            create_missing,
        }),
        table.notes,
    ))
}
