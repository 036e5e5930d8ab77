//! Agreement on a project: for the selected raters, codes and transcripts, a row per code (and a pooled
//! row) at the chosen unit, sorted worst first, and the list of disagreements. Every report states its
//! unit, rule and formula.

use serde::Serialize;

use super::agreement_input::{AgreementInput, Selection, gather};
use super::{AppError, Result};
use crate::agreement::project::{CodeRow, ProjectAgreement, Unit};
use crate::agreement::unitize::{
    CoverageRule, Disagreement, OverlapThreshold, RaterSpans, Span as USpan, TranscriptCodings,
    UnitKind, UnitizedCode, binary_unitizing_alpha, segment_agreement, split_sentences, unitize,
};
use crate::agreement::{Estimate, ReliabilityData, StatOptions, compute_all};
use crate::model::{CodeId, text};
use crate::store::Store;

/// How to measure.
#[derive(Debug, Clone, Copy)]
pub struct AgreementOptions {
    /// The unit.
    pub unit: Unit,
    /// Minimum overlap for segment matching, in (0, 1].
    pub overlap: f64,
    /// When a turn or sentence counts as coded.
    pub rule: CoverageRule,
    /// Statistics options.
    pub stats: StatOptions,
    /// Add a roll-up row for each parent code: the union of it and its sub-codes (`--rollup`).
    pub rollup: bool,
}

impl Default for AgreementOptions {
    fn default() -> Self {
        Self {
            unit: Unit::Char,
            overlap: 0.9,
            rule: CoverageRule::AnyOverlap,
            stats: StatOptions::default(),
            rollup: false,
        }
    }
}

/// One disagreement, resolved for people.
#[derive(Debug, Clone, Serialize)]
pub struct DisagreementView {
    /// Code path.
    pub code: String,
    /// Transcript name.
    pub transcript: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// The text there.
    pub text: String,
    /// Raters who coded it.
    pub coded_by: Vec<String>,
    /// Raters who did not.
    pub not_coded_by: Vec<String>,
    /// At segment level: each coding rater's own span.
    pub rater_spans: Vec<(String, usize, usize)>,
}

/// Units (turn and sentence spans) of each transcript, computed once per report.
pub(super) struct Units {
    pub(super) turns: Vec<Vec<USpan>>,
    pub(super) sentences: Vec<Vec<USpan>>,
}

pub(super) fn units(input: &AgreementInput, unit: Unit) -> Units {
    let mut turns = Vec::new();
    let mut sentences = Vec::new();
    for t in &input.transcripts {
        let content: Vec<USpan> = t
            .transcript
            .turns
            .iter()
            .map(crate::model::Turn::content_span)
            .filter(|s| !s.is_empty())
            .map(|s| USpan {
                start: s.start,
                end: s.end,
            })
            .collect();
        let split = if unit == Unit::Sentence {
            split_sentences(&t.transcript.text, &content)
        } else {
            Vec::new()
        };
        turns.push(content);
        sentences.push(split);
    }
    Units { turns, sentences }
}

fn codings_of<'a>(
    input: &AgreementInput,
    units: &'a Units,
    code: CodeId,
) -> Vec<TranscriptCodings<'a>> {
    input
        .transcripts
        .iter()
        .enumerate()
        .map(|(i, t)| TranscriptCodings {
            len_chars: t.transcript.len_chars,
            turns: &units.turns[i],
            sentences: &units.sentences[i],
            by_rater: t
                .spans
                .get(&code)
                .map(|lanes| {
                    lanes
                        .iter()
                        .enumerate()
                        .map(|(r, spans)| RaterSpans {
                            rater: r,
                            spans: spans
                                .iter()
                                .map(|s| USpan {
                                    start: s.start,
                                    end: s.end,
                                })
                                .collect(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

pub(super) fn kind(options: &AgreementOptions) -> Result<UnitKind> {
    Ok(match options.unit {
        Unit::Char | Unit::Unitizing => UnitKind::Character,
        Unit::Turn => UnitKind::Turn(options.rule),
        Unit::Sentence => UnitKind::Sentence(options.rule),
        Unit::Segment => UnitKind::Segment(
            OverlapThreshold::new(options.overlap).map_err(|e| AppError::Invalid(e.to_string()))?,
        ),
    })
}

/// Computes the per-code table and the pooled row (the disagreements are counted, not listed).
pub fn project_agreement(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<ProjectAgreement> {
    let input = gather(store, selection)?;
    Ok(report_from_input(&input, options, false)?.0)
}

/// The agreement report and its disagreements, from one reading of the project and one
/// computation (the window shows both; the bootstrap runs once).
pub fn report_and_disagreements(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<(ProjectAgreement, Vec<DisagreementView>)> {
    let input = gather(store, selection)?;
    report_from_input(&input, options, true)
}

/// The agreement report on input already gathered (a breakdown computes one per transcript,
/// attribute value or rater pair), and its disagreements when `list` is set (else none).
pub(super) fn report_from_input(
    input: &AgreementInput,
    options: &AgreementOptions,
    list: bool,
) -> Result<(ProjectAgreement, Vec<DisagreementView>)> {
    let (rows, pooled, list) = compute(input, options, list)?;
    let mut description = kind(options)?.describe();
    if options.unit == Unit::Unitizing {
        description = format!(
            "{} The alpha column is the binary unitizing alpha; the other statistics are per character.",
            crate::agreement::unitize::ualpha::DESCRIPTION
        );
    }
    Ok((
        ProjectAgreement {
            unit: options.unit,
            description,
            raters: input.raters.iter().map(|r| r.1.clone()).collect(),
            transcripts: input
                .transcripts
                .iter()
                .map(|t| t.transcript.name.clone())
                .collect(),
            excluded: input.excluded.clone(),
            rows,
            pooled,
        },
        list,
    ))
}

/// A rater and their second passes (or, given a second pass, its first pass and it): the raters
/// of an intra-rater comparison.
pub fn intra_raters(
    store: &Store,
    rater: crate::model::RaterId,
) -> Result<Vec<crate::model::RaterId>> {
    let first = store.pass_of(rater)?.unwrap_or(rater);
    let mut raters = vec![first];
    for r in store.raters()? {
        if store.pass_of(r.rater_id)? == Some(first) {
            raters.push(r.rater_id);
        }
    }
    if raters.len() < 2 {
        return Err(AppError::Invalid(
            "this rater has no second pass (accord rater add NAME --pass-of RATER, or accord rater-file --second-pass)".into(),
        ));
    }
    Ok(raters)
}

/// Each rater of the selection (or every human rater that is not a second pass) against the
/// consensus layer: one report per rater, over the transcripts the consensus layer has settled.
pub fn against_consensus(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<Vec<ProjectAgreement>> {
    let consensus = store
        .raters()?
        .into_iter()
        .find(|r| r.kind == crate::model::RaterKind::Consensus)
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
    raters
        .into_iter()
        .filter(|r| *r != consensus.rater_id)
        .map(|r| {
            project_agreement(
                store,
                &Selection {
                    raters: vec![r, consensus.rater_id],
                    ..selection.clone()
                },
                options,
            )
        })
        .collect()
}

/// The disagreements of the selection, by code, then transcript and position.
pub fn disagreements(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<Vec<DisagreementView>> {
    let input = gather(store, selection)?;
    let (_, _, list) = compute(&input, options, true)?;
    Ok(list)
}

type Computed = (Vec<CodeRow>, Option<CodeRow>, Vec<DisagreementView>);

/// The engine counts transcripts by position; people know them by name.
pub(super) fn invalid(
    input: &AgreementInput,
) -> impl Fn(crate::agreement::AgreementError) -> AppError + '_ {
    |e| match e {
        crate::agreement::AgreementError::InvalidSpan {
            transcript,
            start,
            end,
            len_chars,
        } => AppError::Invalid(format!(
            "transcript {}: span {start}..{end} does not lie inside its {len_chars} characters \
             (the project file holds a coding outside its transcript)",
            input
                .transcripts
                .get(transcript)
                .map_or_else(|| format!("#{transcript}"), |t| t.transcript.name.clone())
        )),
        other => AppError::Invalid(other.to_string()),
    }
}

/// One code's row from its codings (`path` and `code_id` name it), unitized at the options' unit
/// (at the unitizing unit, the alpha column is the binary unitizing alpha), and its units.
pub(super) fn code_row(
    input: &AgreementInput,
    kind: &UnitKind,
    options: &AgreementOptions,
    path: &str,
    code_id: Option<CodeId>,
    codings: &[TranscriptCodings<'_>],
) -> Result<(CodeRow, UnitizedCode)> {
    let raters: Vec<String> = input.raters.iter().map(|r| r.1.clone()).collect();
    let unitized = unitize(kind, &raters, codings).map_err(invalid(input))?;
    let mut row = row(
        path,
        code_id,
        &unitized.data,
        unitized.disagreements.len(),
        options,
        input.codes.len(),
    );
    if options.unit == Unit::Unitizing {
        let u = binary_unitizing_alpha(raters.len(), codings).map_err(invalid(input))?;
        row.alpha = u.value.map_or_else(
            || Estimate::undefined(u.undefined_reason.clone().unwrap_or_default()),
            Estimate::point,
        );
    }
    nothing_compared(input, &mut row);
    Ok((row, unitized))
}

/// When no transcript was coded by every compared rater, nothing is compared: every figure of the
/// row is undefined for that reason (never 0 or 1, whatever the unit).
fn nothing_compared(input: &AgreementInput, row: &mut CodeRow) {
    if !input.transcripts.is_empty() {
        return;
    }
    let reason = no_common_units(input.raters.len());
    for e in [
        &mut row.kappa,
        &mut row.alpha,
        &mut row.percent_agreement,
        &mut row.gwet_ac1,
    ] {
        *e = Estimate::undefined(reason.clone());
    }
}

/// Why a comparison of `raters` raters over no common transcript is undefined.
#[must_use]
pub fn no_common_units(raters: usize) -> String {
    if raters == 2 {
        crate::agreement::cohen::NO_COMMON_UNITS.to_string()
    } else {
        format!(
            "no units coded by all {raters} raters (a transcript counts when every compared rater has coded it)"
        )
    }
}

/// The rows and the pooled row, and each disagreement for people when `list` is set (resolving
/// their text is most of the work on a small project).
fn compute(input: &AgreementInput, options: &AgreementOptions, list: bool) -> Result<Computed> {
    let raters: Vec<String> = input.raters.iter().map(|r| r.1.clone()).collect();
    let units = units(input, options.unit);
    let kind = kind(options)?;
    let mut rows = Vec::new();
    let mut parts: Vec<UnitizedCode> = Vec::new();
    let mut listed = Vec::new();
    for (code_id, path) in &input.codes {
        let codings = codings_of(input, &units, *code_id);
        let (row, unitized) = code_row(input, &kind, options, path, Some(*code_id), &codings)?;
        if list {
            listed.extend(
                unitized
                    .disagreements
                    .iter()
                    .map(|d| view(input, path, &raters, d)),
            );
        }
        rows.push(row);
        parts.push(unitized);
    }
    let pooled = if parts.is_empty() {
        None
    } else {
        let data = crate::agreement::unitize::pool(&parts).map_err(invalid(input))?;
        let total = parts.iter().map(|p| p.disagreements.len()).sum();
        let mut row = row(
            "all codes (pooled)",
            None,
            &data,
            total,
            options,
            input.codes.len(),
        );
        if options.unit == Unit::Unitizing {
            row.alpha = Estimate::undefined("unitizing alpha is reported per code");
        }
        nothing_compared(input, &mut row);
        Some(row)
    };
    rows.sort_by(|a, b| match (a.kappa.value, b.kappa.value) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.code.cmp(&b.code)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
    if options.rollup {
        super::rollup::add_rows(input, &units, &kind, options, &mut rows)?;
    }
    Ok((rows, pooled, listed))
}

fn row(
    code: &str,
    code_id: Option<CodeId>,
    data: &ReliabilityData,
    disagreements: usize,
    options: &AgreementOptions,
    n_codes: usize,
) -> CodeRow {
    let statistics = compute_all(data, &options.stats);
    let raters = data.raters().len();
    let coded_by_rater = (0..raters)
        .map(|r| {
            data.patterns()
                .iter()
                .filter(|p| p.cells.get(r).copied().flatten() == Some(1))
                .map(|p| p.count)
                .sum()
        })
        .collect();
    let (kappa_name, kappa) = if options.unit == Unit::Segment {
        let s = segment_agreement(data, n_codes.max(1));
        let e = s.kappa.map_or_else(
            || Estimate::undefined(s.undefined_reason.clone().unwrap_or_default()),
            Estimate::point,
        );
        ("kappa (MAXQDA, chance 1/codes)".to_string(), e)
    } else if raters == 2 {
        ("Cohen's kappa".to_string(), statistics.get("cohen_kappa"))
    } else {
        ("Fleiss' kappa".to_string(), statistics.get("fleiss_kappa"))
    };
    let (alpha, gwet_ac1) = if options.unit == Unit::Segment {
        let reason = "not meaningful at segment level: there are no units that no rater coded";
        (Estimate::undefined(reason), Estimate::undefined(reason))
    } else {
        (
            statistics.get("krippendorff_alpha"),
            statistics.get("gwet_ac1"),
        )
    };
    CodeRow {
        code: code.to_string(),
        code_id: code_id.map(|c| c.to_text()),
        units: statistics.n_units,
        coded_by_rater,
        kappa,
        kappa_name,
        alpha,
        percent_agreement: statistics.get("percent_agreement"),
        gwet_ac1,
        disagreements,
        statistics,
        rolls_up: Vec::new(),
    }
}

fn view(
    input: &AgreementInput,
    code: &str,
    raters: &[String],
    d: &Disagreement,
) -> DisagreementView {
    let t = &input.transcripts[d.transcript].transcript;
    let names = |ids: &[usize]| ids.iter().filter_map(|&i| raters.get(i).cloned()).collect();
    DisagreementView {
        code: code.to_string(),
        transcript: t.name.clone(),
        start: d.span.start,
        end: d.span.end,
        text: text::slice_chars(&t.text, d.span.start, d.span.end).to_string(),
        coded_by: names(&d.coded_by),
        not_coded_by: names(&d.not_coded_by),
        rater_spans: d
            .rater_spans
            .iter()
            .map(|(r, s)| (raters.get(*r).cloned().unwrap_or_default(), s.start, s.end))
            .collect(),
    }
}

/// Each rater's codings of one code around one disagreement, for a side-by-side view.
#[derive(Debug, Clone)]
pub struct DisagreementDetail {
    /// The transcript.
    pub transcript_id: crate::model::TranscriptId,
    /// The text shown (the turns around the disagreement).
    pub text: String,
    /// Char offset of `text` in the transcript.
    pub offset: usize,
    /// The disagreement's span.
    pub span: crate::model::Span,
    /// Each compared rater with their spans of the code inside `text`.
    pub raters: Vec<(String, Vec<crate::model::Span>)>,
}

/// The turns around a disagreement, with each of `raters`' codings of its code there.
pub fn disagreement_detail(
    store: &Store,
    d: &DisagreementView,
    raters: &[String],
) -> Result<DisagreementDetail> {
    use crate::model::{CodeLookup, Span};
    let summary = store.find_transcript(&d.transcript)?;
    let transcript = store.transcript(summary.transcript_id)?;
    let turns: Vec<_> = transcript
        .turns
        .iter()
        .filter(|t| t.span.start < d.end && d.start < t.span.end)
        .collect();
    let start = turns
        .first()
        .map_or(d.start, |t| t.content_span().start.min(d.start));
    let end = turns.last().map_or(d.end, |t| t.span.end.max(d.end));
    let book = store.codebook()?;
    let CodeLookup::Found(code) = book.lookup(&d.code) else {
        return Err(AppError::Invalid(format!("no code {}", d.code)));
    };
    let mut shown = Vec::new();
    for name in raters {
        let rater = store.find_rater(name)?;
        let filter = crate::model::CodingFilter {
            transcripts: vec![summary.transcript_id],
            codes: vec![code.code_id],
            raters: vec![rater.rater_id],
            ..crate::model::CodingFilter::default()
        };
        let spans: Vec<Span> = store
            .codings(&filter)?
            .into_iter()
            .map(|c| c.span)
            .filter(|s| s.start < end && start < s.end)
            .collect();
        shown.push((name.clone(), spans));
    }
    Ok(DisagreementDetail {
        transcript_id: summary.transcript_id,
        text: text::slice_chars(&transcript.text, start, end).to_string(),
        offset: start,
        span: Span::new(d.start, d.end),
        raters: shown,
    })
}
