//! Krippendorff's unitizing alphas for a group of mutually exclusive codes (ATLAS.ti's "semantic
//! domain"): the group's codes are the values a rater gives to the sections of the text continuum
//! they mark, and the text they leave unmarked is the gap value `φ`. Krippendorff (2019), Content
//! Analysis, 4th ed., §12.6; Krippendorff, Mathet, Bouvry & Widlöcher (2016), Quality & Quantity
//! 50:2347–2364.
//!
//! Each rater's codings in each transcript make a partition of its `L` characters into units
//! (valued by their code) and gaps. With `m` raters:
//!
//! * observed coincidences `ℓ_ck = 1/(m−1) Σ_{i≠j} Σ_{g of i valued c} Σ_{h of j valued k} |g∩h|`
//!   (eq. 32): for every character, the ordered pairs of raters whose values are `c` and `k`;
//! * expected coincidences `ε_ck = (ℓ_c· ℓ_·k − [c=k] S_c) / (ℓ.. − S/ℓ..)` (eq. 33), where
//!   `S_c = Σ ℓ_g²` over the units valued `c` (a unit is indivisible), `S_φ = Σ ℓ_g` over gaps
//!   (a gap pairs character by character) and `S = Σ_c S_c`;
//! * `uα = 1 − D_o/D_e` with the nominal difference: `D_o = Σ_{c≠k} ℓ_ck`, `D_e = Σ_{c≠k} ε_ck`
//!   (eq. 34), agreement on where the codes are and which code;
//! * `|uα`: the same on the 2×2 matrices where the group's codes are collapsed into one value
//!   (eq. 35), agreement on where the group applies, whichever code;
//! * `cuα`: the coding among the units both raters identified (eqs. 36–37): `ℓ*` is `ℓ` without
//!   the gap row and column, and `S*_c = Σ ℓ*_g²` where `ℓ*_g` is the part of unit `g` that other
//!   raters also marked (with any of the group's codes), so `ε*_ck = (ℓ*_c· ℓ*_·k − [c=k] S*_c)
//!   / (ℓ*.. − S*/ℓ*..)` and `cuα = 1 − D*_o/D*_e` over the codes alone;
//! * `Cuα` over several groups ([`pooled_cu_alpha`]): `1 − Σ D*_o / Σ D*_e`, the coding
//!   disagreements of all groups pooled, as alpha pools several variables.
//!
//! A rater's overlapping codings with the same code are united into one unit first, as for
//! [`super::ualpha`]; codings of two of the group's codes that overlap in one rater's coding break
//! the group's premise (its codes are mutually exclusive), and the alphas are then undefined, with
//! the places named. Where `D_e` is 0 (nothing varies) an alpha is undefined, never 1 or 0.
//! The formulas follow `quallmer`'s `reliability_alpha_u` (R), an implementation of §12.6; the
//! tests check them against a hand-worked example and a character-by-character computation.

use super::spans::{Span, check_span, union_overlapping};
use crate::agreement::error::AgreementError;

/// What one rater coded with one of the group's codes in one transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCoding {
    /// Index of the rater.
    pub rater: usize,
    /// Index of the code in the group's codes.
    pub code: usize,
    /// Where.
    pub span: Span,
}

/// One transcript (continuum) of the group's codings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupContinuum {
    /// Its name, for the notes (empty: "transcript N", its place in the list).
    pub name: String,
    /// Its length in characters.
    pub len_chars: usize,
    /// The codings with the group's codes, any order.
    pub codings: Vec<GroupCoding>,
}

/// The unitizing alphas of one group of codes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupAlphas {
    /// `uα` (codes and where they apply); `None` when undefined (see `notes`).
    pub u_alpha: Option<f64>,
    /// `|uα` (where the group applies, its codes collapsed).
    pub u_alpha_binary: Option<f64>,
    /// `cuα` (which code, among the units both raters identified).
    pub cu_alpha: Option<f64>,
    /// Why a value is undefined, and the overlapping places when the codes overlap.
    pub notes: Vec<String>,
    /// Observed coincidences `ℓ`, gap first, then the group's codes in order.
    pub observed: Vec<Vec<f64>>,
    /// `(D*_o, D*_e)` of `cuα`, for pooling into `Cuα`; `None` when undefined.
    #[serde(skip)]
    pub cu_disagreements: Option<(f64, f64)>,
}

/// At most this many overlapping places are named.
const PLACES_NAMED: usize = 5;

/// One rater's partition of one continuum: `(span, value)` in order, value 0 the gap, `c + 1`
/// the group's code `c`.
type Partition = Vec<(Span, usize)>;

/// The group's alphas for `n_raters` raters and `codes` (names, for the notes), over the continua.
///
/// # Errors
/// [`AgreementError::TooFewRaters`] with fewer than 2 raters, [`AgreementError::InvalidSpan`] for
/// a span outside its continuum, [`AgreementError::UnknownRater`] for a rater index out of range.
pub fn group_alphas(
    n_raters: usize,
    raters: &[String],
    codes: &[String],
    continua: &[GroupContinuum],
) -> Result<GroupAlphas, AgreementError> {
    if n_raters < 2 {
        return Err(AgreementError::TooFewRaters {
            needed: 2,
            found: n_raters,
        });
    }
    let values = codes.len() + 1;
    let mut partitions: Vec<Vec<Partition>> = Vec::with_capacity(continua.len());
    let mut overlaps: Vec<String> = Vec::new();
    let mut overlapping = 0;
    for (t, continuum) in continua.iter().enumerate() {
        let mut by_rater: Vec<Vec<Vec<Span>>> = vec![vec![Vec::new(); codes.len()]; n_raters];
        for c in &continuum.codings {
            check_span(t, c.span, continuum.len_chars)?;
            let Some(rater) = by_rater.get_mut(c.rater) else {
                return Err(AgreementError::UnknownRater {
                    index: c.rater,
                    n_raters,
                });
            };
            if let Some(spans) = rater.get_mut(c.code) {
                spans.push(c.span);
            }
        }
        let mut rows = Vec::with_capacity(n_raters);
        for (r, spans) in by_rater.iter().enumerate() {
            let mut units: Vec<(Span, usize)> = spans
                .iter()
                .enumerate()
                .flat_map(|(code, s)| union_overlapping(s).into_iter().map(move |u| (u, code)))
                .collect();
            units.sort_by_key(|(s, code)| (s.start, s.end, *code));
            for w in units.windows(2) {
                let ((a, ca), (b, cb)) = (w[0], w[1]);
                if b.start < a.end {
                    overlapping += 1;
                    if overlaps.len() < PLACES_NAMED {
                        overlaps.push(format!(
                            "{} coded {} and {} over characters {}..{} of {}",
                            raters.get(r).map_or("a rater", String::as_str),
                            codes.get(ca).map_or("?", String::as_str),
                            codes.get(cb).map_or("?", String::as_str),
                            b.start,
                            a.end.min(b.end),
                            if continuum.name.is_empty() {
                                format!("transcript {}", t + 1)
                            } else {
                                continuum.name.clone()
                            }
                        ));
                    }
                }
            }
            rows.push(partition(continuum.len_chars, &units));
        }
        partitions.push(rows);
    }
    if overlapping > 0 {
        let mut notes = vec![format!(
            "undefined: the group's codes are not mutually exclusive in {overlapping} place{}: {}{}",
            if overlapping == 1 { "" } else { "s" },
            overlaps.join("; "),
            if overlapping > overlaps.len() {
                "; ..."
            } else {
                ""
            }
        )];
        notes.push(
            "a group's codes must not overlap within one rater's coding; recode those places, or \
             compare the codes one by one"
                .into(),
        );
        return Ok(GroupAlphas {
            u_alpha: None,
            u_alpha_binary: None,
            cu_alpha: None,
            notes,
            observed: vec![vec![0.0; values]; values],
            cu_disagreements: None,
        });
    }
    let tally = tally(n_raters, values, &partitions);
    Ok(tally.alphas(n_raters))
}

/// `Cuα`: the coding disagreements of several groups pooled, `1 − Σ D*_o / Σ D*_e`; `None` when
/// no group's `cuα` is defined or the pooled expected disagreement is 0.
#[must_use]
pub fn pooled_cu_alpha(groups: &[GroupAlphas]) -> Option<f64> {
    let (o, e) = groups
        .iter()
        .filter_map(|g| g.cu_disagreements)
        .fold((0.0, 0.0), |(o, e), (go, ge)| (o + go, e + ge));
    (e > 0.0).then(|| 1.0 - o / e)
}

/// A rater's units (sorted, not overlapping) with the gaps between them, over `len` characters.
fn partition(len: usize, units: &[(Span, usize)]) -> Partition {
    let mut out = Vec::with_capacity(2 * units.len() + 1);
    let mut at = 0;
    for &(span, code) in units {
        if span.start > at {
            out.push((Span::new(at, span.start), 0));
        }
        out.push((span, code + 1));
        at = span.end;
    }
    if at < len {
        out.push((Span::new(at, len), 0));
    }
    out
}

/// The sums over every continuum, exact as integers: `ℓ` times `m − 1`, and the `S` terms.
struct Tally {
    values: usize,
    /// `(m−1)·ℓ_ck`, row-major.
    pairs: Vec<u128>,
    /// `S_c` (gaps linear, units squared).
    s: Vec<u128>,
    /// `S*_c` (the pairable part of each unit, squared).
    s_star: Vec<u128>,
}

fn tally(n_raters: usize, values: usize, partitions: &[Vec<Partition>]) -> Tally {
    let mut t = Tally {
        values,
        pairs: vec![0; values * values],
        s: vec![0; values],
        s_star: vec![0; values],
    };
    for rows in partitions {
        for row in rows {
            for &(span, value) in row {
                let len = span.len() as u128;
                t.s[value] += if value == 0 { len } else { len * len };
            }
        }
        // A sweep over the elementary intervals between every rater's boundaries.
        let mut bounds: Vec<usize> = rows
            .iter()
            .flat_map(|row| row.iter().map(|(s, _)| s.end))
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut at = vec![0usize; n_raters];
        // The part of each rater's current unit that others marked too.
        let mut pairable = vec![0u128; n_raters];
        let mut count = vec![0u128; values];
        let mut start = 0;
        for &end in &bounds {
            let len = (end - start) as u128;
            count.fill(0);
            for (r, row) in rows.iter().enumerate() {
                count[row[at[r]].1] += 1;
            }
            let marked: u128 = count[1..].iter().sum();
            for c in 0..values {
                if count[c] == 0 {
                    continue;
                }
                for k in 0..values {
                    let pairs = count[c] * count[k] - if c == k { count[c] } else { 0 };
                    t.pairs[c * values + k] += len * pairs;
                }
            }
            for (r, row) in rows.iter().enumerate() {
                let (span, value) = row[at[r]];
                if value != 0 && marked > 1 {
                    pairable[r] += len;
                }
                if span.end == end {
                    if value != 0 {
                        t.s_star[value] += pairable[r] * pairable[r];
                    }
                    pairable[r] = 0;
                    at[r] += 1;
                }
            }
            start = end;
        }
    }
    t
}

impl Tally {
    fn alphas(&self, n_raters: usize) -> GroupAlphas {
        let v = self.values;
        let scale = (n_raters - 1) as f64;
        let l: Vec<Vec<f64>> = (0..v)
            .map(|c| {
                (0..v)
                    .map(|k| self.pairs[c * v + k] as f64 / scale)
                    .collect()
            })
            .collect();
        let s: Vec<f64> = self.s.iter().map(|&x| x as f64).collect();
        let s_star: Vec<f64> = self.s_star.iter().map(|&x| x as f64).collect();
        let mut notes = Vec::new();

        let all: Vec<usize> = (0..v).collect();
        let (o, e) = disagreements(&l, &s, &all, &all);
        let u_alpha = alpha(o, e, "uα", &mut notes);

        // Collapsed: the gap, and the group's codes as one value.
        let codes: Vec<usize> = (1..v).collect();
        // ε collapses by summing its cells, each with its own code's correction.
        let (o2, e2) = collapsed_disagreements(&l, &s, &codes);
        let u_alpha_binary = alpha(o2, e2, "|uα", &mut notes);

        let (o3, e3) = disagreements(&l, &s_star, &codes, &codes);
        let cu_alpha = if marked_together(&l, &codes) == 0.0 {
            notes.push(
                "cuα undefined: no text was marked by two raters with the group's codes".into(),
            );
            None
        } else {
            alpha(o3, e3, "cuα", &mut notes)
        };
        GroupAlphas {
            u_alpha,
            u_alpha_binary,
            cu_alpha,
            notes,
            observed: l,
            cu_disagreements: cu_alpha.map(|_| (o3, e3)),
        }
    }
}

/// `ℓ*..`: the text two raters marked, both with one of the group's codes.
fn marked_together(l: &[Vec<f64>], codes: &[usize]) -> f64 {
    codes
        .iter()
        .flat_map(|&c| codes.iter().map(move |&k| l[c][k]))
        .sum()
}

/// `(D_o, D_e)` over the values `rows` (the same set as `cols`): `ℓ` restricted to them, and `ε`
/// from the restricted marginals with the corrections `s`.
fn disagreements(l: &[Vec<f64>], s: &[f64], rows: &[usize], cols: &[usize]) -> (f64, f64) {
    let row_sum = |c: usize| -> f64 { cols.iter().map(|&k| l[c][k]).sum() };
    let col_sum = |k: usize| -> f64 { rows.iter().map(|&c| l[c][k]).sum() };
    let total: f64 = rows.iter().map(|&c| row_sum(c)).sum();
    let correction: f64 = rows.iter().map(|&c| s[c]).sum();
    if total == 0.0 {
        return (0.0, 0.0);
    }
    let denominator = total - correction / total;
    let mut observed = 0.0;
    let mut expected = 0.0;
    for &c in rows {
        for &k in cols {
            if c != k {
                observed += l[c][k];
                expected += row_sum(c) * col_sum(k) / denominator;
            }
        }
    }
    (observed, expected)
}

/// `(D_o, D_e)` of the 2×2 matrices where `codes` are one value: the cells of `ℓ` and of `ε`
/// (computed over every value) summed into gap / group.
fn collapsed_disagreements(l: &[Vec<f64>], s: &[f64], codes: &[usize]) -> (f64, f64) {
    let v = l.len();
    let row: Vec<f64> = (0..v).map(|c| l[c].iter().sum()).collect();
    let col: Vec<f64> = (0..v).map(|k| (0..v).map(|c| l[c][k]).sum()).collect();
    let total: f64 = row.iter().sum();
    if total == 0.0 {
        return (0.0, 0.0);
    }
    let denominator = total - s.iter().sum::<f64>() / total;
    let mut observed = 0.0;
    let mut expected = 0.0;
    for &c in codes {
        observed += l[0][c] + l[c][0];
        expected += (row[0] * col[c] + row[c] * col[0]) / denominator;
    }
    (observed, expected)
}

fn alpha(observed: f64, expected: f64, name: &str, notes: &mut Vec<String>) -> Option<f64> {
    if expected > 0.0 {
        Some(1.0 - observed / expected)
    } else {
        notes.push(format!(
            "{name} undefined: nothing varies (the expected disagreement is 0)"
        ));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(n: usize, prefix: &str) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn coding(rater: usize, code: usize, start: usize, end: usize) -> GroupCoding {
        GroupCoding {
            rater,
            code,
            span: Span::new(start, end),
        }
    }

    #[test]
    fn a_hand_worked_group() {
        // Ten characters, codes A (0) and B (1). Rater 0: A over 0..4, B over 6..9. Rater 1: A over
        // 0..4 and 6..9: both mark the same places, and differ on the second unit's code.
        // Per character (m = 2, ordered pairs): ℓ_AA = 2·4 = 8, ℓ_φφ = 2·(2+1) = 6,
        // ℓ_AB = ℓ_BA = 3; ℓ.. = 20; marginals ℓ_φ = 6, ℓ_A = 11, ℓ_B = 3.
        // S_A = 4² + 4² + 3² = 41, S_B = 3² = 9, S_φ = 3 + 3 = 6: S = 56, ℓ.. − S/ℓ.. = 17.2.
        // uα: D_o = 6, D_e = (20² − 6² − 11² − 3²)/17.2 = 234/17.2; uα = 1 − 6·17.2/234.
        // |uα: no text is marked by one rater only: D_o = 0, so |uα = 1.
        // cuα: ℓ* over A, B: ℓ*.. = 14, marginals 11 and 3; every unit is wholly marked by the
        // other rater, so S* = S_A + S_B = 50 and ℓ*.. − S*/ℓ*.. = 14 − 50/14;
        // D*_o = 6, D*_e = 2·11·3/(14 − 50/14); cuα = 1 − 6(14 − 50/14)/66.
        let g = group_alphas(
            2,
            &names(2, "r"),
            &["A".into(), "B".into()],
            &[GroupContinuum {
                name: String::new(),
                len_chars: 10,
                codings: vec![
                    coding(0, 0, 0, 4),
                    coding(0, 1, 6, 9),
                    coding(1, 0, 0, 4),
                    coding(1, 0, 6, 9),
                ],
            }],
        )
        .unwrap();
        let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
        assert!(close(g.u_alpha, 1.0 - 6.0 * 17.2 / 234.0), "{g:?}");
        assert!(close(g.u_alpha_binary, 1.0), "{g:?}");
        assert!(
            close(g.cu_alpha, 1.0 - 6.0 * (14.0 - 50.0 / 14.0) / 66.0),
            "{g:?}"
        );
        assert_eq!(g.observed[1][2], 3.0);
        assert_eq!(g.observed[0][0], 6.0);
        assert!(g.notes.is_empty(), "{:?}", g.notes);
    }

    #[test]
    fn overlapping_codes_of_one_rater_make_the_group_undefined_and_are_named() {
        let g = group_alphas(
            2,
            &["Ana".into(), "Ben".into()],
            &["A".into(), "B".into()],
            &[GroupContinuum {
                name: String::new(),
                len_chars: 20,
                codings: vec![
                    coding(0, 0, 0, 10),
                    coding(0, 1, 5, 12),
                    coding(1, 0, 0, 10),
                    // The same code overlapping itself is one unit, not a problem.
                    coding(1, 0, 8, 14),
                ],
            }],
        )
        .unwrap();
        assert_eq!(
            (g.u_alpha, g.u_alpha_binary, g.cu_alpha),
            (None, None, None)
        );
        assert!(
            g.notes[0].contains("Ana coded A and B over characters 5..10 of transcript 1"),
            "{:?}",
            g.notes
        );
        assert!(g.notes[0].contains("in 1 place:"), "{:?}", g.notes);
    }

    #[test]
    fn undefined_not_one_when_nothing_varies() {
        // Both raters mark everything with A: no disagreement is possible.
        let g = group_alphas(
            2,
            &names(2, "r"),
            &["A".into(), "B".into()],
            &[GroupContinuum {
                name: String::new(),
                len_chars: 5,
                codings: vec![coding(0, 0, 0, 5), coding(1, 0, 0, 5)],
            }],
        )
        .unwrap();
        assert_eq!(g.u_alpha, None);
        assert_eq!(g.cu_alpha, None);
        assert!(g.notes.iter().any(|n| n.contains("nothing varies")));
    }

    #[test]
    fn pooling_sums_the_disagreements() {
        let a = GroupAlphas {
            u_alpha: None,
            u_alpha_binary: None,
            cu_alpha: Some(0.5),
            notes: Vec::new(),
            observed: Vec::new(),
            cu_disagreements: Some((1.0, 2.0)),
        };
        let b = GroupAlphas {
            cu_disagreements: Some((3.0, 4.0)),
            ..a.clone()
        };
        assert_eq!(pooled_cu_alpha(&[a.clone(), b]), Some(1.0 - 4.0 / 6.0));
        assert_eq!(
            pooled_cu_alpha(&[GroupAlphas {
                cu_disagreements: None,
                ..a
            }]),
            None
        );
    }

    /// The alphas computed character by character, rater pair by rater pair (as §12.6 states
    /// them), from the same partitions.
    fn naive(n_raters: usize, values: usize, continua: &[GroupContinuum]) -> GroupAlphas {
        let mut l = vec![vec![0.0; values]; values];
        let mut s = vec![0.0; values];
        let mut s_star = vec![0.0; values];
        for continuum in continua {
            let mut value = vec![vec![0usize; continuum.len_chars]; n_raters];
            let mut units: Vec<Vec<(Span, usize)>> = vec![Vec::new(); n_raters];
            for r in 0..n_raters {
                let mut by_code: Vec<Vec<Span>> = vec![Vec::new(); values - 1];
                for c in continuum.codings.iter().filter(|c| c.rater == r) {
                    by_code[c.code].push(c.span);
                }
                for (code, spans) in by_code.iter().enumerate() {
                    for u in union_overlapping(spans) {
                        units[r].push((u, code + 1));
                        value[r][u.start..u.end].fill(code + 1);
                    }
                }
            }
            for x in 0..continuum.len_chars {
                for i in 0..n_raters {
                    for j in 0..n_raters {
                        if i != j {
                            l[value[i][x]][value[j][x]] += 1.0 / (n_raters - 1) as f64;
                        }
                    }
                }
            }
            for r in 0..n_raters {
                let gaps = value[r].iter().filter(|&&v| v == 0).count();
                s[0] += gaps as f64;
                for &(u, code) in &units[r] {
                    s[code] += (u.len() * u.len()) as f64;
                    let pairable = (u.start..u.end)
                        .filter(|&x| (0..n_raters).any(|j| j != r && value[j][x] != 0))
                        .count();
                    s_star[code] += (pairable * pairable) as f64;
                }
            }
        }
        let mut notes = Vec::new();
        let all: Vec<usize> = (0..values).collect();
        let codes: Vec<usize> = (1..values).collect();
        let (o, e) = disagreements(&l, &s, &all, &all);
        let (o2, e2) = collapsed_disagreements(&l, &s, &codes);
        let (o3, e3) = disagreements(&l, &s_star, &codes, &codes);
        let marked = marked_together(&l, &codes);
        GroupAlphas {
            u_alpha: alpha(o, e, "uα", &mut notes),
            u_alpha_binary: alpha(o2, e2, "|uα", &mut notes),
            cu_alpha: if marked == 0.0 {
                None
            } else {
                alpha(o3, e3, "cuα", &mut notes)
            },
            notes,
            observed: l,
            cu_disagreements: None,
        }
    }

    /// Random non-overlapping codings: each rater walks the text placing units of random codes.
    fn continuum(n_raters: usize, n_codes: usize) -> impl Strategy<Value = GroupContinuum> {
        (10usize..60).prop_flat_map(move |len| {
            proptest::collection::vec((0..n_raters, 0..n_codes, 0usize..8, 1usize..12), 0..12)
                .prop_map(move |draws| {
                    let mut at = vec![0usize; n_raters];
                    let mut codings = Vec::new();
                    for (rater, code, skip, width) in draws {
                        let start = at[rater] + skip;
                        let end = (start + width).min(len);
                        if start < end {
                            codings.push(coding(rater, code, start, end));
                            at[rater] = end;
                        }
                    }
                    GroupContinuum {
                        name: String::new(),
                        len_chars: len,
                        codings,
                    }
                })
        })
    }

    proptest! {
        #[test]
        fn the_sweep_equals_the_character_by_character_sums(
            data in (2usize..5).prop_flat_map(|r| proptest::collection::vec(continuum(r, 3), 1..4).prop_map(move |c| (r, c)))
        ) {
            let (m, continua) = data;
            let fast = group_alphas(m, &names(m, "r"), &names(3, "c"), &continua).unwrap();
            let slow = naive(m, 4, &continua);
            for (a, b) in [
                (fast.u_alpha, slow.u_alpha),
                (fast.u_alpha_binary, slow.u_alpha_binary),
                (fast.cu_alpha, slow.cu_alpha),
            ] {
                match (a, b) {
                    (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}"),
                    (a, b) => prop_assert_eq!(a, b),
                }
            }
            for (row_a, row_b) in fast.observed.iter().zip(&slow.observed) {
                for (a, b) in row_a.iter().zip(row_b) {
                    prop_assert!((a - b).abs() < 1e-9);
                }
            }
        }

        #[test]
        fn a_group_of_one_code_has_the_codes_binary_alpha(
            data in (2usize..5).prop_flat_map(|r| proptest::collection::vec(continuum(r, 1), 1..4).prop_map(move |c| (r, c)))
        ) {
            let (m, continua) = data;
            let group = group_alphas(m, &names(m, "r"), &names(1, "c"), &continua).unwrap();
            let transcripts: Vec<super::super::TranscriptCodings> = continua
                .iter()
                .map(|c| super::super::TranscriptCodings {
                    len_chars: c.len_chars,
                    turns: &[],
                    sentences: &[],
                    by_rater: (0..m)
                        .map(|r| super::super::RaterSpans {
                            rater: r,
                            spans: c.codings.iter().filter(|x| x.rater == r).map(|x| x.span).collect(),
                        })
                        .collect(),
                })
                .collect();
            let binary = super::super::binary_unitizing_alpha(m, &transcripts).unwrap();
            match (group.u_alpha_binary, binary.value) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}"),
                (a, b) => prop_assert_eq!(a, b),
            }
        }
    }
}
