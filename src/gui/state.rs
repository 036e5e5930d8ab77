//! What the window remembers between frames that is not part of the project (who is coding, which
//! transcript is open, the current selection).

use crate::model::{CodeId, CodingId, RaterId, Span, TranscriptId};

/// Where a message came from, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something worked.
    Info,
    /// Something failed.
    Error,
}

/// The window's state between frames.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    /// Who is coding.
    pub rater_id: Option<RaterId>,
    /// The open transcript.
    pub transcript_id: Option<TranscriptId>,
    /// The selected text of the open transcript, in chars.
    pub selection: Option<Span>,
    /// The selected coding.
    pub coding_id: Option<CodingId>,
    /// The code whose definition is shown.
    pub code_id: Option<CodeId>,
    /// Text typed to filter the codebook.
    pub code_filter: String,
    /// Snap selections to whole words.
    pub whole_words: bool,
    /// Scroll the reading view to this char offset on the next frame.
    pub scroll_to: Option<usize>,
    /// The last message for the status bar.
    pub message: Option<(Tone, String)>,
    /// Dark theme.
    pub dark: bool,
}

impl ViewState {
    /// A fresh state: whole-word selection on, light theme.
    #[must_use]
    pub fn new() -> Self {
        Self {
            whole_words: true,
            ..Self::default()
        }
    }

    /// Shows an information message.
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some((Tone::Info, text.into()));
    }

    /// Shows an error message.
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some((Tone::Error, text.into()));
    }
}

/// A checkbox per rater, ticking them in and out of `chosen`.
pub fn rater_checkboxes<'a>(
    ui: &mut egui::Ui,
    raters: impl IntoIterator<Item = &'a crate::model::Rater>,
    chosen: &mut std::collections::BTreeSet<RaterId>,
) {
    for r in raters {
        let mut on = chosen.contains(&r.rater_id);
        if ui.checkbox(&mut on, &r.name).changed() {
            toggle(chosen, r.rater_id, on);
        }
    }
}

/// Puts an item in a set of choices or takes it out (a ticked or cleared checkbox).
pub fn toggle<T: Ord>(set: &mut std::collections::BTreeSet<T>, item: T, on: bool) {
    if on {
        set.insert(item);
    } else {
        set.remove(&item);
    }
}

/// A combo box with its label before it ("Unit [character ▾]"), as every other field in the window
/// reads, and named by that label for screen readers. Used as `egui::ComboBox::from_label` is.
pub fn label_first(label: &str) -> LabelFirst {
    LabelFirst {
        label: label.to_string(),
        selected: egui::WidgetText::default(),
    }
}

/// See [`label_first`].
#[must_use = "show it with show_ui"]
pub struct LabelFirst {
    label: String,
    selected: egui::WidgetText,
}

impl LabelFirst {
    /// What the closed box shows.
    pub fn selected_text(mut self, text: impl Into<egui::WidgetText>) -> Self {
        self.selected = text.into();
        self
    }

    /// The label, then the box with `menu` as its choices.
    pub fn show_ui<R>(
        self,
        ui: &mut egui::Ui,
        menu: impl FnOnce(&mut egui::Ui) -> R,
    ) -> egui::InnerResponse<Option<R>> {
        let label = ui.label(&self.label);
        let shown = egui::ComboBox::from_id_salt(&self.label)
            .selected_text(self.selected)
            .show_ui(ui, menu);
        let response = shown.response.labelled_by(label.id);
        egui::InnerResponse::new(shown.inner, response)
    }
}

/// Whether Enter was pressed in a single-line field this frame (the field lost focus to it): a
/// field with a button beside it does what the button does.
#[must_use]
pub fn entered(field: &egui::Response, ui: &egui::Ui) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// At most `max` characters of `text`, with "…" when it was cut.
#[must_use]
pub fn shortened(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// A section heading that opens and closes its section ("▸ Title" / "▾ Title"); `open` is kept by
/// the view. (A collapsing header closed itself when a combo box inside it was clicked.) Returns
/// whether the section is open.
pub fn section_toggle(ui: &mut egui::Ui, open: &mut bool, title: &str) -> bool {
    let arrow = if *open { "▾" } else { "▸" };
    if ui
        .selectable_label(
            *open,
            egui::RichText::new(format!("{arrow} {title}")).strong(),
        )
        .clicked()
    {
        *open = !*open;
    }
    *open
}
