//! Encrypting a plain project as a command on the open project (`ProjectCommand::Encrypt` through
//! `Workspace::apply`, what `accord encrypt` runs): the file becomes an encrypted one, the same
//! workspace goes on with it (search in memory, changes, its undo steps kept), its plaintext
//! backups and index on disk are gone, and nothing beside it holds a transcript's words.

use accord::app::project_file::list_backups;
use accord::app::{Command, Outcome, Passphrase, ProjectCommand, RaterCommand, Workspace};
use accord::model::RaterKind;
use accord::search::SearchOptions;
use accord::store::{Store, StoreError};

use crate::support::{accord, demo, files_holding};

const KEY: &str = "correct horse battery staple";

/// Long words of the demo's transcripts (short ones turn up in ciphertext by chance).
const WORDS: [&str; 5] = [
    "orphan paperwork",
    "Riverbend",
    "paperwork",
    "supervisor",
    "Interviewer",
];

fn encrypt() -> Command {
    Command::Project(ProjectCommand::Encrypt(Passphrase::new(KEY)))
}

fn add_rater(name: &str) -> Command {
    Command::Raters(RaterCommand::Add {
        name: name.into(),
        kind: RaterKind::Human,
    })
}

#[test]
fn encrypting_through_the_workspace_goes_on_with_the_encrypted_project() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("study");
    std::fs::create_dir_all(&d).unwrap();
    let project = demo(&d);
    // Plaintext beside it: a backup and a search index on disk.
    accord(&d, &["backup", project.to_str().unwrap()]).success();
    let mut ws = Workspace::open(&project).unwrap();
    let opts = SearchOptions::default();
    let hits = ws.search("\"orphan paperwork\"", &opts).unwrap().total;
    assert!(hits > 0);
    assert!(accord::search::sync::index_dir(&project).exists());
    ws.apply("Add Before", add_rater("Before")).unwrap();
    let undo = ws.undo_label().map(str::to_owned);
    assert!(undo.is_some());
    let transcripts = ws.store().transcripts().unwrap().len();
    let revision = ws.revision();

    let Outcome::Encrypted(done) = ws.apply("Encrypt", encrypt()).unwrap() else {
        panic!("an encryption outcome")
    };
    assert!(done.tables > 0 && done.rows > 0);
    assert!(done.backups_deleted >= 1, "{done:?}");
    let backup = done.backup.clone().unwrap();
    assert!(backup.exists());
    assert!(done.index_deleted);
    assert_eq!(done.index_left, None);
    assert!(ws.revision() > revision);

    // The same workspace works on the encrypted file: its contents, its undo step, a search (in
    // memory), a change, undoing it.
    assert!(ws.store().is_encrypted());
    assert_eq!(ws.store().transcripts().unwrap().len(), transcripts);
    assert_eq!(
        ws.undo_label().map(str::to_owned),
        undo,
        "the steps are kept"
    );
    assert_eq!(
        ws.search("\"orphan paperwork\"", &opts).unwrap().total,
        hits
    );
    ws.apply("Add After", add_rater("After")).unwrap();
    assert!(
        ws.store()
            .raters()
            .unwrap()
            .iter()
            .any(|r| r.name == "After")
    );
    assert_eq!(ws.undo().unwrap().as_deref(), Some("Add After"));
    ws.apply("Add After", add_rater("After")).unwrap();
    drop(ws);

    // On disk: encrypted, one encrypted backup, no index, no transcript word anywhere.
    assert!(matches!(
        Store::open(&project),
        Err(StoreError::Encrypted(_))
    ));
    let store = Store::open_encrypted(&project, &Passphrase::new(KEY)).unwrap();
    let names: Vec<String> = store
        .raters()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(names.iter().any(|n| n == "Before") && names.iter().any(|n| n == "After"));
    assert!(store.integrity_check().unwrap().is_empty());
    drop(store);
    let backups = list_backups(&project).unwrap();
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].path, backup);
    assert!(matches!(
        Store::open(&backup),
        Err(StoreError::Encrypted(_))
    ));
    assert!(!accord::search::sync::index_dir(&project).exists());
    let found = files_holding(&d, &WORDS);
    assert!(found.is_empty(), "plaintext on disk: {found:?}");
}

#[test]
fn encrypting_an_encrypted_project_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut ws = Workspace::open(&project).unwrap();
    ws.apply("Encrypt", encrypt()).unwrap();
    let backups = list_backups(&project).unwrap();
    let bytes = std::fs::read(&project).unwrap();
    let again = ws.apply("Encrypt", encrypt()).unwrap_err().to_string();
    assert!(again.contains("already encrypted"), "{again}");
    assert_eq!(list_backups(&project).unwrap(), backups);
    assert_eq!(std::fs::read(&project).unwrap(), bytes);
    // The workspace still works on the encrypted project.
    ws.apply("Add a rater", add_rater("Still here")).unwrap();
    assert!(ws.store().is_encrypted());
}
