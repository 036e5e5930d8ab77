//! Reliability rounds: the team codes a batch of transcripts under one codebook version, measures
//! each code's agreement, sharpens the definitions of the codes below the threshold, and codes the
//! next batch. Accord keeps each round's per-code agreement as computed, so the lead sees every
//! code's history across rounds and codebook versions, the codes still below the threshold first,
//! with how their definitions changed between the versions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::agreement::{AgreementOptions, project_agreement};
use super::agreement_input::Selection;
use super::{AppError, Result};
use crate::agreement::project::{CodeRow, Unit};
use crate::model::{
    Code, CodeId, Codebook, RaterId, Round, RoundId, RoundRule, TranscriptId, now_rfc3339,
};
use crate::store::Store;
use crate::store::api::RoundsWrites;

/// One code's agreement in one round, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundResult {
    /// Code path when computed.
    pub code: String,
    /// Units compared.
    pub units: u64,
    /// The headline kappa (Cohen's for two raters, Fleiss' for more).
    pub kappa: Option<f64>,
    /// Which kappa.
    pub kappa_name: String,
    /// Krippendorff's alpha.
    pub alpha: Option<f64>,
    /// Percent agreement.
    pub percent: Option<f64>,
    /// Gwet's AC1.
    pub ac1: Option<f64>,
    /// Disagreements.
    pub disagreements: usize,
    /// The kappa's confidence interval (absent from results kept before intervals were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kappa_interval: Option<(f64, f64)>,
    /// Alpha's confidence interval (the bootstrap's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_interval: Option<(f64, f64)>,
    /// Percent agreement's confidence interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_interval: Option<(f64, f64)>,
    /// AC1's confidence interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ac1_interval: Option<(f64, f64)>,
}

impl RoundResult {
    fn from_row(row: &CodeRow) -> Self {
        Self {
            code: row.code.clone(),
            units: row.units,
            kappa: row.kappa.value,
            kappa_name: row.kappa_name.clone(),
            alpha: row.alpha.value,
            percent: row.percent_agreement.value,
            ac1: row.gwet_ac1.value,
            disagreements: row.disagreements,
            kappa_interval: row.kappa.interval,
            alpha_interval: row.alpha.interval,
            percent_interval: row.percent_agreement.interval,
            ac1_interval: row.gwet_ac1.interval,
        }
    }

    /// The lower bound of a statistic's interval, when kept.
    #[must_use]
    pub fn lower(&self, statistic: Statistic) -> Option<f64> {
        match statistic {
            Statistic::Kappa => self.kappa_interval,
            Statistic::Alpha => self.alpha_interval,
            Statistic::Percent => self.percent_interval,
            Statistic::Ac1 => self.ac1_interval,
        }
        .map(|(lo, _)| lo)
    }

    /// The value of a statistic (`kappa`, `alpha`, `percent`, `ac1`).
    #[must_use]
    pub fn get(&self, statistic: Statistic) -> Option<f64> {
        match statistic {
            Statistic::Kappa => self.kappa,
            Statistic::Alpha => self.alpha,
            Statistic::Percent => self.percent,
            Statistic::Ac1 => self.ac1,
        }
    }
}

/// Which statistic a history follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    /// Cohen's (two raters) or Fleiss' kappa.
    Kappa,
    /// Krippendorff's alpha.
    Alpha,
    /// Percent agreement.
    Percent,
    /// Gwet's AC1.
    Ac1,
}

impl std::str::FromStr for Statistic {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "kappa" => Ok(Self::Kappa),
            "alpha" => Ok(Self::Alpha),
            "percent" => Ok(Self::Percent),
            "ac1" => Ok(Self::Ac1),
            _ => Err(format!(
                "unknown statistic {s:?} (expected kappa, alpha, percent or ac1)"
            )),
        }
    }
}

impl Statistic {
    /// Its name as typed and stored (`kappa`, `alpha`, `percent`, `ac1`).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Kappa => "kappa",
            Self::Alpha => "alpha",
            Self::Percent => "percent",
            Self::Ac1 => "ac1",
        }
    }
}

/// A stopping rule to keep with a round: every code's `statistic` interval lower bound at least
/// `lower_bound` (in [-1, 1]).
pub fn rule(statistic: Statistic, lower_bound: f64) -> Result<RoundRule> {
    if !(-1.0..=1.0).contains(&lower_bound) {
        return Err(AppError::Invalid(format!(
            "--lower-bound {lower_bound}: give a value in [-1, 1], such as 0.70"
        )));
    }
    Ok(RoundRule {
        statistic: statistic.key().into(),
        lower_bound,
        set_at: now_rfc3339(),
    })
}

/// Whether a code (or a round) meets its stopping rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// Not met: a lower bound below the rule's.
    NotMet,
    /// No lower bound to judge by.
    Undefined,
    /// Met.
    Met,
}

/// One code against a round's rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCode {
    /// Code path (when computed).
    pub code: String,
    /// The statistic's value.
    pub value: Option<f64>,
    /// Its interval's lower bound.
    pub lower: Option<f64>,
    /// Met, not met or undefined.
    pub status: RuleStatus,
    /// Why undefined.
    pub reason: Option<String>,
}

/// A round's stopping rule and each code against it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    /// The round.
    pub round: String,
    /// The statistic.
    pub statistic: Statistic,
    /// The least lower bound.
    pub lower_bound: f64,
    /// The round overall: met when every code is, not met when one is not, else undefined.
    pub overall: RuleStatus,
    /// Why undefined overall (not computed yet; codes without a lower bound).
    pub reason: Option<String>,
    /// The codes, not met first (lowest bound first), then undefined, then met.
    pub codes: Vec<RuleCode>,
}

/// A round's results against its rule (`None` when it has none).
pub fn rule_report(store: &Store, round: &Round) -> Result<Option<RuleReport>> {
    let Some(rule) = store.round_rule(round.round_id)? else {
        return Ok(None);
    };
    let statistic: Statistic = rule.statistic.parse().map_err(AppError::Invalid)?;
    let results = kept_results(store, round)?;
    // Results kept before intervals were have none at all; otherwise a code lacks one because its
    // statistic has none at this unit (MAXQDA's kappa at segments) or in these data.
    let kept_before = results.iter().all(|(_, r)| {
        r.kappa_interval.is_none()
            && r.alpha_interval.is_none()
            && r.percent_interval.is_none()
            && r.ac1_interval.is_none()
    });
    let mut codes: Vec<RuleCode> = results
        .into_iter()
        .map(|(_, r)| {
            let value = r.get(statistic);
            let lower = r.lower(statistic);
            let (status, reason) = match (value, lower) {
                (_, Some(lo)) if lo >= rule.lower_bound => (RuleStatus::Met, None),
                (_, Some(_)) => (RuleStatus::NotMet, None),
                (None, None) => (
                    RuleStatus::Undefined,
                    Some(format!("{} is undefined for this code", statistic.key())),
                ),
                (Some(_), None) if kept_before => (
                    RuleStatus::Undefined,
                    Some(
                        "no interval was kept (results kept before Accord kept intervals have \
                         none: compute the round again)"
                            .into(),
                    ),
                ),
                (Some(_), None) => (
                    RuleStatus::Undefined,
                    Some(format!(
                        "{} has no interval for this code (at the {} unit, or in these data)",
                        statistic.key(),
                        round.unit
                    )),
                ),
            };
            RuleCode {
                code: r.code,
                value,
                lower,
                status,
                reason,
            }
        })
        .collect();
    codes.sort_by(|a, b| {
        a.status.cmp(&b.status).then_with(|| {
            a.lower
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.lower.unwrap_or(f64::INFINITY))
                .then_with(|| a.code.cmp(&b.code))
        })
    });
    let undefined = codes
        .iter()
        .filter(|c| c.status == RuleStatus::Undefined)
        .count();
    let (overall, reason) = if round.computed_at.is_none() {
        (
            RuleStatus::Undefined,
            Some("not computed yet (accord round compute)".to_string()),
        )
    } else if codes.iter().any(|c| c.status == RuleStatus::NotMet) {
        (RuleStatus::NotMet, None)
    } else if codes.is_empty() {
        (
            RuleStatus::Undefined,
            Some("no code was compared in this round".to_string()),
        )
    } else if undefined > 0 {
        (
            RuleStatus::Undefined,
            Some(format!("{undefined} codes have no lower bound")),
        )
    } else {
        (RuleStatus::Met, None)
    };
    Ok(Some(RuleReport {
        round: round.name.clone(),
        statistic,
        lower_bound: rule.lower_bound,
        overall,
        reason,
        codes,
    }))
}

/// A new round over transcripts and raters, under the current codebook version (not stored yet).
pub fn make_round(
    store: &Store,
    name: &str,
    transcripts: &[TranscriptId],
    raters: &[RaterId],
    unit: Unit,
) -> Result<Round> {
    if name.trim().is_empty() {
        return Err(AppError::Invalid("a round needs a name".into()));
    }
    if raters.len() < 2 {
        return Err(AppError::Invalid(
            "a round compares at least two raters".into(),
        ));
    }
    if transcripts.is_empty() {
        return Err(AppError::Invalid("a round needs transcripts".into()));
    }
    let unit_name = serde_json::to_value(unit)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "char".into());
    let round = Round {
        round_id: RoundId::new_random(),
        name: name.trim().to_string(),
        codebook_version: store.codebook_version()?,
        unit: unit_name,
        created_at: now_rfc3339(),
        computed_at: None,
        transcripts: transcripts.to_vec(),
        raters: raters.to_vec(),
    };
    Ok(round)
}

/// A round by name.
pub fn find_round(store: &Store, name: &str) -> Result<Round> {
    store
        .rounds()?
        .into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "no round {name:?} (see accord rounds; start one with accord round new)"
            ))
        })
}

/// Computes a round's per-code agreement over its transcripts and raters, and keeps it.
pub(super) fn compute_round(
    store: &mut Store,
    round: &Round,
) -> Result<Vec<(CodeId, RoundResult)>> {
    let unit: Unit = round.unit.parse().map_err(AppError::Invalid)?;
    let report = project_agreement(
        store,
        &Selection {
            raters: round.raters.clone(),
            codes: Vec::new(),
            transcripts: round.transcripts.clone(),
        },
        &AgreementOptions {
            unit,
            ..AgreementOptions::default()
        },
    )?;
    let mut results = Vec::new();
    for row in &report.rows {
        let Some(id) = row
            .code_id
            .as_deref()
            .and_then(|s| s.parse::<CodeId>().ok())
        else {
            continue;
        };
        results.push((id, RoundResult::from_row(row)));
    }
    let stored = results
        .iter()
        .map(|(id, r)| {
            Ok((
                *id,
                serde_json::to_string(r).map_err(|e| AppError::Invalid(e.to_string()))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    store.set_round_results(round.round_id, &stored, &now_rfc3339())?;
    Ok(results)
}

/// A round's kept results, by code path.
pub fn kept_results(store: &Store, round: &Round) -> Result<Vec<(CodeId, RoundResult)>> {
    let mut out = Vec::new();
    for (code, text) in store.round_results(round.round_id)? {
        let result: RoundResult = serde_json::from_str(&text)
            .map_err(|e| AppError::Invalid(format!("round {}: {e}", round.name)))?;
        out.push((code, result));
    }
    out.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    Ok(out)
}

/// One field of a code's definition that changed between two codebook versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// From version.
    pub from_version: i64,
    /// To version.
    pub to_version: i64,
    /// Which field.
    pub field: String,
    /// Before.
    pub before: String,
    /// After.
    pub after: String,
}

/// One code's history across rounds.
#[derive(Debug, Clone, Serialize)]
pub struct CodeHistory {
    /// Code id.
    pub code_id: CodeId,
    /// Code path (now).
    pub code: String,
    /// Per round (in round order): the result, if the code was compared in it.
    pub rounds: Vec<Option<RoundResult>>,
    /// The statistic in the latest round that measured the code.
    pub latest: Option<f64>,
    /// Whether that is below the threshold (or undefined).
    pub below: bool,
    /// How the code's definition changed between the rounds' codebook versions.
    pub changes: Vec<FieldChange>,
}

/// Every code's agreement across rounds.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// The rounds, oldest first: name, codebook version, unit, raters, transcripts.
    pub rounds: Vec<(String, i64, String, usize, usize)>,
    /// The statistic followed.
    pub statistic: Statistic,
    /// The threshold.
    pub threshold: f64,
    /// Codes below the threshold first (worst first), then the rest (worst first).
    pub codes: Vec<CodeHistory>,
    /// Each round with a stopping rule, against it (in round order).
    pub rules: Vec<RuleReport>,
}

/// Every code's history across the computed rounds.
pub fn history(store: &Store, statistic: Statistic, threshold: f64) -> Result<History> {
    let rounds = store.rounds()?;
    let book = store.codebook()?;
    let mut by_code: BTreeMap<CodeId, Vec<Option<RoundResult>>> = BTreeMap::new();
    for (i, round) in rounds.iter().enumerate() {
        for (code, text) in store.round_results(round.round_id)? {
            let result: RoundResult = serde_json::from_str(&text)
                .map_err(|e| AppError::Invalid(format!("round {}: {e}", round.name)))?;
            by_code
                .entry(code)
                .or_insert_with(|| vec![None; rounds.len()])[i] = Some(result);
        }
    }
    let versions: Vec<i64> = rounds.iter().map(|r| r.codebook_version).collect();
    let mut codes = Vec::new();
    for (code_id, results) in by_code {
        let latest_result = results.iter().rev().flatten().next();
        let latest = latest_result.and_then(|r| r.get(statistic));
        let name = if book.get(code_id).is_some() {
            book.path(code_id)
        } else {
            latest_result.map(|r| r.code.clone()).unwrap_or_default()
        };
        codes.push(CodeHistory {
            code_id,
            code: name,
            latest,
            below: latest.is_none_or(|v| v < threshold),
            changes: definition_changes(store, code_id, &versions)?,
            rounds: results,
        });
    }
    codes.sort_by(|a, b| {
        b.below
            .cmp(&a.below)
            .then_with(|| {
                a.latest
                    .unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&b.latest.unwrap_or(f64::NEG_INFINITY))
            })
            .then_with(|| a.code.cmp(&b.code))
    });
    let rules = rounds
        .iter()
        .map(|r| rule_report(store, r))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    Ok(History {
        rules,
        rounds: rounds
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    r.codebook_version,
                    r.unit.clone(),
                    r.raters.len(),
                    r.transcripts.len(),
                )
            })
            .collect(),
        statistic,
        threshold,
        codes,
    })
}

/// How a code's fields changed between consecutive distinct versions of the list.
fn definition_changes(
    store: &Store,
    code_id: CodeId,
    versions: &[i64],
) -> Result<Vec<FieldChange>> {
    let mut distinct: Vec<i64> = versions.to_vec();
    distinct.dedup();
    let mut out = Vec::new();
    let books: Vec<Codebook> = distinct
        .iter()
        .map(|v| store.codebook_at(*v))
        .collect::<std::result::Result<_, _>>()?;
    for (i, pair) in books.windows(2).enumerate() {
        let (Some(a), Some(b)) = (pair[0].get(code_id), pair[1].get(code_id)) else {
            continue;
        };
        for (field, before, after) in fields(a)
            .into_iter()
            .zip(fields(b))
            .map(|((f, x), (_, y))| (f, x, y))
        {
            if before != after {
                out.push(FieldChange {
                    from_version: distinct[i],
                    to_version: distinct[i + 1],
                    field: field.to_string(),
                    before,
                    after,
                });
            }
        }
    }
    Ok(out)
}

fn fields(c: &Code) -> [(&'static str, String); 6] {
    [
        ("name", c.name.clone()),
        ("short definition", c.short_definition.clone()),
        ("definition", c.definition.clone()),
        ("when to use", c.when_to_use.clone()),
        ("when not to use", c.when_not_to_use.clone()),
        ("example", c.example.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results kept before intervals were (JSON without them) still read, and a rule judges them
    /// undefined, asking for the round to be computed again; a result with an interval is judged.
    #[test]
    fn a_rule_judges_kept_results_and_old_ones_are_undefined() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("p.accord"), "P").unwrap();
        let book = crate::import::codebook_toml::parse(
            "[codebook]\nname='b'\n[[codes]]\nname='A'\n[[codes]]\nname='B'\n",
        )
        .unwrap();
        let (a, b) = (book.codes[0].code_id, book.codes[1].code_id);
        crate::store::api::CodebooksWrites::import_codebook(&mut store, &book, "b").unwrap();
        let round = Round {
            round_id: RoundId::new_random(),
            name: "Pilot".into(),
            codebook_version: store.codebook_version().unwrap(),
            unit: "turn".into(),
            created_at: now_rfc3339(),
            computed_at: None,
            transcripts: Vec::new(),
            raters: Vec::new(),
        };
        store.add_round(&round).unwrap();
        let old = r#"{"code":"A","units":10,"kappa":0.8,"kappa_name":"Cohen's kappa","alpha":0.8,
            "percent":0.9,"ac1":0.85,"disagreements":1}"#;
        store
            .set_round_results(round.round_id, &[(a, old.into())], "now")
            .unwrap();
        store
            .set_round_rule(round.round_id, Some(&rule(Statistic::Kappa, 0.7).unwrap()))
            .unwrap();
        let computed = Round {
            computed_at: Some("now".into()),
            ..round.clone()
        };
        let report = rule_report(&store, &computed).unwrap().unwrap();
        assert_eq!(report.overall, RuleStatus::Undefined);
        assert_eq!(report.codes[0].status, RuleStatus::Undefined);
        assert!(
            report.codes[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("compute the round again")
        );
        // Kept with intervals: 0.72 ≥ 0.7 is met, 0.65 is not, and the round is not met.
        let with = |code: &str, lo: f64| {
            let mut r: RoundResult = serde_json::from_str(old).unwrap();
            r.code = code.into();
            r.kappa_interval = Some((lo, 0.95));
            serde_json::to_string(&r).unwrap()
        };
        store
            .set_round_results(
                round.round_id,
                &[(a, with("A", 0.72)), (b, with("B", 0.65))],
                "now",
            )
            .unwrap();
        let report = rule_report(&store, &computed).unwrap().unwrap();
        let statuses: Vec<(&str, RuleStatus)> = report
            .codes
            .iter()
            .map(|c| (c.code.as_str(), c.status))
            .collect();
        assert_eq!(
            statuses,
            vec![("B", RuleStatus::NotMet), ("A", RuleStatus::Met)]
        );
        assert_eq!(report.overall, RuleStatus::NotMet);
        assert!(rule(Statistic::Alpha, 1.2).is_err());
        // Not computed: undefined overall, whatever is kept.
        let report = rule_report(&store, &round).unwrap().unwrap();
        assert_eq!(report.overall, RuleStatus::Undefined);
    }
}
