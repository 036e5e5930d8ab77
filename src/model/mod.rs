//! Pure types of a project: transcripts and turns, the codebook, raters, codings, cases and memos.
//! Nothing here touches a file, a database or a window.

mod adjudication;
pub mod anchors;
mod codebook;
mod coding;
mod correction;
mod edit;
mod erasure;
pub mod files;
mod ids;
pub mod quoting;
pub mod refi;
pub mod settings;
mod span;
mod team;
pub mod text;
mod transcript;
mod writing;

pub use adjudication::{Adjudication, Decision, intersect_spans, union_spans};
pub use codebook::{
    Code, CodeGroup, CodeLookup, Codebook, CodebookChange, MAX_CODE_DEPTH, MAX_CODE_GROUPS,
};
pub use coding::{
    AttributeReport, CODINGS_CSV_HEADER, Case, Coding, CodingFilter, CodingView, Memo, MemoTarget,
    NewCoding, Rater, RaterKind,
};
pub use correction::{
    CorrectionProposal, CorrectionReport, LostCoding, RecordSpans, TextCorrection,
};
pub use edit::{Edit, EditReport};
pub use erasure::Erasure;
pub use ids::{
    ACCORD_NAMESPACE, AdjudicationId, CaseId, CodeId, CodingId, MemoId, ProjectId, ProposalId,
    RaterId, RoundId, TranscriptId, TurnId,
};
pub use settings::{BLIND_MODE, PURGE_PENDING};
pub use span::{Span, SpanError};
pub use team::{Proposal, RaterFileInfo, Round, RoundRule};
pub use transcript::{
    Role, SourceFormat, Transcript, TranscriptSummary, Turn, format_time_ms, parse_time_ms,
};
pub use writing::{GridSummary, KeyQuote};

/// The current time as RFC 3339 with milliseconds, in UTC.
#[must_use]
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
