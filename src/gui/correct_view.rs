//! Correcting a transcript's text in the window (issue 19): an explicit edit mode with a banner,
//! since text changes are rare and weighty. The words are edited in place; "Review changes" works
//! out, on a read task, what the correction does to every rater's codings (unchanged, moved,
//! resized, lost, with their words), and only "Save correction" writes it, as one undoable change.

use egui::{RichText, Ui};

use super::command::UiCommand;
use super::state::shortened;
use crate::app::correct::Correction;
use crate::app::{Command, TranscriptCommand};
use crate::model::anchors::Carried;
use crate::model::{RaterId, Transcript, TranscriptId};

/// What the edit mode asks the app to do.
#[derive(Debug, Clone)]
pub enum CorrectCommand {
    /// Work out what correcting the transcript to this text does (off the UI thread).
    Review {
        /// Which transcript.
        transcript_id: TranscriptId,
        /// The edited text.
        text: String,
    },
    /// Work out giving a turn new times (then reviewed as a correction that keeps the text).
    Retime {
        /// Which transcript.
        transcript_id: TranscriptId,
        /// The turn, 1-based.
        turn: usize,
        /// Its new start and end, in milliseconds.
        times: crate::app::correct::TurnTimes,
    },
    /// Work out placing a coding a correction lost again on `span` (then reviewed as a
    /// correction that keeps the text).
    Place {
        /// The lost coding.
        coding: crate::model::CodingId,
        /// Where, in the text as it is now.
        span: crate::model::Span,
    },
}

/// The edit mode's state.
#[derive(Debug, Clone)]
pub struct CorrectView {
    /// Which transcript.
    pub transcript_id: TranscriptId,
    /// Its name.
    pub name: String,
    /// The text as edited.
    pub text: String,
    /// The text as it is stored.
    pub original: String,
    /// The review, once worked out (or why it could not be).
    pub review: Option<Result<Correction, String>>,
    /// Whether a review is being worked out.
    pub waiting: bool,
    /// A turn's time stamp to fix: the turn (1-based) and its start and end as typed.
    pub retime: (usize, String, String),
    /// Why the time typed cannot be read.
    pub retime_error: Option<String>,
    /// In a rater file, the rater: the correction is proposed to the lead, not saved.
    pub proposer: Option<RaterId>,
    /// The note kept with a proposal, or with the lead's decision on one.
    pub note: String,
    /// When the review is of a proposed correction the lead is deciding: the proposal and who
    /// proposed it.
    pub accepting: Option<(crate::model::ProposalId, Option<RaterId>)>,
}

impl CorrectView {
    /// Edit mode on a transcript.
    #[must_use]
    pub fn new(t: &Transcript) -> Self {
        Self {
            transcript_id: t.transcript_id,
            name: t.name.clone(),
            text: t.text.clone(),
            original: t.text.clone(),
            review: None,
            waiting: false,
            retime: (1, String::new(), String::new()),
            retime_error: None,
            proposer: None,
            note: String::new(),
            accepting: None,
        }
    }

    /// The review of a correction already worked out (a lost coding placed again).
    #[must_use]
    pub fn reviewing(c: Correction) -> Self {
        Self {
            transcript_id: c.transcript_id,
            name: c.transcript.clone(),
            text: c.corrected.text.clone(),
            original: c.corrected.text.clone(),
            review: Some(Ok(c)),
            waiting: false,
            retime: (1, String::new(), String::new()),
            retime_error: None,
            proposer: None,
            note: String::new(),
            accepting: None,
        }
    }

    /// Draws the edit mode; returns `false` once it is left (saved or cancelled).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        rater: Option<RaterId>,
        actions: &mut Vec<UiCommand>,
    ) -> bool {
        egui::Frame::new()
            .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                let (title, body) = if self.accepting.is_some() {
                    (
                        "Reviewing a proposed correction of",
                        "A rater proposed this correction from their rater file. See what it does \
                         to every coding: Accept corrects the transcript (Undo takes it back); \
                         Cancel leaves the proposal open.",
                    )
                } else if self.proposer.is_some() {
                    (
                        "Proposing a correction of",
                        "This is a rater file: its transcripts are the lead's. Edit the words \
                         below and propose the correction; it goes to the lead with your work, \
                         who reviews what it does to every coding and accepts or rejects it.",
                    )
                } else {
                    (
                        "Correcting the text of",
                        "Edit the words below. Every rater's codings follow the words; you see \
                         what happens to them before anything is saved, and Undo takes the \
                         correction back.",
                    )
                };
                ui.label(
                    RichText::new(format!("{title} {}", self.name))
                        .strong()
                        .color(ui.visuals().warn_fg_color),
                );
                ui.label(body);
            });
        ui.add_space(6.0);
        let mut open = true;
        match self.review.take() {
            None => open = self.edit_ui(ui, actions),
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, &why);
                if ui.button("Back to editing").clicked() {
                    return true;
                }
                self.review = Some(Err(why));
            }
            Some(Ok(c)) => {
                let save = match (self.accepting, self.proposer) {
                    (Some((id, by)), _) => Save::Accept(id, by, &mut self.note),
                    (None, Some(by)) => Save::Propose(by, &mut self.note),
                    (None, None) => Save::Correct(rater),
                };
                let (keep, done) = review_ui(ui, &c, save, actions);
                if done {
                    return false;
                }
                if keep {
                    self.review = Some(Ok(c));
                }
            }
        }
        open
    }

    fn edit_ui(&mut self, ui: &mut Ui, actions: &mut Vec<UiCommand>) -> bool {
        let changed = self.text != self.original;
        let mut open = true;
        ui.horizontal(|ui| {
            let review = ui.add_enabled(
                changed && !self.waiting,
                egui::Button::new("Review changes"),
            );
            if review.clicked() {
                self.waiting = true;
                actions.push(UiCommand::Correct(CorrectCommand::Review {
                    transcript_id: self.transcript_id,
                    text: self.text.clone(),
                }));
            }
            if self.waiting {
                ui.spinner();
                ui.label("Working out what the correction does…");
            }
            if ui.button("Cancel").clicked() {
                open = false;
            }
            if !changed {
                ui.label(RichText::new("Nothing edited yet.").weak());
            }
        });
        // A rater file proposes words only: time stamps are the lead's to fix.
        if self.proposer.is_none() {
            self.retime_ui(ui, actions);
        }
        egui::ScrollArea::vertical()
            .id_salt("correct-text")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let edit = ui.add(
                    egui::TextEdit::multiline(&mut self.text)
                        .desired_width(f32::INFINITY)
                        .font(egui::TextStyle::Body),
                );
                edit.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::MultilineTextInput,
                        true,
                        "Corrected text",
                    )
                });
            });
        open
    }
}

impl CorrectView {
    /// A turn's time stamp fixed: the turn, its start and end (HH:MM:SS; an empty end keeps it).
    fn retime_ui(&mut self, ui: &mut Ui, actions: &mut Vec<UiCommand>) {
        ui.horizontal(|ui| {
            ui.label("Fix a time stamp: turn");
            ui.add(egui::DragValue::new(&mut self.retime.0).range(1..=usize::MAX));
            ui.label("start");
            ui.add(
                egui::TextEdit::singleline(&mut self.retime.1)
                    .desired_width(90.0)
                    .hint_text("00:12:31"),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Turn start time")
            });
            ui.label("end");
            ui.add(
                egui::TextEdit::singleline(&mut self.retime.2)
                    .desired_width(90.0)
                    .hint_text("(as it is)"),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Turn end time")
            });
            let ready = !self.retime.1.trim().is_empty() && !self.waiting;
            if ui
                .add_enabled(ready, egui::Button::new("Review time"))
                .clicked()
            {
                let parse = |t: &str| -> Result<Option<u64>, String> {
                    if t.trim().is_empty() {
                        Ok(None)
                    } else {
                        crate::model::parse_time_ms(t).map(Some)
                    }
                };
                match (parse(&self.retime.1), parse(&self.retime.2)) {
                    (Ok(start), Ok(end)) => {
                        self.retime_error = None;
                        self.waiting = true;
                        actions.push(UiCommand::Correct(CorrectCommand::Retime {
                            transcript_id: self.transcript_id,
                            turn: self.retime.0,
                            times: (start, end),
                        }));
                    }
                    (Err(e), _) | (_, Err(e)) => self.retime_error = Some(e),
                }
            }
        });
        if let Some(e) = &self.retime_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }
}

/// What saving a reviewed correction does.
enum Save<'a> {
    /// Writes it, by this rater.
    Correct(Option<RaterId>),
    /// Proposes it to the lead (a rater file), with a note.
    Propose(RaterId, &'a mut String),
    /// Accepts the proposal it is the review of (by its proposer), with the lead's note.
    Accept(crate::model::ProposalId, Option<RaterId>, &'a mut String),
}

/// The review: the changes, the turns, the codings by outcome with the resized and lost ones
/// listed; Save (or Propose), Back, Cancel. Returns (keep the review, the edit mode is done).
fn review_ui(
    ui: &mut Ui,
    c: &Correction,
    mut save: Save<'_>,
    actions: &mut Vec<UiCommand>,
) -> (bool, bool) {
    let n = c.counts;
    ui.heading("What the correction does");
    kept_text_ui(ui, c);
    ui.label(format!(
        "{} change{}; turns {} before, {} after{}.",
        c.edits.len(),
        if c.edits.len() == 1 { "" } else { "s" },
        c.turns.0,
        c.turns.1,
        if c.turns_reread {
            " (a speaker label or the text between turns changed, so the turns were read again)"
        } else {
            ""
        }
    ));
    ui.label(
        RichText::new(format!(
            "Codings: {} unchanged, {} moved (same words), {} resized (words edited), {} lost \
             (every word deleted).",
            n.same, n.moved, n.resized, n.lost
        ))
        .strong(),
    );
    let (mut keep, mut done) = (true, false);
    note_ui(ui, &mut save);
    ui.horizontal(|ui| {
        if save_ui(ui, c, &save, actions) {
            done = true;
        }
        // A proposal is accepted as proposed (or rejected in the Team view), never edited here.
        if !matches!(save, Save::Accept(..)) && ui.button("Back to editing").clicked() {
            keep = false;
        }
        if ui.button("Cancel").clicked() {
            done = true;
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("correct-review")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new("Changes").strong());
            for (old, new) in c.edits.iter().take(50) {
                ui.label(format!(
                    "“{}” → “{}”",
                    shortened(old, 120),
                    shortened(new, 120)
                ));
            }
            for (title, lost) in [
                ("Lost: kept as removed, with their words", true),
                ("Resized", false),
            ] {
                let rows: Vec<_> = c
                    .codings
                    .iter()
                    .filter(|ch| {
                        !ch.removed
                            && match ch.carried {
                                Carried::Lost => lost,
                                Carried::Resized(_) => !lost,
                                _ => false,
                            }
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                ui.add_space(6.0);
                ui.label(RichText::new(format!("{title} ({})", rows.len())).strong());
                for ch in rows.iter().take(200) {
                    let after = ch
                        .quote_after
                        .as_deref()
                        .map(|q| format!(" → “{}”", shortened(q, 120)))
                        .unwrap_or_default();
                    ui.add(
                        egui::Label::new(format!(
                            "{} · {}: “{}”{after}",
                            ch.rater,
                            ch.code,
                            shortened(&ch.quote_before, 120)
                        ))
                        .wrap(),
                    );
                }
            }
        });
    (keep, done)
}

/// The note kept with a proposal, or with the lead's decision on one.
fn note_ui(ui: &mut Ui, save: &mut Save<'_>) {
    let (label, note) = match save {
        Save::Propose(_, note) => ("Note for the lead:", note),
        Save::Accept(_, _, note) => ("Note on accepting:", note),
        Save::Correct(_) => return,
    };
    ui.horizontal(|ui| {
        ui.label(label);
        ui.add(egui::TextEdit::singleline(*note).hint_text("why (optional)"));
    });
}

/// The button that saves the correction the way `save` says; true once it is clicked. (The
/// command is made on the click only: it holds the whole text.)
fn save_ui(ui: &mut Ui, c: &Correction, save: &Save<'_>, actions: &mut Vec<UiCommand>) -> bool {
    let (button, label) = match save {
        Save::Correct(_) => ("Save correction", "Correct transcript"),
        Save::Accept(..) => ("Accept correction", "Accept a correction of"),
        Save::Propose(..) => ("Propose correction", "Propose a correction of"),
    };
    if matches!(save, Save::Propose(..)) && (!c.retimed.is_empty() || !c.placed_again.is_empty()) {
        ui.colored_label(
            ui.visuals().error_fg_color,
            "A rater file proposes corrections of the words only.",
        );
        return false;
    }
    if !ui.button(button).clicked() {
        return false;
    }
    let command = match save {
        Save::Correct(rater) => {
            Command::Transcripts(TranscriptCommand::Correct(Box::new(c.to_write(*rater))))
        }
        Save::Accept(id, by, note) => Command::Team(crate::app::TeamCommand::AcceptCorrection {
            id: *id,
            note: (**note).clone(),
            correction: Box::new(c.to_write(*by)),
        }),
        Save::Propose(by, note) => {
            match crate::app::correction_proposals::proposal_for(c, *by, note) {
                Ok(p) => Command::Team(crate::app::TeamCommand::ProposeCorrection(Box::new(p))),
                Err(why) => {
                    ui.colored_label(ui.visuals().error_fg_color, why.to_string());
                    return false;
                }
            }
        }
    };
    actions.push(UiCommand::Apply {
        label: format!("{label} {}", c.transcript),
        command,
    });
    true
}

/// What a correction that keeps the text does: the turns it re-times, the lost codings it
/// places again.
fn kept_text_ui(ui: &mut Ui, c: &Correction) {
    for (turn, before, after) in &c.retimed {
        let show = |(s, e): crate::app::correct::TurnTimes| {
            let f = |t: Option<u64>| t.map_or("?".to_string(), crate::model::format_time_ms);
            format!("{}–{}", f(s), f(e))
        };
        ui.label(
            RichText::new(format!(
                "Turn {turn}'s time: {} → {}",
                show(*before),
                show(*after)
            ))
            .strong(),
        );
    }
    if c.placed_again.is_empty() {
        return;
    }
    let which: Vec<String> = c
        .codings
        .iter()
        .filter(|ch| c.placed_again.contains(&ch.coding_id))
        .map(|ch| format!("{} · {}", ch.rater, ch.code))
        .collect();
    ui.label(
        RichText::new(format!(
            "A lost coding placed again on the selected words (the text stays as it is): {}.",
            which.join("; ")
        ))
        .strong(),
    );
}
