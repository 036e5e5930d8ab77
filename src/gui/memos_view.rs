//! The Memos view: every memo of the project in one list (the project's, transcripts', codes',
//! codings', passages' and grid cells'), filtered by kind, author, code and day and searched with
//! the search language; what each memo is about opens it, and each link in its text
//! (`[[coding:ID]]`, `[[P01@1200-1342]]`) opens the passage it quotes. The same rows as
//! `accord memos list`: both call [`crate::app::memos::memo_rows`].

use egui::{RichText, Ui};

use super::app::AccordApp;
use super::cache::ProjectCache;
use super::command::UiCommand;
use crate::app::memos::{LinkState, MemoFilter, MemoKind, MemoRow};
use crate::model::{CodeId, MemoTarget, RaterId};

/// What the view asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemosViewCommand {
    /// Read the memos this filter keeps.
    Load(MemoFilter),
}

/// The view's state.
#[derive(Debug, Default)]
pub struct MemosView {
    /// Only this kind.
    pub kind: Option<MemoKind>,
    /// Only this author.
    pub author: Option<RaterId>,
    /// Only this code.
    pub code: Option<CodeId>,
    /// The query being typed (applied with Enter or Search).
    pub query: String,
    /// The query applied.
    applied_query: String,
    /// Only memos written on or after this day (`YYYY-MM-DD`), as typed.
    pub since: String,
    /// Only memos written on or before this day, as typed.
    pub until: String,
    /// The days applied.
    applied_days: (String, String),
    /// The memos read, for a project revision and a filter (or why they could not be).
    pub rows: Option<(u64, MemoFilter, Result<Vec<MemoRow>, String>)>,
    /// What was last asked for (read on a task: asked once).
    asked: Option<(u64, MemoFilter)>,
}

impl MemosView {
    fn filter(&self, project: &ProjectCache) -> MemoFilter {
        // In blind mode the others' memos (and the codings they describe) stay hidden.
        let author = if project.blind {
            project.rater_id
        } else {
            self.author
        };
        MemoFilter {
            kind: self.kind,
            author: author.map(|a| a.to_text()),
            code: self.code.map(|c| c.to_text()),
            query: Some(self.applied_query.clone()).filter(|q| !q.trim().is_empty()),
            since: Some(self.applied_days.0.clone()).filter(|d| !d.trim().is_empty()),
            until: Some(self.applied_days.1.clone()).filter(|d| !d.trim().is_empty()),
            ..MemoFilter::default()
        }
    }

    /// Draws the view; returns what the app should do.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
        actions: &mut Vec<UiCommand>,
    ) -> Option<MemosViewCommand> {
        ui.heading("Memos");
        self.filters_ui(ui, project);
        if project.blind {
            ui.label(RichText::new("Blind coding: only your own memos are shown.").weak());
        }
        let filter = self.filter(project);
        let mut request = None;
        let wanted = (revision, filter.clone());
        let have = self
            .rows
            .as_ref()
            .is_some_and(|(r, f, _)| *r == revision && *f == filter);
        if !have && self.asked.as_ref() != Some(&wanted) {
            self.asked = Some(wanted);
            request = Some(MemosViewCommand::Load(filter.clone()));
        }
        ui.separator();
        match &self.rows {
            Some((_, f, Err(e))) if *f == filter => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some((_, f, Ok(rows))) if *f == filter => {
                ui.label(RichText::new(format!("{} memos, newest first", rows.len())).weak());
                egui::ScrollArea::vertical()
                    .id_salt("memos-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        for row in rows.iter().rev() {
                            row_ui(ui, row, actions);
                            ui.separator();
                        }
                    });
            }
            _ => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading the memos…");
                });
            }
        }
        request
    }

    fn filters_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Kind:");
            egui::ComboBox::from_id_salt("memos-kind")
                .selected_text(self.kind.map_or("any", MemoKind::name))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.kind, None, "any");
                    for k in MemoKind::ALL {
                        ui.selectable_value(&mut self.kind, Some(k), k.name());
                    }
                })
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Kind"));
            if !project.blind {
                ui.label("Author:");
                egui::ComboBox::from_id_salt("memos-author")
                    .selected_text(self.author.map_or("anyone", |r| project.rater_name(r)))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.author, None, "anyone");
                        for r in &project.raters {
                            ui.selectable_value(&mut self.author, Some(r.rater_id), &r.name);
                        }
                    })
                    .response
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Author")
                    });
            }
            ui.label("Code:");
            egui::ComboBox::from_id_salt("memos-code")
                .selected_text(self.code.map_or("any", |c| project.path(c)))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.code, None, "any");
                    for (_, code) in &project.tree {
                        ui.selectable_value(&mut self.code, Some(*code), project.path(*code));
                    }
                })
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Code"));
        });
        ui.horizontal(|ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .desired_width(320.0)
                    .hint_text("words, \"phrases\", AND/OR/NOT, kind:, case:, transcript:"),
            );
            field.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Search the memos")
            });
            let mut enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            for (day, label) in [
                (&mut self.since, "Written since"),
                (&mut self.until, "Written until"),
            ] {
                ui.label(RichText::new(label.trim_start_matches("Written ")).weak());
                let field = ui.add(
                    egui::TextEdit::singleline(day)
                        .desired_width(100.0)
                        .hint_text("YYYY-MM-DD"),
                );
                field.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, label));
                enter |= field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            }
            if ui.button("Find").clicked() || enter {
                self.applied_query.clone_from(&self.query);
                self.applied_days = (self.since.clone(), self.until.clone());
            }
            let applied = !self.applied_query.is_empty()
                || !self.applied_days.0.is_empty()
                || !self.applied_days.1.is_empty();
            if applied && ui.button("Clear").clicked() {
                self.query.clear();
                self.applied_query.clear();
                self.since.clear();
                self.until.clear();
                self.applied_days = (String::new(), String::new());
            }
        });
    }
}

/// Where clicking what a memo is about goes.
fn open_target(row: &MemoRow) -> Option<UiCommand> {
    if let Some((transcript_id, span)) = row.place {
        return Some(if span.is_empty() {
            UiCommand::OpenTranscript(transcript_id)
        } else {
            UiCommand::JumpTo {
                transcript_id,
                span,
            }
        });
    }
    match row.target {
        // The memo editor on it: every memo on it, and room for another.
        MemoTarget::Project
        | MemoTarget::Code(_)
        | MemoTarget::Case(_)
        | MemoTarget::Cell { .. } => Some(UiCommand::OpenMemo(row.target)),
        _ => None,
    }
}

fn row_ui(ui: &mut Ui, row: &MemoRow, actions: &mut Vec<UiCommand>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{} memo", row.kind)).strong());
        let about = RichText::new(&row.about);
        match open_target(row) {
            Some(command) => {
                if ui.link(about).on_hover_text("Open it").clicked() {
                    actions.push(command);
                }
            }
            None => {
                ui.label(about);
            }
        }
    });
    ui.label(RichText::new(row.byline()).weak().small());
    ui.label(&row.text);
    for link in &row.links {
        let text = format!("[[{}]] {}", link.label, link.describe());
        match (link.state, link.place) {
            (LinkState::Found, Some((transcript_id, span))) => {
                if ui.link(text).on_hover_text("Open the passage").clicked() {
                    actions.push(UiCommand::JumpTo {
                        transcript_id,
                        span,
                    });
                }
            }
            (LinkState::Removed, Some((transcript_id, span))) => {
                let warn = RichText::new(text).color(ui.visuals().warn_fg_color);
                if ui
                    .link(warn)
                    .on_hover_text("The coding was removed: open where its words are")
                    .clicked()
                {
                    actions.push(UiCommand::JumpTo {
                        transcript_id,
                        span,
                    });
                }
            }
            (LinkState::Removed, None) => {
                ui.colored_label(ui.visuals().warn_fg_color, text);
            }
            _ => {
                ui.colored_label(ui.visuals().error_fg_color, text);
            }
        }
    }
}

impl AccordApp {
    /// Carries out what the Memos view asked for: reads the memos on a task.
    pub(super) fn memos_command(&mut self, ctx: &egui::Context, command: MemosViewCommand) {
        match command {
            MemosViewCommand::Load(filter) => self.read(ctx, move |ws| {
                let rows =
                    crate::app::memos::memo_rows(ws.store(), &filter).map_err(|e| e.to_string());
                let revision = ws.revision();
                Box::new(move |app: &mut AccordApp| {
                    app.memos.rows = Some((revision, filter, rows));
                })
            }),
        }
    }
}
