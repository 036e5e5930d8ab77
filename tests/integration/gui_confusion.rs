//! "Which code?" in the window (issue 18, items 1 and 4): the Agreement view shows, below the
//! per-code table, the code-confusion matrix of the raters as a heatmap with the same counts as
//! `accord agreement --confusion`; a cell, named for screen readers in words, lists its passages
//! side by side when clicked. With "Break down by", a table of the statistic per code and transcript
//! (or case attribute), with the numbers of `accord agreement --by`; a cell lists that code's
//! disagreements in that column.

use accord::gui::AccordApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, steps, window};

fn pick_rater(h: &mut Harness<'static, AccordApp>, name: &str) {
    h.get_by_label(name).click();
    steps(h, 8);
}

#[test]
fn the_agreement_view_shows_which_code_was_used_for_which() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let cli = accord(
        dir.path(),
        &[
            "agreement",
            project.to_str().unwrap(),
            "--confusion",
            "--unit",
            "turn",
            "--format",
            "json",
        ],
    )
    .success();
    let json: serde_json::Value = serde_json::from_str(&cli.stdout).unwrap();
    let cli_pair = &json["pairs"][0];

    let mut h = window(&project);
    pick_rater(&mut h, "Maya Chen");
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Unit").click();
    steps(&mut h, 2);
    h.get_by_label("turn").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    steps(&mut h, 1);
    let result = h
        .state()
        .agreement
        .result
        .clone()
        .expect("computed")
        .expect("no error");
    let confusion = result.confusion.expect("a matrix at turn level");
    assert_eq!(confusion.pairs.len(), 1);
    let pair = &confusion.pairs[0];
    // The same matrix, transposed when the window put the raters the other way round.
    let mut counts = pair.counts.clone();
    if cli_pair["rater_a"] != pair.rater_a.as_str() {
        assert_eq!(cli_pair["rater_b"], pair.rater_a.as_str());
        counts = (0..counts.len())
            .map(|j| (0..counts.len()).map(|i| pair.counts[i][j]).collect())
            .collect();
    }
    assert_eq!(
        serde_json::to_value(&counts).unwrap(),
        cli_pair["counts"],
        "window and command line count the same"
    );
    steps(&mut h, 2);
    assert!(h.query_by_label_contains("Which code?").is_some());

    // The largest confusion between two codes (not with nothing), clicked in the heatmap.
    let top = pair
        .confusions
        .iter()
        .find(|c| c.a_code != "(nothing)" && c.b_code != "(nothing)")
        .expect("two codes confused");
    let cell = format!(
        "{} used {} where {} used {}: {} turn",
        pair.rater_a, top.a_code, pair.rater_b, top.b_code, top.units
    );
    // (Below the table: AccessKit clicks it wherever the scroll position is.)
    h.get_by_label_contains(&cell).click_accesskit();
    steps(&mut h, 3);
    assert_eq!(
        h.query_all_by_label("When not to use").count(),
        2,
        "both codes' boundaries are shown"
    );
    assert_eq!(
        h.state().agreement.chosen_pair(),
        Some(&(top.a_code.clone(), top.b_code.clone()))
    );
    // Every unit the cell counts, read on a task: as many as the cell says.
    let units = h
        .state()
        .agreement
        .cell_units
        .clone()
        .expect("read")
        .expect("no error");
    assert_eq!(units.len() as u64, top.units);
    assert!(
        h.query_by_label_contains(&format!(
            "The units counted where {} met {}, side by side",
            top.a_code, top.b_code
        ))
        .is_some()
    );
    // Each unit side by side: the passage, then what each rater coded there.
    let first = &units[0];
    assert!(
        first.rater_codes[0].contains(&top.a_code) && first.rater_codes[1].contains(&top.b_code)
    );
    assert!(
        h.query_by_label(&format!(
            "{} {}..{}",
            first.transcript, first.start, first.end
        ))
        .is_some()
    );
    assert_eq!(
        h.query_all_by_label(&format!("{} coded", pair.rater_a))
            .count(),
        units.len().min(200)
    );
    // And the lead's adjudication notes on the two codes (none yet on the demo).
    assert!(
        h.query_by_label("Adjudication notes on these codes")
            .is_some()
    );
    assert!(
        h.query_by_label("No adjudication note on either code yet.")
            .is_some()
    );
    assert!(
        h.query_all_by_label(&first.rater_codes[1].join("; "))
            .next()
            .is_some()
    );

    // From the pair, the code editor on the first code, its boundary naming the second.
    h.get_by_label_contains(&format!("Sharpen the boundary of {}", top.a_code))
        .click_accesskit();
    steps(&mut h, 3);
    let named = h.query_by(|node| {
        node.value()
            .is_some_and(|v| v.contains(&format!("use {}.", top.b_code)))
    });
    assert!(
        named.is_some(),
        "the editor's 'when not to use' names {}",
        top.b_code
    );
}

#[test]
fn the_agreement_view_breaks_the_table_down_by_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let cli = accord(
        dir.path(),
        &[
            "agreement",
            project.to_str().unwrap(),
            "--by",
            "transcript",
            "--format",
            "json",
        ],
    )
    .success();
    let json: serde_json::Value = serde_json::from_str(&cli.stdout).unwrap();

    let mut h = window(&project);
    pick_rater(&mut h, "Maya Chen");
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Break down by").click();
    steps(&mut h, 2);
    h.get_by_label("transcript").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    steps(&mut h, 1);
    let result = h
        .state()
        .agreement
        .result
        .clone()
        .expect("computed")
        .expect("no error");
    let table = result.breakdown.expect("asked for").expect("made");
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let cli_names: Vec<&str> = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, cli_names);
    let row = &table.rows[0];
    let cli_row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == row.code.as_str())
        .expect("the same code");
    for (cell, cli_cell) in row.cells.iter().zip(cli_row["cells"].as_array().unwrap()) {
        assert_eq!(cell.units, cli_cell["units"].as_u64().unwrap());
        assert_eq!(cell.estimate.value, cli_cell["estimate"]["value"].as_f64());
    }
    steps(&mut h, 2);
    // A cell lists the code's disagreements in its transcript.
    let column = &table.columns[1].name;
    let cell = format!("of {} in {column}:", row.code);
    h.get_by_label_contains(&cell).click_accesskit();
    steps(&mut h, 3);
    let heading = format!("Disagreements on {} in {column}:", row.code);
    assert!(
        h.query_by_label_contains(&heading).is_some(),
        "the cell lists {heading:?}"
    );
}
