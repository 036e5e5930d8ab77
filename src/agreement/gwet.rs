//! Percent agreement, Fleiss' kappa, Gwet's AC1 and Brennan-Prediger for any number of raters with
//! missing ratings, in the framework of Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.,
//! ch. 5, with the variance formulas of Gwet (2008) as his irrCAC package implements them:
//!
//! - units with no rating are dropped; `n` units remain, `n2` of them with two or more ratings;
//! - `p_a = (1/n2) Σ_{i: r_i≥2} Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))`;
//! - `π_k = (1/n) Σ_i r_ik / r_i`;
//! - chance agreement `p_e`: Fleiss `Σ_k π_k²`; AC1 `Σ_k π_k (1 − π_k) / (q − 1)`; Brennan-Prediger `1/q`
//!   with `q` the number of DECLARED categories;
//! - coefficient `(p_a − p_e) / (1 − p_e)`;
//! - variance `(1/(n(n−1))) Σ_i (κ*_i − κ)²` with the linearised unit terms
//!   `κ*_i = (n/n2)(p_a|i − p_e·[r_i≥2])/(1 − p_e) − 2(1 − κ)(p_e|i − p_e)/(1 − p_e)`.

use super::data::ReliabilityData;
use super::estimate::Estimate;

/// Per-pattern tallies: how many units, how many ratings each, and per category.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// Units with this pattern.
    pub count: f64,
    /// Ratings per unit.
    pub r: f64,
    /// Ratings per category.
    pub r_k: Vec<f64>,
}

/// Tallies of every pattern with at least one rating.
pub(crate) fn tallies(data: &ReliabilityData) -> Vec<Tally> {
    let q = data.categories().len();
    data.patterns()
        .iter()
        .filter_map(|p| {
            let mut r_k = vec![0.0; q];
            for c in p.cells.iter().flatten() {
                r_k[*c as usize] += 1.0;
            }
            let r: f64 = r_k.iter().sum();
            (r >= 1.0).then_some(Tally {
                count: p.count as f64,
                r,
                r_k,
            })
        })
        .collect()
}

/// The multi-rater coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct GwetFamily {
    /// Percent agreement `p_a`.
    pub percent: Estimate,
    /// Fleiss' kappa.
    pub fleiss: Estimate,
    /// Gwet's AC1.
    pub ac1: Estimate,
    /// Brennan-Prediger.
    pub brennan_prediger: Estimate,
}

struct Common {
    n: f64,
    n2: f64,
    pa: f64,
    pi: Vec<f64>,
    /// Each tally with its unit agreement `p_a|i`.
    units: Vec<(Tally, f64)>,
}

fn common(data: &ReliabilityData) -> Option<Common> {
    let units: Vec<(Tally, f64)> = tallies(data)
        .into_iter()
        .map(|t| {
            let pa_i = if t.r >= 2.0 {
                t.r_k.iter().map(|x| x * (x - 1.0)).sum::<f64>() / (t.r * (t.r - 1.0))
            } else {
                0.0
            };
            (t, pa_i)
        })
        .collect();
    let n: f64 = units.iter().map(|(t, _)| t.count).sum();
    let n2: f64 = units
        .iter()
        .filter(|(t, _)| t.r >= 2.0)
        .map(|(t, _)| t.count)
        .sum();
    if n2 == 0.0 {
        return None;
    }
    let pa = units.iter().map(|(t, pa_i)| t.count * pa_i).sum::<f64>() / n2;
    let q = data.categories().len();
    let mut pi = vec![0.0; q];
    for (t, _) in &units {
        for (k, x) in t.r_k.iter().enumerate() {
            pi[k] += t.count * x / t.r;
        }
    }
    for p in &mut pi {
        *p /= n;
    }
    Some(Common {
        n,
        n2,
        pa,
        pi,
        units,
    })
}

/// Computes the four coefficients.
#[must_use]
pub fn gwet_family(data: &ReliabilityData, confidence: f64) -> GwetFamily {
    let Some(c) = common(data) else {
        let none = || Estimate::undefined("no unit was rated by two or more raters");
        return GwetFamily {
            percent: none(),
            fleiss: none(),
            ac1: none(),
            brennan_prediger: none(),
        };
    };
    let q = c.pi.len() as f64;
    let percent = percent(&c, confidence);
    let fleiss_pe = c.pi.iter().map(|p| p * p).sum::<f64>();
    let fleiss = coefficient(&c, fleiss_pe, confidence, |t| {
        t.r_k.iter().zip(&c.pi).map(|(x, p)| x * p).sum::<f64>() / t.r
    });
    let ac1 = if q < 2.0 {
        Estimate::undefined("AC1 needs at least two declared categories")
    } else {
        let pe = c.pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (q - 1.0);
        coefficient(&c, pe, confidence, |t| {
            t.r_k
                .iter()
                .zip(&c.pi)
                .map(|(x, p)| x * (1.0 - p))
                .sum::<f64>()
                / (t.r * (q - 1.0))
        })
    };
    let bp_pe = if q > 0.0 { 1.0 / q } else { 1.0 };
    let brennan_prediger = coefficient(&c, bp_pe, confidence, |_| bp_pe);
    GwetFamily {
        percent,
        fleiss,
        ac1,
        brennan_prediger,
    }
}

fn percent(c: &Common, confidence: f64) -> Estimate {
    if c.n < 2.0 {
        return Estimate {
            value: Some(c.pa),
            ..Estimate::undefined("one unit: no standard error")
        };
    }
    let ss: f64 = c
        .units
        .iter()
        .map(|(t, pa_i)| t.count * ((c.n / c.n2) * pa_i - c.pa).powi(2))
        .sum();
    let se = (ss / (c.n * (c.n - 1.0))).sqrt();
    Estimate::with_t_interval(c.pa, se, c.n - 1.0, confidence, (0.0, 1.0))
}

/// A chance-corrected coefficient with chance agreement `pe` and per-unit chance terms `pe_i`.
fn coefficient(c: &Common, pe: f64, confidence: f64, pe_i: impl Fn(&Tally) -> f64) -> Estimate {
    if 1.0 - pe <= 1e-12 {
        return Estimate::undefined(
            "undefined: expected agreement is 1 (every rating is in the same category), so the coefficient is 0/0",
        );
    }
    let kappa = (c.pa - pe) / (1.0 - pe);
    if c.n < 2.0 {
        return Estimate {
            value: Some(kappa),
            ..Estimate::undefined("one unit: no standard error")
        };
    }
    let ss: f64 = c
        .units
        .iter()
        .map(|(t, pa_i)| {
            let rated = if t.r >= 2.0 { 1.0 } else { 0.0 };
            let k_i = (c.n / c.n2) * (pa_i - pe * rated) / (1.0 - pe);
            let x_i = k_i - 2.0 * (1.0 - kappa) * (pe_i(t) - pe) / (1.0 - pe);
            t.count * (x_i - kappa).powi(2)
        })
        .sum();
    let se = (ss / (c.n * (c.n - 1.0))).sqrt();
    Estimate::with_t_interval(kappa, se, c.n - 1.0, confidence, (f64::NEG_INFINITY, 1.0))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::agreement::data::Category;

    /// Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 observers x 12 units
    /// example with missing values; the same data is irrCAC's `cac.raw4raters`.
    pub(crate) fn krippendorff_2011() -> ReliabilityData {
        let rows: [[Option<u32>; 4]; 12] = [
            [Some(1), Some(1), None, Some(1)],
            [Some(2), Some(2), Some(3), Some(2)],
            [Some(3), Some(3), Some(3), Some(3)],
            [Some(3), Some(3), Some(3), Some(3)],
            [Some(2), Some(2), Some(2), Some(2)],
            [Some(1), Some(2), Some(3), Some(4)],
            [Some(4), Some(4), Some(4), Some(4)],
            [Some(1), Some(1), Some(2), Some(1)],
            [Some(2), Some(2), Some(2), Some(2)],
            [None, Some(5), Some(5), Some(5)],
            [None, None, Some(1), Some(1)],
            [None, None, Some(3), None],
        ];
        let cats = (1..=5)
            .map(|v| Category::new(v.to_string(), Some(f64::from(v))))
            .collect();
        let mut d =
            ReliabilityData::new(vec!["A".into(), "B".into(), "C".into(), "D".into()], cats);
        for row in rows {
            let cells: Vec<Option<u32>> = row.iter().map(|c| c.map(|v| v - 1)).collect();
            d.push_unit(&cells).unwrap();
        }
        d
    }

    #[track_caller]
    fn close(got: Option<f64>, want: f64, tol: f64) {
        let got = got.expect("defined");
        assert!((got - want).abs() <= tol, "got {got}, want {want}");
    }

    #[test]
    fn irrcac_cac_raw4raters_values_and_standard_errors() {
        // Gwet's irrCAC README (kgwet/irrCAC), raw ratings `cac.raw4raters`:
        // pa 0.8181818 (se 0.12561); AC1 0.77544 (se 0.14295, CI 0.461..1);
        // Fleiss 0.76117 (se 0.15302, CI 0.424..1); Brennan-Prediger 0.77273 (se 0.14472, CI 0.454..1).
        let f = gwet_family(&krippendorff_2011(), 0.95);
        close(f.percent.value, 0.818_181_8, 1e-7);
        close(f.percent.standard_error, 0.125_61, 5e-6);
        close(f.ac1.value, 0.775_44, 5e-6);
        close(f.ac1.standard_error, 0.142_95, 5e-6);
        close(f.ac1.interval.map(|i| i.0), 0.461, 5e-4);
        close(f.fleiss.value, 0.761_17, 5e-6);
        close(f.fleiss.standard_error, 0.153_02, 5e-6);
        close(f.fleiss.interval.map(|i| i.0), 0.424, 5e-4);
        close(f.brennan_prediger.value, 0.772_73, 5e-6);
        close(f.brennan_prediger.standard_error, 0.144_72, 5e-6);
        assert_eq!(f.ac1.interval.unwrap().1, 1.0);
    }

    #[test]
    fn fleiss_1971_diagnoses_kappa_0430() {
        // Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological
        // Bulletin 76(5): 30 patients, 6 psychiatrists, 5 diagnoses; kappa = 0.430 (the R package
        // irr's `diagnoses` data and `kappam.fleiss`).
        let rows = [
            [4, 4, 4, 4, 4, 4],
            [2, 2, 2, 5, 5, 5],
            [2, 3, 3, 3, 3, 5],
            [5, 5, 5, 5, 5, 5],
            [2, 2, 2, 4, 4, 4],
            [1, 1, 3, 3, 3, 3],
            [3, 3, 3, 3, 5, 5],
            [1, 1, 3, 3, 3, 4],
            [1, 1, 4, 4, 4, 4],
            [5, 5, 5, 5, 5, 5],
            [1, 4, 4, 4, 4, 4],
            [1, 2, 4, 4, 4, 4],
            [2, 2, 2, 3, 3, 3],
            [1, 4, 4, 4, 4, 4],
            [2, 2, 4, 4, 4, 5],
            [3, 3, 3, 3, 3, 5],
            [1, 1, 1, 4, 5, 5],
            [1, 1, 1, 1, 1, 2],
            [2, 2, 4, 4, 4, 4],
            [1, 3, 3, 5, 5, 5],
            [5, 5, 5, 5, 5, 5],
            [2, 4, 4, 4, 4, 4],
            [2, 2, 4, 5, 5, 5],
            [1, 1, 4, 4, 4, 4],
            [1, 4, 4, 4, 4, 5],
            [2, 2, 2, 2, 2, 4],
            [1, 1, 1, 1, 5, 5],
            [2, 2, 4, 4, 4, 4],
            [1, 3, 3, 3, 3, 3],
            [5, 5, 5, 5, 5, 5],
        ];
        let cats = (1..=5)
            .map(|v| Category::new(v.to_string(), None))
            .collect();
        let mut d = ReliabilityData::new((1..=6).map(|r| format!("r{r}")).collect(), cats);
        for row in rows {
            let cells: Vec<Option<u32>> = row.iter().map(|v: &u32| Some(v - 1)).collect();
            d.push_unit(&cells).unwrap();
        }
        let f = gwet_family(&d, 0.95);
        close(f.fleiss.value, 0.430, 5e-4);
    }

    #[test]
    fn one_category_is_undefined_not_zero_or_one() {
        let mut d = ReliabilityData::new(
            vec!["a".into(), "b".into()],
            vec![Category::new("x", None), Category::new("y", None)],
        );
        for _ in 0..5 {
            d.push_unit(&[Some(0), Some(0)]).unwrap();
        }
        let f = gwet_family(&d, 0.95);
        assert_eq!(f.fleiss.value, None);
        assert!(
            f.fleiss
                .undefined_reason
                .unwrap()
                .contains("expected agreement is 1")
        );
        assert_eq!(f.percent.value, Some(1.0));
        // AC1 and Brennan-Prediger stay defined: the declared second category keeps chance below 1.
        assert_eq!(f.ac1.value, Some(1.0));
        assert_eq!(f.brennan_prediger.value, Some(1.0));
        let empty = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        assert!(gwet_family(&empty, 0.95).percent.value.is_none());
    }
}
