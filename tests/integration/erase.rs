//! Erasing a withdrawn participant's transcript for good: the preview changes nothing; erasing takes
//! the text, turns, codings, memos and decisions out of the file, the search index and every backup
//! (no byte of the interview left in the project's folder), keeps every other transcript's codings,
//! and cannot be undone. A removed transcript's text, still in the file, is erased with `--removed`.

use std::path::Path;

use accord::Store;
use accord::app::erase::KILL_BEFORE_PURGE;
use accord::model::CodingFilter;

use crate::support::{accord, accord_with, demo, files_holding, snapshot};

/// Phrases only P01's interview holds (and P02's, for the removed-transcript case).
const P01: [&str; 3] = [
    "form reader",
    "go eat lunch now",
    "traveled into your own work",
];

fn codings_outside(store: &Store, name: &str) -> usize {
    let gone = store.find_transcript(name).map(|t| t.transcript_id).ok();
    store
        .codings(&CodingFilter {
            include_removed: true,
            ..CodingFilter::default()
        })
        .unwrap()
        .iter()
        .filter(|c| Some(c.transcript_id) != gone)
        .count()
}

#[test]
fn erasing_a_withdrawn_participant_leaves_no_byte_of_the_interview() {
    let outer = tempfile::tempdir().unwrap();
    let folder = outer.path().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let project = demo(&folder);
    let p = project.to_str().unwrap();
    // The interview is in the file, the index, a backup and settled decisions.
    accord(&folder, &["search", p, "\"form reader\""]).success();
    accord(&folder, &["backup", p]).success();
    accord(&folder, &["adjudicate", "agreements", p, "--overlap", "50"]).success();
    // ...and a correction: the text it replaced is kept, and the words of the codings it lost.
    accord(
        &folder,
        &[
            "transcripts",
            "edit",
            p,
            "P01_interview",
            "--replace",
            "That's a terrible first impression for a peer. ",
            "",
            "--apply",
        ],
    )
    .success()
    .stdout_has("text version 2");
    // ...and a correction a rater proposed (a whole copy of the text), merged.
    crate::support::propose_through_rater_file(
        outer.path(),
        p,
        "P01_interview",
        ("I read the form twice.", "I read the form three times."),
    );
    assert!(!files_holding(&folder, &P01).is_empty());
    let store = Store::open(&project).unwrap();
    let others = codings_outside(&store, "P01_interview");
    let transcripts = store.transcripts().unwrap().len();
    drop(store);

    // The preview names what would go and changes nothing.
    let before = snapshot(&project);
    accord(&folder, &["transcripts", "erase", p, "P01_interview"])
        .success()
        .stdout_has("would erase 1 transcript, 105 turns")
        .stdout_has("Nothing has changed");
    assert_eq!(snapshot(&project), before);
    accord(&folder, &["transcripts", "erase", p, "P99_nobody", "--yes"])
        .failure()
        .stderr_has("P99_nobody");
    assert_eq!(snapshot(&project), before);

    accord(
        &folder,
        &["transcripts", "erase", p, "P01_interview", "--yes"],
    )
    .success()
    .stdout_has("erased 1 transcript,");
    let left = files_holding(&folder, &P01);
    assert!(left.is_empty(), "the interview is still on disk: {left:?}");
    let store = Store::open(&project).unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
    assert_eq!(store.transcripts().unwrap().len(), transcripts - 1);
    assert!(store.find_transcript("P01_interview").is_err());
    assert!(
        store.cases().unwrap().iter().all(|c| c.name != "P01"),
        "its case went with it"
    );
    assert_eq!(
        codings_outside(&store, "P01_interview"),
        others,
        "every other transcript keeps its codings"
    );
    drop(store);
    accord(&folder, &["search", p, "\"form reader\""])
        .success()
        .stdout_has("0 of 0");
    accord(&folder, &["undo", p])
        .success()
        .stdout_has("nothing to undo");

    // A removed transcript's text stays in the file until it is erased.
    accord(&folder, &["transcripts", "remove", p, "P02_interview"]).success();
    let p02 = ["good to know, we'll get to that"];
    assert!(!files_holding(&folder, &p02).is_empty());
    accord(&folder, &["transcripts", "erase", p, "--removed", "--yes"])
        .success()
        .stdout_has("erased 1 transcript,");
    let left = files_holding(&folder, &p02);
    assert!(
        left.is_empty(),
        "the removed interview is still on disk: {left:?}"
    );
}

/// Runs `accord transcripts erase --yes` on one transcript and has it end, as a killed process
/// would, right after the erasing transaction committed and before the purge (a debug build asked
/// to through [`KILL_BEFORE_PURGE`]): the text is out of the file, the backups and the search
/// index still hold it, and the purge is pending.
pub fn erase_killed_before_the_purge(folder: &Path, project: &Path, transcript: &str) {
    let p = project.to_str().unwrap();
    let run = accord_with(
        folder,
        &["transcripts", "erase", p, transcript, "--yes"],
        &[(KILL_BEFORE_PURGE, "1")],
    )
    .failure();
    assert!(
        !run.stdout.contains("erased"),
        "the erase was not stopped before the purge:\n{}",
        run.stdout
    );
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "only a debug build stops an erase before its purge"
)]
fn an_erase_killed_before_the_backups_went_is_finished_on_the_next_open() {
    let outer = tempfile::tempdir().unwrap();
    let folder = outer.path().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let project = demo(&folder);
    let p = project.to_str().unwrap();
    accord(&folder, &["backup", p]).success();
    // What a process killed right after the erasing transaction leaves: the text is out of the file,
    // but a backup still holds it.
    erase_killed_before_the_purge(&folder, &project, "P01_interview");
    assert!(
        !files_holding(&folder, &P01).is_empty(),
        "the old backup holds it"
    );

    // Any command opening the project finishes the job first.
    accord(&folder, &["transcripts", "list", p])
        .success()
        .stderr_has("finished an interrupted erase");
    let left = files_holding(&folder, &P01);
    assert!(left.is_empty(), "the interview is still on disk: {left:?}");
    // And only once.
    let again = accord(&folder, &["transcripts", "list", p]).success();
    assert!(!again.stderr.contains("interrupted"), "{}", again.stderr);
}
