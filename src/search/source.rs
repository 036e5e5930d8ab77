//! What the index reads from a project, in model values: the search layer knows no store. The
//! application layer implements [`IndexSource`] for the project store.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::{Case, Coding, CodingFilter, ProjectId, Rater, Transcript, TranscriptId};

/// A project as the index reads it.
pub trait IndexSource {
    /// What a failed read says (reported as [`super::SearchError::Store`]).
    type Error: std::fmt::Display;

    /// The project's id (an index built for another project is not used).
    fn project_id(&self) -> Result<ProjectId, Self::Error>;
    /// The project file, if it has one (an in-memory project has none: its index is in memory).
    fn path(&self) -> Option<&Path>;
    /// Whether the project is encrypted (then its index is kept in memory only).
    fn is_encrypted(&self) -> bool;
    /// One transcript with its text and turns.
    fn transcript(&self, transcript_id: TranscriptId) -> Result<Transcript, Self::Error>;
    /// Every case with its attributes.
    fn cases(&self) -> Result<Vec<Case>, Self::Error>;
    /// Every rater.
    fn raters(&self) -> Result<Vec<Rater>, Self::Error>;
    /// The codings `filter` selects.
    fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>, Self::Error>;
    /// Each transcript's fingerprints (of its turns, of its passages): what changed since the
    /// index was written.
    fn search_fingerprints(&self) -> Result<BTreeMap<TranscriptId, (String, String)>, Self::Error>;
}
