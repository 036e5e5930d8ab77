//! Turn and sentence level: every speaker turn (or sentence) is a unit; a rater coded it when
//! the rater's codings with the code cover it by a [`CoverageRule`].
//!
//! A rater's codings are first united into coverage runs so a character covered twice counts
//! once. Units of zero length cannot be coded and are skipped. Each unit costs a binary search
//! plus the runs it meets, per rater.

use super::spans::{Span, TranscriptCodings, check_units, coverage_runs, rater_spans};
use super::{Disagreement, UnitizedCode, sort_disagreements, split_coders, unanimous};
use crate::agreement::data::ReliabilityData;
use crate::agreement::error::AgreementError;

/// When a unit counts as coded by a rater, from how many of its characters the rater's
/// codings with the code cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum CoverageRule {
    /// At least one character of the unit is covered (the default).
    #[default]
    AnyOverlap,
    /// More than half of the unit's characters are covered.
    Majority,
    /// Every character of the unit is covered.
    Full,
}

impl CoverageRule {
    /// The rule in words, completing "counts as coded by a rater when ...".
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::AnyOverlap => "at least one of its characters is covered",
            Self::Majority => "more than half of its characters are covered",
            Self::Full => "every character of it is covered",
        }
    }

    /// Whether `covered` of `len` characters make the unit coded.
    #[must_use]
    pub const fn holds(self, covered: usize, len: usize) -> bool {
        match self {
            Self::AnyOverlap => covered > 0,
            Self::Majority => covered.saturating_mul(2) > len,
            Self::Full => len > 0 && covered >= len,
        }
    }
}

/// Which predefined units are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Speaker turns ([`TranscriptCodings::turns`]).
    Turn,
    /// Sentences ([`TranscriptCodings::sentences`]).
    Sentence,
}

impl Level {
    const fn name(self) -> (&'static str, &'static str) {
        match self {
            Self::Turn => ("speaker turn", "turns"),
            Self::Sentence => ("sentence", "sentences"),
        }
    }
}

/// Report text for a level and rule.
#[must_use]
pub fn describe(level: Level, rule: CoverageRule) -> String {
    let (one, many) = level.name();
    let capital = match level {
        Level::Turn => "A turn",
        Level::Sentence => "A sentence",
    };
    format!(
        "Unit: {one}. {capital} counts as coded by a rater when {} by that rater's codings \
         with the code. Statistics over all {many} of the transcripts every compared rater \
         has coded.",
        rule.describe()
    )
}

/// Builds turn- or sentence-level data for one code.
///
/// # Errors
/// [`AgreementError::InvalidSpan`] for a coding or unit outside its transcript,
/// [`AgreementError::UnknownRater`] for a bad rater index, and errors of
/// [`ReliabilityData::push_unit`].
pub fn unit_level(
    level: Level,
    rule: CoverageRule,
    raters: &[String],
    transcripts: &[TranscriptCodings<'_>],
) -> Result<UnitizedCode, AgreementError> {
    let mut data = ReliabilityData::binary(raters.to_vec());
    let mut disagreements = Vec::new();
    let mut cells = vec![Some(0u32); raters.len()];
    for (index, transcript) in transcripts.iter().enumerate() {
        let units = match level {
            Level::Turn => transcript.turns,
            Level::Sentence => transcript.sentences,
        };
        check_units(index, units, transcript.len_chars)?;
        let runs: Vec<Vec<Span>> = rater_spans(index, transcript, raters.len())?
            .iter()
            .map(|s| coverage_runs(s))
            .collect();
        let mut ordered: Vec<Span> = units.iter().copied().filter(|u| !u.is_empty()).collect();
        ordered.sort_unstable();
        for unit in ordered {
            for (cell, rater_runs) in cells.iter_mut().zip(&runs) {
                *cell = Some(u32::from(rule.holds(covered(rater_runs, unit), unit.len())));
            }
            data.push_unit(&cells)?;
            if !unanimous(&cells) {
                let (coded_by, not_coded_by) = split_coders(&cells);
                disagreements.push(Disagreement {
                    transcript: index,
                    span: unit,
                    coded_by,
                    not_coded_by,
                    rater_spans: Vec::new(),
                });
            }
        }
    }
    sort_disagreements(&mut disagreements);
    let description = describe(level, rule);
    Ok(UnitizedCode {
        data,
        disagreements,
        description,
    })
}

/// Characters of `unit` covered by the sorted, disjoint `runs`.
#[must_use]
pub fn covered(runs: &[Span], unit: Span) -> usize {
    let first = runs.partition_point(|r| r.end <= unit.start);
    runs.get(first..)
        .unwrap_or_default()
        .iter()
        .take_while(|r| r.start < unit.end)
        .map(|r| r.intersection_len(&unit))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::spans::RaterSpans;
    use super::*;

    fn s(a: usize, b: usize) -> Span {
        Span::new(a, b)
    }

    fn raters() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    fn cells_of(u: &UnitizedCode) -> Vec<(Vec<Option<u32>>, u64)> {
        u.data
            .patterns()
            .iter()
            .map(|p| (p.cells.clone(), p.count))
            .collect()
    }

    #[test]
    fn rules_on_a_hand_made_case() {
        // Three turns of 10 chars. Rater a codes [8,14) -> 2 chars of turn 0, 4 of turn 1.
        // Rater b codes [10,20) (all of turn 1) and [20,26) (6 chars of turn 2).
        let turns = [s(0, 10), s(10, 20), s(20, 30)];
        let t = [TranscriptCodings {
            len_chars: 30,
            turns: &turns,
            sentences: &[],
            by_rater: vec![
                RaterSpans {
                    rater: 0,
                    spans: vec![s(8, 14)],
                },
                RaterSpans {
                    rater: 1,
                    spans: vec![s(10, 15), s(15, 20), s(20, 26)],
                },
            ],
        }];
        // Expected (rater a, rater b) per turn; the data hold one pattern per distinct row.
        let expect = |rule, rows: [[u32; 2]; 3]| {
            let mut want: Vec<(Vec<Option<u32>>, u64)> = Vec::new();
            for row in rows {
                let cells = vec![Some(row[0]), Some(row[1])];
                match want.iter_mut().find(|(c, _)| *c == cells) {
                    Some((_, n)) => *n += 1,
                    None => want.push((cells, 1)),
                }
            }
            want.sort_unstable();
            let mut got = unit_level(Level::Turn, rule, &raters(), &t)
                .map(|u| cells_of(&u))
                .unwrap_or_default();
            got.sort_unstable();
            assert_eq!(got, want, "{rule:?}");
        };
        expect(CoverageRule::AnyOverlap, [[1, 0], [1, 1], [0, 1]]);
        expect(CoverageRule::Majority, [[0, 0], [0, 1], [0, 1]]);
        expect(CoverageRule::Full, [[0, 0], [0, 1], [0, 0]]);
    }

    #[test]
    fn spans_touching_a_unit_boundary_do_not_code_it() {
        let sentences = [s(0, 5), s(5, 10)];
        let t = [TranscriptCodings {
            len_chars: 10,
            turns: &[],
            sentences: &sentences,
            by_rater: vec![
                RaterSpans {
                    rater: 0,
                    spans: vec![s(0, 5)],
                },
                RaterSpans {
                    rater: 1,
                    spans: vec![s(0, 5)],
                },
            ],
        }];
        let u = unit_level(Level::Sentence, CoverageRule::AnyOverlap, &raters(), &t);
        let u = u.ok();
        assert_eq!(
            u.as_ref().map(cells_of),
            Some(vec![
                (vec![Some(1), Some(1)], 1),
                (vec![Some(0), Some(0)], 1)
            ])
        );
        assert_eq!(u.map(|u| u.disagreements.len()), Some(0));
    }

    #[test]
    fn nobody_coded_empty_units_and_bad_units() {
        let turns = [s(0, 4), s(4, 4), s(4, 9)];
        let t = [TranscriptCodings {
            len_chars: 9,
            turns: &turns,
            sentences: &[],
            by_rater: vec![],
        }];
        let u = unit_level(Level::Turn, CoverageRule::Full, &raters(), &t).ok();
        assert_eq!(
            u.map(|u| cells_of(&u)),
            Some(vec![(vec![Some(0), Some(0)], 2)])
        );
        let bad = [s(0, 12)];
        let t = [TranscriptCodings {
            len_chars: 9,
            turns: &bad,
            sentences: &[],
            by_rater: vec![],
        }];
        assert!(matches!(
            unit_level(Level::Turn, CoverageRule::Full, &raters(), &t),
            Err(AgreementError::InvalidSpan { .. })
        ));
    }

    #[test]
    fn disagreements_are_sorted_and_name_the_coders() {
        let turns = [s(5, 9), s(0, 5)];
        let t = [TranscriptCodings {
            len_chars: 9,
            turns: &turns,
            sentences: &[],
            by_rater: vec![RaterSpans {
                rater: 1,
                spans: vec![s(0, 9)],
            }],
        }];
        let u = unit_level(Level::Turn, CoverageRule::AnyOverlap, &raters(), &t).ok();
        let got: Vec<(Span, Vec<usize>, Vec<usize>)> = u
            .map(|u| {
                u.disagreements
                    .into_iter()
                    .map(|d| (d.span, d.coded_by, d.not_coded_by))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            got,
            vec![(s(0, 5), vec![1], vec![0]), (s(5, 9), vec![1], vec![0])]
        );
    }

    #[test]
    fn covered_counts_each_char_once() {
        let runs = [s(0, 3), s(5, 8), s(10, 20)];
        assert_eq!(covered(&runs, s(2, 12)), 1 + 3 + 2);
        assert_eq!(covered(&runs, s(3, 5)), 0);
        assert_eq!(covered(&[], s(0, 5)), 0);
    }

    proptest::proptest! {
        #[test]
        fn symmetric_in_raters(
            spans in proptest::collection::vec(proptest::collection::vec((0usize..30, 0usize..30), 0..4), 3),
            cuts in proptest::collection::vec(0usize..30, 0..6),
            rule in proptest::sample::select(vec![CoverageRule::AnyOverlap, CoverageRule::Majority, CoverageRule::Full]),
        ) {
            let mut bounds = cuts.clone();
            bounds.extend([0, 30]);
            bounds.sort_unstable();
            let turns: Vec<Span> = bounds.windows(2).map(|w| s(w[0], w[1])).collect();
            let make = |flip: bool| TranscriptCodings {
                len_chars: 30,
                turns: &turns,
                sentences: &[],
                by_rater: spans.iter().enumerate().map(|(r, l)| RaterSpans {
                    rater: if flip { 2 - r } else { r },
                    spans: l.iter().map(|&(a, b)| s(a.min(b), a.max(b))).collect(),
                }).collect(),
            };
            let names: Vec<String> = vec!["x".into(), "y".into(), "z".into()];
            let tally = |flip: bool| -> Vec<(Vec<Option<u32>>, u64)> {
                let u = unit_level(Level::Turn, rule, &names, &[make(flip)]).ok();
                let mut v: Vec<(Vec<Option<u32>>, u64)> = u.map(|u| u.data.patterns().iter().map(|p| {
                    let mut c = p.cells.clone();
                    if flip { c.reverse(); }
                    (c, p.count)
                }).collect()).unwrap_or_default();
                v.sort_unstable();
                v
            };
            proptest::prop_assert_eq!(tally(false), tally(true));
        }
    }
}
