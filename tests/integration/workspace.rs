//! The workspace the window works through: every change undoable and redoable, exactly (same ids),
//! merges and codebook edits as one change each, and refusals that change nothing.

use accord::app::{
    CodebookCommand, CodingCommand, MemoCommand, RaterCommand, SettingCommand, TranscriptCommand,
};
use accord::app::{Command, Workspace};
use accord::model::{
    BLIND_MODE, CodeLookup, CodingFilter, CodingId, Edit, MemoTarget, NewCoding, RaterKind, Span,
};
use accord::store::Store;

use crate::support::demo;

fn code_id(ws: &Workspace, name: &str) -> accord::model::CodeId {
    match ws.store().codebook().unwrap().lookup(name) {
        CodeLookup::Found(c) => c.code_id,
        other => panic!("{name}: {other:?}"),
    }
}

fn live(ws: &Workspace, code: accord::model::CodeId) -> Vec<accord::Coding> {
    ws.store()
        .codings(&CodingFilter {
            codes: vec![code],
            ..CodingFilter::default()
        })
        .unwrap()
}

#[test]
fn merging_two_codes_is_one_change_and_undo_restores_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&demo(dir.path())).unwrap();
    let (from, into) = (code_id(&ws, "Peerness"), code_id(&ws, "Own recovery"));
    let before_book = ws.store().codebook().unwrap();
    let (moving, staying) = (live(&ws, from), live(&ws, into));
    assert!(!moving.is_empty());
    let edit = accord::app::codes::merge_codes(ws.store(), from, into, None).unwrap();
    ws.apply("Merge", Command::Edit(Box::new(edit))).unwrap();
    assert!(ws.store().codebook().unwrap().get(from).is_none());
    assert!(live(&ws, from).is_empty());
    assert_eq!(live(&ws, into).len(), moving.len() + staying.len());
    assert_eq!(ws.undo_label(), Some("Merge"));

    ws.undo().unwrap();
    assert_eq!(ws.store().codebook().unwrap(), before_book);
    let back: Vec<CodingId> = live(&ws, from).iter().map(|c| c.coding_id).collect();
    assert_eq!(
        back,
        moving.iter().map(|c| c.coding_id).collect::<Vec<_>>(),
        "the same codings, not copies"
    );
    assert_eq!(live(&ws, into).len(), staying.len());

    ws.redo().unwrap();
    assert!(ws.store().codebook().unwrap().get(from).is_none());
    assert_eq!(live(&ws, into).len(), moving.len() + staying.len());
}

#[test]
fn deleting_a_code_in_use_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut ws = Workspace::open(&project).unwrap();
    let peerness = code_id(&ws, "Peerness");
    let mut book = ws.store().codebook().unwrap();
    book.codes.retain(|c| c.code_id != peerness);
    let bytes = std::fs::read(&project).unwrap();
    let undo_before = ws.undo_label().map(str::to_string);
    let err = ws
        .apply(
            "Delete",
            Command::Edit(Box::new(Edit {
                codebook: Some(book),
                action: "delete-code".into(),
                ..Edit::default()
            })),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("merge it into another code"),
        "{err}"
    );
    assert_eq!(
        ws.undo_label().map(str::to_string),
        undo_before,
        "no undo step for a refused change"
    );
    assert_eq!(
        std::fs::read(&project).unwrap(),
        bytes,
        "the file is unchanged"
    );
}

#[test]
fn settings_memos_raters_codebook_imports_and_transcripts_undo_and_redo() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&demo(dir.path())).unwrap();
    ws.apply(
        "Blind on",
        Command::Settings(SettingCommand::Set {
            key: BLIND_MODE.into(),
            value: Some("on".into()),
        }),
    )
    .unwrap();
    assert!(ws.store().blind_mode().unwrap());
    ws.undo().unwrap();
    assert!(!ws.store().blind_mode().unwrap());
    ws.redo().unwrap();
    assert!(ws.store().blind_mode().unwrap());

    ws.apply(
        "Memo",
        Command::Memos(MemoCommand::Add {
            target: MemoTarget::Project,
            rater: None,
            text: "note".into(),
        }),
    )
    .unwrap();
    let memo = ws.store().memos(MemoTarget::Project).unwrap()[0].clone();
    ws.undo().unwrap();
    assert!(ws.store().memos(MemoTarget::Project).unwrap().is_empty());
    ws.redo().unwrap();
    assert_eq!(ws.store().memos(MemoTarget::Project).unwrap(), vec![memo]);

    ws.apply(
        "Rater",
        Command::Raters(RaterCommand::Add {
            name: "Third".into(),
            kind: RaterKind::Human,
        }),
    )
    .unwrap();
    let third = ws.store().find_rater("Third").unwrap();
    ws.undo().unwrap();
    assert!(ws.store().find_rater("Third").is_err());
    ws.redo().unwrap();
    assert_eq!(
        ws.store().find_rater("Third").unwrap(),
        third,
        "same id back"
    );

    let mut book = ws.store().codebook().unwrap();
    let before = book.clone();
    book.codes[0].definition.push_str(" Revised.");
    ws.apply(
        "Import codebook",
        Command::Codebook(CodebookCommand::Import {
            book: book.clone(),
            note: "r2".into(),
        }),
    )
    .unwrap();
    ws.undo().unwrap();
    assert_eq!(ws.store().codebook().unwrap(), before);

    let t = ws.store().transcripts().unwrap()[0].clone();
    ws.apply(
        "Remove",
        Command::Transcripts(TranscriptCommand::Remove(t.transcript_id)),
    )
    .unwrap();
    assert!(ws.store().find_transcript(&t.name).is_err());
    ws.undo().unwrap();
    assert_eq!(
        ws.store().find_transcript(&t.name).unwrap().transcript_id,
        t.transcript_id
    );

    // A new change clears the redo list, as in every editor.
    ws.apply(
        "Blind off",
        Command::Settings(SettingCommand::Set {
            key: BLIND_MODE.into(),
            value: None,
        }),
    )
    .unwrap();
    assert!(ws.redo_label().is_none());
    let _ = Store::open_in_memory("x").unwrap();
}

#[test]
fn undo_survives_reopening_the_file_only_as_stored_state() {
    // Every change is saved at once: what was applied is in the file when it is opened again.
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut ws = Workspace::open(&project).unwrap();
    let t = ws.store().transcripts().unwrap()[0].transcript_id;
    let maya = ws.store().find_rater("Maya Chen").unwrap().rater_id;
    let code = code_id(&ws, "Peerness");
    let coding = NewCoding {
        coding_id: CodingId::new_random(),
        transcript_id: t,
        code_id: code,
        rater_id: maya,
        span: Span::new(3, 30),
        memo: None,
        created_at: None,
    };
    let id = coding.coding_id;
    ws.apply(
        "Code",
        Command::Codings(CodingCommand::Add {
            codings: vec![coding],
            action: "code".into(),
        }),
    )
    .unwrap();
    drop(ws);
    let store = Store::open(&project).unwrap();
    assert!(
        store
            .codings(&CodingFilter::default())
            .unwrap()
            .iter()
            .any(|c| c.coding_id == id)
    );
}
