//! Carrying out the window's commands, after the frame, in the order they were queued: the one
//! exhaustive `match` over [`UiCommand`]. The window's own state changes here at once; every change
//! to the project, and every long piece of work, starts a background task (`tasks`), whose end is
//! handled in [`finish`].
//!
//! While a task holds the project (a save, an import, a merge, ...), a command that needs the
//! project waits for a save to end (a save takes milliseconds) and is refused, with a message
//! naming the task, while a longer task runs.

use std::collections::VecDeque;

use super::Central;
use super::agreement_view::{AgreementCommand, AgreementResult};
use super::app::AccordApp;
use super::codebook_editor::CodeEditor;
use super::command::UiCommand;
use super::erase_dialog::EraseCommand;
use super::export_view::ExportCommand;
use super::groups_editor::GroupsEditor;
use super::import_dialog::{AttributeDialog, ImportView, PathPrompt};
use super::memo_editor::MemoEditor;
use super::search_view::SearchCommand;
use super::tasks::{Ended, LineKind, Report, Reporter, TaskKind};
use super::top_bar::MenuCommand;
use crate::app::CodingCommand;
use crate::app::agreement::{AgreementOptions, report_and_disagreements};
use crate::app::agreement_input::Selection;
use crate::app::search::SearchOptions;
use crate::app::{Command, FileOutcome, Outcome, ProjectCommand, Store, Workspace};
use crate::model::{CodeId, CodingFilter, CodingId, MemoTarget, NewCoding};

/// What the window does with a task's outcome once it ends.
#[derive(Debug, Clone, Default)]
pub enum After {
    /// Only say how it went.
    #[default]
    Nothing,
    /// A rater was added: choose them as who is coding.
    RaterAdded,
    /// Codings were added: select this one (the code just applied) when it is among them.
    Coded(Option<(CodingId, CodeId)>),
    /// A code was merged into another: show the one that stays.
    CodesMerged {
        /// The code that went.
        from: CodeId,
        /// The code that stays.
        into: CodeId,
    },
    /// The team view's messages show what happened (a rater file issued, rater files merged).
    TeamMessages,
    /// The de-identification dialog closes.
    Deidentified,
    /// The erase dialog closes.
    Erased,
    /// A backup was put in place of the project.
    Restored,
}

/// Carries out the queued commands in order; those that need the project while a save holds it
/// wait for the save (with every command queued after them, so order is kept).
pub(super) fn drain(app: &mut AccordApp, ctx: &egui::Context, queue: Vec<UiCommand>) {
    let mut waiting: VecDeque<UiCommand> = std::mem::take(&mut app.waiting);
    waiting.extend(queue);
    while let Some(command) = waiting.pop_front() {
        if needs_project(&command) && app.workspace.is_none() {
            let saving = app.tasks.holder().is_some_and(|t| t.kind().is_brief());
            if saving {
                waiting.push_front(command);
                break;
            }
            refuse(app);
            continue;
        }
        run(app, ctx, command);
    }
    app.waiting = waiting;
}

/// Says why a command cannot run now.
fn refuse(app: &mut AccordApp) {
    let why = match app.tasks.holder() {
        Some(t) => format!(
            "{} is running; this can be done once it ends.",
            t.kind().title()
        ),
        None => "The project is not open (it could not be given back after a task).".to_string(),
    };
    app.state.error(why);
}

/// Whether a command reads or changes the project (and so needs the workspace).
fn needs_project(command: &UiCommand) -> bool {
    match command {
        UiCommand::Apply { .. }
        | UiCommand::Undo
        | UiCommand::Redo
        | UiCommand::ApplyCode(_)
        | UiCommand::MergeCodes { .. }
        | UiCommand::OpenMemo(_)
        | UiCommand::Prompted(..)
        | UiCommand::ImportAttributes { .. }
        | UiCommand::Search(_)
        | UiCommand::Agreement(_)
        | UiCommand::Correct(_)
        | UiCommand::Adjudicate(_)
        | UiCommand::Rounds(_)
        | UiCommand::Export(_)
        | UiCommand::Grid(_)
        | UiCommand::Heatmaps(_)
        | UiCommand::Memos(_)
        | UiCommand::Deidentify(_)
        | UiCommand::Erase(_)
        | UiCommand::Restore(_)
        | UiCommand::Reindex => true,
        UiCommand::Menu(m) => matches!(
            m,
            MenuCommand::ImportTranscripts | MenuCommand::ImportAttributes
        ),
        UiCommand::Team(t) => !matches!(
            t,
            super::team_view::TeamViewCommand::BrowseOut
                | super::team_view::TeamViewCommand::BrowseMerge
        ),
        UiCommand::OpenTranscript(_)
        | UiCommand::JumpTo { .. }
        | UiCommand::SetRater(_)
        | UiCommand::SelectCode(_)
        | UiCommand::SelectCoding(_)
        | UiCommand::EditCode(..)
        | UiCommand::EditGroups
        | UiCommand::EditBoundary { .. }
        | UiCommand::SwitchTo(_)
        | UiCommand::Cancel(_) => false,
    }
}

/// Carries out one command.
fn run(app: &mut AccordApp, ctx: &egui::Context, command: UiCommand) {
    match command {
        UiCommand::Apply { label, command } => app.apply(ctx, &label, command),
        UiCommand::Undo => app.save(ctx, "Undo", After::Nothing, |ws| Report::Undone(ws.undo())),
        UiCommand::Redo => app.save(ctx, "Redo", After::Nothing, |ws| Report::Redone(ws.redo())),
        UiCommand::OpenTranscript(id) => {
            app.state.transcript_id = Some(id);
            app.state.selection = None;
            app.state.coding_id = None;
            app.central = Central::Transcript;
        }
        UiCommand::JumpTo {
            transcript_id,
            span,
        } => {
            app.state.transcript_id = Some(transcript_id);
            app.state.selection = Some(span);
            app.state.coding_id = None;
            app.state.scroll_to = Some(span.start);
            app.central = Central::Transcript;
        }
        UiCommand::ApplyCode(code_id) => app.apply_code(ctx, code_id),
        UiCommand::SetRater(id) => {
            app.state.rater_id = Some(id);
            app.state.coding_id = None;
        }
        UiCommand::SelectCode(id) => app.state.code_id = Some(id),
        UiCommand::SelectCoding(id) => {
            app.state.coding_id = id;
            if let Some(code) = id
                .and_then(|c| app.open.as_ref()?.coding(c))
                .map(|c| c.code_id)
            {
                app.state.code_id = Some(code);
            }
        }
        UiCommand::OpenMemo(target) => app.open_memo(ctx, target),
        UiCommand::EditCode(code, parent) => app.open_code_editor(code, parent),
        UiCommand::EditGroups => {
            app.groups_editor = Some(GroupsEditor::new(&app.project.codebook));
        }
        UiCommand::EditBoundary { code, other } => app.open_boundary_editor(code, other),
        UiCommand::MergeCodes { from, into } => app.merge_codes(ctx, from, into),
        UiCommand::Menu(m) => app.menu(ctx, m),
        UiCommand::Prompted(m, path) => app.prompted_path(ctx, m, path),
        UiCommand::ImportAttributes {
            path,
            key,
            create_missing,
        } => app.import_attributes(ctx, &path, &key, create_missing),
        UiCommand::SwitchTo(workspace) => app.switch_to_new(*workspace),
        UiCommand::Search(s) => app.search_command(ctx, s),
        UiCommand::Agreement(a) => app.agreement_command(ctx, a),
        UiCommand::Correct(c) => app.correct_command(ctx, c),
        UiCommand::Adjudicate(a) => app.adjudicate_command(ctx, a),
        UiCommand::Rounds(r) => app.rounds_command(ctx, r),
        UiCommand::Team(t) => app.team_command(ctx, t),
        UiCommand::Export(e) => app.export_command(ctx, e),
        UiCommand::Grid(g) => app.grid_command(ctx, g),
        UiCommand::Heatmaps(c) => app.heatmap_command(ctx, c),
        UiCommand::Memos(m) => app.memos_command(ctx, m),
        UiCommand::Deidentify(d) => app.deidentify_command(ctx, d),
        UiCommand::Erase(e) => app.erase_command(ctx, e),
        UiCommand::Restore(backup) => app.restore(ctx, backup),
        UiCommand::Reindex => app.reindex(ctx),
        UiCommand::Cancel(kind) => app.cancel(kind),
    }
}

/// Handles a task that ended: takes the workspace back and says what happened. A task that failed
/// or panicked ends in an error message, never a spinner; after one that held the project, the
/// window's snapshots are read again from the project as it now is.
pub(super) fn finish(app: &mut AccordApp, ended: Ended) {
    if matches!(ended.kind, TaskKind::Load | TaskKind::Read) && ended.report.is_ok() {
        // Reading what to show is not news: no message, no record.
        take_ended(app, ended);
        return;
    }
    let (kind, label, progress, took) = (
        ended.kind,
        ended.label.clone(),
        ended.progress.clone(),
        ended.took,
    );
    app.state.message = None;
    take_ended(app, ended);
    let (ok, message) = match &app.state.message {
        Some((super::state::Tone::Error, m)) => (false, m.clone()),
        Some((super::state::Tone::Info, m)) => (true, m.clone()),
        None => (true, String::new()),
    };
    if app.finished.len() >= 50 {
        app.finished.pop_front();
    }
    app.finished.push_back(super::tasks::Finished {
        kind,
        label,
        ok,
        message,
        progress,
        took,
    });
}

fn take_ended(app: &mut AccordApp, ended: Ended) {
    let Ended {
        kind,
        label,
        workspace,
        report,
        progress,
        took,
        after,
    } = ended;
    if let Some(ws) = workspace {
        app.workspace = Some(ws);
    } else if kind.holds_project() {
        app.reopen_after_loss();
    }
    if kind == TaskKind::Import
        && let Some(view) = &mut app.import
    {
        view.ended(progress.lines.clone());
    }
    let report = match report {
        Ok(r) => r,
        Err(panic) => {
            app.invalidate();
            if kind == TaskKind::Agreement {
                app.agreement.busy = false;
            }
            if kind == TaskKind::Import
                && let Some(view) = &mut app.import
            {
                view.failed = Some(format!("the import stopped: {panic}"));
            }
            app.state.error(format!(
                "{label} failed: {panic}. Nothing was half done: each change is one transaction."
            ));
            return;
        }
    };
    match report {
        Report::Applied(result) => applied(app, &label, after, result),
        Report::Coded(result) => coded(app, &label, after, result),
        Report::Undone(result) => match result {
            Ok(Some(l)) => app.state.info(format!("Undid: {l}")),
            Ok(None) => app.state.info("Nothing to undo."),
            Err(e) => app.state.error(format!("Could not undo: {e}")),
        },
        Report::Redone(result) => match result {
            Ok(Some(l)) => app.state.info(format!("Redid: {l}")),
            Ok(None) => app.state.info("Nothing to redo."),
            Err(e) => app.state.error(format!("Could not redo: {e}")),
        },
        Report::Imported {
            stored,
            failed,
            cancelled,
        } => imported(app, stored, failed, cancelled, took),
        Report::Agreement(result) => {
            app.agreement.busy = false;
            if let Err(e) = result.as_ref() {
                app.state.error(format!("Agreement: {e}"));
            }
            app.agreement.result = Some(*result);
        }
        Report::Reindexed(result) => match result {
            Ok(text) => {
                if let Some(ws) = &mut app.workspace {
                    ws.close_index();
                }
                app.state.info(text);
            }
            Err(e) => app.state.error(format!("Rebuilding the search index: {e}")),
        },
        Report::Loaded(read) => app.take_snapshots(*read),
        Report::Read(deliver) => (deliver.0)(app),
        Report::Said(result) => match result {
            Ok(text) => app.state.info(text),
            Err(e) => app.state.error(e),
        },
    }
    if kind.holds_project() && !kind.is_brief() {
        app.invalidate();
    }
}

/// An import that ended.
fn imported(
    app: &mut AccordApp,
    stored: usize,
    failed: usize,
    cancelled: bool,
    took: std::time::Duration,
) {
    let stop = if cancelled {
        "; stopped when asked (the files imported stay)"
    } else {
        ""
    };
    let secs = took.as_secs_f64();
    if failed == 0 {
        app.state.info(format!(
            "Imported {stored} transcript(s) in {secs:.1} s{stop}."
        ));
    } else {
        app.state.error(format!(
            "Imported {stored} transcript(s) in {secs:.1} s{stop}; {failed} file(s) could not be imported (see the import window)."
        ));
    }
}

/// A change that ended.
fn applied(app: &mut AccordApp, label: &str, after: After, result: crate::app::Result<Outcome>) {
    match (after, result) {
        (After::RaterAdded, Ok(Outcome::Rater(r))) => {
            app.state.rater_id = Some(r.rater_id);
            app.state.info(format!("{label}: done"));
        }
        (After::CodesMerged { from, into }, Ok(_)) => {
            if app.state.code_id == Some(from) {
                app.state.code_id = Some(into);
            }
            app.state.info(format!("{label}: saved"));
        }
        (After::TeamMessages, Ok(Outcome::Merged { backup, outcomes })) => {
            app.team.messages = backup
                .map(|b| (true, format!("Backup before merging: {}", b.display())))
                .into_iter()
                .chain(outcomes.iter().map(|o| (o.result.is_ok(), o.summary())))
                .collect();
            let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
            if failed == 0 {
                app.state.info(format!("{label}: done"));
            } else {
                app.state.error(format!(
                    "{label}: {failed} of {} file(s) not merged (the Team view says why)",
                    outcomes.len()
                ));
            }
        }
        (After::TeamMessages, Ok(Outcome::Issued(i))) => {
            app.team.messages = vec![(true, i.to_string())];
        }
        (After::TeamMessages, Err(e)) => {
            let what = if label.starts_with("Merge") {
                "Nothing was merged"
            } else {
                "No rater file was written"
            };
            app.team.messages = vec![(false, format!("{what}: {e}"))];
            app.state.error(format!("{label}: {e}"));
        }
        (After::Deidentified, result) => {
            app.deidentify = None;
            match result {
                Ok(Outcome::Deidentified(d)) => app.state.info(format!(
                    "De-identified: {} transcripts got a new version ({} names replaced); the old text is purged.",
                    d.applied.transcripts, d.applied.replacements
                )),
                Ok(_) => app.state.info("De-identified."),
                Err(e) => app.state.error(format!("De-identify: {e}")),
            }
        }
        (After::Erased, result) => {
            app.erase = None;
            match result {
                Ok(Outcome::Erased(d)) => app.state.info(format!(
                    "Erased {}; the backups were replaced and the search index rebuilt.",
                    d.erasure
                )),
                Ok(_) => app.state.info("Erased."),
                Err(e) => app.state.error(format!("Erase: {e}")),
            }
        }
        (After::Restored, result) => {
            app.restore = None;
            match result {
                Ok(Outcome::Restored { from, .. }) => app
                    .state
                    .info(format!("Restored the project from {}.", from.display())),
                Ok(_) => app.state.info("Restored."),
                Err(e) => app.state.error(format!("Restore: {e}")),
            }
        }
        (_, Ok(_)) => app.state.info(format!("{label}: saved")),
        (_, Err(e)) => app.state.error(format!("{label}: {e}")),
    }
}

/// Codings that were added: the window's snapshots take them as stored, without reading the
/// project again.
fn coded(
    app: &mut AccordApp,
    label: &str,
    after: After,
    result: crate::app::Result<(Outcome, Vec<crate::model::Coding>)>,
) {
    match result {
        Ok((outcome, codings)) => {
            app.take_codings(&codings);
            if let (After::Coded(Some((id, code))), Outcome::CodingsAdded(ids)) = (after, &outcome)
                && ids.contains(&id)
            {
                if app.state.selection.is_some() && app.coded_selection == app.state.selection {
                    app.state.selection = None;
                }
                app.state.coding_id = Some(id);
                app.state.code_id = Some(code);
            }
            match outcome {
                Outcome::CodingsAdded(ids) if ids.is_empty() => {
                    app.state.info(format!("{label}: already coded so"));
                }
                _ => app.state.info(format!("{label}: saved")),
            }
        }
        Err(e) => app.state.error(format!("{label}: {e}")),
    }
    app.coded_selection = None;
}

impl AccordApp {
    /// Works on a project just made (File › New encrypted project…), once no task runs.
    fn switch_to_new(&mut self, workspace: Workspace) {
        if self.tasks.any() {
            self.state
                .error("Wait for the running tasks to end before switching projects.");
            return;
        }
        let path = workspace
            .store()
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        self.switch_to(workspace);
        self.state
            .info(format!("Created the encrypted project {path}."));
    }

    /// Puts a backup back in place of the project, on the restore task.
    fn restore(&mut self, ctx: &egui::Context, backup: std::path::PathBuf) {
        let label = format!("Restore {}", backup.display());
        self.start_project_task(
            ctx,
            TaskKind::Restore,
            &label,
            After::Restored,
            move |ws, r| {
                r.step("checking the backup and putting it in place");
                Report::Applied(ws.apply(
                    "Restore a backup",
                    Command::Project(ProjectCommand::Restore { backup }),
                ))
            },
        );
    }

    /// Stops a task where stopping is harmless.
    fn cancel(&mut self, kind: TaskKind) {
        if !self.tasks.cancel(kind) {
            return;
        }
        if kind == TaskKind::Agreement {
            self.agreement.busy = false;
        }
        if kind == TaskKind::Import {
            self.state.info(format!(
                "{}: stopping after the current file…",
                kind.title()
            ));
        } else if kind.holds_project() {
            self.state.info(format!("{}: stopping…", kind.title()));
        } else {
            self.state.info(format!("{}: stopped.", kind.title()));
        }
    }

    /// Starts a task that works on the project (the workspace goes with it and comes back when it
    /// ends). Refused, with a message, when another task holds the project.
    pub(super) fn start_project_task(
        &mut self,
        ctx: &egui::Context,
        kind: TaskKind,
        label: &str,
        after: After,
        work: impl FnOnce(&mut Workspace, &Reporter) -> Report + Send + 'static,
    ) -> bool {
        let Some(workspace) = self.workspace.take() else {
            refuse(self);
            return false;
        };
        let wake = wake(ctx);
        let started = self.tasks.start(
            kind,
            label,
            Some(workspace),
            after,
            wake,
            move |ws, reporter| match ws {
                Some(ws) => work(ws, reporter),
                None => Report::Said(Err("the project was not given to the task".into())),
            },
        );
        match started {
            Ok(()) => true,
            Err(not) => {
                self.workspace = not.workspace;
                self.state.error(format!("{label}: {}", not.error));
                false
            }
        }
    }

    /// Reads what a view shows on a brief task (the project goes with it; commands wait for it);
    /// `work` returns what to do with what it read, on the UI thread.
    /// The transcript edit mode's review, worked out on a read task (a character diff of the
    /// whole text and every coding carried: never on the UI thread).
    fn correct_command(&mut self, ctx: &egui::Context, c: super::correct_view::CorrectCommand) {
        let (transcript_id, text) = match c {
            super::correct_view::CorrectCommand::Review {
                transcript_id,
                text,
            } => (transcript_id, text),
            super::correct_view::CorrectCommand::Retime {
                transcript_id,
                turn,
                times,
            } => {
                self.read(ctx, move |ws| {
                    let review = crate::app::correct::retime(
                        ws.store(),
                        &transcript_id.to_text(),
                        turn,
                        times,
                    );
                    Box::new(move |app: &mut AccordApp| {
                        if let Some(view) = app.correcting.as_mut() {
                            view.waiting = false;
                            view.review = Some(review.map_err(|e| e.to_string()));
                        }
                    })
                });
                return;
            }
            super::correct_view::CorrectCommand::Place { coding, span } => {
                self.read(ctx, move |ws| {
                    let review = crate::app::correct::place_lost(ws.store(), coding, span);
                    Box::new(move |app: &mut AccordApp| match review {
                        Ok(c) => {
                            app.correcting = Some(super::correct_view::CorrectView::reviewing(c));
                        }
                        Err(e) => app.state.error(format!("could not place the coding: {e}")),
                    })
                });
                return;
            }
        };
        self.read(ctx, move |ws| {
            let review = ws
                .store()
                .transcript(transcript_id)
                .map_err(crate::app::AppError::from)
                .and_then(|t| crate::app::correct::plan(ws.store(), &t, &text, None))
                .map_err(|e| e.to_string());
            Box::new(move |app: &mut AccordApp| {
                if let Some(view) = app
                    .correcting
                    .as_mut()
                    .filter(|v| v.transcript_id == transcript_id)
                {
                    view.waiting = false;
                    view.review = Some(review);
                }
            })
        });
    }

    pub(super) fn read(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&mut Workspace) -> Box<dyn FnOnce(&mut AccordApp) + Send> + Send + 'static,
    ) {
        self.start_project_task(
            ctx,
            TaskKind::Read,
            "Reading the project",
            After::Nothing,
            move |ws, _| Report::Read(super::tasks::Deliver(work(ws))),
        );
    }

    /// Saves a change on the save task: the commit never holds a frame.
    pub(super) fn save(
        &mut self,
        ctx: &egui::Context,
        label: &str,
        after: After,
        work: impl FnOnce(&mut Workspace) -> Report + Send + 'static,
    ) {
        self.start_project_task(ctx, TaskKind::Save, label, after, move |ws, _| work(ws));
    }

    /// Saves new codings; the window's snapshots take them from what the save returns.
    fn save_codings(
        &mut self,
        ctx: &egui::Context,
        label: &str,
        after: After,
        codings: Vec<NewCoding>,
        action: &str,
    ) {
        let (label_owned, action) = (label.to_string(), action.to_string());
        self.save(ctx, label, after, move |ws| {
            Report::Coded(add_codings(ws, &label_owned, codings, action))
        });
    }

    /// Codes the selection with a code, as the current rater.
    fn apply_code(&mut self, ctx: &egui::Context, code_id: CodeId) {
        let Some(rater_id) = self.state.rater_id else {
            self.state.error("Choose who is coding first (top right).");
            return;
        };
        let (Some(transcript_id), Some(span)) = (self.state.transcript_id, self.state.selection)
        else {
            self.state
                .error("Select some text first, then apply a code.");
            return;
        };
        if span.is_empty() {
            return;
        }
        let coding = NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id,
            code_id,
            rater_id,
            span,
            memo: None,
            created_at: None,
        };
        let id = coding.coding_id;
        let label = format!("Code “{}”", self.project.path(code_id));
        self.coded_selection = Some(span);
        self.save_codings(
            ctx,
            &label,
            After::Coded(Some((id, code_id))),
            vec![coding],
            "code",
        );
    }

    fn open_memo(&mut self, ctx: &egui::Context, target: MemoTarget) {
        let title = match target {
            MemoTarget::Project => "the project".to_string(),
            MemoTarget::Transcript(t) => format!("transcript {}", self.project.transcript_name(t)),
            MemoTarget::Code(c) => format!("code {}", self.project.path(c)),
            MemoTarget::Coding(c) => {
                let code = self
                    .open
                    .as_ref()
                    .and_then(|o| o.coding(c))
                    .map_or("?", |c| self.project.path(c.code_id));
                format!("a coding of {code}")
            }
            MemoTarget::Passage { transcript, span } => format!(
                "a passage of {} (characters {}–{})",
                self.project.transcript_name(transcript),
                span.start,
                span.end
            ),
            MemoTarget::Case(case) => format!("case {}", self.project.case_name(case)),
            MemoTarget::Cell { case, code } => format!(
                "case {} on {}",
                self.project.case_name(case),
                self.project.path(code)
            ),
        };
        self.read(ctx, move |ws| {
            let memos = ws.store().memos(target);
            Box::new(move |app: &mut AccordApp| match memos {
                Ok(existing) => {
                    app.memo = Some(MemoEditor {
                        target,
                        title,
                        existing,
                        text: String::new(),
                    });
                }
                Err(e) => app.state.error(format!("could not read memos: {e}")),
            })
        });
    }

    fn open_code_editor(&mut self, code: Option<CodeId>, parent: Option<CodeId>) {
        self.code_editor = Some(
            if let Some(c) = code.and_then(|c| self.project.codebook.get(c)) {
                CodeEditor::edit(c)
            } else {
                let position = self.project.codebook.children(parent).len() as i64;
                CodeEditor::new_code(parent, position)
            },
        );
    }

    /// The code editor on `code`, its "when not to use" beginning a line that sends the other code's
    /// passages to it (what raters confused, as the agreement view's "Which code?" shows); saved, it
    /// is a new codebook version (in a rater file, a proposal to the lead).
    fn open_boundary_editor(&mut self, code: CodeId, other: CodeId) {
        let Some(c) = self.project.codebook.get(code) else {
            return;
        };
        let mut editor = CodeEditor::edit(c);
        let other_path = self.project.path(other).to_string();
        let hint = self
            .project
            .codebook
            .get(other)
            .map(|o| o.short_definition.trim().to_string())
            .filter(|d| !d.is_empty())
            .map_or_else(
                || format!("Not for talk coded {other_path}: use that code."),
                |d| format!("Not for {d}: use {other_path}."),
            );
        let draft = &mut editor.draft.when_not_to_use;
        if !draft.contains(&other_path) {
            *draft = if draft.trim().is_empty() {
                hint
            } else {
                format!("{}\n{hint}", draft.trim_end())
            };
        }
        self.code_editor = Some(editor);
    }

    /// Merging: the code's codings (every rater's) move to the other code and it leaves the codebook,
    /// its children moving under the other code, all in one undoable change (read and saved on the
    /// save task).
    fn merge_codes(&mut self, ctx: &egui::Context, from: CodeId, into: CodeId) {
        let label = format!(
            "Merge {} into {}",
            self.project.path(from),
            self.project.path(into)
        );
        let rater = self.state.rater_id;
        let owned = label.clone();
        self.save(ctx, &label, After::CodesMerged { from, into }, move |ws| {
            let edit = crate::app::codes::merge_codes(ws.store(), from, into, rater);
            Report::Applied(edit.and_then(|edit| ws.apply(&owned, Command::Edit(Box::new(edit)))))
        });
    }

    /// Runs a search or codes hits.
    fn search_command(&mut self, ctx: &egui::Context, command: SearchCommand) {
        if self.tasks.is_running(TaskKind::Reindex) && matches!(command, SearchCommand::Run { .. })
        {
            self.state
                .error("The search index is being rebuilt; search again once it is done.");
            return;
        }
        if self.search.preparing && matches!(command, SearchCommand::Run { .. }) {
            // Runs when the index is ready (see `poll`).
            self.pending_search = Some(command);
            return;
        }
        match command {
            SearchCommand::Run {
                query,
                filters,
                order,
                stem,
            } => self.read(ctx, move |ws| {
                let opts = SearchOptions {
                    limit: 200,
                    order,
                    stem,
                    ..SearchOptions::default()
                };
                let result = ws
                    .search_filtered(&query, &filters, &opts)
                    .map(|found| found.results)
                    .map_err(|e| e.to_string());
                // The index was busy or could not be used: the hits came from what was there or
                // from an index built in memory; say so rather than fail.
                let note = ws.index_note().map(str::to_string);
                Box::new(move |app: &mut AccordApp| {
                    app.search.set_results(result);
                    if let Some(note) = note {
                        app.state.info(note);
                    }
                })
            }),
            SearchCommand::CodeHits {
                hits,
                code_id,
                scope,
            } => {
                let Some(rater_id) = self.state.rater_id else {
                    return self.state.error("Choose who is coding first (top right).");
                };
                let label = format!("Code search hits with “{}”", self.project.path(code_id));
                let owned = label.clone();
                self.save(ctx, &label, After::Coded(None), move |ws| {
                    let found = crate::app::search::hit_codings(
                        ws.store(),
                        &hits,
                        code_id,
                        rater_id,
                        scope,
                    );
                    Report::Coded(
                        found.and_then(|codings| {
                            add_codings(ws, &owned, codings, "search-code".into())
                        }),
                    )
                });
            }
        }
    }

    /// Starts computing agreement on its task (a second connection to the project), or loads a
    /// disagreement's detail.
    fn agreement_command(&mut self, ctx: &egui::Context, command: AgreementCommand) {
        let Some(ws) = &self.workspace else { return };
        match command {
            AgreementCommand::Compute(selection, options, by) => {
                // The second connection is opened on the task (an encrypted project's key
                // derivation takes a few hundred milliseconds).
                let reopener = ws.store().reopener();
                // A newer request replaces one still running.
                self.tasks.cancel(TaskKind::Agreement);
                self.agreement.busy = true;
                self.agreement.detail = None;
                let started = self.tasks.start(
                    TaskKind::Agreement,
                    "Computing agreement",
                    None,
                    After::Nothing,
                    wake(ctx),
                    move |_, r| {
                        r.step("opening a second connection to the project");
                        let computed = match reopener.open() {
                            Ok(second) => compute(&second, &selection, &options, by.as_ref(), r),
                            Err(e) => Err(format!(
                                "could not open a second connection to the project: {e}"
                            )),
                        };
                        Report::Agreement(Box::new(computed))
                    },
                );
                if let Err(not) = started {
                    self.agreement.busy = false;
                    self.agreement.result = Some(Err(not.error));
                }
            }
            AgreementCommand::Cell {
                selection,
                options,
                row,
                column,
                codes,
            } => {
                self.read(ctx, move |ws| {
                    let units = crate::app::confusion::cell_units(
                        ws.store(),
                        &selection,
                        &options,
                        row,
                        column,
                    )
                    .map_err(|e| e.to_string());
                    let notes = crate::app::confusion::boundary_notes(
                        ws.store(),
                        &[codes[0].as_str(), codes[1].as_str()],
                        units.as_deref().unwrap_or_default(),
                    )
                    .map_err(|e| e.to_string());
                    Box::new(move |app: &mut AccordApp| {
                        app.agreement.cell_units = Some(units);
                        app.agreement.boundary_notes = Some(notes);
                    })
                });
            }
            AgreementCommand::Detail(d) => {
                let raters = match &self.agreement.result {
                    Some(Ok(r)) => r.report.raters.clone(),
                    _ => Vec::new(),
                };
                self.read(ctx, move |ws| {
                    let detail =
                        crate::app::agreement::disagreement_detail(ws.store(), &d, &raters);
                    Box::new(move |app: &mut AccordApp| match detail {
                        Ok(detail) => app.agreement.detail = Some(detail),
                        Err(e) => app
                            .state
                            .error(format!("could not show the disagreement: {e}")),
                    })
                });
            }
        }
    }

    /// Rebuilds the search index on its task, with a second connection: the window's own index is
    /// let go first, and searches wait until the new one is there.
    fn reindex(&mut self, ctx: &egui::Context) {
        if self.tasks.is_running(TaskKind::Reindex) {
            return;
        }
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let reopener = ws.store().reopener();
        ws.close_index();
        let started = self.tasks.start(
            TaskKind::Reindex,
            "Rebuilding the search index",
            None,
            After::Nothing,
            wake(ctx),
            move |_, r| {
                let second = match reopener.open() {
                    Ok(s) => s,
                    Err(e) => return Report::Reindexed(Err(e.to_string())),
                };
                r.step("reading every transcript");
                Report::Reindexed(
                    crate::app::search::reindex(&second)
                        .map(|done| {
                            let mut said = format!(
                                "Rebuilt the search index: {} transcripts, {} turns.",
                                done.transcripts, done.turns
                            );
                            for note in done.notes {
                                said.push(' ');
                                said.push_str(&note);
                            }
                            said
                        })
                        .map_err(|e| e.to_string()),
                )
            },
        );
        if let Err(not) = started {
            self.state.error(not.error);
        }
    }

    /// Handles a File menu item.
    fn menu(&mut self, ctx: &egui::Context, m: MenuCommand) {
        match m {
            MenuCommand::NewEncrypted => {
                self.new_encrypted = Some(super::unlock::NewEncryptedDialog::default());
            }
            MenuCommand::Deidentify => {
                self.deidentify = Some(super::deidentify_dialog::DeidentifyDialog::default());
            }
            MenuCommand::Erase => {
                self.erase = Some(super::erase_dialog::EraseDialog::default());
            }
            MenuCommand::Restore => {
                let path = self
                    .workspace
                    .as_ref()
                    .and_then(|ws| ws.store().path().map(std::path::Path::to_path_buf));
                self.restore = Some(super::restore_dialog::RestoreDialog::new(path.as_deref()));
            }
            MenuCommand::Reindex => self.reindex(ctx),
            MenuCommand::Report => {
                let Some(project) = self
                    .workspace
                    .as_ref()
                    .and_then(|ws| ws.store().path().map(std::path::Path::to_path_buf))
                else {
                    return;
                };
                let stem = project
                    .file_stem()
                    .map_or_else(|| "project".into(), |s| s.to_string_lossy().into_owned());
                let beside = project.with_file_name(format!("{stem}-report.docx"));
                // Without a desktop portal there is no save dialog: the report goes beside the
                // project, and the status bar says where.
                let path = if native_dialogs() {
                    rfd::FileDialog::new()
                        .set_file_name(format!("{stem}-report.docx"))
                        .add_filter("Word, HTML or Markdown", &["docx", "html", "md"])
                        .set_title("Save the report")
                        .save_file()
                } else {
                    Some(beside)
                };
                if let Some(path) = path {
                    self.write_report(ctx, path);
                }
            }
            MenuCommand::ImportTranscripts | MenuCommand::ImportAttributes if !native_dialogs() => {
                self.path_prompt = Some(PathPrompt::new(m));
            }
            MenuCommand::ImportTranscripts => {
                let Some(paths) = rfd::FileDialog::new()
                    .add_filter("Transcripts", &["txt", "vtt", "srt", "docx"])
                    .set_title("Import transcripts")
                    .pick_files()
                else {
                    return;
                };
                self.start_import(ctx, paths);
            }
            MenuCommand::ImportAttributes => {
                if let Some(path) = rfd::FileDialog::new()
                    .add_filter("CSV", &["csv"])
                    .set_title("Import attributes")
                    .pick_file()
                {
                    self.attributes = Some(AttributeDialog::new(path));
                }
            }
        }
    }

    /// Handles a request of the Grid view: building the grid (on a read task), writing a cell's
    /// summary (on the save task: its next version, undoable).
    fn grid_command(&mut self, ctx: &egui::Context, command: super::grid_view::GridViewCommand) {
        match command {
            super::grid_view::GridViewCommand::Load(options) => {
                let key = (
                    options.codes.clone(),
                    options.raters.clone(),
                    options.consensus,
                    options
                        .attributes
                        .iter()
                        .next()
                        .and_then(|(n, v)| v.first().map(|v| (n.clone(), v.clone()))),
                );
                // The snapshot exports read goes with the task, and is kept while still current.
                let cached = self.export_data.take();
                self.read(ctx, move |ws| {
                    let revision = ws.revision();
                    let (built, keep) = match current_snapshot(ws, cached) {
                        Ok((r, data)) => (
                            crate::app::grid::build(&data, &options).map_err(|e| e.to_string()),
                            Some((r, data)),
                        ),
                        Err(e) => (Err(e), None),
                    };
                    Box::new(move |app: &mut AccordApp| {
                        app.export_data = keep;
                        app.grid.grid = Some((revision, key, built));
                    })
                });
            }
            super::grid_view::GridViewCommand::LoadCell {
                options,
                case,
                code,
            } => {
                let cached = self.export_data.take();
                self.read(ctx, move |ws| {
                    let (found, keep) = match current_snapshot(ws, cached) {
                        Ok((r, data)) => (
                            crate::app::grid::cell_excerpts(&data, &options, case, code),
                            Some((r, data)),
                        ),
                        Err(_) => (Vec::new(), None),
                    };
                    Box::new(move |app: &mut AccordApp| {
                        if keep.is_some() {
                            app.export_data = keep;
                        }
                        app.grid.cell = Some((case, code, found));
                    })
                });
            }
            super::grid_view::GridViewCommand::Save {
                case,
                code,
                text,
                cites,
            } => {
                let by = self.state.rater_id;
                let label = format!(
                    "Summarise {} on {}",
                    self.project.case_name(case),
                    self.project.path(code)
                );
                let owned = label.clone();
                self.save(ctx, &label, After::Nothing, move |ws| {
                    let command =
                        crate::app::grid::write(ws.store(), (case, code), &text, cites, by);
                    Report::Applied(command.and_then(|c| ws.apply(&owned, c)))
                });
            }
        }
    }

    /// Writes the report (`accord report`'s, with its defaults) to `path` on a read task, in the
    /// format its extension names (DOCX otherwise), through the one safe writer.
    pub fn write_report(&mut self, ctx: &egui::Context, path: std::path::PathBuf) {
        self.read(ctx, move |ws| {
            let format =
                crate::export::Format::from_extension(&path).unwrap_or(crate::export::Format::Docx);
            let written = (|| -> Result<(), String> {
                let report = crate::app::report::build(
                    ws.store(),
                    &crate::app::report::ReportOptions::default(),
                )
                .map_err(|e| e.to_string())?;
                let target = crate::app::export::OutputTarget {
                    path: &path,
                    extensions: format.extensions(),
                    zip: format.is_zip(),
                    project: ws.store().path(),
                    force: false,
                };
                target.check().map_err(|e| e.to_string())?;
                let mut bytes = Vec::new();
                crate::export::write(
                    &crate::export::Request::Document {
                        what: "the report",
                        doc: &report.document,
                        table: None,
                    },
                    format,
                    &mut bytes,
                )
                .map_err(|e| e.to_string())?;
                target.write(&bytes).map_err(|e| e.to_string())
            })();
            Box::new(move |app: &mut AccordApp| match written {
                Ok(()) => app
                    .state
                    .info(format!("Wrote the report to {}", path.display())),
                Err(e) => app.state.error(format!("Could not write the report: {e}")),
            })
        });
    }

    /// Carries out a path typed in the fallback prompt: a folder imports every transcript in it.
    fn prompted_path(&mut self, ctx: &egui::Context, m: MenuCommand, path: std::path::PathBuf) {
        match m {
            MenuCommand::ImportTranscripts if path.is_dir() => {
                match crate::app::batch::files_in(&path) {
                    Ok((files, _)) => self.start_import(ctx, files),
                    Err(e) => self.state.error(format!("{}: {e}", path.display())),
                }
            }
            MenuCommand::ImportTranscripts => self.start_import(ctx, vec![path]),
            MenuCommand::ImportAttributes => self.attributes = Some(AttributeDialog::new(path)),
            MenuCommand::NewEncrypted
            | MenuCommand::Deidentify
            | MenuCommand::Erase
            | MenuCommand::Restore
            | MenuCommand::Reindex
            | MenuCommand::Report => {}
        }
    }

    /// Imports transcript files on the import task, file by file: each file read, parsed and
    /// stored as its own undoable change, each outcome shown as it comes; stops between two files
    /// when asked (the File menu, and tests).
    pub fn start_import(&mut self, ctx: &egui::Context, paths: Vec<std::path::PathBuf>) {
        let total = paths.len();
        let label = format!("Importing {total} file(s)");
        let started = self.start_project_task(
            ctx,
            TaskKind::Import,
            &label,
            After::Nothing,
            move |ws, r| import_files(ws, &paths, r),
        );
        if started {
            self.import = Some(ImportView::new(total));
        }
    }

    fn import_attributes(
        &mut self,
        ctx: &egui::Context,
        path: &std::path::Path,
        key: &str,
        create_missing: bool,
    ) {
        match crate::app::batch::attributes_change(path, key.trim(), create_missing) {
            Ok((change, _)) => {
                let label = format!("Import attributes from {}", path.display());
                let owned = label.clone();
                self.save(ctx, &label, After::Nothing, move |ws| {
                    Report::Applied(ws.apply(&owned, change))
                });
            }
            Err(e) => self.state.error(e.to_string()),
        }
    }

    /// Handles a request of the de-identification dialog: the preview is read here, the
    /// de-identification (a new version of every transcript, then the purge) runs on its task.
    fn deidentify_command(
        &mut self,
        ctx: &egui::Context,
        command: super::deidentify_dialog::DeidentifyCommand,
    ) {
        use super::deidentify_dialog::DeidentifyCommand;
        use crate::app::files::read_pseudonyms;
        match command {
            DeidentifyCommand::Preview(path) => self.read(ctx, move |ws| {
                let read = read_pseudonyms(&path).map_err(|e| e.to_string());
                let result = read.and_then(|list| {
                    ws.deidentify_preview(&list)
                        .map(|p| (Box::new(list), p))
                        .map_err(|e| e.to_string())
                });
                Box::new(move |app: &mut AccordApp| {
                    if let Some(dialog) = &mut app.deidentify {
                        dialog.preview = Some(result);
                    }
                })
            }),
            DeidentifyCommand::Apply(list) => {
                self.start_project_task(
                    ctx,
                    TaskKind::Deidentify,
                    "De-identifying",
                    After::Deidentified,
                    move |ws, r| {
                        r.step("replacing names, then purging the old text");
                        Report::Applied(ws.apply(
                            "De-identify",
                            Command::Project(ProjectCommand::Deidentify(list)),
                        ))
                    },
                );
            }
        }
    }

    /// Handles a request of the erase dialog: the count is read here, the erase (and the purge of
    /// the file and its backups) runs on its task.
    fn erase_command(&mut self, ctx: &egui::Context, command: EraseCommand) {
        match command {
            EraseCommand::Preview(chosen, removed) => self.read(ctx, move |ws| {
                let counted = crate::app::erase::with_removed(ws.store(), &chosen, removed)
                    .and_then(|ids| Ok(ws.store().erasure(&ids)?))
                    .map_err(|e| e.to_string());
                Box::new(move |app: &mut AccordApp| {
                    if let Some(dialog) = &mut app.erase {
                        dialog.preview = Some((chosen, removed, counted));
                    }
                })
            }),
            EraseCommand::Erase(chosen, removed) => {
                // The open transcript closes at once if it is to go.
                if self
                    .state
                    .transcript_id
                    .is_some_and(|t| chosen.contains(&t))
                {
                    self.state.transcript_id = None;
                }
                self.start_project_task(
                    ctx,
                    TaskKind::Erase,
                    "Erasing transcripts",
                    After::Erased,
                    move |ws, r| {
                        r.step("erasing, then purging the file and its backups");
                        let ids = crate::app::erase::with_removed(ws.store(), &chosen, removed);
                        Report::Applied(ids.and_then(|ids| {
                            ws.apply(
                                "Erase transcripts",
                                Command::Project(ProjectCommand::Erase(ids)),
                            )
                        }))
                    },
                );
            }
        }
    }

    /// The project as exports read it, re-read only when the project changed.
    fn export_data(&mut self) -> Result<&crate::export::ProjectData, String> {
        let Some(ws) = &self.workspace else {
            return Err("the project is busy".into());
        };
        let kept = current_snapshot(ws, self.export_data.take())?;
        Ok(&self.export_data.insert(kept).1)
    }

    fn export_command(&mut self, ctx: &egui::Context, command: ExportCommand) {
        match command {
            ExportCommand::Preview => {
                let choices = self.export.choices.clone();
                let report = match &self.agreement.result {
                    Some(Ok(r)) => Some(r.report.clone()),
                    _ => None,
                };
                // The snapshot read for the last preview goes with the task, kept if still current.
                let cached = self.export_data.take();
                self.read(ctx, move |ws| {
                    let revision = ws.revision();
                    let (text, keep) = match current_snapshot(ws, cached) {
                        Ok((r, d)) => (
                            super::export_view::preview(&choices, &d, report.as_ref()),
                            Some((r, d)),
                        ),
                        Err(e) => (format!("Cannot read the project: {e}"), None),
                    };
                    Box::new(move |app: &mut AccordApp| {
                        app.export_data = keep;
                        app.export.preview = Some((revision, choices, text));
                    })
                });
            }
            ExportCommand::Save => {
                let c = &self.export.choices;
                let name = format!(
                    "{}.{}",
                    format!("{:?}", c.kind).to_lowercase(),
                    c.format.extension()
                );
                if let Some(path) = rfd::FileDialog::new()
                    .set_file_name(name)
                    .set_title("Save export")
                    .save_file()
                {
                    match self.save_export(&path) {
                        Ok(warnings) if warnings.is_empty() => {
                            self.state.info(format!("Saved {}", path.display()));
                        }
                        Ok(warnings) => self.state.info(format!(
                            "Saved {}; {}",
                            path.display(),
                            warnings.join("; ")
                        )),
                        Err(e) => self.state.error(e),
                    }
                }
            }
        }
    }

    /// Writes the export the view shows to a file through the one safe writer
    /// (`app::export::OutputTarget`: never over the project or its files, a random temporary file
    /// beside it, renamed); returns the warnings (XLSX cells cut at Excel's limit).
    pub fn save_export(&mut self, path: &std::path::Path) -> Result<Vec<String>, String> {
        let choices = self.export.choices.clone();
        let project = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.store().path().map(std::path::Path::to_path_buf));
        let target = crate::app::export::OutputTarget {
            path,
            extensions: choices.format.extensions(),
            zip: choices.format.is_zip(),
            project: project.as_deref(),
            force: false,
        };
        target.check().map_err(|e| e.to_string())?;
        let report = match &self.agreement.result {
            Some(Ok(r)) => Some(r.report.clone()),
            _ => None,
        };
        let data = self.export_data()?;
        let mut bytes = Vec::new();
        let warnings = super::export_view::with_request(&choices, data, report.as_ref(), |r| {
            crate::export::write_with(
                r,
                choices.format,
                crate::export::Options::default(),
                &mut bytes,
            )
        })
        .ok_or_else(|| "compute agreement in the Agreement tab first".to_string())?
        .map_err(|e| format!("{}: {e}", path.display()))?;
        target.write(&bytes).map_err(|e| e.to_string())?;
        Ok(warnings)
    }
}

/// The project as exports read it: `cached` when it was read at the workspace's revision, else
/// read again.
fn current_snapshot(
    ws: &Workspace,
    cached: Option<(u64, crate::export::ProjectData)>,
) -> Result<(u64, crate::export::ProjectData), String> {
    let revision = ws.revision();
    match cached {
        Some((r, data)) if r == revision => Ok((r, data)),
        _ => crate::app::export::snapshot(ws.store())
            .map(|data| (revision, data))
            .map_err(|e| e.to_string()),
    }
}

/// Repaints the window from another thread.
pub(super) fn wake(ctx: &egui::Context) -> impl Fn() + Send + Sync + 'static {
    let ctx = ctx.clone();
    move || ctx.request_repaint()
}

/// Native file dialogs go through the desktop portal over the session bus; without a bus (a bare X
/// server, a remote session) the window asks for a path instead of failing silently.
pub(super) fn native_dialogs() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
}

/// Adds codings through the workspace and reads back the ones stored (by id: a handful of rows),
/// for the window's snapshots.
fn add_codings(
    ws: &mut Workspace,
    label: &str,
    codings: Vec<NewCoding>,
    action: String,
) -> crate::app::Result<(Outcome, Vec<crate::model::Coding>)> {
    if codings.is_empty() {
        return Ok((Outcome::CodingsAdded(Vec::new()), Vec::new()));
    }
    let outcome = ws.apply(
        label,
        Command::Codings(CodingCommand::Add { codings, action }),
    )?;
    let stored = match &outcome {
        Outcome::CodingsAdded(ids) if !ids.is_empty() => ws.store().codings(&CodingFilter {
            ids: ids.clone(),
            ..CodingFilter::default()
        })?,
        _ => Vec::new(),
    };
    Ok((outcome, stored))
}

/// The import task's work: each file read, parsed and stored as its own change (through
/// [`crate::app::import_files`], as `accord import` does), its outcome in the task's log; the
/// search index is brought up to date alongside.
fn import_files(ws: &mut Workspace, paths: &[std::path::PathBuf], r: &Reporter) -> Report {
    struct Log<'a> {
        r: &'a Reporter,
        stored: usize,
        failed: usize,
        cancelled: bool,
    }
    impl crate::app::ImportWatch for Log<'_> {
        fn reading(&mut self, _: usize, _: usize, path: &std::path::Path) -> bool {
            if self.r.cancelled() {
                self.cancelled = true;
                return false;
            }
            self.r.step(format!("reading {}", file_name(path)));
            true
        }
        fn outcome(&mut self, i: usize, n: usize, outcome: &FileOutcome) {
            match outcome {
                FileOutcome::Imported(s) => {
                    self.stored += 1;
                    self.r.line(
                        LineKind::Done,
                        format!(
                            "imported  {} as {} ({} turns)",
                            file_name(&s.path),
                            s.name,
                            s.turns
                        ),
                    );
                }
                FileOutcome::Skipped { path, reason } => {
                    self.r.line(
                        LineKind::Skipped,
                        format!("skipped   {}: {reason}", file_name(path)),
                    );
                }
                FileOutcome::Failed { error, .. } => {
                    self.failed += 1;
                    self.r.line(LineKind::Failed, format!("failed    {error}"));
                }
            }
            self.r.count(i + 1, n);
        }
        fn index_alongside(&self) -> bool {
            true
        }
    }
    fn file_name(path: &std::path::Path) -> String {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
    r.count(0, paths.len());
    let mut log = Log {
        r,
        stored: 0,
        failed: 0,
        cancelled: false,
    };
    crate::app::import_files(
        ws,
        paths,
        &crate::app::files::ImportOptions::default(),
        &mut log,
    );
    Report::Imported {
        stored: log.stored,
        failed: log.failed,
        cancelled: log.cancelled,
    }
}

/// The agreement task's work: the report and its disagreements, computed once.
fn compute(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
    by: Option<&crate::app::breakdown::By>,
    r: &Reporter,
) -> Result<AgreementResult, String> {
    r.step("computing the report (with its bootstrap intervals) and its disagreements");
    let (report, disagreements) =
        report_and_disagreements(store, selection, options).map_err(|e| e.to_string())?;
    r.step("counting which code each rater used where the other used which");
    let confusion = crate::app::confusion::confusion_report(store, selection, options)
        .map_err(|e| e.to_string());
    let breakdown = by.map(|by| {
        r.step(format!("breaking the table down by {}", by.name()));
        crate::app::breakdown::breakdown(
            store,
            selection,
            options,
            by,
            crate::app::breakdown::Statistic::default(),
        )
        .map_err(|e| e.to_string())
    });
    // The groups' alphas at the unitizing unit, when the codebook declares groups.
    let groups = if options.unit == crate::agreement::project::Unit::Unitizing {
        match store.codebook() {
            Ok(book) if book.groups.is_empty() => None,
            Ok(book) => {
                r.step("the code groups' unitizing alphas");
                Some(
                    crate::app::code_groups::report_on(store, selection, &book.groups)
                        .map_err(|e| e.to_string()),
                )
            }
            Err(e) => Some(Err(e.to_string())),
        }
    } else {
        None
    };
    Ok(AgreementResult {
        report,
        disagreements,
        confusion,
        breakdown,
        groups,
    })
}
