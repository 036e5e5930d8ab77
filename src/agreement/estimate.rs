//! An estimate with its standard error and confidence interval, or the reason it is undefined; and the
//! Student t quantile the intervals use (as Gwet's irrCAC does: estimate ± t(1-a/2, n-1) × SE).

use serde::Serialize;

/// A statistic's value with its precision, or why it has none. NaN never appears: a 0/0 is `None`
/// with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Estimate {
    /// The value, when defined.
    pub value: Option<f64>,
    /// Its standard error, when known.
    pub standard_error: Option<f64>,
    /// Its confidence interval, when known.
    pub interval: Option<(f64, f64)>,
    /// Why the value is undefined (or why the precision is missing).
    pub undefined_reason: Option<String>,
}

impl Estimate {
    /// An undefined estimate.
    #[must_use]
    pub fn undefined(reason: impl Into<String>) -> Self {
        Self {
            undefined_reason: Some(reason.into()),
            ..Self::default()
        }
    }

    /// A value with a standard error and a t-based interval on `df` degrees of freedom, the upper bound
    /// capped at `max` (1 for agreement coefficients) and the lower at `min`.
    #[must_use]
    pub fn with_t_interval(
        value: f64,
        se: f64,
        df: f64,
        confidence: f64,
        (min, max): (f64, f64),
    ) -> Self {
        let finite = |x: f64| x.is_finite().then_some(x);
        let Some(value) = finite(value) else {
            return Self::undefined("the computation did not give a finite number");
        };
        let se = finite(se);
        let interval = se.and_then(|se| {
            let t = t_quantile(1.0 - (1.0 - confidence) / 2.0, df)?;
            Some(((value - t * se).max(min), (value + t * se).min(max)))
        });
        Self {
            value: Some(value),
            standard_error: se,
            interval,
            undefined_reason: None,
        }
    }

    /// A value without precision measures.
    #[must_use]
    pub fn point(value: f64) -> Self {
        if value.is_finite() {
            Self {
                value: Some(value),
                ..Self::default()
            }
        } else {
            Self::undefined("the computation did not give a finite number")
        }
    }
}

thread_local! {
    /// Quantiles already computed on this thread, by the bits of `(p, df)`: a report asks for the
    /// same few hundreds of times (every code of a report or of a breakdown column has the same
    /// number of units), and each costs a bisection over the incomplete beta function.
    static QUANTILES: std::cell::RefCell<std::collections::HashMap<(u64, u64), Option<f64>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom (`None` for df <= 0),
/// remembered per thread (at most 4096 at a time).
#[must_use]
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    let key = (p.to_bits(), df.to_bits());
    if let Some(known) = QUANTILES.with(|q| q.borrow().get(&key).copied()) {
        return known;
    }
    let value = t_quantile_uncached(p, df);
    QUANTILES.with(|q| {
        let mut q = q.borrow_mut();
        if q.len() >= 4096 {
            q.clear();
        }
        q.insert(key, value);
    });
    value
}

/// [`t_quantile`], computed.
fn t_quantile_uncached(p: f64, df: f64) -> Option<f64> {
    if df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    if (p - 0.5).abs() < 1e-15 {
        return Some(0.0);
    }
    let (sign, upper) = if p > 0.5 { (1.0, p) } else { (-1.0, 1.0 - p) };
    // Bisection on the CDF, which is monotone: 200 halvings reach full double precision.
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while t_cdf(hi, df) < upper {
        hi *= 2.0;
        if hi > 1e12 {
            return Some(sign * hi);
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < upper {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(sign * 0.5 * (lo + hi))
}

/// The CDF of Student's t at `t >= 0` (via the regularized incomplete beta function).
fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    1.0 - 0.5 * incomplete_beta(df / 2.0, 0.5, x)
}

/// The regularized incomplete beta function `I_x(a, b)` (Numerical Recipes' continued fraction).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        sum += g / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Values from any t table (and R's qt).
        for (df, q) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_73),
            (9.0, 2.262_157_163),
            (99.0, 1.984_216_952),
            (1e7, 1.959_964_2),
        ] {
            let got = t_quantile(0.975, df).unwrap();
            assert!((got - q).abs() < 1e-6, "df {df}: {got} vs {q}");
        }
        assert!((t_quantile(0.025, 9.0).unwrap() + 2.262_157_163).abs() < 1e-6);
        assert_eq!(t_quantile(0.975, 0.0), None);
        // Remembered quantiles are the computed ones, asked again or not.
        for df in [1.0, 2.5, 591.0, 1e7] {
            for p in [0.025, 0.975, 0.995] {
                let first = t_quantile(p, df);
                assert_eq!(first, t_quantile_uncached(p, df));
                assert_eq!(t_quantile(p, df), first);
            }
        }
    }

    #[test]
    fn intervals_are_capped_and_nan_never_leaks() {
        let e = Estimate::with_t_interval(0.9, 0.2, 10.0, 0.95, (-1.0, 1.0));
        assert_eq!(e.interval.unwrap().1, 1.0);
        let bad = Estimate::with_t_interval(f64::NAN, 0.1, 10.0, 0.95, (-1.0, 1.0));
        assert_eq!(bad.value, None);
        assert!(bad.undefined_reason.is_some());
    }
}
