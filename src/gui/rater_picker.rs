//! "Who is coding?": asked when the window opens (unless the last rater is remembered) and whenever
//! the current rater is unknown. Pick a rater of the project or add yourself by name.

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::command::UiCommand;
use crate::app::Command;
use crate::app::RaterCommand;
use crate::model::RaterKind;

/// The picker's own state: the name typed for a new rater.
#[derive(Debug, Default)]
pub struct RaterPicker {
    new_name: String,
}

impl RaterPicker {
    /// Draws the picker as a modal window.
    pub fn ui(&mut self, ui: &Ui, project: &ProjectCache, actions: &mut Vec<UiCommand>) {
        egui::Modal::new(egui::Id::unique("rater-picker")).show(ui.ctx(), |ui| {
            ui.set_width(360.0);
            ui.heading("Who is coding?");
            ui.label("Your codings are saved under your name. You can switch rater at any time in the top bar.");
            ui.add_space(6.0);
            for rater in &project.raters {
                let kind = if rater.kind == RaterKind::Consensus { " (consensus)" } else { "" };
                if ui.button(format!("{}{kind}", rater.name)).clicked() {
                    actions.push(UiCommand::SetRater(rater.rater_id));
                }
            }
            ui.separator();
            ui.label(RichText::new("Or add a rater").strong());
            ui.horizontal(|ui| {
                let field = ui.add(egui::TextEdit::singleline(&mut self.new_name).hint_text("Your name"));
                field.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "New rater name"));
                let name = self.new_name.trim().to_string();
                let enter = super::state::entered(&field, ui);
                let clicked = ui.add_enabled(!name.is_empty(), egui::Button::new("Add rater")).clicked();
                if (clicked || enter) && !name.is_empty() {
                    actions.push(UiCommand::Apply {
                        label: format!("Add rater {name}"),
                        command: Command::Raters(RaterCommand::Add { name, kind: RaterKind::Human }),
                    });
                    self.new_name.clear();
                }
            });
        });
    }
}
