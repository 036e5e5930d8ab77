//! The team views of the window, driven through `AccessKit` (`egui_kittest`): settling agreements and
//! a disagreement in the adjudication view (the same passages as `accord adjudicate list`), undoing a
//! decision, and the rounds view reading the same per-code agreement as `accord rounds`.

use std::path::Path;

use accord::gui::{AccordApp, ShownPassage};
use accord::model::{CodingFilter, RaterKind};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, steps};

fn window(project: &Path) -> Harness<'static, AccordApp> {
    let mut h = crate::support::window(project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h
}

fn consensus_codings(h: &Harness<'static, AccordApp>) -> usize {
    let store = h.state().workspace().unwrap().store();
    let Some(consensus) = store
        .raters()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == RaterKind::Consensus)
    else {
        return 0;
    };
    store
        .codings(&CodingFilter {
            raters: vec![consensus.rater_id],
            ..CodingFilter::default()
        })
        .unwrap()
        .len()
}

#[test]
fn settle_agreements_and_a_disagreement_then_undo_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let listed = accord(
        dir.path(),
        &[
            "adjudicate",
            "list",
            project.to_str().unwrap(),
            "--all",
            "--json",
        ],
    )
    .success();
    let cli: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let cli_ids: Vec<&str> = cli
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();

    let mut h = window(&project);
    h.get_by_label("Adjudicate").click();
    steps(&mut h, 3);
    let loaded = h
        .state()
        .adjudicate
        .loaded
        .clone()
        .expect("the view read the passages")
        .1
        .expect("no error");
    let ids: Vec<String> = loaded.iter().map(|s| s.passage.id.clone()).collect();
    assert_eq!(
        ids, cli_ids,
        "the window lists exactly the command line's passages"
    );
    let agreed = loaded.iter().filter(|s| s.passage.agreed).count();
    assert!(agreed > 0 && agreed < loaded.len());

    // Every agreement at once: one change.
    h.get_by_label_contains("Settle all agreements (").click();
    steps(&mut h, 3);
    assert_eq!(consensus_codings(&h), agreed_spans(&loaded));
    assert!(
        h.query_by_label_contains("Settle all agreements (0)")
            .is_some()
    );

    // One disagreement: choose it, take Jordan's coding, with a note.
    h.get_all_by_label_contains("· open")
        .next()
        .expect("an open disagreement")
        .click_accesskit();
    steps(&mut h, 2);
    h.get_by_label("Decision note").focus();
    h.get_by_label("Decision note")
        .type_text("Jordan read the whole turn");
    steps(&mut h, 1);
    let before = consensus_codings(&h);
    h.get_by_label("Take Jordan Ellis").click();
    steps(&mut h, 3);
    let store = h.state().workspace().unwrap().store();
    let decisions = store.adjudications(None).unwrap();
    let last = decisions
        .iter()
        .max_by(|a, b| a.decided_at.cmp(&b.decided_at))
        .unwrap();
    assert_eq!(last.note, "Jordan read the whole turn");
    assert_eq!(last.decision.name(), "take");
    assert_eq!(consensus_codings(&h), before + last.codings.len());

    // Undo withdraws the decision and removes its consensus codings; the raters' stay.
    let raters_before = store
        .codings(&CodingFilter::default())
        .unwrap()
        .iter()
        .filter(|c| c.rater_id != last.consensus_rater)
        .count();
    let id = last.adjudication_id;
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 3);
    let store = h.state().workspace().unwrap().store();
    let undone = store
        .adjudications(None)
        .unwrap()
        .into_iter()
        .find(|a| a.adjudication_id == id)
        .unwrap();
    assert!(undone.withdrawn_at.is_some());
    assert_eq!(consensus_codings(&h), before);
    let raters_after = store
        .codings(&CodingFilter::default())
        .unwrap()
        .iter()
        .filter(|c| c.rater_id != undone.consensus_rater)
        .count();
    assert_eq!(raters_after, raters_before);
}

/// The consensus codings that settling every agreed passage makes (one per rater span).
fn agreed_spans(list: &[ShownPassage]) -> usize {
    list.iter()
        .filter(|s| s.passage.agreed)
        .map(|s| s.passage.raters.first().map_or(0, |r| r.2.len()))
        .sum()
}

#[test]
fn rounds_view_shows_the_command_lines_history() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let coded =
        "P01_interview,P02_interview,P03_interview,P04_interview,P05_interview,P06_interview";
    accord(
        dir.path(),
        &[
            "round",
            "new",
            p,
            "Round 1",
            "--transcripts",
            coded,
            "--raters",
            "Jordan Ellis,Maya Chen",
        ],
    )
    .success();
    accord(dir.path(), &["round", "compute", p, "Round 1"]).success();
    let cli: serde_json::Value = serde_json::from_str(
        &accord(dir.path(), &["rounds", p, "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let peerness = cli["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"].as_str().unwrap().ends_with("Peerness"))
        .unwrap()["rounds"][0]["kappa"]
        .as_f64()
        .unwrap();

    let mut h = window(&project);
    h.get_by_label("Rounds").click();
    steps(&mut h, 3);
    let history = h
        .state()
        .rounds
        .loaded
        .clone()
        .expect("the view read the history")
        .1
        .expect("no error");
    assert_eq!(history.rounds.len(), 1);
    assert!(
        history.codes[0].below,
        "codes below the threshold come first"
    );
    assert!(
        h.query_all_by_label(&format!("{peerness:.3}"))
            .next()
            .is_some(),
        "the table shows Peerness's kappa {peerness:.3}"
    );
    // Recompute from the window: the same numbers are kept.
    h.get_by_label("Compute Round 1").click();
    steps(&mut h, 3);
    let again = h.state().rounds.loaded.clone().unwrap().1.unwrap();
    let kappa = again
        .codes
        .iter()
        .find(|c| c.code.ends_with("Peerness"))
        .and_then(|c| c.rounds[0].as_ref()?.kappa);
    assert_eq!(kappa, Some(peerness));
}

#[test]
fn issue_and_merge_rater_files_and_decide_a_proposal_in_the_team_view() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let mut h = window(&project);
    h.get_by_label("Team").click();
    steps(&mut h, 3);

    // Issue Jordan a rater file of one transcript.
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Rater file for")
        .click();
    steps(&mut h, 2);
    h.get_all_by_label("Jordan Ellis").last().unwrap().click();
    steps(&mut h, 2);
    h.get_by_label("P01_interview").click();
    steps(&mut h, 1);
    let file = d.join("jordan.accord");
    h.get_by_label("Rater file path").focus();
    h.get_by_label("Rater file path")
        .type_text(file.to_str().unwrap());
    steps(&mut h, 1);
    h.get_by_label("Write rater file").click();
    steps(&mut h, 3);
    let messages = h.state().team.messages.clone();
    assert!(messages[0].0, "{messages:?}");
    assert!(file.exists());
    let f = file.to_str().unwrap();

    // Jordan codes a turn and proposes a sharper definition, on their own machine.
    accord(
        d,
        &[
            "code",
            f,
            "-t",
            "P01_interview",
            "-c",
            "Burnout",
            "-r",
            "Jordan Ellis",
            "--turns",
            "3",
        ],
    )
    .success();
    let sharper = "Peer support that rests on shared lived experience, named as such.";
    accord(
        d,
        &["propose", f, "--code", "Peerness", "--definition", sharper],
    )
    .success();

    // Merge it back from the window, then once more: nothing new.
    let before = h
        .state()
        .workspace()
        .unwrap()
        .store()
        .codings(&CodingFilter::default())
        .unwrap()
        .len();
    h.get_by_label("Rater files to merge").focus();
    h.get_by_label("Rater files to merge").type_text(f);
    steps(&mut h, 1);
    h.get_by_label("Merge").click();
    steps(&mut h, 3);
    let messages = h.state().team.messages.clone();
    assert!(
        messages.iter().all(|(ok, _)| *ok)
            && messages.iter().any(|(_, m)| m.contains("— 1 coding,")),
        "{messages:?}"
    );
    let store = h.state().workspace().unwrap().store();
    assert_eq!(
        store.codings(&CodingFilter::default()).unwrap().len(),
        before + 1
    );
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .undo_label()
            .unwrap()
            .starts_with("Merge Jordan Ellis"),
        "the merge is one undoable change"
    );
    h.get_by_label("Merge").click();
    steps(&mut h, 3);
    assert!(
        h.state()
            .team
            .messages
            .iter()
            .any(|(_, m)| m.contains("nothing new")),
        "{:?}",
        h.state().team.messages
    );

    // A file that is not an Accord project is refused, named, and nothing changes.
    let bogus = d.join("notes.accord");
    std::fs::write(&bogus, "not a project").unwrap();
    h.get_by_label("Rater files to merge").focus();
    steps(&mut h, 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    steps(&mut h, 1);
    h.get_by_label("Rater files to merge")
        .type_text(bogus.to_str().unwrap());
    steps(&mut h, 1);
    h.get_by_label("Merge").click();
    steps(&mut h, 3);
    let refused = h.state().team.messages.clone();
    assert!(
        refused
            .iter()
            .any(|(ok, m)| !ok && m.contains("notes.accord") && m.contains("refused")),
        "{refused:?}"
    );
    assert_eq!(
        h.state()
            .workspace()
            .unwrap()
            .store()
            .codings(&CodingFilter::default())
            .unwrap()
            .len(),
        before + 1
    );

    // The proposal arrived with the merge; the lead accepts it.
    let version = h
        .state()
        .workspace()
        .unwrap()
        .store()
        .codebook_version()
        .unwrap();
    h.get_by_label("Note on Peerness").focus();
    h.get_by_label("Note on Peerness")
        .type_text("agreed in the meeting");
    steps(&mut h, 1);
    h.get_by_label("Accept “Peerness”").click();
    steps(&mut h, 3);
    let store = h.state().workspace().unwrap().store();
    assert_eq!(store.codebook_version().unwrap(), version + 1);
    let book = store.codebook().unwrap();
    let code = accord::app::resolve::code(&book, "Peerness").unwrap();
    assert_eq!(book.get(code).unwrap().definition, sharper);
    let rows = h.state().team.proposals.clone().unwrap().1.unwrap();
    assert_eq!(rows[0].status, "accepted");
}

#[test]
fn settle_near_agreements_by_overlap_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    h.get_by_label("Adjudicate").click();
    steps(&mut h, 3);
    h.get_by_label("Counts as agreement").click();
    steps(&mut h, 2);
    h.get_by_label("text shared at least").click();
    steps(&mut h, 2);
    let store = h.state().workspace().unwrap().store();
    let all = accord::app::adjudicate::passages(store, &accord::app::adjudicate::Review::default())
        .unwrap();
    let near = accord::app::adjudicate::Nearness::Overlap(80);
    let expected = all.iter().filter(|p| p.nearly_agreed(near)).count();
    let exact = all.iter().filter(|p| p.agreed).count();
    assert!(
        expected > exact,
        "80% overlap finds more than exact agreement"
    );
    h.get_by_label_contains(&format!(
        "Settle all agreements ({expected}, {} of them near)",
        expected - exact
    ))
    .click();
    steps(&mut h, 3);
    assert!(consensus_codings(&h) >= expected);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 3);
    assert_eq!(consensus_codings(&h), 0, "one change, one undo");
}
