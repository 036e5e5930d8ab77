//! One apply: the command line changes a project through the same `Workspace::apply` as the window,
//! so a change made by `accord` and one made through a `Workspace` land in the same history, in
//! order, and either side undoes and redoes the other's.

use std::path::Path;

use accord::Store;
use accord::app::{Command, RaterCommand, Workspace};
use accord::model::RaterKind;

use crate::support::{accord, code_a_passage, demo, live_coding_ids};

fn has_rater(project: &Path, name: &str) -> bool {
    Store::open(project).unwrap().find_rater(name).is_ok()
}

/// The labels of the done steps, oldest first, as `accord history --json` gives them.
fn done_labels(dir: &Path, p: &str) -> Vec<String> {
    let run = accord(dir, &["history", p, "--json"]).success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut steps: Vec<(i64, String)> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["done"].as_bool() == Some(true))
        .map(|s| {
            (
                s["step_id"].as_i64().unwrap(),
                s["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    steps.sort();
    steps.into_iter().map(|(_, label)| label).collect()
}

#[test]
fn a_command_line_change_and_a_window_change_share_one_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let before = live_coding_ids(&project);

    // The command line codes a passage ...
    let id = code_a_passage(d, p);
    assert!(live_coding_ids(&project).contains(&id));

    // ... and a Workspace (what the window holds) sees it as the change to undo, then makes one.
    let mut ws = Workspace::open(&project).unwrap();
    assert_eq!(ws.undo_label(), Some("Code 1 passage"));
    ws.apply(
        "Add rater Zoe",
        Command::Raters(RaterCommand::Add {
            name: "Zoe".into(),
            kind: RaterKind::Human,
        }),
    )
    .unwrap();
    assert_eq!(ws.undo_label(), Some("Add rater Zoe"));
    drop(ws);
    assert!(has_rater(&project, "Zoe"));
    let labels = done_labels(d, p);
    assert_eq!(
        labels[labels.len() - 2..],
        ["Code 1 passage".to_string(), "Add rater Zoe".to_string()],
        "both changes in one history, in the order they were made"
    );

    // The command line undoes the Workspace's change, and names the command line's as next.
    accord(d, &["undo", p])
        .success()
        .stdout_has("undid: Add rater Zoe")
        .stdout_has("next undo: Code 1 passage");
    assert!(!has_rater(&project, "Zoe"));

    // A Workspace undoes the command line's change.
    let mut ws = Workspace::open(&project).unwrap();
    assert_eq!(ws.undo().unwrap().as_deref(), Some("Code 1 passage"));
    assert_eq!(ws.redo_label(), Some("Code 1 passage"));
    drop(ws);
    assert_eq!(live_coding_ids(&project), before);

    // Redo, across the two: the command line brings back the very same coding ...
    accord(d, &["redo", p])
        .success()
        .stdout_has("redid: Code 1 passage");
    assert!(
        live_coding_ids(&project).contains(&id),
        "the very same coding is back"
    );
    // ... and a Workspace the rater.
    let mut ws = Workspace::open(&project).unwrap();
    assert_eq!(ws.redo().unwrap().as_deref(), Some("Add rater Zoe"));
    drop(ws);
    assert!(has_rater(&project, "Zoe"));
    accord(d, &["redo", p])
        .success()
        .stdout_has("nothing to redo");
}

#[test]
fn command_line_changes_keep_their_labels_in_the_shared_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let csv = d.join("attrs.csv");
    std::fs::write(&csv, "record_id,site\nP01,Z\n").unwrap();
    let csv = csv.to_str().unwrap();
    for (args, label) in [
        (vec!["rater", "add", p, "Sam"], "Add rater Sam"),
        (
            vec![
                "round",
                "new",
                p,
                "Pilot",
                "--transcripts",
                "P01_interview",
                "--raters",
                "Maya Chen,Jordan Ellis",
            ],
            "Start Pilot",
        ),
        (
            vec!["attributes", p, csv, "--key", "record_id"],
            "Import attributes",
        ),
    ] {
        accord(d, &args).success();
        let ws = Workspace::open(&project).unwrap();
        assert_eq!(ws.undo_label(), Some(label), "after accord {}", args[0]);
    }
    // Each is undone by a Workspace, newest first.
    let mut ws = Workspace::open(&project).unwrap();
    for label in ["Import attributes", "Start Pilot", "Add rater Sam"] {
        assert_eq!(ws.undo().unwrap().as_deref(), Some(label));
    }
    drop(ws);
    assert!(!has_rater(&project, "Sam"));
}
