//! The window, driven as a person would through `AccessKit` (`egui_kittest`): find widgets by their
//! labels, click, drag and type, then check both what the window shows and what the store holds.

use accord::gui::{AccordApp, Central};
use accord::model::{CodingFilter, RaterId, Span};
use accord::store::Store;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, steps, window};

fn rater(store: &Store, name: &str) -> RaterId {
    store.find_rater(name).unwrap().rater_id
}

/// Picks the rater in the start-up dialog (and lets the dialog fade out).
fn pick_rater(h: &mut Harness<'static, AccordApp>, name: &str) {
    h.get_by_label(name).click();
    steps(h, 8);
    assert!(h.state().state.rater_id.is_some(), "{name} is coding");
}

/// Picks the rater in the start-up dialog and opens a transcript.
fn start_coding(h: &mut Harness<'static, AccordApp>, name: &str, transcript: &str) {
    pick_rater(h, name);
    h.get_by_label_contains(transcript).click();
    steps(h, 3);
}

fn live_codings(
    h: &Harness<'static, AccordApp>,
    rater_name: &str,
    code: &str,
) -> Vec<accord::Coding> {
    let store = h.state().workspace().unwrap().store();
    let code_id = accord::app::resolve::code(&store.codebook().unwrap(), code).unwrap();
    store
        .codings(&CodingFilter {
            raters: vec![rater(store, rater_name)],
            codes: vec![code_id],
            ..CodingFilter::default()
        })
        .unwrap()
}

#[test]
fn select_by_dragging_apply_a_code_see_it_and_undo_and_redo() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(&demo(dir.path()));
    start_coding(&mut h, "Maya Chen", "P01_interview");
    assert!(h.state().open_transcript().is_some(), "P01 should be open");
    let before = live_codings(&h, "Maya Chen", "Peerness").len();

    // Drag across the text of the first turns, as a reader selects.
    let text = h.get_by_label("Transcript text").rect();
    let (from, to) = (
        text.min + egui::vec2(40.0, 30.0),
        text.min + egui::vec2(300.0, 75.0),
    );
    h.hover_at(from);
    steps(&mut h, 1);
    h.drag_at(from);
    steps(&mut h, 1);
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        steps(&mut h, 1);
    }
    h.drop_at(to);
    steps(&mut h, 2);
    let selection = h.state().state.selection.expect("dragging selects text");
    assert!(selection.len() > 5, "{selection:?}");
    let transcript = h.state().open_transcript().unwrap().transcript.text.clone();
    let chars: Vec<char> = transcript.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '\'';
    assert!(
        selection.start == 0 || !is_word(chars[selection.start - 1]),
        "selection starts mid-word"
    );
    assert!(
        selection.end == chars.len() || !is_word(chars[selection.end]),
        "selection ends mid-word"
    );

    // Type to filter the codebook, then click the code: it applies to the selection.
    h.get_by_label("Filter codes").focus();
    steps(&mut h, 1);
    h.get_by_label("Filter codes").type_text("peern");
    steps(&mut h, 2);
    h.get_by_label_contains("Peerness  (").click();
    steps(&mut h, 3);
    let after = live_codings(&h, "Maya Chen", "Peerness");
    assert_eq!(after.len(), before + 1);
    let new = after
        .iter()
        .find(|c| c.span == selection)
        .expect("a coding of exactly the selection")
        .clone();
    let open = h.state().open_transcript().unwrap();
    assert!(
        open.codings.iter().any(|c| c.coding_id == new.coding_id),
        "the coding is drawn"
    );
    let lane = h.state().project().codebook.lookup("Peerness");
    let accord::model::CodeLookup::Found(code) = lane else {
        panic!("Peerness")
    };
    assert!(
        open.lanes.contains(&code.code_id),
        "Peerness has a lane in the margin"
    );
    assert_eq!(
        h.state().state.coding_id,
        Some(new.coding_id),
        "the new coding is selected"
    );
    h.get_by_label("Remove coding");

    // Undo (Ctrl+Z) takes it away; redo (Ctrl+Shift+Z) brings back the very same coding.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 3);
    assert_eq!(live_codings(&h, "Maya Chen", "Peerness").len(), before);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    steps(&mut h, 3);
    assert!(
        live_codings(&h, "Maya Chen", "Peerness")
            .iter()
            .any(|c| c.coding_id == new.coding_id)
    );
}

#[test]
fn number_keys_apply_the_first_codes_and_blind_mode_hides_other_raters() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    start_coding(&mut h, "Jordan Ellis", "P02_interview");
    let both = {
        let open = h.state().open_transcript().unwrap();
        open.codings
            .iter()
            .map(|c| c.rater_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert_eq!(both, 2, "with blind mode off both raters' codings show");

    h.state_mut().state.selection = Some(Span::new(10, 40));
    steps(&mut h, 1);
    h.key_press(Key::Num1);
    steps(&mut h, 3);
    let first_code = h.state().project().tree[0].1;
    let store = Store::open(&project).unwrap();
    let jordan = rater(&store, "Jordan Ellis");
    let coded = store
        .codings(&CodingFilter {
            raters: vec![jordan],
            codes: vec![first_code],
            ..CodingFilter::default()
        })
        .unwrap();
    assert!(
        coded.iter().any(|c| c.span == Span::new(10, 40)),
        "key 1 applied the first code"
    );

    h.get_by_label("View").click();
    steps(&mut h, 2);
    h.get_by_label("Blind mode (raters see only their own codings)")
        .click();
    steps(&mut h, 3);
    assert!(Store::open(&project).unwrap().blind_mode().unwrap());
    let open = h.state().open_transcript().unwrap();
    assert!(!open.codings.is_empty());
    assert!(
        open.codings.iter().all(|c| c.rater_id == jordan),
        "blind: only Jordan's codings"
    );

    // Switch rater: now only Maya's show.
    h.get_by_label("Coding as").click();
    steps(&mut h, 2);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 3);
    let maya = rater(&store, "Maya Chen");
    let open = h.state().open_transcript().unwrap();
    assert!(!open.codings.is_empty());
    assert!(
        open.codings.iter().all(|c| c.rater_id == maya),
        "blind: only Maya's codings"
    );
    assert!(
        h.query_by_label_contains("Blind mode is on").is_none()
            || h.state().central != Central::Agreement
    );
}

#[test]
fn search_and_jump_to_a_hit_then_code_hits_in_one_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(&demo(dir.path()));
    start_coding(&mut h, "Maya Chen", "P01_interview");
    h.get_by_label("Search").click();
    steps(&mut h, 2);
    h.get_by_label("Search query").focus();
    steps(&mut h, 1);
    h.get_by_label("Search query")
        .type_text("\"my supervisor\"");
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
    assert!(results.total > 0);
    let hit = results.hits[0].clone();
    let first_link = h
        .get_all_by_label_contains("  turn ")
        .next()
        .expect("a hit line");
    first_link.click();
    steps(&mut h, 3);
    assert_eq!(h.state().central, Central::Transcript);
    let sel = h.state().state.selection.expect("the hit is selected");
    assert_eq!(sel, Span::new(hit.spans[0].start, hit.spans[0].end));
    let open = h.state().open_transcript().unwrap();
    assert_eq!(open.transcript.transcript_id.to_text(), hit.transcript_id);
    let text =
        accord::model::text::slice_chars(&open.transcript.text, sel.start, sel.end).to_lowercase();
    assert_eq!(text, "my supervisor");

    // Back to the results: tick all, choose a code, code them; one undo removes them all.
    h.get_by_label("Search").click();
    steps(&mut h, 2);
    let before = live_codings(&h, "Maya Chen", "Role clarity").len();
    h.get_by_label("Tick all").click();
    steps(&mut h, 1);
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Code")
        .click();
    steps(&mut h, 2);
    let path = {
        let p = h.state().project();
        let accord::model::CodeLookup::Found(c) = p.codebook.lookup("Role clarity") else {
            panic!("Role clarity")
        };
        p.path(c.code_id).to_string()
    };
    h.get_by_label(&path).click();
    steps(&mut h, 2);
    h.get_by_label_contains("ticked hits").click();
    steps(&mut h, 3);
    let added = live_codings(&h, "Maya Chen", "Role clarity").len() - before;
    assert!(added > 0 && added <= results.hits.len());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 3);
    assert_eq!(
        live_codings(&h, "Maya Chen", "Role clarity").len(),
        before,
        "one undo for the whole search-and-code"
    );
}

#[test]
fn agreement_view_reads_the_same_kappa_as_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let cli = accord(
        dir.path(),
        &["agreement", project.to_str().unwrap(), "--format", "json"],
    )
    .success();
    let json: serde_json::Value = serde_json::from_str(&cli.stdout).unwrap();
    let peerness = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"].as_str().unwrap().ends_with("Peerness"))
        .unwrap()
        .clone();
    let cli_kappa = peerness["kappa"]["value"].as_f64().unwrap();

    let mut h = window(&project);
    pick_rater(&mut h, "Maya Chen");
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    // Agreement is computed on its task; `steps` waits for it.
    steps(&mut h, 1);
    assert!(!h.state().agreement.busy);
    let result = h
        .state()
        .agreement
        .result
        .clone()
        .expect("computed")
        .expect("no error");
    let row = result
        .report
        .rows
        .iter()
        .find(|r| r.code.ends_with("Peerness"))
        .unwrap();
    assert_eq!(
        row.kappa.value,
        Some(cli_kappa),
        "window and command line agree exactly"
    );
    steps(&mut h, 2);
    let shown = format!("{cli_kappa:.3} [");
    assert!(
        h.query_by_label_contains(&shown).is_some(),
        "the table shows {shown}"
    );
    // Worst first: Peerness (the hardest code) heads the table.
    assert!(result.report.rows[0].code.ends_with("Peerness"));

    // Its disagreements, and one side by side.
    let code = result.report.rows[0]
        .code
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    h.get_by_label(&code).click();
    steps(&mut h, 2);
    // (The list is below the chart: AccessKit clicks it wherever the scroll position is.)
    h.get_all_by_label_contains(": coded by ")
        .next()
        .expect("a disagreement")
        .click_accesskit();
    steps(&mut h, 2);
    let detail = h
        .state()
        .agreement
        .detail
        .clone()
        .unwrap_or_else(|| panic!("side by side: {:?}", h.state().state.message));
    assert_eq!(detail.raters.len(), 2);
    assert!(detail.raters.iter().any(|(_, spans)| !spans.is_empty()));
}

#[test]
fn edit_the_codebook_and_write_memos_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    pick_rater(&mut h, "Maya Chen");
    let version = Store::open(&project).unwrap().codebook_version().unwrap();
    h.get_by_label("Filter codes").focus();
    steps(&mut h, 1);
    h.get_by_label("Filter codes").type_text("Peerness");
    steps(&mut h, 2);
    h.get_by_label_contains("Peerness  (").click();
    steps(&mut h, 2);
    // Move away first, as a hand would, so the code's tooltip closes.
    h.hover_at(egui::pos2(600.0, 400.0));
    steps(&mut h, 2);
    h.get_by_label("Edit code…").click();
    steps(&mut h, 4);
    h.get_by_label("Code name").focus();
    steps(&mut h, 1);
    h.get_by_label("Code name").type_text(" (revised)");
    h.get_by_label("When not to use field").focus();
    steps(&mut h, 1);
    h.get_by_label("When not to use field")
        .type_text(" Not for mere friendliness.");
    steps(&mut h, 1);
    h.get_by_label("Save code").click();
    steps(&mut h, 3);
    let store = Store::open(&project).unwrap();
    let book = store.codebook().unwrap();
    let code = book
        .codes
        .iter()
        .find(|c| c.name == "Peerness (revised)")
        .expect("renamed");
    assert!(code.when_not_to_use.ends_with("Not for mere friendliness."));
    assert_eq!(store.codebook_version().unwrap(), version + 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 3);
    assert!(
        Store::open(&project)
            .unwrap()
            .codebook()
            .unwrap()
            .codes
            .iter()
            .any(|c| c.name == "Peerness")
    );

    // A project memo through the File menu.
    h.get_by_label("File").click();
    steps(&mut h, 2);
    h.get_by_label("Project memo…").click();
    steps(&mut h, 4);
    h.get_by_label("Memo text").focus();
    steps(&mut h, 1);
    h.get_by_label("Memo text")
        .type_text("Round one: peerness definitions drift.");
    steps(&mut h, 1);
    h.get_by_label("Save memo").click();
    steps(&mut h, 2);
    let memos = Store::open(&project)
        .unwrap()
        .memos(accord::model::MemoTarget::Project)
        .unwrap();
    assert_eq!(memos.len(), 1);
    assert_eq!(memos[0].text, "Round one: peerness definitions drift.");
}

#[test]
fn importing_in_the_window_reports_each_file_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("new.accord");
    Store::create(&project, "New").unwrap();
    let bad = dir.path().join("broken.vtt");
    std::fs::write(&bad, "not a subtitle file").unwrap();
    let good = crate::support::samples().join("transcripts/P01_interview.txt");
    let mut h = window(&project);
    h.get_by_label("New rater name").focus();
    steps(&mut h, 1);
    h.get_by_label("New rater name").type_text("Sam Rivera");
    steps(&mut h, 1);
    h.get_by_label("Add rater").click();
    steps(&mut h, 2);
    let ctx = h.ctx.clone();
    h.state_mut().start_import(&ctx, vec![bad.clone(), good]);
    // The import is a task; `steps` waits for it, and the dialog then offers Close.
    steps(&mut h, 1);
    assert!(h.query_by_label("Close").is_some(), "the import ended");
    assert!(
        h.query_by_label_contains("failed").is_some(),
        "the broken file is reported"
    );
    assert!(
        h.query_by_label_contains("imported  P01_interview.txt")
            .is_some()
    );
    let store = Store::open(&project).unwrap();
    assert_eq!(store.transcripts().unwrap().len(), 1);
    assert_eq!(store.raters().unwrap()[0].name, "Sam Rivera");
}

#[test]
fn export_view_previews_and_saves_the_same_export_as_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    pick_rater(&mut h, "Maya Chen");
    h.get_by_label("Export").click();
    steps(&mut h, 3);
    let preview = h.state().export.preview.clone().expect("a preview").2;
    assert!(
        preview.starts_with("# Coded excerpts"),
        "{}",
        &preview[..preview.len().min(200)]
    );
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "What")
        .click();
    steps(&mut h, 2);
    h.get_by_label("Codebook").click();
    steps(&mut h, 3);
    let preview = h.state().export.preview.clone().expect("a preview").2;
    assert!(
        preview.contains("Peerness") && preview.contains("When not to use"),
        "the codebook with its fields"
    );

    // Saved from the window = written by the command line.
    let saved = dir.path().join("codebook.md");
    h.state_mut().save_export(&saved).unwrap();
    let cli = accord(
        dir.path(),
        &[
            "export",
            project.to_str().unwrap(),
            "codebook",
            "--format",
            "markdown",
        ],
    )
    .success();
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), cli.stdout);
    assert_eq!(preview, cli.stdout, "the preview is the export");
}
