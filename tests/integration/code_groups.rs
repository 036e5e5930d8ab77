//! A group of mutually exclusive codes (issue 18, item 2) on the command line:
//! `accord irr --spans FILE --length N --group CODES --json` gives each code's object as before
//! under "codes", and the group's unitizing alphas (uα, |uα, cuα) under "group"; a group whose
//! codes overlap within one rater's coding is undefined, with the places named; bad groups are
//! refused before anything is printed.

use crate::support::accord;

fn spans(dir: &std::path::Path, rows: &str) -> String {
    let path = dir.join("spans.csv");
    std::fs::write(&path, format!("rater,code,start,end\n{rows}")).unwrap();
    path.to_str().unwrap().to_string()
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap()
}

#[test]
fn a_group_gives_its_unitizing_alphas_beside_each_codes() {
    let dir = tempfile::tempdir().unwrap();
    // The hand-worked example of `agreement::unitize::groups`: both raters mark 0..4 and 6..9,
    // and differ on the second unit's code.
    let file = spans(dir.path(), "r0,A,0,4\nr0,B,6,9\nr1,A,0,4\nr1,A,6,9\n");
    let args = [
        "irr",
        "--spans",
        &file,
        "--length",
        "10",
        "--replicates",
        "0",
    ];
    let plain = json(
        &accord(dir.path(), &[&args[..], &["--json"]].concat())
            .success()
            .stdout,
    );
    let run = accord(
        dir.path(),
        &[&args[..], &["--group", "A,B", "--json"]].concat(),
    )
    .success();
    let out = json(&run.stdout);
    assert_eq!(
        out["codes"], plain,
        "each code's object is as without --group"
    );
    let group = &out["group"];
    assert_eq!(group["codes"], serde_json::json!(["A", "B"]));
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-12;
    assert!(
        close(&group["u_alpha"], 1.0 - 6.0 * 17.2 / 234.0),
        "{group}"
    );
    assert!(close(&group["u_alpha_binary"], 1.0), "{group}");
    assert!(
        close(&group["cu_alpha"], 1.0 - 6.0 * (14.0 - 50.0 / 14.0) / 66.0),
        "{group}"
    );
    assert_eq!(group["notes"], serde_json::json!([]));
    // `all` is every code of the table.
    let all = json(
        &accord(
            dir.path(),
            &[&args[..], &["--group", "all", "--json"]].concat(),
        )
        .success()
        .stdout,
    );
    assert_eq!(all["group"], out["group"]);
    // The table names the three alphas.
    accord(dir.path(), &[&args[..], &["--group", "A,B"]].concat())
        .success()
        .stdout_has("group A, B:")
        .stdout_has("u_alpha            0.5590")
        .stdout_has("cu_alpha           0.0519");
}

#[test]
fn overlapping_codes_in_one_raters_coding_leave_the_group_undefined() {
    let dir = tempfile::tempdir().unwrap();
    let file = spans(
        dir.path(),
        "Ana,A,0,10\nAna,B,5,12\nBen,A,0,10\nBen,B,12,15\n",
    );
    let run = accord(
        dir.path(),
        &[
            "irr",
            "--spans",
            &file,
            "--length",
            "20",
            "--group",
            "A,B",
            "--json",
            "--replicates",
            "0",
        ],
    )
    .success();
    let group = &json(&run.stdout)["group"];
    for alpha in ["u_alpha", "u_alpha_binary", "cu_alpha"] {
        assert!(group[alpha].is_null(), "{alpha}: {group}");
    }
    let notes = group["notes"].to_string();
    assert!(
        notes.contains("Ana coded A and B over characters 5..10 of transcript 1"),
        "{notes}"
    );
}

#[test]
fn a_bad_group_is_refused_before_anything_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = spans(dir.path(), "r0,A,0,4\nr1,A,0,3\nr1,B,5,8\n");
    for (group, says) in [
        ("A,Nope", "Nope is not in the spans table (its codes: A, B)"),
        ("A", "a group needs at least two codes"),
        (",,", "a group needs at least two codes"),
    ] {
        let run = accord(
            dir.path(),
            &["irr", "--spans", &file, "--length", "10", "--group", group],
        )
        .failure()
        .stderr_has(says);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    accord(dir.path(), &["irr", "--csv", &file, "--group", "A,B"])
        .failure()
        .stderr_has("--spans");
}
