//! `accord agreement --confusion` on the demo: the matrix in each format, its diagonal against the
//! per-code report, more than two raters, and the errors.

use crate::support::{accord, demo};

fn json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = accord(dir, args).success().stdout;
    serde_json::from_str(&out).unwrap()
}

/// Units both raters coded with a code, from its per-code row: with `a` and `b` the units each
/// rater coded, `n` the units and `p` the percent agreement, `p n = both + neither` and
/// `n = both + (a - both) + (b - both) + neither`, so `both = (a + b - n + p n) / 2`.
fn both_from_row(row: &serde_json::Value) -> u64 {
    let coded: Vec<f64> = row["coded_by_rater"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let n = row["units"].as_f64().unwrap();
    let p = row["percent_agreement"]["value"].as_f64().unwrap();
    f64::midpoint(coded[0] + coded[1] - n, p * n).round() as u64
}

#[test]
fn the_diagonal_is_what_the_per_code_table_implies_at_every_unit() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    // The demo at 0.5 has passages where a chain of overlapping codings of other codes would link
    // two segments of one code that the per-code matching keeps apart.
    for (unit, overlap) in [
        ("char", "0.9"),
        ("turn", "0.9"),
        ("sentence", "0.9"),
        ("segment", "0.9"),
        ("segment", "0.5"),
    ] {
        let per_code = json(
            dir.path(),
            &[
                "agreement",
                p,
                "--unit",
                unit,
                "--overlap",
                overlap,
                "--format",
                "json",
                "--replicates",
                "0",
            ],
        );
        let matrix = json(
            dir.path(),
            &[
                "agreement",
                p,
                "--unit",
                unit,
                "--overlap",
                overlap,
                "--format",
                "json",
                "--confusion",
            ],
        );
        assert_eq!(matrix["unit"], unit);
        assert!(
            matrix["counting"]
                .as_str()
                .unwrap()
                .contains("every pair of their codes")
        );
        let pairs = matrix["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), 1, "{unit}: the demo has two raters");
        let pair = &pairs[0];
        assert_eq!(
            [&pair["rater_a"], &pair["rater_b"]],
            [&per_code["raters"][0], &per_code["raters"][1]]
        );
        assert_eq!(pair["transcripts"], per_code["transcripts"]);
        let labels: Vec<&str> = pair["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(labels.last(), Some(&"(nothing)"));
        let counts = pair["counts"].as_array().unwrap();
        assert_eq!(counts.len(), labels.len());
        let rows = per_code["rows"].as_array().unwrap();
        assert_eq!(rows.len() + 1, labels.len(), "{unit}: a label per code");
        // Every unit once: the per-code table's units are the same units, for every code.
        // At segment level the units are passages, not each code's segments, and the
        // percent agreement is the share of segments both coded: both = p n.
        let segment = unit == "segment";
        if !segment {
            assert_eq!(pair["units"], rows[0]["units"], "{unit}");
        }
        let mut checked = 0;
        for row in rows {
            let i = labels
                .iter()
                .position(|l| *l == row["code"].as_str().unwrap())
                .unwrap();
            let both = if segment {
                (row["percent_agreement"]["value"].as_f64().unwrap()
                    * row["units"].as_f64().unwrap())
                .round() as u64
            } else {
                both_from_row(row)
            };
            assert_eq!(
                counts[i][i].as_u64().unwrap(),
                both,
                "{unit}: {}",
                row["code"]
            );
            checked += u64::from(counts[i][i].as_u64().unwrap() > 0);
        }
        assert!(checked >= 10, "{unit}: {checked} codes both raters used");
        // Row percentages add up to 100 in every row with units.
        for (r, row) in pair["row_percent"].as_array().unwrap().iter().enumerate() {
            let total: u64 = counts[r]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .sum();
            let sum: f64 = row
                .as_array()
                .unwrap()
                .iter()
                .filter_map(serde_json::Value::as_f64)
                .sum();
            if total > 0 {
                assert!((sum - 100.0).abs() < 1e-6, "{unit}: row {r} adds to {sum}");
            }
        }
        // The confusions are the off-diagonal cells, largest first, in words.
        let confusions = pair["confusions"].as_array().unwrap();
        let first = &confusions[0];
        let (a, b) = (
            labels.iter().position(|l| *l == first["a_code"]).unwrap(),
            labels.iter().position(|l| *l == first["b_code"]).unwrap(),
        );
        assert_ne!(a, b);
        assert_eq!(first["units"], counts[a][b]);
        let largest = (0..labels.len())
            .flat_map(|r| (0..labels.len()).map(move |c| (r, c)))
            .filter(|(r, c)| r != c)
            .map(|(r, c)| counts[r][c].as_u64().unwrap())
            .max()
            .unwrap();
        assert_eq!(first["units"].as_u64().unwrap(), largest);
        assert!(
            confusions
                .windows(2)
                .all(|w| w[0]["units"].as_u64() >= w[1]["units"].as_u64())
        );
        let text = first["text"].as_str().unwrap();
        assert!(
            text.contains(" where ")
                && text.ends_with(&format!(
                    "in {} {}",
                    largest,
                    match unit {
                        "char" => "characters",
                        "turn" => "turns",
                        "sentence" => "sentences",
                        _ => "passages",
                    }
                )),
            "{text}"
        );
    }
}

#[test]
fn every_format_prints_the_same_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let base = ["agreement", p, "--unit", "turn", "--confusion"];
    let with = |format: &'static str| -> Vec<&str> {
        let mut args = base.to_vec();
        args.extend(["--format", format]);
        args
    };
    let v = json(dir.path(), &with("json"));
    let pair = &v["pairs"][0];
    let n = pair["labels"].as_array().unwrap().len();
    let first = &pair["confusions"][0];
    let text = first["text"].as_str().unwrap().to_string();

    let table = accord(dir.path(), &base).success().stdout;
    assert!(table.contains("(rows) x"), "{table}");
    assert!(table.contains("Row percentages:"), "{table}");
    assert!(table.contains(&format!("  {text}\n")), "{table}");
    assert!(table.contains("counts once for every pair"), "{table}");

    let csv = accord(dir.path(), &with("csv")).success().stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "rater_a,rater_b,a_code,b_code,units,row_percent");
    assert_eq!(lines.len(), 1 + n * n, "one row per cell");
    let cell = format!(
        "{},{},{},{},{},",
        pair["rater_a"].as_str().unwrap(),
        pair["rater_b"].as_str().unwrap(),
        first["a_code"].as_str().unwrap(),
        first["b_code"].as_str().unwrap(),
        first["units"]
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&cell)),
        "{cell} in\n{csv}"
    );

    let md = accord(dir.path(), &with("markdown")).success().stdout;
    assert!(md.starts_with("# Code confusion"), "{md}");
    assert!(md.contains("(rows) × "), "{md}");
    assert!(md.contains(&format!("- {text}\n")), "{md}");
    let header = md.lines().find(|l| l.starts_with("| code |")).unwrap();
    assert_eq!(header.matches('|').count(), n + 2, "{header}");
}

#[test]
fn three_raters_give_each_pair_and_bad_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    // A third rater who coded one turn of one transcript with Peerness.
    accord(dir.path(), &["rater", "add", p, "Zoe"]).success();
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
            "Zoe",
            "--turns",
            "4",
        ],
    )
    .success();
    let v = json(
        dir.path(),
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--format",
            "json",
            "--confusion",
        ],
    );
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3, "three raters, three pairs");
    let with_zoe: Vec<&serde_json::Value> =
        pairs.iter().filter(|p| p["rater_b"] == "Zoe").collect();
    assert_eq!(with_zoe.len(), 2);
    for pair in with_zoe {
        // Each pair over the transcripts both coded: Zoe's one.
        assert_eq!(pair["transcripts"], serde_json::json!(["P01_interview"]));
        let labels = pair["labels"].as_array().unwrap();
        let peerness = labels
            .iter()
            .position(|l| l == "Lived experience/Peerness")
            .unwrap();
        let nothing = labels.len() - 1;
        // Zoe's columns: one turn of Peerness (once per code the other rater gave it, at least
        // once), nothing else but "nothing".
        let counts = pair["counts"].as_array().unwrap();
        for c in 0..nothing {
            let column: u64 = counts.iter().map(|row| row[c].as_u64().unwrap()).sum();
            if c == peerness {
                assert!(column >= 1, "{pair}");
            } else {
                assert_eq!(column, 0, "{}", labels[c]);
            }
        }
    }
    // The pair of the demo's raters is as before: over all six transcripts.
    let demo_pair = pairs.iter().find(|p| p["rater_b"] != "Zoe").unwrap();
    assert_eq!(demo_pair["transcripts"].as_array().unwrap().len(), 6);

    accord(
        dir.path(),
        &["agreement", p, "--confusion", "--codes", "Nonesuch"],
    )
    .failure()
    .stderr_has("no code \"Nonesuch\"");
    accord(
        dir.path(),
        &["agreement", p, "--confusion", "--raters", "Zoe,Nobody"],
    )
    .failure()
    .stderr_has("Nobody");
    accord(
        dir.path(),
        &["agreement", p, "--confusion", "--raters", "Zoe"],
    )
    .failure()
    .stderr_has("at least two raters");
    accord(
        dir.path(),
        &["agreement", p, "--confusion", "--unit", "unitizing"],
    )
    .failure()
    .stderr_has("unitizing unit has none to count");
    accord(
        dir.path(),
        &["agreement", p, "--confusion", "--against-consensus"],
    )
    .failure()
    .stderr_has("no consensus layer");
}

#[test]
fn against_the_consensus_each_rater_is_a_pair_with_the_per_code_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["adjudicate", "agreements", p])
        .success()
        .stdout_has("settled");
    let per_code = json(
        dir.path(),
        &[
            "agreement",
            p,
            "--against-consensus",
            "--unit",
            "turn",
            "--format",
            "json",
            "--replicates",
            "0",
        ],
    );
    let v = json(
        dir.path(),
        &[
            "agreement",
            p,
            "--against-consensus",
            "--confusion",
            "--unit",
            "turn",
            "--format",
            "json",
        ],
    );
    let pairs = v["pairs"].as_array().unwrap();
    let reports = per_code.as_array().unwrap();
    assert_eq!(pairs.len(), 2, "each demo rater against the consensus");
    for (pair, report) in pairs.iter().zip(reports) {
        assert_eq!(pair["rater_b"], "Consensus");
        assert_eq!(pair["rater_a"], report["raters"][0]);
        assert_eq!(pair["transcripts"], report["transcripts"]);
        let labels = pair["labels"].as_array().unwrap();
        let counts = pair["counts"].as_array().unwrap();
        let nothing = labels.len() - 1;
        // The consensus holds only passages both raters agreed on: wherever it applied a code,
        // each rater applied it too, so no unit is (nothing, X).
        for c in 0..nothing {
            assert_eq!(counts[nothing][c], 0, "{}", labels[c]);
        }
        let mut diagonal = 0;
        for row in report["rows"].as_array().unwrap() {
            let i = labels.iter().position(|l| *l == row["code"]).unwrap();
            assert_eq!(counts[i][i].as_u64().unwrap(), both_from_row(row));
            diagonal += counts[i][i].as_u64().unwrap();
        }
        assert!(diagonal > 0);
    }
}

#[test]
fn a_cell_opens_the_units_it_counts() {
    use accord::agreement::project::Unit;
    use accord::app::agreement::AgreementOptions;
    use accord::app::agreement_input::Selection;
    use accord::app::confusion::{cell_units, confusion_report};

    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let store = accord::app::Store::open(&project).unwrap();
    for unit in [Unit::Turn, Unit::Char, Unit::Segment] {
        let options = AgreementOptions {
            unit,
            ..AgreementOptions::default()
        };
        let report = confusion_report(&store, &Selection::default(), &options).unwrap();
        let pair = &report.pairs[0];
        let raters =
            accord::app::resolve::rater_ids(&store, &[pair.rater_a.clone(), pair.rater_b.clone()])
                .unwrap();
        let selection = Selection {
            raters,
            ..Selection::default()
        };
        // The largest confusion, and a diagonal cell: as many units as the matrix counts.
        let first = &pair.confusions[0];
        let row = pair.labels.iter().position(|l| *l == first.a_code).unwrap();
        let column = pair.labels.iter().position(|l| *l == first.b_code).unwrap();
        for (r, c) in [(row, column), (row, row)] {
            let units = cell_units(&store, &selection, &options, r, c).unwrap();
            let n: u64 = if unit == Unit::Char {
                units.iter().map(|u| (u.end - u.start) as u64).sum()
            } else {
                units.len() as u64
            };
            assert_eq!(n, pair.counts[r][c], "{unit:?} ({r}, {c})");
            assert!(
                units
                    .iter()
                    .all(|u| u.text.chars().count() == u.end - u.start)
            );
            assert!(
                units
                    .iter()
                    .all(|u| pair.transcripts.contains(&u.transcript))
            );
            // Side by side: each rater's codes there hold the cell's row and column codes, and a
            // rater whose side is (nothing) has none (at segment units, a coding matched into no
            // segment of the unit may still overlap it, so it is listed there).
            for u in &units {
                for (side, label) in [(0, &pair.labels[r]), (1, &pair.labels[c])] {
                    let codes = &u.rater_codes[side];
                    if *label == accord::app::confusion::NOTHING {
                        assert!(codes.is_empty() || unit == Unit::Segment, "{unit:?} {u:?}");
                    } else {
                        assert!(codes.contains(label), "{unit:?} {label} {u:?}");
                    }
                }
            }
        }
        let n = pair.labels.len();
        assert!(cell_units(&store, &selection, &options, n, 0).is_err());
        assert!(cell_units(&store, &Selection::default(), &options, 0, 0).is_err());
    }
}

#[test]
fn a_cells_codes_bring_their_adjudication_notes_those_in_its_units_first() {
    use accord::agreement::project::Unit;
    use accord::app::agreement::AgreementOptions;
    use accord::app::agreement_input::Selection;
    use accord::app::confusion::{boundary_notes, cell_units, confusion_report};

    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let options = AgreementOptions {
        unit: Unit::Turn,
        ..AgreementOptions::default()
    };
    let (pair, selection) = {
        let store = accord::app::Store::open(&project).unwrap();
        let report = confusion_report(&store, &Selection::default(), &options).unwrap();
        let pair = report.pairs[0].clone();
        let raters =
            accord::app::resolve::rater_ids(&store, &[pair.rater_a.clone(), pair.rater_b.clone()])
                .unwrap();
        (
            pair,
            Selection {
                raters,
                ..Selection::default()
            },
        )
    };
    let top = pair
        .confusions
        .iter()
        .find(|c| c.a_code != "(nothing)" && c.b_code != "(nothing)")
        .unwrap();
    // Settle two disagreements on the row's code, with notes (and one without a note).
    let open = accord(
        dir.path(),
        &["adjudicate", "list", p, "--codes", &top.a_code],
    )
    .success()
    .stdout;
    let ids: Vec<&str> = open
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 3, "{open}");
    for (id, note) in [
        (ids[0], "the boundary: role, not task"),
        (ids[1], "same as before"),
        (ids[2], ""),
    ] {
        accord(
            dir.path(),
            &[
                "adjudicate",
                "decide",
                p,
                id,
                "--codes",
                &top.a_code,
                "--union",
                "--note",
                note,
            ],
        )
        .success();
    }
    let store = accord::app::Store::open(&project).unwrap();
    let row = pair.labels.iter().position(|l| *l == top.a_code).unwrap();
    let column = pair.labels.iter().position(|l| *l == top.b_code).unwrap();
    let units = cell_units(&store, &selection, &options, row, column).unwrap();
    let notes = boundary_notes(&store, &[&top.a_code, &top.b_code], &units).unwrap();
    assert_eq!(
        notes.len(),
        2,
        "the two notes, not the decision without one: {notes:?}"
    );
    assert!(
        notes
            .iter()
            .all(|n| n.code == top.a_code && n.decision == "union")
    );
    let said: Vec<&str> = notes.iter().map(|n| n.note.as_str()).collect();
    assert!(said.contains(&"the boundary: role, not task") && said.contains(&"same as before"));
    // Those settling a place among the cell's units come first, and are so marked.
    let overlaps = |n: &accord::app::confusion::BoundaryNote| {
        units
            .iter()
            .any(|u| u.transcript == n.transcript && u.start < n.end && n.start < u.end)
    };
    for n in &notes {
        assert_eq!(n.in_cell, overlaps(n), "{n:?}");
    }
    assert!(notes.windows(2).all(|w| w[0].in_cell >= w[1].in_cell));
    // (nothing) has no notes.
    assert!(
        boundary_notes(&store, &["(nothing)"], &units)
            .unwrap()
            .is_empty()
    );
}
