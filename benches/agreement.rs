//! Agreement speed: Krippendorff's alpha and Cohen's kappa on 1,000,000 units x 2 raters (binary) and
//! 100,000 units x 6 raters with missing data (building the data included); on the demo project the
//! whole per-code report at every unit, the roll-up, a breakdown, the code-confusion matrix and the
//! group alphas of each parent's sub-codes; a generated project of 500 transcripts, 3 raters and
//! 60,000 codings (the report with the roll-up, the confusion matrices and the group alphas: goal
//! under 1 s without the bootstrap, whose own time is printed too; `ACCORD_BENCH_QUICK=1` skips it);
//! and the whole `accord irr --csv` process on a 1,000,000-unit x 2-rater file (wall time and peak
//! memory, the latter through GNU time when it is installed). Prints median and best of several
//! runs. `cargo bench --bench agreement`.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod shared;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use accord::agreement::bootstrap::Rng;
use accord::agreement::cohen::{Weights, two_rater};
use accord::agreement::gwet::gwet_family;
use accord::agreement::krippendorff::{Level, alpha};
use accord::agreement::project::Unit;
use accord::agreement::{Category, ReliabilityData};
use accord::app::agreement::{AgreementOptions, project_agreement};
use accord::app::agreement_input::Selection;
use accord::app::breakdown::{By, Statistic, breakdown};
use accord::app::confusion::confusion_report;
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
    whole_irr_process(&binary);
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
    declare_parents_groups(&path);
    plan_on_demo(&path);
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
    rollup_and_breakdown(&store);
    confusion_matrices(&store);
    groups_and_large(&store, dir.path());
}

/// `accord plan` on the demo: a pilot round of its two raters on four transcripts, computed, then
/// the plan (kappa and alpha, 1000 bootstrap replicates for alpha, stratified by arm and site).
fn plan_on_demo(path: &Path) {
    use accord::app::plan::{PlanOptions, plan};
    use accord::app::rounds::make_round;
    use accord::app::{Command, RoundCommand, Workspace, resolve};
    let mut ws = Workspace::open(path).expect("open");
    let transcripts = resolve::transcript_ids(
        ws.store(),
        &[
            "P01_interview",
            "P02_interview",
            "P04_interview",
            "P07_interview",
        ]
        .map(String::from),
    )
    .expect("transcripts");
    let raters = resolve::rater_ids(ws.store(), &["Jordan Ellis", "Maya Chen"].map(String::from))
        .expect("raters");
    let round = make_round(ws.store(), "Pilot", &transcripts, &raters, Unit::Turn).expect("round");
    let id = round.round_id;
    ws.apply("Start", Command::Rounds(RoundCommand::Add(Box::new(round))))
        .expect("add");
    ws.apply("Compute", Command::Rounds(RoundCommand::Compute(id)))
        .expect("compute");
    let options = PlanOptions {
        width: 0.2,
        by: vec!["arm".into(), "site".into()],
        ..PlanOptions::default()
    };
    time(
        "demo project, accord plan (4-transcript pilot, per turn, kappa + alpha)",
        5,
        || plan(ws.store(), "Pilot", &options).expect("plan"),
    );
}

/// The group alphas on the demo, then the 500-transcript project (skipped with
/// `ACCORD_BENCH_QUICK`).
fn groups_and_large(store: &Store, dir: &Path) {
    time(
        "demo project, group alphas (uα, |uα, cuα, Cuα) of each parent's sub-codes, declared",
        11,
        || declared_groups(store),
    );
    if std::env::var_os("ACCORD_BENCH_QUICK").is_none() {
        large_project(dir);
    }
}

/// Declares every parent code's sub-codes as a code group of the project's codebook (one
/// undoable change, as `accord codebook group` makes), if it declares none yet.
fn declare_parents_groups(path: &Path) {
    let mut ws = accord::app::Workspace::open(path).expect("open");
    let mut book = ws.store().codebook().expect("codebook");
    if !book.groups.is_empty() {
        return;
    }
    for parent in book.codes.iter().filter(|c| c.parent_id.is_none()) {
        let codes: Vec<_> = book
            .children(Some(parent.code_id))
            .iter()
            .map(|c| c.code_id)
            .collect();
        if codes.len() >= 2 {
            book.groups.push(accord::model::CodeGroup {
                name: parent.name.clone(),
                description: String::new(),
                codes,
            });
        }
    }
    ws.apply(
        "Declare code groups",
        accord::app::Command::Edit(Box::new(accord::model::Edit {
            codebook: Some(book),
            action: "code-group".into(),
            ..accord::model::Edit::default()
        })),
    )
    .expect("groups declared");
}

/// Every declared group's unitizing alphas and Cuα between the project's raters, over every
/// transcript they have all coded (`accord agreement --unit unitizing --groups`).
fn declared_groups(store: &Store) -> usize {
    let groups = store.codebook().expect("codebook").groups;
    let report =
        accord::app::code_groups::report_on(store, &Selection::default(), &groups).expect("groups");
    report
        .groups
        .iter()
        .filter(|g| g.alphas.u_alpha.is_some())
        .count()
}

/// A project of 500 transcripts (about 1,500 words each), 3 raters and 60,000 codings: the whole
/// per-code report with the roll-up and the confusion matrices (the goal: under 1 s without the
/// bootstrap), and the bootstrap's own time.
fn large_project(dir: &Path) {
    let t0 = Instant::now();
    let path = dir.join("large.accord");
    let (ws, _, codings) = shared::generated_project(&path, 500, 120, 0x5DEE_CE66_D1CE_4E5B);
    drop(ws);
    println!(
        "project: 500 transcripts, {codings} codings by 3 raters, built in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    declare_parents_groups(&path);
    let store = Store::open(&path).expect("open");
    let mut no_bootstrap = AgreementOptions {
        rollup: true,
        ..AgreementOptions::default()
    };
    no_bootstrap.stats.bootstrap_replicates = 0;
    let with_bootstrap = AgreementOptions {
        rollup: true,
        ..AgreementOptions::default()
    };
    time(
        "500 transcripts, 3 raters: per-code report + roll-up + confusion + groups, no bootstrap (goal 1 s)",
        3,
        || {
            (
                project_agreement(&store, &Selection::default(), &no_bootstrap).expect("report"),
                confusion_report(&store, &Selection::default(), &no_bootstrap).expect("matrix"),
                declared_groups(&store),
            )
        },
    );
    time(
        "500 transcripts, 3 raters: per-code report + roll-up, no bootstrap",
        3,
        || project_agreement(&store, &Selection::default(), &no_bootstrap).expect("report"),
    );
    time(
        "500 transcripts, 3 raters: confusion matrices (3 pairs)",
        3,
        || confusion_report(&store, &Selection::default(), &no_bootstrap).expect("matrix"),
    );
    time(
        "500 transcripts, 3 raters: group alphas of each parent's sub-codes, declared",
        3,
        || declared_groups(&store),
    );
    time(
        "500 transcripts, 3 raters: per-code report + roll-up, 1000 bootstrap replicates",
        3,
        || project_agreement(&store, &Selection::default(), &with_bootstrap).expect("report"),
    );
}

/// The theme roll-up and a breakdown table on the demo.
fn rollup_and_breakdown(store: &Store) {
    let rollup = AgreementOptions {
        rollup: true,
        ..AgreementOptions::default()
    };
    time(
        "demo project, --rollup, unit Char, 1000 bootstrap replicates",
        5,
        || project_agreement(store, &Selection::default(), &rollup).expect("report"),
    );
    time(
        "demo project, --by transcript (kappa), unit Char",
        5,
        || {
            breakdown(
                store,
                &Selection::default(),
                &AgreementOptions::default(),
                &By::Transcript,
                Statistic::Kappa,
            )
            .expect("breakdown")
        },
    );
}

/// The code-confusion matrix of the demo's two raters at each unit it has.
fn confusion_matrices(store: &Store) {
    for unit in [Unit::Char, Unit::Turn, Unit::Sentence, Unit::Segment] {
        let options = AgreementOptions {
            unit,
            ..AgreementOptions::default()
        };
        time(
            &format!("demo project, code-confusion matrix, unit {unit:?} (goal 50 ms)"),
            11,
            || confusion_report(store, &Selection::default(), &options).expect("matrix"),
        );
    }
}

/// `accord irr --csv` as a user runs it (the release binary in a process of its own) on these
/// units written as a ratings table: wall time, and peak resident memory when GNU time is there.
fn whole_irr_process(units: &[[Option<u32>; 2]]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("ratings.csv");
    let mut text = String::from("unit,a,b\n");
    for (i, u) in units.iter().enumerate() {
        let cell = |c: Option<u32>| c.map_or(String::new(), |v| v.to_string());
        let _ = writeln!(text, "u{i},{},{}", cell(u[0]), cell(u[1]));
    }
    std::fs::write(&csv, &text).expect("write the ratings table");
    let exe = env!("CARGO_BIN_EXE_accord");
    let gnu_time = Path::new("/usr/bin/time");
    let runs = 7;
    let mut times = Vec::new();
    let mut peak_kb: Option<u64> = None;
    for _ in 0..runs {
        let mut command = if gnu_time.exists() {
            let mut c = Command::new(gnu_time);
            c.args(["-f", "%M", exe]);
            c
        } else {
            Command::new(exe)
        };
        command
            .args(["irr", "--csv"])
            .arg(&csv)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let out = command.output().expect("run accord");
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(out.status.success(), "accord irr failed: {out:?}");
        if gnu_time.exists() {
            let kb = String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok());
            peak_kb = peak_kb.max(kb);
        }
    }
    times.sort_by(f64::total_cmp);
    let peak = peak_kb.map_or("peak memory n/a (no /usr/bin/time)".to_string(), |kb| {
        format!("peak {:.0} MB", kb as f64 / 1024.0)
    });
    println!(
        "{:<72} median {:>9.2} ms   best {:>9.2} ms   ({runs} runs)   {peak}",
        format!(
            "whole process: accord irr --csv, 1e6 units x 2 raters ({:.1} MB)",
            text.len() as f64 / 1e6
        ),
        times[runs / 2],
        times[0]
    );
}
