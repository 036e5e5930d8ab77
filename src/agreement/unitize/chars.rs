//! Character level: every character of every transcript is a unit; a rater coded it when any
//! of the rater's codings with the code covers it (as `NVivo`'s coding comparison does).
//!
//! Characters are never materialised one by one: each rater's codings are united into
//! coverage runs, the run endpoints of all raters are swept in order, and every stretch
//! between two consecutive endpoints becomes one [`ReliabilityData::push_pattern`] call with
//! the stretch's length as count. Cost grows with the number of codings, not characters.

use super::spans::{Span, TranscriptCodings, coverage_runs, rater_spans};
use super::{Disagreement, UnitizedCode, sort_disagreements, split_coders, unanimous};
use crate::agreement::data::ReliabilityData;
use crate::agreement::error::AgreementError;

/// Report text for the character level.
pub const DESCRIPTION: &str = "Unit: character. A character counts as coded by a rater when \
any of that rater's codings with the code covers it. Statistics over all characters of the \
transcripts every compared rater has coded.";

/// Builds character-level data for one code (see the module docs).
///
/// # Errors
/// [`AgreementError::InvalidSpan`] / [`AgreementError::UnknownRater`] for bad input, and any
/// error of [`ReliabilityData::push_pattern`].
pub fn character_units(
    raters: &[String],
    transcripts: &[TranscriptCodings<'_>],
) -> Result<UnitizedCode, AgreementError> {
    let mut data = ReliabilityData::binary(raters.to_vec());
    let mut disagreements = Vec::new();
    for (index, transcript) in transcripts.iter().enumerate() {
        let per_rater = rater_spans(index, transcript, raters.len())?;
        let runs: Vec<Vec<Span>> = per_rater.iter().map(|s| coverage_runs(s)).collect();
        sweep(transcript.len_chars, &runs, |span, cells| {
            data.push_pattern(cells, span.len() as u64)?;
            if !unanimous(cells) {
                note_run(&mut disagreements, index, span, cells);
            }
            Ok(())
        })?;
    }
    sort_disagreements(&mut disagreements);
    Ok(UnitizedCode {
        data,
        disagreements,
        description: DESCRIPTION.to_string(),
    })
}

/// Walks `[0, len)` and calls `emit` once per maximal stretch in which no rater's coverage
/// changes, with the stretch and the cells (`Some(1)` coded, `Some(0)` not) of all raters.
/// `runs[r]` must be rater `r`'s sorted, non-touching coverage runs inside `[0, len)`.
///
/// # Errors
/// Whatever `emit` returns.
pub fn sweep<F>(len: usize, runs: &[Vec<Span>], mut emit: F) -> Result<(), AgreementError>
where
    F: FnMut(Span, &[Option<u32>]) -> Result<(), AgreementError>,
{
    // (position, rater, becomes coded)
    let mut events: Vec<(usize, usize, bool)> = runs
        .iter()
        .enumerate()
        .flat_map(|(r, spans)| {
            spans
                .iter()
                .flat_map(move |s| [(s.start, r, true), (s.end, r, false)])
        })
        .collect();
    events.sort_unstable();
    let mut cells = vec![Some(0u32); runs.len()];
    let mut cursor = 0usize;
    for (pos, rater, coded) in events {
        if pos > cursor {
            emit(Span::new(cursor, pos), &cells)?;
            cursor = pos;
        }
        if let Some(cell) = cells.get_mut(rater) {
            *cell = Some(u32::from(coded));
        }
    }
    if len > cursor {
        emit(Span::new(cursor, len), &cells)?;
    }
    Ok(())
}

/// Adds a disagreeing stretch, extending the previous one when it continues it with the
/// same raters coding.
fn note_run(list: &mut Vec<Disagreement>, transcript: usize, span: Span, cells: &[Option<u32>]) {
    let (coded_by, not_coded_by) = split_coders(cells);
    if let Some(last) = list.last_mut()
        && last.transcript == transcript
        && last.span.end == span.start
        && last.coded_by == coded_by
    {
        last.span.end = span.end;
        return;
    }
    list.push(Disagreement {
        transcript,
        span,
        coded_by,
        not_coded_by,
        rater_spans: Vec::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::super::spans::RaterSpans;
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn raters(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("r{i}")).collect()
    }

    fn tally(data: &ReliabilityData) -> BTreeMap<Vec<Option<u32>>, u64> {
        let mut map = BTreeMap::new();
        for p in data.patterns() {
            *map.entry(p.cells.clone()).or_insert(0) += p.count;
        }
        map
    }

    fn codings(len: usize, spans: Vec<Vec<(usize, usize)>>) -> TranscriptCodings<'static> {
        TranscriptCodings {
            len_chars: len,
            turns: &[],
            sentences: &[],
            by_rater: spans
                .into_iter()
                .enumerate()
                .map(|(rater, list)| RaterSpans {
                    rater,
                    spans: list.into_iter().map(|(a, b)| Span::new(a, b)).collect(),
                })
                .collect(),
        }
    }

    fn run(n: usize, t: &[TranscriptCodings<'_>]) -> UnitizedCode {
        match character_units(&raters(n), t) {
            Ok(u) => u,
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }

    #[test]
    fn hand_made_two_raters() {
        // 0..10: A codes [0,4) and [3,6) (overlap, united), B codes [4,8).
        let u = run(2, &[codings(10, vec![vec![(0, 4), (3, 6)], vec![(4, 8)]])]);
        let t = tally(&u.data);
        assert_eq!(t.get(&vec![Some(1), Some(0)]), Some(&4));
        assert_eq!(t.get(&vec![Some(1), Some(1)]), Some(&2));
        assert_eq!(t.get(&vec![Some(0), Some(1)]), Some(&2));
        assert_eq!(t.get(&vec![Some(0), Some(0)]), Some(&2));
        assert_eq!(u.data.n_units(), 10);
        let spans: Vec<(Span, Vec<usize>)> = u
            .disagreements
            .iter()
            .map(|d| (d.span, d.coded_by.clone()))
            .collect();
        assert_eq!(
            spans,
            vec![(Span::new(0, 4), vec![0]), (Span::new(6, 8), vec![1])]
        );
    }

    #[test]
    fn touching_spans_and_boundaries() {
        // A codes [0,5) and [5,10) (touching: one run), B codes the whole text.
        let u = run(
            2,
            &[codings(10, vec![vec![(0, 5), (5, 10)], vec![(0, 10)]])],
        );
        assert_eq!(tally(&u.data).get(&vec![Some(1), Some(1)]), Some(&10));
        assert!(u.disagreements.is_empty());
    }

    #[test]
    fn code_nobody_used_one_rater_without_spans_and_empty_transcript() {
        let u = run(
            2,
            &[
                codings(7, vec![vec![], vec![]]),
                codings(0, vec![vec![], vec![]]),
            ],
        );
        assert_eq!(tally(&u.data).get(&vec![Some(0), Some(0)]), Some(&7));
        assert_eq!(u.data.n_units(), 7);
        let one = run(2, &[codings(6, vec![vec![(1, 3)]])]); // rater 1 absent: no spans
        assert_eq!(tally(&one.data).get(&vec![Some(1), Some(0)]), Some(&2));
        assert_eq!(one.disagreements.len(), 1);
    }

    #[test]
    fn disagreement_runs_split_where_the_coders_change() {
        let u = run(3, &[codings(9, vec![vec![(0, 6)], vec![(3, 9)], vec![]])]);
        let got: Vec<(Span, Vec<usize>, Vec<usize>)> = u
            .disagreements
            .iter()
            .map(|d| (d.span, d.coded_by.clone(), d.not_coded_by.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Span::new(0, 3), vec![0], vec![1, 2]),
                (Span::new(3, 6), vec![0, 1], vec![2]),
                (Span::new(6, 9), vec![1], vec![0, 2]),
            ]
        );
    }

    /// Naive construction: one unit per character, straight from the definition.
    fn naive(n: usize, t: &[TranscriptCodings<'_>]) -> BTreeMap<Vec<Option<u32>>, u64> {
        let mut map = BTreeMap::new();
        for tr in t {
            for c in 0..tr.len_chars {
                let mut cells = vec![Some(0); n];
                for rs in &tr.by_rater {
                    if rs.spans.iter().any(|s| s.start <= c && c < s.end) {
                        cells[rs.rater] = Some(1);
                    }
                }
                *map.entry(cells).or_insert(0) += 1;
            }
        }
        map
    }

    fn arb_transcript(n: usize) -> impl Strategy<Value = TranscriptCodings<'static>> {
        (0usize..40).prop_flat_map(move |len| {
            let span = (0..=len, 0..=len).prop_map(|(a, b)| (a.min(b), a.max(b)));
            prop::collection::vec(prop::collection::vec(span, 0..5), n)
                .prop_map(move |spans| codings(len, spans))
        })
    }

    proptest! {
        #[test]
        fn sweep_equals_naive_per_char(ts in prop::collection::vec(arb_transcript(3), 0..4)) {
            let u = run(3, &ts);
            prop_assert_eq!(tally(&u.data), naive(3, &ts));
            let disagreeing: usize = u.disagreements.iter().map(|d| d.span.len()).sum();
            let naive_disagreeing: u64 = naive(3, &ts)
                .iter()
                .filter(|(cells, _)| !unanimous(cells))
                .map(|(_, count)| *count)
                .sum();
            prop_assert_eq!(disagreeing as u64, naive_disagreeing);
        }

        #[test]
        fn symmetric_in_raters(ts in prop::collection::vec(arb_transcript(3), 0..4)) {
            let swapped: Vec<TranscriptCodings<'static>> = ts
                .iter()
                .map(|t| {
                    let mut t = t.clone();
                    for rs in &mut t.by_rater { rs.rater = 2 - rs.rater; }
                    t
                })
                .collect();
            let permute = |m: BTreeMap<Vec<Option<u32>>, u64>| -> BTreeMap<Vec<Option<u32>>, u64> {
                m.into_iter().map(|(mut c, k)| { c.reverse(); (c, k) }).collect()
            };
            prop_assert_eq!(permute(tally(&run(3, &ts).data)), tally(&run(3, &swapped).data));
        }
    }
}
