//! The summary grid and key quotes in the window (issue 20): the Grid view shows the cases by the
//! chosen codes as `accord grid show` does; a clicked cell lists its excerpts, one click from their
//! place in the transcript, and a summary written there is saved as the cell's next version (undo
//! takes it back); a coding is flagged as a key quote from the details panel.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, steps, window};

#[test]
fn the_grid_view_opens_a_cells_excerpts_and_saves_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let cli: serde_json::Value = serde_json::from_str(
        &accord(d, &["grid", "show", p, "--codes", "Own recovery", "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    let own = h
        .state()
        .project()
        .tree
        .iter()
        .map(|(_, id)| *id)
        .find(|id| h.state().project().path(*id).ends_with("Own recovery"))
        .unwrap();
    h.state_mut().grid.codes.insert(own);
    h.get_by_label("Grid").click();
    steps(&mut h, 6);
    let grid = h
        .state()
        .grid
        .grid
        .as_ref()
        .and_then(|(_, _, g)| g.as_ref().ok())
        .cloned()
        .expect("the grid was built");
    // The same cells as the command line's.
    assert_eq!(grid.rows.len(), cli["rows"].as_array().unwrap().len());
    for (row, cli_row) in grid.rows.iter().zip(cli["rows"].as_array().unwrap()) {
        assert_eq!(row.case, cli_row["case"].as_str().unwrap());
        assert_eq!(
            row.cells[0].count,
            cli_row["cells"][0]["excerpts"].as_array().unwrap().len()
        );
    }
    // P04's cell: its excerpts listed; a summary written and saved, citing the first.
    let p04 = grid.rows.iter().position(|r| r.case == "P04").unwrap();
    let n = grid.rows[p04].cells[0].count;
    assert!(n > 0);
    h.get_by_label(&format!(
        "P04 on Lived experience/Own recovery: {n} excerpts"
    ))
    .click();
    steps(&mut h, 4);
    assert!(h.query_by_label(&format!("Excerpts ({n})")).is_some());
    // The cell's excerpts, gathered when it is opened: the command line's, in its order.
    let opened = h.state().grid.cell.clone().expect("gathered").2;
    let cli_p04: Vec<String> = cli["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case"] == "P04")
        .unwrap()["cells"][0]["excerpts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["coding_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        opened
            .iter()
            .map(|e| e.coding_id.to_text())
            .collect::<Vec<_>>(),
        cli_p04
    );
    h.get_by_label("Summary").click();
    h.get_by_label("Summary")
        .type_text("Recovery is her credential.");
    h.get_all_by_label("cite").next().unwrap().click();
    steps(&mut h, 1);
    h.get_by_label("Save summary").click();
    steps(&mut h, 8);
    let store = h.state().workspace().unwrap().store();
    let summaries = store.grid_summaries().unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].text, "Recovery is her credential.");
    assert_eq!(summaries[0].cites, vec![opened[0].coding_id]);
    assert_eq!(
        summaries[0].written_by.map(|r| store
            .raters()
            .unwrap()
            .into_iter()
            .find(|x| x.rater_id == r)
            .unwrap()
            .name),
        Some("Maya Chen".to_string())
    );
    // Undo takes it back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 6);
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .store()
            .grid_summaries()
            .unwrap()
            .is_empty()
    );
    // An excerpt opens at its place in the transcript.
    let first = &opened[0];
    h.get_all_by_label("Open").next().unwrap().click();
    steps(&mut h, 4);
    assert_eq!(h.state().state.transcript_id, Some(first.transcript_id));
    assert_eq!(
        h.state().state.selection,
        Some(accord::model::Span::new(first.start, first.end))
    );
}

#[test]
fn a_coding_is_flagged_as_a_key_quote_from_the_details_panel() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label_contains("P01_interview").click();
    steps(&mut h, 4);
    let coding = {
        let store = h.state().workspace().unwrap().store();
        let t = accord::app::resolve::transcript(store, "P01_interview").unwrap();
        store
            .codings(&accord::model::CodingFilter {
                transcripts: vec![t.transcript_id],
                ..accord::model::CodingFilter::default()
            })
            .unwrap()[0]
            .coding_id
    };
    h.state_mut().state.coding_id = Some(coding);
    steps(&mut h, 2);
    h.get_by_label("Key quote").click();
    steps(&mut h, 6);
    let quotes = h.state().workspace().unwrap().store().key_quotes().unwrap();
    assert_eq!(quotes.len(), 1);
    assert_eq!(quotes[0].coding_id, coding);
    // Its label, set in place.
    h.get_by_label("Key quote label").click();
    h.get_by_label("Key quote label")
        .type_text("the turning point");
    steps(&mut h, 1);
    h.get_by_label("Set label").click();
    steps(&mut h, 6);
    let quotes = h.state().workspace().unwrap().store().key_quotes().unwrap();
    assert_eq!(quotes[0].label, "the turning point");
    // Ticked again: unflagged.
    h.get_by_label("Key quote").click();
    steps(&mut h, 6);
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .store()
            .key_quotes()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn file_report_writes_the_report_beside_the_project_without_a_save_dialog() {
    // With a session bus the window would open the desktop's save dialog instead.
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty()) {
        eprintln!("NOTICE: a session bus is set; File > Report… would open a save dialog; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("File").click();
    steps(&mut h, 1);
    h.get_by_label("Report…").click();
    steps(&mut h, 8);
    let written = dir.path().join("demo-report.docx");
    let text = crate::support::docx_text(&std::fs::read(&written).unwrap());
    assert!(text.contains("Appendix: methods"), "{text}");
    assert!(
        text.contains("Provenance") || text.contains("Agreement"),
        "{text}"
    );
}
