//! The project lock and the purges under attack, with real `accord` processes as the reliability
//! report ran them (D2, D6, D7, D8, D9, D16, D18 and the backup name race): a restore while another
//! Accord has the project open is refused and loses nothing; a purge that another program keeps
//! from finishing says so and stays pending; the leftovers of killed copies and backups reached
//! through another path are purged; copies keep the project's permission bits; rotation keeps the
//! backups people rely on; a full disk during an erase says what happened and what is needed.

use std::fmt::Write as _;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use accord::Store;

use crate::support::{Mount, accord, accord_with, demo, files_holding, snapshot};

/// Phrases only P01's interview holds.
const P01: [&str; 2] = ["form reader", "traveled into your own work"];

fn lock_file(project: &Path) -> PathBuf {
    let mut name = project.file_name().unwrap().to_os_string();
    name.push(".lock");
    project.with_file_name(name)
}

fn transcript_count(project: &Path) -> usize {
    Store::open(project).unwrap().transcripts().unwrap().len()
}

fn pending(project: &Path) -> Option<String> {
    Store::open(project)
        .unwrap()
        .setting(accord::model::PURGE_PENDING)
        .unwrap()
}

#[test]
fn restore_is_refused_while_another_accord_has_the_project_open() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["backup", p]).success();
    // This test process is the other Accord: it has the project open, as the window would.
    let held = Store::open(&project).unwrap();
    let before = snapshot(&project);
    accord(dir.path(), &["restore", p, "1"])
        .failure()
        .stderr_has("the project is open in another Accord: close it first");
    assert_eq!(snapshot(&project), before, "nothing changed");
    // What the holder writes afterwards lands in the project, not in a replaced file.
    let mut held = accord::app::Workspace::new(held);
    held.apply(
        "Add rater Written after the refused restore",
        accord::app::Command::Raters(accord::app::RaterCommand::Add {
            name: "Written after the refused restore".into(),
            kind: accord::model::RaterKind::Human,
        }),
    )
    .unwrap();
    drop(held);
    let store = Store::open(&project).unwrap();
    assert!(
        store
            .raters()
            .unwrap()
            .iter()
            .any(|r| r.name == "Written after the refused restore")
    );
    drop(store);
    // The erase and de-identification purges are refused the same way, before any change.
    let held = Store::open(&project).unwrap();
    accord(
        dir.path(),
        &["transcripts", "erase", p, "P01_interview", "--yes"],
    )
    .failure()
    .stderr_has("open in another Accord");
    let list = dir.path().join("names.csv");
    std::fs::write(&list, "real,pseudonym\nCarol,Supervisor S1\n").unwrap();
    accord(
        dir.path(),
        &["deidentify", p, "--list", list.to_str().unwrap(), "--apply"],
    )
    .failure()
    .stderr_has("open in another Accord");
    // Encrypting in place replaces the file too: refused the same way, the file left plain.
    let plain = snapshot(&project);
    accord_with(
        dir.path(),
        &["encrypt", p],
        &[("ACCORD_PASSPHRASE", "a long enough passphrase")],
    )
    .failure()
    .stderr_has("open in another Accord");
    assert_eq!(snapshot(&project), plain, "still the plain project");
    assert_eq!(transcript_count(&project), 12, "nothing was erased");
    assert_eq!(pending(&project), None);
    drop(held);
    // Once it is closed, the restore goes ahead.
    accord(dir.path(), &["restore", p, "1"])
        .success()
        .stdout_has("restored");
}

/// Writes `n` generated interviews of about `kb` KB each into `dir`.
fn interviews(dir: &Path, n: usize, kb: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let mut text = String::new();
        let mut turn = 0;
        while text.len() < kb * 1024 {
            turn += 1;
            writeln!(
                text,
                "Interviewer: Question {turn} of interview {i}, about the ward and the rota?\n\n\
                 Participant: Answer {turn} of interview {i}: the night shift, the handover and \
                 the long walk to the car park, told at length and in my own words.\n"
            )
            .unwrap();
        }
        std::fs::write(dir.join(format!("G{i:03}_interview.txt")), text).unwrap();
    }
}

/// Whether some process holds the project's lock (the test process itself holds none).
fn lock_is_held(project: &Path) -> bool {
    File::open(lock_file(project)).is_ok_and(|f| match f.try_lock() {
        Ok(()) => {
            let _ = f.unlock();
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    })
}

#[test]
fn restore_during_a_long_import_is_refused_and_every_imported_transcript_stays() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["backup", p]).success();
    let src = dir.path().join("src");
    interviews(&src, 400, 20);
    let import = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["import", p, src.to_str().unwrap()])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !lock_is_held(&project) && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut import = import;
    let restore = accord(dir.path(), &["restore", p, "1"]);
    let import_still_running = import.try_wait().unwrap().is_none();
    let out = import.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let imported = stdout
        .lines()
        .find_map(|l| l.strip_suffix(" failed"))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap();
    assert_eq!(imported, 400, "{stdout}");
    if restore.ok {
        // The restore waits about a second for the others to let go: on a fast machine the import
        // may finish within it. Then the restore is legitimate, and it must have come after the
        // import, whose work is kept whole in the before-restore backup.
        assert!(
            !import_still_running,
            "the restore ran under the import:\n{}",
            restore.stdout
        );
        let kept = restore
            .stdout
            .split("is kept in ")
            .nth(1)
            .map(str::trim)
            .unwrap();
        assert_eq!(
            transcript_count(Path::new(kept)),
            12 + 400,
            "every import is in the project as it was before the restore"
        );
        return;
    }
    assert!(
        restore.stderr.contains("open in another Accord"),
        "{}",
        restore.stderr
    );
    assert_eq!(
        transcript_count(&project),
        12 + 400,
        "every import is there"
    );
}

/// Holds a read transaction on the project, as a viewer or a backup tool would.
fn reader(project: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(project).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    let _: i64 = conn
        .query_row("SELECT count(*) FROM transcripts", [], |r| r.get(0))
        .unwrap();
    conn
}

#[test]
fn an_erase_that_a_reader_keeps_from_purging_says_so_and_stays_pending() {
    let outer = tempfile::tempdir().unwrap();
    let folder = outer.path().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let project = demo(&folder);
    let p = project.to_str().unwrap();
    let reading = reader(&project);
    accord(
        &folder,
        &["transcripts", "erase", p, "P01_interview", "--yes"],
    )
    .failure()
    .stderr_has("P01_interview erased, but the purge could not be finished")
    .stderr_has("the old pages could not be cleared");
    assert_eq!(pending(&project).as_deref(), Some("erase"));
    // While it is still open, other commands read the project and say what is pending.
    accord(&folder, &["transcripts", "list", p])
        .success()
        .stderr_has("warning:")
        .stderr_has("an interrupted erase is not finished");
    drop(reading);
    accord(&folder, &["transcripts", "list", p])
        .success()
        .stderr_has("finished an interrupted erase");
    assert_eq!(pending(&project), None);
    let left = files_holding(&folder, &P01);
    assert!(left.is_empty(), "the interview is still on disk: {left:?}");
}

#[test]
fn a_deidentification_that_a_reader_keeps_from_purging_says_so_and_stays_pending() {
    let outer = tempfile::tempdir().unwrap();
    let folder = outer.path().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let project = demo(&folder);
    let p = project.to_str().unwrap();
    let list = outer.path().join("names.csv");
    std::fs::write(&list, "real,pseudonym\nWhitfield,Interviewer A\n").unwrap();
    let reading = reader(&project);
    accord(
        &folder,
        &["deidentify", p, "--list", list.to_str().unwrap(), "--apply"],
    )
    .failure()
    .stderr_has("the project was de-identified, but the purge could not be finished");
    assert_eq!(pending(&project).as_deref(), Some("de-identification"));
    drop(reading);
    accord(&folder, &["transcripts", "list", p])
        .success()
        .stderr_has("finished an interrupted de-identification");
    let bytes = std::fs::read(&project).unwrap();
    assert!(
        !bytes.windows(9).any(|w| w == b"Whitfield"),
        "the name is still in the file"
    );
}

#[cfg(unix)]
#[test]
fn leftovers_and_backups_reached_through_another_path_are_purged() {
    let outer = tempfile::tempdir().unwrap();
    let real = outer.path().join("real");
    let work = outer.path().join("work");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let built = demo(&real);
    let project = real.join("study.accord");
    std::fs::rename(&built, &project).unwrap();
    std::os::unix::fs::symlink("../real/study.accord", work.join("study.accord")).unwrap();
    let r = project.to_str().unwrap();
    let w = work.join("study.accord");
    let w = w.to_str().unwrap();
    accord(&real, &["backup", r]).success();
    // What killed copies of older runs leave: a restore copy beside the project, a temporary
    // backup (and its journal) in the backups folder.
    std::fs::copy(&project, real.join("study.restore-4242")).unwrap();
    let backups = real.join("study.accord.backups");
    std::fs::copy(
        &project,
        backups.join("20261205T202015864Z-before-merge.tmp-4242"),
    )
    .unwrap();
    std::fs::copy(
        &project,
        backups.join("20261205T202015864Z-before-merge.tmp-4242-journal"),
    )
    .unwrap();
    // A file of the user's that merely looks alike stays.
    std::fs::write(real.join("study.restore-notes.txt"), "mine").unwrap();
    accord(
        &work,
        &["transcripts", "erase", w, "P01_interview", "--yes"],
    )
    .success()
    .stdout_has("erased 1 transcript")
    .stdout_has("Copies outside the project's folder are not reached");
    let left = files_holding(outer.path(), &P01);
    assert!(left.is_empty(), "the interview is still on disk: {left:?}");
    assert!(real.join("study.restore-notes.txt").exists());
    assert!(!work.join("study.accord.backups").exists());
    assert!(
        std::fs::symlink_metadata(work.join("study.accord"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // Leftovers are also removed when a project is opened (by someone alone on it).
    std::fs::copy(&project, backups.join(".tmp-AbCdEf")).unwrap();
    std::fs::copy(&project, real.join("study.restore-77")).unwrap();
    accord(&work, &["transcripts", "list", w]).success();
    assert!(!backups.join(".tmp-AbCdEf").exists());
    assert!(!real.join("study.restore-77").exists());
}

#[cfg(unix)]
#[test]
fn restore_through_a_symlink_restores_the_real_file_and_keeps_the_link() {
    let outer = tempfile::tempdir().unwrap();
    let real = outer.path().join("real");
    let work = outer.path().join("work");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let project = demo(&real);
    std::os::unix::fs::symlink(&project, work.join("demo.accord")).unwrap();
    let w = work.join("demo.accord");
    let w = w.to_str().unwrap();
    accord(&work, &["backup", w]).success();
    assert!(
        real.join("demo.accord.backups").is_dir(),
        "one backups folder"
    );
    assert!(!work.join("demo.accord.backups").exists());
    accord(&work, &["transcripts", "remove", w, "P01_interview"]).success();
    assert_eq!(transcript_count(&project), 11);
    accord(&work, &["restore", w, "--list"])
        .success()
        .stdout_has("by-hand");
    accord(&work, &["restore", w, "1"]).success();
    assert!(
        std::fs::symlink_metadata(work.join("demo.accord"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(transcript_count(&project), 12, "the real file was restored");
}

#[cfg(unix)]
#[test]
fn copies_keep_a_private_projects_permission_bits() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A lock file made now takes the project's bits.
    let _ = std::fs::remove_file(lock_file(&project));
    let backed_up = accord(dir.path(), &["backup", p]).success();
    assert_eq!(mode(&lock_file(&project)), 0o600);
    let backup = PathBuf::from(
        backed_up
            .stdout
            .trim()
            .strip_prefix("backed up to ")
            .unwrap(),
    );
    assert_eq!(mode(&backup), 0o600, "the backup");
    let rater_file = dir.path().join("ana.accord");
    accord(
        dir.path(),
        &[
            "rater-file",
            p,
            "--rater",
            "Maya Chen",
            "--transcripts",
            "P01_interview",
            "--out",
            rater_file.to_str().unwrap(),
        ],
    )
    .success();
    assert_eq!(mode(&rater_file), 0o600, "the rater file");
    accord(dir.path(), &["restore", p, "1"]).success();
    assert_eq!(mode(&project), 0o600, "the restored project");
    for b in accord::store::list_backups(&project).unwrap() {
        assert_eq!(mode(&b.path), 0o600, "{}", b.path.display());
    }
}

#[test]
fn refused_merges_take_no_backup_and_never_rotate_a_manual_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["backup", p]).success();
    let not_rater = dir.path().join("not-a-rater-file.accord");
    std::fs::write(&not_rater, "not a project").unwrap();
    for _ in 0..12 {
        accord(dir.path(), &["merge", p, not_rater.to_str().unwrap()]);
    }
    let backups = accord::store::list_backups(&project).unwrap();
    assert_eq!(
        backups.iter().filter(|b| b.reason == "by-hand").count(),
        1,
        "{backups:?}"
    );
    assert!(
        backups.iter().all(|b| b.reason != "before-merge"),
        "a refused merge took a backup: {backups:?}"
    );
}

#[test]
fn backups_taken_at_once_by_several_processes_all_keep_their_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let runs: Vec<_> = (0..6)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_accord"))
                .args(["backup", p])
                .current_dir(dir.path())
                .env("HOME", dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut named = Vec::new();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        named.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    named.sort();
    named.dedup();
    assert_eq!(named.len(), 6, "two backups got one name: {named:?}");
    let backups = accord::store::list_backups(&project).unwrap();
    assert_eq!(backups.len(), 6, "{backups:?}");
    for b in &backups {
        assert!(
            Store::open(&b.path)
                .unwrap()
                .integrity_check()
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn an_erase_on_a_nearly_full_disk_says_it_erased_and_what_finishing_needs() {
    let outer = tempfile::tempdir().unwrap();
    let disk = outer.path().join("disk");
    let Some(_mount) = Mount::tmpfs(&disk, "32m") else {
        return;
    };
    let built = demo(outer.path());
    let project = disk.join("demo.accord");
    std::fs::copy(&built, &project).unwrap();
    let p = project.to_str().unwrap();
    accord(&disk, &["transcripts", "list", p]).success();
    // Room for the safety backup and the erasing transaction, not for the vacuum.
    let size = std::fs::metadata(&project).unwrap().len();
    let free = {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&disk)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    let filler = disk.join("filler");
    let keep = size + size / 2;
    std::fs::write(&filler, vec![0u8; usize::try_from(free - keep).unwrap()]).unwrap();
    let erased = accord(
        &disk,
        &["transcripts", "erase", p, "P01_interview", "--yes"],
    )
    .failure();
    assert!(
        erased
            .stderr
            .contains("P01_interview erased; finishing the purge needs about"),
        "{}",
        erased.stderr
    );
    assert!(erased.stderr.contains("MB free in"), "{}", erased.stderr);
    assert_eq!(pending(&project).as_deref(), Some("erase"));
    // Reading still works, with a warning.
    accord(&disk, &["transcripts", "list", p])
        .success()
        .stdout_has("P02_interview")
        .stderr_has("finishing the purge needs about");
    // Once there is room, the next command finishes it.
    std::fs::remove_file(&filler).unwrap();
    accord(&disk, &["transcripts", "list", p])
        .success()
        .stderr_has("finished an interrupted erase");
    let left = files_holding(&disk, &P01);
    assert!(left.is_empty(), "the interview is still on disk: {left:?}");
}
