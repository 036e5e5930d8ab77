//! Importing many transcript files: each file is read and stored as its own undoable change, a
//! failed file is reported and the batch carries on; a file whose text is already in the project is
//! skipped, so importing a folder twice is harmless. The changes are committed in groups (each file
//! still in its own savepoint), so the project file is synced once per group, not once per file; and
//! the search index can be brought up to date alongside, on a second connection.

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

/// What an import tells its caller as it goes, and asks of it.
pub trait ImportWatch {
    /// Before file `i` of `n` is read; false stops the import there (what was stored stays).
    fn reading(&mut self, i: usize, n: usize, path: &Path) -> bool {
        let _ = (i, n, path);
        true
    }

    /// File `i`'s outcome, once its group is committed (or it failed).
    fn outcome(&mut self, i: usize, n: usize, outcome: &FileOutcome) {
        let _ = (i, n, outcome);
    }

    /// Whether the search index is brought up to date as the files are stored, on a worker thread
    /// (see [`super::Workspace::follow_with_index`]).
    fn index_alongside(&self) -> bool {
        false
    }
}

/// An import that tells nothing and never stops.
pub struct Quietly;

impl ImportWatch for Quietly {}

/// A group is committed once it holds this many files ...
const GROUP_FILES: usize = 64;
/// ... or once it has been open this long (what a crash could cost, and how late the outcomes of a
/// group's files are told).
const GROUP_TIME: std::time::Duration = std::time::Duration::from_millis(250);

/// Imports each file, in order, as its own undoable change; returns each file's outcome (none for
/// the files after a stop).
pub fn import_files(
    ws: &mut super::Workspace,
    paths: &[PathBuf],
    opts: &ImportOptions,
    watch: &mut dyn ImportWatch,
) -> Vec<FileOutcome> {
    let n = paths.len();
    let mut outcomes: Vec<FileOutcome> = Vec::with_capacity(n);
    // The outcomes of the group not yet committed start here.
    let mut told = 0;
    let mut group: Option<std::time::Instant> = None;
    // The index worker that follows the import, told after each group is committed.
    let follow = if watch.index_alongside() {
        ws.follow_with_index()
    } else {
        None
    };
    for (i, path) in paths.iter().enumerate() {
        if !watch.reading(i, n, path) {
            break;
        }
        if group.is_none() {
            // Without a group (another transaction is open, or it cannot begin) each file is
            // committed on its own, as `apply` always does.
            group = Some(std::time::Instant::now());
            let _ = ws.begin_group();
        }
        outcomes.push(store_file(read_file(path, opts), |label, command| {
            ws.apply(label, command)
        }));
        if outcomes.len() - told >= GROUP_FILES
            || group.is_some_and(|started| started.elapsed() >= GROUP_TIME)
        {
            group = None;
            told = end_group(ws, &mut outcomes, told, n, watch);
            if let Some(follow) = &follow {
                let _ = follow.send(());
            }
        }
    }
    end_group(ws, &mut outcomes, told, n, watch);
    // Dropping `follow` tells the worker the import has ended: it indexes the rest and commits.
    drop(follow);
    outcomes
}

/// Commits the open group and tells the outcomes of its files (as failed, with why, if the commit
/// failed). Returns how many outcomes are now told.
fn end_group(
    ws: &mut super::Workspace,
    outcomes: &mut [FileOutcome],
    told: usize,
    total: usize,
    watch: &mut dyn ImportWatch,
) -> usize {
    let n = outcomes.len();
    if let Err(e) = ws.commit_group() {
        for outcome in &mut outcomes[told..] {
            if let FileOutcome::Imported(s) = outcome {
                *outcome = FileOutcome::Failed {
                    error: format!("{}: not stored: {e}", s.path.display()),
                    path: s.path.clone(),
                };
            }
        }
    }
    for (i, outcome) in outcomes.iter().enumerate().skip(told) {
        watch.outcome(i, total, outcome);
    }
    n
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
