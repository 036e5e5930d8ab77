//! The project store as the search index reads it: [`IndexSource`] for [`Store`], so that the
//! search layer needs no store; and the index of a project for the command line (opened, rebuilt,
//! whether one is on disk).

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::{Case, Coding, CodingFilter, ProjectId, Rater, Transcript, TranscriptId};
use crate::search::{IndexSource, ProjectIndex, SearchError, SyncReport};
use crate::store::{Store, StoreError};

impl IndexSource for Store {
    type Error = StoreError;

    fn project_id(&self) -> Result<ProjectId, StoreError> {
        Store::project_id(self)
    }

    fn path(&self) -> Option<&Path> {
        Store::path(self)
    }

    fn is_encrypted(&self) -> bool {
        Store::is_encrypted(self)
    }

    fn transcript(&self, transcript_id: TranscriptId) -> Result<Transcript, StoreError> {
        Store::transcript(self, transcript_id)
    }

    fn cases(&self) -> Result<Vec<Case>, StoreError> {
        Store::cases(self)
    }

    fn raters(&self) -> Result<Vec<Rater>, StoreError> {
        Store::raters(self)
    }

    fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>, StoreError> {
        Store::codings(self, filter)
    }

    fn search_fingerprints(&self) -> Result<BTreeMap<TranscriptId, (String, String)>, StoreError> {
        Store::search_fingerprints(self)
    }
}

/// Whether the project has a search index on disk (`<file>.index/`) to keep up to date; an
/// encrypted project keeps its index in memory only.
#[must_use]
pub fn on_disk(project: &Path) -> bool {
    crate::search::sync::index_dir(project).exists()
}

/// Opens (or builds) the project's search index and brings it up to date; its notes say what
/// happened (see [`ProjectIndex::open`]).
pub fn open(store: &Store) -> Result<(ProjectIndex, SyncReport), SearchError> {
    ProjectIndex::open(store)
}

/// Deletes the project's search index and builds it again (see [`ProjectIndex::rebuild`]).
pub fn rebuild(store: &Store) -> Result<(ProjectIndex, SyncReport), SearchError> {
    ProjectIndex::rebuild(store)
}
