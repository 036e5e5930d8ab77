//! Edits: one change to the codebook and codings together (the window's codebook editor, merging two
//! codes, changing a coding's code or span, undo and redo), and what one did.

use serde::Serialize;

use super::{CodeId, Codebook, CodingId, NewCoding, RaterId};

/// One change to the codebook and codings, applied as one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    /// The whole codebook as it should be afterwards: codes are matched by id, changed ones updated,
    /// new ones added, and codes it no longer holds are retired (refused while they have codings).
    pub codebook: Option<Codebook>,
    /// Codings to add (their ids are kept; an id already stored is skipped).
    pub add: Vec<NewCoding>,
    /// Codings to remove (tombstones).
    pub remove: Vec<CodingId>,
    /// Removed codings to bring back.
    pub restore: Vec<CodingId>,
    /// Who removes, for the tombstones.
    pub by: Option<RaterId>,
    /// What the change was (`code`, `merge-codes`, `undo`, ...), for the audit log and the codebook
    /// version note.
    pub action: String,
}

/// What an edit did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EditReport {
    /// Codings added.
    pub added: Vec<CodingId>,
    /// Codings removed (they were live before).
    pub removed: Vec<CodingId>,
    /// Codings restored (they were removed before).
    pub restored: Vec<CodingId>,
    /// Codes retired.
    pub retired: Vec<CodeId>,
    /// The codebook version after the edit.
    pub codebook_version: i64,
    /// Whether the edit recorded a new codebook version.
    pub codebook_changed: bool,
}

impl EditReport {
    /// Whether the edit changed nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.restored.is_empty()
            && self.retired.is_empty()
            && !self.codebook_changed
    }
}
