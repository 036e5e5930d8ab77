//! Undo and redo that outlive the session: every change, from the window or the command line, keeps
//! how to undo it in the project file, in the same transaction. `accord undo` in a new process undoes
//! what an earlier one (or the window) did; `accord redo` brings back the very same rows.

use std::path::Path;

use accord::Store;
use accord::app::CodingCommand;
use accord::app::{Command, Workspace};
use accord::model::{CodingId, NewCoding, Span};

use crate::support::{accord, code_a_passage, demo, live_coding_ids, samples};

#[test]
fn undo_and_redo_across_processes_and_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let before = live_coding_ids(&project);

    // A coding made by one process is undone by the next, and redone as the same row.
    let id = code_a_passage(d, p);
    assert!(live_coding_ids(&project).contains(&id));
    accord(d, &["undo", p])
        .success()
        .stdout_has("undid: Code 1 passage");
    assert_eq!(live_coding_ids(&project), before);
    accord(d, &["redo", p])
        .success()
        .stdout_has("redid: Code 1 passage");
    assert!(
        live_coding_ids(&project).contains(&id),
        "the very same coding is back"
    );

    // What the window did yesterday, the command line undoes today.
    let mut ws = Workspace::open(&project).unwrap();
    let store = ws.store();
    let t = store
        .find_transcript("P02_interview")
        .unwrap()
        .transcript_id;
    let code = accord::app::resolve::code(&store.codebook().unwrap(), "Peerness").unwrap();
    let rater = store.find_rater("Jordan Ellis").unwrap().rater_id;
    let window_coding = CodingId::new_random();
    ws.apply(
        "Code 1 passage in the window",
        Command::Codings(CodingCommand::Add {
            codings: vec![NewCoding {
                coding_id: window_coding,
                transcript_id: t,
                code_id: code,
                rater_id: rater,
                span: Span::new(5, 25),
                memo: None,
                created_at: None,
            }],
            action: "code".into(),
        }),
    )
    .unwrap();
    drop(ws);
    accord(d, &["undo", p])
        .success()
        .stdout_has("in the window");
    assert!(!live_coding_ids(&project).contains(&window_coding.to_text()));
    // A new change after an undo drops what could have been redone.
    accord(d, &["rater", "add", p, "Sam"]).success();
    accord(d, &["redo", p])
        .success()
        .stdout_has("nothing to redo");
    accord(d, &["undo", p])
        .success()
        .stdout_has("Add rater Sam");
    assert!(Store::open(&project).unwrap().find_rater("Sam").is_err());

    // Attributes: the undo puts every old value back.
    let csv = d.join("attrs.csv");
    std::fs::write(&csv, "record_id,site\nP01,Z\n").unwrap();
    let site = |project: &Path| {
        Store::open(project)
            .unwrap()
            .cases()
            .unwrap()
            .into_iter()
            .find(|c| c.name == "P01")
            .unwrap()
            .attributes["site"]
            .clone()
    };
    let old_site = site(&project);
    accord(
        d,
        &["attributes", p, csv.to_str().unwrap(), "--key", "record_id"],
    )
    .success();
    assert_eq!(site(&project), "Z");
    accord(d, &["undo", p]).success();
    assert_eq!(site(&project), old_site);

    // The history lists what can be undone and redone.
    let history = accord(d, &["history", p, "--json"]).success();
    let v: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s["label"] == "Code 1 passage" && s["done"] == true)
    );
    assert!(
        steps
            .iter()
            .any(|s| s["label"] == "Import attributes" && s["done"] == false)
    );
}

#[test]
fn a_merge_is_undone_and_redone_as_one_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("lead.accord");
    let p = project.to_str().unwrap();
    accord(d, &["new", p]).success();
    let book = crate::support::root().join("codebooks/capp-phase3.toml");
    accord(d, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let p01 = samples().join("transcripts/P01_interview.txt");
    accord(d, &["import", p, p01.to_str().unwrap()]).success();
    accord(d, &["rater", "add", p, "Ana"]).success();
    let file = d.join("ana.accord");
    accord(
        d,
        &[
            "rater-file",
            p,
            "--rater",
            "Ana",
            "--transcripts",
            "P01_interview",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .success();
    let f = file.to_str().unwrap();
    for turns in ["3", "5-6", "9"] {
        accord(
            d,
            &[
                "code",
                f,
                "-t",
                "P01_interview",
                "-c",
                "Peerness",
                "-r",
                "Ana",
                "--turns",
                turns,
            ],
        )
        .success();
    }
    accord(
        d,
        &[
            "propose",
            f,
            "--code",
            "Peerness",
            "--example",
            "\"I've been there too.\"",
        ],
    )
    .success();
    accord(d, &["merge", p, f]).success();
    let merged = live_coding_ids(&project);
    assert_eq!(merged.len(), 3);
    let proposals = || Store::open(&project).unwrap().proposals().unwrap().len();
    assert_eq!(proposals(), 1);
    accord(d, &["undo", p])
        .success()
        .stdout_has("Merge Ana's work");
    assert!(live_coding_ids(&project).is_empty());
    assert_eq!(proposals(), 0);
    accord(d, &["redo", p]).success();
    assert_eq!(live_coding_ids(&project), merged, "the same codings, by id");
    assert_eq!(proposals(), 1);
}
