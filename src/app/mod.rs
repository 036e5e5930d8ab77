//! The application layer: the one way to change a project. The command line (and the window, later)
//! turn what a person asked for into a [`Command`] and hand it to [`apply`]; references typed by people
//! (transcript and code names, rater names) are resolved here, with errors that say what to type instead.

pub mod adjudicate;
pub mod agreement;
pub mod agreement_input;
pub mod batch;
pub mod codes;
pub mod command;
pub mod deidentify;
pub mod demo;
pub mod encrypt;
pub mod erase;
pub mod export;
mod inverse;
pub mod listing;
pub mod refi;
pub mod resolve;
pub mod rounds;
pub mod search;
pub mod team;
pub mod workspace;

pub use batch::{FileOutcome, ImportSummary, import_files};
pub use command::{Command, Outcome, apply};
pub use workspace::{Workspace, apply_undoable};

use crate::import::ImportError;
use crate::store::StoreError;

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
