//! Two-rater statistics from the contingency table of the units both raters rated: Cohen's kappa with
//! no, linear or quadratic weights, and Scott's pi, with the large-sample variances of Fleiss, Cohen &
//! Everitt (1969) as Gwet's irrCAC computes them (`kappa2.table`, `scott2.table`):
//!
//! `var = [Σ_kl p_kl (w_kl − (1 − κ)(w̄_k· + w̄_·l))² − (p_a − 2(1 − κ) p_e)²] / (n (1 − p_e)²)`,
//! with `w̄_k· = Σ_l w_kl p_·l` and `w̄_·l = Σ_k w_kl p_k·` (Scott: both marginals replaced by their mean).
//!
//! Weights use the DECLARED categories' positions `x_k`: at the nominal and ordinal levels their
//! ranks (0, 1, 2, ... in declared order, as R's `irr::kappa2` and statsmodels' `cohens_kappa` weigh:
//! categories 1, 2, 3, 4, 6 are five ranks, not the values 1..6); at the interval and ratio levels
//! their values, when every category has one (else their ranks).
//! Linear `1 − |x_k − x_l| / (max − min)`, quadratic `1 − (x_k − x_l)² / (max − min)²`.

use serde::Serialize;

use super::data::ReliabilityData;
use super::estimate::Estimate;
use super::krippendorff::Level;

/// Agreement weights between categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weights {
    /// Identity: only exact agreement counts.
    Unweighted,
    /// Linear in the distance between categories.
    Linear,
    /// Quadratic in the distance.
    Quadratic,
}

/// The weight matrix for the declared categories at a level of measurement: by rank at the nominal
/// and ordinal levels, by value at the interval and ratio levels (by rank when a category has no
/// value).
#[must_use]
pub fn weight_matrix(data: &ReliabilityData, weights: Weights, level: Level) -> Vec<Vec<f64>> {
    let cats = data.categories();
    let q = cats.len();
    let by_value = matches!(level, Level::Interval | Level::Ratio);
    let values: Vec<f64> = if by_value && cats.iter().all(|c| c.value.is_some()) {
        cats.iter().map(|c| c.value.unwrap_or(0.0)).collect()
    } else {
        (0..q).map(|i| i as f64).collect()
    };
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let range = max - min;
    (0..q)
        .map(|k| {
            (0..q)
                .map(|l| match weights {
                    _ if k == l => 1.0,
                    Weights::Unweighted => 0.0,
                    _ if range <= 0.0 => 0.0,
                    Weights::Linear => 1.0 - (values[k] - values[l]).abs() / range,
                    Weights::Quadratic => 1.0 - ((values[k] - values[l]) / range).powi(2),
                })
                .collect()
        })
        .collect()
}

/// The contingency table (counts) of two raters over the units both rated, and its total.
#[must_use]
pub fn table(data: &ReliabilityData, a: usize, b: usize) -> (Vec<Vec<f64>>, f64) {
    let q = data.categories().len();
    let mut t = vec![vec![0.0; q]; q];
    let mut n = 0.0;
    for p in data.patterns() {
        if let (Some(Some(x)), Some(Some(y))) = (p.cells.get(a), p.cells.get(b)) {
            t[*x as usize][*y as usize] += p.count as f64;
            n += p.count as f64;
        }
    }
    (t, n)
}

/// Cohen's kappa (or Scott's pi with `scott`) between raters `a` and `b`, weighted by rank (as at the
/// ordinal level; see [`two_rater_at`]).
#[must_use]
pub fn two_rater(
    data: &ReliabilityData,
    a: usize,
    b: usize,
    weights: Weights,
    scott: bool,
    confidence: f64,
) -> Estimate {
    two_rater_at(data, a, b, weights, Level::Ordinal, scott, confidence)
}

/// Why a two-rater statistic is undefined when the raters rated no unit in common.
pub const NO_COMMON_UNITS: &str = "no units coded by both raters";

/// Cohen's kappa (or Scott's pi with `scott`) between raters `a` and `b`, with weights at `level`
/// (see [`weight_matrix`]).
#[must_use]
pub fn two_rater_at(
    data: &ReliabilityData,
    a: usize,
    b: usize,
    weights: Weights,
    level: Level,
    scott: bool,
    confidence: f64,
) -> Estimate {
    let (counts, n) = table(data, a, b);
    if n == 0.0 {
        return Estimate::undefined(NO_COMMON_UNITS);
    }
    let w = weight_matrix(data, weights, level);
    let q = counts.len();
    let p: Vec<Vec<f64>> = counts
        .iter()
        .map(|row| row.iter().map(|c| c / n).collect())
        .collect();
    let mut row: Vec<f64> = p.iter().map(|r| r.iter().sum()).collect();
    let mut col: Vec<f64> = (0..q).map(|l| p.iter().map(|r| r[l]).sum()).collect();
    if scott {
        let mean: Vec<f64> = row.iter().zip(&col).map(|(r, c)| (r + c) / 2.0).collect();
        row.clone_from(&mean);
        col = mean;
    }
    let pa: f64 = (0..q)
        .flat_map(|k| (0..q).map(move |l| (k, l)))
        .map(|(k, l)| w[k][l] * p[k][l])
        .sum();
    let pe: f64 = (0..q)
        .flat_map(|k| (0..q).map(move |l| (k, l)))
        .map(|(k, l)| w[k][l] * row[k] * col[l])
        .sum();
    if 1.0 - pe <= 1e-12 {
        return Estimate::undefined(
            "undefined: expected agreement is 1 (both raters used a single category), so the coefficient is 0/0",
        );
    }
    let kappa = (pa - pe) / (1.0 - pe);
    if n < 2.0 {
        return Estimate {
            value: Some(kappa),
            ..Estimate::undefined("one unit: no standard error")
        };
    }
    let wbar_k: Vec<f64> = (0..q)
        .map(|k| (0..q).map(|l| w[k][l] * col[l]).sum())
        .collect();
    let wbar_l: Vec<f64> = (0..q)
        .map(|l| (0..q).map(|k| w[k][l] * row[k]).sum())
        .collect();
    let sum1: f64 = (0..q)
        .flat_map(|k| (0..q).map(move |l| (k, l)))
        .map(|(k, l)| p[k][l] * (w[k][l] - (1.0 - kappa) * (wbar_k[k] + wbar_l[l])).powi(2))
        .sum();
    let var = (sum1 - (pa - 2.0 * (1.0 - kappa) * pe).powi(2)) / (n * (1.0 - pe).powi(2));
    Estimate::with_t_interval(
        kappa,
        var.max(0.0).sqrt(),
        n - 1.0,
        confidence,
        (f64::NEG_INFINITY, 1.0),
    )
}

/// Light's (1971) kappa: the mean of Cohen's kappa over every pair of raters (point value only; the
/// caller bootstraps its precision).
pub fn light_kappa_value(data: &ReliabilityData) -> Result<f64, String> {
    let r = data.raters().len();
    let mut sum = 0.0;
    let mut pairs = 0.0;
    for a in 0..r {
        for b in a + 1..r {
            let e = two_rater(data, a, b, Weights::Unweighted, false, 0.95);
            let Some(v) = e.value else {
                return Err(format!(
                    "undefined: Cohen's kappa of {} and {} is undefined ({})",
                    data.raters()[a],
                    data.raters()[b],
                    e.undefined_reason.unwrap_or_default()
                ));
            };
            sum += v;
            pairs += 1.0;
        }
    }
    if pairs == 0.0 {
        Err("needs at least two raters".into())
    } else {
        Ok(sum / pairs)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::agreement::data::Category;

    fn from_table(t: &[&[u64]]) -> ReliabilityData {
        let q = t.len();
        let cats = (0..q)
            .map(|k| Category::new(format!("c{k}"), Some(k as f64)))
            .collect();
        let mut d = ReliabilityData::new(vec!["A".into(), "B".into()], cats);
        for (k, row) in t.iter().enumerate() {
            for (l, &c) in row.iter().enumerate() {
                d.push_pattern(&[Some(k as u32), Some(l as u32)], c)
                    .unwrap();
            }
        }
        d
    }

    #[track_caller]
    fn close(got: Option<f64>, want: f64, tol: f64) {
        let got = got.expect("defined");
        assert!((got - want).abs() <= tol, "got {got}, want {want}");
    }

    #[test]
    fn irrcac_cont3x3abstractors() {
        // Gwet's irrCAC README: contingency table `cont3x3abstractors` (100 units):
        // Cohen's kappa 0.7964094 (se 0.05891072, CI 0.68..0.913); Scott's pi 0.7962397 (se 0.05905473).
        let d = from_table(&[&[13, 0, 0], &[0, 20, 7], &[0, 4, 56]]);
        let k = two_rater(&d, 0, 1, Weights::Unweighted, false, 0.95);
        close(k.value, 0.796_409_4, 1e-7);
        close(k.standard_error, 0.058_910_72, 1e-8);
        close(k.interval.map(|i| i.0), 0.68, 5e-3);
        close(k.interval.map(|i| i.1), 0.913, 5e-4);
        let s = two_rater(&d, 0, 1, Weights::Unweighted, true, 0.95);
        close(s.value, 0.796_239_7, 1e-7);
        close(s.standard_error, 0.059_054_73, 1e-8);
    }

    #[test]
    fn cohen_1960_style_two_by_two() {
        // A textbook 2x2 example in the manner of Cohen (1960): 50 units, 20 yes/yes, 5 yes/no,
        // 10 no/yes, 15 no/no. p_o = 0.70, p_e = 0.25*... = 0.50, kappa = 0.40 (hand-computed:
        // rater A yes 25/50, rater B yes 30/50, p_e = 0.5*0.6 + 0.5*0.4 = 0.50).
        let d = from_table(&[&[15, 10], &[5, 20]]);
        close(
            two_rater(&d, 0, 1, Weights::Unweighted, false, 0.95).value,
            0.40,
            1e-12,
        );
        // With two categories, linear and quadratic weights are the identity: same kappa.
        close(
            two_rater(&d, 0, 1, Weights::Linear, false, 0.95).value,
            0.40,
            1e-12,
        );
        close(
            two_rater(&d, 0, 1, Weights::Quadratic, false, 0.95).value,
            0.40,
            1e-12,
        );
    }

    #[test]
    fn weighted_kappa_matches_a_hand_computation() {
        // 3 ordered categories; hand-computed from the definition: p_o(w) and p_e(w) with linear weights
        // w = [[1, .5, 0], [.5, 1, .5], [0, .5, 1]].
        let d = from_table(&[&[10, 5, 0], &[2, 10, 3], &[0, 5, 15]]);
        let n = 50.0;
        let po = (10.0 + 10.0 + 15.0 + 0.5 * (5.0 + 2.0 + 3.0 + 5.0)) / n;
        let row = [15.0 / n, 15.0 / n, 20.0 / n];
        let col = [12.0 / n, 20.0 / n, 18.0 / n];
        let w = [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]];
        let pe: f64 = (0..3)
            .flat_map(|k| (0..3).map(move |l| (k, l)))
            .map(|(k, l)| w[k][l] * row[k] * col[l])
            .sum();
        close(
            two_rater(&d, 0, 1, Weights::Linear, false, 0.95).value,
            (po - pe) / (1.0 - pe),
            1e-12,
        );
        // An unused declared category in the middle of an ordinal scale changes weighted kappa: the
        // order-based distances between the used categories change. (An unused category at an end
        // does not: weighted kappa is invariant to rescaling the weights.)
        let ordinal = |labels: &[&str]| {
            let cats = labels.iter().map(|l| Category::new(*l, None)).collect();
            let mut out = ReliabilityData::new(vec!["A".into(), "B".into()], cats);
            let index = |k: u32| labels.iter().position(|l| *l == format!("c{k}")).unwrap() as u32;
            for p in d.patterns() {
                let cells: Vec<Option<u32>> = p.cells.iter().map(|c| c.map(index)).collect();
                out.push_pattern(&cells, p.count).unwrap();
            }
            out
        };
        let narrow = two_rater(
            &ordinal(&["c0", "c1", "c2"]),
            0,
            1,
            Weights::Linear,
            false,
            0.95,
        )
        .value
        .unwrap();
        let wide = two_rater(
            &ordinal(&["c0", "unused", "c1", "c2"]),
            0,
            1,
            Weights::Linear,
            false,
            0.95,
        )
        .value
        .unwrap();
        assert!((narrow - wide).abs() > 1e-3);
    }

    /// Two raters, 20 units, five declared categories with the values 1, 2, 3, 4, 6 (ranks 0..4).
    /// Rows rater A, columns rater B: 3 on each diagonal cell; A 1 / B 2 once, A 3 / B 4 once,
    /// A 4 / B 6 twice, A 6 / B 4 once.
    pub(crate) fn values_1_2_3_4_6() -> ReliabilityData {
        let values = [1.0, 2.0, 3.0, 4.0, 6.0];
        let cats = values
            .iter()
            .map(|v| Category::new(v.to_string(), Some(*v)))
            .collect();
        let mut d = ReliabilityData::new(vec!["A".into(), "B".into()], cats);
        for k in 0..5 {
            d.push_pattern(&[Some(k), Some(k)], 3).unwrap();
        }
        for (k, l, count) in [(0, 1, 1), (2, 3, 1), (3, 4, 2), (4, 3, 1)] {
            d.push_pattern(&[Some(k), Some(l)], count).unwrap();
        }
        d
    }

    #[test]
    fn ordinal_weights_are_by_rank_and_interval_weights_by_value() {
        // Worked by hand (exact fractions). Row margins (4, 3, 4, 5, 4)/20, column margins
        // (3, 4, 3, 5, 5)/20; the 5 disagreements are all between neighbouring ranks.
        // Ordinal, by rank (0..4, range 4): linear w = 1 − |k − l|/4, so each disagreement weighs
        // 0.75: p_o = (15 + 0.75·5)/20 = 15/16; p_e = Σ w_kl p_k· p_·l = 481/800;
        // κ = (15/16 − 481/800)/(1 − 481/800) = 269/319 ≈ 0.843260. Quadratic w = 1 − (k − l)²/16:
        // p_o = (15 + 5·15/16)/20 = 63/64, p_e = 3/4, κ = 15/16 = 0.9375.
        // Interval, by value (1, 2, 3, 4, 6, range 5): linear 1 and 2 weigh 0.8, 3 and 4 0.8, 4 and
        // 6 0.6: p_o = (15 + 0.8 + 0.8 + 3·0.6)/20 = 0.92, p_e = 611/1000, κ = 309/389 ≈ 0.794344;
        // quadratic p_o = 243/250, p_e = 19/25, κ = 53/60 ≈ 0.883333.
        // (R's irr::kappa2(ratings, "equal") and statsmodels' cohens_kappa(table, wt="linear")
        // weigh by rank, so they give the ordinal figures.)
        let d = values_1_2_3_4_6();
        let at = |weights, level| {
            two_rater_at(&d, 0, 1, weights, level, false, 0.95)
                .value
                .unwrap()
        };
        for level in [Level::Nominal, Level::Ordinal] {
            close(Some(at(Weights::Linear, level)), 269.0 / 319.0, 1e-12);
            close(Some(at(Weights::Quadratic, level)), 15.0 / 16.0, 1e-12);
        }
        for level in [Level::Interval, Level::Ratio] {
            close(Some(at(Weights::Linear, level)), 309.0 / 389.0, 1e-12);
            close(Some(at(Weights::Quadratic, level)), 53.0 / 60.0, 1e-12);
        }
        // Unweighted kappa does not depend on the level: p_o = 15/20, p_e = 81/400, κ = 219/319.
        for level in [Level::Ordinal, Level::Interval] {
            close(Some(at(Weights::Unweighted, level)), 219.0 / 319.0, 1e-12);
        }
        // `two_rater` weighs by rank.
        close(
            two_rater(&d, 0, 1, Weights::Linear, false, 0.95).value,
            269.0 / 319.0,
            1e-12,
        );
    }

    #[test]
    fn undefined_cases() {
        let d = from_table(&[&[7, 0], &[0, 0]]);
        let k = two_rater(&d, 0, 1, Weights::Unweighted, false, 0.95);
        assert_eq!(k.value, None);
        assert!(k.undefined_reason.unwrap().contains("0/0"));
        let empty = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        assert!(
            two_rater(&empty, 0, 1, Weights::Unweighted, false, 0.95)
                .value
                .is_none()
        );
    }
}
