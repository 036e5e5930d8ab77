//! From coded excerpts to the paper (issue 20): the summary grid of a generated project of 500
//! transcripts (a case each) by every code of the demo's codebook, as the window opens it (the
//! project's snapshot read, then the grid built; goal under 200 ms), and the report of the demo
//! project with its default 1,000 bootstrap replicates (goal under 1 s). Prints median and best of
//! several runs. `cargo bench --bench writing`.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod shared;

use std::time::Instant;

use accord::app::demo::{DemoSources, build_demo};
use accord::app::export::snapshot;
use accord::app::grid::{GridOptions, build};
use accord::app::report::{ReportOptions, build as report};
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
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.accord");
    build_demo(
        &demo,
        &DemoSources::under(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))),
    )
    .unwrap();
    let store = Store::open(&demo).unwrap();
    time(
        "demo: the report, 1000 bootstrap replicates (goal 1 s)",
        5,
        || report(&store, &ReportOptions::default()).unwrap(),
    );
    time(
        "demo: the summary grid, every code (snapshot + build)",
        11,
        || build(&snapshot(&store).unwrap(), &GridOptions::default()).unwrap(),
    );
    drop(store);

    let path = dir.path().join("large.accord");
    let start = Instant::now();
    let (ws, _, codings) = shared::generated_project(&path, 500, 120, 0x5DEE_CE66_D1CE_4E5B);
    println!(
        "project: 500 transcripts (a case each), {codings} codings by 3 raters, {} codes, built in {:.1} s",
        ws.store().codebook().unwrap().codes.len(),
        start.elapsed().as_secs_f64()
    );
    let store = ws.store();
    time("500 cases x every code: the project's snapshot", 7, || {
        snapshot(store).unwrap()
    });
    let data = snapshot(store).unwrap();
    time(
        "500 cases x every code: the whole grid (exports) built from it",
        7,
        || build(&data, &GridOptions::default()).unwrap(),
    );
    let counts = GridOptions {
        counts_only: true,
        ..GridOptions::default()
    };
    time(
        "500 cases x every code: the window's grid (counts) built from it",
        7,
        || build(&data, &counts).unwrap(),
    );
    time(
        "500 cases x every code: the grid as the window opens it (goal 200 ms)",
        7,
        || build(&snapshot(store).unwrap(), &counts).unwrap(),
    );
    let (case, code) = {
        let grid = build(&data, &counts).unwrap();
        (grid.rows[0].case_id, grid.codes[5].0)
    };
    time(
        "500 cases x every code: an opened cell's excerpts",
        11,
        || accord::app::grid::cell_excerpts(&data, &counts, case, code),
    );
}
