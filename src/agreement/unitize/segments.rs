//! Segment level, after MAXQDA's "segment overlap" intercoder comparison: the codings of one
//! code are matched across raters when they overlap enough; each matched group is one unit
//! coded by its raters and not by the others, each unmatched coding is a unit coded only by
//! its rater (a disagreement).
//!
//! How the overlap is measured: MAXQDA's intercoder dialog takes a minimum overlap of the
//! segments in percent (90% by default), but the manual pages available here (maxqda.com help
//! "Intercoder agreement", MAXQDA 12 to 24) did not state the ratio's denominator. QDA Miner's
//! manual, for its "code overlap" criterion with the same 90% default, says codings agree when
//! they "overlap each other on 90% of their length". Here overlap = shared characters /
//! characters of the union of the two codings (intersection over union), which is at most
//! either coding's share, so it is the stricter reading; [`describe`] states it in reports.
//! One rater's overlapping codings are united first; codings that only touch stay two segments.
//!
//! Matching: every pair of codings of two different raters whose overlap reaches the
//! threshold is a candidate; candidates are taken in order of decreasing overlap (ties by
//! position) and join two groups when the groups have no rater in common, so a group holds at
//! most one coding per rater (single linkage). Above a threshold of 0.5 a coding can meet the
//! threshold with at most one coding of each other rater, so the matching is unique.
//!
//! At this level there are no "neither coded" units, so chance-corrected statistics that need
//! them (Cohen's kappa, alpha) are not meaningful. As MAXQDA does, report the percent agreement
//! and a kappa whose chance agreement is 1 / (number of codes) (Brennan & Prediger 1981):
//! [`segment_agreement`].

use super::matching::{Seg, match_groups};
use super::spans::{Span, TranscriptCodings, rater_spans};
use super::{Disagreement, UnitizedCode, sort_disagreements};
use crate::agreement::data::ReliabilityData;
use crate::agreement::error::AgreementError;

/// Minimum overlap (intersection over union) for two codings to match, in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
pub struct OverlapThreshold(f64);

impl OverlapThreshold {
    /// A threshold in (0, 1].
    ///
    /// # Errors
    /// [`AgreementError::InvalidThreshold`] outside (0, 1] or for NaN.
    pub fn new(value: f64) -> Result<Self, AgreementError> {
        if value > 0.0 && value <= 1.0 {
            Ok(Self(value))
        } else {
            Err(AgreementError::InvalidThreshold(value))
        }
    }

    /// The threshold as a fraction.
    #[must_use]
    pub const fn value(self) -> f64 {
        self.0
    }

    /// Whether `shared` of `union` characters reach the threshold (with a relative tolerance
    /// of 1e-12 so that e.g. 9 of 10 meets 0.9).
    #[must_use]
    pub fn met(self, shared: usize, union: usize) -> bool {
        union > 0 && ratio(shared, union) + 1e-12 >= self.0
    }
}

impl Default for OverlapThreshold {
    /// 0.90, MAXQDA's default.
    fn default() -> Self {
        Self(0.9)
    }
}

#[allow(clippy::cast_precision_loss)] // reason: character counts far below 2^52
fn ratio(part: usize, whole: usize) -> f64 {
    part as f64 / whole as f64
}

/// Report text for the segment level.
#[must_use]
pub fn describe(threshold: OverlapThreshold) -> String {
    let value = threshold.value() * 100.0;
    let percent = if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    format!(
        "Unit: coded segment (segment overlap, as in MAXQDA). Codings of the code by different \
         raters are matched when they overlap by at least {percent}% (shared characters \
         divided by the characters of their union); each matched group is one unit coded by its \
         raters, each unmatched coding is a unit coded only by its rater. There are no units no \
         rater coded, so percent agreement and a kappa with chance agreement 1/(number of codes) \
         (Brennan & Prediger 1981) are reported, as MAXQDA does.",
    )
}

/// Builds segment-level data for one code (see the module docs).
///
/// # Errors
/// [`AgreementError::InvalidSpan`] / [`AgreementError::UnknownRater`] for bad input and errors
/// of [`ReliabilityData::push_unit`].
pub fn segment_units(
    threshold: OverlapThreshold,
    raters: &[String],
    transcripts: &[TranscriptCodings<'_>],
) -> Result<UnitizedCode, AgreementError> {
    let mut data = ReliabilityData::binary(raters.to_vec());
    let mut disagreements = Vec::new();
    for (index, transcript) in transcripts.iter().enumerate() {
        let per_rater = rater_spans(index, transcript, raters.len())?;
        let segs: Vec<Seg> = per_rater
            .iter()
            .enumerate()
            .flat_map(|(rater, spans)| spans.iter().map(move |&span| Seg { rater, span }))
            .collect();
        for group in match_groups(&segs, &per_rater, threshold) {
            let mut cells = vec![Some(0u32); raters.len()];
            let mut members: Vec<(usize, Span)> = Vec::with_capacity(group.len());
            for seg in group.iter().filter_map(|&i| segs.get(i)) {
                if let Some(cell) = cells.get_mut(seg.rater) {
                    *cell = Some(1);
                }
                members.push((seg.rater, seg.span));
            }
            data.push_unit(&cells)?;
            if members.len() < raters.len() {
                disagreements.push(group_disagreement(index, members, raters.len()));
            }
        }
    }
    sort_disagreements(&mut disagreements);
    Ok(UnitizedCode {
        data,
        disagreements,
        description: describe(threshold),
    })
}

fn group_disagreement(
    transcript: usize,
    mut members: Vec<(usize, Span)>,
    n: usize,
) -> Disagreement {
    members.sort_unstable();
    let start = members.iter().map(|m| m.1.start).min().unwrap_or(0);
    let end = members.iter().map(|m| m.1.end).max().unwrap_or(start);
    let coded_by: Vec<usize> = members.iter().map(|m| m.0).collect();
    let not_coded_by = (0..n).filter(|r| !coded_by.contains(r)).collect();
    Disagreement {
        transcript,
        span: Span::new(start, end),
        coded_by,
        not_coded_by,
        rater_spans: members,
    }
}

/// Percent agreement and MAXQDA's kappa for segment-level data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentAgreement {
    /// Units (matched groups plus unmatched codings).
    pub units: u64,
    /// Units coded by every rater.
    pub agreements: u64,
    /// `agreements / units`; `None` without units.
    pub percent_agreement: Option<f64>,
    /// `1 / n_codes`; `None` without codes.
    pub chance_agreement: Option<f64>,
    /// `(p_o - p_c) / (1 - p_c)`; `None` when undefined.
    pub kappa: Option<f64>,
    /// Why a value is `None`.
    pub undefined_reason: Option<String>,
}

/// MAXQDA-style summary of segment-level data (one code, or several codes pooled with
/// [`pool`](super::pool)): percent agreement `p_o = a / n` over the `n` units, `a` of them
/// coded by every rater, and kappa `(p_o - 1/q) / (1 - 1/q)` with `q = n_codes`, the number of
/// codes in the comparison (Brennan & Prediger 1981 chance agreement, as MAXQDA uses).
#[must_use]
pub fn segment_agreement(data: &ReliabilityData, n_codes: usize) -> SegmentAgreement {
    let units = data.n_units();
    let agreements: u64 = data
        .patterns()
        .iter()
        .filter(|p| !p.cells.is_empty() && p.cells.iter().all(|c| *c == Some(1)))
        .map(|p| p.count)
        .sum();
    #[allow(clippy::cast_precision_loss)] // reason: unit counts far below 2^52
    let p_o = (units > 0).then(|| agreements as f64 / units as f64);
    #[allow(clippy::cast_precision_loss)] // reason: a count of codes
    let p_c = (n_codes > 0).then(|| 1.0 / n_codes as f64);
    let (kappa, reason) = match (p_o, p_c) {
        (None, _) => (None, Some("undefined: no coded segments".to_string())),
        (Some(_), Some(c)) if c >= 1.0 => (
            None,
            Some("undefined: chance agreement 1/q is 1 with fewer than two codes".to_string()),
        ),
        (Some(o), Some(c)) => (Some((o - c) / (1.0 - c)), None),
        (Some(_), None) => (
            None,
            Some("undefined: the number of codes is 0".to_string()),
        ),
    };
    SegmentAgreement {
        units,
        agreements,
        percent_agreement: p_o,
        chance_agreement: p_c,
        kappa,
        undefined_reason: reason,
    }
}

#[cfg(test)]
mod tests {
    use super::super::spans::RaterSpans;
    use super::*;

    fn s(a: usize, b: usize) -> Span {
        Span::new(a, b)
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("r{i}")).collect()
    }

    fn transcript(len: usize, spans: Vec<Vec<Span>>) -> TranscriptCodings<'static> {
        TranscriptCodings {
            len_chars: len,
            turns: &[],
            sentences: &[],
            by_rater: spans
                .into_iter()
                .enumerate()
                .map(|(rater, spans)| RaterSpans { rater, spans })
                .collect(),
        }
    }

    fn run(n: usize, t: f64, ts: &[TranscriptCodings<'_>]) -> UnitizedCode {
        let threshold = OverlapThreshold::new(t).unwrap_or_default();
        match segment_units(threshold, &names(n), ts) {
            Ok(u) => u,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn threshold_bounds() {
        assert!(OverlapThreshold::new(0.0).is_err());
        assert!(OverlapThreshold::new(1.01).is_err());
        assert!(OverlapThreshold::new(f64::NAN).is_err());
        assert!(OverlapThreshold::new(1.0).is_ok());
        assert!(OverlapThreshold::default().met(9, 10));
        assert!(!OverlapThreshold::default().met(8, 10));
    }

    #[test]
    fn hand_made_two_raters() {
        // Segment 1: A [0,100), B [5,100): overlap 95/100 -> match.
        // Segment 2: A [200,300), B [200,250): overlap 50/100 -> no match at 0.9, match at 0.5.
        // Segment 3: B only [400,410).
        let ts = [transcript(
            500,
            vec![
                vec![s(0, 100), s(200, 300)],
                vec![s(5, 100), s(200, 250), s(400, 410)],
            ],
        )];
        let u = run(2, 0.9, &ts);
        assert_eq!(u.data.n_units(), 4);
        let summary = segment_agreement(&u.data, 5);
        assert_eq!((summary.units, summary.agreements), (4, 1));
        assert_eq!(summary.percent_agreement, Some(0.25));
        // kappa = (0.25 - 0.2) / 0.8 = 0.0625
        assert!(summary.kappa.is_some_and(|k| (k - 0.0625).abs() < 1e-12));
        let listed: Vec<(Span, Vec<usize>)> = u
            .disagreements
            .iter()
            .map(|d| (d.span, d.coded_by.clone()))
            .collect();
        assert_eq!(
            listed,
            vec![
                (s(200, 250), vec![1]),
                (s(200, 300), vec![0]),
                (s(400, 410), vec![1])
            ]
        );
        let loose = segment_agreement(&run(2, 0.5, &ts).data, 5);
        assert_eq!((loose.units, loose.agreements), (3, 2));
    }

    #[test]
    fn touching_codings_are_two_segments() {
        // A codes [0,10) and [10,20); B codes [0,20): neither half reaches 0.9 against B.
        let u = run(
            2,
            0.9,
            &[transcript(
                20,
                vec![vec![s(0, 10), s(10, 20)], vec![s(0, 20)]],
            )],
        );
        assert_eq!(segment_agreement(&u.data, 2).agreements, 0);
        assert_eq!(u.data.n_units(), 3);
        // At 0.5 one half matches B and the other half stays alone.
        let u = run(
            2,
            0.5,
            &[transcript(
                20,
                vec![vec![s(0, 10), s(10, 20)], vec![s(0, 20)]],
            )],
        );
        assert_eq!(
            (u.data.n_units(), segment_agreement(&u.data, 2).agreements),
            (2, 1)
        );
        assert_eq!(u.disagreements.first().map(|d| d.span), Some(s(10, 20)));
    }

    #[test]
    fn nobody_one_rater_and_empty() {
        let u = run(
            2,
            0.9,
            &[transcript(0, vec![vec![], vec![]]), transcript(10, vec![])],
        );
        assert_eq!(u.data.n_units(), 0);
        let summary = segment_agreement(&u.data, 3);
        assert_eq!(summary.percent_agreement, None);
        assert!(summary.undefined_reason.is_some());
        let u = run(2, 0.9, &[transcript(10, vec![vec![s(1, 4)]])]);
        assert_eq!(u.disagreements.len(), 1);
        assert_eq!(segment_agreement(&u.data, 1).kappa, None);
    }

    #[test]
    fn three_raters_group_by_single_linkage() {
        let ts = [transcript(
            100,
            vec![vec![s(0, 20)], vec![s(1, 20)], vec![s(2, 20)]],
        )];
        let u = run(3, 0.9, &ts);
        assert_eq!(u.data.n_units(), 1);
        assert!(u.disagreements.is_empty());
        // C's coding is too short: group {A, B} and C alone.
        let ts = [transcript(
            100,
            vec![vec![s(0, 20)], vec![s(1, 20)], vec![s(10, 20)]],
        )];
        let u = run(3, 0.9, &ts);
        let listed: Vec<(Vec<usize>, Vec<usize>)> = u
            .disagreements
            .iter()
            .map(|d| (d.coded_by.clone(), d.not_coded_by.clone()))
            .collect();
        assert_eq!(listed, vec![(vec![0, 1], vec![2]), (vec![2], vec![0, 1])]);
        assert_eq!(
            u.disagreements.first().map(|d| d.rater_spans.clone()),
            Some(vec![(0, s(0, 20)), (1, s(1, 20))])
        );
    }

    fn arb(m: usize) -> impl proptest::strategy::Strategy<Value = Vec<TranscriptCodings<'static>>> {
        use proptest::prelude::*;
        let one = (1usize..40).prop_flat_map(move |len| {
            let span = (0..=len, 0..=len).prop_map(|(a, b)| s(a.min(b), a.max(b)));
            prop::collection::vec(prop::collection::vec(span, 0..4), m)
                .prop_map(move |sp| transcript(len, sp))
        });
        prop::collection::vec(one, 1..3)
    }

    proptest::proptest! {
        #[test]
        fn symmetric_in_raters(ts in arb(3), t in 0.05f64..=1.0) {
            let rev: Vec<TranscriptCodings<'static>> = ts.iter().map(|x| {
                let mut x = x.clone();
                for r in &mut x.by_rater { r.rater = 2 - r.rater; }
                x
            }).collect();
            let (a, b) = (run(3, t, &ts), run(3, t, &rev));
            let (sa, sb) = (segment_agreement(&a.data, 4), segment_agreement(&b.data, 4));
            proptest::prop_assert_eq!(sa, sb);
            let relabel = |u: &UnitizedCode, flip: bool| -> Vec<(usize, Vec<(usize, Span)>)> {
                let mut v: Vec<(usize, Vec<(usize, Span)>)> = u.disagreements.iter().map(|d| {
                    let mut parts: Vec<(usize, Span)> = d.rater_spans.iter().map(|&(r, sp)| (if flip { 2 - r } else { r }, sp)).collect();
                    parts.sort_unstable();
                    (d.transcript, parts)
                }).collect();
                v.sort_unstable();
                v
            };
            proptest::prop_assert_eq!(relabel(&a, false), relabel(&b, true));
        }
    }
}
