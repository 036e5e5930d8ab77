//! Importing from the window. Transcripts are read and parsed on a worker thread (the slow part), and
//! each parsed file is stored on the UI thread as its own undoable change, so the window never freezes
//! and a failed file never stops the others. The dialog shows a progress bar and, per file, what
//! happened. Case attributes (a REDCap-style CSV) are imported with a key column the user names.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use egui::{RichText, Ui};

use crate::app::FileOutcome;
use crate::app::batch::{ReadFile, read_file};
use crate::app::files::ImportOptions;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileResult {
    /// Stored, with this many turns.
    Imported(String, usize),
    /// Not stored, and why (already imported).
    Skipped(String),
    /// Failed, and why (the message names the file).
    Failed(String),
}

/// A transcript import under way.
#[derive(Debug)]
pub struct ImportJob {
    rx: Receiver<ReadFile>,
    /// Files asked for.
    pub total: usize,
    /// Each file's outcome so far, in the order they finished.
    pub results: Vec<(PathBuf, FileResult)>,
}

impl ImportJob {
    /// Starts reading `paths` on a worker thread; `wake` is called after each file (to repaint).
    pub fn start(paths: Vec<PathBuf>, wake: impl Fn() + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let total = paths.len();
        std::thread::spawn(move || {
            for path in paths {
                if tx
                    .send(read_file(&path, &ImportOptions::default()))
                    .is_err()
                {
                    return;
                }
                wake();
            }
        });
        Self {
            rx,
            total,
            results: Vec::new(),
        }
    }

    /// Files parsed since the last call, for the app to store ([`crate::app::batch::store_file`]).
    pub fn take_parsed(&mut self) -> Vec<ReadFile> {
        self.rx.try_iter().collect()
    }

    /// Keeps a file's outcome, to show.
    pub fn push(&mut self, path: PathBuf, outcome: FileOutcome) {
        let result = match outcome {
            FileOutcome::Imported(s) => FileResult::Imported(s.name, s.turns),
            FileOutcome::Skipped { reason, .. } => FileResult::Skipped(reason),
            FileOutcome::Failed { error, .. } => FileResult::Failed(error),
        };
        self.results.push((path, result));
    }

    /// Whether every file has an outcome.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.results.len() >= self.total
    }

    /// Draws the progress window; returns `false` once the user closes it.
    pub fn ui(&self, ui: &Ui) -> bool {
        let mut open = true;
        let mut close = false;
        egui::Window::new("Import transcripts")
            .id(egui::Id::unique("import-job"))
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                let done = self.results.len();
                ui.add(
                    egui::ProgressBar::new(done as f32 / self.total.max(1) as f32)
                        .text(format!("{done} of {} files", self.total)),
                );
                egui::ScrollArea::vertical()
                    .max_height(260.0)
                    .show(ui, |ui| {
                        for (path, result) in &self.results {
                            let name = path.file_name().map_or_else(
                                || path.display().to_string(),
                                |n| n.to_string_lossy().into_owned(),
                            );
                            match result {
                                FileResult::Imported(t, turns) => {
                                    ui.label(format!("imported  {name} as {t} ({turns} turns)"))
                                }
                                FileResult::Skipped(why) => ui.label(
                                    RichText::new(format!("skipped   {name}: {why}")).weak(),
                                ),
                                FileResult::Failed(why) => ui.colored_label(
                                    ui.visuals().error_fg_color,
                                    format!("failed    {why}"),
                                ),
                            };
                        }
                    });
                if self.finished() && ui.button("Close").clicked() {
                    close = true;
                }
            });
        open && !close
    }
}

/// Asks for a path when no native file dialog is available.
#[derive(Debug, Clone)]
pub struct PathPrompt {
    /// What the path is for.
    pub request: super::top_bar::MenuRequest,
    /// The path typed.
    pub path: String,
}

impl PathPrompt {
    /// A prompt for a menu item.
    #[must_use]
    pub fn new(request: super::top_bar::MenuRequest) -> Self {
        Self {
            request,
            path: String::new(),
        }
    }

    /// Draws the prompt; returns what the user chose, once they chose.
    pub fn ui(&mut self, ui: &Ui) -> Option<PromptAnswer> {
        let mut answer = None;
        let title = match self.request {
            super::top_bar::MenuRequest::ImportTranscripts => "Import transcripts",
            super::top_bar::MenuRequest::ImportAttributes => "Import attributes",
            super::top_bar::MenuRequest::NewEncrypted => "New encrypted project",
            super::top_bar::MenuRequest::Deidentify => "De-identify",
            super::top_bar::MenuRequest::Erase => "Erase transcripts",
        };
        egui::Window::new(title).id(egui::Id::unique("path-prompt")).show(ui.ctx(), |ui| {
            ui.label("No file dialog is available here (no desktop portal). Type the path of a file or folder:");
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(420.0))
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Path"));
            ui.horizontal(|ui| {
                let path = PathBuf::from(self.path.trim());
                if ui.add_enabled(path.exists(), egui::Button::new("Import")).clicked() {
                    answer = Some(PromptAnswer::Go(path));
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(PromptAnswer::Cancel);
                }
            });
        });
        answer
    }
}

/// What the path prompt was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptAnswer {
    /// Go on with this path.
    Go(PathBuf),
    /// Cancelled.
    Cancel,
}

/// The attribute import dialog: the chosen file, its key column and whether to create missing cases.
#[derive(Debug, Clone)]
pub struct AttributeDialog {
    /// The CSV file.
    pub path: PathBuf,
    /// The column naming each case.
    pub key: String,
    /// Create cases that have no transcript yet.
    pub create_missing: bool,
}

impl AttributeDialog {
    /// A dialog for a file, with REDCap's `record_id` as the key.
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            key: "record_id".into(),
            create_missing: false,
        }
    }

    /// Draws the dialog; returns `Some(true)` to import, `Some(false)` to cancel.
    pub fn ui(&mut self, ui: &Ui) -> Option<bool> {
        let mut answer = None;
        egui::Window::new("Import attributes")
            .id(egui::Id::unique("attributes-dialog"))
            .show(ui.ctx(), |ui| {
                ui.label(format!("File: {}", self.path.display()));
                ui.horizontal(|ui| {
                    ui.label("Case column");
                    ui.text_edit_singleline(&mut self.key).widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Case column")
                    });
                });
                ui.checkbox(
                    &mut self.create_missing,
                    "Create cases that have no transcript yet",
                );
                ui.horizontal(|ui| {
                    if ui.button("Import").clicked() {
                        answer = Some(true);
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(false);
                    }
                });
            });
        answer
    }
}
