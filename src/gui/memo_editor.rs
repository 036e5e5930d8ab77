//! Memos: free text about the project, a transcript, a code or a coding. The editor lists the memos
//! already written about its target and adds a new one (memos are kept, never overwritten).

use egui::{RichText, Ui};

use super::command::UiCommand;
use crate::app::Command;
use crate::app::MemoCommand;
use crate::model::{Memo, MemoTarget, RaterId};

/// The memo editor's state: its target, what it already holds, and the text being written.
#[derive(Debug, Clone)]
pub struct MemoEditor {
    /// What the memo is about.
    pub target: MemoTarget,
    /// How the target is named in the title.
    pub title: String,
    /// Memos already written about it, oldest first.
    pub existing: Vec<Memo>,
    /// The new memo's text.
    pub text: String,
}

impl MemoEditor {
    /// Draws the editor; returns `false` once it is closed.
    pub fn ui(
        &mut self,
        ui: &Ui,
        rater: Option<RaterId>,
        rater_name: impl Fn(RaterId) -> String,
        actions: &mut Vec<UiCommand>,
    ) -> bool {
        let mut open = true;
        let mut saved = false;
        egui::Window::new(format!("Memo on {}", self.title))
            .id(egui::Id::unique("memo-editor"))
            .open(&mut open)
            .default_width(420.0)
            .show(ui.ctx(), |ui| {
                for memo in &self.existing {
                    let who = memo
                        .rater_id
                        .map_or_else(|| "unknown".to_string(), &rater_name);
                    ui.label(
                        RichText::new(format!(
                            "{who}, {}",
                            memo.created_at.get(..16).unwrap_or(&memo.created_at)
                        ))
                        .weak()
                        .small(),
                    );
                    ui.label(&memo.text);
                    ui.separator();
                }
                let field = ui.add(
                    egui::TextEdit::multiline(&mut self.text)
                        .desired_rows(5)
                        .hint_text("Write a memo"),
                );
                field.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::MultilineTextInput, true, "Memo text")
                });
                let text = self.text.trim().to_string();
                if ui
                    .add_enabled(!text.is_empty(), egui::Button::new("Save memo"))
                    .clicked()
                {
                    actions.push(UiCommand::Apply {
                        label: "Write memo".into(),
                        command: Command::Memos(MemoCommand::Add {
                            target: self.target,
                            rater,
                            text,
                        }),
                    });
                    saved = true;
                }
            });
        open && !saved
    }
}
