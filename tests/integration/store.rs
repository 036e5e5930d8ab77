//! The store's promises: a failed import or a refused change leaves the project file byte for byte as
//! it was; codings are never rewritten; the text is frozen.

use std::path::Path;

use accord::app::TranscriptCommand;
use accord::app::{CodebookCommand, CodingCommand, RaterCommand};
use accord::app::{Command, Outcome, Workspace, resolve};
use accord::import::{ImportOptions, codings_csv, read_transcript};
use accord::model::{CodingFilter, CodingId, NewCoding, RaterKind, Span};
use accord::store::Store;

use crate::support::{accord, demo, snapshot};

#[test]
fn a_failed_import_leaves_the_project_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let before = snapshot(&project);
    let broken = dir.path().join("P13_broken.docx");
    std::fs::write(&broken, b"PK\x03\x04 this zip stops here").unwrap();
    let empty = dir.path().join("P14.txt");
    std::fs::write(&empty, b"").unwrap();
    let run = accord(
        dir.path(),
        &[
            "import",
            project.to_str().unwrap(),
            broken.to_str().unwrap(),
            empty.to_str().unwrap(),
        ],
    )
    .failure();
    assert!(
        run.stderr.contains("P13_broken.docx") && run.stderr.contains("P14.txt"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("0 imported, 0 skipped, 2 failed"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&project), before);
    let store = Store::open(&project).unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn a_batch_goes_on_past_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.accord");
    Store::create(&project, "p").unwrap();
    let good = dir.path().join("P01.txt");
    std::fs::write(&good, "Interviewer: Hello.\n\nP01: Hi.\n").unwrap();
    let bad = dir.path().join("P02.vtt");
    std::fs::write(&bad, "not a vtt file").unwrap();
    let also_good = dir.path().join("P03.txt");
    std::fs::write(&also_good, "Interviewer: Hello again.\n\nP03: Hi.\n").unwrap();
    let p = project.to_str().unwrap();
    let run = accord(
        dir.path(),
        &[
            "import",
            p,
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            also_good.to_str().unwrap(),
        ],
    )
    .failure();
    assert!(
        run.stdout.contains("2 imported, 0 skipped, 1 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("P02.vtt") && run.stderr.contains("WEBVTT"),
        "{}",
        run.stderr
    );
    assert_eq!(
        Store::open(&project).unwrap().transcripts().unwrap().len(),
        2
    );
}

#[test]
fn a_codings_file_with_one_bad_row_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let before = snapshot(&project);
    let file = dir.path().join("codings.csv");
    std::fs::write(
        &file,
        "transcript,rater,code,start,end\nP01_interview,Maya Chen,Peerness,10,20\nP01_interview,Maya Chen,No such code,10,20\n",
    )
    .unwrap();
    let run = accord(
        dir.path(),
        &[
            "codings",
            "import",
            project.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    )
    .failure();
    assert!(
        run.stderr.contains("codings.csv:3") && run.stderr.contains("No such code"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&project), before);
}

#[test]
fn codings_are_tombstoned_never_rewritten_and_text_is_frozen() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("P01.txt");
    std::fs::write(
        &file,
        "Interviewer: How was coaching?\n\nP01: It helped me say no.\n",
    )
    .unwrap();
    let mut ws = Workspace::new(Store::open_in_memory("t").unwrap());
    let imported = read_transcript(&file, &ImportOptions::default()).unwrap();
    let transcript_id = imported.transcript.transcript_id;
    apply(
        &mut ws,
        Command::Transcripts(TranscriptCommand::Import(Box::new(imported))),
    )
    .unwrap();
    let book =
        accord::import::codebook_toml::parse("[codebook]\nname='b'\n[[codes]]\nname='Coping'\n")
            .unwrap();
    let code_id = book.codes[0].code_id;
    apply(
        &mut ws,
        Command::Codebook(CodebookCommand::Import {
            book,
            note: "b".into(),
        }),
    )
    .unwrap();
    let Outcome::Rater(rater) = apply(
        &mut ws,
        Command::Raters(RaterCommand::Add {
            name: "Ana".into(),
            kind: RaterKind::Human,
        }),
    )
    .unwrap() else {
        panic!("a rater")
    };
    let coding = NewCoding {
        coding_id: CodingId::new_random(),
        transcript_id,
        code_id,
        rater_id: rater.rater_id,
        span: Span::new(40, 56),
        memo: Some("first pass".into()),
        created_at: None,
    };
    assert_eq!(add_codings(&mut ws, &coding).len(), 1);
    assert!(
        add_codings(&mut ws, &coding).is_empty(),
        "same id twice is a no-op"
    );
    assert_eq!(
        remove_codings(&mut ws, coding.coding_id, Some(rater.rater_id)),
        1
    );
    assert_eq!(remove_codings(&mut ws, coding.coding_id, None), 0);
    assert!(
        ws.store()
            .codings(&CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    let all = ws
        .store()
        .codings(&CodingFilter {
            include_removed: true,
            ..CodingFilter::default()
        })
        .unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].removed_at.is_some());
    let actions: Vec<String> = ws
        .store()
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(actions.contains(&"code".to_string()) && actions.contains(&"uncode".to_string()));
    let text = ws.store().transcript(transcript_id).unwrap().text;
    assert_eq!(
        accord::model::text::slice_chars(&text, 40, 56),
        "helped me say no"
    );
}

#[test]
fn quote_anchors_must_be_unique() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let store = Store::open(&project).unwrap();
    let file = Path::new("x.csv");
    let rows = codings_csv::parse_codings(
        file,
        b"transcript,rater,code,quote,memo\nP01_interview,Maya Chen,Peerness,the,\n",
    )
    .unwrap();
    let err = resolve::coding_rows(&store, file, &rows)
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.csv:2") && err.contains("times"), "{err}");
}

/// Adds one coding through the application's command; the ids added.
fn add_codings(ws: &mut Workspace, coding: &NewCoding) -> Vec<CodingId> {
    let command = Command::Codings(CodingCommand::Add {
        codings: vec![coding.clone()],
        action: "code".into(),
    });
    let Outcome::CodingsAdded(ids) = apply(ws, command).unwrap() else {
        panic!("codings added")
    };
    ids
}

/// Removes one coding through the application's command; how many were removed.
fn remove_codings(ws: &mut Workspace, id: CodingId, by: Option<accord::model::RaterId>) -> usize {
    let command = Command::Codings(CodingCommand::Remove { ids: vec![id], by });
    let Outcome::CodingsRemoved(n) = apply(ws, command).unwrap() else {
        panic!("codings removed")
    };
    n
}

/// Carries out a command through the project's one handle (an undoable change).
fn apply(ws: &mut Workspace, command: Command) -> accord::app::Result<Outcome> {
    ws.apply("A change", command)
}
