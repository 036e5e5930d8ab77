//! The codebook as a tree: each code with its colour, its shortcut number (1 to 9 for the first nine
//! codes shown), its name and how many visible codings use it. Type in the filter box to narrow the
//! list (Enter applies the first match); click a code to apply it to the selected text (or, with no
//! selection, to read its definition); drag a code onto the text; right-click for more.

use egui::{Sense, Ui, vec2};

use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::ViewState;
use crate::model::{CodeId, MemoTarget};

/// The codes the panel shows for a filter, in tree order; the first nine get number shortcuts.
#[must_use]
pub fn visible_codes(project: &ProjectCache, filter: &str) -> Vec<(usize, CodeId)> {
    let needle = filter.trim().to_lowercase();
    project
        .tree
        .iter()
        .filter(|(_, id)| needle.is_empty() || project.path(*id).to_lowercase().contains(&needle))
        .copied()
        .collect()
}

/// Draws the codebook panel.
pub fn codebook_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    state: &mut ViewState,
    actions: &mut Vec<UiCommand>,
) {
    ui.horizontal(|ui| {
        ui.heading("Codebook");
        if ui.button("Add code…").clicked() {
            actions.push(UiCommand::EditCode(None, None));
        }
        if ui
            .button("Groups…")
            .on_hover_text(
                "Groups of mutually exclusive codes, for agreement at the unitizing unit",
            )
            .clicked()
        {
            actions.push(UiCommand::EditGroups);
        }
    });
    let filter = ui.add(
        egui::TextEdit::singleline(&mut state.code_filter)
            .hint_text("Type to filter; Enter applies")
            .desired_width(f32::INFINITY),
    );
    filter.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Filter codes"));
    let shown = visible_codes(project, &state.code_filter);
    if filter.lost_focus()
        && ui.input(|i| i.key_pressed(egui::Key::Enter))
        && let Some((_, id)) = shown.first()
    {
        actions.push(UiCommand::ApplyCode(*id));
    }
    let hint = if state.selection.is_some() {
        "Click or drag a code to apply it to the selection."
    } else {
        "Select text, then click a code (or press 1 to 9)."
    };
    ui.label(egui::RichText::new(hint).small().weak());
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("codebook-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (n, (depth, code_id)) in shown.iter().enumerate() {
                code_row(ui, project, state, actions, *depth, *code_id, n);
            }
            if shown.is_empty() {
                ui.label("No code matches the filter.");
            }
        });
}

fn code_row(
    ui: &mut Ui,
    project: &ProjectCache,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
    depth: usize,
    code_id: CodeId,
    n: usize,
) {
    let Some(code) = project.codebook.get(code_id) else {
        return;
    };
    let count = project.code_counts.get(&code_id).copied().unwrap_or(0);
    ui.horizontal(|ui| {
        ui.add_space(depth as f32 * 14.0);
        let (swatch, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
        ui.painter()
            .rect_filled(swatch, 2.0, project.colour(code_id));
        let key = if n < 9 {
            format!("{} ", n + 1)
        } else {
            "   ".into()
        };
        let text = format!("{key}{}  ({count})", code.name);
        let selected = state.code_id == Some(code_id);
        let row = egui::Button::selectable(selected, text)
            .frame_when_inactive(false)
            .sense(Sense::click_and_drag());
        let response = ui.add(row).on_hover_cursor(egui::CursorIcon::Grab);
        if response.dragged() {
            response.dnd_set_drag_payload(code_id);
        }
        let response = response.on_hover_text(if code.short_definition.is_empty() {
            project.path(code_id).to_string()
        } else {
            format!("{}\n{}", project.path(code_id), code.short_definition)
        });
        if response.clicked() {
            if state.selection.is_some() {
                actions.push(UiCommand::ApplyCode(code_id));
            }
            actions.push(UiCommand::SelectCode(code_id));
        }
        response.context_menu(|ui| {
            if ui
                .add_enabled(
                    state.selection.is_some(),
                    egui::Button::new("Apply to selection"),
                )
                .clicked()
            {
                actions.push(UiCommand::ApplyCode(code_id));
            }
            if ui.button("Edit code…").clicked() {
                actions.push(UiCommand::EditCode(Some(code_id), None));
            }
            if ui.button("Add child code…").clicked() {
                actions.push(UiCommand::EditCode(None, Some(code_id)));
            }
            if ui.button("Memo on this code…").clicked() {
                actions.push(UiCommand::OpenMemo(MemoTarget::Code(code_id)));
            }
        });
    });
}
