//! The window's background tasks, in one place. Every piece of work that can take more than a few
//! milliseconds runs here, on a named thread, never on the UI thread: saving a change (the durable
//! commit), importing transcripts, computing agreement, merging rater files, de-identifying,
//! erasing, restoring a backup and rebuilding the search index.
//!
//! A task that changes the project takes the window's [`Workspace`] with it and gives it back when
//! it ends, so no other change can run meanwhile (the project is locked against conflicting
//! commands by construction: there is nothing to run them on). Agreement and reindexing read the
//! project through a second connection and leave the workspace with the window.
//!
//! Each task shows its progress (a count, or the step it is on) in the status bar, can be stopped
//! where stopping halfway is harmless (import between files, agreement, reindexing), and always
//! ends: its result, its error, or its panic (caught on its thread, the workspace still given back)
//! becomes a message in the window. No spinner outlives its task.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use egui::Ui;

use super::command::UiCommand;
use super::dispatch::After;
use crate::app::Workspace;

/// What a task does; one at most of each runs at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    /// Saving a change to the project (a coding, an undo, any edit): one transaction.
    Save,
    /// Reading the transcript to show (its text and the codings the rater may see).
    Load,
    /// Reading what a view shows (a search, the passages to adjudicate, a preview, memos).
    Read,
    /// Importing transcripts, file by file.
    Import,
    /// Computing the agreement report and its disagreements.
    Agreement,
    /// Merging rater files back into the project.
    Merge,
    /// De-identifying the project and purging the old text.
    Deidentify,
    /// Erasing transcripts and purging them from the file and its backups.
    Erase,
    /// Putting a backup back in place of the project.
    Restore,
    /// Rebuilding the search index.
    Reindex,
}

impl TaskKind {
    /// What the window calls it while it runs.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Save => "Saving",
            Self::Load => "Opening a transcript",
            Self::Read => "Reading the project",
            Self::Import => "Importing transcripts",
            Self::Agreement => "Computing agreement",
            Self::Merge => "Merging rater files",
            Self::Deidentify => "De-identifying",
            Self::Erase => "Erasing transcripts",
            Self::Restore => "Restoring a backup",
            Self::Reindex => "Rebuilding the search index",
        }
    }

    /// The name of its thread (seen in a debugger, a profiler, a panic message).
    fn thread_name(self) -> &'static str {
        match self {
            Self::Save => "accord-save",
            Self::Load => "accord-load",
            Self::Read => "accord-read",
            Self::Import => "accord-import",
            Self::Agreement => "accord-agreement",
            Self::Merge => "accord-merge",
            Self::Deidentify => "accord-deidentify",
            Self::Erase => "accord-erase",
            Self::Restore => "accord-restore",
            Self::Reindex => "accord-reindex",
        }
    }

    /// Whether it works on the window's workspace (and so holds the project while it runs).
    #[must_use]
    pub fn holds_project(self) -> bool {
        !matches!(self, Self::Agreement | Self::Reindex)
    }

    /// Whether it takes milliseconds (a save, a transcript read): commands that need the project
    /// meanwhile wait for it instead of being refused, and the status bar shows it only when it
    /// takes longer than that.
    #[must_use]
    pub fn is_brief(self) -> bool {
        matches!(self, Self::Save | Self::Load | Self::Read)
    }

    /// Whether it can be stopped halfway without harm: an import between two files (each file is
    /// its own change), a merge inside a file's transaction (which rolls back; files merged before
    /// stay merged), agreement and reindexing (they change nothing in the project). A
    /// de-identification and an erase go on to purge once their change is made, and a restore is
    /// one move: none of these can stop halfway.
    #[must_use]
    pub fn can_cancel(self) -> bool {
        matches!(
            self,
            Self::Import | Self::Merge | Self::Agreement | Self::Reindex
        )
    }
}

/// How one line of a task's log reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Done (a file imported, a rater file merged).
    Done,
    /// Passed over, with the reason (a file already imported).
    Skipped,
    /// Failed, with the reason.
    Failed,
}

/// A task's progress as its thread reports it.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Items done.
    pub done: usize,
    /// Items in all, when the task can count them.
    pub total: Option<usize>,
    /// The step it is on, in words.
    pub step: String,
    /// What happened to each item so far, in order.
    pub lines: Vec<(LineKind, String)>,
}

/// The worker's side of a task: reports progress and asks whether to stop.
#[derive(Clone)]
pub struct Reporter {
    progress: Arc<Mutex<Progress>>,
    cancel: Arc<AtomicBool>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Reporter {
    fn with(&self, f: impl FnOnce(&mut Progress)) {
        f(&mut self.progress.lock().unwrap_or_else(PoisonError::into_inner));
        (self.wake)();
    }

    /// Says which step the task is on.
    pub fn step(&self, text: impl Into<String>) {
        let text = text.into();
        self.with(|p| p.step = text);
    }

    /// Says how many items of how many are done.
    pub fn count(&self, done: usize, total: usize) {
        self.with(|p| {
            p.done = done;
            p.total = Some(total);
        });
    }

    /// Adds a line to the task's log (one per file, say).
    pub fn line(&self, kind: LineKind, text: impl Into<String>) {
        let text = text.into();
        self.with(|p| p.lines.push((kind, text)));
    }

    /// The flag the Stop button sets (for a store to watch: see `Workspace::interrupt_when`).
    #[must_use]
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Whether the person asked the task to stop.
    #[must_use]
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// What a task's work gives back (besides the workspace).
#[derive(Debug)]
pub enum Report {
    /// A change was applied (or refused).
    Applied(crate::app::Result<crate::app::Outcome>),
    /// Codings were added: the outcome, and the codings as stored (to update the window's caches
    /// without reading the project again).
    Coded(crate::app::Result<(crate::app::Outcome, Vec<crate::model::Coding>)>),
    /// The last change was undone (its label), or there was nothing to undo.
    Undone(crate::app::Result<Option<String>>),
    /// The last undone change was redone (its label), or there was nothing to redo.
    Redone(crate::app::Result<Option<String>>),
    /// Files were imported (each file's outcome is in the task's log).
    Imported {
        /// Files stored.
        stored: usize,
        /// Files that failed.
        failed: usize,
        /// Whether the import stopped early because it was asked to.
        cancelled: bool,
    },
    /// The agreement report.
    Agreement(Box<Result<super::agreement_view::AgreementResult, String>>),
    /// The window's snapshots were read (the project's, the open transcript's, or both).
    Loaded(Box<Snapshots>),
    /// The index was rebuilt (what to tell), or why not.
    Reindexed(Result<String, String>),
    /// Something to tell, or an error to show.
    Said(Result<String, String>),
    /// What was read, to hand to the view that asked for it.
    Read(Deliver),
}

/// Snapshots read on a task (each only when it was out of date).
#[derive(Debug)]
pub struct Snapshots {
    /// The project's.
    pub project: Option<crate::app::Result<super::cache::ProjectCache>>,
    /// The open transcript's.
    pub transcript: Option<crate::app::Result<super::cache::TranscriptCache>>,
}

/// What a read hands to the window, on the UI thread, once it is done.
pub struct Deliver(pub Box<dyn FnOnce(&mut super::app::AccordApp) + Send>);

impl std::fmt::Debug for Deliver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deliver(..)")
    }
}

/// A task that ended: the workspace it had (if any), and its report, or why it has none (it
/// panicked, or its thread vanished).
#[derive(Debug)]
pub struct Ended {
    /// Which task.
    pub kind: TaskKind,
    /// What the window calls it.
    pub label: String,
    /// The workspace, given back.
    pub workspace: Option<Workspace>,
    /// The task's report, or the panic's message.
    pub report: Result<Report, String>,
    /// Its log (per file), for the window to keep showing.
    pub progress: Progress,
    /// How long it ran.
    pub took: Duration,
    /// What the window does with the outcome.
    pub after: After,
}

/// A task that ended, as the window remembers it.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Which task.
    pub kind: TaskKind,
    /// What the window called it.
    pub label: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// What the window said when it ended.
    pub message: String,
    /// How far it got (its step, its count, its log).
    pub progress: Progress,
    /// How long it ran.
    pub took: Duration,
}

struct Message {
    workspace: Option<Workspace>,
    report: Result<Report, String>,
}

/// One running task.
pub struct Task {
    kind: TaskKind,
    label: String,
    started: Instant,
    progress: Arc<Mutex<Progress>>,
    cancel: Arc<AtomicBool>,
    rx: Receiver<Message>,
    after: Option<After>,
}

impl Task {
    /// Which task.
    #[must_use]
    pub fn kind(&self) -> TaskKind {
        self.kind
    }

    /// What it is doing, as the window says it.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A copy of its progress now.
    #[must_use]
    pub fn progress(&self) -> Progress {
        self.with_progress(Progress::clone)
    }

    /// Looks at its progress now without copying it (the lock is held while `f` runs).
    pub fn with_progress<R>(&self, f: impl FnOnce(&Progress) -> R) -> R {
        f(&self.progress.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A gate a task waits at before it works (the tests hold a task open to prove the window keeps
/// drawing while it runs).
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    /// Lets the task go on.
    pub fn open(&self) {
        let (open, cv) = &*self.0;
        *open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        cv.notify_all();
    }

    fn wait(&self) {
        let (open, cv) = &*self.0;
        let mut is_open = open.lock().unwrap_or_else(PoisonError::into_inner);
        while !*is_open {
            is_open = cv.wait(is_open).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// What the next task of a kind does first (test seams).
#[derive(Debug, Clone)]
pub enum Seam {
    /// Panics on its thread.
    Panic,
    /// Waits at the gate.
    Hold(Gate),
}

/// A task that could not start (no thread to be had): why, and the workspace it was given.
#[derive(Debug)]
pub struct NotStarted {
    /// Why.
    pub error: String,
    /// The workspace, given back.
    pub workspace: Option<Workspace>,
}

/// The window's running tasks.
#[derive(Default)]
pub struct Tasks {
    running: Vec<Task>,
    /// Test seams: what the next task of a kind does first.
    seams: Vec<(TaskKind, Seam)>,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.running.iter().map(|t| (t.kind, &t.label)))
            .finish()
    }
}

impl Tasks {
    /// Starts `work` on a thread of its own, with the workspace when the task holds the project.
    /// `wake` repaints the window (progress, and the end). Fails only when the thread cannot be
    /// made (then the workspace is given back at once, in the error).
    pub fn start(
        &mut self,
        kind: TaskKind,
        label: impl Into<String>,
        workspace: Option<Workspace>,
        after: After,
        wake: impl Fn() + Send + Sync + 'static,
        work: impl FnOnce(Option<&mut Workspace>, &Reporter) -> Report + Send + 'static,
    ) -> Result<(), Box<NotStarted>> {
        let (tx, rx) = channel();
        let progress = Arc::new(Mutex::new(Progress::default()));
        let cancel = Arc::new(AtomicBool::new(false));
        let reporter = Reporter {
            progress: Arc::clone(&progress),
            cancel: Arc::clone(&cancel),
            wake: Arc::new(wake),
        };
        let seam = self
            .seams
            .iter()
            .position(|(k, _)| *k == kind)
            .map(|at| self.seams.remove(at).1);
        // The workspace crosses to the thread through a slot the spawn failure can give back.
        let slot = Arc::new(Mutex::new(workspace));
        let theirs = Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name(kind.thread_name().to_string())
            .spawn(move || {
                let mut workspace = theirs.lock().unwrap_or_else(PoisonError::into_inner).take();
                let report = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    match seam {
                        Some(Seam::Panic) => injected_panic(kind),
                        Some(Seam::Hold(gate)) => {
                            reporter.step("held (a test)");
                            gate.wait();
                        }
                        None => {}
                    }
                    work(workspace.as_mut(), &reporter)
                }))
                .map_err(|payload| panic_message(payload.as_ref()));
                let _ = tx.send(Message { workspace, report });
                (reporter.wake)();
            });
        if let Err(e) = spawned {
            let workspace = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            return Err(Box::new(NotStarted {
                error: format!("could not start a thread: {e}"),
                workspace,
            }));
        }
        self.running.push(Task {
            kind,
            label: label.into(),
            started: Instant::now(),
            progress,
            cancel,
            rx,
            after: Some(after),
        });
        Ok(())
    }

    /// The tasks that ended since the last call, in the order they were started.
    pub fn poll(&mut self) -> Vec<Ended> {
        let mut ended = Vec::new();
        let mut i = 0;
        while i < self.running.len() {
            let task = &mut self.running[i];
            let message = match task.rx.try_recv() {
                Ok(m) => Some(m),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(Message {
                    workspace: None,
                    report: Err("its thread ended without a word".into()),
                }),
            };
            let Some(message) = message else {
                i += 1;
                continue;
            };
            let task = self.running.remove(i);
            let progress = task.progress();
            ended.push(Ended {
                kind: task.kind,
                label: task.label,
                workspace: message.workspace,
                report: message.report,
                progress,
                took: task.started.elapsed(),
                after: task.after.unwrap_or(After::Nothing),
            });
        }
        ended
    }

    /// Asks a task to stop. A task that changes nothing (agreement, reindexing) is let go at once
    /// (its thread finishes alone and its result is dropped); an import stops after the file it is
    /// storing. Returns whether there was such a task.
    pub fn cancel(&mut self, kind: TaskKind) -> bool {
        if !kind.can_cancel() {
            return false;
        }
        let Some(at) = self.running.iter().position(|t| t.kind == kind) else {
            return false;
        };
        self.running[at].cancel.store(true, Ordering::Relaxed);
        if !kind.holds_project() {
            self.running.remove(at);
        }
        true
    }

    /// Whether a task of this kind is running.
    #[must_use]
    pub fn is_running(&self, kind: TaskKind) -> bool {
        self.running.iter().any(|t| t.kind == kind)
    }

    /// Whether any task is running.
    #[must_use]
    pub fn any(&self) -> bool {
        !self.running.is_empty()
    }

    /// The task holding the project, if one is.
    #[must_use]
    pub fn holder(&self) -> Option<&Task> {
        self.running.iter().find(|t| t.kind.holds_project())
    }

    /// The running task of a kind.
    #[must_use]
    pub fn get(&self, kind: TaskKind) -> Option<&Task> {
        self.running.iter().find(|t| t.kind == kind)
    }

    /// Every running task.
    pub fn running(&self) -> impl Iterator<Item = &Task> {
        self.running.iter()
    }

    /// A test seam: the next task of `kind` panics on its thread as it starts (the tests prove a
    /// panicking task still ends in a message and gives the project back).
    pub fn panic_next(&mut self, kind: TaskKind) {
        self.seams.push((kind, Seam::Panic));
    }

    /// A test seam: the next task of `kind` waits, once started (holding the project if it holds
    /// it), until the gate returned is opened (the tests prove the window keeps drawing and
    /// answering meanwhile).
    pub fn hold_next(&mut self, kind: TaskKind) -> Gate {
        let gate = Gate::default();
        self.seams.push((kind, Seam::Hold(gate.clone())));
        gate
    }

    /// The tasks in the status bar: each with a spinner or a bar, its step, how long it has run,
    /// and a Stop button where stopping is harmless. A save is shown only when it takes a while.
    pub fn ui(&self, ui: &mut Ui, queue: &mut Vec<UiCommand>) {
        for task in &self.running {
            let elapsed = task.started.elapsed();
            if task.kind.is_brief() && elapsed < Duration::from_millis(300) {
                continue;
            }
            ui.separator();
            let (done, total, step) = task.with_progress(|p| (p.done, p.total, p.step.clone()));
            match total {
                Some(total) if total > 0 => {
                    ui.add(
                        egui::ProgressBar::new(done as f32 / total as f32)
                            .desired_width(140.0)
                            .text(format!("{done} of {total}")),
                    );
                }
                _ => {
                    ui.spinner();
                }
            }
            // Before the words, which grow and change: the button never moves under the pointer.
            if task.kind.can_cancel() {
                if task.cancel.load(Ordering::Relaxed) {
                    ui.label(egui::RichText::new("stopping…").weak());
                } else if ui.button("Stop").clicked() {
                    queue.push(UiCommand::Cancel(task.kind));
                }
            }
            let step = if step.is_empty() {
                task.label.clone()
            } else {
                format!("{}: {step}", task.label)
            };
            ui.label(format!("{step} ({} s)", elapsed.as_secs()));
        }
    }
}

/// A panic's message, from its payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_string())
}

// The test seam's panic: deliberate, caught by `catch_unwind` on the task's own thread.
#[allow(clippy::panic)]
fn injected_panic(kind: TaskKind) {
    panic!("a panic injected into the {} task", kind.thread_name());
}
