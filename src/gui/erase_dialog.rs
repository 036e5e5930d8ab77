//! File › Erase transcripts…: when a participant withdraws consent, tick their transcripts (and, if
//! you like, every removed transcript, whose text is still in the file), see what would go, confirm
//! that it cannot be undone, and erase. The same steps as `accord transcripts erase`: both call
//! [`crate::app::erase`].

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::state::toggle;
use crate::model::{Erasure, TranscriptId};

/// What the dialog asks the app to do.
#[derive(Debug, Clone)]
pub enum EraseCommand {
    /// Count what erasing these would take (with every removed transcript, when asked).
    Preview(Vec<TranscriptId>, bool),
    /// Erase these (removed ones included when asked).
    Erase(Vec<TranscriptId>, bool),
}

/// The dialog's state.
#[derive(Debug, Default)]
pub struct EraseDialog {
    chosen: BTreeSet<TranscriptId>,
    removed: bool,
    confirmed: bool,
    /// What the chosen transcripts would take with them (or why that could not be read), for the
    /// choice it was counted for.
    pub preview: Option<(Vec<TranscriptId>, bool, Result<Erasure, String>)>,
}

impl EraseDialog {
    /// Draws the dialog; returns a request, and whether the dialog is still open.
    pub fn ui(&mut self, ui: &Ui, project: &ProjectCache) -> (Option<EraseCommand>, bool) {
        let mut request = None;
        let mut open = true;
        egui::Window::new("Erase transcripts")
            .collapsible(false)
            .default_width(560.0)
            .show(ui.ctx(), |ui| {
                ui.label("When a participant withdraws, erase their transcripts for good: the text, turns, every rater's codings, memos and decisions leave the project, its search index and its backups. Removing a transcript only hides it.");
                egui::ScrollArea::vertical()
                    .max_height(240.0)
                    .show(ui, |ui| {
                        for t in &project.transcripts {
                            let mut on = self.chosen.contains(&t.transcript_id);
                            let label = match &t.case_name {
                                Some(case) => format!("{} (case {case})", t.name),
                                None => t.name.clone(),
                            };
                            if ui.checkbox(&mut on, label).changed() {
                                toggle(&mut self.chosen, t.transcript_id, on);
                                self.confirmed = false;
                            }
                        }
                    });
                if ui
                    .checkbox(
                        &mut self.removed,
                        "Also every removed transcript (its text is still in the file)",
                    )
                    .changed()
                {
                    self.confirmed = false;
                }
                let chosen: Vec<TranscriptId> = self.chosen.iter().copied().collect();
                let counted = self
                    .preview
                    .as_ref()
                    .is_some_and(|(ids, removed, _)| ids == &chosen && *removed == self.removed);
                if !counted && (!chosen.is_empty() || self.removed) {
                    request = Some(EraseCommand::Preview(chosen.clone(), self.removed));
                }
                if let Some(r) = self.preview_ui(ui, &chosen, counted) {
                    request = Some(r);
                }
                if ui.button("Close").clicked() {
                    open = false;
                }
            });
        (request, open)
    }

    fn preview_ui(
        &mut self,
        ui: &mut Ui,
        chosen: &[TranscriptId],
        counted: bool,
    ) -> Option<EraseCommand> {
        let (_, _, result) = self.preview.as_ref().filter(|_| counted)?;
        let e = match result {
            Ok(e) => e.clone(),
            Err(message) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
                return None;
            }
        };
        if e.transcripts == 0 {
            ui.label("Nothing to erase.");
            return None;
        }
        ui.label(
            RichText::new(format!(
                "Would erase {e}, with every backup and the undo history. Rater files and exports made earlier are copies outside the project: delete those too."
            ))
            .strong(),
        );
        ui.checkbox(
            &mut self.confirmed,
            "I understand this cannot be undone: the text is erased from the project, its search index and its backups",
        );
        ui.add_enabled(self.confirmed, egui::Button::new("Erase for good"))
            .clicked()
            .then(|| EraseCommand::Erase(chosen.to_vec(), self.removed))
    }
}
