//! A transcript correction as the store writes it (and as undo writes it back): the new text and
//! turns, where every coding and adjudication record goes, which codings the correction loses (kept
//! as removed, with their old words) and which losses it undoes.

use serde::{Deserialize, Serialize};

use super::anchors::Splice;
use super::{AdjudicationId, CodingId, RaterId, Span, TranscriptId, Turn};

/// One correction of one transcript's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextCorrection {
    /// Which transcript.
    pub transcript_id: TranscriptId,
    /// The hash of the text it corrects: refused when the text is no longer that one.
    pub from_sha256: String,
    /// The new text.
    pub text: String,
    /// Its turns.
    pub turns: Vec<Turn>,
    /// The changes from the old text to the new, in old positions (kept with the old version).
    pub splices: Vec<Splice>,
    /// Every coding of the transcript (live or removed) with its span over the new text.
    pub codings: Vec<(CodingId, Span)>,
    /// Codings the correction loses (every word deleted): removed, with their old span and words.
    pub lose: Vec<LostCoding>,
    /// Codings whose loss this undoes: their removal and loss record go.
    pub restore: Vec<CodingId>,
    /// Each adjudication record's extent and rater spans over the new text.
    pub adjudications: Vec<RecordSpans>,
    /// Each memo on a passage of the transcript, with its span over the new text (a passage whose
    /// every word was deleted keeps an empty span where its words were, and the memo stays).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memos: Vec<(crate::model::MemoId, crate::model::Span)>,
    /// Who corrected.
    pub by: Option<RaterId>,
}

/// An adjudication record's place: its id, its extent and each compared rater's spans there.
pub type RecordSpans = (AdjudicationId, Span, Vec<(RaterId, Vec<Span>)>);

/// A coding a correction lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostCoding {
    /// The coding.
    pub coding_id: CodingId,
    /// Where it was in the old text.
    pub span: Span,
    /// The words it covered.
    pub quote: String,
}

/// What a correction wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionReport {
    /// The transcript's name.
    pub transcript: String,
    /// Its text version after (the first import is version 1).
    pub version: i64,
    /// Codings carried (every one of the transcript's).
    pub codings: usize,
    /// Codings lost (now removed, their words kept).
    pub lost: usize,
    /// Codings whose loss was undone.
    pub restored: usize,
}

/// A correction proposed from a rater file: the corrected text of one transcript, for the lead to
/// review as a correction and accept or reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionProposal {
    /// Its id.
    pub proposal_id: super::ProposalId,
    /// Which transcript.
    pub transcript_id: TranscriptId,
    /// Who proposes it.
    pub rater_id: Option<RaterId>,
    /// The hash of the text it corrects.
    pub from_sha256: String,
    /// The corrected text.
    pub text: String,
    /// Why.
    pub note: String,
    /// When.
    pub created_at: String,
    /// `open`, `accepted` or `rejected`.
    pub status: String,
    /// The lead's note on the decision.
    pub decision_note: Option<String>,
}
