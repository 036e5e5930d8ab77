//! The top bar: File, Edit and View menus, the views (transcript, search, agreement), and who is
//! coding, always visible and switchable.

use egui::Ui;

use super::Central;
use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::ViewState;
use crate::app::Command;
use crate::app::SettingCommand;
use crate::model::{BLIND_MODE, MemoTarget};

/// What the top bar needs to know beyond the project and view state.
#[derive(Debug, Clone, Default)]
pub struct TopBarInfo {
    /// Label of the change Undo would undo.
    pub undo: Option<String>,
    /// Label of the change Redo would redo.
    pub redo: Option<String>,
}

/// Something only the app can do (dialogs that need the file system).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuCommand {
    /// File › Import transcripts…
    ImportTranscripts,
    /// File › Import attributes…
    ImportAttributes,
    /// File › New encrypted project…
    NewEncrypted,
    /// File › De-identify…
    Deidentify,
    /// File › Erase transcripts…
    Erase,
    /// File › Restore from a backup…
    Restore,
    /// File › Rebuild the search index
    Reindex,
    /// File › Report…
    Report,
}

/// The File menu's items; returns the one chosen, if any.
fn file_menu(ui: &mut Ui, actions: &mut Vec<UiCommand>) -> Option<MenuCommand> {
    let mut request = None;
    if ui.button("New encrypted project…").clicked() {
        request = Some(MenuCommand::NewEncrypted);
    }
    if ui.button("Import transcripts…").clicked() {
        request = Some(MenuCommand::ImportTranscripts);
    }
    if ui.button("Import attributes…").clicked() {
        request = Some(MenuCommand::ImportAttributes);
    }
    if ui.button("De-identify…").clicked() {
        request = Some(MenuCommand::Deidentify);
    }
    if ui.button("Erase transcripts…").clicked() {
        request = Some(MenuCommand::Erase);
    }
    if ui.button("Restore from a backup…").clicked() {
        request = Some(MenuCommand::Restore);
    }
    if ui.button("Rebuild the search index").clicked() {
        request = Some(MenuCommand::Reindex);
    }
    if ui
        .button("Report…")
        .on_hover_text(
            "One document by theme: definitions, agreement, key quotes with their \
                 provenance, memos, case summaries and the methods (DOCX, HTML or Markdown)",
        )
        .clicked()
    {
        request = Some(MenuCommand::Report);
    }
    if ui.button("Project memo…").clicked() {
        actions.push(UiCommand::OpenMemo(MemoTarget::Project));
    }
    request
}

/// Draws the top bar.
pub fn top_bar_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    info: &TopBarInfo,
    central: &mut Central,
    state: &mut ViewState,
    actions: &mut Vec<UiCommand>,
) -> Option<MenuCommand> {
    let mut request = None;
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if let Some(m) = file_menu(ui, actions) {
                request = Some(m);
            }
        });
        ui.menu_button("Edit", |ui| {
            let undo = info
                .undo
                .as_deref()
                .map_or_else(|| "Undo".to_string(), |l| format!("Undo {l}"));
            if ui
                .add_enabled(
                    info.undo.is_some(),
                    egui::Button::new(undo).shortcut_text("Ctrl+Z"),
                )
                .clicked()
            {
                actions.push(UiCommand::Undo);
            }
            let redo = info
                .redo
                .as_deref()
                .map_or_else(|| "Redo".to_string(), |l| format!("Redo {l}"));
            if ui
                .add_enabled(
                    info.redo.is_some(),
                    egui::Button::new(redo).shortcut_text("Ctrl+Shift+Z"),
                )
                .clicked()
            {
                actions.push(UiCommand::Redo);
            }
        });
        ui.menu_button("View", |ui| {
            ui.checkbox(&mut state.dark, "Dark theme");
            ui.checkbox(&mut state.whole_words, "Select whole words");
            let mut blind = project.blind;
            if ui
                .checkbox(&mut blind, "Blind mode (raters see only their own codings)")
                .changed()
            {
                let label = if blind {
                    "Turn blind mode on"
                } else {
                    "Turn blind mode off"
                };
                actions.push(UiCommand::Apply {
                    label: label.into(),
                    command: Command::Settings(SettingCommand::Set {
                        key: BLIND_MODE.into(),
                        value: blind.then(|| "on".to_string()),
                    }),
                });
            }
        });
        ui.separator();
        ui.selectable_value(central, Central::Transcript, "Transcript");
        ui.selectable_value(central, Central::Search, "Search");
        ui.selectable_value(central, Central::Agreement, "Agreement");
        ui.selectable_value(central, Central::Adjudicate, "Adjudicate");
        ui.selectable_value(central, Central::Rounds, "Rounds");
        ui.selectable_value(central, Central::Team, "Team");
        ui.selectable_value(central, Central::Memos, "Memos");
        ui.selectable_value(central, Central::Grid, "Grid");
        ui.selectable_value(central, Central::Heatmaps, "Heatmaps");
        ui.selectable_value(central, Central::Export, "Export");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            rater_ui(ui, project, state, actions);
        });
    });
    request
}

fn rater_ui(ui: &mut Ui, project: &ProjectCache, state: &ViewState, actions: &mut Vec<UiCommand>) {
    if project.blind {
        ui.label(egui::RichText::new("Blind mode").strong());
    }
    if project.rater_file.is_some() {
        ui.label(egui::RichText::new("Rater file: the codebook is the lead's").strong())
            .on_hover_text("Code blind here, then send this file back to the lead to merge. Codebook changes are saved as proposals for the lead.");
    }
    let current = state
        .rater_id
        .map_or("nobody", |r| project.rater_name(r))
        .to_string();
    egui::ComboBox::from_id_salt("current-rater")
        .selected_text(current)
        .show_ui(ui, |ui| {
            for rater in &project.raters {
                if ui
                    .selectable_label(state.rater_id == Some(rater.rater_id), &rater.name)
                    .clicked()
                {
                    actions.push(UiCommand::SetRater(rater.rater_id));
                }
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Coding as"));
    ui.label("Coding as:");
}
