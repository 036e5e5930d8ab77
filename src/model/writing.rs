//! From coded excerpts to the paper: key quotes (codings flagged as the quotes that carry the
//! argument) and the summary grid's written summaries (one case on one code).

use serde::{Deserialize, Serialize};

use super::{CaseId, CodeId, CodingId, RaterId};

/// A coding flagged as a key quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyQuote {
    /// The coding.
    pub coding_id: CodingId,
    /// An optional label ("opening quote", "the turning point").
    pub label: String,
    /// Who flagged it.
    pub flagged_by: Option<RaterId>,
    /// When (RFC 3339).
    pub flagged_at: String,
}

/// One version of a summary grid cell's summary: what a case says on a code, in the analyst's
/// words, citing the excerpts it rests on. The newest version is the cell's summary; an empty
/// text clears the cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridSummary {
    /// The case (the grid's row).
    pub case_id: CaseId,
    /// The code (the grid's column).
    pub code_id: CodeId,
    /// The version, from 1.
    pub version: i64,
    /// The summary.
    pub text: String,
    /// The codings it cites.
    pub cites: Vec<CodingId>,
    /// Who wrote it.
    pub written_by: Option<RaterId>,
    /// When (RFC 3339).
    pub written_at: String,
}
