//! An empty comparison says why (issue 17): in the demo project, after a round coded by Ana and Ben
//! alone (through rater files, on transcripts the demo's two raters did not code), comparing every
//! human rater finds no transcript coded by all four. `accord adjudicate list`, `adjudicate show`,
//! `accord agreement` (also `--against-consensus`), `accord disagreements` and the window's
//! Adjudicate and Agreement views say so, name the raters and give the `--raters` that compares the
//! ones who coded together.

use std::path::{Path, PathBuf};

use crate::support::{Run, accord, demo};

/// What every place shows for the demo after Ana and Ben's round.
const NO_TRANSCRIPT: &str = "no transcript was coded by all 4 raters compared (";
const ANA_AND_BEN: &str = "Ana and Ben (2 transcripts: --raters Ana,Ben)";
const DEMO_RATERS: &str =
    "Jordan Ellis and Maya Chen (6 transcripts: --raters \"Jordan Ellis,Maya Chen\")";

/// The demo with raters Ana and Ben, a round of theirs on P03 and P05 (which the demo's raters did
/// not code), coded in their rater files and merged back.
fn demo_after_ana_and_bens_round(d: &Path) -> PathBuf {
    let project = demo(d);
    let p = project.to_str().unwrap();
    for rater in ["Ana", "Ben"] {
        accord(d, &["rater", "add", p, rater]).success();
    }
    accord(
        d,
        &[
            "round",
            "new",
            p,
            "Round 1",
            "--transcripts",
            "P03_interview,P05_interview",
            "--raters",
            "Ana,Ben",
        ],
    )
    .success();
    let mut files = Vec::new();
    for rater in ["Ana", "Ben"] {
        let file = d.join(format!("{rater}.accord"));
        let f = file.to_str().unwrap();
        accord(
            d,
            &[
                "rater-file",
                p,
                "--rater",
                rater,
                "--round",
                "Round 1",
                "--out",
                f,
            ],
        )
        .success();
        for (transcript, turns) in [("P03_interview", "4"), ("P05_interview", "6-7")] {
            accord(
                d,
                &[
                    "code", f, "-t", transcript, "-c", "Burnout", "-r", rater, "--turns", turns,
                ],
            )
            .success();
        }
        files.push(file);
    }
    let mut merge = vec!["merge", p];
    merge.extend(files.iter().map(|f| f.to_str().unwrap()));
    accord(d, &merge).success();
    project
}

#[track_caller]
fn explains(run: &Run, text: &str) {
    for needle in [NO_TRANSCRIPT, ANA_AND_BEN, DEMO_RATERS] {
        assert!(
            text.contains(needle),
            "{needle:?} missing:\n{text}\n{}",
            run.stderr
        );
    }
}

#[test]
fn an_empty_comparison_says_why_and_what_to_do_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo_after_ana_and_bens_round(d);
    let p = project.to_str().unwrap();

    let run = accord(d, &["adjudicate", "list", p]).success();
    assert!(run.stdout.contains("0 passages"), "{}", run.stdout);
    explains(&run, &run.stdout);
    // JSON stays JSON; the explanation goes beside it.
    let run = accord(d, &["adjudicate", "list", p, "--json"]).success();
    assert_eq!(run.stdout.trim(), "[]");
    explains(&run, &run.stderr);
    let run = accord(d, &["adjudicate", "show", p]).success();
    explains(&run, &run.stdout);
    assert!(
        !run.stdout.contains("every passage is settled or agreed"),
        "{}",
        run.stdout
    );

    // What it says to do works, and then there is nothing to explain.
    let run = accord(
        d,
        &["adjudicate", "list", p, "--all", "--raters", "Ana,Ben"],
    )
    .success();
    assert!(
        run.stdout.contains("2 passages: 2 agreements"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Nothing to compare"), "{}", run.stdout);

    let run = accord(d, &["agreement", p]).success();
    assert!(run.stdout.contains("Transcripts (0)"), "{}", run.stdout);
    explains(&run, &run.stdout);
    let run = accord(d, &["agreement", p, "--format", "json"]).success();
    serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap();
    explains(&run, &run.stderr);
    let run = accord(d, &["agreement", p, "--raters", "Ana,Ben"]).success();
    assert!(!run.stdout.contains("Nothing to compare"), "{}", run.stdout);

    // No disagreement because nothing was compared is not agreement.
    let run = accord(d, &["disagreements", p]).success();
    assert!(run.stdout.contains("0 disagreements"), "{}", run.stdout);
    explains(&run, &run.stdout);
    let run = accord(d, &["disagreements", p, "--json"]).success();
    assert_eq!(run.stdout.trim(), "[]");
    explains(&run, &run.stderr);
    let run = accord(d, &["disagreements", p, "--raters", "Ana,Ben"]).success();
    assert!(!run.stdout.contains("Nothing to compare"), "{}", run.stdout);
}

#[test]
fn a_rater_compared_with_a_consensus_on_other_transcripts_is_told_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo_after_ana_and_bens_round(d);
    let p = project.to_str().unwrap();
    // Ana and Ben's agreements on P03 and P05 become the consensus.
    accord(d, &["adjudicate", "agreements", p, "--raters", "Ana,Ben"]).success();
    let run = accord(
        d,
        &["agreement", p, "--against-consensus", "--raters", "Ana"],
    )
    .success();
    assert!(!run.stdout.contains("Nothing to compare"), "{}", run.stdout);
    // Maya coded none of the transcripts the consensus holds.
    let run = accord(
        d,
        &[
            "agreement",
            p,
            "--against-consensus",
            "--raters",
            "Maya Chen",
        ],
    )
    .success();
    assert!(
        run.stdout
            .contains("no transcript was coded by all 2 raters compared (Consensus, Maya Chen)"),
        "{}",
        run.stdout
    );
    let run = accord(
        d,
        &[
            "agreement",
            p,
            "--against-consensus",
            "--raters",
            "Maya Chen",
            "--format",
            "json",
        ],
    )
    .success();
    serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap();
    assert!(run.stderr.contains("Nothing to compare"), "{}", run.stderr);
}

#[cfg(feature = "gui")]
#[test]
fn the_window_shows_the_same_explanation_in_adjudicate_and_agreement() {
    use egui_kittest::kittest::Queryable;

    use crate::support::{steps, window};

    let dir = tempfile::tempdir().unwrap();
    let project = demo_after_ana_and_bens_round(dir.path());
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);

    // Adjudicate compares every human rater by default: the list's place says why it is empty.
    h.get_by_label("Adjudicate").click();
    steps(&mut h, 3);
    let loaded = h.state().adjudicate.loaded.clone().expect("the view read");
    let why = loaded.1.expect_err("an empty comparison is explained");
    assert!(
        why.contains(NO_TRANSCRIPT) && why.contains(ANA_AND_BEN),
        "{why}"
    );
    assert!(h.query_by_label_contains(NO_TRANSCRIPT).is_some());

    // Agreement: the same text where the empty report is shown.
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    // Agreement is computed on its task; `steps` waits for it.
    steps(&mut h, 1);
    assert!(!h.state().agreement.busy);
    assert!(
        h.state()
            .agreement
            .result
            .as_ref()
            .is_some_and(Result::is_ok)
    );
    for needle in [NO_TRANSCRIPT, ANA_AND_BEN, DEMO_RATERS] {
        assert!(
            h.query_by_label_contains(needle).is_some(),
            "{needle:?} not shown"
        );
    }
}
