//! A round's stopping rule in the window (issue 18, item 5): the rounds view keeps a rule with a
//! round ("every code's kappa lower bound at least 0.70"), shows every code met / not met /
//! undefined as `accord rounds` reports them, and clears it; each an undoable change of the project.

use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, steps, window};

#[test]
fn the_rounds_view_keeps_a_stopping_rule_and_shows_each_code_against_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    accord(
        d,
        &[
            "round",
            "new",
            p,
            "Pilot",
            "--transcripts",
            "P01_interview,P02_interview,P04_interview,P07_interview",
            "--raters",
            "Jordan Ellis,Maya Chen",
        ],
    )
    .success();
    accord(d, &["round", "compute", p, "Pilot"]).success();

    let mut h = window(&project);
    // Who is coding (the window asks first).
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("Rounds").click();
    steps(&mut h, 3);
    // The form starts at the latest round, kappa, 0.70.
    h.get_by_label("Keep the rule").click();
    steps(&mut h, 4);
    let history = h
        .state()
        .rounds
        .loaded
        .clone()
        .expect("the view read the history")
        .1
        .expect("no error");
    assert_eq!(history.rules.len(), 1);
    let rule = &history.rules[0];
    assert_eq!(rule.round, "Pilot");
    assert!((rule.lower_bound - 0.7).abs() < 1e-12);
    assert!(
        h.query_all_by_label_contains("every code's kappa lower bound at least 0.70")
            .next()
            .is_some(),
        "the view names the rule"
    );

    // The command line reads the same rule and the same verdicts from the project.
    let cli: serde_json::Value =
        serde_json::from_str(&accord(d, &["rounds", p, "--json"]).success().stdout).unwrap();
    let cli_rule = &cli["rules"][0];
    assert_eq!(cli_rule["lower_bound"], 0.7);
    assert_eq!(
        serde_json::to_value(rule.overall).unwrap(),
        cli_rule["overall"]
    );
    let window_codes: Vec<(String, serde_json::Value)> = rule
        .codes
        .iter()
        .map(|c| (c.code.clone(), serde_json::to_value(c.status).unwrap()))
        .collect();
    let cli_codes: Vec<(String, serde_json::Value)> = cli_rule["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap().to_string(), c["status"].clone()))
        .collect();
    assert_eq!(window_codes, cli_codes);
    assert!(
        rule.codes
            .iter()
            .any(|c| c.status == accord::app::rounds::RuleStatus::NotMet),
        "some code of the demo's pilot falls short of 0.70"
    );

    // Cleared from the window; the change is undone from the command line.
    h.get_by_label("Clear the rule").click();
    steps(&mut h, 4);
    let history = h.state().rounds.loaded.clone().unwrap().1.unwrap();
    assert!(history.rules.is_empty());
    drop(h);
    accord(d, &["undo", p]).success();
    let cli: serde_json::Value =
        serde_json::from_str(&accord(d, &["rounds", p, "--json"]).success().stdout).unwrap();
    assert_eq!(cli["rules"][0]["lower_bound"], 0.7);
}
