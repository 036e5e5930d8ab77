//! REFI-QDA into Accord: a project read by `import::refi::qdpx` becomes a new project file, built in a
//! temporary file through [`Command`]s and renamed into place only when everything is stored, so a
//! failed import leaves nothing behind; a codebook read by `import::refi::qdc` merges into a project as any
//! codebook import does.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{AppError, Command, Outcome, Result, apply};
use super::{
    CaseCommand, CodebookCommand, CodingCommand, MemoCommand, RaterCommand, TranscriptCommand,
};
use crate::import::refi::qdpx::{QdpxImport, SourceReport};
use crate::store::{Passphrase, Store};

/// What an import stored, and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QdpxReport {
    /// The new project.
    pub project: PathBuf,
    /// The tool that wrote the file.
    pub origin: String,
    /// Transcripts stored.
    pub transcripts: usize,
    /// Codes stored.
    pub codes: usize,
    /// Codings stored.
    pub codings: usize,
    /// Raters stored.
    pub raters: usize,
    /// Cases with attributes.
    pub cases: usize,
    /// Memos stored (besides those on codings).
    pub memos: usize,
    /// Per source: the unit its positions counted in, and why.
    pub sources: Vec<SourceLine>,
    /// What was left out.
    pub skipped: Vec<String>,
    /// Sources whose text could not be found (left out).
    pub missing: Vec<String>,
    /// What was carried over on a guess (users the file does not list, positions whose unit the
    /// file leaves open).
    pub warnings: Vec<String>,
}

/// One source's line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLine {
    /// Transcript name.
    pub name: String,
    /// `code points` or `UTF-16 code units`.
    pub unit: String,
    /// Why that unit.
    pub reason: String,
    /// Codings taken from it.
    pub codings: usize,
}

impl From<&SourceReport> for SourceLine {
    fn from(s: &SourceReport) -> Self {
        Self {
            name: s.name.clone(),
            unit: s.detection.unit.describe().to_string(),
            reason: s.detection.reason.clone(),
            codings: s.codings,
        }
    }
}

/// Stores an imported REFI-QDA project as a new project at `path` (which must not exist).
pub fn import_new_project(path: &Path, import: QdpxImport) -> Result<QdpxReport> {
    import_new_project_keyed(path, import, None)
}

/// [`import_new_project`], encrypted with `key` when one is given: the temporary file the project
/// is built in is encrypted from its first byte, so no plaintext copy ever reaches the disk.
pub fn import_new_project_keyed(
    path: &Path,
    import: QdpxImport,
    key: Option<&Passphrase>,
) -> Result<QdpxReport> {
    if path.exists() {
        return Err(AppError::Invalid(format!(
            "{}: already exists; give a new project file",
            path.display()
        )));
    }
    let folder = crate::model::files::folder_of(path);
    if !folder.is_dir() {
        return Err(AppError::Invalid(format!(
            "{}: the folder {} does not exist; create it first or give another place for the new project",
            path.display(),
            folder.display()
        )));
    }
    // Built in a private folder with a random name beside it (no planted symlink is followed, and
    // nothing is left behind on failure), moved into place only when complete.
    let staging =
        super::export::Staging::beside(path).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut report = Store::create_unshared(staging.path(), &import.name, key)
        .map_err(AppError::from)
        .and_then(|mut store| apply_import(&mut store, import))?;
    staging
        .finish(path)
        .map_err(|e| AppError::Invalid(format!("cannot move the project into place: {e}")))?;
    report.project = path.to_path_buf();
    Ok(report)
}

/// Applies an import to a store, command by command.
pub(super) fn apply_import(store: &mut Store, import: QdpxImport) -> Result<QdpxReport> {
    let mut report = QdpxReport {
        origin: import.origin.clone(),
        codes: import.codebook.codes.len(),
        sources: import.sources.iter().map(SourceLine::from).collect(),
        skipped: import.skipped.clone(),
        missing: import.missing.clone(),
        warnings: import.warnings.clone(),
        ..QdpxReport::default()
    };
    apply_codebook_and_people(store, &mut report, import.codebook, import.raters)?;
    for (case_id, name) in import.cases {
        apply(store, Command::Cases(CaseCommand::Import { case_id, name }))?;
    }
    for transcript in import.transcripts {
        apply(
            store,
            Command::Transcripts(TranscriptCommand::Import(Box::new(transcript))),
        )?;
        report.transcripts += 1;
    }
    let rows: Vec<_> = import
        .attributes
        .into_iter()
        .filter(|(_, a)| !a.is_empty())
        .collect();
    report.cases = rows.len();
    if !rows.is_empty() {
        apply(
            store,
            Command::Cases(CaseCommand::SetAttributes {
                rows,
                create_missing: true,
            }),
        )?;
    }
    if !import.codings.is_empty()
        && let Outcome::CodingsAdded(ids) = apply(
            store,
            Command::Codings(CodingCommand::Add {
                codings: import.codings,
                action: "import-qdpx".into(),
            }),
        )?
    {
        report.codings = ids.len();
    }
    for memo in import.memos {
        apply(
            store,
            Command::Memos(MemoCommand::Add {
                target: memo.target,
                rater: memo.rater,
                text: memo.text,
            }),
        )?;
        report.memos += 1;
    }
    Ok(report)
}

fn apply_codebook_and_people(
    store: &mut Store,
    report: &mut QdpxReport,
    codebook: crate::model::Codebook,
    raters: Vec<crate::model::Rater>,
) -> Result<()> {
    if !codebook.codes.is_empty() {
        let note = format!("imported from {}", report.origin);
        apply(
            store,
            Command::Codebook(CodebookCommand::Import {
                book: codebook,
                note,
            }),
        )?;
    }
    for rater in raters {
        apply(store, Command::Raters(RaterCommand::Import(rater)))?;
        report.raters += 1;
    }
    Ok(())
}
