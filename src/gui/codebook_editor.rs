//! The code editor: add a code, rename it, nest it under another, recolour it, edit its structured
//! fields (short definition, definition, when to use, when not to use, example), merge it into another
//! code, or delete it when nothing is coded with it. Saving sets the whole codebook in one undoable
//! change, recorded as a new codebook version.

use egui::Ui;

use super::cache::ProjectCache;
use super::colours;
use super::command::UiCommand;
use super::state::label_first;
use crate::app::Command;
use crate::app::TeamCommand;
use crate::model::{Code, CodeId, Codebook, Edit};

/// The editor's state: a draft of the code.
#[derive(Debug, Clone)]
pub struct CodeEditor {
    /// The draft.
    pub draft: Code,
    /// Whether it is a new code.
    pub is_new: bool,
    colour: [u8; 3],
    merge_into: Option<CodeId>,
}

impl CodeEditor {
    /// Edits an existing code.
    #[must_use]
    pub fn edit(code: &Code) -> Self {
        let c = colours::parse(&code.colour);
        Self {
            draft: code.clone(),
            is_new: false,
            colour: [c.r(), c.g(), c.b()],
            merge_into: None,
        }
    }

    /// A new code under `parent`.
    #[must_use]
    pub fn new_code(parent: Option<CodeId>, position: i64) -> Self {
        let draft = Code {
            code_id: CodeId::new_random(),
            name: String::new(),
            parent_id: parent,
            colour: "#4E79A7".into(),
            short_definition: String::new(),
            definition: String::new(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position,
        };
        Self {
            draft,
            is_new: true,
            colour: [0x4E, 0x79, 0xA7],
            merge_into: None,
        }
    }

    /// Draws the editor; returns `false` once it is closed.
    pub fn ui(&mut self, ui: &Ui, project: &ProjectCache, actions: &mut Vec<UiCommand>) -> bool {
        let mut open = true;
        let mut done = false;
        let title = if self.is_new { "New code" } else { "Edit code" };
        egui::Window::new(title)
            .id(egui::Id::unique("code-editor"))
            .open(&mut open)
            .default_width(460.0)
            .show(ui.ctx(), |ui| {
                self.fields_ui(ui, project);
                ui.separator();
                ui.horizontal(|ui| {
                    let ok = !self.draft.name.trim().is_empty();
                    let save = if project.rater_file.is_some() {
                        "Propose this change"
                    } else {
                        "Save code"
                    };
                    if ui.add_enabled(ok, egui::Button::new(save)).clicked() {
                        actions.push(self.save(project));
                        done = true;
                    }
                    if ui.button("Cancel").clicked() {
                        done = true;
                    }
                });
                if !self.is_new {
                    done |= self.merge_delete_ui(ui, project, actions);
                }
            });
        open && !done
    }

    fn fields_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        let d = &mut self.draft;
        egui::Grid::new("code-fields")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                ui.label("Name");
                labelled(
                    ui,
                    egui::TextEdit::singleline(&mut d.name),
                    "Code name",
                    false,
                );
                ui.end_row();
                ui.label("Parent");
                let parent_name = d
                    .parent_id
                    .map_or("(top level)", |p| project.path(p))
                    .to_string();
                egui::ComboBox::from_id_salt("code-parent")
                    .selected_text(parent_name)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut d.parent_id, None, "(top level)");
                        for (depth, id) in &project.tree {
                            if is_self_or_descendant(&project.codebook, *id, d.code_id) {
                                continue;
                            }
                            let name = format!(
                                "{}{}",
                                "  ".repeat(*depth),
                                project.codebook.get(*id).map_or("?", |c| c.name.as_str())
                            );
                            ui.selectable_value(&mut d.parent_id, Some(*id), name);
                        }
                    });
                ui.end_row();
                ui.label("Group");
                let group = project
                    .codebook
                    .groups
                    .iter()
                    .find(|g| g.codes.contains(&d.code_id))
                    .map_or("(none; Codebook > Groups… declares groups)", |g| {
                        g.name.as_str()
                    });
                ui.label(group);
                ui.end_row();
                ui.label("Colour");
                if ui.color_edit_button_srgb(&mut self.colour).changed() {
                    d.colour = colours::to_hex(self.colour);
                }
                ui.end_row();
                for (label, field) in [
                    ("Short definition", &mut d.short_definition),
                    ("Definition", &mut d.definition),
                    ("When to use", &mut d.when_to_use),
                    ("When not to use", &mut d.when_not_to_use),
                    ("Example", &mut d.example),
                ] {
                    ui.label(label);
                    labelled(
                        ui,
                        egui::TextEdit::multiline(field).desired_rows(2),
                        &format!("{label} field"),
                        true,
                    );
                    ui.end_row();
                }
            });
    }

    fn merge_delete_ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        actions: &mut Vec<UiCommand>,
    ) -> bool {
        let id = self.draft.code_id;
        ui.separator();
        let mut done = false;
        ui.horizontal(|ui| {
            let target = self
                .merge_into
                .map_or("choose a code", |c| project.path(c))
                .to_string();
            label_first("Merge into")
                .selected_text(target)
                .show_ui(ui, |ui| {
                    for (_, other) in project.tree.iter().filter(|(_, c)| *c != id) {
                        ui.selectable_value(
                            &mut self.merge_into,
                            Some(*other),
                            project.path(*other),
                        );
                    }
                });
            if let Some(into) = self.merge_into
                && ui.button("Merge").clicked()
            {
                actions.push(UiCommand::MergeCodes { from: id, into });
                done = true;
            }
        });
        let used = project.code_counts.get(&id).copied().unwrap_or(0);
        let delete = ui
            .add_enabled(used == 0, egui::Button::new("Delete code"))
            .on_disabled_hover_text("Codings use this code: merge it into another code instead.");
        if delete.clicked() {
            let parent = project.codebook.get(id).and_then(|c| c.parent_id);
            let book = crate::app::codes::without_code(&project.codebook, id, parent);
            let label = match crate::app::codes::groups_left_by(&project.codebook, id) {
                Some(group) => format!("Delete code {} ({group})", project.path(id)),
                None => format!("Delete code {}", project.path(id)),
            };
            actions.push(set_codebook(book, &label, "delete-code"));
            done = true;
        }
        done
    }

    /// Saves the code; in a rater file, where the codebook is the lead's, proposes the change.
    fn save(&self, project: &ProjectCache) -> UiCommand {
        let mut book = project.codebook.clone();
        let mut draft = self.draft.clone();
        draft.name = draft.name.trim().to_string();
        if let Some(info) = &project.rater_file {
            return UiCommand::Apply {
                label: format!("Propose a change to {}", draft.name),
                command: Command::Team(TeamCommand::Propose(Box::new(crate::model::Proposal {
                    proposal_id: crate::model::ProposalId::new_random(),
                    rater_id: Some(info.rater_id),
                    base_version: info.codebook_version,
                    proposed: draft,
                    note: String::new(),
                    created_at: crate::model::now_rfc3339(),
                    status: "open".into(),
                    decision_note: None,
                }))),
            };
        }
        let label = if self.is_new {
            format!("Add code {}", draft.name)
        } else {
            format!("Edit code {}", draft.name)
        };
        match book.codes.iter_mut().find(|c| c.code_id == draft.code_id) {
            Some(existing) => *existing = draft,
            None => book.codes.push(draft),
        }
        set_codebook(book, &label, "edit-codebook")
    }
}

/// The action that sets the whole codebook.
fn set_codebook(book: Codebook, label: &str, action: &str) -> UiCommand {
    UiCommand::Apply {
        label: label.into(),
        command: Command::Edit(Box::new(Edit {
            codebook: Some(book),
            action: action.into(),
            ..Edit::default()
        })),
    }
}

fn labelled(ui: &mut Ui, edit: egui::TextEdit<'_>, label: &str, multiline: bool) {
    let role = if multiline {
        egui::Role::MultilineTextInput
    } else {
        egui::Role::TextInput
    };
    let label = label.to_string();
    ui.add(edit.desired_width(300.0))
        .widget_info(|| egui::WidgetInfo::labeled(role, true, &label));
}

/// Whether `id` is `root` or nested under it (a code cannot become its own parent).
fn is_self_or_descendant(book: &Codebook, id: CodeId, root: CodeId) -> bool {
    let mut next = Some(id);
    for _ in 0..64 {
        match next {
            Some(c) if c == root => return true,
            Some(c) => next = book.get(c).and_then(|c| c.parent_id),
            None => return false,
        }
    }
    false
}
