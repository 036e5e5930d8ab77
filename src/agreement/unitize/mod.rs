//! From codings to reliability data: turns what raters coded with ONE code (character spans
//! in transcripts) into [`ReliabilityData`] whose units are characters, speaker turns,
//! sentences or matched coded segments, and lists where the raters disagree.
//!
//! * [`chars`]: every character is a unit (as `NVivo`'s coding comparison); built by a sweep
//!   over span endpoints, never one unit per character.
//! * [`units`]: every turn or sentence is a unit, coded by a rater by a [`CoverageRule`].
//! * [`segments`]: MAXQDA-style "segment overlap" comparison; codings are matched across
//!   raters by their overlap, and there are no units that no rater coded.
//! * [`ualpha`]: Krippendorff's binary unitizing alpha `|uα` (Krippendorff, Mathet, Bouvry &
//!   Widlöcher 2016) on the text continuum, computed directly from the spans.
//! * [`groups`]: the unitizing alphas of a group of mutually exclusive codes (`uα`, `|uα`,
//!   `cuα`, and `Cuα` over several groups).
//! * [`sentences`]: a small rule-based sentence splitter giving sentence spans in char offsets.
//!
//! Everything here works for one code. To pool over codes, unitize each code separately and
//! merge the data with [`pool`] (which uses [`ReliabilityData::merge`]).

pub mod chars;
pub mod groups;
mod matching;
pub mod segments;
pub mod sentences;
pub mod spans;
pub mod ualpha;
pub mod units;

pub use segments::{OverlapThreshold, SegmentAgreement, segment_agreement};
pub use sentences::split_sentences;
pub use spans::{RaterSpans, Span, TranscriptCodings};
pub use ualpha::{UnitizingAlpha, binary_unitizing_alpha};
pub use units::CoverageRule;

pub(crate) use matching::Groups;

use crate::agreement::data::ReliabilityData;
use crate::agreement::error::AgreementError;

/// The unit a code's reliability is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum UnitKind {
    /// Every character of every transcript.
    #[default]
    Character,
    /// Every speaker turn, coded by a rater according to the rule.
    Turn(CoverageRule),
    /// Every sentence, coded by a rater according to the rule.
    Sentence(CoverageRule),
    /// Matched coded segments (MAXQDA's segment overlap), with the minimum overlap.
    Segment(OverlapThreshold),
}

impl UnitKind {
    /// The unit, the rule and what the statistics run over, in one or two sentences for reports.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Character => chars::DESCRIPTION.to_string(),
            Self::Turn(rule) => units::describe(units::Level::Turn, *rule),
            Self::Sentence(rule) => units::describe(units::Level::Sentence, *rule),
            Self::Segment(threshold) => segments::describe(*threshold),
        }
    }
}

/// One place where the raters did not all agree: a character run, a turn, a sentence or a
/// coded segment, with who coded it and who did not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Disagreement {
    /// Index of the transcript in the slice passed in.
    pub transcript: usize,
    /// Where, in char offsets (for a matched segment group: from its first start to its last end).
    pub span: Span,
    /// Raters (indices into the rater list) who coded it, ascending.
    pub coded_by: Vec<usize>,
    /// Raters who did not code it, ascending.
    pub not_coded_by: Vec<usize>,
    /// Segment level only: each coding rater's own segment `(rater, span)`; empty otherwise.
    pub rater_spans: Vec<(usize, Span)>,
}

/// Reliability data for one code at one unit kind, with the disagreements to list.
#[derive(Debug, Clone)]
pub struct UnitizedCode {
    /// Binary data: category 0 "not coded", 1 "coded"; one rater column per listed rater.
    pub data: ReliabilityData,
    /// Disagreements sorted by transcript, then start, then end.
    pub disagreements: Vec<Disagreement>,
    /// [`UnitKind::describe`] of the kind used.
    pub description: String,
}

/// Builds the reliability data of one code at the given unit kind.
///
/// `raters` names the compared raters; [`RaterSpans::rater`] indexes into it.
///
/// # Errors
/// [`AgreementError::InvalidSpan`] for a span (coding, turn or sentence) outside its
/// transcript, [`AgreementError::UnknownRater`] for a rater index outside `raters`, and any
/// error of [`ReliabilityData::push_pattern`].
pub fn unitize(
    kind: &UnitKind,
    raters: &[String],
    transcripts: &[TranscriptCodings<'_>],
) -> Result<UnitizedCode, AgreementError> {
    match kind {
        UnitKind::Character => chars::character_units(raters, transcripts),
        UnitKind::Turn(rule) => units::unit_level(units::Level::Turn, *rule, raters, transcripts),
        UnitKind::Sentence(rule) => {
            units::unit_level(units::Level::Sentence, *rule, raters, transcripts)
        }
        UnitKind::Segment(threshold) => segments::segment_units(*threshold, raters, transcripts),
    }
}

/// Pools per-code results into one data set (the sum of their units), e.g. for an agreement
/// over all codes. All parts must have the same raters (binary categories are shared).
///
/// # Errors
/// [`AgreementError`] from [`ReliabilityData::merge`] when raters or categories differ.
pub fn pool(parts: &[UnitizedCode]) -> Result<ReliabilityData, AgreementError> {
    let mut iter = parts.iter();
    let Some(first) = iter.next() else {
        return Ok(ReliabilityData::default());
    };
    let mut pooled = first.data.clone();
    for part in iter {
        pooled.merge(&part.data)?;
    }
    Ok(pooled)
}

/// Splits the raters into those whose cell is "coded" and the rest.
pub(crate) fn split_coders(cells: &[Option<u32>]) -> (Vec<usize>, Vec<usize>) {
    let mut coded = Vec::new();
    let mut not_coded = Vec::new();
    for (rater, cell) in cells.iter().enumerate() {
        if *cell == Some(1) {
            coded.push(rater);
        } else {
            not_coded.push(rater);
        }
    }
    (coded, not_coded)
}

/// True when all cells are equal (every rater coded, or none did).
pub(crate) fn unanimous(cells: &[Option<u32>]) -> bool {
    cells.windows(2).all(|w| w.first() == w.get(1))
}

/// Sorts disagreements by transcript, start, end.
pub(crate) fn sort_disagreements(list: &mut [Disagreement]) {
    list.sort_by(|a, b| {
        (a.transcript, a.span.start, a.span.end).cmp(&(b.transcript, b.span.start, b.span.end))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raters() -> Vec<String> {
        vec!["ann".to_string(), "ben".to_string()]
    }

    #[test]
    fn describe_names_unit_rule_and_scope() {
        let text = UnitKind::Character.describe();
        assert!(text.starts_with("Unit: character."));
        assert!(
            UnitKind::Turn(CoverageRule::Majority)
                .describe()
                .contains("more than half")
        );
        assert!(
            UnitKind::Sentence(CoverageRule::Full)
                .describe()
                .contains("every character")
        );
        assert!(
            UnitKind::Segment(OverlapThreshold::default())
                .describe()
                .contains("90%")
        );
    }

    #[test]
    fn pooling_sums_units_over_codes() {
        let turns = [Span::new(0, 10)];
        let code_a = [TranscriptCodings {
            len_chars: 10,
            turns: &turns,
            sentences: &turns,
            by_rater: vec![RaterSpans {
                rater: 0,
                spans: vec![Span::new(0, 4)],
            }],
        }];
        let code_b = [TranscriptCodings {
            by_rater: vec![],
            ..code_a[0].clone()
        }];
        let kind = UnitKind::Character;
        let parts = [
            unitize(&kind, &raters(), &code_a).ok(),
            unitize(&kind, &raters(), &code_b).ok(),
        ];
        let parts: Vec<UnitizedCode> = parts.into_iter().flatten().collect();
        assert_eq!(parts.len(), 2);
        let pooled = pool(&parts).ok();
        assert_eq!(pooled.map(|d| d.n_units()), Some(20));
        assert_eq!(pool(&[]).ok().map(|d| d.n_units()), Some(0));
    }
}
