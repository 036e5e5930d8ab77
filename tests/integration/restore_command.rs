//! Restoring a backup as a command on an open project (`ProjectCommand::Restore` through
//! `Workspace::apply`, what `accord restore` runs when the project opens): the backup's content
//! comes back, the workspace goes on with the restored project (its counts, its search index), the
//! project as it was is kept in a before-restore backup, and another Accord holding the project
//! makes the command refuse with nothing changed.

use std::fs::File;
use std::path::{Path, PathBuf};

use accord::app::project_file::list_backups;
use accord::app::{Command, Outcome, ProjectCommand, RaterCommand, TranscriptCommand, Workspace};
use accord::import::{ImportOptions, read_transcript};
use accord::model::RaterKind;
use accord::search::SearchOptions;
use accord::store::Store;

use crate::support::{accord, demo, snapshot};

fn restore(backup: &Path) -> Command {
    Command::Project(ProjectCommand::Restore {
        backup: backup.to_path_buf(),
    })
}

/// The project's backup taken by hand (`accord backup`), the newest one.
fn backup_by_hand(dir: &Path, project: &Path) -> PathBuf {
    accord(dir, &["backup", project.to_str().unwrap()]).success();
    list_backups(project).unwrap().last().unwrap().path.clone()
}

/// Changes made after the backup: a transcript removed, a rater added, a transcript imported.
fn change_after_backup(dir: &Path, ws: &mut Workspace) {
    let p01 = ws
        .store()
        .find_transcript("P01_interview")
        .unwrap()
        .transcript_id;
    ws.apply(
        "Remove P01",
        Command::Transcripts(TranscriptCommand::Remove(p01)),
    )
    .unwrap();
    ws.apply(
        "Add a rater",
        Command::Raters(RaterCommand::Add {
            name: "Added after the backup".into(),
            kind: RaterKind::Human,
        }),
    )
    .unwrap();
    let extra = dir.join("P13_extra.txt");
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
}

#[test]
fn restoring_through_the_workspace_puts_the_backup_back_and_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let backup = backup_by_hand(dir.path(), &project);
    let mut ws = Workspace::open(&project).unwrap();
    let transcripts = ws.store().transcripts().unwrap().len();
    let raters = ws.store().raters().unwrap().len();
    change_after_backup(dir.path(), &mut ws);
    assert_eq!(ws.store().transcripts().unwrap().len(), transcripts);
    assert_eq!(ws.store().raters().unwrap().len(), raters + 1);
    let opts = SearchOptions::default();
    assert_eq!(ws.search("zyzzyva", &opts).unwrap().total, 1);
    assert!(ws.undo_label().is_some());
    let revision = ws.revision();
    let backups = list_backups(&project).unwrap().len();

    let outcome = ws.apply("Restore", restore(&backup)).unwrap();
    let Outcome::Restored { from, kept } = outcome else {
        panic!("not restored: {outcome:?}");
    };
    assert_eq!(from, backup);
    assert!(ws.revision() > revision, "views know to re-read");

    // The workspace reads the restored project.
    let store = ws.store();
    assert_eq!(store.transcripts().unwrap().len(), transcripts);
    assert!(store.find_transcript("P01_interview").is_ok());
    assert!(store.find_transcript("P13_extra").is_err());
    assert_eq!(store.raters().unwrap().len(), raters);
    assert!(store.integrity_check().unwrap().is_empty());
    assert_eq!(ws.search("zyzzyva", &opts).unwrap().total, 0);
    assert_ne!(
        ws.undo_label(),
        Some("Import P13"),
        "the backup's history, not the one before the restore"
    );
    // And it goes on working on it: changes land in the restored file.
    ws.apply(
        "Add a rater",
        Command::Raters(RaterCommand::Add {
            name: "Added after the restore".into(),
            kind: RaterKind::Human,
        }),
    )
    .unwrap();
    drop(ws);
    let reopened = Store::open(&project).unwrap();
    assert_eq!(reopened.raters().unwrap().len(), raters + 1);
    assert!(reopened.find_transcript("P13_extra").is_err());
    drop(reopened);

    // The project as it was is kept in a before-restore backup (the way back: not an undo step).
    let kept = kept.expect("the project as it was is backed up first");
    assert!(kept.exists());
    let all = list_backups(&project).unwrap();
    assert_eq!(all.len(), backups + 1);
    assert!(
        all.iter()
            .any(|b| b.path == kept && b.reason.starts_with("before-restore")),
        "{all:?}"
    );
    let before = Store::open(&kept).unwrap();
    assert!(before.find_transcript("P13_extra").is_ok());
    assert_eq!(before.raters().unwrap().len(), raters + 1);
}

#[test]
fn restoring_through_the_workspace_is_refused_while_another_accord_holds_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let backup = backup_by_hand(dir.path(), &project);
    let mut ws = Workspace::open(&project).unwrap();
    change_after_backup(dir.path(), &mut ws);
    let transcripts = ws.store().transcripts().unwrap().len();
    let raters = ws.store().raters().unwrap().len();
    let backups = list_backups(&project).unwrap();

    // What another Accord process holds: the project's lock file, shared, through its own open
    // file (a lock of this process's own handle would not count).
    let mut name = project.file_name().unwrap().to_os_string();
    name.push(".lock");
    let other = File::open(project.with_file_name(name)).unwrap();
    other.lock_shared().unwrap();
    let before = snapshot(&project);
    let e = ws.apply("Restore", restore(&backup)).unwrap_err();
    assert!(
        e.to_string()
            .contains("the project is open in another Accord: close it first"),
        "{e}"
    );
    assert_eq!(snapshot(&project), before, "nothing changed");
    assert_eq!(list_backups(&project).unwrap(), backups, "no backup taken");
    assert_eq!(ws.store().transcripts().unwrap().len(), transcripts);
    assert_eq!(ws.store().raters().unwrap().len(), raters);
    assert!(ws.store().find_transcript("P13_extra").is_ok());

    // Once the other lets go, the same command goes ahead.
    other.unlock().unwrap();
    drop(other);
    let Outcome::Restored { kept, .. } = ws.apply("Restore", restore(&backup)).unwrap() else {
        panic!("not restored");
    };
    assert!(kept.is_some_and(|k| k.exists()));
    assert!(ws.store().find_transcript("P13_extra").is_err());
}

#[test]
fn accord_restore_still_restores_a_project_too_damaged_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["backup", p]).success();
    std::fs::write(&project, b"garbage, not a database at all").unwrap();
    accord(dir.path(), &["restore", p])
        .success()
        .stdout_has("the project as it was is kept in -");
    let store = Store::open(&project).unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
    assert!(store.find_transcript("P01_interview").is_ok());
}
