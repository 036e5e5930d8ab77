//! Every statistic on one reliability data set, with notes: which are undefined and why, the bootstrap
//! settings, and the kappa paradox (high raw agreement, low kappa, when one category dominates).

use std::collections::BTreeMap;

use serde::Serialize;

use super::bootstrap::bootstrap;
use super::cohen::{Weights, light_kappa_value, two_rater_at};
use super::data::ReliabilityData;
use super::estimate::Estimate;
use super::gwet::gwet_family;
use super::krippendorff::{Level, alpha};

/// How to compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatOptions {
    /// Level of measurement for Krippendorff's alpha and the weighted kappas (by rank at the
    /// nominal and ordinal levels, by value at the interval and ratio levels).
    pub level: Level,
    /// Bootstrap replicates for alpha and Light's kappa (0 turns the bootstrap off).
    pub bootstrap_replicates: u32,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

impl Default for StatOptions {
    fn default() -> Self {
        Self {
            level: Level::Nominal,
            bootstrap_replicates: 1000,
            seed: 20_240_611,
            confidence: 0.95,
        }
    }
}

/// The statistics' names, in report order (also the JSON keys).
pub const STATISTICS: [&str; 10] = [
    "percent_agreement",
    "cohen_kappa",
    "cohen_kappa_linear",
    "cohen_kappa_quadratic",
    "scott_pi",
    "fleiss_kappa",
    "mean_pairwise_cohen_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
];

/// Every statistic for one data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    /// Units with at least one rating.
    pub n_units: u64,
    /// Raters.
    pub n_raters: usize,
    /// Declared categories.
    pub n_categories: usize,
    /// Level used for alpha.
    pub alpha_level: Level,
    /// Statistic name to estimate, in [`STATISTICS`] order.
    pub estimates: BTreeMap<&'static str, Estimate>,
    /// Notes for people: undefined statistics, bootstrap settings, warnings.
    pub notes: Vec<String>,
}

impl StatsReport {
    /// The estimate of a statistic (an undefined one for an unknown name).
    #[must_use]
    pub fn get(&self, name: &str) -> Estimate {
        self.estimates
            .get(name)
            .cloned()
            .unwrap_or_else(|| Estimate::undefined("unknown statistic"))
    }

    /// The JSON shape of `accord irr --json`: exactly the statistics' keys (a number or null each),
    /// then `standard_errors`, `intervals` and `notes`.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        let mut ses = serde_json::Map::new();
        let mut intervals = serde_json::Map::new();
        for name in STATISTICS {
            let e = self.get(name);
            out.insert(
                name.into(),
                e.value
                    .map_or(serde_json::Value::Null, serde_json::Value::from),
            );
            ses.insert(
                name.into(),
                e.standard_error
                    .map_or(serde_json::Value::Null, serde_json::Value::from),
            );
            intervals.insert(
                name.into(),
                e.interval
                    .map_or(serde_json::Value::Null, |(a, b)| serde_json::json!([a, b])),
            );
        }
        out.insert("standard_errors".into(), ses.into());
        out.insert("intervals".into(), intervals.into());
        out.insert("notes".into(), self.notes.clone().into());
        out.into()
    }
}

/// Why nothing can be compared in `data`, if so: a single rater, or no unit rated by two raters
/// (raters who rated disjoint units, or a rater who rated none). Every statistic is then undefined
/// with this reason, never 0 or 1.
#[must_use]
pub fn nothing_paired(data: &ReliabilityData) -> Option<String> {
    let raters = data.raters().len();
    if raters < 2 {
        return Some(format!(
            "{} rater{}: agreement needs two or more raters",
            if raters == 0 { "no" } else { "a single" },
            if raters == 0 { "s" } else { "" }
        ));
    }
    let paired = data
        .patterns()
        .iter()
        .any(|p| p.count > 0 && p.cells.iter().flatten().count() >= 2);
    if paired {
        None
    } else if raters == 2 {
        Some(super::cohen::NO_COMMON_UNITS.to_string())
    } else {
        Some("no units coded by two or more raters".to_string())
    }
}

/// Computes every statistic.
#[must_use]
pub fn compute_all(data: &ReliabilityData, opts: &StatOptions) -> StatsReport {
    let raters = data.raters().len();
    let mut est: BTreeMap<&'static str, Estimate> = BTreeMap::new();
    if let Some(reason) = nothing_paired(data) {
        for name in STATISTICS {
            est.insert(name, Estimate::undefined(reason.clone()));
        }
        let mut notes = unrated(data);
        notes.push(format!("every statistic is undefined: {reason}"));
        return StatsReport {
            n_units: n_rated(data),
            n_raters: raters,
            n_categories: data.categories().len(),
            alpha_level: opts.level,
            estimates: est,
            notes,
        };
    }
    let family = gwet_family(data, opts.confidence);
    est.insert("percent_agreement", family.percent);
    est.insert("fleiss_kappa", family.fleiss);
    est.insert("gwet_ac1", family.ac1);
    est.insert("brennan_prediger", family.brennan_prediger);
    let two = |weights, scott| {
        if raters == 2 {
            two_rater_at(data, 0, 1, weights, opts.level, scott, opts.confidence)
        } else {
            Estimate::undefined(format!(
                "defined for exactly two raters; there are {raters}"
            ))
        }
    };
    est.insert("cohen_kappa", two(Weights::Unweighted, false));
    est.insert("cohen_kappa_linear", two(Weights::Linear, false));
    est.insert("cohen_kappa_quadratic", two(Weights::Quadratic, false));
    est.insert("scott_pi", two(Weights::Unweighted, true));
    est.insert("mean_pairwise_cohen_kappa", light(data, opts));
    est.insert("krippendorff_alpha", krippendorff(data, opts));
    let notes = notes(data, &est, opts);
    StatsReport {
        n_units: n_rated(data),
        n_raters: raters,
        n_categories: data.categories().len(),
        alpha_level: opts.level,
        estimates: est,
        notes,
    }
}

/// Units with at least one rating.
fn n_rated(data: &ReliabilityData) -> u64 {
    data.patterns()
        .iter()
        .filter(|p| p.cells.iter().any(Option::is_some))
        .map(|p| p.count)
        .sum()
}

fn bootstrapped(
    data: &ReliabilityData,
    value: f64,
    opts: &StatOptions,
    stat: impl Fn(&ReliabilityData) -> Option<f64>,
) -> Estimate {
    match bootstrap(
        data,
        opts.bootstrap_replicates,
        opts.seed,
        opts.confidence,
        stat,
    ) {
        Some(b) => Estimate {
            value: Some(value),
            standard_error: Some(b.standard_error),
            interval: Some(b.interval),
            undefined_reason: None,
        },
        None => Estimate::point(value),
    }
}

fn krippendorff(data: &ReliabilityData, opts: &StatOptions) -> Estimate {
    match alpha(data, opts.level) {
        Ok(value) => bootstrapped(data, value, opts, |d| alpha(d, opts.level).ok()),
        Err(reason) => Estimate::undefined(reason),
    }
}

fn light(data: &ReliabilityData, opts: &StatOptions) -> Estimate {
    let raters = data.raters().len();
    if raters < 3 {
        return Estimate::undefined(format!(
            "defined for three or more raters; there are {raters} (see Cohen's kappa)"
        ));
    }
    match light_kappa_value(data) {
        Ok(value) => bootstrapped(data, value, opts, |d| light_kappa_value(d).ok()),
        Err(reason) => Estimate::undefined(reason),
    }
}

/// A note for each rater who rated no unit.
fn unrated(data: &ReliabilityData) -> Vec<String> {
    let mut notes = Vec::new();
    for (r, name) in data.raters().iter().enumerate() {
        if data
            .patterns()
            .iter()
            .all(|p| p.cells.get(r).copied().flatten().is_none())
        {
            notes.push(format!(
                "rater {name} rated no unit: missing everywhere, not disagreeing"
            ));
        }
    }
    notes
}

fn notes(
    data: &ReliabilityData,
    est: &BTreeMap<&'static str, Estimate>,
    opts: &StatOptions,
) -> Vec<String> {
    let mut notes = unrated(data);
    let empty: u64 = data
        .patterns()
        .iter()
        .filter(|p| p.cells.iter().all(Option::is_none))
        .map(|p| p.count)
        .sum();
    if empty > 0 {
        notes.push(format!("{empty} units with no rating were left out"));
    }
    for name in STATISTICS {
        if let Some(reason) = est.get(name).and_then(|e| {
            e.value
                .is_none()
                .then(|| e.undefined_reason.clone())
                .flatten()
        }) {
            notes.push(format!("{name}: {reason}"));
        }
    }
    if opts.bootstrap_replicates > 0 {
        notes.push(format!(
            "krippendorff_alpha (level {}) and mean_pairwise_cohen_kappa: standard errors and percentile intervals from {} bootstrap replicates over units, seed {}",
            opts.level.as_str(),
            opts.bootstrap_replicates,
            opts.seed
        ));
    }
    notes.push("other standard errors: Gwet (2008, 2014) as in irrCAC; intervals: estimate ± t(n−1) × SE, capped at 1".into());
    if let Some(paradox) = kappa_paradox(data, est) {
        notes.push(paradox);
    }
    notes
}

/// The kappa paradox: raw agreement high (≥ 0.85) while kappa (Cohen's for two raters, else Fleiss')
/// is below 0.60, because one category dominates the ratings.
fn kappa_paradox(data: &ReliabilityData, est: &BTreeMap<&'static str, Estimate>) -> Option<String> {
    let pa = est.get("percent_agreement")?.value?;
    let (name, kappa) = match est.get("cohen_kappa").and_then(|e| e.value) {
        Some(k) => ("Cohen's kappa", k),
        None => ("Fleiss' kappa", est.get("fleiss_kappa")?.value?),
    };
    if pa < 0.85 || kappa >= 0.60 {
        return None;
    }
    let mut counts = vec![0u64; data.categories().len()];
    for p in data.patterns() {
        for c in p.cells.iter().flatten() {
            counts[*c as usize] += p.count;
        }
    }
    let total: u64 = counts.iter().sum();
    let (top, share) = counts
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| **c)
        .map(|(i, c)| {
            (
                data.categories()[i].label.clone(),
                *c as f64 / total.max(1) as f64,
            )
        })?;
    let ac1 = est
        .get("gwet_ac1")
        .and_then(|e| e.value)
        .map_or("undefined".to_string(), |v| format!("{v:.3}"));
    Some(format!(
        "kappa paradox: raw agreement is {pa:.3} but {name} is {kappa:.3}, because {:.0}% of all ratings are {top:?}; chance-corrected agreement is then unstable. Gwet's AC1, which is less sensitive to prevalence, is {ac1}",
        share * 100.0
    ))
}

/// Each statistic's formula in plain text, for reports.
#[must_use]
pub fn formula(statistic: &str) -> &'static str {
    match statistic {
        "percent_agreement" => {
            "p_a = mean over units rated by 2+ raters of the share of agreeing rater pairs"
        }
        "cohen_kappa" => {
            "κ = (p_o − p_e)/(1 − p_e), p_e = Σ_k p_k· p_·k (two raters, units both rated)"
        }
        "cohen_kappa_linear" => {
            "κ_w with weights 1 − |x_k − x_l|/(max − min), x the declared categories' ranks (values at interval and ratio levels)"
        }
        "cohen_kappa_quadratic" => {
            "κ_w with weights 1 − (x_k − x_l)²/(max − min)², x the declared categories' ranks (values at interval and ratio levels)"
        }
        "scott_pi" => "π = (p_o − p_e)/(1 − p_e), p_e = Σ_k ((p_k· + p_·k)/2)²",
        "fleiss_kappa" => {
            "κ_F = (p_a − p_e)/(1 − p_e), p_e = Σ_k π_k², π_k = mean share of category k (Gwet 2014, missing data)"
        }
        "mean_pairwise_cohen_kappa" => "Light's κ = mean of Cohen's κ over all rater pairs",
        "krippendorff_alpha" => "α = 1 − D_o/D_e from the coincidence matrix (Krippendorff 2011)",
        "gwet_ac1" => {
            "AC1 = (p_a − p_e)/(1 − p_e), p_e = Σ_k π_k(1 − π_k)/(q − 1), q = declared categories"
        }
        "brennan_prediger" => "BP = (p_a − 1/q)/(1 − 1/q), q = declared categories",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::gwet::tests::krippendorff_2011;

    #[test]
    fn json_has_exactly_the_keys_and_nulls() {
        let report = compute_all(
            &krippendorff_2011(),
            &StatOptions {
                bootstrap_replicates: 200,
                ..StatOptions::default()
            },
        );
        let json = report.to_json();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        let mut want: Vec<&str> = STATISTICS.to_vec();
        want.extend(["standard_errors", "intervals", "notes"]);
        want.sort_unstable();
        assert_eq!(keys, want);
        assert!(
            json["cohen_kappa"].is_null(),
            "four raters: Cohen is not defined"
        );
        assert!((json["krippendorff_alpha"].as_f64().unwrap() - 0.743).abs() < 5e-4);
        assert!(
            json["standard_errors"]["krippendorff_alpha"]
                .as_f64()
                .unwrap()
                > 0.0
        );
        let light = json["mean_pairwise_cohen_kappa"].as_f64().unwrap();
        assert!(light > 0.0 && light < 1.0, "{light}");
    }

    #[test]
    fn the_kappa_paradox_is_flagged_with_ac1() {
        // 100 units: 95 both "no", 2 both "yes", 3 split. Raw agreement 0.97, kappa about 0.56.
        let mut d = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        d.push_pattern(&[Some(0), Some(0)], 95).unwrap();
        d.push_pattern(&[Some(1), Some(1)], 2).unwrap();
        d.push_pattern(&[Some(1), Some(0)], 3).unwrap();
        let report = compute_all(&d, &StatOptions::default());
        let note = report
            .notes
            .iter()
            .find(|n| n.starts_with("kappa paradox"))
            .expect("paradox note");
        assert!(note.contains("AC1"), "{note}");
    }

    #[test]
    fn weighted_kappa_is_by_rank_at_the_ordinal_level_and_by_value_at_interval() {
        // The hand-worked table of `cohen::tests::ordinal_weights_are_by_rank_and_interval_weights_by_value`
        // (values 1, 2, 3, 4, 6): linear 269/319 and quadratic 15/16 by rank, 309/389 and 53/60 by value.
        let d = crate::agreement::cohen::tests::values_1_2_3_4_6();
        let at = |level| {
            compute_all(
                &d,
                &StatOptions {
                    level,
                    bootstrap_replicates: 0,
                    ..StatOptions::default()
                },
            )
        };
        let ordinal = at(Level::Ordinal);
        let interval = at(Level::Interval);
        let value = |r: &StatsReport, name| r.get(name).value.unwrap();
        assert!((value(&ordinal, "cohen_kappa_linear") - 269.0 / 319.0).abs() < 1e-12);
        assert!((value(&ordinal, "cohen_kappa_quadratic") - 15.0 / 16.0).abs() < 1e-12);
        assert!((value(&interval, "cohen_kappa_linear") - 309.0 / 389.0).abs() < 1e-12);
        assert!((value(&interval, "cohen_kappa_quadratic") - 53.0 / 60.0).abs() < 1e-12);
    }

    #[track_caller]
    fn all_undefined(report: &StatsReport, reason: &str) {
        for name in STATISTICS {
            let e = report.get(name);
            assert_eq!(e.value, None, "{name}");
            assert_eq!(e.undefined_reason.as_deref(), Some(reason), "{name}");
        }
        assert!(
            report
                .notes
                .iter()
                .any(|n| n == &format!("every statistic is undefined: {reason}")),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn no_units_coded_by_both_is_undefined_never_0_or_1() {
        let opts = StatOptions {
            bootstrap_replicates: 50,
            ..StatOptions::default()
        };
        // Disjoint units: a rated units 1-3, b units 4-6 (each alone would "agree" with itself).
        let mut disjoint = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        disjoint.push_pattern(&[Some(1), None], 2).unwrap();
        disjoint.push_pattern(&[Some(0), None], 1).unwrap();
        disjoint.push_pattern(&[None, Some(1)], 3).unwrap();
        let report = compute_all(&disjoint, &opts);
        all_undefined(&report, "no units coded by both raters");
        assert_eq!(report.n_units, 6);
        // A rater with no rating at all.
        let mut silent = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        silent.push_pattern(&[Some(1), None], 4).unwrap();
        let report = compute_all(&silent, &opts);
        all_undefined(&report, "no units coded by both raters");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("rater b rated no unit"))
        );
        // Three raters, none sharing a unit.
        let mut three = ReliabilityData::binary(vec!["a".into(), "b".into(), "c".into()]);
        three.push_pattern(&[Some(1), None, None], 1).unwrap();
        three.push_pattern(&[None, Some(1), None], 1).unwrap();
        three.push_pattern(&[None, None, Some(0)], 1).unwrap();
        all_undefined(
            &compute_all(&three, &opts),
            "no units coded by two or more raters",
        );
        // A single rater, however much they rated.
        let mut one = ReliabilityData::binary(vec!["a".into()]);
        one.push_pattern(&[Some(1)], 10).unwrap();
        all_undefined(
            &compute_all(&one, &opts),
            "a single rater: agreement needs two or more raters",
        );
        // One shared unit is enough to compute (here percent agreement is 1 on it).
        disjoint.push_unit(&[Some(1), Some(1)]).unwrap();
        let report = compute_all(&disjoint, &opts);
        assert_eq!(report.get("percent_agreement").value, Some(1.0));
    }

    #[test]
    fn bootstrap_is_reproducible() {
        let opts = StatOptions {
            bootstrap_replicates: 300,
            ..StatOptions::default()
        };
        let a = compute_all(&krippendorff_2011(), &opts).get("krippendorff_alpha");
        let b = compute_all(&krippendorff_2011(), &opts).get("krippendorff_alpha");
        assert_eq!(a, b);
    }
}
