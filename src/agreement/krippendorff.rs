//! Krippendorff's alpha by the coincidence-matrix method (Krippendorff 2011, "Computing
//! Krippendorff's alpha-reliability"), for any number of raters with missing values:
//!
//! `o_ck = Σ_u Σ_{i≠j} [v_ui = c][v_uj = k] / (m_u − 1)` over units with `m_u ≥ 2` values;
//! `n_c = Σ_k o_ck`, `n = Σ_c n_c`; `α = 1 − (n − 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck`.
//!
//! Metrics: nominal `δ² = [c ≠ k]`; ordinal `δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²` over the declared
//! order; interval `(v_c − v_k)²`; ratio `((v_c − v_k)/(v_c + v_k))²`.

use serde::Serialize;

use super::data::ReliabilityData;

/// The level of measurement alpha treats the categories at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Unordered categories.
    #[default]
    Nominal,
    /// Ordered categories (declared order).
    Ordinal,
    /// Numbers with meaningful differences.
    Interval,
    /// Numbers with a meaningful zero.
    Ratio,
}

impl Level {
    /// Its lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Nominal => "nominal",
            Self::Ordinal => "ordinal",
            Self::Interval => "interval",
            Self::Ratio => "ratio",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "nominal" => Ok(Self::Nominal),
            "ordinal" => Ok(Self::Ordinal),
            "interval" => Ok(Self::Interval),
            "ratio" => Ok(Self::Ratio),
            _ => Err(format!(
                "unknown level {s:?} (expected nominal, ordinal, interval or ratio)"
            )),
        }
    }
}

/// The coincidence matrix of the data.
#[must_use]
pub fn coincidences(data: &ReliabilityData) -> Vec<Vec<f64>> {
    let q = data.categories().len();
    let mut o = vec![vec![0.0; q]; q];
    let mut r_k = vec![0.0; q];
    for p in data.patterns() {
        r_k.fill(0.0);
        for c in p.cells.iter().flatten() {
            r_k[*c as usize] += 1.0;
        }
        let m: f64 = r_k.iter().sum();
        if m < 2.0 {
            continue;
        }
        let weight = p.count as f64 / (m - 1.0);
        for c in 0..q {
            if r_k[c] == 0.0 {
                continue;
            }
            for k in 0..q {
                let pairs = if c == k {
                    r_k[c] * (r_k[c] - 1.0)
                } else {
                    r_k[c] * r_k[k]
                };
                o[c][k] += pairs * weight;
            }
        }
    }
    o
}

/// Alpha at a level, or why it is undefined.
pub fn alpha(data: &ReliabilityData, level: Level) -> Result<f64, String> {
    alpha_from_coincidences(&coincidences(data), data, level)
}

/// Alpha from a coincidence matrix (used by the bootstrap, which rebuilds the matrix per replicate).
pub fn alpha_from_coincidences(
    o: &[Vec<f64>],
    data: &ReliabilityData,
    level: Level,
) -> Result<f64, String> {
    let q = o.len();
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    if n < 2.0 {
        return Err("undefined: no unit has two or more values (nothing is pairable)".into());
    }
    let delta = metric(data, level, &n_c)?;
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..q {
        for k in 0..q {
            if c != k {
                observed += o[c][k] * delta[c][k];
                expected += n_c[c] * n_c[k] * delta[c][k];
            }
        }
    }
    if expected <= 0.0 {
        return Err(
            "undefined: expected disagreement is 0 (every value is the same), so alpha is 0/0"
                .into(),
        );
    }
    Ok(1.0 - (n - 1.0) * observed / expected)
}

fn metric(data: &ReliabilityData, level: Level, n_c: &[f64]) -> Result<Vec<Vec<f64>>, String> {
    let q = n_c.len();
    let values: Option<Vec<f64>> = data.categories().iter().map(|c| c.value).collect();
    let numeric = || {
        values.clone().ok_or_else(|| {
            format!(
                "undefined: {} alpha needs numeric categories",
                level.as_str()
            )
        })
    };
    let mut delta = vec![vec![0.0; q]; q];
    for c in 0..q {
        for k in 0..q {
            delta[c][k] = match level {
                Level::Nominal => f64::from(u8::from(c != k)),
                Level::Ordinal => {
                    let (lo, hi) = (c.min(k), c.max(k));
                    let between: f64 = n_c[lo..=hi].iter().sum();
                    (between - f64::midpoint(n_c[c], n_c[k])).powi(2)
                }
                Level::Interval => {
                    let v = numeric()?;
                    (v[c] - v[k]).powi(2)
                }
                Level::Ratio => {
                    let v = numeric()?;
                    let sum = v[c] + v[k];
                    if sum == 0.0 {
                        0.0
                    } else {
                        ((v[c] - v[k]) / sum).powi(2)
                    }
                }
            };
        }
    }
    Ok(delta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::gwet::tests::krippendorff_2011;

    #[test]
    fn krippendorff_2011_all_levels() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers,
        // 12 units, values 1-5 with missing data: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
        let d = krippendorff_2011();
        for (level, want) in [
            (Level::Nominal, 0.743),
            (Level::Ordinal, 0.815),
            (Level::Interval, 0.849),
            (Level::Ratio, 0.797),
        ] {
            let got = alpha(&d, level).unwrap();
            assert!((got - want).abs() < 5e-4, "{level:?}: {got} vs {want}");
        }
        // irrCAC prints the nominal value to five places: 0.74342.
        assert!((alpha(&d, Level::Nominal).unwrap() - 0.743_42).abs() < 5e-6);
    }

    #[test]
    fn undefined_when_nothing_varies_or_pairs() {
        let mut d = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        d.push_pattern(&[Some(1), Some(1)], 10).unwrap();
        assert!(alpha(&d, Level::Nominal).unwrap_err().contains("0/0"));
        let mut lone = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        lone.push_unit(&[Some(1), None]).unwrap();
        assert!(
            alpha(&lone, Level::Nominal)
                .unwrap_err()
                .contains("pairable")
        );
    }
}
