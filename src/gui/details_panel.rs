//! Beside the text: the selected coding (its code, rater, text and memo, with buttons to remove it,
//! change its code or write a memo) and the structured definition of the selected code (definition,
//! when to use, when not to use, example), so the codebook is at hand while coding.

use egui::{RichText, Ui};

use super::cache::{ProjectCache, TranscriptCache};
use super::command::UiCommand;
use super::state::ViewState;
use crate::app::CodingCommand;
use crate::app::Command;
use crate::model::{CodeId, Coding, Edit, MemoTarget, NewCoding};

/// Draws the details panel.
pub fn details_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    open: Option<&TranscriptCache>,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
) {
    egui::ScrollArea::vertical()
        .id_salt("details-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Wrap everything to the panel: a wide row would widen the panel, narrow the text and make
            // the reading view measure every turn again.
            ui.set_max_width(ui.available_width());
            if let (Some(open), Some(id)) = (open, state.coding_id)
                && let Some(coding) = open.coding(id)
            {
                coding_ui(ui, project, open, coding, state, actions);
                ui.separator();
            }
            if let Some(code_id) = state.code_id {
                code_ui(ui, project, code_id, actions);
            } else {
                ui.heading("Code definition");
                ui.label("Click a code in the codebook to see its definition here.");
            }
        });
}

fn coding_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    open: &TranscriptCache,
    coding: &Coding,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
) {
    ui.heading("Selected coding");
    ui.label(
        RichText::new(project.path(coding.code_id))
            .strong()
            .color(project.colour(coding.code_id)),
    );
    ui.label(format!(
        "by {}, characters {}..{}",
        project.rater_name(coding.rater_id),
        coding.span.start,
        coding.span.end
    ));
    let quote = open.slice(coding.span);
    let short: String = quote.chars().take(400).collect();
    ui.label(
        RichText::new(format!(
            "“{short}{}”",
            if quote.chars().count() > 400 {
                "…"
            } else {
                ""
            }
        ))
        .italics(),
    );
    let mine = state.rater_id == Some(coding.rater_id);
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(mine, egui::Button::new("Remove coding"))
            .on_disabled_hover_text("Only its rater can remove a coding")
            .clicked()
        {
            actions.push(UiCommand::Apply {
                label: "Remove coding".into(),
                command: Command::Codings(CodingCommand::Remove {
                    ids: vec![coding.coding_id],
                    by: state.rater_id,
                }),
            });
            actions.push(UiCommand::SelectCoding(None));
        }
        if ui.button("Memo…").clicked() {
            actions.push(UiCommand::OpenMemo(MemoTarget::Coding(coding.coding_id)));
        }
        key_quote_ui(ui, project, coding, state, actions);
    });
    key_quote_label_ui(ui, project, coding, state, actions);
    if mine {
        let mut chosen: Option<CodeId> = None;
        ui.label("Change code to");
        egui::ComboBox::from_id_salt("change-code")
            .width((ui.available_width() - 8.0).max(80.0))
            .truncate()
            .selected_text(project.path(coding.code_id))
            .show_ui(ui, |ui| {
                for (depth, id) in &project.tree {
                    let name = format!(
                        "{}{}",
                        "  ".repeat(*depth),
                        project.codebook.get(*id).map_or("?", |c| c.name.as_str())
                    );
                    if ui.selectable_label(*id == coding.code_id, name).clicked()
                        && *id != coding.code_id
                    {
                        chosen = Some(*id);
                    }
                }
            });
        if let Some(new_code) = chosen {
            actions.push(change_code(coding, new_code));
        }
        if let Some(sel) = state
            .selection
            .filter(|s| *s != coding.span && !s.is_empty())
            && ui.button("Set coding to the selected text").clicked()
        {
            actions.push(respan(coding, sel));
        }
    }
}

/// The "Key quote" tick of a coding (and its label, if it has one).
fn key_quote_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    coding: &Coding,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
) {
    let flagged = project
        .key_quotes
        .iter()
        .find(|q| q.coding_id == coding.coding_id);
    let mut key = flagged.is_some();
    if ui
        .checkbox(&mut key, "Key quote")
        .on_hover_text(
            "A quote that carries the argument: listed by theme with its citation (Export › Key \
             quotes) and in the report",
        )
        .changed()
    {
        let (label, command) = if key {
            (
                "Flag a key quote",
                crate::app::quotes::flag(coding.coding_id, "", state.rater_id),
            )
        } else {
            (
                "Unflag a key quote",
                Command::Memos(crate::app::MemoCommand::UnflagQuote(coding.coding_id)),
            )
        };
        actions.push(UiCommand::Apply {
            label: label.into(),
            command,
        });
    }
}

/// A key quote's label, on its own line below the coding's buttons (nothing when the coding is no
/// key quote).
fn key_quote_label_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    coding: &Coding,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
) {
    let Some(q) = project
        .key_quotes
        .iter()
        .find(|q| q.coding_id == coding.coding_id)
    else {
        return;
    };
    // The label, edited in place (kept in the frame's memory until it is set).
    // Kept with the label it was begun from: a label changed elsewhere (an undo) starts it again.
    let id = ui.scope_id().with(("key-quote-label", coding.coding_id));
    let mut draft: String = ui
        .data_mut(|d| d.get_temp::<(String, String)>(id))
        .filter(|(base, _)| *base == q.label)
        .map_or_else(|| q.label.clone(), |(_, draft)| draft);
    ui.horizontal(|ui| {
        let field = ui.add(
            egui::TextEdit::singleline(&mut draft)
                .hint_text("label (optional)")
                .desired_width(180.0),
        );
        field.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Key quote label")
        });
        let set = ui
            .add_enabled(draft.trim() != q.label, egui::Button::new("Set label"))
            .clicked()
            || (super::state::entered(&field, ui) && draft.trim() != q.label);
        if set {
            actions.push(UiCommand::Apply {
                label: "Label a key quote".into(),
                command: crate::app::quotes::flag(coding.coding_id, &draft, state.rater_id),
            });
        }
    });
    ui.data_mut(|d| d.insert_temp(id, (q.label.clone(), draft)));
}

/// Changing a coding's code: the old coding is removed and a new one added, in one change.
fn change_code(coding: &Coding, code_id: CodeId) -> UiCommand {
    replace(coding, code_id, coding.span, "Change code")
}

/// Changing a coding's span, in one change.
fn respan(coding: &Coding, span: crate::model::Span) -> UiCommand {
    replace(coding, coding.code_id, span, "Change coded text")
}

fn replace(coding: &Coding, code_id: CodeId, span: crate::model::Span, label: &str) -> UiCommand {
    let new = NewCoding {
        coding_id: crate::model::CodingId::new_random(),
        transcript_id: coding.transcript_id,
        code_id,
        rater_id: coding.rater_id,
        span,
        memo: None,
        created_at: None,
    };
    let edit = Edit {
        add: vec![new],
        remove: vec![coding.coding_id],
        by: Some(coding.rater_id),
        action: "change-coding".into(),
        ..Edit::default()
    };
    UiCommand::Apply {
        label: label.into(),
        command: Command::Edit(Box::new(edit)),
    }
}

fn code_ui(ui: &mut Ui, project: &ProjectCache, code_id: CodeId, actions: &mut Vec<UiCommand>) {
    let Some(code) = project.codebook.get(code_id) else {
        return;
    };
    ui.heading(RichText::new(&code.name).color(project.colour(code_id)));
    ui.label(RichText::new(project.path(code_id)).weak());
    ui.horizontal(|ui| {
        if ui.button("Edit code…").clicked() {
            actions.push(UiCommand::EditCode(Some(code_id), None));
        }
        if ui.button("Memo on code…").clicked() {
            actions.push(UiCommand::OpenMemo(MemoTarget::Code(code_id)));
        }
    });
    for (title, body) in [
        ("Short definition", &code.short_definition),
        ("Definition", &code.definition),
        ("When to use", &code.when_to_use),
        ("When not to use", &code.when_not_to_use),
        ("Example", &code.example),
    ] {
        if !body.trim().is_empty() {
            ui.add_space(4.0);
            ui.label(RichText::new(title).strong());
            ui.label(body.as_str());
        }
    }
}
