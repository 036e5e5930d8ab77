//! Property tests of the statistics: symmetric in raters, within bounds, exactly 1 on perfect
//! agreement, and the pattern-compressed implementations equal naive ones written straight from the
//! formulas over uncompressed units.

use proptest::prelude::*;

use super::cohen::{Weights, two_rater};
use super::data::{Category, ReliabilityData};
use super::gwet::gwet_family;
use super::krippendorff::{Level, alpha};
use super::report::{STATISTICS, StatOptions, compute_all};

type Units = Vec<Vec<Option<u32>>>;

fn units_strategy() -> impl Strategy<Value = (usize, usize, Units)> {
    (2usize..5, 2usize..4).prop_flat_map(|(raters, q)| {
        let cell = prop_oneof![1 => Just(None), 4 => (0..q as u32).prop_map(Some)];
        (
            Just(raters),
            Just(q),
            prop::collection::vec(prop::collection::vec(cell, raters), 2..40),
        )
    })
}

fn data(raters: usize, q: usize, units: &Units) -> ReliabilityData {
    let cats = (0..q)
        .map(|k| Category::new(format!("c{k}"), Some(k as f64)))
        .collect();
    let mut d = ReliabilityData::new((0..raters).map(|r| format!("r{r}")).collect(), cats);
    for u in units {
        d.push_unit(u).unwrap();
    }
    d
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

/// Krippendorff's alpha (nominal) from its definition: every ordered pair of values within a unit.
fn naive_alpha(units: &Units, q: usize) -> Option<f64> {
    let mut o = vec![vec![0.0; q]; q];
    for u in units {
        let values: Vec<usize> = u.iter().flatten().map(|v| *v as usize).collect();
        let m = values.len() as f64;
        if m < 2.0 {
            continue;
        }
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                if i != j {
                    o[*a][*b] += 1.0 / (m - 1.0);
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|r| r.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    let d_o: f64 = (0..q)
        .flat_map(|c| (0..q).map(move |k| (c, k)))
        .filter(|(c, k)| c != k)
        .map(|(c, k)| o[c][k])
        .sum::<f64>()
        / n;
    let d_e: f64 = (0..q)
        .flat_map(|c| (0..q).map(move |k| (c, k)))
        .filter(|(c, k)| c != k)
        .map(|(c, k)| n_c[c] * n_c[k])
        .sum::<f64>()
        / (n * (n - 1.0));
    (n >= 2.0 && d_e > 0.0).then(|| 1.0 - d_o / d_e)
}

/// Fleiss' kappa and AC1 with missing data, from Gwet's formulas, unit by unit.
fn naive_fleiss_ac1(units: &Units, q: usize) -> (Option<f64>, Option<f64>) {
    let rated: Vec<Vec<f64>> = units
        .iter()
        .map(|u| {
            (0..q)
                .map(|k| u.iter().filter(|v| **v == Some(k as u32)).count() as f64)
                .collect()
        })
        .filter(|r: &Vec<f64>| r.iter().sum::<f64>() > 0.0)
        .collect();
    let n = rated.len() as f64;
    let pairable: Vec<&Vec<f64>> = rated
        .iter()
        .filter(|r| r.iter().sum::<f64>() >= 2.0)
        .collect();
    if pairable.is_empty() {
        return (None, None);
    }
    let pa = pairable
        .iter()
        .map(|r| {
            let m: f64 = r.iter().sum();
            r.iter().map(|x| x * (x - 1.0)).sum::<f64>() / (m * (m - 1.0))
        })
        .sum::<f64>()
        / pairable.len() as f64;
    let pi: Vec<f64> = (0..q)
        .map(|k| {
            rated
                .iter()
                .map(|r| r[k] / r.iter().sum::<f64>())
                .sum::<f64>()
                / n
        })
        .collect();
    let pe_f: f64 = pi.iter().map(|p| p * p).sum();
    let pe_a: f64 = pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (q as f64 - 1.0);
    let k = |pe: f64| (1.0 - pe > 1e-12).then(|| (pa - pe) / (1.0 - pe));
    (k(pe_f), k(pe_a))
}

/// Cohen's kappa from the definition, over units both raters rated.
fn naive_cohen(units: &Units, q: usize) -> Option<f64> {
    let both: Vec<(usize, usize)> = units
        .iter()
        .filter_map(|u| Some((u[0]? as usize, u[1]? as usize)))
        .collect();
    let n = both.len() as f64;
    if n == 0.0 {
        return None;
    }
    let po = both.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let pe: f64 = (0..q)
        .map(|k| {
            let a = both.iter().filter(|(x, _)| *x == k).count() as f64 / n;
            let b = both.iter().filter(|(_, y)| *y == k).count() as f64 / n;
            a * b
        })
        .sum();
    (1.0 - pe > 1e-12).then(|| (po - pe) / (1.0 - pe))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fast_equals_naive((raters, q, units) in units_strategy()) {
        let d = data(raters, q, &units);
        prop_assert!(close(alpha(&d, Level::Nominal).ok(), naive_alpha(&units, q)));
        let f = gwet_family(&d, 0.95);
        let (fleiss, ac1) = naive_fleiss_ac1(&units, q);
        prop_assert!(close(f.fleiss.value, fleiss), "fleiss {:?} vs {:?}", f.fleiss.value, fleiss);
        prop_assert!(close(f.ac1.value, ac1), "ac1 {:?} vs {:?}", f.ac1.value, ac1);
        if raters == 2 {
            prop_assert!(close(two_rater(&d, 0, 1, Weights::Unweighted, false, 0.95).value, naive_cohen(&units, q)));
        }
    }

    #[test]
    fn symmetric_in_raters((raters, q, units) in units_strategy()) {
        let opts = StatOptions { bootstrap_replicates: 0, ..StatOptions::default() };
        let forward = compute_all(&data(raters, q, &units), &opts);
        let reversed: Units = units.iter().map(|u| u.iter().rev().copied().collect()).collect();
        let backward = compute_all(&data(raters, q, &reversed), &opts);
        for name in STATISTICS {
            prop_assert!(close(forward.get(name).value, backward.get(name).value), "{name}");
        }
    }

    #[test]
    fn within_bounds((raters, q, units) in units_strategy()) {
        let opts = StatOptions { bootstrap_replicates: 0, ..StatOptions::default() };
        let report = compute_all(&data(raters, q, &units), &opts);
        for name in STATISTICS {
            if let Some(v) = report.get(name).value {
                prop_assert!(v.is_finite() && v <= 1.0 + 1e-9, "{name} = {v}");
                if name == "percent_agreement" {
                    prop_assert!(v >= -1e-12);
                }
            }
            if let (Some(v), Some((lo, hi))) = (report.get(name).value, report.get(name).interval) {
                prop_assert!(lo <= v + 1e-9 && v <= hi + 1e-9 && hi <= 1.0 + 1e-12, "{name}: {v} not in {lo}..{hi}");
            }
        }
    }

    #[test]
    fn perfect_agreement_gives_one(raters in 2usize..5, values in prop::collection::vec(0u32..3, 2..30)) {
        prop_assume!(values.iter().any(|v| *v != values[0]));
        let units: Units = values.iter().map(|v| vec![Some(*v); raters]).collect();
        let opts = StatOptions { bootstrap_replicates: 0, ..StatOptions::default() };
        let report = compute_all(&data(raters, 3, &units), &opts);
        for name in STATISTICS {
            if let Some(v) = report.get(name).value {
                prop_assert!((v - 1.0).abs() < 1e-12, "{name} = {v}");
            } else {
                let two_only = ["cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic", "scott_pi"].contains(&name);
                prop_assert!((two_only && raters != 2) || (name == "mean_pairwise_cohen_kappa" && raters < 3), "{name} undefined");
            }
        }
    }
}

#[test]
fn edge_cases_never_give_nan() {
    let opts = StatOptions {
        bootstrap_replicates: 50,
        ..StatOptions::default()
    };
    let two = || vec!["a".to_string(), "b".to_string()];
    let mut one_unit = ReliabilityData::binary(two());
    one_unit.push_unit(&[Some(1), Some(0)]).unwrap();
    let mut all_missing = ReliabilityData::binary(two());
    all_missing.push_pattern(&[None, None], 5).unwrap();
    let mut silent_rater = ReliabilityData::binary(vec!["a".into(), "b".into(), "c".into()]);
    silent_rater
        .push_pattern(&[Some(1), Some(1), None], 3)
        .unwrap();
    silent_rater
        .push_pattern(&[Some(0), Some(1), None], 2)
        .unwrap();
    let mut unused = ReliabilityData::binary(two());
    unused.push_pattern(&[Some(0), Some(0)], 40).unwrap();
    for (label, d) in [
        ("one unit", one_unit),
        ("all missing", all_missing),
        ("a rater with no ratings", silent_rater),
        ("a code nobody used", unused),
    ] {
        let report = compute_all(&d, &opts);
        let json = report.to_json().to_string();
        assert!(
            !json.contains("NaN") && !json.contains("inf"),
            "{label}: {json}"
        );
        for name in STATISTICS {
            let e = report.get(name);
            assert!(
                e.value.is_some() || e.undefined_reason.is_some(),
                "{label}: {name} has neither value nor reason"
            );
        }
    }
}
