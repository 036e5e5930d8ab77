//! Encryption at rest: a project made with `accord new --encrypt` leaves no plaintext of its
//! transcripts in any file of its folder (the project, its write-ahead log, its backups, its rater
//! files; its search index stays in memory), and a wrong passphrase is a clear error that changes
//! nothing.

use std::path::Path;

use accord::Store;
use accord::store::Passphrase;

use crate::support::{accord_with, files_holding, root, samples, snapshot};

const KEY: &str = "correct horse battery staple";

fn run(dir: &Path, args: &[&str]) -> crate::support::Run {
    accord_with(dir, args, &[("ACCORD_PASSPHRASE", KEY)])
}

#[test]
fn an_encrypted_project_leaves_no_transcript_text_on_disk() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("study");
    std::fs::create_dir_all(&dir).unwrap();
    let project = dir.join("secret.accord");
    let p = project.to_str().unwrap();
    run(&dir, &["new", p, "--encrypt"])
        .success()
        .stdout_has("encrypted");
    assert_ne!(&std::fs::read(&project).unwrap()[..15], b"SQLite format 3");
    let book = root().join("codebooks/capp-phase3.toml");
    run(&dir, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let p01 = samples().join("transcripts/P01_interview.txt");
    run(&dir, &["import", p, p01.to_str().unwrap()]).success();
    run(&dir, &["rater", "add", p, "Ana"]).success();
    run(
        &dir,
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Ana",
            "--turns",
            "5",
        ],
    )
    .success();
    run(&dir, &["search", p, "\"orphan paperwork\""])
        .success()
        .stdout_has("orphan paperwork");
    run(&dir, &["backup", p]).success();
    let rater_file = dir.join("ana.accord");
    run(
        &dir,
        &[
            "rater-file",
            p,
            "--rater",
            "Ana",
            "--transcripts",
            "P01_interview",
            "--out",
            rater_file.to_str().unwrap(),
        ],
    )
    .success();
    run(
        &dir,
        &[
            "code",
            rater_file.to_str().unwrap(),
            "-t",
            "P01_interview",
            "-c",
            "Burnout",
            "-r",
            "Ana",
            "--turns",
            "7",
        ],
    )
    .success();
    run(&dir, &["merge", p, rater_file.to_str().unwrap()])
        .success()
        .stdout_has("— 1 coding,");
    // Long words only: ciphertext holds a given four letters (in any case) by chance once in about
    // 270 megabytes, which a folder of several megabytes meets in a run or two in a hundred.
    let words = [
        "orphan paperwork",
        "Riverbend",
        "paperwork",
        "supervisor",
        "form reader",
        "Interviewer",
    ];
    let found = files_holding(&dir, &words);
    assert!(found.is_empty(), "plaintext on disk: {found:?}");
    assert!(
        !accord::search::sync::index_dir(&project).exists(),
        "no index on disk"
    );
    // The library opens it with the passphrase only.
    assert!(matches!(
        Store::open(&project),
        Err(accord::store::StoreError::Encrypted(_))
    ));
    let store = Store::open_encrypted(&project, &Passphrase::new(KEY)).unwrap();
    assert_eq!(store.transcripts().unwrap().len(), 1);
    assert!(store.integrity_check().unwrap().is_empty());
    drop(store);

    // A wrong passphrase: a clear error, and not a byte changes.
    let before = snapshot(&project);
    accord_with(
        &dir,
        &["transcripts", "list", p],
        &[("ACCORD_PASSPHRASE", "wrong passphrase")],
    )
    .failure()
    .stderr_has("passphrase does not open");
    accord_with(
        &dir,
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Ana",
            "--turns",
            "9",
        ],
        &[("ACCORD_PASSPHRASE", "nope")],
    )
    .failure();
    assert_eq!(snapshot(&project), before);
    // No passphrase at all (and no terminal to ask on).
    accord_with(&dir, &["transcripts", "list", p], &[])
        .failure()
        .stderr_has("encrypted");
    // A backup restores with the passphrase.
    run(&dir, &["restore", p]).success().stdout_has("restored");
    run(&dir, &["transcripts", "list", p])
        .success()
        .stdout_has("P01_interview");
    // Too short a passphrase for a new project is refused.
    accord_with(
        &dir,
        &[
            "new",
            dir.join("weak.accord").to_str().unwrap(),
            "--encrypt",
        ],
        &[("ACCORD_PASSPHRASE", "short")],
    )
    .failure()
    .stderr_has("at least 8");
}
