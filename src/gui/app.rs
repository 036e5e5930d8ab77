//! The eframe app: owns the [`Workspace`] and the panels' state, draws the frame from read-only
//! snapshots, and carries out the actions the panels emitted once the frame is drawn.

use std::sync::mpsc::Receiver;

use egui::Ui;

use super::adjudicate_view::AdjudicateView;
use super::agreement_view::{AgreementResult, AgreementView};
use super::cache::{ProjectCache, TranscriptCache};
use super::codebook_editor::CodeEditor;
use super::codebook_panel::{codebook_ui, visible_codes};
use super::details_panel::details_ui;
use super::export_view::ExportView;
use super::fonts;
use super::import_dialog::{AttributeDialog, ImportJob, PathPrompt, PromptAnswer};
use super::memo_editor::MemoEditor;
use super::project_panel::project_ui;
use super::rater_picker::RaterPicker;
use super::rounds_view::RoundsView;
use super::search_view::{SearchRequest, SearchView};
use super::state::{Action, Tone, ViewState};
use super::team_view::TeamView;
use super::top_bar::{MenuRequest, TopBarInfo, top_bar_ui};
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
}

/// The window.
pub struct AccordApp {
    pub(super) workspace: Workspace,
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
    pub(super) export_data: Option<(u64, crate::export::ProjectData)>,
    pub(super) memo: Option<MemoEditor>,
    pub(super) code_editor: Option<CodeEditor>,
    pub(super) import: Option<ImportJob>,
    pub(super) attributes: Option<AttributeDialog>,
    pub(super) path_prompt: Option<PathPrompt>,
    pub(super) new_encrypted: Option<super::unlock::NewEncryptedDialog>,
    /// The de-identification dialog, when open.
    pub deidentify: Option<super::deidentify_dialog::DeidentifyDialog>,
    /// The erase dialog, when open.
    pub erase: Option<super::erase_dialog::EraseDialog>,
    pub(super) agreement_job: Option<Receiver<Result<AgreementResult, String>>>,
    /// Open the search index on a worker thread when the window starts (the real window does; the
    /// UI tests search synchronously unless they ask for it).
    index_in_background: bool,
    index_started: bool,
    /// A search asked for while the index was still being prepared; it runs when the index is ready.
    pub(super) pending_search: Option<SearchRequest>,
    fonts_installed: bool,
    remembered_rater: Option<String>,
}

const RATER_KEY: &str = "accord.rater";
const DARK_KEY: &str = "accord.dark";

/// What eframe remembered between runs: the last rater's name and whether the theme is dark.
pub(super) fn remembered(storage: Option<&dyn eframe::Storage>) -> (Option<String>, bool) {
    storage.map_or((None, false), |s| {
        (
            s.get_string(RATER_KEY),
            s.get_string(DARK_KEY).as_deref() == Some("dark"),
        )
    })
}

impl AccordApp {
    /// A window on a workspace (also what the UI tests and the frame benchmark build).
    #[must_use]
    pub fn new(mut workspace: Workspace) -> Self {
        let notes = workspace.take_open_notes();
        let mut app = Self {
            workspace,
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
            export_data: None,
            memo: None,
            code_editor: None,
            import: None,
            attributes: None,
            path_prompt: None,
            new_encrypted: None,
            deidentify: None,
            erase: None,
            agreement_job: None,
            index_in_background: false,
            index_started: false,
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
        app.remember(remembered(cc.storage));
        app
    }

    /// Takes what was remembered between runs: the last rater's name and the theme.
    pub fn remember(&mut self, (rater, dark): (Option<String>, bool)) {
        self.remembered_rater = rater;
        self.state.dark = dark;
    }

    /// Works on another project from now on (a new one, just made).
    pub fn switch_to(&mut self, workspace: Workspace) {
        let (dark, background) = (self.state.dark, self.index_in_background);
        *self = Self::new(workspace);
        self.state.dark = dark;
        self.index_in_background = background;
        self.fonts_installed = false;
    }

    /// Opens the search index on a worker thread as the window starts (and on every project it
    /// switches to), so a large or encrypted project's index never holds up the window; a search
    /// asked for before it is ready runs when it is.
    pub fn open_index_in_background(&mut self) {
        self.index_in_background = true;
    }

    /// The workspace (for reading; tests look at the store through it).
    #[must_use]
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
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
        self.refresh();
        if self.index_in_background && !self.index_started {
            self.index_started = true;
            let ctx = ui.ctx().clone();
            self.search.preparing = self.workspace.prepare_index(move || ctx.request_repaint());
        }
        let mut actions = Vec::new();
        self.shortcuts(ui, &mut actions);
        let request = self.panels_ui(ui, &mut actions);
        self.dialogs_ui(ui, &mut actions);
        self.poll_jobs(ui);
        if let Some(request) = request {
            self.menu_request(ui, request);
        }
        for action in actions {
            self.act(action);
        }
        self.refresh();
    }

    /// Re-reads the snapshots when the project, the rater or the open transcript changed.
    fn refresh(&mut self) {
        let revision = self.workspace.revision();
        let rater = self.state.rater_id;
        if self.project.revision != revision || self.project.rater_id != rater {
            match ProjectCache::load(self.workspace.store(), revision, rater) {
                Ok(p) => self.project = p,
                Err(e) => self.state.error(format!("could not read the project: {e}")),
            }
            self.pick_remembered_rater();
        }
        let Some(id) = self.state.transcript_id else {
            self.open = None;
            return;
        };
        let stale = self.open.as_ref().is_none_or(|o| {
            o.transcript.transcript_id != id || o.revision != revision || o.rater_id != rater
        });
        if stale {
            match TranscriptCache::load(self.workspace.store(), &self.project, id, revision, rater)
            {
                Ok(t) => self.open = Some(t),
                Err(e) => {
                    self.state
                        .error(format!("could not open the transcript: {e}"));
                    self.state.transcript_id = None;
                    self.open = None;
                }
            }
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

    fn shortcuts(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        let redo = egui::KeyboardShortcut::new(
            egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
            egui::Key::Z,
        );
        let undo = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z);
        if ui.input_mut(|i| i.consume_shortcut(&redo)) {
            actions.push(Action::Redo);
        } else if ui.input_mut(|i| i.consume_shortcut(&undo)) {
            actions.push(Action::Undo);
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
                actions.push(Action::ApplyCode(*code));
            }
        }
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.state.selection = None;
        }
    }

    fn panels_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) -> Option<MenuRequest> {
        let info = TopBarInfo {
            undo: self.workspace.undo_label().map(str::to_string),
            redo: self.workspace.redo_label().map(str::to_string),
        };
        let request = egui::Panel::top("top-bar")
            .show(ui, |ui| {
                top_bar_ui(
                    ui,
                    &self.project,
                    &info,
                    &mut self.central,
                    &mut self.state,
                    actions,
                )
            })
            .inner;
        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_ui(ui));
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

    fn central_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        match self.central {
            Central::Transcript => self.reading_ui(ui, actions),
            Central::Search => {
                if let Some(request) = self.search.ui(ui, &self.project, &self.state, actions) {
                    self.search_request(request, actions);
                }
            }
            Central::Agreement => {
                if let Some(request) = self.agreement.ui(ui, &self.project, &self.state, actions) {
                    self.agreement_request(ui, request);
                }
            }
            Central::Adjudicate => {
                let revision = self.workspace.revision();
                if let Some(request) = self.adjudicate.ui(ui, &self.project, revision, actions) {
                    self.adjudicate_request(request);
                }
            }
            Central::Rounds => {
                let revision = self.workspace.revision();
                if let Some(request) = self.rounds.ui(ui, &self.project, revision) {
                    self.rounds_request(request);
                }
            }
            Central::Team => {
                let revision = self.workspace.revision();
                let browse = super::actions::native_dialogs();
                if let Some(request) = self.team.ui(ui, &self.project, revision, browse) {
                    self.team_request(request);
                }
            }
            Central::Export => {
                let revision = self.workspace.revision();
                if let Some(request) = self.export.ui(ui, &self.project, revision) {
                    self.export_request(request);
                }
            }
        }
    }

    fn reading_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let Some(open) = &self.open else {
            ui.heading(&self.project.name);
            ui.label("Open a transcript from the list on the left to read and code it.");
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(&open.transcript.name);
            if ui.button("Transcript memo…").clicked() {
                actions.push(Action::OpenMemo(crate::model::MemoTarget::Transcript(
                    open.transcript.transcript_id,
                )));
            }
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

    fn status_ui(&self, ui: &mut Ui) {
        ui.horizontal(|ui| match &self.state.message {
            Some((Tone::Error, m)) => {
                ui.colored_label(ui.visuals().error_fg_color, m);
            }
            Some((Tone::Info, m)) => {
                ui.label(m);
            }
            None => {
                ui.label("Every change is saved at once. Ctrl+Z undoes, Ctrl+Shift+Z redoes.");
            }
        });
    }

    fn dialogs_ui(&mut self, ui: &Ui, actions: &mut Vec<Action>) {
        if self.state.rater_id.is_none() {
            self.rater_picker.ui(ui, &self.project, actions);
        }
        if let Some(memo) = &mut self.memo {
            let project = &self.project;
            if !memo.ui(
                ui,
                self.state.rater_id,
                |r| project.rater_name(r).to_string(),
                actions,
            ) {
                self.memo = None;
            }
        }
        if let Some(editor) = &mut self.code_editor
            && !editor.ui(ui, &self.project, actions)
        {
            self.code_editor = None;
        }
        if let Some(job) = &self.import
            && !job.ui(ui)
        {
            self.import = None;
        }
        if let Some(prompt) = &mut self.path_prompt
            && let Some(answer) = prompt.ui(ui)
        {
            let request = prompt.request;
            self.path_prompt = None;
            if let PromptAnswer::Go(path) = answer {
                self.prompted_path(ui.ctx(), request, path);
            }
        }
        if let Some(dialog) = &mut self.new_encrypted
            && let Some(made) = dialog.ui(ui)
        {
            self.new_encrypted = None;
            if let super::unlock::DialogEnd::Made(workspace) = made {
                let path = workspace
                    .store()
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                self.switch_to(*workspace);
                self.state
                    .info(format!("Created the encrypted project {path}."));
                return;
            }
        }
        if let Some(dialog) = &mut self.deidentify {
            let (request, open) = dialog.ui(ui);
            if !open {
                self.deidentify = None;
            }
            if let Some(request) = request {
                self.deidentify_request(request);
            }
        }
        if let Some(dialog) = &mut self.erase {
            let (request, open) = dialog.ui(ui, &self.project);
            if !open {
                self.erase = None;
            }
            if let Some(request) = request {
                self.erase_request(request);
            }
        }
        if let Some(dialog) = &mut self.attributes
            && let Some(go) = dialog.ui(ui)
        {
            let dialog = self.attributes.take();
            if go && let Some(d) = dialog {
                self.import_attributes(&d);
            }
        }
    }

    /// The app's own state changes and the project changes, in order.
    fn act(&mut self, action: Action) {
        super::actions::act(self, action);
    }
}

impl eframe::App for AccordApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(r) = self.state.rater_id {
            storage.set_string(RATER_KEY, self.project.rater_name(r).to_string());
        }
        storage.set_string(
            DARK_KEY,
            if self.state.dark { "dark" } else { "light" }.to_string(),
        );
    }
}
