//! The project at a glance: transcripts grouped by case (with the case's attributes on hover) and,
//! for each transcript, how many codings each rater has made there (only your own in blind mode).
//! Click a transcript to read and code it.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::state::{Action, ViewState};
use crate::model::TranscriptSummary;

/// Draws the project panel.
pub fn project_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    state: &ViewState,
    actions: &mut Vec<Action>,
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
    let mut by_case: BTreeMap<&str, Vec<&TranscriptSummary>> = BTreeMap::new();
    for t in &project.transcripts {
        by_case
            .entry(t.case_name.as_deref().unwrap_or("(no case)"))
            .or_default()
            .push(t);
    }
    egui::ScrollArea::vertical()
        .id_salt("project-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (case, transcripts) in by_case {
                let attributes = project
                    .cases
                    .iter()
                    .find(|c| c.name == case)
                    .map(|c| {
                        c.attributes
                            .iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default();
                let header = ui.label(RichText::new(format!("Case {case}")).strong());
                if !attributes.is_empty() {
                    header.on_hover_text(attributes);
                }
                for t in transcripts {
                    transcript_row(ui, project, state, actions, t);
                }
                ui.add_space(4.0);
            }
        });
}

fn transcript_row(
    ui: &mut Ui,
    project: &ProjectCache,
    state: &ViewState,
    actions: &mut Vec<Action>,
    t: &TranscriptSummary,
) {
    let open = state.transcript_id == Some(t.transcript_id);
    let response = ui.selectable_label(open, format!("  {}", t.name));
    if response.clicked() {
        actions.push(Action::OpenTranscript(t.transcript_id));
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
