//! File › De-identify…: choose a pseudonym list (a CSV of `real name,pseudonym` rows), review every
//! name it finds (how often, where, what it becomes, and any name this project already calls
//! something else), then apply it once you confirm that it cannot be undone. The same steps as
//! `accord deidentify`: both call [`crate::app::deidentify`].

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::app::deidentify::Preview;
use crate::app::files::Pseudonyms;

/// What the dialog asks the app to do.
#[derive(Debug, Clone)]
pub enum DeidentifyCommand {
    /// Read the list and preview it.
    Preview(PathBuf),
    /// Apply the previewed list.
    Apply(Box<Pseudonyms>),
}

/// The dialog's state.
#[derive(Debug, Default)]
pub struct DeidentifyDialog {
    path: String,
    /// The list read and its preview, or why it could not be.
    pub preview: Option<Result<(Box<Pseudonyms>, Preview), String>>,
    confirmed: bool,
}

impl DeidentifyDialog {
    /// Draws the dialog; returns a request, and whether the dialog is still open.
    pub fn ui(&mut self, ui: &Ui) -> (Option<DeidentifyCommand>, bool) {
        let mut request = None;
        let mut open = true;
        egui::Window::new("De-identify")
            .collapsible(false)
            .default_width(620.0)
            .show(ui.ctx(), |ui| {
                ui.label("A pseudonym list is a CSV with a real name and its pseudonym on each row. Keep it off shared drives.");
                ui.horizontal(|ui| {
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut self.path)
                            .hint_text("/path/to/names.csv")
                            .desired_width(420.0),
                    );
                    field.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Pseudonym list")
                    });
                    let enter = super::state::entered(&field, ui);
                    if ui.button("Preview").clicked() || enter {
                        self.confirmed = false;
                        request = Some(DeidentifyCommand::Preview(PathBuf::from(self.path.trim())));
                    }
                });
                match &self.preview {
                    None => {}
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    Some(Ok((list, preview))) => {
                        if let Some(r) = preview_ui(ui, &mut self.confirmed, list, preview) {
                            request = Some(r);
                        }
                    }
                }
                if ui.button("Close").clicked() {
                    open = false;
                }
            });
        (request, open)
    }
}

/// The names the list finds, the confirmation, and the Apply button.
fn preview_ui(
    ui: &mut Ui,
    confirmed: &mut bool,
    list: &Pseudonyms,
    preview: &Preview,
) -> Option<DeidentifyCommand> {
    egui::ScrollArea::vertical()
        .max_height(320.0)
        .show(ui, |ui| {
            egui::Grid::new("deidentify-preview")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for h in ["Name", "Becomes", "Found"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for n in &preview.names {
                        ui.label(&n.name);
                        ui.label(&n.pseudonym);
                        let found = format!(
                            "{} times in {} transcripts",
                            n.occurrences,
                            n.transcripts.len()
                        );
                        let cell = ui.label(found);
                        if let Some(sample) = n.samples.first() {
                            cell.on_hover_text(sample);
                        }
                        ui.end_row();
                        if let Some(c) = &n.conflict {
                            ui.label("");
                            ui.colored_label(
                                ui.visuals().error_fg_color,
                                format!("this project already calls it {c:?}"),
                            );
                            ui.end_row();
                        }
                    }
                });
        });
    ui.label(format!(
        "{} transcripts get a new version of their text; codings stay on the same words.",
        preview.transcripts
    ));
    ui.checkbox(
            confirmed,
            "I understand this cannot be undone: the old text is purged from the project, its search index and its backups",
        );
    let ready = *confirmed && !preview.has_conflicts();
    ui.add_enabled(ready, egui::Button::new("Apply"))
        .clicked()
        .then(|| DeidentifyCommand::Apply(Box::new(list.clone())))
}
