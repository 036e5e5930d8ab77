//! The command line end to end: the README's tour, run for real on the samples.

use crate::support::{accord, demo, root, samples, snapshot};

#[test]
fn demo_show_lists_both_raters_codings() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let run = accord(dir.path(), &["show", p, "P01_interview"]).success();
    assert!(
        run.stdout.contains("Maya Chen") && run.stdout.contains("Jordan Ellis"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(interviewer)") && run.stdout.contains("(participant)"));
    accord(dir.path(), &["show", p, "P02_interview", "--turns", "1-3"])
        .success()
        .stdout_has("[00:00:");
    let json = accord(dir.path(), &["show", p, "P01_interview", "--json"])
        .success()
        .stdout;
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["codings"].as_array().unwrap().len() > 20);
    accord(dir.path(), &["transcripts", "list", p])
        .success()
        .stdout_has("12 transcripts");
    accord(dir.path(), &["attributes", p])
        .success()
        .stdout_has("site=B");
    accord(dir.path(), &["rater", "list", p])
        .success()
        .stdout_has("Jordan Ellis");
    accord(dir.path(), &["codebook", "show", p])
        .success()
        .stdout_has("Peerness");
}

#[test]
fn the_whole_tour_step_by_step() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.accord");
    let p = project.to_str().unwrap();
    let codebook = root().join("codebooks/capp-phase3.toml");
    let transcripts = samples().join("transcripts");
    accord(dir.path(), &["new", p])
        .success()
        .stdout_has("Created");
    accord(dir.path(), &["new", p])
        .failure()
        .stderr_has("already exists");
    accord(
        dir.path(),
        &["codebook", "import", p, codebook.to_str().unwrap()],
    )
    .success()
    .stdout_has("version 1");
    accord(dir.path(), &["import", p, transcripts.to_str().unwrap()])
        .success()
        .stdout_has("12 imported, 0 skipped, 0 failed");
    // Importing the same folder again skips every file: nothing is duplicated.
    accord(dir.path(), &["import", p, transcripts.to_str().unwrap()])
        .success()
        .stdout_has("0 imported, 12 skipped");
    let csv = samples().join("participants.csv");
    accord(
        dir.path(),
        &["attributes", p, csv.to_str().unwrap(), "--key", "record_id"],
    )
    .success()
    .stdout_has("12 cases updated")
    .stdout_has("C01");
    accord(dir.path(), &["rater", "add", p, "Ana"]).success();
    accord(dir.path(), &["rater", "add", p, "Ana"])
        .failure()
        .stderr_has("already exists");

    let run = accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Ana",
            "--span",
            "40..90",
            "--json",
        ],
    )
    .success();
    let coded: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(coded["start"], 40);
    assert_eq!(coded["code"], "Lived experience/Peerness");
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Role stress/Role clarity",
            "-r",
            "Ana",
            "--turns",
            "2-3",
        ],
    )
    .success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P10_interview",
            "-c",
            "Own recovery",
            "-r",
            "Ana",
            "--quote",
            "naïve",
            "--memo",
            "accents",
        ],
    )
    .success();

    let listed = accord(
        dir.path(),
        &["codings", "list", p, "--rater", "Ana", "--json"],
    )
    .success()
    .stdout;
    let rows: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["quote"] == "naïve" && r["memo"] == "accents")
    );

    // Export, then import into a fresh project: the same codings come back (by id, so twice is harmless).
    let exported = dir.path().join("codings.csv");
    accord(
        dir.path(),
        &["codings", "export", p, "--out", exported.to_str().unwrap()],
    )
    .success();
    accord(
        dir.path(),
        &["codings", "import", p, exported.to_str().unwrap()],
    )
    .success()
    .stdout_has("0 codings added, 3 already present");

    accord(
        dir.path(),
        &[
            "uncode",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Ana",
        ],
    )
    .success()
    .stdout_has("removed 1");
    accord(dir.path(), &["codings", "list", p, "--rater", "Ana"])
        .success()
        .stdout_has("2 codings");
    accord(
        dir.path(),
        &["codings", "list", p, "--rater", "Ana", "--removed"],
    )
    .success()
    .stdout_has("[removed]");

    let exported_book = dir.path().join("book.toml");
    accord(
        dir.path(),
        &[
            "codebook",
            "export",
            p,
            "--out",
            exported_book.to_str().unwrap(),
        ],
    )
    .success();
    accord(
        dir.path(),
        &["codebook", "import", p, exported_book.to_str().unwrap()],
    )
    .success()
    .stdout_has("0 codes added, 0 updated");
}

#[test]
fn bad_requests_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let before = snapshot(&project);
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "10..99999999",
        ],
    )
    .failure()
    .stderr_has("outside the text");
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Nonsense",
            "-r",
            "Maya Chen",
            "--span",
            "1..5",
        ],
    )
    .failure()
    .stderr_has("no code \"Nonsense\"");
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Nobody",
            "--span",
            "1..5",
        ],
    )
    .failure()
    .stderr_has("no rater \"Nobody\"");
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P99",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "1..5",
        ],
    )
    .failure()
    .stderr_has("no transcript \"P99\"");
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "9..3",
        ],
    )
    .failure()
    .stderr_has("empty or reversed");
    accord(dir.path(), &["show", "/nonexistent.accord", "P01"])
        .failure()
        .stderr_has("not an Accord project");
    assert_eq!(snapshot(&project), before);
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        vec!["new"],
        vec!["import"],
        vec!["attributes"],
        vec!["codebook", "import"],
        vec!["codebook", "export"],
        vec!["codebook", "show"],
        vec!["rater", "add"],
        vec!["rater", "list"],
        vec!["code"],
        vec!["uncode"],
        vec!["codings", "list"],
        vec!["codings", "import"],
        vec!["codings", "export"],
        vec!["show"],
        vec!["demo"],
        vec!["transcripts", "list"],
        vec!["transcripts", "remove"],
        vec!["search"],
        vec!["reindex"],
        vec!["irr"],
        vec!["agreement"],
        vec!["disagreements"],
    ] {
        let mut args = sub.clone();
        args.push("--help");
        accord(dir.path(), &args)
            .success()
            .stdout_has("Usage: accord");
    }
}

#[test]
fn no_arguments_opens_the_demo_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = accord(dir.path(), &[]).success();
    assert!(
        run.stderr.contains("First run: built the demo project"),
        "{}",
        run.stderr
    );
    if cfg!(feature = "gui") {
        assert!(run.stderr.contains("No display found"), "{}", run.stderr);
    }
    accord(dir.path(), &[])
        .success()
        .stdout_has("12 transcripts");
}
