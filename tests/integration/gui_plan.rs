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

#[test]
fn the_rounds_view_plans_the_next_round_as_accord_plan_does() {
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
    let cli: serde_json::Value = serde_json::from_str(
        &accord(
            d,
            &[
                "plan", p, "--round", "Pilot", "--width", "0.3", "--by", "arm", "--seed", "7",
                "--json",
            ],
        )
        .success()
        .stdout,
    )
    .unwrap();

    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("Rounds").click();
    steps(&mut h, 3);
    h.get_by_label("▸ Plan the next round").click();
    steps(&mut h, 2);
    {
        let plan = &mut h.state_mut().rounds.plan;
        plan.round = Some("Pilot".into());
        plan.width = 0.3;
        plan.by = "arm".into();
        plan.seed = 7;
    }
    steps(&mut h, 1);
    h.get_by_label("Plan").click();
    steps(&mut h, 4);
    let plan = h
        .state()
        .rounds
        .plan
        .result
        .clone()
        .expect("planned")
        .expect("no error");
    assert!(cli["needed_units"].is_number(), "{cli}");
    assert_eq!(
        serde_json::to_value(plan.needed_units).unwrap(),
        cli["needed_units"]
    );
    let sample: Vec<&str> = plan
        .sample
        .transcripts
        .iter()
        .map(|c| c.transcript.as_str())
        .collect();
    let cli_sample: Vec<&str> = cli["sample"]["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["transcript"].as_str().unwrap())
        .collect();
    assert!(!sample.is_empty());
    assert_eq!(sample, cli_sample, "the same seeded sample");
    assert!(
        h.query_by_label_contains(&format!("Sample (seed 7): {} transcripts", sample.len()))
            .is_some()
    );
}

#[test]
fn a_round_is_started_in_the_window_at_the_unit_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("Rounds").click();
    steps(&mut h, 3);
    h.get_by_label("▸ Start a round…").click();
    steps(&mut h, 2);
    // Choosing the unit keeps the form open (a collapsing header closed it on that click).
    h.get_by_label("Unit").click();
    steps(&mut h, 2);
    h.get_by_label("sentence").click();
    steps(&mut h, 2);
    assert!(
        h.query_by_label("Start the round").is_some(),
        "the form is still open"
    );
    h.get_by_label("Round name").click();
    steps(&mut h, 1);
    h.get_by_label("Round name").type_text("Second look");
    steps(&mut h, 1);
    for name in [
        "Jordan Ellis",
        "Maya Chen",
        "P01_interview",
        "P04_interview",
    ] {
        h.get_all_by_label(name).last().unwrap().click();
        steps(&mut h, 1);
    }
    h.get_by_label("Start the round").click();
    steps(&mut h, 6);
    let listed = accord(dir.path(), &["rounds", project.to_str().unwrap(), "--json"])
        .success()
        .stdout;
    assert!(listed.contains("Second look"), "{listed}");
    assert!(listed.contains("\"sentence\""), "{listed}");
}
