//! Code queries and the code heatmaps on a small project built here, every count worked out by
//! hand: `code:A AND code:B`, `NOT`, `NEAR/N`, by role and by rater in `accord search`; a query
//! with an unknown code refused by name.
//!
//! The project (turns numbered from 1 as `accord show` does; odd turns the interviewer's):
//!
//! ```text
//! P01 (case P01)        R1                 R2
//!   #2 busy and unclear   Alpha, Beta
//!   #4 supervisor unclear Alpha              Beta
//!   #5 (interviewer)                         Gamma
//!   #6 coaching helped    Gamma
//! P02 (case P02)
//!   #2 a bit tired        Alpha
//!   #5 (interviewer)      Beta
//! ```
//!
//! Turns coded, by anyone: Alpha {P01#2, P01#4, P02#2}, Beta {P01#2, P01#4, P02#5},
//! Gamma {P01#5, P01#6}. By R1 alone: Alpha the same, Beta {P01#2, P02#5}, Gamma {P01#6}.

use std::path::{Path, PathBuf};

use crate::support::accord;

const BOOK: &str = "[codebook]\nname = \"Test\"\n\n[[codes]]\nname = \"Alpha\"\n\n\
                    [[codes]]\nname = \"Beta\"\n\n[[codes]]\nname = \"Gamma\"\n";

const P01: &str = "Interviewer: How was the first week?\nAna: It was busy and unclear.\n\
                   Interviewer: Tell me about your supervisor.\n\
                   Ana: My supervisor was kind but unclear.\nInterviewer: And the coaching?\n\
                   Ana: Coaching helped me a lot.\n";

const P02: &str = "Interviewer: How are you?\nBen: Fine, thanks, a bit tired.\n\
                   Interviewer: What changed?\nBen: The schedule changed.\n\
                   Interviewer: Anything else?\nBen: My supervisor left.\n";

/// The project of the module's comment, built through the command line.
pub fn small_project(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("book.toml"), BOOK).unwrap();
    std::fs::write(dir.join("P01_interview.txt"), P01).unwrap();
    std::fs::write(dir.join("P02_interview.txt"), P02).unwrap();
    accord(dir, &["new", "p.accord"]).success();
    accord(dir, &["codebook", "import", "p.accord", "book.toml"]).success();
    for case in ["P01", "P02"] {
        let file = format!("{case}_interview.txt");
        accord(
            dir,
            &[
                "import",
                "p.accord",
                &file,
                "--case",
                case,
                "--interviewer",
                "Interviewer",
            ],
        )
        .success();
    }
    for rater in ["R1", "R2"] {
        accord(dir, &["rater", "add", "p.accord", rater]).success();
    }
    for (transcript, code, rater, turn) in [
        ("P01_interview", "Alpha", "R1", "2"),
        ("P01_interview", "Beta", "R1", "2"),
        ("P01_interview", "Alpha", "R1", "4"),
        ("P01_interview", "Gamma", "R1", "6"),
        ("P01_interview", "Beta", "R2", "4"),
        ("P01_interview", "Gamma", "R2", "5"),
        ("P02_interview", "Alpha", "R1", "2"),
        ("P02_interview", "Beta", "R1", "5"),
    ] {
        accord(
            dir,
            &[
                "code", "p.accord", "-t", transcript, "-c", code, "-r", rater, "--turns", turn,
            ],
        )
        .success();
    }
    dir.join("p.accord")
}

/// The turns (`P01#2`) a query finds, sorted (transcript order is by id, which is random).
fn found(dir: &Path, query: &str) -> Vec<String> {
    let run = accord(
        dir,
        &[
            "search",
            "p.accord",
            query,
            "--json",
            "--order",
            "transcript",
        ],
    )
    .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(
        json["total"].as_u64().unwrap() as usize,
        hits.len(),
        "{query}"
    );
    hits.iter()
        .map(|h| {
            format!(
                "{}#{}",
                &h["transcript"].as_str().unwrap()[..3],
                h["turn"].as_u64().unwrap() + 1
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn code_queries_combine_codes_per_turn() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    small_project(dir);
    let q = |query: &str| found(dir, query);
    // Both codes in the same turn, by anyone: P01#2 (both R1's), P01#4 (Alpha R1's, Beta R2's).
    assert_eq!(q("code:Alpha AND code:Beta"), ["P01#2", "P01#4"]);
    assert_eq!(q("code:Alpha code:Beta"), ["P01#2", "P01#4"]);
    // By R1's codings only: P01#4's Beta is R2's.
    assert_eq!(q("code:Alpha code:Beta rater:R1"), ["P01#2"]);
    // Two raters named: the codings of either.
    assert_eq!(
        q("code:Alpha code:Beta rater:R1 rater:R2"),
        ["P01#2", "P01#4"]
    );
    // Alpha without Beta: only P02#2.
    assert_eq!(q("code:Alpha NOT code:Beta"), ["P02#2"]);
    assert_eq!(q("code:Alpha -code:Beta"), ["P02#2"]);
    // Within N turns: Gamma is on P01#5 and #6; Beta on P01#2, #4 and P02#5.
    assert_eq!(q("code:Alpha NEAR/1 code:Gamma"), ["P01#4"]);
    assert!(q("code:Alpha NEAR/1 code:Gamma rater:R1").is_empty());
    assert_eq!(q("code:Alpha NEAR/2 code:Gamma rater:R1"), ["P01#4"]);
    assert_eq!(q("code:Alpha NEAR/0 code:Beta"), ["P01#2", "P01#4"]);
    assert_eq!(q("code:Alpha NEAR/2 code:Beta"), ["P01#2", "P01#4"]);
    assert_eq!(
        q("code:Alpha NEAR/3 code:Beta"),
        ["P01#2", "P01#4", "P02#2"]
    );
    // By speaker role, with words, and with OR inside.
    assert_eq!(q("code:Beta code:Gamma"), Vec::<String>::new());
    assert_eq!(q("code:Gamma NOT code:Alpha role:interviewer"), ["P01#5"]);
    assert_eq!(q("code:Alpha AND code:Beta supervisor"), ["P01#4"]);
    assert_eq!(
        q("(code:Beta OR code:Gamma) NOT code:Alpha"),
        ["P01#5", "P01#6", "P02#5"]
    );
    // One code beside a role keeps its meaning: Alpha's coded passages in participants' turns.
    assert_eq!(
        q("code:Alpha role:participant"),
        ["P01#2", "P01#4", "P02#2"]
    );
    assert_eq!(q("code:Gamma role:interviewer"), ["P01#5"]);
    // And one code beside words: the words inside the coded passage.
    assert_eq!(q("code:Alpha unclear"), ["P01#2", "P01#4"]);
}

#[test]
fn a_code_query_naming_an_unknown_code_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let project = small_project(dir);
    let before = std::fs::read(&project).unwrap();
    accord(dir, &["search", "p.accord", "code:Alpha AND code:Nope"])
        .failure()
        .stderr_has("unknown code 'Nope'");
    accord(dir, &["search", "p.accord", "code:Alpha NEAR/x code:Beta"])
        .failure()
        .stderr_has("number of turns after 'NEAR/'");
    accord(
        dir,
        &[
            "search",
            "p.accord",
            "code:Alpha AND (code:Beta OR rater:R1)",
        ],
    )
    .failure()
    .stderr_has("rater: says whose codings count");
    assert_eq!(std::fs::read(&project).unwrap(), before, "nothing written");
}

#[test]
fn a_code_query_exports_its_turns() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    small_project(dir);
    // Every hit, not only --limit's.
    accord(
        dir,
        &[
            "search",
            "p.accord",
            "code:Alpha AND code:Beta",
            "--limit",
            "1",
            "--out",
            "both.csv",
        ],
    )
    .success();
    let csv = std::fs::read_to_string(dir.join("both.csv")).unwrap();
    let mut lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.remove(0),
        "transcript,case,turn,speaker,role,time,start,end,text"
    );
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "P01_interview,P01,2,Ana,participant,,42,66,It was busy and unclear.",
            "P01_interview,P01,4,Ana,participant,,116,151,My supervisor was kind but unclear.",
        ]
    );
    accord(
        dir,
        &[
            "search",
            "p.accord",
            "code:Alpha NOT code:Beta",
            "--out",
            "alpha.md",
        ],
    )
    .success();
    let md = std::fs::read_to_string(dir.join("alpha.md")).unwrap();
    assert!(md.contains("| P02_interview | P02 | 2 | Ben |"), "{md}");
    let before = std::fs::read(dir.join("p.accord")).unwrap();
    accord(
        dir,
        &[
            "search",
            "p.accord",
            "code:Alpha NOT code:Beta",
            "--out",
            "p.accord",
        ],
    )
    .failure()
    .stderr_has(".csv, .xlsx or .md");
    assert_eq!(std::fs::read(dir.join("p.accord")).unwrap(), before);
}

/// A JSON matrix's counts.
fn counts(json: &serde_json::Value) -> Vec<Vec<u64>> {
    json["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn cooccurrence_counts_the_turns_a_code_query_finds() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    small_project(dir);
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["cooccurrence", "p.accord", "--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&accord(dir, &all).success().stdout).unwrap()
    };
    // By anyone: Alpha 3 turns, Beta 3, Gamma 2; Alpha and Beta share P01#2 and P01#4.
    let all = json(&[]);
    assert_eq!(all["names"], serde_json::json!(["Alpha", "Beta", "Gamma"]));
    assert_eq!(counts(&all), [[3, 2, 0], [2, 3, 0], [0, 0, 2]]);
    // R1 alone: Beta {P01#2, P02#5}, Gamma {P01#6}; Alpha and Beta share P01#2 only.
    assert_eq!(
        counts(&json(&["--raters", "R1"])),
        [[3, 1, 0], [1, 2, 0], [0, 0, 1]]
    );
    // Every cell is the number of turns the code query finds.
    let names = ["Alpha", "Beta", "Gamma"];
    for (i, a) in names.iter().enumerate() {
        for (j, b) in names.iter().enumerate().filter(|(j, _)| *j != i) {
            let query = format!("code:{a} AND code:{b}");
            assert_eq!(
                found(dir, &query).len() as u64,
                counts(&all)[i][j],
                "{query}"
            );
        }
    }
    // A cell's passages: the two turns, with their words.
    let cell = accord(dir, &["cooccurrence", "p.accord", "--cell", "Alpha,Beta"])
        .success()
        .stdout_has("2 turns coded Alpha and Beta")
        .stdout_has("P01_interview #2 Ana")
        .stdout_has("My supervisor was kind but unclear.");
    assert_eq!(cell.stdout.lines().count(), 3, "{}", cell.stdout);
    // Named codes are the rows, in codebook order; on a terminal the columns are numbered.
    accord(dir, &["cooccurrence", "p.accord", "--codes", "Gamma,Alpha"])
        .success()
        .stdout_has("Co-occurrence (turns)")
        .stdout_has("code      1  2\n 1 Alpha  3  0\n 2 Gamma  0  2\n");
}

#[test]
fn crosstab_counts_codings_or_turns_per_case_and_writes_files() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    small_project(dir);
    let crosstab = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["crosstab", "p.accord", "--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&accord(dir, &all).success().stdout).unwrap()
    };
    // Codings: Alpha P01 2 (#2, #4), P02 1; Beta P01 2, P02 1; Gamma P01 2 (#5, #6), P02 0.
    let codings = crosstab(&[]);
    assert_eq!(codings["columns"], serde_json::json!(["P01", "P02"]));
    assert_eq!(counts(&codings), [[2, 1], [2, 1], [2, 0]]);
    // Turns: Beta's two codings in P01 are on #2 and #4 (two turns) as well.
    assert_eq!(
        counts(&crosstab(&["--measure", "turns"])),
        [[2, 1], [2, 1], [2, 0]]
    );
    assert_eq!(
        counts(&crosstab(&["--measure", "presence", "--raters", "R2"])),
        [[1, 0], [1, 0]]
    );
    accord(dir, &["crosstab", "p.accord", "--cell", "Gamma,P01"])
        .success()
        .stdout_has("2 codings of Gamma in P01")
        .stdout_has("P01_interview #5 Interviewer")
        .stdout_has("Coaching helped me a lot.");
    // Files: CSV, Markdown and XLSX, through the export's table writers.
    accord(dir, &["crosstab", "p.accord", "--out", "x.csv"]).success();
    let csv = std::fs::read_to_string(dir.join("x.csv")).unwrap();
    assert!(
        csv.starts_with("code,code_id,P01,P02,total\nAlpha,"),
        "{csv}"
    );
    assert!(csv.contains(",2,1,3\n"), "{csv}");
    accord(dir, &["cooccurrence", "p.accord", "--out", "x.md"]).success();
    let md = std::fs::read_to_string(dir.join("x.md")).unwrap();
    assert!(md.contains("| Alpha | 3 | 2 | 0 |"), "{md}");
    accord(dir, &["cooccurrence", "p.accord", "--out", "x.xlsx"]).success();
    assert!(
        std::fs::read(dir.join("x.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    // Bad input: named, nothing written.
    accord(dir, &["crosstab", "p.accord", "--by", "site"])
        .failure()
        .stderr_has("no case has that attribute");
    accord(dir, &["cooccurrence", "p.accord", "--codes", "Alpha,Nope"])
        .failure()
        .stderr_has("Nope");
    accord(dir, &["cooccurrence", "p.accord", "--cell", "Alpha"])
        .failure()
        .stderr_has("two names joined by a comma");
    accord(dir, &["cooccurrence", "p.accord", "--out", "x.txt"])
        .failure()
        .stderr_has(".csv, .xlsx or .md");
    assert!(!dir.join("x.txt").exists());
}

#[test]
fn on_the_demo_each_cell_is_its_code_query_and_the_crosstab_is_the_export_matrix() {
    use accord::app::heatmaps::{cooccurrence, crosstab};
    use accord::export::matrix::code_matrix;
    use accord::export::{Columns, ExcerptFilter, MatrixSpec, Measure};
    use accord::search::{ProjectIndex, SearchOptions};
    use accord::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&crate::support::demo(dir.path())).unwrap();
    let data = accord::app::export::snapshot(&store).unwrap();
    let all = ExcerptFilter::default();
    let m = cooccurrence(&data, &all);
    assert!(m.codes.len() >= 10, "{:?}", m.names);
    let (index, _) = ProjectIndex::open(&store).unwrap();
    let book = store.codebook().unwrap();
    let total = |query: &str| {
        let opts = SearchOptions {
            limit: 0,
            ..SearchOptions::default()
        };
        index.search(query, &book, &opts).unwrap().total
    };
    let mut nonzero = 0;
    for i in 0..8 {
        assert_eq!(
            total(&format!("code:\"{}\"", m.names[i])) > 0,
            m.counts[i][i] > 0
        );
        for j in (0..8).filter(|j| *j != i) {
            let query = format!("code:\"{}\" AND code:\"{}\"", m.names[i], m.names[j]);
            assert_eq!(total(&query), m.counts[i][j], "{query}");
            nonzero += usize::from(m.counts[i][j] > 0);
        }
    }
    assert!(nonzero > 4, "the demo's codes co-occur");
    // Codes x cases counts the codings as the export's matrix does.
    let mine = crosstab(&data, &all, &Columns::Cases, Measure::Codings).to_table();
    let theirs = code_matrix(&data, &all, &MatrixSpec::default());
    assert_eq!(mine.header, theirs.header);
    for row in &mine.rows {
        assert!(theirs.rows.contains(row), "{row:?}");
    }
}
