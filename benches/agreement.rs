//! Agreement speed: Krippendorff's alpha and Cohen's kappa on 1,000,000 units x 2 raters (binary) and
//! 100,000 units x 6 raters with missing data (building the data included), and the whole per-code
//! report on the demo project. Prints median and best of several runs. `cargo bench --bench agreement`.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

use accord::agreement::bootstrap::Rng;
use accord::agreement::cohen::{Weights, two_rater};
use accord::agreement::gwet::gwet_family;
use accord::agreement::krippendorff::{Level, alpha};
use accord::agreement::project::Unit;
use accord::agreement::{Category, ReliabilityData};
use accord::app::agreement::{AgreementOptions, project_agreement};
use accord::app::agreement_input::Selection;
use accord::app::demo::{DemoSources, build_demo};
use accord::store::Store;

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{label:<72} median {:>9.2} ms   best {:>9.2} ms   ({runs} runs)",
        times[runs / 2],
        times[0]
    );
}

fn main() {
    let mut rng = Rng::new(42);
    let binary: Vec<[Option<u32>; 2]> = (0..1_000_000)
        .map(|_| {
            let a = u32::from(rng.uniform() < 0.3);
            let b = if rng.uniform() < 0.85 { a } else { 1 - a };
            [Some(a), Some(b)]
        })
        .collect();
    let build = || {
        let mut d = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        for u in &binary {
            d.push_unit(u).expect("valid");
        }
        d
    };
    time(
        "1e6 units x 2 raters: build + Krippendorff's alpha + Cohen's kappa",
        11,
        || {
            let d = build();
            (
                alpha(&d, Level::Nominal),
                two_rater(&d, 0, 1, Weights::Unweighted, false, 0.95),
            )
        },
    );
    let d = build();
    time(
        "1e6 units x 2 raters: alpha + kappa on built data",
        11,
        || {
            (
                alpha(&d, Level::Nominal),
                two_rater(&d, 0, 1, Weights::Unweighted, false, 0.95),
            )
        },
    );

    let six: Vec<Vec<Option<u32>>> = (0..100_000)
        .map(|_| {
            let truth = (rng.uniform() * 4.0) as u32;
            (0..6)
                .map(|_| {
                    if rng.uniform() < 0.2 {
                        None
                    } else if rng.uniform() < 0.8 {
                        Some(truth)
                    } else {
                        Some((rng.uniform() * 4.0) as u32)
                    }
                })
                .collect()
        })
        .collect();
    let cats: Vec<Category> = (0..4)
        .map(|k| Category::new(k.to_string(), Some(f64::from(k))))
        .collect();
    time(
        "1e5 units x 6 raters, 20% missing: build + alpha + Fleiss/AC1/BP with SEs",
        11,
        || {
            let mut d =
                ReliabilityData::new((0..6).map(|r| format!("r{r}")).collect(), cats.clone());
            for u in &six {
                d.push_unit(u).expect("valid");
            }
            (alpha(&d, Level::Nominal), gwet_family(&d, 0.95))
        },
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.accord");
    build_demo(
        &path,
        &DemoSources::under(Path::new(env!("CARGO_MANIFEST_DIR"))),
    )
    .expect("demo");
    let store = Store::open(&path).expect("open");
    for unit in [
        Unit::Char,
        Unit::Turn,
        Unit::Sentence,
        Unit::Segment,
        Unit::Unitizing,
    ] {
        let options = AgreementOptions {
            unit,
            ..AgreementOptions::default()
        };
        time(
            &format!("demo project, every code + pooled, unit {unit:?}, 1000 bootstrap replicates"),
            5,
            || project_agreement(&store, &Selection::default(), &options).expect("report"),
        );
    }
}
