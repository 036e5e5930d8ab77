//! Full-text search on the samples: every query form and filter, accents, phrases across punctuation,
//! hits at the very start and end of a transcript, an index rebuilt after it is deleted or damaged, and
//! index and store agreeing after import, coding and removal.

use std::path::Path;

use accord::app::TranscriptCommand;
use accord::app::{Command, Workspace};
use accord::import::{ImportOptions, read_transcript};
use accord::model::text;
use accord::search::sync::index_dir;
use accord::search::{ProjectIndex, ResultOrder, SearchOptions, SearchResults};
use accord::store::Store;

use crate::support::{accord, demo, samples};

fn search(store: &Store, query: &str) -> SearchResults {
    let (index, _) = ProjectIndex::open(store).unwrap();
    let book = store.codebook().unwrap();
    index
        .search(
            query,
            &book,
            &SearchOptions {
                limit: 500,
                order: ResultOrder::TranscriptOrder,
                ..SearchOptions::default()
            },
        )
        .unwrap()
}

/// The matched text of every hit span.
fn matched(store: &Store, results: &SearchResults) -> Vec<String> {
    results
        .hits
        .iter()
        .flat_map(|h| {
            let t = store.transcript(h.transcript_id.parse().unwrap()).unwrap();
            h.spans
                .iter()
                .map(move |s| text::slice_chars(&t.text, s.start, s.end).to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn query_forms_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&demo(dir.path())).unwrap();
    let supervisor = search(&store, "supervisor");
    assert!(supervisor.total > 30);
    assert!(
        matched(&store, &supervisor)
            .iter()
            .all(|m| m == "supervisor")
    );
    // Exact phrase, matched as one span, across case and punctuation after it.
    let phrase = search(&store, "\"my supervisor\"");
    assert!(
        phrase.total >= 5
            && matched(&store, &phrase)
                .iter()
                .all(|m| m == "my supervisor")
    );
    // Boolean logic, parentheses and NOT.
    let both = search(&store, "supervisor AND coach");
    let either = search(&store, "supervisor OR coach");
    let not = search(&store, "supervisor NOT coach");
    assert!(both.total < supervisor.total && either.total > supervisor.total);
    assert_eq!(both.total + not.total, supervisor.total);
    assert_eq!(
        search(&store, "(supervisor OR manager) AND role:interviewer")
            .hits
            .iter()
            .filter(|h| h.role != "interviewer")
            .count(),
        0
    );
    // Prefix, fuzzy and proximity.
    assert!(
        matched(&store, &search(&store, "burn*"))
            .iter()
            .any(|m| m == "burnout")
    );
    assert!(
        matched(&store, &search(&store, "burn*"))
            .iter()
            .all(|m| m.starts_with("burn"))
    );
    assert!(
        matched(&store, &search(&store, "supervsior~1"))
            .iter()
            .any(|m| m == "supervisor")
    );
    let near = search(&store, "\"my job\"~2");
    let exact = search(&store, "\"my job\"");
    assert!(
        near.total > exact.total && exact.total > 0,
        "{} vs {}",
        near.total,
        exact.total
    );
    assert!(
        search(&store, "\"supervisor understand\"~4").total
            > search(&store, "\"supervisor understand\"").total
    );
    // Filters: speaker, role, transcript, case, attribute, code, rater.
    assert!(
        search(&store, "coaching speaker:P07")
            .hits
            .iter()
            .all(|h| h.speaker == "P07")
    );
    assert!(
        search(&store, "coaching role:participant")
            .hits
            .iter()
            .all(|h| h.role == "participant")
    );
    let p05 = store
        .find_transcript("P05_interview")
        .unwrap()
        .transcript_id
        .to_text();
    assert!(
        search(&store, &format!("coaching transcript:{p05}"))
            .hits
            .iter()
            .all(|h| h.transcript_id == p05)
    );
    let site_b: Vec<String> = ["P02_interview", "P06_interview", "P10_interview"]
        .iter()
        .map(|n| store.find_transcript(n).unwrap().transcript_id.to_text())
        .collect();
    let in_b = search(&store, "drive site:B");
    assert!(in_b.total > 0 && in_b.hits.iter().all(|h| site_b.contains(&h.transcript_id)));
    assert!(
        search(&store, "coaching case:p07")
            .hits
            .iter()
            .all(|h| h.speaker == "P07" || h.role == "interviewer")
    );
    let coded = search(&store, "code:\"Peerness\"");
    let by_jordan = search(&store, "code:Peerness rater:\"Jordan Ellis\"");
    assert!(coded.total > 10 && by_jordan.total > 0 && by_jordan.total <= coded.total);
}

#[test]
fn accents_start_and_end() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&demo(dir.path())).unwrap();
    for (query, word) in [
        ("naive", "naïve"),
        ("cafe", "café"),
        ("resume", "résumé"),
        ("ines", "inés"),
        ("Naïve", "naïve"),
    ] {
        assert!(
            matched(&store, &search(&store, query))
                .iter()
                .any(|m| m == word),
            "{query} should find {word}"
        );
    }
    let p10 = store
        .transcript(
            store
                .find_transcript("P10_interview")
                .unwrap()
                .transcript_id,
        )
        .unwrap();
    let first_word: String = p10
        .text
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    let hits = search(
        &store,
        &format!("{first_word} transcript:{}", p10.transcript_id),
    );
    assert!(
        hits.hits
            .iter()
            .any(|h| h.spans.iter().any(|s| s.start == 0)),
        "a hit at the very first character"
    );
    let trimmed = p10.text.trim_end_matches(|c: char| !c.is_alphanumeric());
    let last_word: String = trimmed
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let end = trimmed.chars().count();
    let hits = search(
        &store,
        &format!("{last_word} transcript:{}", p10.transcript_id),
    );
    assert!(
        hits.hits
            .iter()
            .any(|h| h.spans.iter().any(|s| s.end == end)),
        "a hit ending at the last word ({last_word})"
    );
}

#[test]
fn the_index_rebuilds_itself_and_follows_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let idx = index_dir(&project);
    accord(dir.path(), &["search", p, "supervisor"]).success();
    assert!(idx.join("accord-index.json").exists());
    let before = accord(dir.path(), &["search", p, "supervisor", "--json"])
        .success()
        .stdout;
    // Deleted: rebuilt, same answer.
    std::fs::remove_dir_all(&idx).unwrap();
    assert_eq!(
        accord(dir.path(), &["search", p, "supervisor", "--json"])
            .success()
            .stdout,
        before
    );
    // Truncated segment files (of both the turn and the passage index): detected by their
    // checksums and rebuilt.
    let mut truncated = 0;
    for sub in ["turns", "passages"] {
        for entry in std::fs::read_dir(idx.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| e == "idx" || e == "pos" || e == "store")
            {
                let bytes = std::fs::read(&path).unwrap();
                std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
                truncated += 1;
            }
        }
    }
    assert!(truncated >= 4, "segment files of both indexes were cut");
    assert_eq!(
        accord(dir.path(), &["search", p, "supervisor", "--json"])
            .success()
            .stdout,
        before
    );
    // A garbage sidecar: rebuilt.
    std::fs::write(idx.join("accord-index.json"), "{not json").unwrap();
    assert_eq!(
        accord(dir.path(), &["search", p, "supervisor", "--json"])
            .success()
            .stdout,
        before
    );
    accord(dir.path(), &["reindex", p])
        .success()
        .stdout_has("12 transcripts");

    // Import: the new transcript is searchable at once.
    let extra = dir.path().join("P13_extra.txt");
    std::fs::write(
        &extra,
        "Interviewer: Anything else?\n\nP13: Zyzzyva is my favourite word. A quokka smiles.\n",
    )
    .unwrap();
    accord(dir.path(), &["import", p, extra.to_str().unwrap()]).success();
    let store = Store::open(&project).unwrap();
    let (index, report) = ProjectIndex::open(&store).unwrap();
    assert_eq!(report.indexed, 0, "the import already updated the index");
    assert_eq!(index.num_transcripts(), 13);
    assert_eq!(search(&store, "zyzzyva").total, 1);
    // Coding: the code filter sees it.
    accord(dir.path(), &["rater", "add", p, "Sam"]).success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P13_extra",
            "-c",
            "Suggestions for CAPP",
            "-r",
            "Sam",
            "--quote",
            "Zyzzyva",
        ],
    )
    .success();
    assert_eq!(
        search(&store, "code:\"Suggestions for CAPP\" rater:Sam").total,
        1
    );
    // A code filter finds the coded words only, not the rest of the turn; a rater filter with it
    // means that rater's codings with that code.
    let coded = search(&store, "code:\"Suggestions for CAPP\" zyzzyva");
    assert_eq!(matched(&store, &coded), ["zyzzyva"]);
    assert_eq!(coded.hits[0].raters, ["Sam"]);
    assert_eq!(
        search(&store, "code:\"Suggestions for CAPP\" quokka").total,
        0
    );
    assert_eq!(search(&store, "quokka").total, 1);
    accord(dir.path(), &["rater", "add", p, "Lee"]).success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P13_extra",
            "-c",
            "Peerness",
            "-r",
            "Lee",
            "--quote",
            "quokka",
        ],
    )
    .success();
    assert_eq!(search(&store, "code:Peerness quokka").total, 1);
    assert_eq!(search(&store, "rater:Lee zyzzyva").total, 0);
    assert_eq!(
        search(&store, "code:\"Suggestions for CAPP\" rater:Lee").total,
        0,
        "Lee coded this turn, but not with that code"
    );
    // Removal: gone from search, and the index agrees with the store.
    accord(dir.path(), &["transcripts", "remove", p, "P13_extra"])
        .success()
        .stdout_has("before-remove-transcript");
    assert_eq!(search(&store, "zyzzyva").total, 0);
    let (index, _) = ProjectIndex::open(&store).unwrap();
    assert_eq!(index.num_transcripts(), store.transcripts().unwrap().len());
    let turns: usize = store
        .transcripts()
        .unwrap()
        .iter()
        .map(|t| t.turn_count)
        .sum();
    assert!(index.num_turns() as usize <= turns && index.num_turns() as usize >= turns - 12);
}

#[test]
fn search_and_code_is_one_change_at_each_scope() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["rater", "add", p, "Ana"]).success();
    let audit_before = Store::open(&project).unwrap().audit_log().unwrap().len();
    accord(
        dir.path(),
        &[
            "search",
            p,
            "\"my supervisor\"",
            "--code",
            "Supervisor support",
            "--rater",
            "Ana",
            "--scope",
            "hit",
            "--limit",
            "5",
        ],
    )
    .success()
    .stdout_has("coded 5 of 5 hits");
    let store = Store::open(&project).unwrap();
    assert_eq!(
        store.audit_log().unwrap().len(),
        audit_before + 1,
        "one change"
    );
    let ana = store.find_rater("Ana").unwrap().rater_id;
    let codings = store
        .codings(&accord::model::CodingFilter {
            raters: vec![ana],
            ..Default::default()
        })
        .unwrap();
    for c in &codings {
        let t = store.transcript(c.transcript_id).unwrap();
        assert_eq!(
            text::slice_chars(&t.text, c.span.start, c.span.end).to_lowercase(),
            "my supervisor"
        );
    }
    accord(
        dir.path(),
        &[
            "search",
            p,
            "zyzzyva OR \"my supervisor\"",
            "--code",
            "Supervisor support",
            "--rater",
            "Ana",
            "--scope",
            "sentence",
            "--hits",
            "1",
        ],
    )
    .success()
    .stdout_has("coded 1 of 1");
    accord(
        dir.path(),
        &[
            "search",
            p,
            "\"my supervisor\"",
            "--code",
            "Supervisor support",
            "--rater",
            "Ana",
            "--scope",
            "turn",
            "--hits",
            "2",
        ],
    )
    .success()
    .stdout_has("coded 1 of 1");
    let store = Store::open(&project).unwrap();
    let all = store
        .codings(&accord::model::CodingFilter {
            raters: vec![ana],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 7);
    let longest = all.iter().map(|c| c.span.len()).max().unwrap();
    assert!(
        longest > "my supervisor".len() * 3,
        "the turn scope codes the whole turn"
    );
    accord(dir.path(), &["search", p, "\"my supervisor", "--json"])
        .failure()
        .stderr_has("column 1");
    let _ = samples();
    let _ = Path::new("");
}

#[test]
fn an_index_prepared_on_a_worker_catches_up_with_changes_made_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    std::fs::remove_dir_all(index_dir(&project)).ok();
    let mut ws = Workspace::open(&project).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    assert!(ws.prepare_index(move || tx.send(()).unwrap()));
    // A transcript imported while the index is being rebuilt on the worker.
    let extra = dir.path().join("P13_extra.txt");
    std::fs::write(
        &extra,
        "Interviewer: Anything else?\n\nP13: Zyzzyva is my favourite word.\n",
    )
    .unwrap();
    let imported = read_transcript(&extra, &ImportOptions::default()).unwrap();
    ws.apply(
        "Import P13",
        Command::Transcripts(TranscriptCommand::Import(Box::new(imported))),
    )
    .unwrap();
    rx.recv_timeout(std::time::Duration::from_mins(2))
        .expect("the worker finished");
    assert!(!ws.index_preparing(), "ready, and taken into use");
    let opts = SearchOptions::default();
    assert_eq!(ws.search("zyzzyva", &opts).unwrap().total, 1);
    let store = Store::open(&project).unwrap();
    assert_eq!(
        ws.search("supervisor", &opts).unwrap().total,
        search(&store, "supervisor").total
    );
    // An in-memory project has no second connection: its index is built at the first search.
    let mut memory = Workspace::new(Store::open_in_memory("m").unwrap());
    assert!(!memory.prepare_index(|| ()));
    assert!(!memory.index_preparing());
}
