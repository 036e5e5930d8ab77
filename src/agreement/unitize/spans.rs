//! Input types for unitizing: character spans, one rater's codings of one code, and one
//! transcript with its turns, sentences and the compared raters' codings. Also the
//! validation and normalisation every unit kind shares (clip-free checking, sorting, and
//! the union of one rater's overlapping codings).

use crate::agreement::error::AgreementError;

/// A half-open `[start, end)` range in Unicode scalar (char) offsets of one transcript's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Span {
    /// First char offset inside the span.
    pub start: usize,
    /// First char offset after the span.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (half-open). No check is made here; see [`TranscriptCodings`].
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Number of chars in the span (0 for an empty or reversed span).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span holds no char.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of chars the two spans share.
    #[must_use]
    pub fn intersection_len(&self, other: &Span) -> usize {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        end.saturating_sub(start)
    }

    /// Number of chars in the union of the two spans when they overlap or touch; for spans
    /// apart, the sum of their lengths (the chars between them are not counted).
    #[must_use]
    pub fn union_len(&self, other: &Span) -> usize {
        self.len() + other.len() - self.intersection_len(other)
    }
}

/// What one rater coded with one code in one transcript.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RaterSpans {
    /// Index of the rater in the rater list passed alongside the transcripts.
    pub rater: usize,
    /// The rater's codings with the code, in any order; they may overlap.
    pub spans: Vec<Span>,
}

/// One transcript seen for one code: its length in chars, its turns and sentences as spans,
/// each compared rater's spans (raters index into the rater list; all raters compared have
/// coded this transcript).
///
/// A rater of the rater list that has no entry in `by_rater` is taken to have coded the
/// transcript without using the code (no spans). Several entries for one rater are pooled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TranscriptCodings<'a> {
    /// Length of the transcript's text in chars.
    pub len_chars: usize,
    /// The transcript's speaker turns (units of the turn level).
    pub turns: &'a [Span],
    /// The transcript's sentences (units of the sentence level), e.g. from
    /// [`split_sentences`](super::sentences::split_sentences).
    pub sentences: &'a [Span],
    /// The compared raters' codings with the code.
    pub by_rater: Vec<RaterSpans>,
}

/// Checks that `span` lies inside a transcript of `len` chars and is not reversed.
///
/// # Errors
/// [`AgreementError::InvalidSpan`] naming the transcript and the span.
pub fn check_span(transcript: usize, span: Span, len: usize) -> Result<(), AgreementError> {
    if span.start > span.end || span.end > len {
        return Err(AgreementError::InvalidSpan {
            transcript,
            start: span.start,
            end: span.end,
            len_chars: len,
        });
    }
    Ok(())
}

/// Sorts spans and unites those that overlap (share at least one char). Spans that only
/// touch (`a.end == b.start`) stay separate: they are two codings. Empty spans are dropped.
#[must_use]
pub fn union_overlapping(spans: &[Span]) -> Vec<Span> {
    merge_sorted(spans, false)
}

/// Sorts spans and unites those that overlap or touch, giving the maximal coded runs.
/// Empty spans are dropped.
#[must_use]
pub fn coverage_runs(spans: &[Span]) -> Vec<Span> {
    merge_sorted(spans, true)
}

fn merge_sorted(spans: &[Span], join_touching: bool) -> Vec<Span> {
    let mut sorted: Vec<Span> = spans.iter().copied().filter(|s| !s.is_empty()).collect();
    sorted.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(sorted.len());
    for span in sorted {
        match out.last_mut() {
            Some(last) if span.start < last.end || (join_touching && span.start == last.end) => {
                last.end = last.end.max(span.end);
            }
            _ => out.push(span),
        }
    }
    out
}

/// Per-rater spans of one transcript after checking: `spans[r]` are rater `r`'s codings,
/// sorted, overlapping ones united (touching ones kept apart).
///
/// # Errors
/// [`AgreementError::InvalidSpan`] for a span outside the transcript,
/// [`AgreementError::UnknownRater`] for a rater index outside the rater list.
pub fn rater_spans(
    transcript: usize,
    codings: &TranscriptCodings<'_>,
    n_raters: usize,
) -> Result<Vec<Vec<Span>>, AgreementError> {
    let mut raw: Vec<Vec<Span>> = vec![Vec::new(); n_raters];
    for entry in &codings.by_rater {
        let slot = raw
            .get_mut(entry.rater)
            .ok_or(AgreementError::UnknownRater {
                index: entry.rater,
                n_raters,
            })?;
        for &span in &entry.spans {
            check_span(transcript, span, codings.len_chars)?;
            slot.push(span);
        }
    }
    Ok(raw.iter().map(|s| union_overlapping(s)).collect())
}

/// Checks a list of unit spans (turns or sentences) of one transcript.
///
/// # Errors
/// [`AgreementError::InvalidSpan`] for a span outside the transcript.
pub fn check_units(transcript: usize, units: &[Span], len: usize) -> Result<(), AgreementError> {
    units
        .iter()
        .try_for_each(|&u| check_span(transcript, u, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(start: usize, end: usize) -> Span {
        Span::new(start, end)
    }

    #[test]
    fn lengths_and_intersections() {
        assert_eq!(s(2, 5).len(), 3);
        assert_eq!(s(5, 2).len(), 0);
        assert_eq!(s(0, 10).intersection_len(&s(5, 20)), 5);
        assert_eq!(s(0, 5).intersection_len(&s(5, 10)), 0);
        assert_eq!(s(0, 10).union_len(&s(5, 20)), 20);
    }

    #[test]
    fn union_keeps_touching_spans_apart() {
        let merged = union_overlapping(&[s(5, 10), s(0, 5), s(8, 12), s(20, 20)]);
        assert_eq!(merged, vec![s(0, 5), s(5, 12)]);
        assert_eq!(coverage_runs(&[s(5, 10), s(0, 5)]), vec![s(0, 10)]);
    }

    #[test]
    fn rejects_spans_outside_the_text_and_unknown_raters() {
        let turns = [s(0, 4)];
        let bad_span = TranscriptCodings {
            len_chars: 4,
            turns: &turns,
            sentences: &turns,
            by_rater: vec![RaterSpans {
                rater: 0,
                spans: vec![s(2, 5)],
            }],
        };
        assert!(matches!(
            rater_spans(3, &bad_span, 2),
            Err(AgreementError::InvalidSpan { transcript: 3, .. })
        ));
        let bad_rater = TranscriptCodings {
            by_rater: vec![RaterSpans {
                rater: 2,
                spans: vec![],
            }],
            ..bad_span
        };
        assert!(matches!(
            rater_spans(0, &bad_rater, 2),
            Err(AgreementError::UnknownRater {
                index: 2,
                n_raters: 2
            })
        ));
    }

    #[test]
    fn missing_and_repeated_raters() {
        let codings = TranscriptCodings {
            len_chars: 10,
            turns: &[],
            sentences: &[],
            by_rater: vec![
                RaterSpans {
                    rater: 1,
                    spans: vec![s(0, 3)],
                },
                RaterSpans {
                    rater: 1,
                    spans: vec![s(2, 6)],
                },
            ],
        };
        let per_rater = rater_spans(0, &codings, 3).unwrap_or_default();
        assert_eq!(per_rater, vec![vec![], vec![s(0, 6)], vec![]]);
    }
}
