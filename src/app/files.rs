//! Reading the files a person names (transcripts and folders of them, attribute tables, pseudonym
//! lists, codebooks, REFI-QDA projects) and writing a codebook as TOML, for the command line and the
//! window: they reach the importers only through here. The values the importers take and give
//! (import options, a transcript read, a pseudonym list) are named here too.

use std::path::{Path, PathBuf};

pub use crate::import::pseudonyms::Pseudonyms;
pub use crate::import::{ImportOptions, ImportedTranscript};

use crate::import::ImportError;
use crate::import::attributes::AttributeTable;
use crate::import::refi::qdpx::QdpxImport;
use crate::model::Codebook;

/// The transcript files in a folder (recursively), sorted by path, and files of unknown type skipped.
pub fn transcript_files(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    crate::import::transcript_files(dir)
}

/// Reads one transcript file.
pub fn read_transcript(
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportedTranscript, ImportError> {
    crate::import::read_transcript(path, opts)
}

/// Reads an attribute CSV (such as a REDCap export), keyed by the column `key`.
pub fn read_attributes(path: &Path, key: &str) -> Result<AttributeTable, ImportError> {
    crate::import::attributes::read_attributes(path, key)
}

/// Reads a pseudonym list (a CSV of real names and pseudonyms).
pub fn read_pseudonyms(path: &Path) -> Result<Pseudonyms, ImportError> {
    Pseudonyms::read_csv(path)
}

/// Reads a codebook file (TOML or REFI-QDA `.qdc`), with what was skipped in it.
pub fn read_codebook(path: &Path) -> Result<(Codebook, Vec<String>), ImportError> {
    crate::import::codebook_toml::read_file(path)
}

/// A codebook as TOML, as `accord codebook export` writes it and [`read_codebook`] reads it back.
pub fn codebook_toml(book: &Codebook) -> Result<String, String> {
    crate::import::codebook_toml::write(book)
}

/// Reads a REFI-QDA project (`.qdpx`, or a bare `.qde`).
pub fn read_qdpx(path: &Path) -> Result<QdpxImport, ImportError> {
    crate::import::refi::qdpx::read_qdpx_file(path)
}
