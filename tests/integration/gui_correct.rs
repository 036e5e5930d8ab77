//! Correcting a transcript in the window (issue 19): "Correct text…" opens an explicit edit mode
//! with a banner; "Review changes" works out, on a task, what the correction does to the codings
//! (the numbers `accord transcripts edit` gives); "Save correction" writes it; Ctrl+Z takes it back
//! exactly.

use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};

use crate::support::{accord, demo, steps, window};

/// P01's text, turns and every coding of it, from the window's store.
fn stored(h: &egui_kittest::Harness<'static, accord::gui::AccordApp>) -> crate::correct::State {
    crate::correct::state(h.state().workspace().unwrap().store(), "P01_interview")
}

#[test]
fn a_transcript_is_corrected_in_the_window_after_a_review_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let cli: serde_json::Value = serde_json::from_str(
        &accord(
            dir.path(),
            &[
                "transcripts",
                "edit",
                p,
                "P01_interview",
                "--replace",
                crate::correct::CODED_PASSAGE,
                "",
                "--json",
            ],
        )
        .success()
        .stdout,
    )
    .unwrap();

    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label_contains("P01_interview").click();
    steps(&mut h, 3);
    let before = stored(&h);
    h.get_by_label("Correct text…").click();
    steps(&mut h, 2);
    assert!(
        h.query_by_label_contains("Correcting the text of P01_interview")
            .is_some(),
        "the edit mode says so"
    );
    assert!(h.query_by_label("Corrected text").is_some());
    // Nothing edited: nothing to review.
    assert!(
        h.get_by_label("Review changes")
            .accesskit_node()
            .is_disabled()
    );
    // The words edited in place (as typing would leave them).
    {
        let view = h.state_mut().correcting.as_mut().expect("edit mode");
        view.text = view.text.replacen(crate::correct::CODED_PASSAGE, "", 1);
    }
    steps(&mut h, 1);
    h.get_by_label("Review changes").click();
    steps(&mut h, 4);
    let review = h
        .state()
        .correcting
        .as_ref()
        .and_then(|v| v.review.clone())
        .expect("reviewed")
        .expect("no error");
    // The same review as the command line's.
    let counts = serde_json::to_value(review.counts).unwrap();
    assert_eq!(counts, cli["counts"]);
    assert!(review.counts.lost > 0);
    assert!(h.query_by_label("What the correction does").is_some());
    assert!(
        h.query_by_label_contains("Lost: kept as removed, with their words")
            .is_some()
    );
    h.get_by_label("Save correction").click();
    steps(&mut h, 6);
    assert!(
        h.state().correcting.is_none(),
        "saving leaves the edit mode"
    );
    let after = stored(&h);
    assert!(!after.0.contains(crate::correct::CODED_PASSAGE));
    assert_eq!(after.1.len(), before.1.len(), "every coding kept, by id");
    // Ctrl+Z takes the correction back exactly; Ctrl+Shift+Z makes it again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 4);
    assert_eq!(stored(&h), before);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    steps(&mut h, 4);
    assert_eq!(stored(&h), after);
}

#[test]
fn a_lost_coding_is_placed_again_on_the_selection_after_a_review() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P01_interview",
            "--replace",
            crate::correct::CODED_PASSAGE,
            "",
            "--apply",
        ],
    )
    .success()
    .stdout_has("1 lost");
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label_contains("P01_interview").click();
    steps(&mut h, 3);
    // Words selected in the text, then the lost coding placed on them.
    let words = "I read the form twice.";
    let span = {
        let store = h.state().workspace().unwrap().store();
        let t = accord::app::resolve::transcript(store, "P01_interview").unwrap();
        accord::app::resolve::quote_span(&t, words).unwrap()
    };
    h.state_mut().state.selection = Some(span);
    steps(&mut h, 1);
    h.get_by_label("Lost codings (1)").click();
    steps(&mut h, 2);
    h.get_by_label_contains("Place on the selection").click();
    steps(&mut h, 4);
    assert!(
        h.query_by_label_contains("A lost coding placed again on the selected words")
            .is_some()
    );
    h.get_by_label("Save correction").click();
    steps(&mut h, 6);
    let store = h.state().workspace().unwrap().store();
    assert!(store.lost_codings().unwrap().is_empty(), "no longer lost");
    let t = accord::app::resolve::transcript(store, "P01_interview").unwrap();
    let live = store
        .codings(&accord::model::CodingFilter {
            transcripts: vec![t.transcript_id],
            ..accord::model::CodingFilter::default()
        })
        .unwrap();
    assert!(
        live.iter().any(|c| c.span == span),
        "live again on the words"
    );
}

#[test]
fn a_turns_time_stamp_is_fixed_in_the_edit_mode() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label_contains("P02_interview").click();
    steps(&mut h, 3);
    h.get_by_label("Correct text…").click();
    steps(&mut h, 2);
    {
        let view = h.state_mut().correcting.as_mut().expect("edit mode");
        view.retime = (3, "00:01:02.5".into(), "00:01:09".into());
    }
    steps(&mut h, 1);
    h.get_by_label("Review time").click();
    steps(&mut h, 4);
    assert!(h.query_by_label_contains("Turn 3's time:").is_some());
    h.get_by_label("Save correction").click();
    steps(&mut h, 6);
    let store = h.state().workspace().unwrap().store();
    let t = accord::app::resolve::transcript(store, "P02_interview").unwrap();
    assert_eq!(
        (t.turns[2].start_ms, t.turns[2].end_ms),
        (Some(62_500), Some(69_000))
    );
    // A time that cannot be read is said, and nothing is asked.
    h.get_by_label("Correct text…").click();
    steps(&mut h, 2);
    h.state_mut().correcting.as_mut().unwrap().retime = (3, "1:75".into(), String::new());
    steps(&mut h, 1);
    h.get_by_label("Review time").click();
    steps(&mut h, 2);
    assert!(h.query_by_label_contains("not a time stamp").is_some());
}

#[test]
fn a_correction_proposed_in_a_rater_file_is_reviewed_and_accepted_by_the_lead() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let file = d.join("maya.accord");
    let f = file.to_str().unwrap();
    accord(
        d,
        &[
            "rater-file",
            p,
            "--rater",
            "Maya Chen",
            "--transcripts",
            "P01_interview",
            "--out",
            f,
        ],
    )
    .success();

    // In the rater file: "Propose a correction…", the same review, then "Propose correction".
    let mut h = window(&file);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label_contains("P01_interview").click();
    steps(&mut h, 3);
    assert!(h.query_by_label("Correct text…").is_none());
    h.get_by_label("Propose a correction…").click();
    steps(&mut h, 2);
    assert!(
        h.query_by_label_contains("Proposing a correction of P01_interview")
            .is_some()
    );
    {
        let view = h.state_mut().correcting.as_mut().expect("edit mode");
        view.text = view
            .text
            .replacen("terrible first impression", "awful first impression", 1);
    }
    steps(&mut h, 1);
    h.get_by_label("Review changes").click();
    steps(&mut h, 4);
    assert!(h.query_by_label("Save correction").is_none());
    h.state_mut().correcting.as_mut().unwrap().note = "misheard".into();
    h.get_by_label("Propose correction").click();
    steps(&mut h, 6);
    assert!(h.state().correcting.is_none());
    let store = h.state().workspace().unwrap().store();
    let proposals = store.correction_proposals().unwrap();
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0].note, "misheard");
    assert!(
        crate::correct::state(store, "P01_interview")
            .0
            .contains("terrible first impression"),
        "the rater file's text is the lead's, unchanged"
    );
    drop(h);
    accord(d, &["merge", p, f])
        .success()
        .stdout_has("1 proposed correction");

    // The lead: the Team view lists it; "Review and accept…" opens the review in the edit mode.
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    let before = stored(&h);
    h.get_by_label("Team").click();
    steps(&mut h, 6);
    assert!(
        h.query_by_label_contains("Transcript corrections (1 open)")
            .is_some()
    );
    assert!(h.query_by_label_contains("“terrible” → “awful”").is_some());
    h.get_by_label("Review and accept…").click_accesskit();
    steps(&mut h, 6);
    assert!(h.query_by_label("What the correction does").is_some());
    h.get_by_label("Accept correction").click();
    steps(&mut h, 6);
    let after = stored(&h);
    assert!(after.0.contains("awful first impression"));
    assert_eq!(after.1.len(), before.1.len(), "every coding kept, by id");
    let store = h.state().workspace().unwrap().store();
    assert_eq!(store.correction_proposals().unwrap()[0].status, "accepted");
    // Ctrl+Z takes the correction and the decision back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 4);
    assert_eq!(stored(&h), before);
    let store = h.state().workspace().unwrap().store();
    assert_eq!(store.correction_proposals().unwrap()[0].status, "open");
}
