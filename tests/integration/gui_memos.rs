//! The Memos view (issue 20, item 2), driven through `AccessKit` (`egui_kittest`): every memo in one
//! list (the same as `accord memos list`), filtered by kind and searched with the search language
//! (a malformed query says where), each link opening the passage it quotes; and "Memo on
//! selection…" in the transcript view writing a memo on the selected words.

use accord::model::{MemoTarget, Span};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::support::{accord, demo, steps, window};

fn rows(h: &egui_kittest::Harness<'static, accord::gui::AccordApp>) -> Vec<String> {
    let (_, _, read) = h
        .state()
        .memos
        .rows
        .clone()
        .expect("the view read the memos");
    read.expect("no error")
        .into_iter()
        .map(|r| format!("{} {}", r.kind, r.text))
        .collect()
}

#[test]
fn the_memos_view_lists_filters_searches_and_opens_a_linked_passage() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let coding = crate::support::code_a_passage(dir.path(), p);
    let sameness = format!(
        "Sameness first: see [[P02_interview@100-140]], not [[coding:{}]].",
        &coding[..8]
    );
    for args in [
        [
            "--passage",
            "P01_interview",
            "--span",
            "1200..1342",
            "--text",
            &sameness,
        ],
        [
            "--cell",
            "P01",
            "--code",
            "Peerness",
            "--text",
            "Naïve trust, then doubt.",
        ],
    ] {
        let mut all = vec!["memos", "add", p];
        all.extend_from_slice(&args);
        accord(dir.path(), &all).success();
    }
    accord(dir.path(), &["uncode", p, "--coding", &coding]).success();
    let listed = accord(dir.path(), &["memos", "list", p, "--json"]).success();
    let cli: Vec<serde_json::Value> = serde_json::from_str(&listed.stdout).unwrap();

    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("Memos").click();
    steps(&mut h, 3);
    assert_eq!(
        rows(&h).len(),
        cli.len(),
        "the window lists the command line's memos"
    );

    h.get_by_label("Search the memos").focus();
    steps(&mut h, 1);
    h.get_by_label("Search the memos").type_text("naive");
    steps(&mut h, 1);
    h.get_by_label("Find").click();
    steps(&mut h, 3);
    assert_eq!(rows(&h), ["cell Naïve trust, then doubt."]);
    h.get_by_label("Clear").click();
    steps(&mut h, 3);
    assert_eq!(rows(&h).len(), cli.len());

    h.get_by_label("Written since").focus();
    steps(&mut h, 1);
    h.get_by_label("Written since").type_text("2999-01-01");
    h.get_by_label("Find").click();
    steps(&mut h, 3);
    assert!(rows(&h).is_empty(), "nothing written since 2999");
    h.get_by_label("Clear").click();
    steps(&mut h, 3);
    assert_eq!(rows(&h).len(), cli.len());

    h.get_by_role_and_label(Role::ComboBox, "Kind").click();
    steps(&mut h, 1);
    h.get_by_label("passage").click();
    steps(&mut h, 3);
    assert_eq!(rows(&h), [format!("passage {sameness}")]);
    // The link to the removed coding says so, with its words.
    assert!(
        h.query_by_label_contains(&format!("[[coding:{}]] removed coding (", &coding[..8]))
            .is_some()
    );

    // The link opens the passage it quotes, selected.
    h.get_by_label_contains("[[P02_interview@100-140]] P02_interview 100–140")
        .click();
    steps(&mut h, 4);
    assert_eq!(h.state().central, accord::gui::Central::Transcript);
    assert_eq!(h.state().state.selection, Some(Span::new(100, 140)));
    let p02 = h
        .state()
        .project()
        .transcripts
        .iter()
        .find(|t| t.name == "P02_interview")
        .unwrap()
        .transcript_id;
    assert_eq!(h.state().state.transcript_id, Some(p02));

    // A malformed query says where, in the view.
    h.get_by_label("Memos").click();
    steps(&mut h, 2);
    h.get_by_label("Search the memos").focus();
    steps(&mut h, 1);
    h.get_by_label("Search the memos").type_text("trust AND");
    steps(&mut h, 1);
    h.get_by_label("Find").click();
    steps(&mut h, 3);
    let (_, _, read) = h.state().memos.rows.clone().unwrap();
    let e = read.expect_err("a malformed query is refused");
    assert!(e.contains("column 7: dangling AND"), "{e}");
    assert!(
        h.query_by_label_contains("column 7: dangling AND")
            .is_some()
    );
}

#[test]
fn memo_on_selection_writes_a_memo_on_the_selected_words() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(
        dir.path(),
        &[
            "memos",
            "add",
            p,
            "--cell",
            "P01",
            "--code",
            "Peerness",
            "--text",
            "Trust, then doubt.",
        ],
    )
    .success();
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label_contains("P01_interview").click();
    steps(&mut h, 3);
    assert!(
        h.get_by_label("Memo on selection…")
            .accesskit_node()
            .is_disabled(),
        "nothing selected yet"
    );
    h.state_mut().state.selection = Some(Span::new(100, 160));
    steps(&mut h, 1);
    h.get_by_label("Memo on selection…").click();
    steps(&mut h, 3);
    h.get_by_label("Memo text").focus();
    steps(&mut h, 1);
    h.get_by_label("Memo text")
        .type_text("Where the role starts.");
    steps(&mut h, 1);
    steps(&mut h, 1);
    h.get_by_label("Save memo").click();
    steps(&mut h, 4);
    let store = h.state().workspace().unwrap().store();
    let memos: Vec<_> = store
        .all_memos()
        .unwrap()
        .into_iter()
        .filter(|m| matches!(m.target, MemoTarget::Passage { .. }))
        .collect();
    assert_eq!(memos.len(), 1);
    let MemoTarget::Passage { span, .. } = memos[0].target else {
        unreachable!()
    };
    assert_eq!(span, Span::new(100, 160));
    assert_eq!(memos[0].text, "Where the role starts.");
    assert!(memos[0].rater_id.is_some(), "written by who is coding");

    // In the Memos view, what a cell memo is about opens the memo editor on that cell.
    h.get_by_label("Memos").click();
    steps(&mut h, 3);
    assert!(h.query_by_label("Memo text").is_none());
    h.get_by_label("P01 × Lived experience/Peerness").click();
    steps(&mut h, 3);
    assert!(
        h.query_by_label_contains("Memo on case P01 on Lived experience/Peerness")
            .is_some()
    );
    // The memo shows in the list and in the editor.
    assert_eq!(
        h.query_all_by_label_contains("Trust, then doubt.").count(),
        2
    );
}
