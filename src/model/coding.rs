//! Raters, codings, cases and memos: who coded what, and what is known about each participant.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{CaseId, CodeId, CodingId, MemoId, RaterId, Span, TranscriptId};

/// A person who codes, or a consensus layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RaterKind {
    /// A human rater.
    Human,
    /// The settled consensus of a team.
    Consensus,
}

impl RaterKind {
    /// Name stored in the project file.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Consensus => "consensus",
        }
    }
}

impl fmt::Display for RaterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rater record (never a free-text name on a coding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rater {
    /// Stable id.
    pub rater_id: RaterId,
    /// Display name, unique in a project.
    pub name: String,
    /// Human or consensus.
    pub kind: RaterKind,
}

/// A coding: a span of a transcript coded with a code by a rater. Never rewritten: removal is a
/// tombstone (`removed_at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// Stable id.
    pub coding_id: CodingId,
    /// Which transcript.
    pub transcript_id: TranscriptId,
    /// Which code.
    pub code_id: CodeId,
    /// Who coded.
    pub rater_id: RaterId,
    /// The coded text, in chars.
    pub span: Span,
    /// The codebook version in force when it was made.
    pub codebook_version: i64,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was removed, if it was.
    pub removed_at: Option<String>,
}

/// A case: one participant, with attributes (arm, site, tenure, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable id.
    pub case_id: CaseId,
    /// Name, unique in a project (for example the REDCap `record_id`).
    pub name: String,
    /// Attribute name to value, sorted.
    pub attributes: BTreeMap<String, String>,
}

/// What a memo is written about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum MemoTarget {
    /// The whole project.
    Project,
    /// A transcript.
    Transcript(TranscriptId),
    /// A code.
    Code(CodeId),
    /// A coding.
    Coding(CodingId),
    /// A passage of a transcript (carried to the new words when the text is corrected).
    Passage {
        /// The transcript.
        transcript: TranscriptId,
        /// The passage, in chars.
        span: Span,
    },
    /// A case (a participant).
    Case(CaseId),
    /// A cell of the summary grid: one case on one code.
    Cell {
        /// The case.
        case: CaseId,
        /// The code.
        code: CodeId,
    },
}

/// A memo: free text about the project, a transcript, a code or a coding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memo {
    /// Stable id.
    pub memo_id: MemoId,
    /// What it is about.
    pub target: MemoTarget,
    /// Who wrote it, if known.
    pub rater_id: Option<RaterId>,
    /// The text.
    pub text: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
}

/// A coding to add.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewCoding {
    /// Its id (given when it comes from another file, so re-imports are idempotent).
    pub coding_id: CodingId,
    /// Which transcript.
    pub transcript_id: TranscriptId,
    /// Which code.
    pub code_id: CodeId,
    /// Who coded.
    pub rater_id: RaterId,
    /// The span, in chars.
    pub span: Span,
    /// A memo to attach, if any.
    pub memo: Option<String>,
    /// When it was made; `None` means now.
    pub created_at: Option<String>,
}

/// Which codings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodingFilter {
    /// Only these transcripts (all when empty).
    pub transcripts: Vec<TranscriptId>,
    /// Only these codes (all when empty).
    pub codes: Vec<CodeId>,
    /// Only these raters (all when empty).
    pub raters: Vec<RaterId>,
    /// Only these codings (all when empty): what the window reads back after adding some.
    pub ids: Vec<CodingId>,
    /// Include removed codings too.
    pub include_removed: bool,
}

/// What an attribute import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AttributeReport {
    /// Cases whose attributes were set.
    pub updated: Vec<String>,
    /// Cases created because `create_missing` was given.
    pub created: Vec<String>,
    /// Keys in the file that match no case (skipped).
    pub unmatched: Vec<String>,
    /// Attribute values written.
    pub values: usize,
}

/// One coding with everything resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodingView {
    /// Coding id.
    pub coding_id: String,
    /// Transcript name.
    pub transcript: String,
    /// Transcript id.
    pub transcript_id: String,
    /// Code path.
    pub code: String,
    /// Code id.
    pub code_id: String,
    /// Rater name.
    pub rater: String,
    /// Rater id.
    pub rater_id: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// The coded text.
    pub quote: String,
    /// The newest memo on the coding, if any.
    pub memo: Option<String>,
    /// When made.
    pub created_at: String,
    /// Codebook version it was made under.
    pub codebook_version: i64,
    /// When removed, if it was.
    pub removed_at: Option<String>,
}

/// The header of the codings CSV Accord writes (the columns of a [`CodingView`]) and reads back.
pub const CODINGS_CSV_HEADER: &[&str] = &[
    "coding_id",
    "transcript",
    "transcript_id",
    "code",
    "code_id",
    "rater",
    "rater_id",
    "start",
    "end",
    "quote",
    "memo",
    "created_at",
    "codebook_version",
];
