//! Importing many files (`app::import_files`, what `accord import` and the window run): the files
//! are committed in groups, yet each is its own undoable change and one that fails is rolled back
//! alone; a stop keeps what was stored; and the search index is built alongside, so the project is
//! searchable when the import ends (on disk only for a plain project).

use std::path::{Path, PathBuf};

use accord::app::{FileOutcome, ImportWatch, Quietly, Workspace, import_files};
use accord::import::ImportOptions;
use accord::search::ProjectIndex;
use accord::store::Store;

use crate::support::{accord, samples};

fn sample(name: &str) -> PathBuf {
    samples().join("transcripts").join(name)
}

fn kind(outcome: &FileOutcome) -> &'static str {
    match outcome {
        FileOutcome::Imported(_) => "imported",
        FileOutcome::Skipped { .. } => "skipped",
        FileOutcome::Failed { .. } => "failed",
    }
}

/// Records what the import tells, stops before file `stop_at`, and builds the index alongside.
struct Watch {
    stop_at: usize,
    told: Vec<(usize, usize, &'static str)>,
    alongside: bool,
}

impl ImportWatch for Watch {
    fn reading(&mut self, i: usize, _: usize, _: &Path) -> bool {
        i < self.stop_at
    }
    fn outcome(&mut self, i: usize, n: usize, outcome: &FileOutcome) {
        self.told.push((i, n, kind(outcome)));
    }
    fn index_alongside(&self) -> bool {
        self.alongside
    }
}

#[test]
fn a_grouped_import_keeps_each_file_its_own_change_and_a_failure_rolls_back_alone() {
    let dir = tempfile::tempdir().unwrap();
    // The same name as P01 with other words: refused by the store, inside the group.
    let clash = dir.path().join("again");
    std::fs::create_dir_all(&clash).unwrap();
    std::fs::write(
        clash.join("P01_interview.txt"),
        "Interviewer: Hello?\n\nP01: Other words entirely.\n",
    )
    .unwrap();
    let unreadable = dir.path().join("broken.txt");
    std::fs::write(&unreadable, b"Interviewer: \xff\xfe\x00 bad\n").unwrap();
    let files = vec![
        sample("P01_interview.txt"),
        sample("P02_interview.vtt"),
        clash.join("P01_interview.txt"),
        unreadable,
        sample("P01_interview.txt"),
        sample("P04_interview.txt"),
    ];
    let project = dir.path().join("p.accord");
    let mut ws = Workspace::new(Store::create(&project, "p").unwrap());
    let outcomes = import_files(&mut ws, &files, &ImportOptions::default(), &mut Quietly);
    let kinds: Vec<&str> = outcomes.iter().map(kind).collect();
    assert_eq!(
        kinds,
        [
            "imported", "imported", "failed", "failed", "skipped", "imported"
        ]
    );
    let FileOutcome::Failed { error, .. } = &outcomes[2] else {
        unreachable!()
    };
    assert!(error.contains("P01_interview"), "{error}");
    drop(ws);

    // Committed: another connection sees the three, and each is its own undo step.
    let mut ws = Workspace::open(&project).unwrap();
    let names = |ws: &Workspace| -> Vec<String> {
        ws.store()
            .transcripts()
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    assert_eq!(
        names(&ws),
        ["P01_interview", "P02_interview", "P04_interview"]
    );
    assert_eq!(ws.undo().unwrap().as_deref(), Some("Import P04_interview"));
    assert_eq!(names(&ws), ["P01_interview", "P02_interview"]);
    assert_eq!(ws.undo().unwrap().as_deref(), Some("Import P02_interview"));
    assert_eq!(names(&ws), ["P01_interview"]);
}

#[test]
fn a_stopped_import_keeps_and_tells_what_it_stored() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.accord");
    let files = [
        sample("P01_interview.txt"),
        sample("P02_interview.vtt"),
        sample("P04_interview.txt"),
        sample("P07_interview.txt"),
    ];
    let mut ws = Workspace::new(Store::create(&project, "p").unwrap());
    let mut watch = Watch {
        stop_at: 2,
        told: Vec::new(),
        alongside: false,
    };
    let outcomes = import_files(&mut ws, &files, &ImportOptions::default(), &mut watch);
    assert_eq!(outcomes.len(), 2);
    assert_eq!(watch.told, [(0, 4, "imported"), (1, 4, "imported")]);
    drop(ws);
    assert_eq!(
        Store::open(&project).unwrap().transcripts().unwrap().len(),
        2
    );
}

#[test]
fn an_import_leaves_the_project_searchable_with_its_index_built_alongside() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.accord");
    let p = project.to_str().unwrap();
    accord(dir.path(), &["new", p]).success();
    assert!(!accord::search::sync::index_dir(&project).exists());
    let folder = samples().join("transcripts");
    accord(dir.path(), &["import", p, folder.to_str().unwrap()]).success();
    let store = Store::open(&project).unwrap();
    let transcripts = store.transcripts().unwrap().len();
    assert!(transcripts >= 10);
    let (index, report) = ProjectIndex::open(&store).unwrap();
    assert_eq!(report.rebuilt, None, "the import built the index");
    assert_eq!(report.indexed, 0, "and brought it up to date");
    assert_eq!(index.num_transcripts(), transcripts);
}

#[test]
fn an_encrypted_projects_index_built_alongside_stays_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("secret.accord");
    let key = accord::app::Passphrase::new("correct horse battery staple");
    let mut ws = Workspace::create_encrypted(&project, "Secret", &key).unwrap();
    let mut watch = Watch {
        stop_at: usize::MAX,
        told: Vec::new(),
        alongside: true,
    };
    let files = [sample("P01_interview.txt"), sample("P04_interview.txt")];
    let outcomes = import_files(&mut ws, &files, &ImportOptions::default(), &mut watch);
    assert_eq!(outcomes.len(), 2);
    let hits = ws
        .search("supervisor", &accord::search::SearchOptions::default())
        .unwrap();
    assert!(hits.total > 0);
    assert!(
        !accord::search::sync::index_dir(&project).exists(),
        "no plaintext index beside an encrypted project"
    );
}

#[test]
fn an_index_following_an_import_of_many_groups_holds_every_file_once_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("many");
    std::fs::create_dir_all(&folder).unwrap();
    // More files than a group holds (64), so the index follows several groups.
    let files: Vec<PathBuf> = (0..150)
        .map(|i| {
            let path = folder.join(format!("T{i:03}.txt"));
            std::fs::write(
                &path,
                format!("Interviewer: How was week {i}?\n\nP{i}: Busy, word{i} and quokka.\n"),
            )
            .unwrap();
            path
        })
        .collect();
    let project = dir.path().join("p.accord");
    let mut ws = Workspace::new(Store::create(&project, "p").unwrap());
    let mut watch = Watch {
        stop_at: usize::MAX,
        told: Vec::new(),
        alongside: true,
    };
    let outcomes = import_files(&mut ws, &files, &ImportOptions::default(), &mut watch);
    assert!(outcomes.iter().all(|o| kind(o) == "imported"));
    assert_eq!(watch.told.len(), 150);
    let opts = accord::search::SearchOptions::default();
    assert_eq!(ws.search("quokka", &opts).unwrap().total, 150);
    assert_eq!(ws.search("word149", &opts).unwrap().total, 1);
    drop(ws);
    // Committed on disk, with its sidecar: another process finds nothing to index.
    let store = Store::open(&project).unwrap();
    let (index, report) = ProjectIndex::open(&store).unwrap();
    assert_eq!((report.rebuilt, report.indexed), (None, 0));
    assert_eq!(index.num_transcripts(), 150);
}
