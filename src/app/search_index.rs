//! The project store as the search index reads it: [`IndexSource`] for [`Store`], so that the
//! search layer needs no store.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::{Case, Coding, CodingFilter, ProjectId, Rater, Transcript, TranscriptId};
use crate::search::IndexSource;
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
