//! Issue 18 on the command line: weighted kappa by rank at the ordinal level, "no units coded by
//! both" wherever raters share no unit (never 1 or 0), the theme roll-up (`--rollup`) and the
//! breakdown tables (`--by transcript|pair|ATTRIBUTE`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{accord, demo, root};

const NO_COMMON: &str = "no units coded by both raters";

fn json(dir: &Path, args: &[&str]) -> Value {
    let run = accord(dir, args).success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn close(got: &Value, want: f64) -> bool {
    got.as_f64().is_some_and(|g| (g - want).abs() < 1e-9)
}

/// Two raters, 20 units, categories 1, 2, 3, 4, 6: 3 units on each diagonal cell, A 1 / B 2 once,
/// A 3 / B 4 once, A 4 / B 6 twice, A 6 / B 4 once (the table of the unit test
/// `cohen::tests::ordinal_weights_are_by_rank_and_interval_weights_by_value`, worked by hand there).
fn ratings_1_2_3_4_6() -> String {
    let mut out = String::from("unit,A,B\n");
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for v in [1, 2, 3, 4, 6] {
        pairs.extend([(v, v); 3]);
    }
    pairs.extend([(1, 2), (3, 4), (4, 6), (4, 6), (6, 4)]);
    for (i, (a, b)) in pairs.iter().enumerate() {
        writeln!(out, "u{i},{a},{b}").unwrap();
    }
    out
}

#[test]
fn weighted_kappa_is_by_rank_at_the_ordinal_level_and_by_value_at_interval() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ratings.csv");
    std::fs::write(&file, ratings_1_2_3_4_6()).unwrap();
    let f = file.to_str().unwrap();
    // Ranks: linear 269/319, quadratic 15/16; values: linear 309/389, quadratic 53/60.
    for (level, linear, quadratic) in [
        ("ordinal", 269.0 / 319.0, 15.0 / 16.0),
        ("nominal", 269.0 / 319.0, 15.0 / 16.0),
        ("interval", 309.0 / 389.0, 53.0 / 60.0),
        ("ratio", 309.0 / 389.0, 53.0 / 60.0),
    ] {
        let v = json(
            dir.path(),
            &[
                "irr",
                "--csv",
                f,
                "--level",
                level,
                "--replicates",
                "0",
                "--json",
            ],
        );
        assert!(close(&v["cohen_kappa_linear"], linear), "{level}: {v}");
        assert!(
            close(&v["cohen_kappa_quadratic"], quadratic),
            "{level}: {v}"
        );
    }
    // Declared with an unused 5 between 4 and 6: six ranks, so 6 is now two ranks from 4 and the
    // ordinal figure is the one the values give (309/389); the interval one does not change.
    for level in ["ordinal", "interval"] {
        let declared = json(
            dir.path(),
            &[
                "irr",
                "--csv",
                f,
                "--categories",
                "1,2,3,4,5,6",
                "--level",
                level,
                "--json",
                "--replicates",
                "0",
            ],
        );
        assert!(
            close(&declared["cohen_kappa_linear"], 309.0 / 389.0),
            "{level}: {declared}"
        );
    }
}

#[track_caller]
fn every_statistic_null(v: &Value, reason: &str) {
    for name in [
        "percent_agreement",
        "cohen_kappa",
        "cohen_kappa_linear",
        "scott_pi",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
        "brennan_prediger",
    ] {
        assert!(v[name].is_null(), "{name}: {v}");
    }
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().is_some_and(|n| n.contains(reason))),
        "{v}"
    );
}

#[test]
fn irr_says_no_units_coded_by_both_for_disjoint_raters_a_silent_rater_and_one_rater() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| {
        let file = d.join(name);
        std::fs::write(&file, text).unwrap();
        file.to_str().unwrap().to_string()
    };
    // Disjoint units: A rated 1-3, B rated 4-6, each always "yes".
    let disjoint = write(
        "disjoint.csv",
        "unit,A,B\n1,yes,\n2,yes,\n3,yes,\n4,,yes\n5,,yes\n6,,no\n",
    );
    every_statistic_null(&json(d, &["irr", "--csv", &disjoint, "--json"]), NO_COMMON);
    let table = accord(d, &["irr", "--csv", &disjoint]).success();
    assert!(table.stdout.contains(NO_COMMON), "{}", table.stdout);
    assert!(!table.stdout.contains("1.0000"), "{}", table.stdout);
    // A rater with no rating at all.
    let silent = write("silent.csv", "unit,A,B\n1,yes,\n2,no,\n3,yes,\n");
    let v = json(d, &["irr", "--csv", &silent, "--json"]);
    every_statistic_null(&v, NO_COMMON);
    every_statistic_null(&v, "rater B rated no unit");
    // A single rater.
    let one = write("one.csv", "unit,A\n1,yes\n2,yes\n3,no\n");
    every_statistic_null(
        &json(d, &["irr", "--csv", &one, "--json"]),
        "a single rater: agreement needs two or more raters",
    );
    // Spans by a single rater: refused, naming the rater.
    let spans = write("spans.csv", "rater,code,start,end\nann,peer,10,40\n");
    accord(d, &["irr", "--spans", &spans, "--length", "100"])
        .failure()
        .stderr_has("every row is rater \"ann\": agreement needs two or more raters");
}

/// The demo with rater Ana, who coded Burnout in turn 4 of P03 (a transcript neither demo rater
/// coded), and rater Ben, who coded nothing.
fn demo_with_a_disjoint_rater(d: &Path) -> PathBuf {
    let project = demo(d);
    let p = project.to_str().unwrap();
    for rater in ["Ana", "Ben"] {
        accord(d, &["rater", "add", p, rater]).success();
    }
    accord(
        d,
        &[
            "code",
            p,
            "-t",
            "P03_interview",
            "-c",
            "Burnout",
            "-r",
            "Ana",
            "--turns",
            "4",
        ],
    )
    .success();
    project
}

#[test]
fn agreement_says_no_units_coded_by_both_at_every_unit_never_1_or_0() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo_with_a_disjoint_rater(d);
    let p = project.to_str().unwrap();
    for raters in ["Ana,Jordan Ellis", "Ben,Maya Chen", "Ana,Ben"] {
        for unit in ["char", "turn", "sentence", "segment", "unitizing"] {
            let v = json(
                d,
                &[
                    "agreement",
                    p,
                    "--raters",
                    raters,
                    "--codes",
                    "Burnout",
                    "--unit",
                    unit,
                    "--format",
                    "json",
                    "--replicates",
                    "20",
                ],
            );
            let rows: Vec<&Value> = v["rows"]
                .as_array()
                .unwrap()
                .iter()
                .chain(std::iter::once(&v["pooled"]))
                .collect();
            assert_eq!(rows.len(), 2, "{raters} {unit}: {v}");
            for row in rows {
                assert_eq!(row["units"], 0, "{raters} {unit}");
                for column in ["kappa", "alpha", "percent_agreement", "gwet_ac1"] {
                    assert!(
                        row[column]["value"].is_null(),
                        "{raters} {unit} {column}: {row}"
                    );
                    assert_eq!(
                        row[column]["undefined_reason"], NO_COMMON,
                        "{raters} {unit} {column}"
                    );
                }
            }
        }
        let table = accord(
            d,
            &["agreement", p, "--raters", raters, "--codes", "Burnout"],
        )
        .success()
        .stdout;
        assert!(table.contains("Nothing to compare"), "{table}");
        assert!(
            !table.contains("1.000") && !table.contains("0.000"),
            "{table}"
        );
    }
    // Without --codes there is no row at all, and the report says why.
    let v = json(
        d,
        &[
            "agreement",
            p,
            "--raters",
            "Ana,Maya Chen",
            "--format",
            "json",
        ],
    );
    assert_eq!(v["rows"].as_array().unwrap().len(), 0);
    assert!(v["pooled"].is_null());
    // One rater, or the same rater twice, is refused.
    accord(d, &["agreement", p, "--raters", "Ana"])
        .failure()
        .stderr_has("at least two raters");
    accord(d, &["agreement", p, "--raters", "Maya Chen,Maya Chen"])
        .failure()
        .stderr_has("rater Maya Chen is named twice");
}

/// A project with one transcript of ten turns, the CAPP codebook, and raters Ana and Ben.
fn ten_turns(d: &Path) -> PathBuf {
    let project = d.join("roll.accord");
    let p = project.to_str().unwrap();
    accord(d, &["new", p]).success();
    let book = root().join("codebooks/capp-phase3.toml");
    accord(d, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let folder = d.join("transcripts");
    std::fs::create_dir(&folder).unwrap();
    let mut text = String::new();
    for i in 1..=10 {
        let who = if i % 2 == 1 { "Interviewer" } else { "P99" };
        write!(text, "{who}: This is turn number {i} of the talk.\n\n").unwrap();
    }
    std::fs::write(folder.join("T1.txt"), text).unwrap();
    accord(d, &["import", p, folder.to_str().unwrap()])
        .success()
        .stdout_has("1 imported");
    for rater in ["Ana", "Ben"] {
        accord(d, &["rater", "add", p, rater]).success();
    }
    project
}

#[test]
fn rollup_agrees_on_the_theme_where_the_children_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = ten_turns(d);
    let p = project.to_str().unwrap();
    // Turn 1: Ana Role conflict, Ben Role confusion; turn 2: the other way round; turn 3: both
    // Role conflict; turn 4: both Role confusion; turns 5-10: nothing.
    for (turn, ana, ben) in [
        ("1", "Role conflict", "Role confusion"),
        ("2", "Role confusion", "Role conflict"),
        ("3", "Role conflict", "Role conflict"),
        ("4", "Role confusion", "Role confusion"),
    ] {
        for (rater, code) in [("Ana", ana), ("Ben", ben)] {
            accord(
                d,
                &[
                    "code", p, "-t", "T1", "-c", code, "-r", rater, "--turns", turn,
                ],
            )
            .success();
        }
    }
    // Worked by hand at the turn unit (10 units, Cohen's kappa):
    // Role conflict: Ana {1, 3}, Ben {2, 3}: both 1, one each 2, neither 7; p_o = 8/10,
    //   p_e = 0.2·0.2 + 0.8·0.8 = 0.68, κ = (0.8 − 0.68)/(1 − 0.68) = 0.375. Role confusion
    //   (Ana {2, 4}, Ben {1, 4}) the same.
    // Role stress, the union: Ana {1, 2, 3, 4}, Ben {1, 2, 3, 4}: p_o = 1, p_e = 0.4² + 0.6² =
    //   0.52, κ = 1.
    let v = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--rollup",
            "--format",
            "json",
            "--replicates",
            "20",
        ],
    );
    let rows = v["rows"].as_array().unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "Role stress/Role conflict",
            "Role stress/Role confusion",
            "Role stress (roll-up)"
        ],
        "equal kappas by name, and the roll-up row after its children"
    );
    for row in &rows[..2] {
        assert!(close(&row["kappa"]["value"], 0.375), "{row}");
        assert!(close(&row["percent_agreement"]["value"], 0.8), "{row}");
        assert!(row.get("rolls_up").is_none(), "{row}");
    }
    let theme = &rows[2];
    assert!(close(&theme["kappa"]["value"], 1.0), "{theme}");
    assert_eq!(theme["units"], 10);
    let united: Vec<&str> = theme["rolls_up"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(united[0], "Role stress");
    assert!(
        united.contains(&"Role stress/Role conflict")
            && united.contains(&"Role stress/Role overload")
    );
    // The pooled row is the codes' own, without the roll-up: 20 units.
    assert_eq!(v["pooled"]["units"], 20);
    // At every unit the theme agrees perfectly and each child does not.
    for unit in ["char", "sentence", "segment", "unitizing"] {
        let v = json(
            d,
            &[
                "agreement",
                p,
                "--unit",
                unit,
                "--rollup",
                "--format",
                "json",
                "--replicates",
                "20",
            ],
        );
        let rows = v["rows"].as_array().unwrap();
        let theme = rows
            .iter()
            .find(|r| r["code"] == "Role stress (roll-up)")
            .unwrap();
        assert!(close(&theme["kappa"]["value"], 1.0), "{unit}: {theme}");
        assert!(
            close(&theme["percent_agreement"]["value"], 1.0),
            "{unit}: {theme}"
        );
        if unit == "unitizing" {
            assert!(close(&theme["alpha"]["value"], 1.0), "{unit}: {theme}");
        }
        for child in rows.iter().filter(|r| r["code"] != "Role stress (roll-up)") {
            assert!(
                child["percent_agreement"]["value"].as_f64().unwrap() < 1.0,
                "{unit}: {child}"
            );
        }
    }
    // Without --rollup, no roll-up row; the table and Markdown show it with --rollup.
    let plain = json(
        d,
        &["agreement", p, "--format", "json", "--replicates", "0"],
    );
    assert_eq!(plain["rows"].as_array().unwrap().len(), 2);
    accord(d, &["agreement", p, "--rollup", "--replicates", "0"])
        .success()
        .stdout_has("Role stress (roll-up)");
    accord(
        d,
        &[
            "agreement",
            p,
            "--rollup",
            "--format",
            "markdown",
            "--replicates",
            "0",
        ],
    )
    .success()
    .stdout_has("| Role stress (roll-up) |");
}

/// The row of `code` in a JSON report.
fn row<'a>(report: &'a Value, code: &str) -> Option<&'a Value> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain(std::iter::once(&report["pooled"]))
        .find(|r| r["code"] == code)
}

/// Checks every cell of a breakdown column against the report `accord agreement` gives for the
/// same restriction. The pooled row is checked only in the column "all": elsewhere it pools the
/// table's codes, which a restricted report (pooling the codes used there) need not all have.
#[track_caller]
fn column_matches(table: &Value, column: &str, report: &Value, statistic: &str) -> usize {
    let at = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["name"] == column)
        .unwrap_or_else(|| panic!("no column {column}: {table}"));
    let mut checked = 0;
    for r in table["rows"].as_array().unwrap() {
        let code = r["code"].as_str().unwrap();
        let cell = &r["cells"][at];
        if code == "all codes (pooled)" && column != "all" {
            continue;
        }
        if let Some(want) = row(report, code) {
            assert_eq!(cell["units"], want["units"], "{column} {code}");
            assert_eq!(
                cell["estimate"]["value"], want[statistic]["value"],
                "{column} {code}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn breakdown_by_transcript_and_attribute_cells_equal_the_restricted_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let table = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--by",
            "transcript",
            "--format",
            "json",
        ],
    );
    let names: Vec<&str> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "all",
            "P01_interview",
            "P02_interview",
            "P04_interview",
            "P06_interview",
            "P07_interview",
            "P10_interview"
        ]
    );
    assert_eq!(table["statistic"], "Cohen's kappa");
    let whole = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--format",
            "json",
            "--replicates",
            "0",
        ],
    );
    // The rows are the report's, in its order (worst first, pooled last).
    let codes: Vec<&Value> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["code"])
        .collect();
    let report_codes: Vec<&Value> = whole["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain(std::iter::once(&whole["pooled"]))
        .map(|r| &r["code"])
        .collect();
    assert_eq!(codes, report_codes);
    assert_eq!(column_matches(&table, "all", &whole, "kappa"), codes.len());
    for t in ["P01_interview", "P07_interview"] {
        let report = json(
            d,
            &[
                "agreement",
                p,
                "--unit",
                "turn",
                "--transcripts",
                t,
                "--format",
                "json",
                "--replicates",
                "0",
            ],
        );
        assert!(column_matches(&table, t, &report, "kappa") > 5, "{t}");
    }

    // By site: B holds P02, P06 and P10 of the compared transcripts; AC1 this time.
    let table = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "sentence",
            "--by",
            "site",
            "--statistic",
            "ac1",
            "--format",
            "json",
        ],
    );
    let b = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "B")
        .unwrap();
    assert_eq!(
        b["transcripts"],
        serde_json::json!(["P02_interview", "P06_interview", "P10_interview"])
    );
    let report = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "sentence",
            "--transcripts",
            "P02_interview,P06_interview,P10_interview",
            "--format",
            "json",
            "--replicates",
            "0",
        ],
    );
    assert!(column_matches(&table, "B", &report, "gwet_ac1") > 10);

    // With --rollup every column has the roll-up rows too, a theme's cell its roll-up there.
    let rolled = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--by",
            "transcript",
            "--rollup",
            "--format",
            "json",
        ],
    );
    let report = json(
        d,
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--transcripts",
            "P04_interview",
            "--rollup",
            "--format",
            "json",
            "--replicates",
            "0",
        ],
    );
    assert!(row(&report, "Role stress (roll-up)").is_some());
    assert!(column_matches(&rolled, "P04_interview", &report, "kappa") > 5);
    assert!(
        rolled["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "Role stress (roll-up)")
    );

    // The other formats.
    let text = accord(d, &["agreement", p, "--by", "site", "--unit", "turn"])
        .success()
        .stdout;
    assert!(
        text.contains("Cohen's kappa by site") && text.contains("all"),
        "{text}"
    );
    let csv = accord(
        d,
        &["agreement", p, "--by", "transcript", "--format", "csv"],
    )
    .success()
    .stdout;
    assert!(
        csv.starts_with("code,code_id,all,all units,all undefined_reason,P01_interview,"),
        "{csv}"
    );
    accord(d, &["agreement", p, "--by", "site", "--format", "markdown"])
        .success()
        .stdout_has("| code | all | A | B | C | D |");

    // Bad input: an unknown attribute names the ones that exist; pairs need three raters.
    accord(d, &["agreement", p, "--by", "region"])
        .failure()
        .stderr_has("no case has an attribute \"region\"")
        .stderr_has("arm")
        .stderr_has("site");
    accord(d, &["agreement", p, "--by", "pair"])
        .failure()
        .stderr_has("three or more raters");
    accord(
        d,
        &["agreement", p, "--by", "transcript", "--statistic", "tau"],
    )
    .failure()
    .stderr_has("unknown statistic \"tau\"");
}

#[test]
fn breakdown_by_pair_is_each_pairs_report_and_says_no_units_coded_by_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Ana coded only P03 (no other rater did), Ben nothing.
    let project = demo_with_a_disjoint_rater(d);
    let p = project.to_str().unwrap();
    let raters = "Jordan Ellis,Maya Chen,Ana";
    let table = json(
        d,
        &[
            "agreement",
            p,
            "--raters",
            raters,
            "--unit",
            "turn",
            "--by",
            "pair",
            "--format",
            "json",
        ],
    );
    let names: Vec<&str> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "all",
            "Jordan Ellis / Maya Chen",
            "Jordan Ellis / Ana",
            "Maya Chen / Ana"
        ]
    );
    // No transcript was coded by all three: "all" is undefined for that reason, as are the pairs
    // with Ana; the demo raters' pair is their own report.
    let pair = json(
        d,
        &[
            "agreement",
            p,
            "--raters",
            "Jordan Ellis,Maya Chen",
            "--unit",
            "turn",
            "--format",
            "json",
            "--replicates",
            "0",
        ],
    );
    assert!(column_matches(&table, "Jordan Ellis / Maya Chen", &pair, "kappa") > 20);
    assert_eq!(table["columns"][2]["statistic"], "Cohen's kappa");
    for r in table["rows"].as_array().unwrap() {
        let cells = r["cells"].as_array().unwrap();
        assert_eq!(cells[0]["units"], 0);
        assert!(
            cells[0]["estimate"]["undefined_reason"]
                .as_str()
                .unwrap()
                .starts_with("no units coded by all 3 raters"),
            "{r}"
        );
        for cell in &cells[2..] {
            assert_eq!(cell["units"], 0, "{r}");
            assert!(cell["estimate"]["value"].is_null(), "{r}");
            assert_eq!(cell["estimate"]["undefined_reason"], NO_COMMON, "{r}");
        }
    }
    let text = accord(
        d,
        &[
            "agreement",
            p,
            "--raters",
            raters,
            "--by",
            "pair",
            "--unit",
            "turn",
        ],
    )
    .success()
    .stdout;
    assert!(text.contains(&format!("undefined: {NO_COMMON}")), "{text}");
    assert!(text.contains("Nothing to compare"), "{text}");
}
