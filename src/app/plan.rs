//! Reliability planning (`accord plan PROJECT --round R --width W`): from a pilot round, how many
//! units (turns, sentences, characters) each code needs double-coded for its interval to be at most
//! `W` wide, in transcripts, and a seeded sample of transcripts not yet double-coded, stratified by
//! case attributes, to code next. The statistics are those of `agreement::planning`; the pilot's
//! figures are the round's agreement report, computed again from its transcripts and raters at its
//! unit (the same reliability data and standard errors `accord round compute` keeps).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::agreement::{AgreementOptions, project_agreement};
use super::agreement_input::Selection;
use super::breakdown::Statistic;
use super::rounds::find_round;
use super::{AppError, Result};
use crate::agreement::StatOptions;
use crate::agreement::planning::{
    binary_units, krippendorff_minimum, projected_units, stratified_sample,
};
use crate::agreement::project::{CodeRow, ProjectAgreement, Unit};
use crate::model::{CodingFilter, TranscriptId, TranscriptSummary};
use crate::store::Store;

/// The seed of the sample when none is given.
pub const DEFAULT_SEED: u64 = 20_240_611;

/// Units the pilot must have seen a code in (on average per rater) for its figures not to be
/// flagged as rough.
const BARELY_SEEN: f64 = 10.0;

/// What to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The interval width wanted, in (0, 2].
    pub width: f64,
    /// Confidence of the intervals, in (0, 1).
    pub confidence: f64,
    /// The statistics whose intervals must be that narrow (kappa and alpha when empty).
    pub statistics: Vec<Statistic>,
    /// The unit (the round's when `None`): char, turn or sentence.
    pub unit: Option<Unit>,
    /// Case attributes to stratify the sample by.
    pub by: Vec<String>,
    /// The sample's seed.
    pub seed: u64,
    /// How many transcripts to sample (the requirement when `None`).
    pub transcripts: Option<usize>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            width: 0.2,
            confidence: 0.95,
            statistics: Vec::new(),
            unit: None,
            by: Vec::new(),
            seed: DEFAULT_SEED,
            transcripts: None,
        }
    }
}

/// One statistic of one code: the pilot's figure and the two requirements.
#[derive(Debug, Clone, Serialize)]
pub struct StatisticPlan {
    /// The statistic's name ("Cohen's kappa", "Krippendorff's alpha", ...).
    pub statistic: String,
    /// The pilot's estimate.
    pub estimate: Option<f64>,
    /// Its standard error.
    pub standard_error: Option<f64>,
    /// The width of the pilot's interval (as reported: capped at 1).
    pub interval_width: Option<f64>,
    /// Units needed, projected from the pilot's standard error.
    pub from_pilot: Option<u64>,
    /// Units needed for a binary code of this prevalence at this value (Bloch & Kraemer).
    pub from_prevalence: Option<u64>,
    /// Why a figure is missing.
    pub notes: Vec<String>,
}

/// One code's requirement.
#[derive(Debug, Clone, Serialize)]
pub struct CodePlan {
    /// Code path.
    pub code: String,
    /// Code id.
    pub code_id: Option<String>,
    /// Share of the pilot's units each rater coded with it, averaged over the raters.
    pub prevalence: f64,
    /// The pilot's units.
    pub pilot_units: u64,
    /// Per statistic.
    pub statistics: Vec<StatisticPlan>,
    /// Units needed in all (the largest over the statistics; each statistic's pilot projection,
    /// else its prevalence figure), or `None` with `reason`.
    pub needed_units: Option<u64>,
    /// Units still to code (needed minus the pilot's).
    pub more_units: Option<u64>,
    /// Transcripts still to code for those units.
    pub more_transcripts: Option<u64>,
    /// Why there is no figure.
    pub reason: Option<String>,
    /// The pilot saw the code in fewer than 10 units per rater: its figures are rough.
    pub barely_seen: bool,
    /// With the round's stopping rule on kappa or alpha and two raters: Krippendorff's minimum
    /// units for the code (its rarer value's share) to show the rule's bound at the 1 − confidence
    /// level.
    pub rule_minimum: Option<u64>,
}

/// One stratum of the sample.
#[derive(Debug, Clone, Serialize)]
pub struct Stratum {
    /// Its values, one per attribute ("(none)" where a transcript's case has none).
    pub name: String,
    /// Transcripts not yet double-coded in it.
    pub available: usize,
    /// Chosen from it.
    pub chosen: usize,
}

/// A transcript chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Chosen {
    /// Its name.
    pub transcript: String,
    /// Its stratum.
    pub stratum: String,
    /// Its units at the plan's unit (turns, characters; sentences estimated).
    pub units: u64,
}

/// The seeded, stratified sample.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// The seed.
    pub seed: u64,
    /// The attributes stratified by.
    pub by: Vec<String>,
    /// Transcripts asked for.
    pub asked: usize,
    /// Transcripts not yet double-coded (not in any round, not coded by two of the round's raters).
    pub available: usize,
    /// The strata, in order.
    pub strata: Vec<Stratum>,
    /// The transcripts chosen, by stratum and name.
    pub transcripts: Vec<Chosen>,
}

/// A reliability plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The pilot round.
    pub round: String,
    /// The unit.
    pub unit: Unit,
    /// The unit's name in the plural ("turns").
    pub units_name: String,
    /// The width asked.
    pub width: f64,
    /// The confidence.
    pub confidence: f64,
    /// The pilot's raters.
    pub raters: Vec<String>,
    /// The pilot's transcripts compared.
    pub pilot_transcripts: usize,
    /// Units per transcript used to convert units to transcripts.
    pub units_per_transcript: f64,
    /// Where that figure comes from.
    pub units_per_transcript_from: String,
    /// Codes with a figure, the largest requirement first; then those without.
    pub codes: Vec<CodePlan>,
    /// The code that sets the requirement.
    pub worst: Option<String>,
    /// Units needed in all (the worst code's).
    pub needed_units: Option<u64>,
    /// Transcripts still to double-code (the worst code's).
    pub more_transcripts: Option<u64>,
    /// The sample.
    pub sample: Sample,
    /// The round's stopping rule (statistic, least lower bound), if it has one.
    pub rule: Option<(String, f64)>,
    /// Assumptions and warnings.
    pub notes: Vec<String>,
}

fn units_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Char | Unit::Unitizing => "characters",
        Unit::Turn => "turns",
        Unit::Sentence => "sentences",
        Unit::Segment => "segments",
    }
}

/// The statistics a plan follows (kappa and alpha unless named).
fn statistics(options: &PlanOptions) -> Vec<Statistic> {
    if options.statistics.is_empty() {
        vec![Statistic::Kappa, Statistic::Alpha]
    } else {
        options.statistics.clone()
    }
}

/// The statistic's name for a row (the kappa's depends on the raters).
fn label(s: Statistic, row: &CodeRow) -> String {
    match s {
        Statistic::Kappa => row.kappa_name.clone(),
        Statistic::Alpha => "Krippendorff's alpha".into(),
        Statistic::Agreement => "percent agreement".into(),
        Statistic::Ac1 => "Gwet's AC1".into(),
        Statistic::Named(name) => name.into(),
    }
}

/// Whether the statistic's standard error comes from the bootstrap.
fn bootstrapped(s: Statistic) -> bool {
    matches!(
        s,
        Statistic::Alpha | Statistic::Named("krippendorff_alpha" | "mean_pairwise_cohen_kappa")
    )
}

/// Whether the closed form (a kappa-type coefficient of a binary code) applies.
fn kappa_like(s: Statistic) -> bool {
    matches!(
        s,
        Statistic::Kappa
            | Statistic::Alpha
            | Statistic::Named("cohen_kappa" | "scott_pi" | "fleiss_kappa" | "krippendorff_alpha")
    )
}

fn check(options: &PlanOptions) -> Result<()> {
    if !(options.width > 0.0 && options.width <= 2.0) {
        return Err(AppError::Invalid(format!(
            "--width {}: give a width in (0, 2] (an agreement coefficient lies in [-1, 1]; 0.2 \
             is a common choice)",
            options.width
        )));
    }
    if !(options.confidence > 0.0 && options.confidence < 1.0) {
        return Err(AppError::Invalid(format!(
            "--confidence {}: give a level in (0, 1), such as 0.95",
            options.confidence
        )));
    }
    Ok(())
}

/// Each transcript's case attribute values for `by` (validated: every name must be an attribute
/// of some case), as a stratum name.
fn strata_of(
    store: &Store,
    by: &[String],
    transcripts: &[TranscriptSummary],
) -> Result<BTreeMap<TranscriptId, String>> {
    let cases = store.cases()?;
    let known: BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c.attributes.keys().map(String::as_str))
        .collect();
    for name in by {
        if !known.contains(name.as_str()) {
            let list = if known.is_empty() {
                "no case has attributes (accord attributes PROJECT FILE imports them)".to_string()
            } else {
                format!(
                    "the attributes are: {}",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                )
            };
            return Err(AppError::Invalid(format!(
                "--by {name:?}: no case has an attribute {name:?}; {list}"
            )));
        }
    }
    let by_case: BTreeMap<_, _> = cases.iter().map(|c| (c.case_id, &c.attributes)).collect();
    Ok(transcripts
        .iter()
        .map(|t| {
            let attributes = t.case_id.and_then(|c| by_case.get(&c));
            let name = if by.is_empty() {
                "(all)".to_string()
            } else {
                by.iter()
                    .map(|a| {
                        attributes
                            .and_then(|m| m.get(a))
                            .map_or("(none)", String::as_str)
                    })
                    .collect::<Vec<_>>()
                    .join(" / ")
            };
            (t.transcript_id, name)
        })
        .collect())
}

/// One code's plan from its pilot row.
fn code_plan(
    row: &CodeRow,
    stats: &[Statistic],
    options: &PlanOptions,
    units_per_transcript: f64,
) -> CodePlan {
    let n = row.units;
    let raters = row.coded_by_rater.len().max(1) as f64;
    let prevalence = if n == 0 {
        0.0
    } else {
        row.coded_by_rater.iter().sum::<u64>() as f64 / raters / n as f64
    };
    let mut plans = Vec::new();
    let mut needed: Option<u64> = None;
    let mut reasons = Vec::new();
    for &s in stats {
        let e = s.of(row);
        let mut notes = Vec::new();
        let from_pilot = match (&e.value, e.standard_error) {
            (None, _) => {
                notes.push(format!(
                    "undefined in the pilot: {}",
                    e.undefined_reason.clone().unwrap_or_default()
                ));
                None
            }
            (Some(_), se) => projected_units(n, se, options.width, options.confidence)
                .map_err(|why| notes.push(format!("from the pilot: {why}")))
                .ok(),
        };
        let from_prevalence = if !kappa_like(s) {
            None
        } else if prevalence <= 0.0 {
            notes.push("no rater used the code in the pilot (prevalence 0)".into());
            None
        } else if let Some(v) = e.value {
            binary_units(v, prevalence, options.width, options.confidence)
                .map_err(|why| notes.push(format!("from the prevalence: {why}")))
                .ok()
        } else {
            None
        };
        if let Some(units) = from_pilot.or(from_prevalence) {
            needed = Some(needed.map_or(units, |m| m.max(units)));
        } else if let Some(first) = notes.first() {
            reasons.push(format!("{}: {first}", label(s, row)));
        }
        plans.push(StatisticPlan {
            statistic: label(s, row),
            estimate: e.value,
            standard_error: e.standard_error,
            interval_width: e.interval.map(|(lo, hi)| hi - lo),
            from_pilot,
            from_prevalence,
            notes,
        });
    }
    let more_units = needed.map(|u| u.saturating_sub(n));
    CodePlan {
        code: row.code.clone(),
        code_id: row.code_id.clone(),
        prevalence,
        pilot_units: n,
        statistics: plans,
        needed_units: needed,
        more_units,
        more_transcripts: more_units.map(|m| (m as f64 / units_per_transcript).ceil() as u64),
        reason: needed.is_none().then(|| reasons.join("; ")),
        barely_seen: prevalence * (n as f64) < BARELY_SEEN,
        rule_minimum: None,
    }
}

/// A transcript's units at `unit`: its turns or characters; sentences estimated from its
/// characters at the pilot's sentences per character.
fn units_of(t: &TranscriptSummary, unit: Unit, sentences_per_char: f64) -> u64 {
    match unit {
        Unit::Turn => t.turn_count as u64,
        Unit::Sentence => (t.len_chars as f64 * sentences_per_char).round() as u64,
        _ => t.len_chars as u64,
    }
}

/// The pilot: its round, the unit, and its agreement report at that unit (the bootstrap only
/// when a statistic needs it).
fn pilot(
    store: &Store,
    round_name: &str,
    options: &PlanOptions,
    stats: &[Statistic],
) -> Result<(crate::model::Round, Unit, ProjectAgreement)> {
    check(options)?;
    let round = find_round(store, round_name)?;
    if round.computed_at.is_none() {
        return Err(AppError::Invalid(format!(
            "round {:?} has no computed agreement yet: run accord round compute PROJECT {:?} first",
            round.name, round.name
        )));
    }
    let unit = match options.unit {
        Some(u) => u,
        None => round.unit.parse().map_err(AppError::Invalid)?,
    };
    if matches!(unit, Unit::Segment | Unit::Unitizing) {
        return Err(AppError::Invalid(format!(
            "a plan counts units per transcript, so it needs --unit char, turn or sentence (round {:?} \
             is measured per {})",
            round.name, round.unit
        )));
    }
    let bootstrap = stats.iter().any(|s| bootstrapped(*s));
    let report = project_agreement(
        store,
        &Selection {
            raters: round.raters.clone(),
            codes: Vec::new(),
            transcripts: round.transcripts.clone(),
        },
        &AgreementOptions {
            unit,
            stats: StatOptions {
                confidence: options.confidence,
                bootstrap_replicates: if bootstrap {
                    StatOptions::default().bootstrap_replicates
                } else {
                    0
                },
                ..StatOptions::default()
            },
            ..AgreementOptions::default()
        },
    )?;
    if report.transcripts.is_empty() {
        return Err(AppError::Invalid(format!(
            "round {:?}: no transcript was coded by all its raters, so the pilot has no units to \
             plan from",
            round.name
        )));
    }
    Ok((round, unit, report))
}

/// Plans the next round from a pilot round.
pub fn plan(store: &Store, round_name: &str, options: &PlanOptions) -> Result<Plan> {
    let stats = statistics(options);
    check(options)?;
    let all = store.transcripts()?;
    let strata = strata_of(store, &options.by, &all)?;
    let (round, unit, report) = pilot(store, round_name, options, &stats)?;
    let mut notes = vec![
        "Units are treated as independent (no design effect for turns clustered in transcripts): \
         if codes cluster within transcripts, more transcripts are needed than these figures say."
            .to_string(),
    ];
    if unit == Unit::Char {
        notes.push(
            "Characters are far from independent (neighbours are coded together), so their \
             standard errors, and these figures, are far too optimistic: plan per turn or sentence."
                .into(),
        );
    }
    if round.raters.len() > 2 {
        notes.push(
            "The figures from the prevalence are for two raters; with more raters they overstate \
             what is needed."
                .into(),
        );
    }
    let pool = not_double_coded(store, &round, &all)?;
    let pilot_units = report.rows.first().map_or(0, |r| r.units);
    let pilot_chars: u64 = all
        .iter()
        .filter(|t| report.transcripts.contains(&t.name))
        .map(|t| t.len_chars as u64)
        .sum();
    let sentences_per_char = if pilot_chars == 0 {
        0.0
    } else {
        pilot_units as f64 / pilot_chars as f64
    };
    let (units_per_transcript, from) = if pool.is_empty() {
        (
            pilot_units as f64 / report.transcripts.len() as f64,
            "the pilot's transcripts (no transcript is left to sample)".to_string(),
        )
    } else {
        per_transcript(&pool, unit, sentences_per_char)
    };
    let units_per_transcript = units_per_transcript.max(1.0);
    let mut codes: Vec<CodePlan> = report
        .rows
        .iter()
        .map(|row| code_plan(row, &stats, options, units_per_transcript))
        .collect();
    let rule = store.round_rule(round.round_id)?;
    if let Some(r) = &rule {
        rule_minimums(r, report.raters.len(), options, &mut codes, &mut notes);
    }
    codes.sort_by(|a, b| match (a.needed_units, b.needed_units) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.code.cmp(&b.code)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
    let worst = codes.first().filter(|c| c.needed_units.is_some());
    if codes
        .iter()
        .any(|c| c.barely_seen && c.needed_units.is_some())
    {
        notes.push(
            "Codes marked ~ were seen in fewer than 10 units per rater in the pilot: their \
             standard errors, and so their figures, are themselves imprecise."
                .into(),
        );
    }
    let asked = options
        .transcripts
        .or_else(|| worst.and_then(|w| w.more_transcripts).map(|t| t as usize))
        .unwrap_or(0);
    let sample = sample(&pool, &strata, options, asked, unit, sentences_per_char);
    if sample.asked > sample.available {
        notes.push(format!(
            "Only {} transcripts are not yet double-coded; {} were asked for.",
            sample.available, sample.asked
        ));
    }
    Ok(Plan {
        round: round.name.clone(),
        unit,
        units_name: units_name(unit).into(),
        width: options.width,
        confidence: options.confidence,
        raters: report.raters.clone(),
        pilot_transcripts: report.transcripts.len(),
        units_per_transcript,
        units_per_transcript_from: from,
        worst: worst.map(|w| w.code.clone()),
        needed_units: worst.and_then(|w| w.needed_units),
        more_transcripts: worst.and_then(|w| w.more_transcripts),
        codes,
        sample,
        rule: rule.map(|r| (r.statistic, r.lower_bound)),
        notes,
    })
}

/// The seeded sample of the pool, stratified.
fn sample(
    pool: &[&TranscriptSummary],
    strata: &BTreeMap<TranscriptId, String>,
    options: &PlanOptions,
    asked: usize,
    unit: Unit,
    sentences_per_char: f64,
) -> Sample {
    let mut groups: BTreeMap<&str, Vec<&TranscriptSummary>> = BTreeMap::new();
    for t in pool {
        let name = strata
            .get(&t.transcript_id)
            .map_or("(none)", String::as_str);
        groups.entry(name).or_default().push(t);
    }
    let sizes: Vec<usize> = groups.values().map(Vec::len).collect();
    let chosen = stratified_sample(&sizes, asked, options.seed);
    let mut out = Vec::new();
    let mut list = Vec::new();
    for ((name, members), picks) in groups.iter().zip(&chosen) {
        out.push(Stratum {
            name: (*name).to_string(),
            available: members.len(),
            chosen: picks.len(),
        });
        list.extend(picks.iter().map(|&i| Chosen {
            transcript: members[i].name.clone(),
            stratum: (*name).to_string(),
            units: units_of(members[i], unit, sentences_per_char),
        }));
    }
    Sample {
        seed: options.seed,
        by: options.by.clone(),
        asked,
        available: pool.len(),
        strata: out,
        transcripts: list,
    }
}

/// Transcripts not yet double-coded: in no round, and coded by fewer than two of the round's
/// raters; by name.
fn not_double_coded<'a>(
    store: &Store,
    round: &crate::model::Round,
    all: &'a [TranscriptSummary],
) -> Result<Vec<&'a TranscriptSummary>> {
    let in_rounds: BTreeSet<TranscriptId> = store
        .rounds()?
        .iter()
        .flat_map(|r| r.transcripts.iter().copied())
        .collect();
    let mut raters_of: BTreeMap<TranscriptId, BTreeSet<_>> = BTreeMap::new();
    for c in store.codings(&CodingFilter {
        raters: round.raters.clone(),
        ..CodingFilter::default()
    })? {
        raters_of
            .entry(c.transcript_id)
            .or_default()
            .insert(c.rater_id);
    }
    let mut pool: Vec<&TranscriptSummary> = all
        .iter()
        .filter(|t| !in_rounds.contains(&t.transcript_id))
        .filter(|t| raters_of.get(&t.transcript_id).is_none_or(|r| r.len() < 2))
        .collect();
    pool.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(pool)
}

/// The mean units per transcript of the pool, and where the figure comes from.
fn per_transcript(
    pool: &[&TranscriptSummary],
    unit: Unit,
    sentences_per_char: f64,
) -> (f64, String) {
    let total: u64 = pool
        .iter()
        .map(|t| units_of(t, unit, sentences_per_char))
        .sum();
    let from = if unit == Unit::Sentence {
        format!(
            "the {} transcripts not yet double-coded (sentences estimated from their length at the \
             pilot's {:.4} sentences per character)",
            pool.len(),
            sentences_per_char
        )
    } else {
        format!("the {} transcripts not yet double-coded", pool.len())
    };
    (total as f64 / pool.len() as f64, from)
}

/// Krippendorff's minimum units for each code under the round's rule on kappa or alpha, with two
/// raters (a note says why none is given with more).
fn rule_minimums(
    rule: &crate::model::RoundRule,
    raters: usize,
    options: &PlanOptions,
    codes: &mut [CodePlan],
    notes: &mut Vec<String>,
) {
    if !matches!(rule.statistic.as_str(), "kappa" | "alpha") {
        return;
    }
    if raters != 2 {
        notes.push(
            "Krippendorff's minimum for the round's rule is for two raters; none is given for more."
                .into(),
        );
        return;
    }
    for c in codes {
        let p_c = c.prevalence.min(1.0 - c.prevalence);
        c.rule_minimum = krippendorff_minimum(p_c, rule.lower_bound, 1.0 - options.confidence).ok();
    }
}
