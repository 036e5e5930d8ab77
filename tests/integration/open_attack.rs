//! Opening a project under attack or in trouble (reliability report D3, D11, D12, D20, D21): two
//! writers at once, a read-only folder or full disk, a damaged file, a FIFO or folder given as the
//! project, passphrases that cannot be typed again, a half-migrated schema, control characters in
//! names, and errors that say each thing once.

use std::path::Path;
use std::time::Duration;

use crate::support::{
    Mount, Run, accord, accord_with, accord_within, damage, demo, mkfifo, snapshot,
};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn codings(dir: &Path, project: &Path) -> Vec<serde_json::Value> {
    let run = accord(dir, &["codings", "list", s(project), "--json"]).success();
    serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap()
}

/// D3: two loops of `accord code` against one project without an index: every command exits 0
/// and every coding is there exactly once (a deferred write transaction met `SQLITE_BUSY_SNAPSHOT`,
/// which the busy timeout does not wait for).
#[test]
fn two_coding_loops_at_once_all_succeed_and_each_coding_is_there_once() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    assert!(!dir.path().join("demo.accord.index").exists());
    let loops: Vec<_> = [("Maya Chen", 0usize), ("Jordan Ellis", 5000)]
        .into_iter()
        .map(|(rater, base)| {
            let dir = dir.path().to_path_buf();
            let project = project.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 1..=30 {
                    let span = format!("{}..{}", base + i * 3, base + i * 3 + 20);
                    let run = accord(
                        &dir,
                        &[
                            "code",
                            s(&project),
                            "-t",
                            "P02_interview",
                            "-c",
                            "Peerness",
                            "-r",
                            rater,
                            "--span",
                            &span,
                        ],
                    );
                    if !run.ok {
                        failures.push(format!("{rater} {span}: {}", run.stderr));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = loops.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert!(failures.is_empty(), "failed commands: {failures:#?}");
    let all = codings(dir.path(), &project);
    for (rater, base) in [("Maya Chen", 0usize), ("Jordan Ellis", 5000)] {
        for i in 1..=30 {
            let (start, end) = (base + i * 3, base + i * 3 + 20);
            let n = all
                .iter()
                .filter(|c| {
                    c["rater"] == rater
                        && c["code"].as_str().unwrap().ends_with("Peerness")
                        && c["transcript"] == "P02_interview"
                        && c["start"] == start
                        && c["end"] == end
                })
                .count();
            assert_eq!(n, 1, "{rater} {start}..{end} is there {n} times");
        }
    }
}

/// D12: in a folder nothing can be written to (a read-only mount: root ignores permissions, not
/// a read-only file system), listing and exporting work, read-only; changing says why it cannot.
#[test]
fn a_project_in_a_read_only_folder_can_be_read_and_says_why_it_cannot_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = demo(d);
    let Some(mount) = Mount::tmpfs(&d.join("ro"), "64m") else {
        return;
    };
    let project = mount.path().join("p.accord");
    std::fs::copy(&source, &project).unwrap();
    mount.read_only();
    assert!(
        std::fs::write(mount.path().join("x"), b"x").is_err(),
        "really read-only"
    );
    let run = accord(d, &["transcripts", "list", s(&project)]).success();
    assert!(run.stdout.contains("P02_interview"), "{}", run.stdout);
    assert!(run.stderr.contains("read-only"), "a note: {}", run.stderr);
    let listed = accord(d, &["codings", "list", s(&project)]).success();
    assert!(listed.stdout.contains("673 codings"), "{}", listed.stdout);
    accord(d, &["rater", "list", s(&project)])
        .success()
        .stdout_has("Maya Chen");
    let out = d.join("excerpts.md");
    accord(d, &["export", s(&project), "excerpts", "--out", s(&out)]).success();
    assert!(std::fs::metadata(&out).unwrap().len() > 1000);
    for args in [
        vec![
            "code",
            s(&project),
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "10..20",
        ],
        vec!["search", s(&project), "peer"],
        vec!["backup", s(&project)],
    ] {
        let run = accord(d, &args).failure();
        assert!(
            run.stderr.contains("cannot write beside the project")
                && run.stderr.contains("p.accord")
                && run.stderr.contains("read-only folder or full disk")
                && !run.stderr.contains("not an Accord project"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// D12: on a full disk reading still works, and a change says the disk may be full.
#[test]
fn a_project_on_a_full_disk_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = demo(d);
    let Some(mount) = Mount::tmpfs(&d.join("full"), "8m") else {
        return;
    };
    let project = mount.path().join("p.accord");
    std::fs::copy(&source, &project).unwrap();
    // Fill the disk.
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(mount.path().join("filler")).unwrap();
        let block = vec![7u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.flush();
    }
    let before = std::fs::read(&project).unwrap();
    accord(d, &["transcripts", "list", s(&project)])
        .success()
        .stdout_has("P02_interview");
    let run = accord(
        d,
        &[
            "code",
            s(&project),
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "10..20",
        ],
    )
    .failure();
    assert!(
        run.stderr.contains("read-only folder or full disk")
            && !run.stderr.contains("not an Accord project"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&project).unwrap(), before);
}

/// D20: a damaged project says so once, naming the file and what to do; nothing writes to it or
/// backs it up.
#[test]
fn a_damaged_project_says_so_once_and_is_neither_written_nor_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    damage(&project);
    let before = snapshot(&project);
    let run = accord(d, &["codings", "list", s(&project)]).failure();
    assert!(
        run.stderr
            .contains("demo.accord: the project file is damaged")
            && run.stderr.contains("accord restore --list"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("damaged").count(), 1, "{}", run.stderr);
    let run = accord(
        d,
        &[
            "code",
            s(&project),
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "10..20",
        ],
    )
    .failure();
    assert!(run.stderr.contains("damaged"), "{}", run.stderr);
    assert_eq!(snapshot(&project), before, "code wrote to a damaged file");
    let run = accord(d, &["backup", s(&project)]).failure();
    assert!(run.stderr.contains("damaged"), "{}", run.stderr);
    assert!(
        accord::store::list_backups(&project).unwrap().is_empty(),
        "a backup of a damaged file was taken"
    );
    assert_eq!(snapshot(&project), before);
}

/// D11 and D21: a FIFO, a folder or a device given as the project is refused before anything
/// opens it (a FIFO used to make every command hang), and says what it is.
#[test]
fn a_fifo_folder_or_device_as_the_project_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("p.accord");
    mkfifo(&fifo);
    let folder = d.join("folder.accord");
    std::fs::create_dir(&folder).unwrap();
    let device = d.join("zero.accord");
    std::os::unix::fs::symlink("/dev/zero", &device).unwrap();
    for (path, kind) in [
        (&fifo, "a FIFO"),
        (&folder, "a folder"),
        (&device, "a device"),
    ] {
        for args in [
            vec!["transcripts", "list", s(path)],
            vec!["codings", "list", s(path)],
            vec!["backup", s(path)],
            vec!["rater", "add", s(path), "Ana"],
        ] {
            let Some(Run {
                ok, stderr: err, ..
            }) = accord_within(d, &args, Duration::from_secs(20))
            else {
                panic!("{args:?} hung");
            };
            assert!(!ok, "{args:?}");
            assert!(
                err.contains("not a regular file") && err.contains(kind),
                "{args:?}: {err}"
            );
            assert!(!err.contains("empty or too short"), "{err}");
        }
    }
    assert!(folder.is_dir() && std::fs::read_dir(&folder).unwrap().next().is_none());
}

/// D21: a new project's passphrase with a space or line break at either end, or only spaces, is
/// refused (it could not be typed again at the prompt or in the window), and nothing is created.
#[test]
fn passphrases_that_cannot_be_typed_again_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, pass) in [
        "longsecret1\n",
        " longsecret1",
        "longsecret1 ",
        "        ",
        "\n\n\n\n\n\n\n\n",
    ]
    .iter()
    .enumerate()
    {
        let path = d.join(format!("x{i}.accord"));
        let run = accord_with(
            d,
            &["new", s(&path), "--encrypt"],
            &[("ACCORD_PASSPHRASE", pass)],
        )
        .failure();
        assert!(
            run.stderr.contains("passphrase"),
            "{pass:?}: {}",
            run.stderr
        );
        assert!(!path.exists(), "{pass:?}: a project was created");
    }
    let ok = d.join("ok.accord");
    accord_with(
        d,
        &["new", s(&ok), "--encrypt"],
        &[("ACCORD_PASSPHRASE", "long secret with spaces inside")],
    )
    .success();
}

/// D21: a project at schema version 0 that has tables (half-migrated, or edited by hand) is
/// refused in a few words naming the file, never with the migration's SQL, and is left as it was.
#[test]
fn a_half_migrated_schema_is_named_not_dumped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.accord");
    accord(d, &["new", s(&project)]).success();
    rusqlite::Connection::open(&project)
        .unwrap()
        .pragma_update(None, "user_version", 0)
        .unwrap();
    let before = snapshot(&project);
    let run = accord(d, &["transcripts", "list", s(&project)]).failure();
    assert!(
        run.stderr
            .contains("p.accord: the project's schema is not one Accord wrote")
            && run.stderr.contains("accord restore --list"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("CREATE"), "{}", run.stderr);
    assert!(run.stderr.len() < 400, "{}", run.stderr);
    assert_eq!(snapshot(&project), before);
}

/// D21: names printed to the terminal have their control characters escaped, so a rater's name
/// cannot send escape sequences; "Next:" quotes a path with spaces; agreement names a transcript
/// by its name.
#[test]
fn terminal_output_escapes_controls_and_quotes_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let spaced = d.join("my project.accord");
    accord(d, &["new", s(&spaced)])
        .success()
        .stdout_has(&format!("Next: accord codebook import '{}'", s(&spaced)));
    let project = demo(d);
    let name = "Ctl\u{2}\u{1b}[31mRater";
    let added = accord(d, &["rater", "add", s(&project), name]).success();
    assert!(!added.stdout.contains('\u{1b}'), "{}", added.stdout);
    let coded = accord(
        d,
        &[
            "code",
            s(&project),
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            name,
            "--span",
            "10..20",
        ],
    )
    .success();
    assert!(!coded.stdout.contains('\u{1b}'), "{}", coded.stdout);
    for args in [
        vec!["rater", "list", s(&project)],
        vec!["codings", "list", s(&project)],
    ] {
        let run = accord(d, &args).success();
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{2}'),
            "{args:?}: raw controls printed"
        );
        assert!(
            run.stdout.contains("Ctl\\u{2}\\u{1b}[31mRater"),
            "{args:?}: {}",
            run.stdout
        );
    }
}

/// D21: agreement over a coding outside its transcript (a hand-edited file) names the transcript.
#[test]
fn agreement_on_a_bad_span_names_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    {
        let conn = rusqlite::Connection::open(&project).unwrap();
        conn.execute(
            "INSERT INTO codings (coding_id, transcript_id, code_id, rater_id, start_char, \
             end_char, codebook_version, created_at)
             SELECT '00000000-0000-4000-8000-000000000001', c.transcript_id, c.code_id, \
             c.rater_id, t.len_chars + 10, t.len_chars + 50, c.codebook_version, c.created_at
             FROM codings c JOIN transcripts t USING (transcript_id) LIMIT 1",
            [],
        )
        .unwrap();
    }
    let run = accord(d, &["agreement", s(&project)]).failure();
    assert!(
        run.stderr.contains("transcript P") && !run.stderr.contains("transcript 0"),
        "{}",
        run.stderr
    );
}
