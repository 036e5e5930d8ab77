//! The Heatmaps view (issue 20, item 4): the code co-occurrence heatmap counts what
//! `accord cooccurrence` counts; a cell, named in words, lists the turns `--cell` lists, and a
//! passage opens its place in the transcript; codes x cases does the same for a case.

use accord::gui::Central;
use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, steps, window};

fn json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&accord(dir, args).success().stdout).unwrap()
}

#[test]
fn a_heatmap_cell_lists_its_passages_and_each_opens_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let path = project.to_str().unwrap();
    let cli = json(dir.path(), &["cooccurrence", path, "--format", "json"]);

    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("Heatmaps").click();
    steps(&mut h, 3);
    assert_eq!(h.state().central, Central::Heatmaps);
    let (names, counts) = match h.state().heatmaps.result.clone() {
        Some((_, _, Ok(accord_heatmap))) => match accord_heatmap {
            accord::gui::heatmap_view::Computed::Cooccurrence(m) => (m.names, m.counts),
            other @ accord::gui::heatmap_view::Computed::Crosstab(_) => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(serde_json::to_value(&names).unwrap(), cli["names"]);
    assert_eq!(
        serde_json::to_value(&counts).unwrap(),
        cli["counts"],
        "window and command line count the same"
    );

    // Saved as the command line writes it; never over the project.
    let saved = dir.path().join("cooccurrence.csv");
    h.state_mut().save_heatmap(&saved).unwrap();
    accord(dir.path(), &["cooccurrence", path, "--out", "cli.csv"]).success();
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        std::fs::read(dir.path().join("cli.csv")).unwrap()
    );
    let before = std::fs::read(&project).unwrap();
    assert!(h.state_mut().save_heatmap(&project).is_err());
    assert_eq!(std::fs::read(&project).unwrap(), before);

    // The largest pair of different codes, clicked by its name in words.
    let (i, j) = (0..names.len())
        .flat_map(|i| (0..names.len()).map(move |j| (i, j)))
        .filter(|(i, j)| i != j)
        .max_by_key(|(i, j)| counts[*i][*j])
        .unwrap();
    let n = counts[i][j];
    assert!(n > 1, "the demo's codes co-occur");
    let label = format!("{} and {}: {n} turns", names[i], names[j]);
    h.get_by_label(&label).click_accesskit();
    steps(&mut h, 3);
    let (title, passages) = h.state().heatmaps.cell.clone().expect("a cell read");
    let passages = passages.expect("no error");
    assert_eq!(title, label);
    assert_eq!(passages.len(), n);
    // The same turns as `accord cooccurrence --cell`, in the same order.
    let cell = format!("{},{}", names[i], names[j]);
    let listed = json(
        dir.path(),
        &["cooccurrence", path, "--cell", &cell, "--format", "json"],
    );
    let spans: Vec<serde_json::Value> = passages
        .iter()
        .map(|passage| serde_json::to_value(passage.span).unwrap())
        .collect();
    let cli_spans: Vec<serde_json::Value> = listed["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|passage| passage["span"].clone())
        .collect();
    assert_eq!(spans, cli_spans);

    // The Search tab's code query finds the same turns.
    h.get_by_label("Search").click();
    steps(&mut h, 2);
    h.get_by_label("Search query").focus();
    steps(&mut h, 1);
    h.get_by_label("Search query")
        .type_text(&format!("code:\"{}\" AND code:\"{}\"", names[i], names[j]));
    steps(&mut h, 1);
    h.get_by_label("Run search").click();
    steps(&mut h, 3);
    let results = h
        .state()
        .search
        .results
        .clone()
        .expect("searched")
        .expect("no error");
    assert_eq!(results.total, n);
    let mut found: Vec<(String, u64)> = results
        .hits
        .iter()
        .map(|hit| (hit.transcript_id.clone(), hit.turn_index))
        .collect();
    let mut cell_turns: Vec<(String, u64)> = passages
        .iter()
        .map(|p| (p.transcript_id.to_text(), p.turn as u64))
        .collect();
    found.sort();
    cell_turns.sort();
    assert_eq!(found, cell_turns);
    // A code the codebook lacks is named; the results say so, nothing else changes.
    h.state_mut().search.query = format!("code:\"{}\" AND code:Nope", names[i]);
    h.get_by_label("Run search").click();
    steps(&mut h, 3);
    let said = h.state().search.results.clone().expect("searched");
    assert!(
        said.as_ref()
            .is_err_and(|e| e.contains("unknown code 'Nope'")),
        "{said:?}"
    );
    h.get_by_label("Heatmaps").click();
    steps(&mut h, 2);

    // One click from its place: the transcript opens with the turn's words selected.
    let first = &passages[0];
    let place = format!("{} #{} {}", first.transcript, first.turn + 1, first.speaker);
    h.get_by_label(&place).click_accesskit();
    steps(&mut h, 2);
    assert_eq!(h.state().central, Central::Transcript);
    assert_eq!(h.state().state.transcript_id, Some(first.transcript_id));
    assert_eq!(h.state().state.selection, Some(first.span));

    // Codes x cases: a case's cell lists that code's codings in it.
    h.get_by_label("Heatmaps").click();
    steps(&mut h, 2);
    h.get_by_label("Heatmap").click();
    steps(&mut h, 2);
    h.get_by_label("Codes × cases").click();
    steps(&mut h, 3);
    let Some((_, _, Ok(accord::gui::heatmap_view::Computed::Crosstab(table)))) =
        h.state().heatmaps.result.clone()
    else {
        panic!("a crosstab");
    };
    let cli = json(dir.path(), &["crosstab", path, "--format", "json"]);
    assert_eq!(serde_json::to_value(&table.counts).unwrap(), cli["counts"]);
    let (row, column) = (0..table.names.len())
        .flat_map(|i| (0..table.columns.len()).map(move |j| (i, j)))
        .max_by_key(|(i, j)| table.counts[*i][*j])
        .unwrap();
    let units = table.counts[row][column];
    let label = format!(
        "{} in {}: {units} codings",
        table.names[row], table.columns[column]
    );
    h.get_by_label(&label).click_accesskit();
    steps(&mut h, 3);
    let (_, passages) = h.state().heatmaps.cell.clone().expect("a cell read");
    let passages = passages.expect("no error");
    assert_eq!(passages.len(), units);
    assert!(
        passages
            .iter()
            .all(|passage| passage.case.as_deref() == Some(table.columns[column].as_str()))
    );
}
