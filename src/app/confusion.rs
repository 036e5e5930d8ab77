//! The code-confusion matrix on a project: for each pair of compared raters (or each rater against
//! the consensus layer), which code one applied where the other applied which, over the units of
//! the per-code agreement (see [`crate::agreement::confusion`]). Each pair is compared as
//! `accord agreement --raters A,B` compares it: over the transcripts both have coded, the same
//! codes, the same units, so a diagonal cell is the per-code count of units both coded.

use serde::Serialize;

use super::agreement::{AgreementOptions, Units, invalid, kind, units};
use super::agreement_input::{AgreementInput, Selection, gather};
use super::{AppError, Result};
use crate::agreement::confusion::{
    COUNTING, CodeSpans, ConfusionMatrix, PairTranscript, confusion, describe,
};
use crate::agreement::project::{Excluded, Unit};
use crate::agreement::unitize::Span as USpan;
use crate::model::text;
use crate::model::{RaterId, RaterKind};
use crate::store::Store;

/// The label of the last row and column: no compared code.
pub const NOTHING: &str = "(nothing)";

/// The matrices of a comparison, one per pair of raters.
#[derive(Debug, Clone, Serialize)]
pub struct ConfusionReport {
    /// The unit.
    pub unit: Unit,
    /// How a unit is counted for a code.
    pub description: String,
    /// What the cells count (the multi-code rule).
    pub counting: String,
    /// One matrix per pair.
    pub pairs: Vec<PairConfusion>,
}

/// The matrix of one pair of raters.
#[derive(Debug, Clone, Serialize)]
pub struct PairConfusion {
    /// The rater of the rows.
    pub rater_a: String,
    /// The rater of the columns.
    pub rater_b: String,
    /// Transcripts compared (those both have coded).
    pub transcripts: Vec<String>,
    /// Transcripts left out, and why.
    pub excluded: Vec<Excluded>,
    /// Row and column labels: the codes' paths in codebook order, then [`NOTHING`].
    pub labels: Vec<String>,
    /// `counts[row][column]`: units the row's code by `rater_a` and the column's by `rater_b`.
    pub counts: Vec<Vec<u64>>,
    /// Each row as percentages of its total (null for an empty row).
    pub row_percent: Vec<Vec<Option<f64>>>,
    /// Units compared, each counted once.
    pub units: u64,
    /// Units where a rater applied two or more codes (they count in several cells).
    pub multi_coded_units: u64,
    /// The cells off the diagonal with at least one unit, largest first.
    pub confusions: Vec<Confusion>,
}

/// One off-diagonal cell, in words.
#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    /// The code `rater_a` applied ([`NOTHING`] for none).
    pub a_code: String,
    /// The code `rater_b` applied.
    pub b_code: String,
    /// Units.
    pub units: u64,
    /// "Ana used Role conflict where Ben used Role confusion in 14 turns".
    pub text: String,
}

/// The matrix of every pair of the selection's raters (all human raters when none are given).
pub fn confusion_report(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<ConfusionReport> {
    check_unit(options.unit)?;
    let all = gather(store, selection)?;
    let mut pairs = Vec::new();
    if all.raters.len() == 2 {
        pairs.push(pair(&all, options)?);
    } else {
        for (i, a) in all.raters.iter().enumerate() {
            for b in all.raters.iter().skip(i + 1) {
                pairs.push(pair_of(store, selection, [a.0, b.0], options)?);
            }
        }
    }
    report(options, pairs)
}

/// Each rater of the selection (or every human rater that is not a second pass) against the
/// consensus layer, over the transcripts the consensus layer has settled.
pub fn confusion_against_consensus(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<ConfusionReport> {
    check_unit(options.unit)?;
    let consensus = store
        .raters()?
        .into_iter()
        .find(|r| r.kind == RaterKind::Consensus)
        .ok_or_else(|| {
            AppError::Invalid(
                "there is no consensus layer yet: settle disagreements first (accord adjudicate)"
                    .into(),
            )
        })?;
    let raters = if selection.raters.is_empty() {
        super::adjudicate::default_raters(store)?
    } else {
        selection.raters.clone()
    };
    let pairs = raters
        .into_iter()
        .filter(|r| *r != consensus.rater_id)
        .map(|r| pair_of(store, selection, [r, consensus.rater_id], options))
        .collect::<Result<Vec<_>>>()?;
    report(options, pairs)
}

fn check_unit(unit: Unit) -> Result<()> {
    if unit == Unit::Unitizing {
        return Err(AppError::Invalid(
            "the confusion matrix counts units (char, turn, sentence or segment); the unitizing \
             unit has none to count: choose one of those units"
                .into(),
        ));
    }
    Ok(())
}

fn report(options: &AgreementOptions, pairs: Vec<PairConfusion>) -> Result<ConfusionReport> {
    Ok(ConfusionReport {
        unit: options.unit,
        description: describe(&kind(options)?),
        counting: COUNTING.to_string(),
        pairs,
    })
}

fn pair_of(
    store: &Store,
    selection: &Selection,
    raters: [RaterId; 2],
    options: &AgreementOptions,
) -> Result<PairConfusion> {
    let input = gather(
        store,
        &Selection {
            raters: raters.to_vec(),
            ..selection.clone()
        },
    )?;
    pair(&input, options)
}

/// Each compared transcript of a two-rater input as the matrix reads it (codes by their index in
/// `input.codes`).
fn pair_transcripts<'a>(input: &AgreementInput, units: &'a Units) -> Vec<PairTranscript<'a>> {
    let index: std::collections::BTreeMap<_, usize> = input
        .codes
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let convert = |spans: &[crate::model::Span]| -> Vec<USpan> {
        spans.iter().map(|s| USpan::new(s.start, s.end)).collect()
    };
    input
        .transcripts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for (code, lanes) in &t.spans {
                let Some(&code) = index.get(code) else {
                    continue;
                };
                if let Some(spans) = lanes.first() {
                    a.push(CodeSpans {
                        code,
                        spans: convert(spans),
                    });
                }
                if let Some(spans) = lanes.get(1) {
                    b.push(CodeSpans {
                        code,
                        spans: convert(spans),
                    });
                }
            }
            PairTranscript {
                len_chars: t.transcript.len_chars,
                turns: units.turns.get(i).map_or(&[][..], Vec::as_slice),
                sentences: units.sentences.get(i).map_or(&[][..], Vec::as_slice),
                a,
                b,
            }
        })
        .collect()
}

/// The matrix of a two-rater input.
fn pair(input: &AgreementInput, options: &AgreementOptions) -> Result<PairConfusion> {
    let kind = kind(options)?;
    let units = units(input, options.unit);
    let transcripts = pair_transcripts(input, &units);
    let matrix = confusion(&kind, input.codes.len(), &transcripts).map_err(invalid(input))?;
    let name = |i: usize| input.raters.get(i).map(|r| r.1.clone()).unwrap_or_default();
    let (rater_a, rater_b) = (name(0), name(1));
    let mut labels: Vec<String> = input.codes.iter().map(|c| c.1.clone()).collect();
    labels.push(NOTHING.to_string());
    let confusions = in_words(&matrix, &labels, &rater_a, &rater_b, options.unit);
    Ok(PairConfusion {
        rater_a,
        rater_b,
        transcripts: input
            .transcripts
            .iter()
            .map(|t| t.transcript.name.clone())
            .collect(),
        excluded: input.excluded.clone(),
        labels,
        row_percent: matrix.row_percentages(),
        units: matrix.units,
        multi_coded_units: matrix.multi_coded,
        counts: matrix.counts,
        confusions,
    })
}

/// The unit's name for `n` units ("1 turn", "14 turns").
#[must_use]
pub fn units_in_words(unit: Unit, n: u64) -> String {
    let (one, many) = match unit {
        Unit::Char | Unit::Unitizing => ("character", "characters"),
        Unit::Turn => ("turn", "turns"),
        Unit::Sentence => ("sentence", "sentences"),
        Unit::Segment => ("passage", "passages"),
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

fn in_words(
    matrix: &ConfusionMatrix,
    labels: &[String],
    rater_a: &str,
    rater_b: &str,
    unit: Unit,
) -> Vec<Confusion> {
    let nothing = matrix.nothing();
    matrix
        .off_diagonal()
        .into_iter()
        .map(|(r, c, n)| {
            let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
            let said = |rater: &str, i: usize| {
                if i == nothing {
                    format!("{rater} coded nothing")
                } else {
                    format!("{rater} used {}", label(i))
                }
            };
            Confusion {
                a_code: label(r),
                b_code: label(c),
                units: n,
                text: format!(
                    "{} where {} in {}",
                    said(rater_a, r),
                    said(rater_b, c),
                    units_in_words(unit, n)
                ),
            }
        })
        .collect()
}

/// One unit of a cell of a pair's matrix: where it is and its text.
#[derive(Debug, Clone, Serialize)]
pub struct CellUnit {
    /// Transcript name.
    pub transcript: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// The text there.
    pub text: String,
    /// Each rater's codes there (the pair's order; codes of the compared set with a coding that
    /// overlaps the unit), to read the unit side by side.
    pub rater_codes: [Vec<String>; 2],
}

/// The units counted in one cell of the matrix of two raters (the selection's raters, exactly two,
/// in the order of the matrix: rows first): `row` and `column` index the pair's
/// [`PairConfusion::labels`], the last being [`NOTHING`]. For the window to open a cell's passages.
pub fn cell_units(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
    row: usize,
    column: usize,
) -> Result<Vec<CellUnit>> {
    check_unit(options.unit)?;
    if selection.raters.len() != 2 {
        return Err(AppError::Invalid(
            "a cell of the confusion matrix belongs to a pair: choose exactly two raters".into(),
        ));
    }
    let input = gather(store, selection)?;
    let n_codes = input.codes.len();
    if row > n_codes || column > n_codes {
        return Err(AppError::Invalid(format!(
            "no cell ({row}, {column}): the matrix has {} rows and columns",
            n_codes + 1
        )));
    }
    let units = units(&input, options.unit);
    let transcripts = pair_transcripts(&input, &units);
    let found = crate::agreement::confusion::cell_units(
        &kind(options)?,
        n_codes,
        &transcripts,
        row,
        column,
    )
    .map_err(invalid(&input))?;
    Ok(found
        .into_iter()
        .filter_map(|(i, span)| {
            let t = input.transcripts.get(i)?;
            let codes_of = |rater: usize| -> Vec<String> {
                input
                    .codes
                    .iter()
                    .filter(|(id, _)| {
                        t.spans
                            .get(id)
                            .and_then(|lanes| lanes.get(rater))
                            .is_some_and(|spans| {
                                spans
                                    .iter()
                                    .any(|s| s.start < span.end && span.start < s.end)
                            })
                    })
                    .map(|(_, path)| path.clone())
                    .collect()
            };
            Some(CellUnit {
                transcript: t.transcript.name.clone(),
                start: span.start,
                end: span.end,
                text: text::slice_chars(&t.transcript.text, span.start, span.end).to_string(),
                rater_codes: [codes_of(0), codes_of(1)],
            })
        })
        .collect())
}

/// One adjudication note on a code of a confusion-matrix cell: how the lead settled a disagreement
/// on it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoundaryNote {
    /// The code's path.
    pub code: String,
    /// Transcript name.
    pub transcript: String,
    /// The disagreement's extent (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// What was decided (`take`, `union`, `drop`, ...).
    pub decision: String,
    /// Why.
    pub note: String,
    /// When.
    pub decided_at: String,
    /// Whether it settles a place among `units` (the cell's), listed first.
    pub in_cell: bool,
}

/// The adjudication notes on the codes `codes` (paths; [`NOTHING`] and unknown paths are
/// skipped): the decisions in force with a note, those on the cell's `units` first, then by
/// transcript and place.
///
/// # Errors
/// A store error.
pub fn boundary_notes(
    store: &Store,
    codes: &[&str],
    units: &[CellUnit],
) -> Result<Vec<BoundaryNote>> {
    let book = store.codebook()?;
    let names: std::collections::HashMap<_, _> = store
        .transcripts()?
        .into_iter()
        .map(|t| (t.transcript_id, t.name))
        .collect();
    let mut out = Vec::new();
    for path in codes.iter().filter(|p| **p != NOTHING) {
        let crate::model::CodeLookup::Found(code) = book.lookup(path) else {
            continue;
        };
        for a in store.adjudications(Some(code.code_id))? {
            if a.withdrawn_at.is_some() || a.note.trim().is_empty() {
                continue;
            }
            let transcript = names.get(&a.transcript_id).cloned().unwrap_or_default();
            let in_cell = units.iter().any(|u| {
                u.transcript == transcript && u.start < a.extent.end && a.extent.start < u.end
            });
            out.push(BoundaryNote {
                code: (*path).to_string(),
                transcript,
                start: a.extent.start,
                end: a.extent.end,
                decision: a.decision.name().to_string(),
                note: a.note.clone(),
                decided_at: a.decided_at.clone(),
                in_cell,
            });
        }
    }
    out.sort_by(|x, y| {
        (!x.in_cell, &x.transcript, x.start, &x.code).cmp(&(
            !y.in_cell,
            &y.transcript,
            y.start,
            &y.code,
        ))
    });
    Ok(out)
}
