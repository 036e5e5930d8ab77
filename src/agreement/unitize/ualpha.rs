//! Krippendorff's binary unitizing alpha `|uα` for one code over the text continuum:
//! Krippendorff, Mathet, Bouvry & Widlöcher (2016), "On the reliability of unitizing textual
//! continua: Further developments", Quality & Quantity 50:2347–2364, the coefficient of
//! "distinguishing relevant from irrelevant matter" that ATLAS.ti reports as its binary
//! (coded / not coded) alpha; also Krippendorff (2019), Content Analysis, 4th ed., §12.6.
//!
//! Each rater divides each transcript (continuum of `L` chars) into units (that rater's
//! codings, value 1) and gaps (the rest, value 0). With `m` raters and `l.. = m·ΣL`:
//!
//! * observed coincidences `l_ck = 1/(m-1) Σ_{i≠j} Σ_{g of i valued c} Σ_{h of j valued k} |g∩h|`,
//!   i.e. for every character, the ordered pairs of raters whose values are `c` and `k`;
//! * expected coincidences `e_ck = l.. (l_c· l_·k − [c=k] S_c) / (l..² − S_0 − S_1)`, where
//!   `S_1 = Σ ℓ²` over all raters' units (a unit is indivisible) and `S_0 = Σ ℓ` over all
//!   gaps (a gap pairs character by character);
//! * `|uα = 1 − l_01 / e_01` (binary, so `D_o / D_e = l_01 / e_01`).
//!
//! A rater's overlapping codings are united into one unit first; codings that only touch stay
//! two units (a rater who marked two adjacent passages identified two units). Several
//! transcripts pool by summing coincidences and `S` terms over their continua, the same as
//! concatenating them (a unit never crosses a transcript, and gaps count linearly).
//! The formulas were checked against three public implementations of the 2016 paper
//! (Python: `lindanna/unitized_alpha`, `zeljkobekcic/KrippendorffUnitizedAlpha`; R: `quallmer`'s
//! `reliability_alpha_u`), which agree with each other; no worked example with printed values
//! was found in the stored sources, so tests use hand-computed cases.

use super::chars::sweep;
use super::spans::{Span, TranscriptCodings, coverage_runs, rater_spans};
use crate::agreement::error::AgreementError;

/// Report text for `|uα`.
pub const DESCRIPTION: &str = "Krippendorff's binary unitizing alpha (|uα; Krippendorff, \
Mathet, Bouvry & Widlöcher 2016): each rater divides each transcript into coded sections \
(units) and uncoded gaps; disagreement is the length of text one rater coded and another did \
not, compared with what chance would give for units of the lengths the raters actually \
marked. |uα = 1 − l01/e01.";

/// `|uα` with its parts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitizingAlpha {
    /// `1 − l_01 / e_01`; `None` when undefined (see `undefined_reason`).
    pub value: Option<f64>,
    /// Why `value` is `None`.
    pub undefined_reason: Option<String>,
    /// Observed coincidences `[[l_00, l_01], [l_10, l_11]]` (0 = gap, 1 = coded).
    pub observed: [[f64; 2]; 2],
    /// Expected coincidences `[[e_00, e_01], [e_10, e_11]]` (zeros when undefined).
    pub expected: [[f64; 2]; 2],
    /// Total continuum length `ΣL` in chars.
    pub continuum_chars: u64,
    /// Number of raters `m`.
    pub n_raters: usize,
}

impl UnitizingAlpha {
    /// Report text: what `|uα` measures and its formula ([`DESCRIPTION`]).
    #[must_use]
    pub const fn describe(&self) -> &'static str {
        DESCRIPTION
    }
}

/// Sums over all transcripts, kept exact as integers.
#[derive(Default)]
struct Tally {
    /// Ordered rater pairs per character, times (m−1): [both gap, mixed, both coded].
    pairs: [u128; 3],
    /// Σ ℓ over gaps (`S_0`) and Σ ℓ² over units (`S_1`).
    s0: u128,
    s1: u128,
    chars: u64,
}

/// Computes `|uα` for one code: `n_raters` raters (indices of [`super::RaterSpans::rater`]),
/// each transcript one continuum.
///
/// # Errors
/// [`AgreementError::TooFewRaters`] with fewer than 2 raters, and
/// [`AgreementError::InvalidSpan`] / [`AgreementError::UnknownRater`] for bad input.
pub fn binary_unitizing_alpha(
    n_raters: usize,
    transcripts: &[TranscriptCodings<'_>],
) -> Result<UnitizingAlpha, AgreementError> {
    if n_raters < 2 {
        return Err(AgreementError::TooFewRaters {
            needed: 2,
            found: n_raters,
        });
    }
    let m = n_raters as u128;
    let mut tally = Tally::default();
    for (index, transcript) in transcripts.iter().enumerate() {
        let units = rater_spans(index, transcript, n_raters)?;
        let len = transcript.len_chars as u128;
        for rater_units in &units {
            let coded: u128 = rater_units.iter().map(|u| u.len() as u128).sum();
            tally.s1 += rater_units
                .iter()
                .map(|u| (u.len() as u128).pow(2))
                .sum::<u128>();
            tally.s0 += len - coded;
        }
        let runs: Vec<Vec<Span>> = units.iter().map(|u| coverage_runs(u)).collect();
        sweep(transcript.len_chars, &runs, |span, cells| {
            let k = cells.iter().filter(|c| **c == Some(1)).count() as u128;
            let n = span.len() as u128;
            tally.pairs[0] += n * (m - k) * (m - k).saturating_sub(1);
            tally.pairs[1] += n * k * (m - k);
            tally.pairs[2] += n * k * k.saturating_sub(1);
            Ok(())
        })?;
        tally.chars += transcript.len_chars as u64;
    }
    Ok(finish(&tally, n_raters))
}

#[allow(clippy::cast_precision_loss)] // reason: exact integer sums converted once to f64
fn finish(t: &Tally, n_raters: usize) -> UnitizingAlpha {
    let m1 = (n_raters - 1) as f64;
    let l00 = t.pairs[0] as f64 / m1;
    let l01 = t.pairs[1] as f64 / m1;
    let l11 = t.pairs[2] as f64 / m1;
    let total = n_raters as u128 * u128::from(t.chars);
    let (l0, l1) = (l00 + l01, l11 + l01);
    let mut result = UnitizingAlpha {
        value: None,
        undefined_reason: None,
        observed: [[l00, l01], [l01, l11]],
        expected: [[0.0; 2]; 2],
        continuum_chars: t.chars,
        n_raters,
    };
    let denominator = total * total - t.s0 - t.s1;
    if t.chars == 0 || denominator == 0 {
        result.undefined_reason = Some("undefined: the transcripts have no characters".into());
        return result;
    }
    let (lt, den) = (total as f64, denominator as f64);
    let e01 = lt * l0 * l1 / den;
    result.expected = [
        [lt * (l0 * l0 - t.s0 as f64) / den, e01],
        [e01, lt * (l1 * l1 - t.s1 as f64) / den],
    ];
    if e01 <= 0.0 {
        result.undefined_reason = Some(if l1 <= 0.0 {
            "undefined: expected disagreement is 0 (no rater used the code)".into()
        } else {
            "undefined: expected disagreement is 0 (every rater coded all of the text)".into()
        });
    } else {
        result.value = Some(1.0 - l01 / e01);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::super::spans::RaterSpans;
    use super::*;
    use proptest::prelude::*;

    fn t(len: usize, spans: Vec<Vec<(usize, usize)>>) -> TranscriptCodings<'static> {
        TranscriptCodings {
            len_chars: len,
            turns: &[],
            sentences: &[],
            by_rater: spans
                .into_iter()
                .enumerate()
                .map(|(rater, l)| RaterSpans {
                    rater,
                    spans: l.into_iter().map(|(a, b)| Span::new(a, b)).collect(),
                })
                .collect(),
        }
    }

    fn alpha(m: usize, ts: &[TranscriptCodings<'_>]) -> Option<f64> {
        binary_unitizing_alpha(m, ts).ok().and_then(|a| a.value)
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn hand_computed_two_raters() {
        // L = 10, A codes [0,4), B codes [2,6).
        // l_11 = 2·2 = 4, l_01 = l_10 = 4, l_00 = 2·4 = 8; l_1 = 8, l_0 = 12, l.. = 20.
        // S_1 = 4² + 4² = 32; S_0 = 6 + 6 = 12; e_01 = 20·12·8 / (400 − 44) = 1920/356.
        // |uα = 1 − 4·356/1920 = 31/120.
        let ts = [t(10, vec![vec![(0, 4)], vec![(2, 6)]])];
        assert!(close(alpha(2, &ts), 31.0 / 120.0));
        let full = binary_unitizing_alpha(2, &ts).ok();
        let e = full.map(|a| a.expected).unwrap_or_default();
        let sum: f64 = e.iter().flatten().sum();
        assert!(
            (sum - 20.0).abs() < 1e-9,
            "expected coincidences sum to l.. = 20"
        );
    }

    #[test]
    fn hand_computed_three_raters_two_transcripts() {
        // T1 (L=6): A [0,3), B [0,3), C none.  T2 (L=4): A [0,2), B none, C [0,2) and [2,4).
        // Ordered rater pairs per char (k raters coded): gap-gap (m-k)(m-k-1), coded-gap k(m-k),
        // coded-coded k(k-1).  T1 chars 0..3 (k=2): 0, 2, 2; chars 3..6 (k=0): 6, 0, 0.
        // T2 chars 0..2 (k=2): 0, 2, 2; chars 2..4 (k=1): 2, 2, 0.
        // Sums: gap-gap 18+4 = 22, coded-gap 6+4+4 = 14, coded-coded 6+4 = 10; divided by m-1 = 2:
        // l00 = 11, l01 = l10 = 7, l11 = 5; l.. = 30, l0 = 18, l1 = 12.
        // S_1 = (9+4) + 9 + (4+4) = 30 (C's touching codings are two units); S_0 = 3+3+6+2+4+0 = 18.
        // e01 = 30*18*12 / (900 - 48) = 6480/852; |uα = 1 - 7*852/6480.
        let ts = [
            t(6, vec![vec![(0, 3)], vec![(0, 3)], vec![]]),
            t(4, vec![vec![(0, 2)], vec![], vec![(0, 2), (2, 4)]]),
        ];
        assert!(close(alpha(3, &ts), 1.0 - 7.0 * 852.0 / 6480.0));
    }

    #[test]
    fn perfect_undefined_and_errors() {
        assert!(close(
            alpha(2, &[t(10, vec![vec![(2, 5)], vec![(2, 5)]])]),
            1.0
        ));
        let none = binary_unitizing_alpha(2, &[t(10, vec![vec![], vec![]])]).ok();
        assert!(none.as_ref().is_some_and(|a| a.value.is_none()));
        assert!(
            none.and_then(|a| a.undefined_reason)
                .is_some_and(|r| r.contains("no rater"))
        );
        let all = binary_unitizing_alpha(2, &[t(5, vec![vec![(0, 5)], vec![(0, 5)]])]).ok();
        assert!(
            all.and_then(|a| a.undefined_reason)
                .is_some_and(|r| r.contains("every rater"))
        );
        let empty = binary_unitizing_alpha(2, &[t(0, vec![])]).ok();
        assert!(empty.is_some_and(|a| a.value.is_none() && a.undefined_reason.is_some()));
        assert!(matches!(
            binary_unitizing_alpha(1, &[]),
            Err(AgreementError::TooFewRaters { .. })
        ));
    }

    #[test]
    fn splitting_a_unit_changes_expected_not_observed() {
        // Touching codings are two units: same observed, larger chance agreement term.
        let one = binary_unitizing_alpha(2, &[t(20, vec![vec![(0, 10)], vec![(0, 8)]])]).ok();
        let two =
            binary_unitizing_alpha(2, &[t(20, vec![vec![(0, 5), (5, 10)], vec![(0, 8)]])]).ok();
        let (one, two) = (one.map(|a| a.observed), two.map(|a| a.observed));
        assert_eq!(one, two);
    }

    /// Naive |uα straight from the 2016 definitions: explicit units and gaps per rater, sums over
    /// all pairs of sections of different raters.
    #[allow(clippy::cast_precision_loss)] // reason: tiny test sizes
    fn naive(m: usize, ts: &[TranscriptCodings<'_>]) -> Option<f64> {
        let mut l = [[0.0f64; 2]; 2];
        let (mut s, mut total) = ([0.0f64; 2], 0.0);
        for tr in ts {
            let sections: Vec<Vec<(usize, Span)>> = (0..m)
                .map(|r| {
                    let raw: Vec<Span> = tr
                        .by_rater
                        .iter()
                        .filter(|x| x.rater == r)
                        .flat_map(|x| x.spans.clone())
                        .collect();
                    let units = super::super::spans::union_overlapping(&raw);
                    let mut out: Vec<(usize, Span)> = units.iter().map(|u| (1, *u)).collect();
                    let mut cursor = 0;
                    for run in coverage_runs(&units) {
                        if run.start > cursor {
                            out.push((0, Span::new(cursor, run.start)));
                        }
                        cursor = run.end;
                    }
                    if tr.len_chars > cursor {
                        out.push((0, Span::new(cursor, tr.len_chars)));
                    }
                    out
                })
                .collect();
            for (i, si) in sections.iter().enumerate() {
                for &(v, g) in si {
                    s[v] += if v == 1 {
                        (g.len() * g.len()) as f64
                    } else {
                        g.len() as f64
                    };
                    for (j, sj) in sections.iter().enumerate() {
                        if i != j {
                            for &(w, h) in sj {
                                l[v][w] += g.intersection_len(&h) as f64 / (m - 1) as f64;
                            }
                        }
                    }
                }
            }
            total += (m * tr.len_chars) as f64;
        }
        let (l0, l1) = (l[0][0] + l[0][1], l[1][0] + l[1][1]);
        let e01 = total * l0 * l1 / (total * total - s[0] - s[1]);
        (e01 > 0.0).then(|| 1.0 - l[0][1] / e01)
    }

    fn arb(m: usize) -> impl Strategy<Value = Vec<TranscriptCodings<'static>>> {
        let one = (1usize..30).prop_flat_map(move |len| {
            let span = (0..=len, 0..=len).prop_map(|(a, b)| (a.min(b), a.max(b)));
            prop::collection::vec(prop::collection::vec(span, 0..4), m)
                .prop_map(move |sp| t(len, sp))
        });
        prop::collection::vec(one, 1..4)
    }

    proptest! {
        #[test]
        fn equals_naive_sum_over_sections(ts in arb(3)) {
            let fast = alpha(3, &ts);
            let slow = naive(3, &ts);
            prop_assert_eq!(fast.is_some(), slow.is_some());
            if let (Some(a), Some(b)) = (fast, slow) { prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}"); }
        }

        #[test]
        fn symmetric_in_raters_and_at_most_one(ts in arb(3)) {
            let rev: Vec<TranscriptCodings<'static>> = ts.iter().map(|x| {
                let mut x = x.clone();
                for r in &mut x.by_rater { r.rater = 2 - r.rater; }
                x
            }).collect();
            let (a, b) = (alpha(3, &ts), alpha(3, &rev));
            prop_assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!((a - b).abs() < 1e-12);
                prop_assert!(a <= 1.0 + 1e-12);
            }
        }
    }
}
