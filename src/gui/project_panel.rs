//! The project at a glance: transcripts grouped by case (with the case's attributes on hover) and,
//! for each transcript, how many codings each rater has made there (only your own in blind mode).
//! Click a transcript to read and code it.

use egui::{RichText, Ui};

use super::cache::{PanelRow, ProjectCache};
use super::command::UiCommand;
use super::state::ViewState;
use crate::model::TranscriptSummary;

/// Draws the project panel.
pub fn project_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
) {
    ui.heading("Transcripts");
    ui.label(
        RichText::new(format!(
            "{} transcripts, {} cases",
            project.transcripts.len(),
            project.cases.len()
        ))
        .weak(),
    );
    if project.transcripts.is_empty() {
        ui.label("No transcripts yet: use File › Import transcripts…");
    }
    // Only the rows in view are laid out (a project may hold thousands of transcripts); every
    // row has the height of a transcript's two lines, a case's header included.
    let row_height = ui.spacing().interact_size.y
        + ui.text_style_height(&egui::TextStyle::Small)
        + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("project-scroll")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, project.panel_rows.len(), |ui, range| {
            for row in project.panel_rows.get(range).unwrap_or_default() {
                ui.allocate_ui(egui::vec2(ui.available_width(), row_height), |ui| {
                    ui.set_height(row_height);
                    ui.vertical(|ui| match row {
                        PanelRow::Case(case, attributes) => {
                            ui.add_space(ui.spacing().item_spacing.y);
                            let header = ui.label(RichText::new(format!("Case {case}")).strong());
                            if !attributes.is_empty() {
                                header.on_hover_text(attributes);
                            }
                        }
                        PanelRow::Transcript(i) => {
                            if let Some(t) = project.transcripts.get(*i) {
                                transcript_row(ui, project, state, actions, t);
                            }
                        }
                    });
                });
            }
        });
}

fn transcript_row(
    ui: &mut Ui,
    project: &ProjectCache,
    state: &ViewState,
    actions: &mut Vec<UiCommand>,
    t: &TranscriptSummary,
) {
    let open = state.transcript_id == Some(t.transcript_id);
    let response = ui.selectable_label(open, format!("  {}", t.name));
    if response.clicked() {
        actions.push(UiCommand::OpenTranscript(t.transcript_id));
    }
    response.on_hover_text(format!(
        "{} turns, {} characters, from {}",
        t.turn_count, t.len_chars, t.source_file
    ));
    let progress: Vec<String> = project
        .raters
        .iter()
        .filter(|r| !project.blind || Some(r.rater_id) == state.rater_id)
        .map(|r| {
            let n = project
                .progress
                .get(&t.transcript_id)
                .and_then(|m| m.get(&r.rater_id))
                .copied()
                .unwrap_or(0);
            format!("{} {n}", initials(&r.name))
        })
        .collect();
    if !progress.is_empty() {
        ui.label(
            RichText::new(format!("      {}", progress.join(" · ")))
                .small()
                .weak(),
        );
    }
}

/// "Maya Chen" -> "MC".
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_uppercase()
}
