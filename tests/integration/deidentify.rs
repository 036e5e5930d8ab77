//! De-identification on the demo: the preview changes nothing; applying the list rewrites every
//! transcript that names someone (a new version), keeps every coding on the same words, and leaves
//! no byte of a real name anywhere in the project's folder (file, write-ahead log, backups; the
//! search index, whose files are compressed, is asked through its own search).
//! Later imports with the same list give the same pseudonyms, and a conflicting list is refused.

use std::collections::BTreeMap;
use std::path::Path;

use accord::Store;
use accord::import::pseudonyms::Pseudonyms;
use accord::model::CodingFilter;
use accord::model::text::slice_chars;

use crate::support::{accord, demo, snapshot};

const LIST: &str = "real,pseudonym\nDana Whitfield,Interviewer A\nCarol,Supervisor S1\nLena,Coach C1\nTanya,Staff T1\n";
const NAMES: [&str; 5] = ["dana", "whitfield", "carol", "lena", "tanya"];

/// Files whose raw bytes hold a name: every file of the project's folder but the search index's.
/// The index's files are compressed (doc store) or prefix-coded (term dictionary), so four letters
/// such as "dana" turn up in them by chance even when no text holds them (a check of fifteen rebuilt
/// indexes found "pana" in all fifteen, absent from every transcript); the index is checked through
/// its own reading instead ([`index_naming`]).
fn files_naming(dir: &Path) -> Vec<(String, String)> {
    crate::support::files_holding(dir, &NAMES)
        .into_iter()
        .filter(|(path, _)| !path.contains(".index"))
        .collect()
}

/// Names the search index still finds, in the text or as a speaker.
fn index_naming(dir: &Path, project: &Path) -> Vec<String> {
    let p = project.to_str().unwrap();
    NAMES
        .iter()
        .flat_map(|name| [name.to_string(), format!("speaker:{name}")])
        .filter(|q| {
            !accord(dir, &["search", p, q])
                .success()
                .stdout
                .contains("0 of 0")
        })
        .collect()
}

/// Each coding's id with the text it covers.
fn covered(store: &Store) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in store
        .codings(&CodingFilter {
            include_removed: true,
            ..CodingFilter::default()
        })
        .unwrap()
    {
        let t = store.transcript(c.transcript_id).unwrap();
        out.insert(
            c.coding_id.to_text(),
            slice_chars(&t.text, c.span.start, c.span.end).to_string(),
        );
    }
    out
}

/// Every adjudication record's extent, by id: the words it settles.
fn settled(store: &Store) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for a in store.adjudications(None).unwrap() {
        let t = store.transcript(a.transcript_id).unwrap();
        out.insert(
            a.adjudication_id.to_text(),
            slice_chars(&t.text, a.extent.start, a.extent.end).to_string(),
        );
    }
    out
}

#[test]
fn deidentifying_leaves_no_real_name_on_disk_and_keeps_every_coding() {
    let outer = tempfile::tempdir().unwrap();
    // The project alone in its own folder, so that every file there is the project's.
    let folder = outer.path().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let project = demo(&folder);
    let p = project.to_str().unwrap();
    let list_file = outer.path().join("names.csv");
    std::fs::write(&list_file, LIST).unwrap();
    let l = list_file.to_str().unwrap();
    // Names are in the text, the index and a backup before.
    accord(&folder, &["search", p, "Lena"]).success();
    // Settled passages: their records must keep their words too.
    accord(&folder, &["adjudicate", "agreements", p, "--overlap", "50"]).success();
    accord(&folder, &["backup", p]).success();
    // A correction keeps the text it replaced (names and all), and the words of codings it lost.
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
    assert!(!files_naming(&folder).is_empty());
    assert!(!index_naming(&folder, &project).is_empty());

    // The preview shows each name and changes nothing.
    let before = snapshot(&project);
    accord(outer.path(), &["deidentify", p, "--list", l])
        .success()
        .stdout_has("Lena -> Coach C1")
        .stdout_has("Nothing has changed");
    // (The preview remembers the project's salt, a setting; the text is untouched.)
    let store = Store::open(&project).unwrap();
    let old_text = covered(&store);
    let old_settled = settled(&store);
    assert!(!old_settled.is_empty());
    let old_hashes: Vec<String> = store
        .transcripts()
        .unwrap()
        .into_iter()
        .map(|t| t.sha256)
        .collect();
    drop(store);
    assert_ne!(before.0.len(), 0);
    // A rater file issued before de-identification (kept outside the project's folder).
    let issued = outer.path().join("maya.accord");
    let m = issued.to_str().unwrap();
    accord(
        outer.path(),
        &[
            "rater-file",
            p,
            "--rater",
            "Maya Chen",
            "--transcripts",
            "P01_interview",
            "--out",
            m,
        ],
    )
    .success();
    // A correction a rater proposed (a whole copy of a text, names and all), merged.
    crate::support::propose_through_rater_file(
        outer.path(),
        p,
        "P10_interview",
        (
            "Small thing. But she listened.",
            "A small thing. But she listened.",
        ),
    );

    accord(outer.path(), &["deidentify", p, "--list", l, "--apply"])
        .success()
        .stdout_has("de-identified");
    let found = files_naming(&folder);
    assert!(found.is_empty(), "real names remain on disk: {found:?}");
    let indexed = index_naming(&folder, &project);
    assert!(indexed.is_empty(), "the index still finds {indexed:?}");

    // Every coding is still there, on the same words (names replaced by their pseudonyms).
    let list = Pseudonyms::read_csv(&list_file).unwrap();
    let store = Store::open(&project).unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
    let new_text = covered(&store);
    assert_eq!(new_text.len(), old_text.len());
    for (id, old) in &old_text {
        assert_eq!(new_text[id], list.apply(old).text, "coding {id}");
    }
    let new_settled = settled(&store);
    for (id, old) in &old_settled {
        assert_eq!(
            new_settled[id],
            list.apply(old).text,
            "adjudication record {id}"
        );
    }
    let new_hashes: Vec<String> = store
        .transcripts()
        .unwrap()
        .into_iter()
        .map(|t| t.sha256)
        .collect();
    let versions = old_hashes
        .iter()
        .zip(&new_hashes)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        versions >= 3,
        "P01, P02 and P05 at least get a new version ({versions})"
    );
    drop(store);
    accord(&folder, &["search", p, "lena"])
        .success()
        .stdout_has("0 of 0");
    accord(&folder, &["search", p, "\"Coach C1\""])
        .success()
        .stdout_has("Coach C1");
    // It cannot be undone: the history is gone.
    accord(&folder, &["undo", p])
        .success()
        .stdout_has("nothing to undo");
    // The earlier rater file no longer fits, and the refusal says why it may not.
    accord(outer.path(), &["merge", p, m])
        .failure()
        .stdout_has("de-identified after the file was issued");

    // A transcript imported later with the same list gets the same pseudonyms; a list that gives a
    // name another pseudonym is refused, with nothing changed.
    let later = outer.path().join("P13_late.txt");
    std::fs::write(
        &later,
        "Interviewer: Did Lena call?\n\nP13: Lena and Carol both did.\n",
    )
    .unwrap();
    accord(
        outer.path(),
        &["import", p, later.to_str().unwrap(), "--pseudonyms", l],
    )
    .success();
    let store = Store::open(&project).unwrap();
    let t = store.find_transcript("P13_late").unwrap();
    let text = store.transcript(t.transcript_id).unwrap().text;
    assert_eq!(
        text,
        "Interviewer: Did Coach C1 call?\n\nP13: Coach C1 and Supervisor S1 both did.\n"
    );
    drop(store);
    let other = outer.path().join("other.csv");
    std::fs::write(&other, "Lena,Coach C2\n").unwrap();
    let before = snapshot(&project);
    accord(
        outer.path(),
        &[
            "deidentify",
            p,
            "--list",
            other.to_str().unwrap(),
            "--apply",
        ],
    )
    .failure()
    .stderr_has("already has the pseudonym");
    assert_eq!(snapshot(&project).0, before.0);
    assert!(files_naming(&folder).is_empty());
}
