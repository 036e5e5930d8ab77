//! The undo history saved in project files: one snapshot of each command's saved JSON (a renamed
//! field or variant changes a snapshot, and would make every saved history unreadable), the
//! versions this Accord reads and refuses, and a project file written before the saved format had a
//! version (`tests/fixtures/undo-v0.accord`, made by `tests/fixtures/make-undo-fixture.sh`): every
//! step of it undoes and redoes.

use accord::app::saved::{SAVED_VERSION, from_json, to_json};
use accord::app::{
    CaseCommand, CodebookCommand, CodingCommand, Command, MemoCommand, ProjectCommand,
    RaterCommand, RoundCommand, SettingCommand, TeamCommand, TranscriptCommand, Workspace,
};
use accord::model::MemoTarget;
use serde_json::{Value, json};

use crate::support::root;

/// A value of any saved payload type, from its JSON (so the test names no type that may move).
fn de<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

const T1: &str = "00000000-0000-4000-8000-000000000001";
const R1: &str = "00000000-0000-4000-8000-000000000002";
const R2: &str = "00000000-0000-4000-8000-000000000003";
const C1: &str = "00000000-0000-4000-8000-000000000004";
const K1: &str = "00000000-0000-4000-8000-000000000005";
const M1: &str = "00000000-0000-4000-8000-000000000006";
const P1: &str = "00000000-0000-4000-8000-000000000007";
const A1: &str = "00000000-0000-4000-8000-000000000008";
const U1: &str = "00000000-0000-4000-8000-000000000009";
const S1: &str = "00000000-0000-4000-8000-00000000000a";
const AT: &str = "2026-01-02T03:04:05.006Z";

fn code() -> Value {
    json!({
        "code_id": K1, "name": "Role clarity", "parent_id": null, "colour": "#5B8FD0",
        "short_definition": "Knowing the role.", "definition": "", "when_to_use": "",
        "when_not_to_use": "", "example": "", "position": 0
    })
}

fn codebook() -> Value {
    json!({ "name": "Fixture", "description": "", "codes": [code()] })
}

fn new_coding() -> Value {
    json!({
        "coding_id": C1, "transcript_id": T1, "code_id": K1, "rater_id": R1,
        "span": { "start": 3, "end": 9 }, "memo": "why", "created_at": AT
    })
}

fn rater() -> Value {
    json!({ "rater_id": R1, "name": "ana", "kind": "human" })
}

fn correction() -> Value {
    json!({
        "transcript_id": T1, "from_sha256": "ab12",
        "text": "Interviewer: hi\n\nP01: hello",
        "turns": [
            { "turn_id": "00000000-0000-4000-8000-00000000000b", "index": 0,
              "span": { "start": 0, "end": 15 }, "content_start": 13,
              "speaker": "Interviewer", "role": "interviewer",
              "start_ms": null, "end_ms": null }
        ],
        "splices": [{ "start": 22, "end": 24, "new_len": 5 }],
        "codings": [[C1, { "start": 22, "end": 27 }]],
        "lose": [{ "coding_id": C1, "span": { "start": 3, "end": 9 }, "quote": "erview" }],
        "restore": [C1],
        "adjudications": [[A1, { "start": 3, "end": 9 }, [[R1, [{ "start": 3, "end": 9 }]]]]],
        "by": R1
    })
}

fn correction_proposal() -> Value {
    json!({
        "proposal_id": P1, "transcript_id": T1, "rater_id": R1, "from_sha256": "ab12",
        "text": "Interviewer: hi\n\nP01: hello", "note": "misheard", "created_at": AT,
        "status": "open", "decision_note": null
    })
}

fn proposal() -> Value {
    json!({
        "proposal_id": P1, "rater_id": R1, "base_version": 1, "proposed": code(),
        "note": "clearer", "created_at": AT, "status": "open", "decision_note": null
    })
}

fn edit() -> Value {
    json!({
        "codebook": codebook(), "add": [new_coding()], "remove": [C1], "restore": [],
        "by": R1, "action": "edit-codebook"
    })
}

fn rows() -> Value {
    json!([["P01", { "site": "A" }]])
}

/// One command of every kind, each with the name of its snapshot. The match makes a new command
/// fail to compile here until it has a snapshot.
fn every_command() -> Vec<(&'static str, Command)> {
    let all = vec![
        Command::Transcripts(TranscriptCommand::Import(de(json!({
            "transcript": {
                "transcript_id": T1, "name": "P01_short", "case_id": S1,
                "source_file": "P01_short.txt", "format": "txt",
                "text": "Interviewer: Hi\n\nP01: Hello",
                "sha256": "115e66f3a7122266b83787ac1b848c633095fc8e302a9dd459f704ed79361fe0",
                "len_chars": 27, "imported_at": AT,
                "turns": [
                    { "turn_id": "00000000-0000-4000-8000-00000000000b", "index": 0,
                      "span": { "start": 0, "end": 15 }, "content_start": 13,
                      "speaker": "Interviewer", "role": "interviewer",
                      "start_ms": null, "end_ms": null },
                    { "turn_id": "00000000-0000-4000-8000-00000000000c", "index": 1,
                      "span": { "start": 17, "end": 27 }, "content_start": 22,
                      "speaker": "P01", "role": "participant",
                      "start_ms": 1000, "end_ms": 2000 }
                ]
            },
            "case_name": "P01", "encoding": "Utf8", "path": "/data/P01_short.txt"
        })))),
        Command::Transcripts(TranscriptCommand::Remove(de(json!(T1)))),
        Command::Transcripts(TranscriptCommand::Restore(de(json!(T1)))),
        Command::Transcripts(TranscriptCommand::Correct(de(correction()))),
        Command::Team(TeamCommand::ProposeCorrection(de(correction_proposal()))),
        Command::Team(TeamCommand::AcceptCorrection {
            id: de(json!(P1)),
            note: "yes".into(),
            correction: de(correction()),
        }),
        Command::Team(TeamCommand::RejectCorrection {
            id: de(json!(P1)),
            note: "it was right".into(),
        }),
        Command::Team(TeamCommand::ReopenCorrection(de(json!(P1)))),
        Command::Team(TeamCommand::DeleteCorrectionProposal(de(json!(P1)))),
        Command::Team(TeamCommand::RestoreCorrectionProposal(de(
            correction_proposal(),
        ))),
        Command::Cases(CaseCommand::SetAttributes {
            rows: de(rows()),
            create_missing: true,
        }),
        Command::Cases(CaseCommand::ReplaceAttributes(de(rows()))),
        Command::Cases(CaseCommand::RemoveEmpty(vec!["P99".into()])),
        Command::Cases(CaseCommand::Import {
            case_id: de(json!(S1)),
            name: "P01".into(),
        }),
        Command::Codebook(CodebookCommand::Import {
            book: de(codebook()),
            note: "imported".into(),
        }),
        Command::Codings(CodingCommand::Add {
            codings: vec![de(new_coding())],
            action: "code".into(),
        }),
        Command::Codings(CodingCommand::Remove {
            ids: vec![de(json!(C1))],
            by: Some(de(json!(R1))),
        }),
        Command::Edit(de(edit())),
        Command::Memos(MemoCommand::Add {
            target: de(json!({ "kind": "coding", "id": C1 })),
            rater: Some(de(json!(R1))),
            text: "a memo".into(),
        }),
        Command::Memos(MemoCommand::Delete(de(json!(M1)))),
        Command::Memos(MemoCommand::Restore(de(json!({
            "memo_id": M1, "target": { "kind": "project" }, "rater_id": null,
            "text": "a memo", "created_at": AT
        })))),
        Command::Memos(MemoCommand::Restore(de(json!({
            "memo_id": M1,
            "target": { "kind": "passage", "id": { "transcript": T1, "span": { "start": 3, "end": 9 } } },
            "rater_id": R1, "text": "a passage memo", "created_at": AT
        })))),
        Command::Memos(MemoCommand::Restore(de(json!({
            "memo_id": M1, "target": { "kind": "case", "id": S1 },
            "rater_id": R1, "text": "a case memo", "created_at": AT
        })))),
        Command::Memos(MemoCommand::Restore(de(json!({
            "memo_id": M1, "target": { "kind": "cell", "id": { "case": S1, "code": K1 } },
            "rater_id": R1, "text": "a cell memo", "created_at": AT
        })))),
        Command::Memos(MemoCommand::FlagQuote(de(json!({
            "coding_id": C1, "label": "the turning point", "flagged_by": R1, "flagged_at": AT
        })))),
        Command::Memos(MemoCommand::UnflagQuote(de(json!(C1)))),
        Command::Memos(MemoCommand::WriteSummary(de(json!({
            "case_id": S1, "code_id": K1, "version": 2, "text": "She describes the role as new.",
            "cites": [C1], "written_by": R1, "written_at": AT
        })))),
        Command::Memos(MemoCommand::DeleteSummary(de(json!(S1)), de(json!(K1)), 2)),
        Command::Raters(RaterCommand::Add {
            name: "ana".into(),
            kind: de(json!("consensus")),
        }),
        Command::Raters(RaterCommand::Import(de(rater()))),
        Command::Raters(RaterCommand::Remove(de(json!(R1)))),
        Command::Raters(RaterCommand::Restore(de(rater()))),
        Command::Raters(RaterCommand::AddSecondPass {
            first: de(json!(R1)),
            name: "ana-again".into(),
        }),
        Command::Raters(RaterCommand::LinkPass {
            rater: de(json!(R2)),
            first: de(json!(R1)),
        }),
        Command::Team(TeamCommand::Settle(vec![(
            de(json!({
                "adjudication_id": A1, "transcript_id": T1, "code_id": K1,
                "extent": { "start": 3, "end": 9 },
                "rater_spans": [[R1, [{ "start": 3, "end": 9 }]], [R2, []]],
                "decision": { "kind": "take", "rater_id": R1 }, "note": "ana is right",
                "consensus_rater": R2, "codings": [C1], "decided_at": AT, "withdrawn_at": null
            })),
            vec![de(new_coding())],
        )])),
        Command::Team(TeamCommand::Withdraw(vec![de(json!(A1))])),
        Command::Team(TeamCommand::Reinstate(vec![de(json!(A1))])),
        Command::Team(TeamCommand::Propose(de(proposal()))),
        Command::Team(TeamCommand::AcceptProposal {
            id: de(json!(P1)),
            note: "yes".into(),
        }),
        Command::Team(TeamCommand::RejectProposal {
            id: de(json!(P1)),
            note: "not now".into(),
        }),
        Command::Team(TeamCommand::ReopenProposal(de(json!(P1)))),
        Command::Team(TeamCommand::DeleteProposal(de(json!(P1)))),
        Command::Team(TeamCommand::RestoreProposal(de(proposal()))),
        Command::Rounds(RoundCommand::Add(de(json!({
            "round_id": U1, "name": "Round 1", "codebook_version": 2, "unit": "turn",
            "created_at": AT, "computed_at": null, "transcripts": [T1], "raters": [R1, R2]
        })))),
        Command::Rounds(RoundCommand::Remove(de(json!(U1)))),
        Command::Rounds(RoundCommand::Compute(de(json!(U1)))),
        Command::Rounds(RoundCommand::SetRule {
            round: de(json!(U1)),
            rule: Some(de(json!({
                "statistic": "kappa", "lower_bound": 0.7, "set_at": AT
            }))),
        }),
        Command::Settings(SettingCommand::Set {
            key: "blind_mode".into(),
            value: Some("1".into()),
        }),
        Command::Settings(SettingCommand::Set {
            key: "blind_mode".into(),
            value: None,
        }),
    ];
    all.into_iter().map(|c| (snapshot_name(&c), c)).collect()
}

fn snapshot_name(command: &Command) -> &'static str {
    match command {
        Command::Transcripts(c) => match c {
            TranscriptCommand::Import(_) => "saved_import_transcript",
            TranscriptCommand::Remove(_) => "saved_remove_transcript",
            TranscriptCommand::Restore(_) => "saved_restore_transcript",
            TranscriptCommand::Correct(_) => "saved_correct_transcript",
        },
        Command::Cases(c) => match c {
            CaseCommand::SetAttributes { .. } => "saved_set_attributes",
            CaseCommand::ReplaceAttributes(_) => "saved_replace_attributes",
            CaseCommand::RemoveEmpty(_) => "saved_remove_cases",
            CaseCommand::Import { .. } => "saved_import_case",
        },
        Command::Codebook(CodebookCommand::Import { .. }) => "saved_import_codebook",
        Command::Codings(c) => match c {
            CodingCommand::Add { .. } => "saved_add_codings",
            CodingCommand::Remove { .. } => "saved_remove_codings",
        },
        Command::Edit(_) => "saved_edit",
        Command::Memos(c) => match c {
            MemoCommand::Add { .. } => "saved_add_memo",
            MemoCommand::Delete(_) => "saved_delete_memo",
            MemoCommand::Restore(m) => match m.target {
                MemoTarget::Passage { .. } => "saved_restore_passage_memo",
                MemoTarget::Cell { .. } => "saved_restore_cell_memo",
                MemoTarget::Case(_) => "saved_restore_case_memo",
                _ => "saved_restore_memo",
            },
            MemoCommand::FlagQuote(_) => "saved_flag_quote",
            MemoCommand::UnflagQuote(_) => "saved_unflag_quote",
            MemoCommand::WriteSummary(_) => "saved_write_summary",
            MemoCommand::DeleteSummary(..) => "saved_delete_summary",
        },
        Command::Raters(c) => match c {
            RaterCommand::Add { .. } => "saved_add_rater",
            RaterCommand::Import(_) => "saved_import_rater",
            RaterCommand::Remove(_) => "saved_remove_rater",
            RaterCommand::Restore(_) => "saved_restore_rater",
            RaterCommand::AddSecondPass { .. } => "saved_add_second_pass",
            RaterCommand::LinkPass { .. } => "saved_link_pass",
        },
        Command::Team(c) => match c {
            TeamCommand::Settle(_) => "saved_settle",
            TeamCommand::Withdraw(_) => "saved_withdraw",
            TeamCommand::Reinstate(_) => "saved_reinstate",
            TeamCommand::Propose(_) => "saved_propose",
            TeamCommand::AcceptProposal { .. } => "saved_accept_proposal",
            TeamCommand::RejectProposal { .. } => "saved_reject_proposal",
            TeamCommand::ReopenProposal(_) => "saved_reopen_proposal",
            TeamCommand::DeleteProposal(_) => "saved_delete_proposal",
            TeamCommand::RestoreProposal(_) => "saved_restore_proposal",
            TeamCommand::ProposeCorrection(_) => "saved_propose_correction",
            TeamCommand::AcceptCorrection { .. } => "saved_accept_correction",
            TeamCommand::RejectCorrection { .. } => "saved_reject_correction",
            TeamCommand::ReopenCorrection(_) => "saved_reopen_correction",
            TeamCommand::DeleteCorrectionProposal(_) => "saved_delete_correction_proposal",
            TeamCommand::RestoreCorrectionProposal(_) => "saved_restore_correction_proposal",
        },
        Command::Rounds(c) => match c {
            RoundCommand::Add(_) => "saved_add_round",
            RoundCommand::Remove(_) => "saved_remove_round",
            RoundCommand::Compute(_) => "saved_compute_round",
            RoundCommand::SetRule { .. } => "saved_set_round_rule",
        },
        Command::Settings(SettingCommand::Set { value: Some(_), .. }) => "saved_set_setting",
        Command::Settings(SettingCommand::Set { value: None, .. }) => "saved_clear_setting",
        // Never part of an undo step (see `a_whole_file_command_is_never_saved`).
        Command::Project(_) => "never_saved",
    }
}

#[test]
fn every_command_keeps_its_saved_json() {
    let all = every_command();
    let mut names: Vec<_> = all.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "one snapshot per command");
    for (name, command) in all {
        let saved: Value = serde_json::from_str(&to_json(&[command]).unwrap()).unwrap();
        insta::assert_json_snapshot!(name, saved);
    }
}

#[test]
fn saved_commands_read_back_as_they_were_written() {
    for (name, command) in every_command() {
        let once = to_json(&[command]).unwrap();
        let again = to_json(&from_json(&once).unwrap()).unwrap();
        assert_eq!(once, again, "{name}");
    }
}

#[test]
fn a_step_is_written_with_its_version() {
    let (_, command) = every_command().swap_remove(1);
    let saved: Value = serde_json::from_str(&to_json(&[command]).unwrap()).unwrap();
    assert_eq!(saved["version"], json!(SAVED_VERSION));
    assert_eq!(saved["commands"][0], json!({ "RemoveTranscript": T1 }));
}

#[test]
fn a_whole_file_command_is_never_saved() {
    let erase = Command::Project(ProjectCommand::Erase(vec![de(json!(T1))]));
    let err = to_json(&[erase]).unwrap_err().to_string();
    assert!(err.contains("never kept as an undo step"), "{err}");
}

#[test]
fn a_step_written_before_the_version_still_reads() {
    let bare = format!(r#"[{{"RemoveTranscript":"{T1}"}},{{"DeleteMemo":"{M1}"}}]"#);
    let commands = from_json(&bare).unwrap();
    assert!(matches!(
        commands.as_slice(),
        [
            Command::Transcripts(TranscriptCommand::Remove(_)),
            Command::Memos(MemoCommand::Delete(_))
        ]
    ));
    let versioned = format!(r#"{{"version":2,"commands":{bare}}}"#);
    assert_eq!(
        to_json(&from_json(&versioned).unwrap()).unwrap(),
        to_json(&commands).unwrap()
    );
}

#[test]
fn a_step_from_a_newer_accord_is_refused_clearly() {
    let newer = format!(
        r#"{{"version":{},"commands":[{{"Teleport":1}}]}}"#,
        SAVED_VERSION + 1
    );
    let err = from_json(&newer).unwrap_err().to_string();
    assert!(
        err.contains("this undo step was written by a newer Accord"),
        "{err}"
    );
    for broken in ["", "{", "42", r#"{"commands":[]}"#, r#"[{"Teleport":1}]"#] {
        let err = from_json(broken).unwrap_err().to_string();
        assert!(
            err.contains("a kept undo step cannot be read"),
            "{broken}: {err}"
        );
    }
}

/// What undo and redo must bring back, read from the project.
fn state(ws: &Workspace) -> Vec<String> {
    let s = ws.store();
    let mut codings = s.codings(&accord::model::CodingFilter::default()).unwrap();
    codings.sort_by_key(|c| c.coding_id.to_text());
    let cases: Vec<_> = s
        .cases()
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.attributes))
        .collect();
    let rounds: Vec<_> = s
        .rounds()
        .unwrap()
        .into_iter()
        .map(|r| (r.round_id, r.name, r.unit, r.transcripts, r.raters))
        .collect();
    let settled: Vec<_> = s
        .adjudications(None)
        .unwrap()
        .into_iter()
        .filter(|a| a.withdrawn_at.is_none())
        .collect();
    vec![
        format!("{:?}", s.codebook().unwrap()),
        format!("{codings:?}"),
        format!("{:?}", s.all_memos().unwrap()),
        format!("{:?}", s.raters().unwrap()),
        format!("{cases:?}"),
        format!("{:?}", s.transcripts().unwrap()),
        format!("{:?}", s.proposals().unwrap()),
        format!("{settled:?}"),
        format!("{rounds:?}"),
    ]
}

#[test]
fn a_project_written_before_the_version_undoes_and_redoes_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("undo-v0.accord");
    std::fs::copy(root().join("tests/fixtures/undo-v0.accord"), &file).unwrap();
    let mut ws = Workspace::open(&file).unwrap();
    let steps = ws.store().steps().unwrap();
    assert!(steps.len() >= 20, "the fixture keeps its steps");
    assert!(
        steps.iter().all(|s| s.done && s.undo.starts_with('[')),
        "written before the version"
    );
    let full = state(&ws);

    // Every step undoes, back to the raters who coded: removing a rater with work (even removed
    // work) is refused, as it always was.
    let mut undone = Vec::new();
    let refused = loop {
        match ws.undo() {
            Ok(Some(label)) => undone.push(label),
            Ok(None) => panic!("the raters who coded were removed"),
            Err(e) => break e.to_string(),
        }
    };
    assert!(
        refused.contains("a rater with work is never removed"),
        "{refused}"
    );
    assert_eq!(ws.undo_label(), Some("Add rater consensus"));
    assert_eq!(undone.len(), steps.len() - 3);
    assert_eq!(
        undone.last().map(String::as_str),
        Some("Add rater ana-again")
    );
    let names: Vec<_> = ws
        .store()
        .raters()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.iter().any(|n| n == "ana-again"));
    let s = ws.store();
    assert!(s.codebook().unwrap().codes.is_empty());
    assert!(
        s.codings(&accord::model::CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    // A memo written with a coding stays with it when the coding is undone (removed).
    assert!(
        s.all_memos()
            .unwrap()
            .iter()
            .all(|m| matches!(m.target, accord::model::MemoTarget::Coding(_)))
    );
    assert!(s.transcripts().unwrap().is_empty());
    assert!(s.proposals().unwrap().is_empty());
    assert!(s.rounds().unwrap().is_empty());
    assert!(
        s.cases()
            .unwrap()
            .iter()
            .all(|c| c.name != "P99" && c.attributes.is_empty())
    );
    assert!(
        s.adjudications(None)
            .unwrap()
            .iter()
            .all(|a| a.withdrawn_at.is_some())
    );

    let mut redone = Vec::new();
    while let Some(label) = ws.redo().unwrap() {
        redone.push(label);
    }
    undone.reverse();
    assert_eq!(redone, undone);
    for (i, (after, before)) in state(&ws).iter().zip(&full).enumerate() {
        assert_eq!(after, before, "part {i} of the state");
    }
    // The old steps are still there, all in effect again, and undo again.
    assert_eq!(ws.store().steps().unwrap().len(), steps.len());
    assert!(ws.store().steps().unwrap().iter().all(|s| s.done));
    assert_eq!(
        ws.undo().unwrap().as_deref(),
        Some(undone[undone.len() - 1].as_str())
    );
}

#[test]
fn a_new_step_in_an_old_project_is_written_with_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("undo-v0.accord");
    std::fs::copy(root().join("tests/fixtures/undo-v0.accord"), &file).unwrap();
    let mut ws = Workspace::open(&file).unwrap();
    ws.apply(
        "Blind mode",
        Command::Settings(SettingCommand::Set {
            key: accord::model::BLIND_MODE.into(),
            value: Some("1".into()),
        }),
    )
    .unwrap();
    let step = ws.store().last_done_step().unwrap().unwrap();
    let saved: Value = serde_json::from_str(&step.undo).unwrap();
    assert_eq!(saved["version"], json!(SAVED_VERSION));
    assert_eq!(ws.undo().unwrap().as_deref(), Some("Blind mode"));
    // And the steps before it, written without a version, still undo.
    assert!(ws.undo().unwrap().is_some());
}
