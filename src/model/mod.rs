//! Pure types of a project: transcripts and turns, the codebook, raters, codings, cases and memos.
//! Nothing here touches a file, a database or a window.

mod adjudication;
mod codebook;
mod coding;
pub mod files;
mod ids;
pub mod quoting;
mod span;
pub mod text;
mod transcript;

pub use adjudication::{Adjudication, Decision, intersect_spans, union_spans};
pub use codebook::{Code, CodeLookup, Codebook, MAX_CODE_DEPTH};
pub use coding::{Case, Coding, Memo, MemoTarget, Rater, RaterKind};
pub use ids::{
    ACCORD_NAMESPACE, AdjudicationId, CaseId, CodeId, CodingId, MemoId, ProjectId, ProposalId,
    RaterId, RoundId, TranscriptId, TurnId,
};
pub use span::{Span, SpanError};
pub use transcript::{Role, SourceFormat, Transcript, Turn, format_time_ms};

/// The current time as RFC 3339 with milliseconds, in UTC.
#[must_use]
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
