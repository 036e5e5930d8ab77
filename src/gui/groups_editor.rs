//! The code groups editor (Codebook > Groups…): named sets of mutually exclusive codes, whose
//! unitizing alphas the agreement view reports at the unitizing unit. A list of groups on the left;
//! the chosen group's name, description and codes (a checkbox per code, in tree order; a code in
//! another group is shown with that group's name and cannot be ticked) on the right. Saving sets
//! the whole codebook in one undoable change, a new codebook version, as the code editor does.

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::command::UiCommand;
use crate::app::Command;
use crate::model::{CodeGroup, Codebook, Edit};

/// The editor's state: a draft of the groups, and which one is shown.
#[derive(Debug, Clone)]
pub struct GroupsEditor {
    /// The groups as edited.
    pub draft: Vec<CodeGroup>,
    /// The group shown (an index into `draft`).
    pub chosen: Option<usize>,
}

impl GroupsEditor {
    /// Edits the codebook's groups.
    #[must_use]
    pub fn new(book: &Codebook) -> Self {
        Self {
            draft: book.groups.clone(),
            chosen: (!book.groups.is_empty()).then_some(0),
        }
    }

    /// The codebook with the draft groups.
    #[must_use]
    pub fn book(&self, book: &Codebook) -> Codebook {
        let mut book = book.clone();
        book.groups = self
            .draft
            .iter()
            .map(|g| CodeGroup {
                name: g.name.trim().to_string(),
                description: g.description.trim().to_string(),
                codes: g.codes.clone(),
            })
            .collect();
        book
    }

    /// Draws the editor; returns `false` once it is closed.
    pub fn ui(&mut self, ui: &Ui, project: &ProjectCache, actions: &mut Vec<UiCommand>) -> bool {
        let mut open = true;
        let mut done = false;
        egui::Window::new("Code groups")
            .id(egui::Id::unique("groups-editor"))
            .open(&mut open)
            .default_width(620.0)
            .default_height(460.0)
            .show(ui.ctx(), |ui| {
                ui.label(
                    RichText::new(
                        "A group's codes are mutually exclusive: no two of them overlap in one \
                         rater's coding. Agreement at the unitizing unit reports each group's \
                         uα, |uα and cuα, and Cuα over all groups.",
                    )
                    .small(),
                );
                ui.separator();
                // (No vertical separator: in a horizontal layout it takes every bit of height
                // left, and would push Save below the window's edge.)
                ui.horizontal_top(|ui| {
                    self.list_ui(ui);
                    ui.add_space(12.0);
                    ui.vertical(|ui| self.group_ui(ui, project));
                });
                ui.separator();
                done = self.save_ui(ui, project, actions);
            });
        open && !done
    }

    fn list_ui(&mut self, ui: &mut Ui) {
        ui.vertical(|ui| {
            ui.set_width(170.0);
            for (i, g) in self.draft.iter().enumerate() {
                let name = if g.name.trim().is_empty() {
                    "(unnamed)"
                } else {
                    g.name.as_str()
                };
                if ui.selectable_label(self.chosen == Some(i), name).clicked() {
                    self.chosen = Some(i);
                }
            }
            if self.draft.is_empty() {
                ui.label(RichText::new("No groups yet.").weak());
            }
            if ui.button("New group").clicked() {
                let n = self.draft.len() + 1;
                self.draft.push(CodeGroup {
                    name: format!("Group {n}"),
                    ..CodeGroup::default()
                });
                self.chosen = Some(self.draft.len() - 1);
            }
        });
    }

    fn group_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        let Some(i) = self.chosen.filter(|&i| i < self.draft.len()) else {
            ui.label("Choose a group, or make a new one.");
            return;
        };
        // Which group each code is in now (the draft's other groups).
        let elsewhere: std::collections::HashMap<_, String> = self
            .draft
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .flat_map(|(_, g)| g.codes.iter().map(move |c| (*c, g.name.clone())))
            .collect();
        let group = &mut self.draft[i];
        egui::Grid::new("group-fields")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Name");
                let name = ui.add(egui::TextEdit::singleline(&mut group.name).desired_width(280.0));
                name.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Group name")
                });
                ui.end_row();
                ui.label("Description");
                let about = ui.add(
                    egui::TextEdit::multiline(&mut group.description)
                        .desired_rows(2)
                        .desired_width(280.0),
                );
                about.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::MultilineTextInput,
                        true,
                        "Group description",
                    )
                });
                ui.end_row();
            });
        ui.label(RichText::new(format!("Codes ({} ticked)", group.codes.len())).strong());
        egui::ScrollArea::vertical()
            .id_salt("group-codes")
            .max_height(260.0)
            .show(ui, |ui| {
                for (depth, id) in &project.tree {
                    ui.horizontal(|ui| {
                        ui.add_space(*depth as f32 * 14.0);
                        let name = project.codebook.get(*id).map_or("?", |c| c.name.as_str());
                        let mut ticked = group.codes.contains(id);
                        match elsewhere.get(id) {
                            Some(other) => {
                                ui.add_enabled(false, egui::Checkbox::new(&mut ticked, name))
                                    .on_disabled_hover_text(format!(
                                        "In the group \"{other}\": a code belongs to one group"
                                    ));
                                ui.label(RichText::new(format!("({other})")).small().weak());
                            }
                            None => {
                                if ui.checkbox(&mut ticked, name).changed() {
                                    if ticked {
                                        group.codes.push(*id);
                                    } else {
                                        group.codes.retain(|c| c != id);
                                    }
                                }
                            }
                        }
                    });
                }
            });
        if ui.button("Delete group").clicked() {
            self.draft.remove(i);
            self.chosen = (!self.draft.is_empty()).then_some(i.min(self.draft.len() - 1));
        }
    }

    /// Save and Cancel, with what is wrong when the groups cannot be saved; `true` once done.
    fn save_ui(&self, ui: &mut Ui, project: &ProjectCache, actions: &mut Vec<UiCommand>) -> bool {
        let book = self.book(&project.codebook);
        let problem = if project.rater_file.is_some() {
            Some("This is a rater file: its codebook is the lead's.".to_string())
        } else if book.groups == project.codebook.groups {
            None
        } else {
            book.check_groups().err()
        };
        if let Some(problem) = &problem {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
        }
        let changed = book.groups != project.codebook.groups;
        let mut done = false;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    problem.is_none() && changed,
                    egui::Button::new("Save groups"),
                )
                .clicked()
            {
                actions.push(UiCommand::Apply {
                    label: "Change the code groups".into(),
                    command: Command::Edit(Box::new(Edit {
                        codebook: Some(book.clone()),
                        action: "code-groups".into(),
                        ..Edit::default()
                    })),
                });
                done = true;
            }
            if ui.button("Cancel").clicked() {
                done = true;
            }
        });
        done
    }
}
