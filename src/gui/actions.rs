//! Carrying out what the panels asked for, after the frame: project changes through the workspace
//! (one transaction each, undoable), the app's own state, and the work that runs on other threads
//! (import, agreement), polled every frame.

use std::sync::mpsc::channel;

use egui::Ui;

use super::Central;
use super::agreement_view::{AgreementRequest, AgreementResult, DisagreementDetail};
use super::app::AccordApp;
use super::codebook_editor::CodeEditor;
use super::export_view::ExportRequest;
use super::import_dialog::{AttributeDialog, ImportJob, PathPrompt};
use super::memo_editor::MemoEditor;
use super::search_view::SearchRequest;
use super::state::Action;
use super::top_bar::MenuRequest;
use crate::app::Store;
use crate::app::agreement::{AgreementOptions, disagreements, project_agreement};
use crate::app::agreement_input::Selection;
use crate::app::search::SearchOptions;
use crate::app::{AppError, Command};
use crate::app::{CodingCommand, RaterCommand};
use crate::model::{CodeId, CodingId, MemoTarget, NewCoding};

/// Carries out one action.
pub(super) fn act(app: &mut AccordApp, action: Action) {
    match action {
        Action::Apply { label, command } => app.apply(&label, command),
        Action::Undo => match app.workspace.undo() {
            Ok(Some(label)) => app.state.info(format!("Undid: {label}")),
            Ok(None) => app.state.info("Nothing to undo."),
            Err(e) => app.state.error(format!("Could not undo: {e}")),
        },
        Action::Redo => match app.workspace.redo() {
            Ok(Some(label)) => app.state.info(format!("Redid: {label}")),
            Ok(None) => app.state.info("Nothing to redo."),
            Err(e) => app.state.error(format!("Could not redo: {e}")),
        },
        Action::OpenTranscript(id) => {
            app.state.transcript_id = Some(id);
            app.state.selection = None;
            app.state.coding_id = None;
            app.central = Central::Transcript;
        }
        Action::JumpTo {
            transcript_id,
            span,
        } => {
            app.state.transcript_id = Some(transcript_id);
            app.state.selection = Some(span);
            app.state.coding_id = None;
            app.state.scroll_to = Some(span.start);
            app.central = Central::Transcript;
        }
        Action::ApplyCode(code_id) => app.apply_code(code_id),
        Action::SetRater(id) => {
            app.state.rater_id = Some(id);
            app.state.coding_id = None;
        }
        Action::SelectCode(id) => app.state.code_id = Some(id),
        Action::SelectCoding(id) => {
            app.state.coding_id = id;
            if let Some(code) = id
                .and_then(|c| app.open.as_ref()?.coding(c))
                .map(|c| c.code_id)
            {
                app.state.code_id = Some(code);
            }
        }
        Action::OpenMemo(target) => app.open_memo(target),
        Action::EditCode(code, parent) => app.open_code_editor(code, parent),
        Action::MergeCodes { from, into } => app.merge_codes(from, into),
    }
}

impl AccordApp {
    /// Applies a change through the workspace; errors go to the status bar, nothing is half done.
    pub(super) fn apply(&mut self, label: &str, command: Command) {
        let rater_added = matches!(command, Command::Raters(RaterCommand::Add { .. }));
        match self.workspace.apply(label, command) {
            Ok(crate::app::Outcome::Rater(r)) if rater_added => {
                self.state.rater_id = Some(r.rater_id);
                self.state.info(format!("{label}: done"));
            }
            Ok(_) => self.state.info(format!("{label}: saved")),
            Err(e) => self.state.error(format!("{label}: {e}")),
        }
    }

    /// Codes the selection with a code, as the current rater.
    fn apply_code(&mut self, code_id: CodeId) {
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
        let name = self.project.path(code_id).to_string();
        let before = self.workspace.revision();
        self.apply(
            &format!("Code “{name}”"),
            Command::Codings(CodingCommand::Add {
                codings: vec![coding],
                action: "code".into(),
            }),
        );
        if self.workspace.revision() != before {
            self.state.selection = None;
            self.state.coding_id = Some(id);
            self.state.code_id = Some(code_id);
        }
    }

    fn open_memo(&mut self, target: MemoTarget) {
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
        };
        match self.workspace.store().memos(target) {
            Ok(existing) => {
                self.memo = Some(MemoEditor {
                    target,
                    title,
                    existing,
                    text: String::new(),
                });
            }
            Err(e) => self.state.error(format!("could not read memos: {e}")),
        }
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

    /// Merging: the code's codings (every rater's) move to the other code and it leaves the codebook,
    /// its children moving under the other code, all in one undoable change.
    fn merge_codes(&mut self, from: CodeId, into: CodeId) {
        let edit = match crate::app::codes::merge_codes(
            self.workspace.store(),
            from,
            into,
            self.state.rater_id,
        ) {
            Ok(edit) => edit,
            Err(e) => return self.state.error(format!("could not read codings: {e}")),
        };
        let label = format!(
            "Merge {} into {}",
            self.project.path(from),
            self.project.path(into)
        );
        self.apply(&label, Command::Edit(Box::new(edit)));
        if self.state.code_id == Some(from) {
            self.state.code_id = Some(into);
        }
    }

    /// Runs a search or codes hits.
    pub(super) fn search_request(&mut self, request: SearchRequest, _actions: &mut [Action]) {
        if self.search.preparing && matches!(request, SearchRequest::Run { .. }) {
            // Runs when the index is ready (see `poll_jobs`).
            self.pending_search = Some(request);
            return;
        }
        match request {
            SearchRequest::Run {
                query,
                filters,
                order,
                stem,
            } => {
                let opts = SearchOptions {
                    limit: 200,
                    order,
                    stem,
                    ..SearchOptions::default()
                };
                let result = self
                    .workspace
                    .search_filtered(&query, &filters, &opts)
                    .map(|found| found.results)
                    .map_err(|e| e.to_string());
                self.search.set_results(result);
                // The index was busy or could not be used: the hits came from what was there or
                // from an index built in memory; say so rather than fail.
                if let Some(note) = self.workspace.index_note() {
                    let note = note.to_string();
                    self.state.info(note);
                }
            }
            SearchRequest::CodeHits {
                hits,
                code_id,
                scope,
            } => {
                let Some(rater_id) = self.state.rater_id else {
                    return self.state.error("Choose who is coding first (top right).");
                };
                match crate::app::search::hit_codings(
                    self.workspace.store(),
                    &hits,
                    code_id,
                    rater_id,
                    scope,
                ) {
                    Ok(codings) if codings.is_empty() => {
                        self.state.info("Those hits are already coded so.");
                    }
                    Ok(codings) => {
                        let label = format!(
                            "Code {} search hits with “{}”",
                            codings.len(),
                            self.project.path(code_id)
                        );
                        self.apply(
                            &label,
                            Command::Codings(CodingCommand::Add {
                                codings,
                                action: "search-code".into(),
                            }),
                        );
                    }
                    Err(e) => self.state.error(format!("could not code the hits: {e}")),
                }
            }
        }
    }

    /// Starts an agreement computation (on a worker thread for a project file) or loads a detail.
    pub(super) fn agreement_request(&mut self, ui: &Ui, request: AgreementRequest) {
        match request {
            AgreementRequest::Compute(selection, options) => {
                self.agreement.busy = true;
                self.agreement.detail = None;
                let Ok(second) = self.workspace.store().reopen() else {
                    // An in-memory project: computed here.
                    let result = compute(self.workspace.store(), &selection, &options);
                    self.agreement.result = Some(result);
                    self.agreement.busy = false;
                    return;
                };
                let (tx, rx) = channel();
                let ctx = ui.ctx().clone();
                std::thread::spawn(move || {
                    let result = compute(&second, &selection, &options);
                    let _ = tx.send(result);
                    ctx.request_repaint();
                });
                self.agreement_job = Some(rx);
            }
            AgreementRequest::Detail(d) => match self.disagreement_detail(&d) {
                Ok(detail) => self.agreement.detail = Some(detail),
                Err(e) => self
                    .state
                    .error(format!("could not show the disagreement: {e}")),
            },
        }
    }

    fn disagreement_detail(
        &self,
        d: &crate::app::agreement::DisagreementView,
    ) -> Result<DisagreementDetail, AppError> {
        let raters = match &self.agreement.result {
            Some(Ok(r)) => r.report.raters.clone(),
            _ => Vec::new(),
        };
        crate::app::agreement::disagreement_detail(self.workspace.store(), d, &raters)
    }

    /// Collects finished work from other threads.
    pub(super) fn poll_jobs(&mut self, ui: &Ui) {
        if self.search.preparing {
            self.search.preparing = self.workspace.index_preparing();
            if self.search.preparing {
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            } else if let Some(request) = self.pending_search.take() {
                self.search_request(request, &mut []);
            }
        }
        if let Some(rx) = &self.agreement_job {
            if let Ok(result) = rx.try_recv() {
                self.agreement.result = Some(result);
                self.agreement.busy = false;
                self.agreement_job = None;
            } else {
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
        }
        let Some(job) = &mut self.import else { return };
        let parsed = job.take_parsed();
        let pending = !job.finished();
        for read in parsed {
            let path = read.path().to_path_buf();
            let outcome = crate::app::batch::store_file(read, |label, command| {
                self.workspace.apply(label, command)
            });
            if let Some(job) = &mut self.import {
                job.push(path, outcome);
            }
        }
        if pending {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Handles a File menu item that needs a native dialog.
    pub(super) fn menu_request(&mut self, ui: &Ui, request: MenuRequest) {
        match request {
            MenuRequest::NewEncrypted => {
                self.new_encrypted = Some(super::unlock::NewEncryptedDialog::default());
            }
            MenuRequest::Deidentify => {
                self.deidentify = Some(super::deidentify_dialog::DeidentifyDialog::default());
            }
            MenuRequest::Erase => {
                self.erase = Some(super::erase_dialog::EraseDialog::default());
            }
            MenuRequest::ImportTranscripts if !native_dialogs() => {
                self.path_prompt = Some(PathPrompt::new(MenuRequest::ImportTranscripts));
            }
            MenuRequest::ImportAttributes if !native_dialogs() => {
                self.path_prompt = Some(PathPrompt::new(MenuRequest::ImportAttributes));
            }
            MenuRequest::ImportTranscripts => {
                let Some(paths) = rfd::FileDialog::new()
                    .add_filter("Transcripts", &["txt", "vtt", "srt", "docx"])
                    .set_title("Import transcripts")
                    .pick_files()
                else {
                    return;
                };
                self.start_import(ui.ctx(), paths);
            }
            MenuRequest::ImportAttributes => {
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

    /// Carries out a path typed in the fallback prompt: a folder imports every transcript in it.
    pub(super) fn prompted_path(
        &mut self,
        ctx: &egui::Context,
        request: MenuRequest,
        path: std::path::PathBuf,
    ) {
        match request {
            MenuRequest::ImportTranscripts if path.is_dir() => {
                match crate::app::batch::files_in(&path) {
                    Ok((files, _)) => self.start_import(ctx, files),
                    Err(e) => self.state.error(format!("{}: {e}", path.display())),
                }
            }
            MenuRequest::ImportTranscripts => self.start_import(ctx, vec![path]),
            MenuRequest::ImportAttributes => self.attributes = Some(AttributeDialog::new(path)),
            MenuRequest::NewEncrypted | MenuRequest::Deidentify | MenuRequest::Erase => {}
        }
    }

    /// Starts importing files (the File menu, and tests).
    pub fn start_import(&mut self, ctx: &egui::Context, paths: Vec<std::path::PathBuf>) {
        let ctx = ctx.clone();
        self.import = Some(ImportJob::start(paths, move || ctx.request_repaint()));
    }

    pub(super) fn import_attributes(&mut self, d: &AttributeDialog) {
        match crate::app::batch::attributes_change(&d.path, d.key.trim(), d.create_missing) {
            Ok((change, _)) => {
                let label = format!("Import attributes from {}", d.path.display());
                self.apply(&label, change);
            }
            Err(e) => self.state.error(e.to_string()),
        }
    }
}

impl AccordApp {
    /// The project as exports read it, re-read only when the project changed.
    fn export_data(&mut self) -> Result<&crate::export::ProjectData, String> {
        let revision = self.workspace.revision();
        if self
            .export_data
            .as_ref()
            .is_none_or(|(r, _)| *r != revision)
        {
            let data =
                crate::app::export::snapshot(self.workspace.store()).map_err(|e| e.to_string())?;
            self.export_data = Some((revision, data));
        }
        self.export_data
            .as_ref()
            .map(|(_, d)| d)
            .ok_or_else(|| "no export data".to_string())
    }

    fn agreement_report(&self) -> Option<crate::agreement::project::ProjectAgreement> {
        match &self.agreement.result {
            Some(Ok(r)) => Some(r.report.clone()),
            _ => None,
        }
    }

    pub(super) fn export_request(&mut self, request: ExportRequest) {
        match request {
            ExportRequest::Preview => {
                let revision = self.workspace.revision();
                let choices = self.export.choices.clone();
                let report = self.agreement_report();
                let text = match self.export_data() {
                    Ok(data) => super::export_view::preview(&choices, data, report.as_ref()),
                    Err(e) => format!("Cannot read the project: {e}"),
                };
                self.export.preview = Some((revision, choices, text));
            }
            ExportRequest::Save => {
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
            .store()
            .path()
            .map(std::path::Path::to_path_buf);
        let target = crate::app::export::OutputTarget {
            path,
            extensions: choices.format.extensions(),
            zip: choices.format.is_zip(),
            project: project.as_deref(),
            force: false,
        };
        target.check().map_err(|e| e.to_string())?;
        let report = self.agreement_report();
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

/// Native file dialogs go through the desktop portal over the session bus; without a bus (a bare X
/// server, a remote session) the window asks for a path instead of failing silently.
pub(super) fn native_dialogs() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
}

fn compute(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
) -> Result<AgreementResult, String> {
    let report = project_agreement(store, selection, options).map_err(|e| e.to_string())?;
    let disagreements = disagreements(store, selection, options).map_err(|e| e.to_string())?;
    Ok(AgreementResult {
        report,
        disagreements,
    })
}
