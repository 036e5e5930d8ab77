//! Importing from the window. Transcripts are read, parsed and stored on the import task (`tasks`),
//! each file as its own undoable change, so the window never freezes and a failed file never stops
//! the others. The dialog shows a progress bar and, per file, what
//! happened. Case attributes (a REDCap-style CSV) are imported with a key column the user names.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::command::UiCommand;
use super::tasks::{LineKind, Task, TaskKind};

/// The import dialog: a progress bar and, per file, what happened, as the import task reports it;
/// a Stop button while it runs (the files already stored stay), Close once it ended.
#[derive(Debug, Default)]
pub struct ImportView {
    /// Files asked for.
    pub total: usize,
    /// Each file's outcome, once the task ended (while it runs, they are read from the task).
    pub lines: Vec<(LineKind, String)>,
    /// Whether the task ended.
    pub finished: bool,
    /// Why the import stopped, when its task failed.
    pub failed: Option<String>,
}

impl ImportView {
    /// The dialog for an import of `total` files, just started.
    #[must_use]
    pub fn new(total: usize) -> Self {
        Self {
            total,
            ..Self::default()
        }
    }

    /// The task ended with these outcomes.
    pub fn ended(&mut self, lines: Vec<(LineKind, String)>) {
        self.lines = lines;
        self.finished = true;
    }

    /// Draws the dialog from the running task's progress (borrowed, not copied) or, once it
    /// ended, from its outcomes; returns `false` once the user closes it.
    pub fn ui(&self, ui: &Ui, task: Option<&Task>, queue: &mut Vec<UiCommand>) -> bool {
        let mut open = true;
        let mut close = false;
        egui::Window::new("Import transcripts")
            .id(egui::Id::unique("import-job"))
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                let draw = |ui: &mut Ui, done: usize, lines: &[(LineKind, String)]| {
                    ui.add(
                        egui::ProgressBar::new(done as f32 / self.total.max(1) as f32)
                            .text(format!("{done} of {} files", self.total)),
                    );
                    egui::ScrollArea::vertical()
                        .max_height(260.0)
                        .stick_to_bottom(true)
                        .show(ui, |ui| {
                            for (kind, line) in lines {
                                match kind {
                                    LineKind::Done => ui.label(line),
                                    LineKind::Skipped => ui.label(RichText::new(line).weak()),
                                    LineKind::Failed => {
                                        ui.colored_label(ui.visuals().error_fg_color, line)
                                    }
                                };
                            }
                        });
                };
                if let Some(task) = task.filter(|_| !self.finished) {
                    // Above the list, which grows: the button stays where it was.
                    if ui.button("Stop").clicked() {
                        queue.push(UiCommand::Cancel(TaskKind::Import));
                    }
                    task.with_progress(|p| draw(ui, p.done, &p.lines));
                } else {
                    draw(ui, self.lines.len(), &self.lines);
                    if let Some(why) = &self.failed {
                        ui.colored_label(ui.visuals().error_fg_color, why);
                    }
                    if ui.button("Close").clicked() {
                        close = true;
                    }
                }
            });
        open && !close
    }
}

/// Asks for a path when no native file dialog is available.
#[derive(Debug, Clone)]
pub struct PathPrompt {
    /// What the path is for.
    pub request: super::top_bar::MenuCommand,
    /// The path typed.
    pub path: String,
}

impl PathPrompt {
    /// A prompt for a menu item.
    #[must_use]
    pub fn new(request: super::top_bar::MenuCommand) -> Self {
        Self {
            request,
            path: String::new(),
        }
    }

    /// Draws the prompt; returns what the user chose, once they chose.
    pub fn ui(&mut self, ui: &Ui) -> Option<PromptAnswer> {
        let mut answer = None;
        let title = match self.request {
            super::top_bar::MenuCommand::ImportTranscripts => "Import transcripts",
            super::top_bar::MenuCommand::ImportAttributes => "Import attributes",
            super::top_bar::MenuCommand::NewEncrypted => "New encrypted project",
            super::top_bar::MenuCommand::Deidentify => "De-identify",
            super::top_bar::MenuCommand::Erase => "Erase transcripts",
            super::top_bar::MenuCommand::Restore => "Restore from a backup",
            super::top_bar::MenuCommand::Reindex => "Rebuild the search index",
            super::top_bar::MenuCommand::Report => "Report",
        };
        egui::Window::new(title).id(egui::Id::unique("path-prompt")).show(ui.ctx(), |ui| {
            ui.label("No file dialog is available here (no desktop portal). Type the path of a file or folder:");
            let field = ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(420.0));
            field.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Path"));
            let enter = super::state::entered(&field, ui);
            ui.horizontal(|ui| {
                let path = PathBuf::from(self.path.trim());
                let clicked = ui.add_enabled(path.exists(), egui::Button::new("Import")).clicked();
                if (clicked || enter) && path.exists() {
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
                    let field = ui.text_edit_singleline(&mut self.key);
                    field.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Case column")
                    });
                    if super::state::entered(&field, ui) {
                        answer = Some(true);
                    }
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
