//! A group of mutually exclusive codes (issue 18, item 2) on the command line:
//! `accord irr --spans FILE --length N --group CODES --json` gives each code's object as before
//! under "codes", and the group's unitizing alphas (uα, |uα, cuα) under "group"; a group whose
//! codes overlap within one rater's coding is undefined, with the places named; bad groups are
//! refused before anything is printed.

use std::fmt::Write as _;

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

// ---- Code groups declared in a project's codebook (issue 18, item 2) ----

const CODEBOOK: &str = r#"
[codebook]
name = "Groups"
[[codes]]
name = "Role"
[[codes]]
name = "Clear"
parent = "Role"
[[codes]]
name = "Unclear"
parent = "Role"
[[codes]]
name = "Tired"
[[codes]]
name = "Angry"
[[groups]]
name = "Clarity"
description = "Is the role clear or not?"
codes = ["Clear", "Role/Unclear"]
"#;

/// Two raters' codings of two transcripts (110 and 92 characters): (transcript, rater, code,
/// start, end).
const CODINGS: [(&str, &str, &str, usize, usize); 9] = [
    ("P01_a", "Ana", "Clear", 31, 51),
    ("P01_a", "Ana", "Unclear", 56, 79),
    ("P01_a", "Ana", "Tired", 85, 98),
    ("P01_a", "Ben", "Clear", 31, 48),
    ("P01_a", "Ben", "Clear", 56, 79),
    ("P01_a", "Ben", "Angry", 100, 105),
    ("P01_b", "Ana", "Unclear", 28, 60),
    ("P01_b", "Ben", "Unclear", 30, 70),
    ("P01_b", "Ana", "Angry", 70, 80),
];

/// A project with the two transcripts, the codebook (one group) and the codings.
pub(crate) fn grouped_project(dir: &std::path::Path) -> String {
    let p = dir.join("g.accord").to_str().unwrap().to_string();
    std::fs::write(
        dir.join("P01_a.txt"),
        "Interviewer: How was it?\n\nP01: The role was clear at first and then it was not clear at all, and I was tired.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("P01_b.txt"),
        "Interviewer: And then?\n\nP01: Then the supervisor changed what I do, every week a new thing.\n",
    )
    .unwrap();
    std::fs::write(dir.join("cb.toml"), CODEBOOK).unwrap();
    let mut csv = String::from("transcript,rater,code,start,end\n");
    for (t, r, c, s, e) in CODINGS {
        writeln!(csv, "{t},{r},{c},{s},{e}").unwrap();
    }
    std::fs::write(dir.join("c.csv"), csv).unwrap();
    accord(dir, &["new", &p]).success();
    accord(dir, &["codebook", "import", &p, "cb.toml"]).success();
    accord(dir, &["import", &p, "P01_a.txt", "P01_b.txt"]).success();
    for rater in ["Ana", "Ben"] {
        accord(dir, &["rater", "add", &p, rater]).success();
    }
    accord(dir, &["codings", "import", &p, "c.csv"])
        .success()
        .stdout_has("9 codings added");
    p
}

fn groups_json(dir: &std::path::Path, p: &str, extra: &[&str]) -> serde_json::Value {
    let args = [
        &[
            "agreement",
            p,
            "--unit",
            "unitizing",
            "--format",
            "json",
            "--replicates",
            "0",
            "--groups",
        ][..],
        extra,
    ]
    .concat();
    json(&accord(dir, &args).success().stdout)["groups"].clone()
}

#[test]
fn a_declared_group_on_a_project_equals_its_spans_on_one_continuum() {
    let dir = tempfile::tempdir().unwrap();
    let p = grouped_project(dir.path());
    let groups = groups_json(dir.path(), &p, &[]);
    let row = &groups["groups"][0];
    assert_eq!(row["group"], "Clarity");
    assert_eq!(
        row["codes"],
        serde_json::json!(["Role/Clear", "Role/Unclear"])
    );
    assert_eq!(groups["transcripts"], 2);
    // The same spans laid end to end on one continuum (P01_b after P01_a's 110 characters) give the
    // same alphas: a unit never crosses a transcript's end, and gaps pair character by character,
    // so joining the transcripts changes no coincidence. `accord irr --spans --group` is checked by
    // hand above.
    let mut rows = String::new();
    for (t, r, c, s, e) in CODINGS {
        let shift = if t == "P01_b" { 110 } else { 0 };
        writeln!(rows, "{r},{c},{},{}", s + shift, e + shift).unwrap();
    }
    let file = spans(dir.path(), &rows);
    let irr = json(
        &accord(
            dir.path(),
            &[
                "irr",
                "--spans",
                &file,
                "--length",
                "202",
                "--group",
                "Clear,Unclear",
                "--json",
                "--replicates",
                "0",
            ],
        )
        .success()
        .stdout,
    );
    let close = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-12
    };
    for alpha in ["u_alpha", "u_alpha_binary", "cu_alpha"] {
        assert!(
            close(&row[alpha], &irr["group"][alpha]),
            "{alpha}: {row} {irr}"
        );
    }
    // One group: Cu_alpha is its cu_alpha.
    assert!(close(&groups["cu_alpha_all"], &row["cu_alpha"]), "{groups}");

    // A second group, declared on the command line, whose codes the raters never both marked:
    // its cu_alpha is undefined, so Cu_alpha pools the first group's disagreements alone.
    accord(
        dir.path(),
        &["codebook", "group", &p, "Mood", "--codes", "Tired,Angry"],
    )
    .success()
    .stdout_has("Declare code group Mood: codebook version 2");
    let both = groups_json(dir.path(), &p, &[]);
    assert_eq!(both["groups"].as_array().unwrap().len(), 2);
    let mood = &both["groups"][1];
    assert_eq!(mood["group"], "Mood");
    assert!(mood["cu_alpha"].is_null(), "{mood}");
    assert!(mood["u_alpha"].is_number(), "{mood}");
    assert!(close(&both["cu_alpha_all"], &row["cu_alpha"]), "{both}");
    // Named groups only.
    let one = groups_json(dir.path(), &p, &["mood"]);
    assert_eq!(one["groups"].as_array().unwrap().len(), 1);
    assert_eq!(one["groups"][0]["group"], "Mood");

    // The table: a row per group and the Cu_alpha row, after the per-code table.
    let table = accord(
        dir.path(),
        &[
            "agreement",
            &p,
            "--unit",
            "unitizing",
            "--groups",
            "--replicates",
            "0",
        ],
    )
    .success()
    .stdout;
    let at = table.find("code group").expect("a groups table");
    assert!(table[..at].contains("all codes (pooled)"), "{table}");
    assert!(table[at..].contains("Clarity") && table[at..].contains("Cu_alpha (all groups)"));
    let md = accord(
        dir.path(),
        &[
            "agreement",
            &p,
            "--unit",
            "unitizing",
            "--groups",
            "--format",
            "markdown",
            "--replicates",
            "0",
        ],
    )
    .success()
    .stdout;
    assert!(
        md.contains("## Code groups") && md.contains("| Mood |"),
        "{md}"
    );
    let csv = accord(
        dir.path(),
        &[
            "agreement",
            &p,
            "--unit",
            "unitizing",
            "--groups",
            "--format",
            "csv",
            "--replicates",
            "0",
        ],
    )
    .success()
    .stdout;
    assert!(
        csv.contains("\ncode_group,codes,u_alpha,u_alpha_binary,cu_alpha,notes\nClarity,"),
        "{csv}"
    );
    // Without --groups, nothing about groups.
    let plain = accord(
        dir.path(),
        &[
            "agreement",
            &p,
            "--unit",
            "unitizing",
            "--format",
            "json",
            "--replicates",
            "0",
        ],
    )
    .success()
    .stdout;
    assert!(json(&plain).get("groups").is_none() && json(&plain).get("rows").is_some());
}

#[test]
fn groups_are_part_of_the_codebook_its_versions_its_file_and_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let p = grouped_project(dir.path());
    accord(dir.path(), &["codebook", "groups", &p])
        .success()
        .stdout_has("Clarity: Role/Clear; Role/Unclear")
        .stdout_has("Is the role clear or not?");
    // The TOML file written back declares it, by path, and reads back to the same codebook.
    let toml = accord(dir.path(), &["codebook", "export", &p])
        .success()
        .stdout;
    assert!(toml.contains("[[groups]]\nname = \"Clarity\""), "{toml}");
    let show = |dir: &std::path::Path| {
        json(
            &accord(dir, &["codebook", "show", &p, "--json"])
                .success()
                .stdout,
        )
    };
    let before = show(dir.path());
    std::fs::write(dir.path().join("again.toml"), &toml).unwrap();
    accord(dir.path(), &["codebook", "import", &p, "again.toml"])
        .success()
        .stdout_has("0 codes added, 0 updated");
    assert_eq!(show(dir.path()), before);
    // The codebook document has a section on it.
    let md = accord(
        dir.path(),
        &["export", &p, "codebook", "--format", "markdown"],
    )
    .success()
    .stdout;
    assert!(
        md.contains("## Groups of mutually exclusive codes")
            && md.contains("**Codes.** Role/Clear; Role/Unclear"),
        "{md}"
    );
    // Changing a group is a new codebook version, undone like any change.
    accord(
        dir.path(),
        &[
            "codebook",
            "group",
            &p,
            "Clarity",
            "--codes",
            "Clear,Unclear,Role",
        ],
    )
    .success()
    .stdout_has("codebook version 2");
    assert_eq!(
        show(dir.path())["groups"][0]["codes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    accord(dir.path(), &["undo", &p]).success();
    assert_eq!(show(dir.path()), before);
    accord(
        dir.path(),
        &["codebook", "group", &p, "Clarity", "--delete"],
    )
    .success()
    .stdout_has("Delete code group Clarity");
    assert!(show(dir.path()).get("groups").is_none());
    accord(dir.path(), &["undo", &p]).success();
    assert_eq!(show(dir.path()), before);
}

#[test]
fn bad_groups_are_refused_naming_the_problem_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = grouped_project(dir.path());
    let snapshot = || crate::support::snapshot(std::path::Path::new(&p));
    let before = snapshot();
    for (args, says) in [
        (
            vec!["codebook", "group", &p, "Solo", "--codes", "Tired"],
            "needs at least two",
        ),
        (
            vec!["codebook", "group", &p, "Twice", "--codes", "Tired,Clear"],
            "\"Role/Clear\" is in two code groups, \"Clarity\" and \"Twice\"",
        ),
        (
            vec!["codebook", "group", &p, "X", "--codes", "Tired,Nope"],
            "Nope",
        ),
        (
            vec!["codebook", "group", &p, "Nope", "--delete"],
            "no code group is named \"Nope\" (declared: Clarity)",
        ),
        (
            vec!["agreement", &p, "--unit", "unitizing", "--groups", "Nope"],
            "no code group is named \"Nope\" (the codebook declares: Clarity)",
        ),
        (
            vec!["agreement", &p, "--unit", "turn", "--groups"],
            "use it with --unit unitizing",
        ),
    ] {
        let run = accord(dir.path(), &args).failure().stderr_has(says);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    // A codebook file whose group names a code twice over is refused whole.
    std::fs::write(
        dir.path().join("bad.toml"),
        format!("{CODEBOOK}\n[[groups]]\nname = \"Again\"\ncodes = [\"Tired\", \"Clear\"]\n"),
    )
    .unwrap();
    accord(dir.path(), &["codebook", "import", &p, "bad.toml"])
        .failure()
        .stderr_has("bad.toml")
        .stderr_has("in two code groups");
    assert_eq!(snapshot(), before, "nothing was written");

    // A group whose codes overlap in one rater's coding is undefined, the place named.
    accord(
        dir.path(),
        &["codebook", "group", &p, "Mood", "--codes", "Tired,Angry"],
    )
    .success();
    std::fs::write(
        dir.path().join("more.csv"),
        "transcript,rater,code,start,end\nP01_a,Ana,Angry,90,100\n",
    )
    .unwrap();
    accord(dir.path(), &["codings", "import", &p, "more.csv"]).success();
    let groups = groups_json(dir.path(), &p, &["Mood"]);
    let mood = &groups["groups"][0];
    assert!(
        mood["u_alpha"].is_null() && mood["cu_alpha"].is_null(),
        "{mood}"
    );
    assert!(
        mood["notes"]
            .to_string()
            .contains("Ana coded Tired and Angry over characters 90..98 of P01_a"),
        "{mood}"
    );
}
