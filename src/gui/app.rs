//! The eframe app: owns the [`Workspace`] (lent to a background task while one works on the
//! project), the panels' state and the running tasks; draws the frame from read-only snapshots,
//! queueing what the panels ask for, and drains the queue once the frame is drawn.

use std::collections::VecDeque;

use egui::Ui;

use super::adjudicate_view::AdjudicateView;
use super::agreement_view::AgreementView;
use super::cache::{ProjectCache, TranscriptCache};
use super::codebook_editor::CodeEditor;
use super::codebook_panel::{codebook_ui, visible_codes};
use super::command::UiCommand;
use super::correct_view::CorrectView;
use super::details_panel::details_ui;
use super::export_view::ExportView;
use super::fonts;
use super::groups_editor::GroupsEditor;
use super::import_dialog::{AttributeDialog, ImportView, PathPrompt, PromptAnswer};
use super::memo_editor::MemoEditor;
use super::project_panel::project_ui;
use super::rater_picker::RaterPicker;
use super::rounds_view::RoundsView;
use super::search_view::{SearchCommand, SearchView};
use super::state::{Tone, ViewState};
use super::tasks::{TaskKind, Tasks};
use super::team_view::TeamView;
use super::top_bar::{TopBarInfo, top_bar_ui};
use super::transcript_view::TranscriptView;
use crate::app::Workspace;

/// Which view fills the middle of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Central {
    /// Reading and coding a transcript.
    #[default]
    Transcript,
    /// Searching every interview.
    Search,
    /// Interrater agreement.
    Agreement,
    /// Settling disagreements into the consensus layer.
    Adjudicate,
    /// Agreement across reliability rounds.
    Rounds,
    /// Rater files and codebook proposals.
    Team,
    /// Exports with a preview.
    Export,
    /// The summary grid: cases by codes, summaries written per cell.
    Grid,
    /// Code co-occurrence and codes x cases heatmaps.
    Heatmaps,
    /// Every memo in one list.
    Memos,
}

/// Whether the search index is opened on a worker thread as the window starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IndexStart {
    /// No (the UI tests search synchronously unless they ask for it).
    Never,
    /// Yes, at the next frame.
    Pending,
    /// It was started.
    Started,
}

/// The window.
pub struct AccordApp {
    /// The project; `None` while a task works on it (the task gives it back when it ends).
    pub(super) workspace: Option<Workspace>,
    /// The project file, to open it again should a task fail to give the workspace back.
    project_path: Option<std::path::PathBuf>,
    /// The running background tasks.
    pub(super) tasks: Tasks,
    /// Commands waiting for a save to give the project back, in order.
    pub(super) waiting: VecDeque<UiCommand>,
    /// The selection a coding is being saved for (cleared when the save ends, if still selected).
    pub(super) coded_selection: Option<crate::model::Span>,
    /// Read the snapshots again at the next frame (after a task that held the project).
    stale: bool,
    /// The Edit menu's undo and redo labels, as of the last time the workspace was home.
    labels: TopBarInfo,
    /// The tasks that ended, with what they said.
    pub(super) finished: VecDeque<super::tasks::Finished>,
    pub(super) project: ProjectCache,
    pub(super) open: Option<TranscriptCache>,
    /// The view state (rater, open transcript, selection, theme).
    pub state: ViewState,
    /// The middle view.
    pub central: Central,
    transcript_view: TranscriptView,
    rater_picker: RaterPicker,
    /// The search view.
    pub search: SearchView,
    /// The agreement view.
    pub agreement: AgreementView,
    /// The adjudication view.
    pub adjudicate: AdjudicateView,
    /// The rounds view.
    pub rounds: RoundsView,
    /// The team view (rater files, merges, proposals).
    pub team: TeamView,
    /// The export view.
    pub export: ExportView,
    /// The Grid view.
    pub grid: super::grid_view::GridView,
    /// The heatmaps view.
    pub heatmaps: super::heatmap_view::HeatmapView,
    /// The memos view.
    pub memos: super::memos_view::MemosView,
    pub(super) export_data: Option<(u64, crate::export::ProjectData)>,
    pub(super) memo: Option<MemoEditor>,
    pub(super) code_editor: Option<CodeEditor>,
    /// The transcript edit mode (correcting the open transcript's text), when on.
    pub correcting: Option<CorrectView>,
    pub(super) groups_editor: Option<GroupsEditor>,
    pub(super) import: Option<ImportView>,
    pub(super) attributes: Option<AttributeDialog>,
    pub(super) path_prompt: Option<PathPrompt>,
    pub(super) new_encrypted: Option<super::unlock::NewEncryptedDialog>,
    /// The de-identification dialog, when open.
    pub deidentify: Option<super::deidentify_dialog::DeidentifyDialog>,
    /// The erase dialog, when open.
    pub erase: Option<super::erase_dialog::EraseDialog>,
    /// The restore dialog, when open.
    pub restore: Option<super::restore_dialog::RestoreDialog>,
    /// Open the search index on a worker thread when the window starts (the real window does; the
    /// UI tests search synchronously unless they ask for it).
    index: IndexStart,
    /// A search asked for while the index was still being prepared; it runs when the index is ready.
    pub(super) pending_search: Option<SearchCommand>,
    fonts_installed: bool,
    remembered_rater: Option<String>,
}

const DARK_KEY: &str = "accord.dark";

/// Where the window remembers who last coded in a project: per project file (its canonical path),
/// in the window's own settings on this machine, never in the project (which travels to others).
fn rater_key(project: &std::path::Path) -> String {
    let path = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
    format!("accord.rater {}", path.display())
}

/// What eframe remembered between runs: who last coded in this project, and whether the theme is
/// dark.
#[must_use]
pub fn remembered(
    storage: Option<&dyn eframe::Storage>,
    project: Option<&std::path::Path>,
) -> (Option<String>, bool) {
    storage.map_or((None, false), |s| {
        (
            project.and_then(|p| s.get_string(&rater_key(p))),
            s.get_string(DARK_KEY).as_deref() == Some("dark"),
        )
    })
}

impl AccordApp {
    /// A window on a workspace (also what the UI tests and the frame benchmark build).
    #[must_use]
    pub fn new(mut workspace: Workspace) -> Self {
        let notes = workspace.take_open_notes();
        let project_path = workspace.store().path().map(std::path::Path::to_path_buf);
        let mut app = Self {
            workspace: Some(workspace),
            project_path,
            tasks: Tasks::default(),
            waiting: VecDeque::new(),
            coded_selection: None,
            stale: false,
            labels: TopBarInfo::default(),
            finished: VecDeque::new(),
            project: ProjectCache::default(),
            open: None,
            state: ViewState::new(),
            central: Central::Transcript,
            transcript_view: TranscriptView::default(),
            rater_picker: RaterPicker::default(),
            search: SearchView::default(),
            agreement: AgreementView::default(),
            adjudicate: AdjudicateView::default(),
            rounds: RoundsView::default(),
            team: TeamView::default(),
            export: ExportView::default(),
            grid: super::grid_view::GridView::default(),
            heatmaps: super::heatmap_view::HeatmapView::default(),
            memos: super::memos_view::MemosView::default(),
            export_data: None,
            memo: None,
            code_editor: None,
            correcting: None,
            groups_editor: None,
            import: None,
            attributes: None,
            path_prompt: None,
            new_encrypted: None,
            deidentify: None,
            erase: None,
            restore: None,
            index: IndexStart::Never,
            pending_search: None,
            fonts_installed: false,
            remembered_rater: None,
        };
        // What opening had to say (opened read-only, a purge finished, no backup taken): on the
        // terminal the window was started from, and in the window.
        for note in &notes {
            eprintln!("{note}");
        }
        if !notes.is_empty() {
            app.state.info(notes.join("\n"));
        }
        app
    }

    /// The window as eframe creates it: remembers the last rater and theme between runs.
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, workspace: Workspace) -> Self {
        let mut app = Self::new(workspace);
        let project = app.project_path.clone();
        app.remember(remembered(cc.storage, project.as_deref()));
        app
    }

    /// Takes what was remembered between runs: the last rater's name and the theme.
    pub fn remember(&mut self, (rater, dark): (Option<String>, bool)) {
        self.remembered_rater = rater;
        self.state.dark = dark;
    }

    /// Works on another project from now on (a new one, just made).
    pub fn switch_to(&mut self, workspace: Workspace) {
        let (dark, background) = (self.state.dark, self.index != IndexStart::Never);
        *self = Self::new(workspace);
        self.state.dark = dark;
        if background {
            self.index = IndexStart::Pending;
        }
        self.fonts_installed = false;
    }

    /// Opens the search index on a worker thread as the window starts (and on every project it
    /// switches to), so a large or encrypted project's index never holds up the window; a search
    /// asked for before it is ready runs when it is.
    pub fn open_index_in_background(&mut self) {
        self.index = IndexStart::Pending;
    }

    /// The workspace (for reading; tests look at the store through it), or `None` while a task
    /// works on the project.
    #[must_use]
    pub fn workspace(&self) -> Option<&Workspace> {
        self.workspace.as_ref()
    }

    /// The project file the window works on (`None` for a project in memory).
    #[must_use]
    pub fn project_path(&self) -> Option<&std::path::Path> {
        self.project_path.as_deref()
    }

    /// The running background tasks.
    #[must_use]
    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }

    /// The running background tasks (tests use the panic seam).
    pub fn tasks_mut(&mut self) -> &mut Tasks {
        &mut self.tasks
    }

    /// Waits (at most 30 s) for the task that has the project to end, taking in what it did: a
    /// save under way when the window closes is committed, not cut off (eframe calls this on exit).
    pub fn finish_tasks(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.tasks.holder().is_some() && std::time::Instant::now() < deadline {
            for ended in self.tasks.poll() {
                super::dispatch::finish(self, ended);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Queues a command as if a panel had asked for it; it is carried out at the next frame
    /// (tests, and anything that drives the window from outside).
    pub fn send(&mut self, command: UiCommand) {
        self.waiting.push_back(command);
    }

    /// The tasks that ended, oldest first (the last 50): what each said and how far it got.
    #[must_use]
    pub fn finished(&self) -> &VecDeque<super::tasks::Finished> {
        &self.finished
    }

    /// Whether anything is still under way: a task running, or commands waiting for one.
    #[must_use]
    pub fn busy(&self) -> bool {
        self.tasks.any() || !self.waiting.is_empty()
    }

    /// The project's revision as the window last saw it.
    pub(super) fn revision(&self) -> u64 {
        self.workspace
            .as_ref()
            .map_or(self.project.revision, Workspace::revision)
    }

    /// The snapshots are read again at the next frame.
    pub(super) fn invalidate(&mut self) {
        self.stale = true;
    }

    /// A task ended without giving the workspace back (its thread vanished): the project is
    /// opened again from its file.
    pub(super) fn reopen_after_loss(&mut self) {
        let reopened = self.project_path.as_deref().map(Workspace::open);
        match reopened {
            Some(Ok(ws)) => {
                self.workspace = Some(ws);
                self.stale = true;
            }
            Some(Err(e)) => self.state.error(format!(
                "The project could not be opened again after a task failed: {e}. Close Accord and open it again."
            )),
            None => self.state.error(
                "The project (in memory) was lost with a failed task. Close Accord.",
            ),
        }
    }

    /// Codings a save just stored: the snapshots take them without reading the project again,
    /// when that save is the only change since they were read.
    pub(super) fn take_codings(&mut self, codings: &[crate::model::Coding]) {
        let Some(ws) = &self.workspace else { return };
        let revision = ws.revision();
        if self.stale || self.project.revision + 1 != revision {
            return;
        }
        self.project.add_codings(codings, revision);
        if let Some(open) = &mut self.open
            && open.revision + 1 == revision
        {
            open.add_codings(&self.project, codings, revision);
        }
    }

    /// The project snapshot the panels draw from.
    #[must_use]
    pub fn project(&self) -> &ProjectCache {
        &self.project
    }

    /// The open transcript, if any.
    #[must_use]
    pub fn open_transcript(&self) -> Option<&TranscriptCache> {
        self.open.as_ref()
    }

    /// Draws one frame into `ui` and carries out what was asked.
    pub fn ui_root(&mut self, ui: &mut Ui) {
        if !self.fonts_installed {
            fonts::install(ui.ctx());
            self.fonts_installed = true;
        }
        ui.ctx().set_theme(if self.state.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        self.poll(ui.ctx());
        self.refresh(ui.ctx());
        if self.index == IndexStart::Pending
            && let Some(ws) = &mut self.workspace
        {
            self.index = IndexStart::Started;
            let ctx = ui.ctx().clone();
            self.search.preparing = ws.prepare_index(move || ctx.request_repaint());
        }
        let mut queue = Vec::new();
        self.shortcuts(ui, &mut queue);
        if let Some(m) = self.panels_ui(ui, &mut queue) {
            queue.push(UiCommand::Menu(m));
        }
        self.dialogs_ui(ui, &mut queue);
        super::dispatch::drain(self, ui.ctx(), queue);
        self.refresh(ui.ctx());
        if self.tasks.any() {
            // The elapsed time and the progress move on even when nothing else does.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    /// Takes in the tasks that ended, then runs the commands that waited for them.
    fn poll(&mut self, ctx: &egui::Context) {
        for ended in self.tasks.poll() {
            super::dispatch::finish(self, ended);
        }
        if self.search.preparing
            && let Some(ws) = &mut self.workspace
        {
            self.search.preparing = ws.index_preparing();
            if self.search.preparing {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            } else if let Some(command) = self.pending_search.take() {
                self.waiting.push_back(UiCommand::Search(command));
            }
        }
        if !self.waiting.is_empty() {
            super::dispatch::drain(self, ctx, Vec::new());
        }
    }

    /// Re-reads the snapshots when the project, the rater or the open transcript changed (not while
    /// a task has the project: the window draws from what it last read).
    fn refresh(&mut self, ctx: &egui::Context) {
        let Some(ws) = &self.workspace else { return };
        self.labels = TopBarInfo {
            undo: ws.undo_label().map(str::to_string),
            redo: ws.redo_label().map(str::to_string),
        };
        let revision = ws.revision();
        let rater = self.state.rater_id;
        let stale = std::mem::take(&mut self.stale);
        let project = stale || self.project.revision != revision || self.project.rater_id != rater;
        let transcript = match self.state.transcript_id {
            None => {
                self.open = None;
                None
            }
            Some(id) => {
                let current = self.open.as_ref().is_some_and(|o| {
                    o.transcript.transcript_id == id
                        && o.revision == revision
                        && o.rater_id == rater
                });
                (project || !current).then_some(id)
            }
        };
        if !project && transcript.is_none() {
            return;
        }
        // Read on a brief task (a project of thousands of transcripts, or a transcript with
        // thousands of codings, takes longer than a frame should); the window draws what it last
        // read meanwhile, and the reading view says "Opening…".
        let lens = self.project.lens();
        self.start_project_task(
            ctx,
            TaskKind::Load,
            "Reading the project",
            super::dispatch::After::Nothing,
            move |ws, _| {
                let project = project.then(|| ProjectCache::load(ws.store(), revision, rater));
                let lens = match &project {
                    Some(Ok(p)) => p.lens(),
                    _ => lens,
                };
                let transcript = transcript
                    .map(|id| TranscriptCache::load(ws.store(), &lens, id, revision, rater));
                super::tasks::Report::Loaded(Box::new(super::tasks::Snapshots {
                    project,
                    transcript,
                }))
            },
        );
    }

    /// Takes snapshots read on a task: the project's, then the transcript's if it is still the one
    /// to show.
    pub(super) fn take_snapshots(&mut self, read: super::tasks::Snapshots) {
        if let Some(project) = read.project {
            match project {
                Ok(p) => self.project = p,
                Err(e) => self.state.error(format!("could not read the project: {e}")),
            }
            self.pick_remembered_rater();
        }
        match read.transcript {
            Some(Ok(cache)) => {
                let wanted = self.state.transcript_id == Some(cache.transcript.transcript_id)
                    && self.state.rater_id == cache.rater_id;
                if wanted {
                    self.open = Some(cache);
                }
            }
            Some(Err(e)) => {
                self.state
                    .error(format!("could not open the transcript: {e}"));
                self.state.transcript_id = None;
                self.open = None;
            }
            None => {}
        }
    }

    fn pick_remembered_rater(&mut self) {
        if self.state.rater_id.is_some() {
            return;
        }
        if let Some(name) = self.remembered_rater.take()
            && let Some(r) = self.project.raters.iter().find(|r| r.name == name)
        {
            self.state.rater_id = Some(r.rater_id);
        }
    }

    fn shortcuts(&mut self, ui: &Ui, queue: &mut Vec<UiCommand>) {
        let redo = egui::KeyboardShortcut::new(
            egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
            egui::Key::Z,
        );
        let undo = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z);
        if ui.input_mut(|i| i.consume_shortcut(&redo)) {
            queue.push(UiCommand::Redo);
        } else if ui.input_mut(|i| i.consume_shortcut(&undo)) {
            queue.push(UiCommand::Undo);
        }
        if ui.ctx().egui_wants_keyboard_input() || self.central != Central::Transcript {
            return;
        }
        let keys = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
            egui::Key::Num8,
            egui::Key::Num9,
        ];
        let shown = visible_codes(&self.project, &self.state.code_filter);
        for (n, key) in keys.iter().enumerate() {
            if ui.input(|i| i.key_pressed(*key) && i.modifiers.is_none())
                && let Some((_, code)) = shown.get(n)
            {
                queue.push(UiCommand::ApplyCode(*code));
            }
        }
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.state.selection = None;
        }
    }

    fn panels_ui(
        &mut self,
        ui: &mut Ui,
        actions: &mut Vec<UiCommand>,
    ) -> Option<super::top_bar::MenuCommand> {
        let info = &self.labels;
        let request = egui::Panel::top("top-bar")
            .show(ui, |ui| {
                top_bar_ui(
                    ui,
                    &self.project,
                    info,
                    &mut self.central,
                    &mut self.state,
                    actions,
                )
            })
            .inner;
        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_ui(ui, actions));
        egui::Panel::left("project-panel")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| {
                project_ui(ui, &self.project, &self.state, actions);
            });
        if matches!(self.central, Central::Transcript | Central::Search) {
            egui::Panel::right("code-panel")
                .resizable(true)
                .default_size(300.0)
                .show(ui, |ui| {
                    egui::Panel::bottom("details-panel")
                        .resizable(true)
                        .default_size(250.0)
                        .show(ui, |ui| {
                            details_ui(ui, &self.project, self.open.as_ref(), &self.state, actions);
                        });
                    egui::CentralPanel::default().show(ui, |ui| {
                        codebook_ui(ui, &self.project, &mut self.state, actions);
                    });
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui, actions));
        request
    }

    fn central_ui(&mut self, ui: &mut Ui, queue: &mut Vec<UiCommand>) {
        let revision = self.revision();
        match self.central {
            Central::Transcript => self.reading_ui(ui, queue),
            Central::Search => {
                if let Some(c) = self.search.ui(ui, &self.project, &self.state, queue) {
                    queue.push(UiCommand::Search(c));
                }
            }
            Central::Agreement => {
                if let Some(c) = self.agreement.ui(ui, &self.project, &self.state, queue) {
                    queue.push(UiCommand::Agreement(c));
                }
            }
            Central::Adjudicate => {
                if let Some(c) = self.adjudicate.ui(ui, &self.project, revision, queue) {
                    queue.push(UiCommand::Adjudicate(c));
                }
            }
            Central::Rounds => {
                if let Some(c) = self.rounds.ui(ui, &self.project, revision) {
                    queue.push(UiCommand::Rounds(c));
                }
            }
            Central::Team => {
                let browse = super::dispatch::native_dialogs();
                if let Some(c) = self.team.ui(ui, &self.project, revision, browse) {
                    queue.push(UiCommand::Team(c));
                }
            }
            Central::Export => {
                if let Some(c) = self.export.ui(ui, &self.project, revision) {
                    queue.push(UiCommand::Export(c));
                }
            }
            Central::Grid => {
                if let Some(c) = self.grid.ui(ui, &self.project, revision, queue) {
                    queue.push(UiCommand::Grid(c));
                }
            }
            Central::Heatmaps => {
                if let Some(c) = self.heatmaps.ui(ui, &self.project, revision, queue) {
                    queue.push(UiCommand::Heatmaps(c));
                }
            }
            Central::Memos => {
                if let Some(c) = self.memos.ui(ui, &self.project, revision, queue) {
                    queue.push(UiCommand::Memos(c));
                }
            }
        }
    }

    fn reading_ui(&mut self, ui: &mut Ui, actions: &mut Vec<UiCommand>) {
        if let Some(view) = self
            .correcting
            .as_mut()
            .filter(|v| Some(v.transcript_id) == self.state.transcript_id)
        {
            ui.heading(&view.name);
            if !view.ui(ui, self.state.rater_id, actions) {
                self.correcting = None;
            }
            return;
        }
        let shown = self
            .open
            .as_ref()
            .filter(|o| Some(o.transcript.transcript_id) == self.state.transcript_id);
        let Some(open) = shown else {
            if let Some(id) = self.state.transcript_id {
                ui.heading(self.project.transcript_name(id));
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Opening…");
                });
            } else {
                ui.heading(&self.project.name);
                ui.label("Open a transcript from the list on the left to read and code it.");
            }
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(&open.transcript.name);
            if ui.button("Transcript memo…").clicked() {
                actions.push(UiCommand::OpenMemo(crate::model::MemoTarget::Transcript(
                    open.transcript.transcript_id,
                )));
            }
            let selected = self.state.selection.filter(|s| !s.is_empty());
            if ui
                .add_enabled(selected.is_some(), egui::Button::new("Memo on selection…"))
                .on_hover_text("Write a memo on the selected words")
                .on_disabled_hover_text("Select words in the transcript first")
                .clicked()
                && let Some(span) = selected
            {
                actions.push(UiCommand::OpenMemo(crate::model::MemoTarget::Passage {
                    transcript: open.transcript.transcript_id,
                    span,
                }));
            }
            let proposer = self.project.rater_file.as_ref().map(|f| f.rater_id);
            let correct = if proposer.is_some() {
                ui.button("Propose a correction…").on_hover_text(
                    "A rater file's transcripts are the lead's: edit the words and propose the \
                     correction; it goes to the lead with your work, who accepts or rejects it",
                )
            } else {
                ui.button("Correct text…").on_hover_text(
                    "Fix a misheard word, a speaker label or a turn: every rater's codings follow \
                     the words, and you review what happens to them before saving",
                )
            };
            if correct.clicked() {
                let mut view = CorrectView::new(&open.transcript);
                view.proposer = proposer;
                self.correcting = Some(view);
            }
            lost_codings_ui(ui, &self.project, self.state.selection, &open.lost, actions);
            match self.state.selection {
                Some(s) => {
                    if ui.button("Clear selection").clicked() {
                        self.state.selection = None;
                    }
                    // Truncated, never wrapped or widened: the text column keeps its width.
                    let quote: String = open.slice(s).chars().take(80).collect();
                    let text = format!("Selected {} characters: “{quote}…”", s.len());
                    ui.add(egui::Label::new(text).truncate());
                }
                None => {
                    ui.label(
                        egui::RichText::new(format!("{} codings shown", open.codings.len())).weak(),
                    );
                }
            }
        });
        ui.separator();
        self.transcript_view
            .ui(ui, &self.project, open, &mut self.state, actions);
    }

    fn status_ui(&self, ui: &mut Ui, queue: &mut Vec<UiCommand>) {
        ui.horizontal(|ui| {
            match &self.state.message {
                Some((Tone::Error, m)) => {
                    ui.colored_label(ui.visuals().error_fg_color, m);
                }
                Some((Tone::Info, m)) => {
                    ui.label(m);
                }
                None => {
                    ui.label("Every change is saved at once. Ctrl+Z undoes, Ctrl+Shift+Z redoes.");
                }
            }
            self.tasks.ui(ui, queue);
        });
    }

    fn dialogs_ui(&mut self, ui: &Ui, queue: &mut Vec<UiCommand>) {
        // Once the project has been read (a revision of 0 is the empty snapshot before that).
        if self.state.rater_id.is_none() && self.project.revision != 0 {
            self.rater_picker.ui(ui, &self.project, queue);
        }
        if let Some(memo) = &mut self.memo {
            let project = &self.project;
            if !memo.ui(
                ui,
                self.state.rater_id,
                |r| project.rater_name(r).to_string(),
                queue,
            ) {
                self.memo = None;
            }
        }
        if let Some(editor) = &mut self.code_editor
            && !editor.ui(ui, &self.project, queue)
        {
            self.code_editor = None;
        }
        if let Some(editor) = &mut self.groups_editor
            && !editor.ui(ui, &self.project, queue)
        {
            self.groups_editor = None;
        }
        if let Some(view) = &self.import
            && !view.ui(ui, self.tasks.get(TaskKind::Import), queue)
        {
            self.import = None;
        }
        if let Some(prompt) = &mut self.path_prompt
            && let Some(answer) = prompt.ui(ui)
        {
            let request = prompt.request;
            self.path_prompt = None;
            if let PromptAnswer::Go(path) = answer {
                queue.push(UiCommand::Prompted(request, path));
            }
        }
        if let Some(dialog) = &mut self.new_encrypted
            && let Some(made) = dialog.ui(ui)
        {
            self.new_encrypted = None;
            if let super::unlock::DialogEnd::Made(workspace) = made {
                queue.push(UiCommand::SwitchTo(workspace));
            }
        }
        if let Some(dialog) = &mut self.deidentify {
            let (command, open) = dialog.ui(ui);
            if !open {
                self.deidentify = None;
            }
            if let Some(c) = command {
                queue.push(UiCommand::Deidentify(c));
            }
        }
        if let Some(dialog) = &mut self.erase {
            let (command, open) = dialog.ui(ui, &self.project);
            if !open {
                self.erase = None;
            }
            if let Some(c) = command {
                queue.push(UiCommand::Erase(c));
            }
        }
        if let Some(dialog) = &mut self.restore {
            let running = self.tasks.is_running(TaskKind::Restore);
            if !dialog.ui(ui, running, queue) && !running {
                self.restore = None;
            }
        }
        if let Some(dialog) = &mut self.attributes
            && let Some(go) = dialog.ui(ui)
        {
            let dialog = self.attributes.take();
            if go && let Some(d) = dialog {
                queue.push(UiCommand::ImportAttributes {
                    path: d.path,
                    key: d.key,
                    create_missing: d.create_missing,
                });
            }
        }
    }
}

impl eframe::App for AccordApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn on_exit(&mut self) {
        self.finish_tasks();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let (Some(r), Some(path)) = (self.state.rater_id, &self.project_path) {
            storage.set_string(&rater_key(path), self.project.rater_name(r).to_string());
        }
        storage.set_string(
            DARK_KEY,
            if self.state.dark { "dark" } else { "light" }.to_string(),
        );
    }
}

/// "Lost codings (N)" above a transcript: the codings corrections lost, with their words, each
/// placed again on the selected words (after the correction's review) when there is a selection.
fn lost_codings_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    selection: Option<crate::model::Span>,
    lost: &[(crate::model::Coding, String)],
    actions: &mut Vec<UiCommand>,
) {
    if lost.is_empty() {
        return;
    }
    let label = format!("Lost codings ({})", lost.len());
    ui.menu_button(label, |ui| {
        ui.label(
            egui::RichText::new(
                "Codings whose every word a correction deleted, kept as removed. \
                     Select words in the text, then place one on them.",
            )
            .small(),
        );
        for (coding, words) in lost {
            let code = project.path(coding.code_id).to_string();
            let rater = project.rater_name(coding.rater_id).to_string();
            ui.label(format!(
                "{rater} · {code}: “{}”",
                super::state::shortened(words, 80)
            ));
            let place = ui.add_enabled(
                selection.is_some(),
                egui::Button::new(format!("Place on the selection ({code})")),
            );
            if let (true, Some(span)) = (place.clicked(), selection) {
                actions.push(UiCommand::Correct(
                    super::correct_view::CorrectCommand::Place {
                        coding: coding.coding_id,
                        span,
                    },
                ));
                ui.close();
            }
        }
    });
}
