//! The kill test: `accord` is killed at random moments, hundreds of times, while it codes (and a few
//! dozen times while it imports, reindexes and exports). After every kill the project must open,
//! pass SQLite's integrity check, and hold every coding whose command returned. Bounded to a few
//! minutes; runs with the other integration tests in CI.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use accord::Store;
use accord::model::CodingFilter;

use crate::support::{accord, root, samples};

/// A small xorshift generator (the test is reproducible run to run, up to timing).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits up to `delay` for the child; kills it if it is still running. Returns its stdout when it
/// finished by itself and succeeded, `None` when it was killed (or failed).
fn run_or_kill(mut child: Child, delay: Duration) -> Option<String> {
    let deadline = Instant::now() + delay;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
            return status.success().then_some(out);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The project opens, passes the integrity check, and returns its live coding ids.
#[track_caller]
fn sound(project: &Path) -> BTreeSet<String> {
    let store = Store::open(project).expect("the project opens after a kill");
    assert_eq!(
        store.integrity_check().unwrap(),
        Vec::<String>::new(),
        "integrity check"
    );
    store
        .codings(&CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.coding_id.to_text())
        .collect()
}

fn project(dir: &Path) -> std::path::PathBuf {
    let project = dir.join("kill.accord");
    let p = project.to_str().unwrap();
    accord(dir, &["new", p]).success();
    let book = root().join("codebooks/capp-phase3.toml");
    accord(dir, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let p01 = samples().join("transcripts/P01_interview.txt");
    accord(dir, &["import", p, p01.to_str().unwrap()]).success();
    accord(dir, &["rater", "add", p, "Ana"]).success();
    // An index beside the project, so kills also land while it is brought up to date.
    accord(dir, &["search", p, "supervisor"]).success();
    project
}

#[test]
fn hundreds_of_kills_while_coding_lose_nothing_that_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = project(d);
    let p = project.to_str().unwrap();
    let len = Store::open(&project).unwrap().transcripts().unwrap()[0].len_chars as u64;
    // How long one coding command takes here (the slowest of three), to spread the kills over it.
    let typical = (0..3)
        .map(|i| {
            let clock = Instant::now();
            let span = format!("{i}..{}", i + 5);
            accord(
                d,
                &[
                    "code",
                    p,
                    "-t",
                    "P01_interview",
                    "-c",
                    "Burnout",
                    "-r",
                    "Ana",
                    "--span",
                    &span,
                ],
            )
            .success();
            clock.elapsed()
        })
        .max()
        .unwrap_or_default();
    let mut committed: BTreeSet<String> = sound(&project);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut kills, mut finished) = (0, 0);
    let started = Instant::now();
    while kills < 220 && started.elapsed() < Duration::from_mins(4) {
        let start = rng.below(len - 40);
        let span = format!("{start}..{}", start + 1 + rng.below(39));
        let child = spawn(
            d,
            &[
                "code",
                p,
                "-t",
                "P01_interview",
                "-c",
                "Burnout",
                "-r",
                "Ana",
                "--span",
                &span,
                "--json",
            ],
        );
        // Anywhere from at once to well after it would have finished; and every eighth command is
        // let run to the end, so that codings whose command returned keep piling up to be checked
        // whatever the load on the machine.
        let delay = if (kills + finished) % 8 == 7 {
            Duration::from_mins(1)
        } else {
            typical.mul_f64(rng.below(1600) as f64 / 1000.0)
        };
        match run_or_kill(child, delay) {
            Some(out) => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                committed.insert(v["coding_id"].as_str().unwrap().to_string());
                finished += 1;
            }
            None => kills += 1,
        }
        let live = sound(&project);
        let lost: Vec<_> = committed.difference(&live).collect();
        assert!(
            lost.is_empty(),
            "after {kills} kills, codings whose command returned are gone: {lost:?}"
        );
    }
    assert!(
        kills >= 200,
        "only {kills} kills in the time allowed ({finished} commands finished)"
    );
    assert!(finished > 0, "some commands finished between the kills");
    // The search index, killed mid-update many times, still answers (rebuilt where it was damaged).
    accord(d, &["search", p, "supervisor"])
        .success()
        .stdout_has("matching turns");
}

#[test]
fn kills_while_importing_reindexing_and_exporting_leave_a_sound_project() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = project(d);
    let p = project.to_str().unwrap();
    let folder = samples().join("transcripts");
    let out = d.join("excerpts.csv");
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let jobs: [&[&str]; 3] = [
        &["import", p, folder.to_str().unwrap()],
        &["reindex", p],
        &["export", p, "excerpts", "--out", out.to_str().unwrap()],
    ];
    for args in jobs {
        let clock = Instant::now();
        let _ = run_or_kill(spawn(d, args), Duration::from_mins(2));
        let typical = clock.elapsed();
        let whole_export = std::fs::read(&out).ok();
        for _ in 0..15 {
            let delay = typical.mul_f64(rng.below(1000) as f64 / 1000.0);
            let _ = run_or_kill(spawn(d, args), delay);
            sound(&project);
            // Each transcript is whole or absent: its turns are all there.
            let store = Store::open(&project).unwrap();
            for t in store.transcripts().unwrap() {
                assert_eq!(store.turns(t.transcript_id).unwrap().len(), t.turn_count);
                assert!(t.turn_count > 0, "{}: a transcript without turns", t.name);
            }
            // An export is whole or absent: never a half-written file under its name.
            if args[0] == "export" {
                assert_eq!(
                    std::fs::read(&out).ok(),
                    whole_export,
                    "a half-written export"
                );
            }
        }
    }
    accord(d, &["search", p, "supervisor"]).success();
}

/// P01's text, turns and every coding of it: what a correction changes.
fn p01_state(project: &Path) -> crate::correct::State {
    crate::correct::state(&Store::open(project).unwrap(), "P01_interview")
}

#[test]
fn a_correction_killed_midway_leaves_the_old_text_with_its_codings_or_the_new_with_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = crate::support::demo(d);
    let p = project.to_str().unwrap();
    let (old, new) = ("terrible first impression", "awful first impression");
    let correct = |from: &str, to: &str| -> Vec<String> {
        [
            "transcripts",
            "edit",
            p,
            "P01_interview",
            "--replace",
            from,
            to,
            "--apply",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
    };
    // Both states, once: corrected, and back.
    let before = p01_state(&project);
    let clock = Instant::now();
    let args = correct(old, new);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    accord(d, &args).success();
    let typical = clock.elapsed();
    let after = p01_state(&project);
    assert_ne!(before, after);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut kills = 0;
    for _ in 0..24 {
        let (from, to) = if p01_state(&project).0.contains(old) {
            (old, new)
        } else {
            (new, old)
        };
        let args = correct(from, to);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let delay = typical.mul_f64(rng.below(1000) as f64 / 1000.0);
        if run_or_kill(spawn(d, &args), delay).is_none() {
            kills += 1;
        }
        sound(&project);
        let now = p01_state(&project);
        // Whole or not at all: the old text with every coding where it was, or the new with
        // every coding where the correction puts it (the same ids, spans and removals).
        assert!(
            now == before || now == after,
            "a correction killed midway left a mixed state"
        );
    }
    assert!(kills > 0, "some corrections were killed");
}
