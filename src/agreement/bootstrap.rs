//! A seeded bootstrap over units for statistics without a closed-form variance here (Krippendorff's
//! alpha, Light's kappa). Each replicate draws as many units as the data has, with replacement: a
//! multinomial draw of pattern counts, so a replicate costs time in the number of distinct patterns,
//! not units. Binomial steps are exact (waiting times) below 25 expected draws of the rarer outcome
//! and use the normal approximation above, which is far finer than a bootstrap's own error.

use super::data::ReliabilityData;

/// xoshiro256** seeded by `SplitMix64`: small, fast, reproducible across platforms.
#[derive(Debug, Clone)]
pub struct Rng([u64; 4]);

impl Rng {
    /// A generator from a seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self([next(), next(), next(), next()])
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform number in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A Binomial(n, p) draw.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        let mean = n as f64 * p;
        if mean < 25.0 {
            // Waiting times: count geometric gaps until they pass n.
            let log_q = (1.0 - p).ln();
            let (mut successes, mut position) = (0u64, 0.0f64);
            loop {
                position += ((1.0 - self.uniform()).ln() / log_q).floor() + 1.0;
                if position > n as f64 {
                    return successes;
                }
                successes += 1;
            }
        }
        let draw = (mean + (mean * (1.0 - p)).sqrt() * self.normal()).round();
        draw.clamp(0.0, n as f64) as u64
    }
}

/// Multinomial counts: `n` draws over categories with the given weights.
pub fn multinomial(rng: &mut Rng, n: u64, weights: &[u64]) -> Vec<u64> {
    let mut left_n = n;
    let mut left_w: u64 = weights.iter().sum();
    weights
        .iter()
        .map(|&w| {
            if left_w == 0 || left_n == 0 {
                return 0;
            }
            let draw = if w == left_w {
                left_n
            } else {
                rng.binomial(left_n, w as f64 / left_w as f64)
            };
            left_n -= draw;
            left_w -= w;
            draw
        })
        .collect()
}

/// Bootstrap summary: standard error and percentile interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    /// Standard deviation of the replicates.
    pub standard_error: f64,
    /// Percentile interval.
    pub interval: (f64, f64),
    /// Replicates with a defined value.
    pub used: usize,
}

/// Runs `replicates` bootstrap replicates of `stat` over units; `None` when fewer than two units or
/// fewer than half the replicates give a value.
pub fn bootstrap(
    data: &ReliabilityData,
    replicates: u32,
    seed: u64,
    confidence: f64,
    stat: impl Fn(&ReliabilityData) -> Option<f64>,
) -> Option<Bootstrap> {
    let n = data.n_units();
    if n < 2 || replicates < 2 {
        return None;
    }
    let mut rng = Rng::new(seed);
    let counts: Vec<u64> = data.patterns().iter().map(|p| p.count).collect();
    let mut values: Vec<f64> = (0..replicates)
        .filter_map(|_| stat(&data.with_counts(&multinomial(&mut rng, n, &counts))))
        .filter(|v| v.is_finite())
        .collect();
    if values.len() < (replicates as usize).div_ceil(2) || values.len() < 2 {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() as f64;
    let mean = values.iter().sum::<f64>() / m;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
    let tail = (1.0 - confidence) / 2.0;
    Some(Bootstrap {
        standard_error: sd,
        interval: (quantile(&values, tail), quantile(&values, 1.0 - tail)),
        used: values.len(),
    })
}

/// Linear-interpolated quantile of sorted values (R's type 7).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_counts_add_up() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(
            (0..5).map(|_| a.next_u64()).collect::<Vec<_>>(),
            (0..5).map(|_| b.next_u64()).collect::<Vec<_>>()
        );
        let draw = multinomial(&mut a, 1_000_000, &[10, 900_000, 99_990]);
        assert_eq!(draw.iter().sum::<u64>(), 1_000_000);
        assert!((draw[1] as f64 - 900_000.0).abs() < 5_000.0);
    }

    #[test]
    fn binomial_mean_is_right_in_both_regimes() {
        let mut rng = Rng::new(1);
        let small: f64 = (0..20_000)
            .map(|_| rng.binomial(100, 0.03) as f64)
            .sum::<f64>()
            / 20_000.0;
        assert!((small - 3.0).abs() < 0.1, "{small}");
        let large: f64 = (0..20_000)
            .map(|_| rng.binomial(10_000, 0.4) as f64)
            .sum::<f64>()
            / 20_000.0;
        assert!((large - 4_000.0).abs() < 5.0, "{large}");
    }
}
