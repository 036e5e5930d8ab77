//! The demo project: the CAPP phase-three codebook, the fictional sample interviews, their participants'
//! attributes and two raters' codings, all from `samples/` and `codebooks/`. Built in a temporary file
//! and renamed into place, so a failed build never leaves a half-made project behind.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{AppError, Command, FileOutcome, Outcome, Result, apply, import_files, resolve};
use super::{CaseCommand, CodebookCommand, CodingCommand, RaterCommand};
use crate::import::{ImportOptions, attributes, codebook_toml, codings_csv, transcript_files};
use crate::model::RaterKind;
use crate::store::Store;

/// Where the demo's sources are.
#[derive(Debug, Clone)]
pub struct DemoSources {
    /// The `samples/` folder.
    pub samples: PathBuf,
    /// The codebook file.
    pub codebook: PathBuf,
}

impl DemoSources {
    /// The sources next to the working directory, else those of the source tree Accord was built from.
    #[must_use]
    pub fn locate() -> Self {
        let here = Path::new("samples");
        let root = if here.join("transcripts").is_dir() {
            PathBuf::from(".")
        } else {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        };
        Self::under(&root)
    }

    /// The sources under a source tree's root.
    #[must_use]
    pub fn under(root: &Path) -> Self {
        Self {
            samples: root.join("samples"),
            codebook: root.join("codebooks").join("capp-phase3.toml"),
        }
    }
}

/// What the demo holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoReport {
    /// Transcripts imported.
    pub transcripts: usize,
    /// Codes in the codebook.
    pub codes: usize,
    /// Cases with attributes.
    pub cases: usize,
    /// Raters.
    pub raters: Vec<String>,
    /// Codings imported.
    pub codings: usize,
}

/// The demo project's name (`accord demo --force` replaces only a project of this name).
pub const DEMO_NAME: &str = "CAPP phase three (demo)";

/// Builds the demo project at `path` (which must not exist).
pub fn build_demo(path: &Path, sources: &DemoSources) -> Result<DemoReport> {
    if path.exists() {
        return Err(AppError::Invalid(format!(
            "{}: already exists; remove it or give another path",
            path.display()
        )));
    }
    // Built in a private folder with a random name beside it, moved into place only when complete.
    let staging =
        super::export::Staging::beside(path).map_err(|e| AppError::Invalid(e.to_string()))?;
    let report = build_into(staging.path(), sources)?;
    staging
        .finish(path)
        .map_err(|e| AppError::Invalid(format!("cannot move the demo into place: {e}")))?;
    Ok(report)
}

/// Whether `path` is a demo project Accord built (so `demo --force` may replace it): never a study.
#[must_use]
pub fn is_demo(path: &Path) -> bool {
    Store::open(path)
        .and_then(|store| store.project_name())
        .is_ok_and(|name| name == DEMO_NAME)
}

fn build_into(path: &Path, sources: &DemoSources) -> Result<DemoReport> {
    let mut store = Store::create_unshared(path, DEMO_NAME, None)?;
    let mut report = DemoReport::default();
    let text = std::fs::read_to_string(&sources.codebook)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", sources.codebook.display())))?;
    let book = codebook_toml::parse(&text)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", sources.codebook.display())))?;
    report.codes = book.codes.len();
    apply(
        &mut store,
        Command::Codebook(CodebookCommand::Import {
            book,
            note: "demo codebook".into(),
        }),
    )?;

    let folder = sources.samples.join("transcripts");
    let (files, _) = transcript_files(&folder)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", folder.display())))?;
    let opts = ImportOptions {
        interviewers: vec!["Interviewer".into()],
        ..ImportOptions::default()
    };
    // Each transcript is imported as its own undoable change, as the window and `accord import` do.
    let mut ws = super::Workspace::new(store);
    let outcomes = import_files(&mut ws, &files, &opts, &mut super::Quietly);
    let mut store = ws.into_store();
    for outcome in outcomes {
        match outcome {
            FileOutcome::Imported(_) => report.transcripts += 1,
            FileOutcome::Skipped { path, reason } => {
                return Err(AppError::Invalid(format!("{}: {reason}", path.display())));
            }
            FileOutcome::Failed { error, .. } => return Err(AppError::Invalid(error)),
        }
    }

    let table =
        attributes::read_attributes(&sources.samples.join("participants.csv"), "record_id")?;
    if let Outcome::Attributes(a) = apply(
        &mut store,
        Command::Cases(CaseCommand::SetAttributes {
            rows: table.rows,
            create_missing: false,
        }),
    )? {
        report.cases = a.updated.len();
    }

    let (mut coding_files, mut raters) = (Vec::new(), BTreeSet::new());
    let folder = sources.samples.join("codings");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", folder.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    entries.sort();
    for file in entries {
        let rows = codings_csv::read_codings(&file)?;
        raters.extend(rows.iter().map(|r| r.rater.clone()));
        coding_files.push((file, rows));
    }
    for name in &raters {
        apply(
            &mut store,
            Command::Raters(RaterCommand::Add {
                name: name.clone(),
                kind: RaterKind::Human,
            }),
        )?;
    }
    for (file, rows) in coding_files {
        let codings = resolve::coding_rows(&store, &file, &rows)?;
        if let Outcome::CodingsAdded(ids) = apply(
            &mut store,
            Command::Codings(CodingCommand::Add {
                codings,
                action: "import-codings".into(),
            }),
        )? {
            report.codings += ids.len();
        }
    }
    report.raters = raters.into_iter().collect();
    Ok(report)
}
