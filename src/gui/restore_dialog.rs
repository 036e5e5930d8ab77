//! File › Restore from a backup…: the project's backups, newest first, with when and why each was
//! taken; the chosen one is put back in place of the project on the restore task, the same restore
//! as `accord restore` (the project as it is now is kept as a backup first).

use std::path::{Path, PathBuf};

use egui::Ui;

use super::command::UiCommand;
use crate::app::project_file::{BackupInfo, list_backups};

/// The dialog's state.
#[derive(Debug)]
pub struct RestoreDialog {
    /// The backups, newest first, or why they could not be listed.
    pub backups: Result<Vec<BackupInfo>, String>,
    /// The one chosen.
    pub chosen: Option<PathBuf>,
}

impl RestoreDialog {
    /// Lists the backups of the project file (an in-memory project has none).
    #[must_use]
    pub fn new(project: Option<&Path>) -> Self {
        let backups = match project {
            Some(p) => list_backups(p)
                .map(|mut list| {
                    list.reverse();
                    list
                })
                .map_err(|e| e.to_string()),
            None => Err("this project is not a file, so it has no backups".into()),
        };
        Self {
            backups,
            chosen: None,
        }
    }

    /// Draws the dialog, pushing the restore when asked; returns whether it is still open.
    pub fn ui(&mut self, ui: &Ui, running: bool, queue: &mut Vec<UiCommand>) -> bool {
        let mut open = true;
        let mut cancel = false;
        egui::Window::new("Restore from a backup")
            .collapsible(false)
            .default_width(560.0)
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                match &self.backups {
                    Err(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    Ok(list) if list.is_empty() => {
                        ui.label("This project has no backups yet.");
                    }
                    Ok(list) => {
                        ui.label(
                            "The project becomes the backup you choose. What it is now is kept as a backup first, so this can be undone by restoring that one.",
                        );
                        egui::ScrollArea::vertical()
                            .max_height(280.0)
                            .show(ui, |ui| {
                                for b in list {
                                    let text = format!(
                                        "{}  {}  ({} KB)",
                                        b.taken,
                                        b.reason,
                                        b.bytes.div_ceil(1024)
                                    );
                                    let on = self.chosen.as_deref() == Some(b.path.as_path());
                                    if ui.radio(on, text).clicked() {
                                        self.chosen = Some(b.path.clone());
                                    }
                                }
                            });
                    }
                }
                ui.horizontal(|ui| {
                    if running {
                        ui.spinner();
                        ui.label("Restoring…");
                    } else if ui
                        .add_enabled(self.chosen.is_some(), egui::Button::new("Restore"))
                        .clicked()
                        && let Some(path) = self.chosen.clone()
                    {
                        queue.push(UiCommand::Restore(path));
                    }
                    if ui.button("Cancel").clicked() {
                        cancel = true;
                    }
                });
            });
        open && !cancel
    }
}
