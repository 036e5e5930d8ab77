//! The application layer: the one way to change a project. The command line and the window turn
//! what a person asked for into a [`Command`] and hand it to [`Workspace::apply`]; references typed by people
//! (transcript and code names, rater names) are resolved here, with errors that say what to type instead.

pub mod adjudicate;
pub mod agreement;
pub mod agreement_input;
pub mod batch;
pub mod breakdown;
pub mod code_groups;
pub mod codes;
pub mod command;
pub mod confusion;
pub mod correct;
pub mod correction_proposals;
pub mod counts;
pub mod deidentify;
pub mod demo;
pub mod encrypt;
pub mod erase;
pub mod export;
pub mod files;
pub mod grid;
pub mod heatmaps;
mod inverse;
pub mod irr;
pub mod listing;
mod memo_query;
pub mod memos;
pub mod open;
pub mod plan;
mod project;
pub mod project_file;
pub mod quotes;
pub mod refi;
pub mod report;
pub mod resolve;
pub mod rollup;
pub mod rounds;
pub mod saved;
pub mod search;
pub mod search_index;
pub mod team;
pub mod workspace;

pub use batch::{FileOutcome, ImportSummary, ImportWatch, Quietly, import_files};
use command::apply;
pub use command::{
    CaseCommand, CodebookCommand, CodingCommand, Command, MemoCommand, Outcome, ProjectCommand,
    RaterCommand, RoundCommand, SettingCommand, TeamCommand, TranscriptCommand,
};
pub use workspace::Workspace;

use crate::import::ImportError;
/// The project store as the application hands it out (opened by [`open::open`], held by a
/// [`Workspace`]), the passphrase of an encrypted one and the store's errors, which people see:
/// named here so that the command line and the window do not reach into the store.
pub use crate::store::{Passphrase, Store, StoreError};

/// What can go wrong carrying out a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The request itself is wrong (unknown code, span outside the text, ...).
    #[error("{0}")]
    Invalid(String),
}

/// Result alias for the application layer.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Reads a table the user names (a ratings or spans CSV) as text: a regular file of at most
/// [`crate::import::MAX_TABLE_BYTES`], read through a bounded reader, in UTF-8.
pub fn read_table(path: &std::path::Path, what: &str) -> Result<String> {
    let bytes = crate::import::read_bounded(path, crate::import::MAX_TABLE_BYTES, what)?;
    String::from_utf8(bytes).map_err(|e| {
        AppError::Invalid(format!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Imports a codings CSV as one undoable change: the codings not yet here are added, and those here
/// but removed (an undone import or merge, an uncode) come back, as redo would bring them: the file
/// says they should be there. Returns how many codings the file holds and what the change did.
pub fn import_codings(
    ws: &mut Workspace,
    file: &std::path::Path,
) -> Result<(usize, crate::model::EditReport)> {
    let rows = crate::import::codings_csv::read_codings(file)?;
    let codings = resolve::coding_rows(ws.store(), file, &rows)?;
    // The rows' texts (quotes above all) are not needed while the change is written.
    drop(rows);
    let n = codings.len();
    let ids: Vec<_> = codings.iter().map(|c| c.coding_id).collect();
    let restore = ws.store().removed_among(&ids)?;
    let outcome = ws.apply(
        &format!("Import codings from {}", file.display()),
        Command::Edit(Box::new(crate::model::Edit {
            add: codings,
            restore,
            action: "import-codings".into(),
            ..crate::model::Edit::default()
        })),
    )?;
    match outcome {
        Outcome::Edited(report) => Ok((n, report)),
        _ => Err(AppError::Invalid(format!(
            "{}: the import did not report what it changed",
            file.display()
        ))),
    }
}
