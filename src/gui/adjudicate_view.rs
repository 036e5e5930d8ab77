//! The adjudication view: choose the raters and a code (or all codes); walk the disagreements, each
//! with every rater's coding marked in the text side by side; settle each into the consensus layer
//! (take one rater's coding, the union, the intersection, a span of your own, or nothing) with a
//! note; settle every agreement at once (exact, or near: boundaries within N characters, or at least
//! P% of the text in common, as the union or the intersection). Each decision is one undoable change; the raters' own
//! codings are never touched. The passages are those of `accord adjudicate list` for the same
//! selection: both call [`crate::app::adjudicate::passages`].

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::agreement_view::marked_job;
use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::{label_first, rater_checkboxes};
use crate::app::adjudicate::{Nearness, Passage, Review, agreement_decisions, counts};
use crate::model::{AdjudicationId, CodeId, Decision, RaterId, RaterKind};

pub use crate::app::adjudicate::ShownPassage;

/// What the view asks the app to do.
#[derive(Debug, Clone)]
pub enum AdjudicateCommand {
    /// Read the passages of a review.
    Load(Review),
    /// Settle passages (one change).
    Settle(Vec<(Passage, Decision, String)>),
    /// Withdraw a decision.
    Withdraw(AdjudicationId),
}

/// The view's state.
#[derive(Debug, Default)]
pub struct AdjudicateView {
    raters: BTreeSet<RaterId>,
    code: Option<CodeId>,
    show_all: bool,
    /// The passages read for a project revision and review (or why they could not be).
    pub loaded: Option<(u64, Result<Vec<ShownPassage>, String>)>,
    /// The loaded passages without their text (what the counts and the settle-all bar read),
    /// made once per load (the revision it was loaded at) rather than every frame.
    passages: (Option<u64>, Vec<Passage>),
    asked: Option<(u64, Vec<RaterId>, Option<CodeId>)>,
    selected: Option<String>,
    note: String,
    span: (usize, usize),
    initialised: bool,
    near: NearChoice,
}

/// How "Settle all agreements" counts raters as agreeing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NearChoice {
    /// 0 exactly, 1 within `chars`, 2 at least `percent` in common.
    kind: u8,
    chars: usize,
    percent: u8,
    /// Near agreements become the union (or the intersection).
    union: bool,
}

impl Default for NearChoice {
    fn default() -> Self {
        Self {
            kind: 0,
            chars: 10,
            percent: 80,
            union: true,
        }
    }
}

impl NearChoice {
    fn nearness(self) -> Nearness {
        match self.kind {
            1 => Nearness::Within(self.chars),
            2 => Nearness::Overlap(self.percent),
            _ => Nearness::Exact,
        }
    }

    fn ui(&mut self, ui: &mut Ui) {
        let names = ["the same text", "boundaries within", "text shared at least"];
        ui.label("Agreement:");
        egui::ComboBox::from_id_salt("near-kind")
            .selected_text(names[usize::from(self.kind.min(2))])
            .show_ui(ui, |ui| {
                for (i, name) in (0u8..).zip(names) {
                    ui.selectable_value(&mut self.kind, i, name);
                }
            })
            .response
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Counts as agreement")
            });
        match self.kind {
            1 => {
                ui.add(
                    egui::DragValue::new(&mut self.chars)
                        .range(1..=500)
                        .suffix(" characters"),
                )
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Within characters")
                });
            }
            2 => {
                ui.add(
                    egui::DragValue::new(&mut self.percent)
                        .range(1..=100)
                        .suffix("%"),
                )
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Overlap percent")
                });
            }
            _ => {}
        }
        if self.kind != 0 {
            ui.label("taken as");
            egui::ComboBox::from_id_salt("near-as")
                .selected_text(if self.union { "union" } else { "intersection" })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.union, true, "union");
                    ui.selectable_value(&mut self.union, false, "intersection");
                })
                .response
                .widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::ComboBox,
                        true,
                        "Near agreements taken as",
                    )
                });
        }
    }
}

impl AdjudicateView {
    /// "Settle all agreements", with how near counts as agreeing.
    fn settle_all_ui(&mut self, ui: &mut Ui, passages: &[Passage]) -> Option<AdjudicateCommand> {
        let mut request = None;
        ui.horizontal(|ui| {
            self.near.ui(ui);
            let as_what = if self.near.union {
                Decision::Union
            } else {
                Decision::Intersection
            };
            let decisions =
                agreement_decisions(passages, self.near.nearness(), as_what).unwrap_or_default();
            let near = decisions
                .iter()
                .filter(|d| d.1 != Decision::Agreed)
                .count();
            let label = if self.near.kind == 0 {
                format!("Settle all agreements ({})", decisions.len())
            } else {
                format!(
                    "Settle all agreements ({}, {near} of them near)",
                    decisions.len()
                )
            };
            if ui
                .add_enabled(!decisions.is_empty(), egui::Button::new(label))
                .on_hover_text("Each open passage where the raters agree becomes consensus, in one change (Ctrl+Z undoes it).")
                .clicked()
            {
                request = Some(AdjudicateCommand::Settle(decisions));
            }
        });
        request
    }

    /// The review the view stands for.
    #[must_use]
    pub fn review(&self) -> Review {
        Review {
            raters: self.raters.iter().copied().collect(),
            codes: self.code.into_iter().collect(),
            transcripts: Vec::new(),
        }
    }

    /// Draws the view; returns what the app should do.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
        actions: &mut Vec<UiCommand>,
    ) -> Option<AdjudicateCommand> {
        if !self.initialised {
            self.raters = project
                .raters
                .iter()
                .filter(|r| r.kind == RaterKind::Human && !project.passes.contains(&r.rater_id))
                .map(|r| r.rater_id)
                .collect();
            self.initialised = true;
        }
        ui.heading("Adjudicate");
        if project.blind {
            ui.label("Blind mode is on, so raters cannot see each other's codings. Turn it off (View menu) to settle disagreements.");
            return None;
        }
        self.choices_ui(ui, project);
        let key = (
            revision,
            self.raters.iter().copied().collect::<Vec<_>>(),
            self.code,
        );
        if self.raters.len() >= 2 && self.asked.as_ref() != Some(&key) {
            self.asked = Some(key);
            return Some(AdjudicateCommand::Load(self.review()));
        }
        if self.raters.len() < 2 {
            ui.label("Choose at least two raters to compare.");
            return None;
        }
        // Borrowed for the frame (taken out and put back), never copied.
        let Some(loaded) = self.loaded.take() else {
            ui.spinner();
            return None;
        };
        let request = match &loaded.1 {
            Ok(list) => self.passages_ui(ui, loaded.0, list, actions),
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                None
            }
        };
        if self.loaded.is_none() {
            self.loaded = Some(loaded);
        }
        request
    }

    fn passages_ui(
        &mut self,
        ui: &mut Ui,
        revision: u64,
        list: &[ShownPassage],
        actions: &mut Vec<UiCommand>,
    ) -> Option<AdjudicateCommand> {
        if self.passages.0 != Some(revision) || self.passages.1.len() != list.len() {
            self.passages = (
                Some(revision),
                list.iter().map(|s| s.passage.clone()).collect(),
            );
        }
        let passages = std::mem::take(&mut self.passages.1);
        let (total, _) = counts(&passages);
        let mut request = None;
        ui.label(total.to_string());
        if let Some(r) = self.settle_all_ui(ui, &passages) {
            request = Some(r);
        }
        self.passages.1 = passages;
        ui.separator();
        egui::Panel::left("adjudicate-list")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| self.list_ui(ui, list));
        let chosen = self
            .selected
            .as_ref()
            .and_then(|id| list.iter().find(|s| &s.passage.id == id));
        egui::CentralPanel::default().show(ui, |ui| match chosen {
            Some(shown) => {
                if let Some(r) = self.detail_ui(ui, shown, actions) {
                    request = Some(r);
                }
            }
            None => {
                ui.label("Choose a passage on the left.");
            }
        });
        request
    }

    fn choices_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Raters").strong());
            let humans = project.raters.iter().filter(|r| r.kind == RaterKind::Human);
            rater_checkboxes(ui, humans, &mut self.raters);
            ui.separator();
            let name = self
                .code
                .and_then(|c| project.codebook.get(c))
                .map_or("all codes", |c| c.name.as_str())
                .to_string();
            label_first("Code").selected_text(name).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.code, None, "All codes");
                for (depth, id) in &project.tree {
                    let label = format!(
                        "{}{}",
                        "  ".repeat(*depth),
                        project.codebook.get(*id).map_or("?", |c| c.name.as_str())
                    );
                    ui.selectable_value(&mut self.code, Some(*id), label);
                }
            });
            ui.checkbox(&mut self.show_all, "Show agreements and settled passages");
        });
    }

    fn list_ui(&mut self, ui: &mut Ui, list: &[ShownPassage]) {
        egui::ScrollArea::vertical()
            .id_salt("adjudicate-passages")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let shown: Vec<&ShownPassage> = list
                    .iter()
                    .filter(|s| self.show_all || (!s.passage.agreed && s.passage.settled.is_none()))
                    .collect();
                if shown.is_empty() {
                    ui.label("No open disagreements: every passage is agreed or settled.");
                }
                for s in shown.iter().take(500) {
                    let p = &s.passage;
                    let state = p.state();
                    let leaf = p.code.rsplit('/').next().unwrap_or(&p.code);
                    let line = format!(
                        "{} · {leaf} · {}–{} · {state}",
                        p.transcript, p.extent.start, p.extent.end
                    );
                    let on = self.selected.as_deref() == Some(p.id.as_str());
                    if ui
                        .selectable_label(on, line)
                        .on_hover_text(&p.code)
                        .clicked()
                    {
                        self.selected = Some(p.id.clone());
                        self.span = (p.extent.start, p.extent.end);
                        self.note.clear();
                    }
                }
                if shown.len() > 500 {
                    ui.label(format!(
                        "… and {} more (see accord adjudicate list).",
                        shown.len() - 500
                    ));
                }
            });
    }

    fn detail_ui(
        &mut self,
        ui: &mut Ui,
        shown: &ShownPassage,
        actions: &mut Vec<UiCommand>,
    ) -> Option<AdjudicateCommand> {
        let p = &shown.passage;
        ui.horizontal(|ui| {
            ui.heading(format!(
                "{} · {}",
                p.code.rsplit('/').next().unwrap_or(&p.code),
                p.transcript
            ));
            if ui.button("Open in transcript").clicked() {
                actions.push(UiCommand::JumpTo {
                    transcript_id: p.transcript_id,
                    span: p.extent,
                });
            }
        });
        ui.label(
            RichText::new(format!(
                "characters {}–{}; each rater's coding is highlighted",
                p.extent.start, p.extent.end
            ))
            .small(),
        );
        egui::ScrollArea::vertical()
            .id_salt("adjudicate-detail")
            .max_height(ui.available_height() * 0.6)
            .show(ui, |ui| {
                ui.columns(p.raters.len().max(1), |columns| {
                    for (col, (_, name, spans)) in columns.iter_mut().zip(&p.raters) {
                        col.label(RichText::new(name).strong());
                        if spans.is_empty() {
                            col.label(RichText::new("did not code this").weak());
                        }
                        col.label(marked_job(col, &shown.context, shown.offset, spans));
                    }
                });
            });
        ui.separator();
        if let Some(done) = p.settled {
            ui.label("This passage is settled.");
            if ui.button("Withdraw the decision").clicked() {
                return Some(AdjudicateCommand::Withdraw(done));
            }
            return None;
        }
        ui.horizontal(|ui| {
            ui.label("Note");
            ui.add(
                egui::TextEdit::singleline(&mut self.note)
                    .hint_text("why (kept with the decision)"),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Decision note")
            });
        });
        let mut decision = None;
        ui.horizontal_wrapped(|ui| {
            if p.agreed && ui.button("Accept the agreement").clicked() {
                decision = Some(Decision::Agreed);
            }
            for (id, name, _) in &p.raters {
                if ui.button(format!("Take {name}")).clicked() {
                    decision = Some(Decision::Take { rater_id: *id });
                }
            }
            if ui.button("Union").clicked() {
                decision = Some(Decision::Union);
            }
            if ui.button("Intersection").clicked() {
                decision = Some(Decision::Intersection);
            }
            if ui.button("Drop").clicked() {
                decision = Some(Decision::Drop);
            }
        });
        ui.horizontal(|ui| {
            ui.label("Or a span of your own:");
            ui.add(egui::DragValue::new(&mut self.span.0).prefix("from "))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Span start")
                });
            ui.add(egui::DragValue::new(&mut self.span.1).prefix("to "))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Span end")
                });
            if ui.button("Use this span").clicked() {
                decision = Some(Decision::Span {
                    start: self.span.0,
                    end: self.span.1,
                });
            }
        });
        decision.map(|d| {
            AdjudicateCommand::Settle(vec![(p.clone(), d, std::mem::take(&mut self.note))])
        })
    }
}
