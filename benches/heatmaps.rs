//! Code heatmaps and code queries (issue 20, item 4) on a generated project of 500 interviews of
//! about 1,500 words, the CAPP codebook (39 codes) and 40 random codings each by 3 raters: the
//! export snapshot the window reads, the co-occurrence matrix, codes x cases, a cell's passages, and
//! the code queries `code:A AND code:B`, `code:A NOT code:B` and `code:A NEAR/2 code:B` through the
//! search index. Prints median and best of several runs. `cargo bench --bench heatmaps`.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod shared;

use std::time::Instant;

use accord::app::export::snapshot;
use accord::app::heatmaps::{cooccurrence, crosstab};
use accord::app::search::{ResultOrder, SearchOptions};
use accord::export::{Columns, ExcerptFilter, Measure};

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{label:<64} median {:>9.2} ms   best {:>9.2} ms   ({runs} runs)",
        times[runs / 2],
        times[0]
    );
    times[runs / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("heatmaps.accord");
    let built = Instant::now();
    let (mut ws, ids, codings) = shared::generated_project(&path, 500, 40, 0x4EA7_0000_0020_0004);
    println!(
        "project: {} transcripts, {codings} codings by 3 raters, 39 codes (built in {:.1} s)",
        ids.len(),
        built.elapsed().as_secs_f64()
    );
    let data = snapshot(ws.store()).expect("snapshot");
    let turns: usize = data.transcripts.iter().map(|t| t.turns.len()).sum();
    println!("turns: {turns}");
    let all = ExcerptFilter::default();
    time(
        "export snapshot (what the window reads once per change)",
        5,
        || snapshot(ws.store()).expect("snapshot"),
    );
    let matrix = cooccurrence(&data, &all);
    time(
        "co-occurrence matrix, every rater (39 x 39 codes)",
        10,
        || cooccurrence(&data, &all),
    );
    time("codes x cases, codings", 10, || {
        crosstab(&data, &all, &Columns::Cases, Measure::Codings)
    });
    time("codes x cases, turns", 10, || {
        crosstab(&data, &all, &Columns::Cases, Measure::Turns)
    });
    let codes = matrix.codes.len();
    let (i, j) = (0..codes)
        .flat_map(|i| (0..codes).map(move |j| (i, j)))
        .filter(|(i, j)| i != j)
        .max_by_key(|(i, j)| matrix.counts[*i][*j])
        .expect("two codes");
    println!(
        "largest cell: {} and {}: {} turns",
        matrix.names[i], matrix.names[j], matrix.counts[i][j]
    );
    time("that cell's passages", 10, || matrix.passages(&data, i, j));
    // The code queries, through the index (built by the first search, not timed).
    let opts = SearchOptions {
        limit: 50,
        order: ResultOrder::TranscriptOrder,
        ..SearchOptions::default()
    };
    let (first, second) = (&matrix.names[i], &matrix.names[j]);
    let both = format!("code:\"{first}\" AND code:\"{second}\"");
    let found = ws.search(&both, &opts).expect("search").total;
    assert_eq!(
        found, matrix.counts[i][j],
        "the query finds the cell's turns"
    );
    for (label, query) in [
        ("code:A AND code:B (the largest cell)", both.clone()),
        (
            "code:A NOT code:B",
            format!("code:\"{first}\" NOT code:\"{second}\""),
        ),
        (
            "code:A NEAR/2 code:B",
            format!("code:\"{first}\" NEAR/2 code:\"{second}\""),
        ),
        (
            "code:A AND code:B role:participant supervisor",
            format!("code:\"{first}\" AND code:\"{second}\" role:participant supervisor"),
        ),
        (
            "code:A (coded passages, for comparison)",
            format!("code:\"{first}\""),
        ),
    ] {
        let total = ws.search(&query, &opts).expect("search").total;
        time(&format!("search {label}: {total} hits"), 10, || {
            ws.search(&query, &opts).expect("search")
        });
    }
}
