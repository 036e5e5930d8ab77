//! Reliability planning (issue 18, item 5): `accord plan` on the demo from a pilot round, its
//! requirement (the worst code's), its seeded stratified sample of transcripts not yet
//! double-coded, its refusals (nothing written), and the stopping rule kept with a round that
//! `accord rounds` reports against, undone like any change.

use std::path::{Path, PathBuf};

use accord::agreement::planning::{allocate, krippendorff_minimum};
use serde_json::Value;

use crate::support::{accord, demo, snapshot};

const PILOT: &str = "P01_interview,P02_interview,P04_interview,P07_interview";

/// The demo with a pilot round of its two raters on four transcripts (computed when asked), and a
/// transcript whose case has no attributes.
fn demo_with_pilot(d: &Path, compute: bool) -> PathBuf {
    let project = demo(d);
    let p = project.to_str().unwrap();
    let extra = d.join("X99_interview.txt");
    std::fs::write(&extra, "Interviewer: Hello.\n\nX99: Hi there.\n").unwrap();
    accord(d, &["import", p, extra.to_str().unwrap()]).success();
    accord(
        d,
        &[
            "round",
            "new",
            p,
            "Pilot",
            "--transcripts",
            PILOT,
            "--raters",
            "Jordan Ellis,Maya Chen",
        ],
    )
    .success();
    if compute {
        accord(d, &["round", "compute", p, "Pilot"]).success();
    }
    project
}

fn plan_json(d: &Path, p: &str, extra: &[&str]) -> Value {
    let mut args = vec!["plan", p, "--round", "Pilot", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&accord(d, &args).success().stdout).unwrap()
}

#[test]
fn plan_gives_the_worst_codes_requirement_and_a_seeded_stratified_sample() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo_with_pilot(d, true);
    let p = project.to_str().unwrap();
    let plan = plan_json(d, p, &["--width", "0.3", "--by", "site", "--seed", "7"]);
    let codes = plan["codes"].as_array().unwrap();
    assert!(!codes.is_empty());
    // Worst first: the requirement is the first code's, and no code needs more.
    let needed: Vec<Option<u64>> = codes.iter().map(|c| c["needed_units"].as_u64()).collect();
    let first = needed[0].unwrap();
    assert_eq!(plan["needed_units"].as_u64(), Some(first));
    assert_eq!(plan["worst"], codes[0]["code"]);
    let figures: Vec<u64> = needed.iter().flatten().copied().collect();
    assert!(figures.windows(2).all(|w| w[0] >= w[1]), "{figures:?}");
    // Codes without a figure come last, each with its reason (here: perfect agreement).
    for c in codes.iter().filter(|c| c["needed_units"].is_null()) {
        let reason = c["reason"].as_str().unwrap();
        assert!(reason.contains("standard error is 0"), "{reason}");
    }
    // Each code's requirement is its largest statistic's, and its transcripts follow from the
    // units still to code at the stated units per transcript.
    let per = plan["units_per_transcript"].as_f64().unwrap();
    for c in codes.iter().filter(|c| c["needed_units"].is_u64()) {
        let n = c["needed_units"].as_u64().unwrap();
        let most = c["statistics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["from_pilot"].as_u64().or(s["from_prevalence"].as_u64()))
            .max()
            .unwrap();
        assert_eq!(n, most);
        let more = n.saturating_sub(c["pilot_units"].as_u64().unwrap());
        assert_eq!(c["more_units"].as_u64(), Some(more));
        assert_eq!(
            c["more_transcripts"].as_u64(),
            Some((more as f64 / per).ceil() as u64)
        );
    }
    // The sample: transcripts outside the round, by site with a "(none)" stratum for X99,
    // allocated by largest remainder.
    let sample = &plan["sample"];
    let strata = sample["strata"].as_array().unwrap();
    let names: Vec<&str> = strata.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"(none)"), "{names:?}");
    let sizes: Vec<usize> = strata
        .iter()
        .map(|s| s["available"].as_u64().unwrap() as usize)
        .collect();
    let chosen: Vec<usize> = strata
        .iter()
        .map(|s| s["chosen"].as_u64().unwrap() as usize)
        .collect();
    let asked = sample["asked"].as_u64().unwrap() as usize;
    assert_eq!(chosen, allocate(&sizes, asked));
    let picked: Vec<&str> = sample["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["transcript"].as_str().unwrap())
        .collect();
    assert_eq!(picked.len(), chosen.iter().sum::<usize>());
    for t in &picked {
        assert!(!PILOT.contains(t), "{t} is in the pilot");
    }
    // Same seed, same sample; a few transcripts on request.
    let again = plan_json(d, p, &["--width", "0.3", "--by", "site", "--seed", "7"]);
    assert_eq!(again["sample"], plan["sample"]);
    let three = plan_json(
        d,
        p,
        &["--width", "0.3", "--by", "arm,site", "--transcripts", "3"],
    );
    assert_eq!(three["sample"]["transcripts"].as_array().unwrap().len(), 3);
    assert!(
        three["sample"]["strata"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "(none) / (none)")
    );
    // With a rule kept with the round, each code gets Krippendorff's minimum for its bound.
    assert!(codes.iter().all(|c| c["rule_minimum"].is_null()));
    accord(
        d,
        &[
            "round",
            "rule",
            p,
            "Pilot",
            "--lower-bound",
            "0.8",
            "--statistic",
            "alpha",
        ],
    )
    .success();
    let ruled = plan_json(d, p, &["--width", "0.3"]);
    assert_eq!(ruled["rule"], serde_json::json!(["alpha", 0.8]));
    for c in ruled["codes"].as_array().unwrap() {
        let prevalence = c["prevalence"].as_f64().unwrap();
        let want = krippendorff_minimum(prevalence.min(1.0 - prevalence), 0.8, 0.05).ok();
        assert_eq!(c["rule_minimum"].as_u64(), want, "{}", c["code"]);
    }
    // The table for people names the method and the requirement.
    accord(d, &["plan", p, "--round", "Pilot", "--width", "0.3"])
        .success()
        .stdout_has("2 t(n-1) SE_p sqrt(n_p/n)")
        .stdout_has("Requirement: ")
        .stdout_has("the same seed gives the same sample");
}

#[test]
fn plan_refuses_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo_with_pilot(d, false);
    let p = project.to_str().unwrap();
    let before = snapshot(&project);
    accord(d, &["plan", p, "--round", "Pilot", "--width", "0.2"])
        .failure()
        .stderr_has("no computed agreement yet: run accord round compute");
    accord(d, &["round", "compute", p, "Pilot"]).success();
    let before_plans = snapshot(&project);
    for (args, says) in [
        (
            vec!["--round", "Nope", "--width", "0.2"],
            "no round \"Nope\"",
        ),
        (
            vec!["--round", "Pilot", "--width", "0"],
            "--width 0: give a width in (0, 2]",
        ),
        (vec!["--round", "Pilot", "--width", "2.5"], "--width 2.5"),
        (
            vec!["--round", "Pilot", "--width", "0.2", "--by", "ward"],
            "no case has an attribute \"ward\"",
        ),
        (
            vec!["--round", "Pilot", "--width", "0.2", "--statistic", "tau"],
            "unknown statistic \"tau\"",
        ),
        (
            vec!["--round", "Pilot", "--width", "0.2", "--unit", "segment"],
            "needs --unit char, turn or sentence",
        ),
        (
            vec!["--round", "Pilot", "--width", "0.2", "--confidence", "1"],
            "--confidence 1",
        ),
    ] {
        let mut all = vec!["plan", p];
        all.extend(args);
        accord(d, &all).failure().stderr_has(says);
    }
    assert_eq!(snapshot(&project), before_plans);
    assert_ne!(before, before_plans, "computing the round did write");
}

#[test]
fn a_rounds_stopping_rule_is_kept_reported_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo_with_pilot(d, true);
    let p = project.to_str().unwrap();
    let before = snapshot(&project);
    for (args, says) in [
        (vec!["--lower-bound", "1.5"], "give a value in [-1, 1]"),
        (
            vec!["--lower-bound", "0.7", "--statistic", "tau"],
            "unknown statistic",
        ),
    ] {
        let mut all = vec!["round", "rule", p, "Pilot"];
        all.extend(args);
        accord(d, &all).failure().stderr_has(says);
    }
    accord(d, &["round", "rule", p, "Nope", "--lower-bound", "0.7"])
        .failure()
        .stderr_has("no round \"Nope\"");
    assert_eq!(snapshot(&project), before);

    accord(d, &["round", "rule", p, "Pilot", "--lower-bound", "0.5"])
        .success()
        .stdout_has("every code's kappa lower bound at least 0.50");
    let rounds: Value =
        serde_json::from_str(&accord(d, &["rounds", p, "--json"]).success().stdout).unwrap();
    let rule = &rounds["rules"][0];
    assert_eq!(rule["round"], "Pilot");
    assert_eq!(rule["lower_bound"], 0.5);
    let codes = rule["codes"].as_array().unwrap();
    // Each code's status is its kappa interval's lower bound against 0.5, and the round is met
    // only if every code is.
    let mut any_not_met = false;
    for c in codes {
        let status = c["status"].as_str().unwrap();
        let want = match c["lower"].as_f64() {
            Some(lower) if lower >= 0.5 => "met",
            Some(_) => "not_met",
            None => "undefined",
        };
        assert_eq!(status, want, "{c}");
        any_not_met |= status == "not_met";
    }
    assert_eq!(rule["overall"], if any_not_met { "not_met" } else { "met" });
    accord(d, &["rounds", p])
        .success()
        .stdout_has("Pilot: rule \"every code's kappa lower bound at least 0.50\"");
    // Replaced, then undone back to the first rule, then to none.
    accord(
        d,
        &[
            "round",
            "rule",
            p,
            "Pilot",
            "--lower-bound",
            "-0.2",
            "--statistic",
            "alpha",
        ],
    )
    .success();
    accord(d, &["rounds", p])
        .success()
        .stdout_has("alpha lower bound at least -0.20");
    accord(d, &["undo", p]).success();
    accord(d, &["rounds", p])
        .success()
        .stdout_has("kappa lower bound at least 0.50");
    accord(d, &["undo", p]).success();
    let rounds: Value =
        serde_json::from_str(&accord(d, &["rounds", p, "--json"]).success().stdout).unwrap();
    assert_eq!(rounds["rules"], serde_json::json!([]));
    accord(d, &["redo", p]).success();
    accord(d, &["round", "rule", p, "Pilot", "--clear"])
        .success()
        .stdout_has("Clear the rule of Pilot");
}
