//! The search index under attack, as the reliability report of December 2026 probed it: several
//! processes changing and searching one project at once (D3), limits meant as "all" (D14), folders
//! and files at the index path that are not Accord's (D17, D19), an index that cannot be written
//! (D19), restrictive permissions (D8), nesting as deep as the parser allows (D21), and a project
//! reached through a symbolic link.

use std::path::Path;
use std::process::Command as Process;

use accord::model::CodingFilter;
use accord::search::sync::index_dir;
use accord::search::{ProjectIndex, SearchOptions};
use accord::store::Store;

use crate::support::{accord, demo};

/// Runs `accord` and gives its exit status and standard error.
fn run(dir: &Path, args: &[String]) -> (bool, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_PASSPHRASE")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// How many live codings of `rater` on P02 sit at exactly `start..end`.
fn codings_at(store: &Store, rater: &str, start: usize, end: usize) -> usize {
    let rater = store.find_rater(rater).unwrap().rater_id;
    let transcript = store
        .find_transcript("P02_interview")
        .unwrap()
        .transcript_id;
    store
        .codings(&CodingFilter {
            transcripts: vec![transcript],
            raters: vec![rater],
            ..CodingFilter::default()
        })
        .unwrap()
        .iter()
        .filter(|c| c.span.start == start && c.span.end == end)
        .count()
}

/// The JSON of a search (`total` and the number of hits listed).
fn search_json(dir: &Path, project: &str, query: &str, extra: &[&str]) -> (u64, usize) {
    let mut args = vec!["search", project, query, "--json"];
    args.extend_from_slice(extra);
    let out = accord(dir, &args).success().stdout;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    (
        v["total"].as_u64().unwrap(),
        v["hits"].as_array().unwrap().len(),
    )
}

#[test]
fn concurrent_changes_and_searches_all_succeed_and_nothing_is_made_twice() {
    const N: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap().to_string();
    accord(dir.path(), &["search", &p, "x"]).success();
    assert!(index_dir(&project).join("accord-index.json").exists());
    let spans = |rater: &str, i: usize| -> (usize, usize) {
        let base = if rater == "Maya Chen" { 0 } else { 5000 };
        (base + i * 3, base + i * 3 + 20)
    };
    let before: Vec<(String, usize, usize, usize)> = {
        let store = Store::open(&project).unwrap();
        ["Maya Chen", "Jordan Ellis"]
            .iter()
            .flat_map(|r| (1..=N).map(move |i| (*r, i)))
            .map(|(r, i)| {
                let (s, e) = spans(r, i);
                (r.to_string(), s, e, codings_at(&store, r, s, e))
            })
            .collect()
    };
    let spawn_coder = |rater: &'static str| {
        let (dir, p) = (dir.path().to_path_buf(), p.clone());
        std::thread::spawn(move || {
            (1..=N)
                .map(|i| {
                    let (s, e) = spans(rater, i);
                    let args: Vec<String> = [
                        "code",
                        &p,
                        "-t",
                        "P02_interview",
                        "-c",
                        "Peerness",
                        "-r",
                        rater,
                        "--span",
                        &format!("{s}..{e}"),
                    ]
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                    run(&dir, &args)
                })
                .collect::<Vec<_>>()
        })
    };
    let search_loop = {
        let (dir, p) = (dir.path().to_path_buf(), p.clone());
        std::thread::spawn(move || {
            (0..N)
                .map(|i| {
                    let query = if i % 2 == 0 {
                        "peer".to_string()
                    } else {
                        "code:Peerness rater:\"Maya Chen\"".to_string()
                    };
                    run(&dir, &["search".into(), p.clone(), query])
                })
                .collect::<Vec<_>>()
        })
    };
    let maya = spawn_coder("Maya Chen");
    let jordan = spawn_coder("Jordan Ellis");
    let mut code_runs = maya.join().unwrap();
    code_runs.extend(jordan.join().unwrap());
    let searches = search_loop.join().unwrap();
    let all: Vec<&(bool, String)> = code_runs.iter().chain(&searches).collect();
    assert!(
        all.iter()
            .all(|(_, e)| !e.contains("LockBusy") && !e.contains("search index error")),
        "no index error reaches the user: {all:#?}"
    );
    let failed: Vec<&String> = searches
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, e)| e)
        .collect();
    assert!(failed.is_empty(), "searches failed: {failed:#?}");
    // Every change succeeds and is made exactly once: write transactions begin IMMEDIATE (the
    // store's part of D3), so no `code` meets SQLite's "database is locked", and index upkeep after
    // a commit is best effort, so none reports a saved change as a failure.
    let store = Store::open(&project).unwrap();
    for ((rater, s, e, was), (ok, stderr)) in before.into_iter().zip(&code_runs) {
        assert!(*ok, "`code` as {rater} at {s}..{e} failed: {stderr}");
        let now = codings_at(&store, &rater, s, e);
        assert_eq!(
            now,
            was + 1,
            "{rater}'s coding at {s}..{e} is there exactly once"
        );
    }
    // The index has caught up: it finds every Peerness coding the store holds.
    let rater = store.find_rater("Maya Chen").unwrap().rater_id;
    let code = accord::app::resolve::code(&store.codebook().unwrap(), "Peerness").unwrap();
    let in_store = store
        .codings(&CodingFilter {
            codes: vec![code],
            raters: vec![rater],
            ..CodingFilter::default()
        })
        .unwrap()
        .len();
    let (index, _) = ProjectIndex::open(&store).unwrap();
    assert!(index.notes().is_empty(), "{:?}", index.notes());
    let found = index
        .search(
            "code:Peerness rater:\"Maya Chen\"",
            &store.codebook().unwrap(),
            &SearchOptions {
                limit: 10_000,
                ..SearchOptions::default()
            },
        )
        .unwrap();
    let distinct: std::collections::BTreeSet<_> = found
        .hits
        .iter()
        .filter_map(|h| h.coding_id.clone())
        .collect();
    assert_eq!(distinct.len(), in_store);
}

#[test]
fn huge_limits_mean_every_hit() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let (total, listed) = search_json(dir.path(), p, "peer", &["--limit", "100000"]);
    assert!(total > 20, "enough hits to tell ({total})");
    assert_eq!(listed as u64, total);
    for limit in ["1000000000", "18446744073709551615"] {
        assert_eq!(
            search_json(dir.path(), p, "peer", &["--limit", limit]),
            (total, listed),
            "--limit {limit}"
        );
        assert_eq!(
            search_json(
                dir.path(),
                p,
                "peer",
                &["--limit", limit, "--order", "transcript"]
            ),
            (total, listed),
            "--limit {limit} in transcript order"
        );
    }
}

#[test]
fn a_users_folder_at_the_index_path_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let reference = demo(dir.path());
    let (total, _) = search_json(dir.path(), reference.to_str().unwrap(), "peer", &[]);
    let project = dir.path().join("noext");
    accord(
        dir.path(),
        &[
            "demo",
            "--out",
            project.to_str().unwrap(),
            "--source",
            crate::support::root().to_str().unwrap(),
        ],
    )
    .success();
    let p = project.to_str().unwrap();
    let folder = dir.path().join("noext.index");
    std::fs::create_dir_all(folder.join("important")).unwrap();
    let chapter = folder.join("important/chapter1.txt");
    std::fs::write(&chapter, "It was a dark and stormy night.").unwrap();
    let warning = "is not an Accord index; leaving it alone";
    let searched = accord(dir.path(), &["search", p, "peer", "--json"])
        .success()
        .stderr_has(warning);
    let v: serde_json::Value = serde_json::from_str(&searched.stdout).unwrap();
    assert_eq!(v["total"].as_u64(), Some(total), "searched all the same");
    // A change: saved, exit 0, a warning.
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "10..30",
        ],
    )
    .success()
    .stderr_has(warning);
    accord(dir.path(), &["reindex", p])
        .success()
        .stderr_has(warning);
    assert_eq!(
        std::fs::read_to_string(&chapter).unwrap(),
        "It was a dark and stormy night."
    );
    let names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["important"], "nothing added to the user's folder");
    // Even a folder that looks like an index but holds something else is not touched.
    let lookalike = dir.path().join("demo.accord.index");
    std::fs::create_dir_all(lookalike.join("turns")).unwrap();
    std::fs::write(lookalike.join("accord-index.json"), "{}").unwrap();
    std::fs::write(lookalike.join("turns/notes.txt"), "mine").unwrap();
    accord(dir.path(), &["search", reference.to_str().unwrap(), "peer"])
        .success()
        .stderr_has(warning);
    assert_eq!(
        std::fs::read_to_string(lookalike.join("turns/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_file_at_the_index_path_breaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let (total, _) = search_json(dir.path(), p, "supervisor", &[]);
    std::fs::remove_dir_all(index_dir(&project)).unwrap();
    // For example a project named `demo.accord.index` beside `demo.accord`.
    std::fs::write(index_dir(&project), b"SQLite format 3\0 not really").unwrap();
    let searched = accord(dir.path(), &["search", p, "supervisor", "--json"])
        .success()
        .stderr_has("is a file: it is not an Accord index; leaving it alone");
    let v: serde_json::Value = serde_json::from_str(&searched.stdout).unwrap();
    assert_eq!(v["total"].as_u64(), Some(total));
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "40..60",
        ],
    )
    .success()
    .stderr_has("the change is saved");
    let store = Store::open(&project).unwrap();
    assert_eq!(codings_at(&store, "Maya Chen", 40, 60), 1);
    assert_eq!(
        std::fs::read(index_dir(&project)).unwrap(),
        b"SQLite format 3\0 not really"
    );
    // Moved away, the index comes back at the next search.
    std::fs::remove_file(index_dir(&project)).unwrap();
    accord(dir.path(), &["search", p, "supervisor"]).success();
    assert!(index_dir(&project).join("accord-index.json").exists());
}

#[test]
fn an_index_that_cannot_be_written_falls_back_to_memory() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let (total, _) = search_json(dir.path(), p, "peer", &[]);
    let store = Store::open(&project).unwrap();
    let (mut index, _) = ProjectIndex::open(&store).unwrap();
    assert_eq!(index.dir(), Some(index_dir(&project).as_path()));
    // The folder goes away under the open index and something that cannot hold one takes its
    // place (what a read-only folder does to a writer, which root cannot be shown).
    std::fs::remove_dir_all(index_dir(&project)).unwrap();
    std::fs::write(index_dir(&project), b"in the way").unwrap();
    let rater = store.find_rater("Maya Chen").unwrap().rater_id;
    let code = accord::app::resolve::code(&store.codebook().unwrap(), "Peerness").unwrap();
    let transcript = store
        .find_transcript("P02_interview")
        .unwrap()
        .transcript_id;
    let mut ws = accord::app::Workspace::new(store);
    ws.apply(
        "Code 1 passage",
        accord::app::Command::Codings(accord::app::CodingCommand::Add {
            codings: vec![accord::model::NewCoding {
                coding_id: accord::model::CodingId::new_random(),
                transcript_id: transcript,
                code_id: code,
                rater_id: rater,
                span: accord::model::Span::new(70, 90),
                memo: None,
                created_at: None,
            }],
            action: "test".into(),
        }),
    )
    .unwrap();
    let store = ws.store();
    assert!(
        index.sync(store).is_err(),
        "the index on disk cannot be written"
    );
    let caught_up = index.catch_up(store).unwrap();
    assert!(caught_up.is_some());
    assert_eq!(index.dir(), None, "an index in memory took its place");
    assert!(
        index.notes().iter().any(|n| n.contains("built in memory")),
        "{:?}",
        index.notes()
    );
    let book = store.codebook().unwrap();
    let found = index
        .search("peer", &book, &SearchOptions::default())
        .unwrap();
    assert_eq!(found.total as u64, total);
    let coded = index
        .search(
            "code:Peerness rater:\"Maya Chen\"",
            &book,
            &SearchOptions {
                limit: 10_000,
                ..SearchOptions::default()
            },
        )
        .unwrap();
    let ids: std::collections::BTreeSet<_> = coded
        .hits
        .iter()
        .filter_map(|h| h.coding_id.clone())
        .collect();
    let in_store = store
        .codings(&CodingFilter {
            codes: vec![code],
            raters: vec![rater],
            ..CodingFilter::default()
        })
        .unwrap();
    assert_eq!(ids.len(), in_store.len(), "the new coding is found too");
    // The window's workspace: the same, through its own search.
    let mut ws = accord::app::Workspace::new(Store::open(&project).unwrap());
    let hits = ws.search("peer", &SearchOptions::default()).unwrap();
    assert_eq!(hits.total as u64, total);
    assert!(
        ws.index_note()
            .is_some_and(|n| n.contains("not an Accord index"))
    );
}

#[test]
fn the_index_takes_the_project_files_permissions() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let p = project.to_str().unwrap();
        let modes = |root: &Path| -> Vec<(String, u32, bool)> {
            let mut out = Vec::new();
            let mut stack = vec![root.to_path_buf()];
            while let Some(path) = stack.pop() {
                let meta = std::fs::metadata(&path).unwrap();
                out.push((
                    path.display().to_string(),
                    meta.permissions().mode() & 0o777,
                    meta.is_dir(),
                ));
                if meta.is_dir() {
                    for entry in std::fs::read_dir(&path).unwrap() {
                        stack.push(entry.unwrap().path());
                    }
                }
            }
            out
        };
        let check = |what: &str| {
            let all = modes(&index_dir(&project));
            assert!(all.len() > 5, "{what}: the index has files");
            for (path, mode, is_dir) in all {
                let want = if is_dir { 0o700 } else { 0o600 };
                assert_eq!(mode, want, "{what}: {path} is {mode:o}");
            }
        };
        std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o600)).unwrap();
        accord(dir.path(), &["search", p, "peer"]).success();
        check("built");
        accord(
            dir.path(),
            &[
                "code",
                p,
                "-t",
                "P02_interview",
                "-c",
                "Peerness",
                "-r",
                "Maya Chen",
                "--span",
                "10..30",
            ],
        )
        .success();
        check("updated after a change");
        // An index made while the project was readable by all is narrowed once the project is.
        std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::remove_dir_all(index_dir(&project)).unwrap();
        accord(dir.path(), &["search", p, "peer"]).success();
        std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o600)).unwrap();
        accord(
            dir.path(),
            &[
                "code",
                p,
                "-t",
                "P02_interview",
                "-c",
                "Peerness",
                "-r",
                "Maya Chen",
                "--span",
                "31..50",
            ],
        )
        .success();
        check("narrowed after the project was");
    }
}

#[test]
fn nesting_as_deep_as_allowed_is_searched() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let depth = accord::search::query::MAX_DEPTH;
    let nested = |n: usize| format!("{}supervisor{}", "(".repeat(n), ")".repeat(n));
    let (total, _) = search_json(dir.path(), p, "supervisor", &[]);
    assert!(total > 0);
    assert_eq!(search_json(dir.path(), p, &nested(depth), &[]).0, total);
    let with_filter = search_json(dir.path(), p, "supervisor", &["--role", "participant"]).0;
    assert_eq!(
        search_json(dir.path(), p, &nested(depth), &["--role", "participant"]).0,
        with_filter
    );
    // An OR at the top still binds tighter than the filters.
    let either = search_json(dir.path(), p, "supervisor OR peer", &[]).0;
    let either_participant = search_json(
        dir.path(),
        p,
        "supervisor OR peer",
        &["--role", "participant"],
    )
    .0;
    assert!(either_participant < either);
    accord(dir.path(), &["search", p, &nested(depth + 1)])
        .failure()
        .stderr_has("nested too deeply");
}

#[test]
fn a_project_reached_through_a_link_has_one_index() {
    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path());
        let link = dir.path().join("link.accord");
        std::os::unix::fs::symlink(&project, &link).unwrap();
        let l = link.to_str().unwrap();
        accord(dir.path(), &["search", l, "supervisor"]).success();
        assert!(index_dir(&project).join("accord-index.json").exists());
        assert!(!dir.path().join("link.accord.index").exists());
        assert_eq!(index_dir(&link), index_dir(&project));
        // A change through the link brings the one index up to date.
        accord(
            dir.path(),
            &[
                "code",
                l,
                "-t",
                "P02_interview",
                "-c",
                "Peerness",
                "-r",
                "Maya Chen",
                "--span",
                "10..30",
            ],
        )
        .success();
        let store = Store::open(&project).unwrap();
        let (_, report) = ProjectIndex::open(&store).unwrap();
        assert_eq!(
            (report.indexed, report.passages, report.rebuilt),
            (0, 0, None),
            "nothing left to catch up"
        );
    }
}

/// Makes a folder and everything in it immutable (`chattr +i`, which even root cannot write
/// through) until dropped; `None` where the file system or the machine does not allow it.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: &Path) -> Option<Self> {
        let ok = Process::new("chattr")
            .args(["-R", "+i"])
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        let guard = Self(path.to_path_buf());
        (ok && std::fs::write(path.join("probe"), b"x").is_err()).then_some(guard)
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Process::new("chattr")
            .args(["-R", "-i"])
            .arg(&self.0)
            .output();
    }
}

#[test]
fn a_read_only_index_folder_breaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let (total, _) = search_json(dir.path(), p, "supervisor", &[]);
    let (coded_before, _) = search_json(
        dir.path(),
        p,
        "code:Peerness rater:\"Maya Chen\"",
        &["--limit", "1000"],
    );
    let Some(guard) = Immutable::set(&index_dir(&project)) else {
        eprintln!("skipped: chattr +i is not available here");
        return;
    };
    // Up to date and read-only: searched all the same.
    let searched = accord(dir.path(), &["search", p, "supervisor", "--json"]).success();
    let v: serde_json::Value = serde_json::from_str(&searched.stdout).unwrap();
    assert_eq!(v["total"].as_u64(), Some(total));
    // A change: saved, exit 0, a warning; the next search finds it (from memory).
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P02_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "40..60",
        ],
    )
    .success()
    .stderr_has("the search index will catch up at the next search");
    let coded = accord(
        dir.path(),
        &[
            "search",
            p,
            "code:Peerness rater:\"Maya Chen\"",
            "--json",
            "--limit",
            "1000",
        ],
    )
    .success();
    assert!(coded.stderr.contains("built in memory"), "{}", coded.stderr);
    let store = Store::open(&project).unwrap();
    assert_eq!(codings_at(&store, "Maya Chen", 40, 60), 1);
    let v: serde_json::Value = serde_json::from_str(&coded.stdout).unwrap();
    assert_eq!(
        v["total"].as_u64(),
        Some(coded_before + 1),
        "the new coding is found"
    );
    // Writable again: the index on disk catches up.
    drop(guard);
    accord(dir.path(), &["search", p, "supervisor"]).success();
    let (index, report) = ProjectIndex::open(&store).unwrap();
    assert!(index.notes().is_empty(), "{:?}", index.notes());
    assert_eq!((report.indexed, report.passages), (0, 0));
}

#[test]
fn an_index_deleted_while_being_built_gives_way_and_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap().to_string();
    let (total, _) = search_json(dir.path(), &p, "supervisor", &[]);
    let idx = index_dir(&project);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let deleter = {
        let (idx, stop) = (idx.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::remove_dir_all(&idx);
                std::thread::sleep(std::time::Duration::from_millis(15));
            }
        })
    };
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        outcomes.push(run(
            dir.path(),
            &["search".into(), p.clone(), "supervisor".into()],
        ));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    deleter.join().unwrap();
    for (ok, stderr) in &outcomes {
        assert!(ok, "a search failed: {stderr}");
        assert!(
            stderr.is_empty() || stderr.contains("searched an index built in memory"),
            "a clear message: {stderr}"
        );
    }
    // The next search recovers: the index on disk is whole again.
    assert_eq!(search_json(dir.path(), &p, "supervisor", &[]).0, total);
    let store = Store::open(&project).unwrap();
    let (index, _) = ProjectIndex::open(&store).unwrap();
    assert!(index.notes().is_empty(), "{:?}", index.notes());
    assert_eq!(index.dir(), Some(idx.as_path()));
}
