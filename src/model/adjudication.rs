//! Adjudication: how the lead settles one disagreement into the consensus layer. The raters' own
//! codings are never touched; a decision adds consensus codings (a rater of the consensus kind) and
//! keeps a record of what each rater had there, what was decided and why.

use serde::{Deserialize, Serialize};

use super::{AdjudicationId, CodeId, CodingId, RaterId, Span, TranscriptId};

/// What the lead decided for one disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Decision {
    /// The raters agreed there; their (identical) coding becomes the consensus.
    Agreed,
    /// One rater's coding there becomes the consensus.
    Take {
        /// Whose.
        rater_id: RaterId,
    },
    /// Everything any rater coded there.
    Union,
    /// Only what every rater coded there.
    Intersection,
    /// A span the lead chose.
    Span {
        /// Start (chars).
        start: usize,
        /// End (chars).
        end: usize,
    },
    /// Nothing is coded there in the consensus.
    Drop,
}

impl Decision {
    /// A short name (`take`, `union`, ...).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Agreed => "agreed",
            Self::Take { .. } => "take",
            Self::Union => "union",
            Self::Intersection => "intersection",
            Self::Span { .. } => "span",
            Self::Drop => "drop",
        }
    }
}

/// One settled disagreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjudication {
    /// Its id.
    pub adjudication_id: AdjudicationId,
    /// Where.
    pub transcript_id: TranscriptId,
    /// Which code.
    pub code_id: CodeId,
    /// The extent of the disagreement (every compared rater's coding there).
    pub extent: Span,
    /// Each compared rater's spans within the extent (empty when they coded nothing there).
    pub rater_spans: Vec<(RaterId, Vec<Span>)>,
    /// What was decided.
    pub decision: Decision,
    /// Why.
    pub note: String,
    /// The consensus layer the decision wrote to.
    pub consensus_rater: RaterId,
    /// The consensus codings it added.
    pub codings: Vec<CodingId>,
    /// When.
    pub decided_at: String,
    /// When it was withdrawn (undone), if it was.
    pub withdrawn_at: Option<String>,
}

/// Merges touching or overlapping spans into a sorted list of disjoint spans.
#[must_use]
pub fn union_spans(spans: &[Span]) -> Vec<Span> {
    let mut sorted: Vec<Span> = spans.iter().copied().filter(|s| !s.is_empty()).collect();
    sorted.sort_unstable();
    let mut out: Vec<Span> = Vec::new();
    for s in sorted {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// The parts covered by both lists of disjoint sorted spans.
#[must_use]
pub fn intersect_spans(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start < end {
            out.push(Span::new(start, end));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_and_intersections() {
        let s = Span::new;
        assert_eq!(
            union_spans(&[s(5, 9), s(0, 3), s(3, 4), s(8, 12)]),
            [s(0, 4), s(5, 12)]
        );
        assert_eq!(
            intersect_spans(&[s(0, 4), s(6, 10)], &[s(2, 8)]),
            [s(2, 4), s(6, 8)]
        );
        assert!(intersect_spans(&[s(0, 2)], &[s(2, 4)]).is_empty());
    }
}
