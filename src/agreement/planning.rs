//! Reliability planning: how many units must be double-coded for a statistic's confidence interval
//! to be narrower than a chosen width, and a seeded sample stratified by case attributes.
//!
//! - **From the pilot's standard error.** An interval is `estimate ± t(n − 1) × SE`, and the
//!   standard errors Accord reports (Fleiss, Cohen & Everitt for Cohen's kappa; Gwet's linearised
//!   variance; the bootstrap's) shrink as `1/√n` when the units keep the pilot's mix of patterns. So
//!   at `n` units the width is about `2 t(n − 1) SE_p √(n_p / n)`, and the requirement is the
//!   smallest `n` where that is at most the width asked (about `n_p (2 z SE_p / w)²`).
//! - **From the prevalence** (a cross-check, and for a code the pilot barely saw): the large-sample
//!   variance of kappa for a binary code that both raters use with prevalence `p` (Bloch & Kraemer
//!   1989, *Biometrics* 45, the intraclass kappa; it equals Fleiss, Cohen & Everitt's variance on
//!   the 2 × 2 table expected at that `p` and kappa, Cantor 1996, *Psychological Methods* 1):
//!   `n · Var(κ̂) = (1 − κ) [(1 − κ)(1 − 2κ) + κ (2 − κ) / (2 p (1 − p))]`.
//! - **Stratified sample.** Each stratum gets a share of the sample proportional to its size,
//!   rounded by largest remainder (Hamilton's method; ties to the first stratum), then its members
//!   are drawn with the seeded generator of the bootstrap: the same seed gives the same sample.

use super::bootstrap::Rng;
use super::estimate::t_quantile;

/// Degrees of freedom standing in for the normal distribution (t(0.975, 1e7) = 1.959964).
const NORMAL_DF: f64 = 1e7;

/// No requirement above this many units is reported (it would mean nothing to a team).
const MAX_UNITS: f64 = 1e12;

/// The width, at `n` units, of an interval whose standard error per unit is `unit_sd` (the pilot's
/// SE × `√n_p`): `2 t(1 − (1 − c)/2, n − 1) unit_sd / √n`. `None` below two units.
#[must_use]
pub fn width_at(unit_sd: f64, n: u64, confidence: f64) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let t = t_quantile(1.0 - (1.0 - confidence) / 2.0, (n - 1) as f64)?;
    Some(2.0 * t * unit_sd / (n as f64).sqrt())
}

/// The smallest number of units at which [`width_at`] is at most `width` (at least 2).
fn smallest_n(unit_sd: f64, width: f64, confidence: f64) -> Result<u64, String> {
    let p = 1.0 - (1.0 - confidence) / 2.0;
    let z = t_quantile(p, NORMAL_DF).ok_or("no quantile for this confidence")?;
    let bound = |q: f64| (unit_sd * 2.0 * q / width).powi(2).ceil();
    let lower = bound(z).max(2.0);
    if !lower.is_finite() || lower > MAX_UNITS {
        return Err(format!(
            "more than {MAX_UNITS:e} units would be needed: the interval is far too wide for this width"
        ));
    }
    // t(n − 1) > z, so `lower` may fall short; at `upper` (t taken at lower − 1, which is at
    // least t(upper − 1)) the width is within the target. The width falls with n: bisect.
    let mut lo = lower as u64;
    if width_at(unit_sd, lo, confidence).is_some_and(|w| w <= width) {
        return Ok(lo);
    }
    let t = t_quantile(p, (lo - 1) as f64).ok_or("no quantile for this confidence")?;
    let mut hi = (bound(t) as u64).max(lo + 1);
    while !width_at(unit_sd, hi, confidence).is_some_and(|w| w <= width) {
        hi = hi.saturating_mul(2);
        if hi as f64 > MAX_UNITS {
            return Err("the width cannot be reached".into());
        }
    }
    // Invariant: width(lo) > width >= width(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if width_at(unit_sd, mid, confidence).is_some_and(|w| w <= width) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// Checks a width in (0, 2] and a confidence in (0, 1).
fn check(width: f64, confidence: f64) -> Result<(), String> {
    if !(width > 0.0 && width <= 2.0) {
        return Err(format!(
            "the width must be in (0, 2], not {width} (an agreement coefficient lies in [-1, 1])"
        ));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(format!(
            "the confidence must be in (0, 1), not {confidence}"
        ));
    }
    Ok(())
}

/// The units needed for an interval at most `width` wide, projected from a pilot of `pilot_units`
/// units whose standard error was `se`: the smallest `n` with `2 t(n − 1) se √(pilot_units / n) <=
/// width`. An error says why no figure can be given.
pub fn projected_units(
    pilot_units: u64,
    se: Option<f64>,
    width: f64,
    confidence: f64,
) -> Result<u64, String> {
    check(width, confidence)?;
    if pilot_units < 2 {
        return Err("the pilot has fewer than two units".into());
    }
    let Some(se) = se.filter(|s| s.is_finite() && *s >= 0.0) else {
        return Err("the pilot gives no standard error".into());
    };
    if se == 0.0 {
        return Err(
            "the pilot's standard error is 0 (perfect agreement, or every unit rated alike), so \
             it cannot say how precision grows; code more units and measure again"
                .into(),
        );
    }
    smallest_n(se * (pilot_units as f64).sqrt(), width, confidence)
}

/// `n · Var(κ̂)` for a binary code both raters use with prevalence `p` at kappa `kappa` (Bloch &
/// Kraemer 1989): `(1 − κ) [(1 − κ)(1 − 2κ) + κ (2 − κ) / (2 p (1 − p))]`. `None` for `p` outside
/// (0, 1) or a kappa no 2 × 2 table with both margins `p` has (below `−min(p, 1 − p)/max(p, 1 − p)`
/// or above 1).
#[must_use]
pub fn binary_kappa_unit_variance(kappa: f64, p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0 && kappa.is_finite()) {
        return None;
    }
    let floor = -p.min(1.0 - p) / p.max(1.0 - p);
    if kappa < floor || kappa > 1.0 {
        return None;
    }
    let v = (1.0 - kappa)
        * ((1.0 - kappa) * (1.0 - 2.0 * kappa) + kappa * (2.0 - kappa) / (2.0 * p * (1.0 - p)));
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// The units needed for kappa's interval to be at most `width` wide for a binary code of prevalence
/// `p` at kappa `kappa`, from [`binary_kappa_unit_variance`] (the smallest `n` with `2 t(n − 1)
/// √(V / n) <= width`). An error says why no figure can be given.
pub fn binary_units(kappa: f64, p: f64, width: f64, confidence: f64) -> Result<u64, String> {
    check(width, confidence)?;
    if p <= 0.0 {
        return Err("no rater used the code (prevalence 0)".into());
    }
    if p >= 1.0 {
        return Err("every unit was coded with it (prevalence 1)".into());
    }
    let v = binary_kappa_unit_variance(kappa, p).ok_or_else(|| {
        format!("no 2 × 2 table with prevalence {p:.3} has a kappa of {kappa:.3}")
    })?;
    if v == 0.0 {
        return Err("at perfect agreement the large-sample variance is 0".into());
    }
    smallest_n(v.sqrt(), width, confidence)
}

/// Krippendorff's minimum number of units for a binary code whose rarer value has probability
/// `p_c`, so that alpha can be shown to be at least `alpha_min` at significance level `level` (one
/// sided) with two coders (*Content Analysis*, 2004/2019, after Bloch & Kraemer 1989):
/// `N = 2 z² [(1 + α_min)(3 − α_min) / (4 (1 − α_min) p_c (1 − p_c)) − α_min]`, rounded up.
/// ATLAS.ti's manual prints N = 139 for `p_c` = 0.25, `α_min` = 0.8 at 0.05, and 81 for 0.667.
pub fn krippendorff_minimum(p_c: f64, alpha_min: f64, level: f64) -> Result<u64, String> {
    if !(p_c > 0.0 && p_c < 1.0) {
        return Err(format!(
            "the code's prevalence {p_c:.3} leaves no rarer value to see"
        ));
    }
    if !(alpha_min > -1.0 && alpha_min < 1.0) {
        return Err(format!(
            "a least alpha of {alpha_min} has no minimum sample"
        ));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(format!(
            "the significance level must be in (0, 1), not {level}"
        ));
    }
    let z = t_quantile(1.0 - level, NORMAL_DF).ok_or("no quantile for this level")?;
    let n = 2.0
        * z
        * z
        * ((1.0 + alpha_min) * (3.0 - alpha_min) / (4.0 * (1.0 - alpha_min) * p_c * (1.0 - p_c))
            - alpha_min);
    if !n.is_finite() || n > MAX_UNITS {
        return Err("the minimum is too large to mean anything".into());
    }
    Ok(n.max(0.0).ceil() as u64)
}

/// Proportional allocation of `total` among strata of the given sizes by largest remainder: each
/// stratum gets `floor(total × size / Σ sizes)`, and the seats left go to the largest remainders
/// (ties to the first stratum). `total` above the strata's sum is capped at it.
#[must_use]
pub fn allocate(sizes: &[usize], total: usize) -> Vec<usize> {
    let sum: usize = sizes.iter().sum();
    let total = total.min(sum);
    if sum == 0 {
        return vec![0; sizes.len()];
    }
    let (t, s) = (total as u128, sum as u128);
    let mut out: Vec<usize> = sizes
        .iter()
        .map(|&n| (t * n as u128 / s) as usize)
        .collect();
    let given: usize = out.iter().sum();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Remainders as exact integers (t × n mod s), largest first, stable for ties.
    order.sort_by_key(|&i| std::cmp::Reverse(t * sizes[i] as u128 % s));
    for &i in order.iter().take(total - given) {
        out[i] += 1;
    }
    out
}

/// A seeded draw without replacement of `k` of the indices `0..n`, in the order drawn (a partial
/// Fisher-Yates shuffle).
fn draw(rng: &mut Rng, n: usize, k: usize) -> Vec<usize> {
    let mut pool: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// A stratified sample: `total` members over the strata (each a list in a fixed order), allocated
/// by [`allocate`] and drawn with a generator seeded by `seed`, strata in order. Returns, per
/// stratum, the positions chosen (ascending).
#[must_use]
pub fn stratified_sample(sizes: &[usize], total: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed);
    allocate(sizes, total)
        .into_iter()
        .zip(sizes)
        .map(|(k, &n)| {
            let mut chosen = draw(&mut rng, n, k);
            chosen.sort_unstable();
            chosen
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::data::ReliabilityData;
    use crate::agreement::report::{StatOptions, compute_all};
    use proptest::prelude::*;

    #[test]
    fn hand_worked_projection() {
        // Pilot: 400 turns, kappa's SE 0.08; the team wants a 95% interval 0.2 wide.
        // With z = 1.959964: n ≈ 400 × (2 × 1.959964 × 0.08 / 0.2)² = 400 × 1.567971² = 983.4.
        // The report's interval uses t(n − 1), a little wider: t(0.975, 984) = 1.962378, so at
        // n = 985 the width is 2 × 1.962378 × 0.08 × √(400/985) = 0.200085 (too wide) and at
        // n = 986 it is 2 × 1.962375 × 0.08 × √(400/986) = 0.199983. So 986 turns.
        assert_eq!(projected_units(400, Some(0.08), 0.2, 0.95), Ok(986));
        let w = |n| width_at(0.08 * 20.0, n, 0.95).unwrap();
        assert!((w(985) - 0.200_085).abs() < 1e-6, "{}", w(985));
        assert!((w(986) - 0.199_983).abs() < 1e-6, "{}", w(986));
        // A pilot already precise enough needs fewer units than it has.
        assert!(projected_units(400, Some(0.02), 0.2, 0.95).unwrap() < 400);
        // No figure where none means anything.
        assert!(projected_units(400, Some(0.0), 0.2, 0.95).is_err());
        assert!(projected_units(400, None, 0.2, 0.95).is_err());
        assert!(projected_units(1, Some(0.1), 0.2, 0.95).is_err());
        for bad in [0.0, -0.1, 2.5, f64::NAN] {
            let err = projected_units(400, Some(0.08), bad, 0.95).unwrap_err();
            assert!(err.contains("width"), "{err}");
        }
    }

    #[test]
    fn hand_worked_binary_requirement() {
        // Kappa 0.6 at prevalence 0.2: n·Var = 0.4 × [0.4 × (−0.2) + 0.6 × 1.4 / (2 × 0.2 × 0.8)]
        // = 0.4 × (−0.08 + 2.625) = 1.018. With z: 4 × 1.959964² × 1.018 / 0.2² = 391.06; with
        // t(n − 1) the width 2 t √(1.018/n) is 0.200124 at n = 393 (t = 1.966034) and 0.199868 at
        // n = 394 (t = 1.966019). So 394 units.
        let v = binary_kappa_unit_variance(0.6, 0.2).unwrap();
        assert!((v - 1.018).abs() < 1e-12, "{v}");
        assert_eq!(binary_units(0.6, 0.2, 0.2, 0.95), Ok(394));
        // Kappa 0: the null variance 1/n; kappa 1: none.
        assert!((binary_kappa_unit_variance(0.0, 0.3).unwrap() - 1.0).abs() < 1e-12);
        assert!(binary_units(1.0, 0.3, 0.2, 0.95).is_err());
        assert!(
            binary_units(0.5, 0.0, 0.2, 0.95)
                .unwrap_err()
                .contains("prevalence 0")
        );
        // Kappa −0.5 at prevalence 0.1 needs a negative count in the table.
        assert_eq!(binary_kappa_unit_variance(-0.5, 0.1), None);
    }

    #[test]
    fn krippendorffs_minimum_reproduces_the_published_table() {
        // p_c = 0.25, α_min = 0.8, level 0.05: z = 1.644854, z² = 2.705543;
        // (1.8 × 2.2) / (4 × 0.2 × 0.25 × 0.75) = 3.96 / 0.15 = 26.4; N = 2 × 2.705543 × (26.4 − 0.8)
        // = 138.52, so 139 (ATLAS.ti's manual, citing Krippendorff 2019). With α_min = 0.667:
        // (1.667 × 2.333) / (4 × 0.333 × 0.1875) = 3.889 / 0.24975 = 15.572; N = 5.411086 ×
        // (15.572 − 0.667) = 80.65, so 81.
        assert_eq!(krippendorff_minimum(0.25, 0.8, 0.05), Ok(139));
        assert_eq!(krippendorff_minimum(0.25, 0.667, 0.05), Ok(81));
        assert!(krippendorff_minimum(0.0, 0.8, 0.05).is_err());
        assert!(krippendorff_minimum(0.25, 1.0, 0.05).is_err());
        // Rarer values need more units.
        assert!(krippendorff_minimum(0.05, 0.8, 0.05).unwrap() > 139);
    }

    /// Two raters' binary units as a 2 × 2 table of counts (both, first only, second only, none).
    fn table(counts: [u64; 4]) -> ReliabilityData {
        let mut d = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        let cells = [[1, 1], [1, 0], [0, 1], [0, 0]];
        for (c, n) in cells.iter().zip(counts) {
            if n > 0 {
                d.push_pattern(&[Some(c[0]), Some(c[1])], n).unwrap();
            }
        }
        d
    }

    fn no_bootstrap() -> StatOptions {
        StatOptions {
            bootstrap_replicates: 0,
            ..StatOptions::default()
        }
    }

    #[test]
    fn closed_form_is_fleiss_cohen_everitt_on_the_expected_table() {
        // The table expected at prevalence p and kappa κ (both margins p): both p² + κ p(1 − p),
        // each one-rater cell (1 − κ) p(1 − p). Cohen's kappa's SE on it, times √n, is the closed
        // form's √V.
        for (kappa, p) in [(0.6_f64, 0.2_f64), (0.8, 0.05), (0.3, 0.5), (0.0, 0.1)] {
            let n = 1_000_000.0_f64;
            let q = p * (1.0 - p);
            let both = (n * (p * p + kappa * q)).round() as u64;
            let one = (n * (1.0 - kappa) * q).round() as u64;
            let none = n as u64 - both - 2 * one;
            let stats = compute_all(&table([both, one, one, none]), &no_bootstrap());
            let se = stats.get("cohen_kappa").standard_error.unwrap();
            let v = binary_kappa_unit_variance(kappa, p).unwrap();
            assert!(
                (se * n.sqrt() - v.sqrt()).abs() / v.sqrt() < 1e-3,
                "κ {kappa}, p {p}: {} vs {}",
                se * n.sqrt(),
                v.sqrt()
            );
        }
    }

    #[test]
    fn alpha_bootstrap_width_follows_the_projection() {
        // The bootstrap SE of alpha on the pilot replicated 4 times is close to the pilot's / 2.
        // Tolerance 15%: each bootstrap SE (1000 replicates) carries about 1/√2000 = 2.2% Monte
        // Carlo error, and the replicated pilot's bootstrap distribution is the pilot's with a
        // quarter of the variance only asymptotically.
        let pilot = table([30, 8, 6, 156]);
        let options = StatOptions::default();
        let se = |d: &ReliabilityData| {
            compute_all(d, &options)
                .get("krippendorff_alpha")
                .standard_error
                .unwrap()
        };
        let counts: Vec<u64> = pilot.patterns().iter().map(|p| p.count * 4).collect();
        let (se1, se4) = (se(&pilot), se(&pilot.with_counts(&counts)));
        assert!((se4 / (se1 / 2.0) - 1.0).abs() < 0.15, "{se1} {se4}");
    }

    /// Naive largest remainder: seats one at a time to the largest deficit `quota − seats`
    /// (compared exactly as `total × size − seats × sum`), ties to the first stratum.
    fn naive_allocate(sizes: &[usize], total: usize) -> Vec<usize> {
        let sum: usize = sizes.iter().sum();
        let total = total.min(sum);
        let mut out = vec![0usize; sizes.len()];
        for _ in 0..total {
            let deficit = |i: usize| (total * sizes[i]) as i128 - (out[i] * sum) as i128;
            let best = (0..sizes.len())
                .max_by(|&a, &b| deficit(a).cmp(&deficit(b)).then(b.cmp(&a)))
                .unwrap();
            out[best] += 1;
        }
        out
    }

    #[test]
    fn hand_worked_allocation() {
        // 10 of 6 + 3 + 1 = 10: exact. 5 of them: quotas 3, 1.5, 0.5: floors 3, 1, 0, one seat
        // left; remainders 0, 0.5, 0.5 tie, so the first (1.5) gets it: 3, 2, 0.
        assert_eq!(allocate(&[6, 3, 1], 10), vec![6, 3, 1]);
        assert_eq!(allocate(&[6, 3, 1], 5), vec![3, 2, 0]);
        assert_eq!(allocate(&[6, 3, 1], 50), vec![6, 3, 1]);
        assert_eq!(allocate(&[], 3), Vec::<usize>::new());
    }

    proptest! {
        /// Fast = naive: the projection's width at k × n_p against the width the replicated pilot
        /// gives. Cohen's kappa: equal (its variance is a function of the cell shares over n);
        /// Fleiss' kappa and AC1 (Gwet's linearised variance, Σ(κ*_i − κ)²/(n(n − 1))): exactly
        /// the factor √(k(n_p − 1)/(k n_p − 1)) apart, under 1 and above 1 − 1/(2(n_p − 1)), so
        /// the projection errs on the safe side by less than 1/(2(n_p − 1)) of the width.
        #[test]
        fn replicating_the_pilot_gives_the_projected_width(
            counts in prop::array::uniform4(0u64..40),
            k in 2u64..8,
        ) {
            let pilot = table(counts);
            let n = pilot.n_units();
            prop_assume!(n >= 4);
            let big = pilot.with_counts(
                &pilot.patterns().iter().map(|p| p.count * k).collect::<Vec<_>>(),
            );
            let (s1, sk) = (compute_all(&pilot, &no_bootstrap()), compute_all(&big, &no_bootstrap()));
            let (nf, kf) = (n as f64, k as f64);
            let gwet = (kf * (nf - 1.0) / (kf * nf - 1.0)).sqrt();
            prop_assert!(gwet < 1.0 && gwet > 1.0 - 1.0 / (2.0 * (nf - 1.0)));
            for (name, factor) in [("cohen_kappa", 1.0), ("fleiss_kappa", gwet), ("gwet_ac1", gwet)] {
                let (Some(se1), Some(sek)) =
                    (s1.get(name).standard_error, sk.get(name).standard_error)
                else {
                    continue;
                };
                prop_assume!(se1 > 0.0);
                let predicted = width_at(se1 * (n as f64).sqrt(), k * n, 0.95).unwrap();
                let actual = width_at(sek * ((k * n) as f64).sqrt(), k * n, 0.95).unwrap();
                prop_assert!(
                    (actual / predicted - factor).abs() <= 1e-9,
                    "{name}: predicted {predicted}, actual {actual}"
                );
                // And the requirement for that width is k × n_p or fewer, but not fewer than one less.
                let need = projected_units(n, Some(se1), predicted, 0.95).unwrap();
                prop_assert!(need <= k * n, "{name}: {need} > {}", k * n);
                prop_assert!(width_at(se1 * (n as f64).sqrt(), need - 1, 0.95).is_none_or(|w| w > predicted));
            }
        }

        /// Fast = naive: largest-remainder allocation.
        #[test]
        fn allocation_is_the_naive_one(
            sizes in prop::collection::vec(0usize..30, 0..8),
            total in 0usize..200,
        ) {
            let fast = allocate(&sizes, total);
            prop_assert_eq!(&fast, &naive_allocate(&sizes, total));
            let sum: usize = sizes.iter().sum();
            prop_assert_eq!(fast.iter().sum::<usize>(), total.min(sum));
            for (a, n) in fast.iter().zip(&sizes) {
                prop_assert!(a <= n);
            }
        }

        /// The same seed gives the same sample; each stratum gets its allocation, no one twice.
        #[test]
        fn sample_is_seeded_and_allocated(
            sizes in prop::collection::vec(0usize..30, 1..6),
            total in 0usize..100,
            seed in any::<u64>(),
        ) {
            let a = stratified_sample(&sizes, total, seed);
            prop_assert_eq!(&a, &stratified_sample(&sizes, total, seed));
            let alloc = allocate(&sizes, total);
            for ((chosen, want), n) in a.iter().zip(&alloc).zip(&sizes) {
                prop_assert_eq!(chosen.len(), *want);
                prop_assert!(chosen.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(chosen.iter().all(|i| i < n));
            }
        }
    }
}
