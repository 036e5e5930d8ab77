//! The window's background tasks: each reports its progress and ends in a message, also when it
//! fails or panics (and then gives the project back); the window keeps drawing and answering while
//! a merge or a de-identification runs; a coding the window shows as saved survives kill -9.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use accord::gui::{
    AccordApp, DeidentifyCommand, EraseCommand, TaskKind, TeamViewCommand, UiCommand,
};
use accord::model::{CodingFilter, Span};
use accord::store::Store;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::{accord, demo, samples, steps, window};

type H = Harness<'static, AccordApp>;

/// Picks the rater in the start-up dialog.
fn as_maya(h: &mut H) {
    h.get_by_label("Maya Chen").click();
    steps(h, 8);
}

/// Sends a command and waits for what it started to end; returns how the last task ended.
fn run(h: &mut H, command: UiCommand) -> accord::gui::Finished {
    let before = h.state().finished().len();
    h.state_mut().send(command);
    steps(h, 2);
    assert!(!h.state().busy(), "the task ended");
    assert!(
        h.state().finished().len() > before,
        "a task ended and was recorded"
    );
    h.state().finished().back().unwrap().clone()
}

fn live_codings(h: &H) -> usize {
    h.state()
        .workspace()
        .expect("the project is back with the window")
        .store()
        .codings(&CodingFilter::default())
        .unwrap()
        .len()
}

fn transcript_id(h: &H, name: &str) -> accord::model::TranscriptId {
    h.state()
        .workspace()
        .unwrap()
        .store()
        .find_transcript(name)
        .unwrap()
        .transcript_id
}

/// P01's text with a line of its own, under another name (so it is not skipped as already there).
fn unique_copy(d: &Path, name: &str) -> PathBuf {
    let mut text =
        std::fs::read_to_string(samples().join("transcripts/P01_interview.txt")).unwrap();
    text = format!("{text}\nInterviewer: And {name}, one last thing?\n");
    let path = d.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A rater file of the demo for Jordan Ellis, with one more coding than the project has.
fn rater_file(d: &Path, project: &Path) -> PathBuf {
    let file = d.join("jordan.accord");
    let (p, f) = (project.to_str().unwrap(), file.to_str().unwrap());
    accord(
        d,
        &[
            "rater-file",
            p,
            "--rater",
            "Jordan Ellis",
            "--transcripts",
            "P01_interview",
            "--out",
            f,
        ],
    )
    .success();
    accord(
        d,
        &[
            "code",
            f,
            "-t",
            "P01_interview",
            "-c",
            "Burnout",
            "-r",
            "Jordan Ellis",
            "--turns",
            "3",
        ],
    )
    .success();
    file
}

#[test]
fn each_task_reports_its_progress_and_ends_in_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let jordan = rater_file(d, &project);
    let broken = d.join("broken.vtt");
    std::fs::write(&broken, "not a subtitle file").unwrap();
    let fresh = unique_copy(d, "P42_interview.txt");
    let mut h = window(&project);
    as_maya(&mut h);

    // Import: a count of files, a line per file, the broken one named, the good one stored.
    let ctx = h.ctx.clone();
    h.state_mut()
        .start_import(&ctx, vec![broken.clone(), fresh.clone()]);
    steps(&mut h, 2);
    let import = h.state().finished().back().unwrap().clone();
    assert_eq!(import.kind, TaskKind::Import);
    assert_eq!((import.progress.done, import.progress.total), (2, Some(2)));
    assert_eq!(
        import.progress.lines.len(),
        2,
        "{:?}",
        import.progress.lines
    );
    assert!(
        !import.ok && import.message.contains("1 file(s) could not be imported"),
        "{import:?}"
    );
    let shown: Vec<String> = h
        .query_all_by_label_contains("imported")
        .map(|n| format!("{n:?}").chars().take(300).collect())
        .collect();
    assert!(
        h.query_by_label_contains("imported  P42_interview.txt")
            .is_some(),
        "{shown:?} {:?}",
        import.progress.lines
    );
    transcript_id(&h, "P42_interview");
    h.get_by_label("Close").click();
    steps(&mut h, 1);

    // Merge: the rater file's coding comes in; a file that is not there fails with a message.
    let before = live_codings(&h);
    let merged = run(
        &mut h,
        UiCommand::Team(TeamViewCommand::Merge(vec![jordan.clone()])),
    );
    assert_eq!(merged.kind, TaskKind::Merge);
    assert!(merged.ok, "{merged:?}");
    assert!(!merged.progress.step.is_empty(), "the merge said its step");
    assert_eq!(live_codings(&h), before + 1);
    let missing = run(
        &mut h,
        UiCommand::Team(TeamViewCommand::Merge(vec![d.join("nobody.accord")])),
    );
    assert!(!missing.ok, "{missing:?}");
    assert!(
        h.state()
            .team
            .messages
            .iter()
            .any(|(ok, m)| !ok && m.contains("nobody.accord")),
        "{:?}",
        h.state().team.messages
    );

    // Agreement: computed on its own connection, shown in the view.
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    steps(&mut h, 2);
    let agreement = h.state().finished().back().unwrap().clone();
    assert_eq!(agreement.kind, TaskKind::Agreement);
    assert!(agreement.ok, "{agreement:?}");
    assert!(matches!(h.state().agreement.result, Some(Ok(_))));
    assert!(!h.state().agreement.busy);

    // Reindex.
    let reindexed = run(&mut h, UiCommand::Reindex);
    assert_eq!(reindexed.kind, TaskKind::Reindex);
    assert!(
        reindexed.ok && reindexed.message.contains("Rebuilt the search index"),
        "{reindexed:?}"
    );

    // De-identification.
    let list = d.join("names.csv");
    std::fs::write(&list, "Lena,Coach C1\n").unwrap();
    let names = accord::app::files::read_pseudonyms(&list).unwrap();
    let done = run(
        &mut h,
        UiCommand::Deidentify(DeidentifyCommand::Apply(Box::new(names))),
    );
    assert_eq!(done.kind, TaskKind::Deidentify);
    assert!(
        done.ok && done.message.contains("De-identified"),
        "{done:?}"
    );

    // Erase: P09 goes.
    let p09 = transcript_id(&h, "P42_interview");
    let erased = run(
        &mut h,
        UiCommand::Erase(EraseCommand::Erase(vec![p09], false)),
    );
    assert_eq!(erased.kind, TaskKind::Erase);
    assert!(erased.ok && erased.message.contains("Erased"), "{erased:?}");

    // Restore: a backup that is not there fails; one taken by hand (beside the window, as another
    // Accord may) brings the project back to before a rater was added.
    let refused = run(&mut h, UiCommand::Restore(d.join("no-such-backup.accord")));
    assert_eq!(refused.kind, TaskKind::Restore);
    assert!(!refused.ok, "{refused:?}");
    accord(d, &["backup", project.to_str().unwrap()]).success();
    let added = run(
        &mut h,
        UiCommand::Apply {
            label: "Add a rater".into(),
            command: accord::app::Command::Raters(accord::app::RaterCommand::Add {
                name: "Zed".into(),
                kind: accord::model::RaterKind::Human,
            }),
        },
    );
    assert_eq!(added.kind, TaskKind::Save);
    let backup = accord::app::project_file::list_backups(&project)
        .unwrap()
        .into_iter()
        .rev()
        .find(|b| b.reason == "by-hand")
        .expect("the backup taken by hand");
    let restored = run(&mut h, UiCommand::Restore(backup.path));
    assert!(restored.ok, "{restored:?}");
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .store()
            .find_rater("Zed")
            .is_err(),
        "the project is the backup now"
    );
    assert!(h.query_by_label_contains("Restored the project").is_some());
}

#[test]
fn a_task_that_panics_ends_in_a_message_and_gives_the_project_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let jordan = rater_file(d, &project);
    let mut h = window(&project);
    as_maya(&mut h);
    let p01 = transcript_id(&h, "P01_interview");
    let list = d.join("names.csv");
    std::fs::write(&list, "Lena,Coach C1\n").unwrap();
    let codings = live_codings(&h);
    let kinds = [
        (TaskKind::Save, UiCommand::Undo),
        (
            TaskKind::Merge,
            UiCommand::Team(TeamViewCommand::Merge(vec![jordan])),
        ),
        (
            TaskKind::Deidentify,
            UiCommand::Deidentify(DeidentifyCommand::Apply(Box::new(
                accord::app::files::read_pseudonyms(&list).unwrap(),
            ))),
        ),
        (
            TaskKind::Erase,
            UiCommand::Erase(EraseCommand::Erase(vec![p01], false)),
        ),
        (TaskKind::Restore, UiCommand::Restore(d.join("any.accord"))),
        (TaskKind::Reindex, UiCommand::Reindex),
    ];
    for (kind, command) in kinds {
        h.state_mut().tasks_mut().panic_next(kind);
        let ended = run(&mut h, command);
        assert_eq!(ended.kind, kind);
        assert!(
            !ended.ok && ended.message.contains("panic"),
            "{kind:?}: {ended:?}"
        );
        assert!(h.state().workspace().is_some(), "{kind:?} gave it back");
        assert!(h.query_by_label_contains("panic injected").is_some());
        assert_eq!(live_codings(&h), codings, "{kind:?} changed nothing");
    }
    // Import and agreement too.
    h.state_mut().tasks_mut().panic_next(TaskKind::Import);
    let ctx = h.ctx.clone();
    let p09 = unique_copy(d, "P42_interview.txt");
    h.state_mut().start_import(&ctx, vec![p09]);
    steps(&mut h, 2);
    let import = h.state().finished().back().unwrap().clone();
    assert!(!import.ok && import.message.contains("panic"), "{import:?}");
    assert!(h.query_by_label_contains("the import stopped").is_some());
    h.get_by_label("Close").click();
    steps(&mut h, 1);
    h.state_mut().tasks_mut().panic_next(TaskKind::Agreement);
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    steps(&mut h, 2);
    assert!(!h.state().agreement.busy, "no spinner outlives its task");
    assert!(!h.state().finished().back().unwrap().ok);

    // The window still codes.
    h.state_mut().central = accord::gui::Central::Transcript;
    steps(&mut h, 2);
    h.state_mut().state.transcript_id = Some(p01);
    steps(&mut h, 2);
    h.state_mut().state.selection = Some(Span::new(100, 160));
    h.key_press(egui::Key::Num1);
    steps(&mut h, 2);
    assert_eq!(live_codings(&h), codings + 1);
}

#[test]
fn the_window_keeps_drawing_and_answering_while_a_merge_and_a_deidentification_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let jordan = rater_file(d, &project);
    let list = d.join("names.csv");
    std::fs::write(&list, "Lena,Coach C1\n").unwrap();
    let mut h = window(&project);
    as_maya(&mut h);
    let p02 = transcript_id(&h, "P02_interview");
    let commands = [
        (
            TaskKind::Merge,
            "Merging 1 rater file(s)",
            UiCommand::Team(TeamViewCommand::Merge(vec![jordan])),
        ),
        (
            TaskKind::Deidentify,
            "De-identifying",
            UiCommand::Deidentify(DeidentifyCommand::Apply(Box::new(
                accord::app::files::read_pseudonyms(&list).unwrap(),
            ))),
        ),
    ];
    for (kind, shown, command) in commands {
        // The task starts and is held open on its thread, the project with it.
        let gate = h.state_mut().tasks_mut().hold_next(kind);
        h.state_mut().send(command);
        h.run_steps(2);
        assert!(h.state().tasks().is_running(kind));
        assert!(h.state().workspace().is_none(), "the task has the project");
        // Frames keep coming, and the status bar says what runs and how long it has.
        for _ in 0..30 {
            h.run_steps(1);
        }
        assert!(
            h.query_by_label_contains(shown).is_some(),
            "the status bar shows {shown}"
        );
        // The window answers: a transcript opens from the list, the view switches...
        h.state_mut().state.transcript_id = None;
        h.state_mut().send(UiCommand::OpenTranscript(p02));
        h.run_steps(2);
        assert_eq!(h.state().state.transcript_id, Some(p02));
        h.get_all_by_label("Search").next().unwrap().click();
        h.run_steps(2);
        assert_eq!(h.state().central, accord::gui::Central::Search);
        h.state_mut().central = accord::gui::Central::Transcript;
        h.run_steps(2);
        // ... and a change asked for meanwhile is refused, naming the task, not queued blindly.
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(2);
        let message = format!("{:?}", h.state().state.message);
        assert!(message.contains(kind.title()), "{message}");
        assert!(h.state().tasks().is_running(kind));
        gate.open();
        steps(&mut h, 2);
        let ended = h.state().finished().back().unwrap().clone();
        assert_eq!(ended.kind, kind);
        assert!(ended.ok, "{ended:?}");
        assert!(h.state().workspace().is_some());
    }
}

#[test]
fn an_import_stops_between_files_and_agreement_stops_at_once_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let files: Vec<PathBuf> = (0..3)
        .map(|i| unique_copy(d, &format!("P9{i}_interview.txt")))
        .collect();
    let mut h = window(&project);
    as_maya(&mut h);
    let transcripts = |h: &H| {
        h.state()
            .workspace()
            .unwrap()
            .store()
            .transcripts()
            .unwrap()
            .len()
    };
    let before = transcripts(&h);

    // Held before its first file; Stop (in the import dialog) is pressed; it stores nothing.
    let gate = h.state_mut().tasks_mut().hold_next(TaskKind::Import);
    let ctx = h.ctx.clone();
    h.state_mut().start_import(&ctx, files.clone());
    h.run_steps(2);
    assert!(
        h.query_by_label("Close").is_none(),
        "no Close while it runs"
    );
    h.get_all_by_label("Stop").next().unwrap().click();
    h.run_steps(2);
    gate.open();
    steps(&mut h, 2);
    let ended = h.state().finished().back().unwrap().clone();
    assert!(ended.message.contains("stopped when asked"), "{ended:?}");
    assert_eq!(transcripts(&h), before);
    assert!(h.query_by_label("Close").is_some());

    // Not stopped: every file, counted.
    h.get_by_label("Close").click();
    steps(&mut h, 1);
    h.state_mut().start_import(&ctx, files);
    steps(&mut h, 2);
    let ended = h.state().finished().back().unwrap().clone();
    assert_eq!((ended.progress.done, ended.progress.total), (3, Some(3)));
    assert_eq!(transcripts(&h), before + 3);
    h.get_by_label("Close").click();
    steps(&mut h, 1);

    // A merge, held, then stopped: nothing is merged, and the team view says so.
    let jordan = rater_file(d, &project);
    let codings = live_codings(&h);
    let gate = h.state_mut().tasks_mut().hold_next(TaskKind::Merge);
    h.state_mut()
        .send(UiCommand::Team(TeamViewCommand::Merge(vec![
            jordan.clone(),
        ])));
    h.run_steps(2);
    h.get_all_by_label("Stop").next().unwrap().click();
    h.run_steps(2);
    gate.open();
    steps(&mut h, 2);
    let ended = h.state().finished().back().unwrap().clone();
    assert_eq!(ended.kind, TaskKind::Merge);
    assert!(
        !ended.ok && ended.message.contains("stopped when asked"),
        "{ended:?}"
    );
    assert_eq!(live_codings(&h), codings, "nothing was merged");
    // Not stopped, the same file merges.
    let merged = run(
        &mut h,
        UiCommand::Team(TeamViewCommand::Merge(vec![jordan])),
    );
    assert!(merged.ok, "{merged:?}");
    assert_eq!(live_codings(&h), codings + 1);

    // Agreement, held, then stopped: the window is free at once; the thread's late result is
    // dropped.
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    let gate = h.state_mut().tasks_mut().hold_next(TaskKind::Agreement);
    h.get_by_label("Compute agreement").click();
    h.run_steps(2);
    assert!(h.state().agreement.busy);
    h.get_all_by_label("Stop").next().unwrap().click();
    h.run_steps(2);
    assert!(!h.state().agreement.busy);
    assert!(!h.state().busy());
    gate.open();
    for _ in 0..20 {
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        h.state().agreement.result.is_none(),
        "the stopped result is not shown"
    );
}

#[test]
fn closing_the_window_waits_for_a_save_under_way() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    as_maya(&mut h);
    let p01 = transcript_id(&h, "P01_interview");
    h.state_mut().state.transcript_id = Some(p01);
    steps(&mut h, 2);
    let before = live_codings(&h);
    // The save is held on its thread as the window closes; it is let go a moment later.
    let gate = h.state_mut().tasks_mut().hold_next(TaskKind::Save);
    h.state_mut().state.selection = Some(Span::new(120, 170));
    h.key_press(egui::Key::Num1);
    h.run_steps(1);
    assert!(h.state().workspace().is_none(), "the save has the project");
    let opener = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        gate.open();
    });
    eframe::App::on_exit(h.state_mut());
    opener.join().unwrap();
    assert!(!h.state().busy());
    let store = Store::open(&project).unwrap();
    assert_eq!(
        store.codings(&CodingFilter::default()).unwrap().len(),
        before + 1,
        "the coding being saved as the window closed is in the project"
    );
}

/// The child of the kill test below: codes passages through the window, one after another, and
/// prints each coding's id once the window says it is saved. Runs only when the parent starts it.
#[test]
#[ignore = "started by a_coding_the_window_shows_as_saved_survives_kill_9"]
fn window_child_codes_until_killed() {
    let Some(project) = std::env::var_os("ACCORD_WINDOW_CHILD") else {
        return;
    };
    let mut h = window(Path::new(&project));
    h.get_by_label("Ana").click();
    steps(&mut h, 8);
    let p01 = transcript_id(&h, "P01_interview");
    h.state_mut().state.transcript_id = Some(p01);
    steps(&mut h, 2);
    let len = h.state().open_transcript().unwrap().transcript.len_chars;
    let mut out = std::io::stdout().lock();
    for i in 0..10_000usize {
        let start = 50 + (i * 97) % (len - 200);
        h.state_mut().state.selection = Some(Span::new(start, start + 40));
        h.key_press(egui::Key::Num1);
        steps(&mut h, 1);
        let said = format!("{:?}", h.state().state.message);
        if said.contains("saved")
            && let Some(id) = h.state().state.coding_id
        {
            std::io::Write::write_all(&mut out, format!("SAVED {}\n", id.to_text()).as_bytes())
                .unwrap();
            std::io::Write::flush(&mut out).unwrap();
        }
    }
}

#[test]
fn a_coding_the_window_shows_as_saved_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("kill.accord");
    let p = project.to_str().unwrap();
    accord(d, &["new", p]).success();
    let book = crate::support::root().join("codebooks/capp-phase3.toml");
    accord(d, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let p01 = samples().join("transcripts/P01_interview.txt");
    accord(d, &["import", p, p01.to_str().unwrap()]).success();
    accord(d, &["rater", "add", p, "Ana"]).success();
    let mut saved = Vec::new();
    for round in 0..4usize {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "gui_tasks::window_child_codes_until_killed",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("ACCORD_WINDOW_CHILD", &project)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        // Killed right after the window said "saved" for the (round + 2)th time.
        let mut seen = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(id) = line.strip_prefix("SAVED ") {
                saved.push(id.to_string());
                seen += 1;
                if seen == round + 2 {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(seen, round + 2, "the child coded and said so");
        let store = Store::open(&project).expect("the project opens after a kill");
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        let live: std::collections::BTreeSet<String> = store
            .codings(&CodingFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| c.coding_id.to_text())
            .collect();
        for id in &saved {
            assert!(
                live.contains(id),
                "coding {id}, shown as saved, survived the kill"
            );
        }
    }
}
