//! The reliability rounds view: each code's agreement across rounds and codebook versions, as a
//! table (codes still below the threshold first, coloured against it) and a line chart, with the
//! definition changes of the chosen code between the rounds' versions. A round is started here from
//! chosen transcripts and raters, and computed with a click. The table is `accord rounds`: both
//! read [`crate::app::rounds::history`], which also holds each round's stopping rule and every
//! code against it; a rule is kept with a round from here too.

use std::collections::BTreeSet;

use egui::{Color32, RichText, Ui};

use super::cache::ProjectCache;
use super::state::{label_first, rater_checkboxes, toggle};
use crate::agreement::project::Unit;
use crate::app::rounds::{History, RuleStatus, Statistic};
use crate::model::{CodeId, RaterId, RaterKind, TranscriptId};

/// What the view asks the app to do.
#[derive(Debug, Clone)]
pub enum RoundsCommand {
    /// Read the history.
    Load(Statistic, f64),
    /// Start a round.
    New {
        /// Its name.
        name: String,
        /// Its transcripts.
        transcripts: Vec<TranscriptId>,
        /// Its raters.
        raters: Vec<RaterId>,
        /// The unit.
        unit: Unit,
    },
    /// Compute a round (by name).
    Compute(String),
    /// Keep a stopping rule with a round (by name), or clear it (`None`).
    SetRule {
        /// The round's name.
        round: String,
        /// The statistic and the least lower bound.
        rule: Option<(Statistic, f64)>,
    },
    /// Plan the next round from a computed pilot round (by name).
    Plan(String, crate::app::plan::PlanOptions),
}

/// The view's state.
#[derive(Debug)]
pub struct RoundsView {
    statistic: Statistic,
    /// The threshold codes must reach.
    pub threshold: f64,
    every_line: bool,
    /// The history read for a project revision (or why it could not be).
    pub loaded: Option<(u64, Result<History, String>)>,
    asked: Option<(u64, Statistic, u64)>,
    chosen: Option<CodeId>,
    name: String,
    transcripts: BTreeSet<TranscriptId>,
    raters: BTreeSet<RaterId>,
    unit: Unit,
    /// The stopping rule being set: its round, statistic and least lower bound.
    rule: (Option<String>, Statistic, f64),
    /// Planning the next round.
    pub plan: super::plan_view::PlanView,
    /// Whether the "Start a round…" form is open.
    new_round_open: bool,
}

impl Default for RoundsView {
    fn default() -> Self {
        Self {
            statistic: Statistic::Kappa,
            threshold: 0.8,
            every_line: false,
            loaded: None,
            asked: None,
            chosen: None,
            name: String::new(),
            transcripts: BTreeSet::new(),
            raters: BTreeSet::new(),
            unit: Unit::Turn,
            rule: (None, Statistic::Kappa, 0.7),
            plan: super::plan_view::PlanView::default(),
            new_round_open: false,
        }
    }
}

fn status_word(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Met => "met",
        RuleStatus::NotMet => "not met",
        RuleStatus::Undefined => "undefined",
    }
}

fn stat_name(s: Statistic) -> &'static str {
    match s {
        Statistic::Kappa => "kappa",
        Statistic::Alpha => "Krippendorff's alpha",
        Statistic::Percent => "percent agreement",
        Statistic::Ac1 => "Gwet's AC1",
    }
}

impl RoundsView {
    /// Draws the view; returns what the app should do.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
    ) -> Option<RoundsCommand> {
        ui.heading("Reliability rounds");
        let mut request = None;
        ui.horizontal(|ui| {
            label_first("Statistic")
                .selected_text(stat_name(self.statistic))
                .show_ui(ui, |ui| {
                    for s in [
                        Statistic::Kappa,
                        Statistic::Alpha,
                        Statistic::Ac1,
                        Statistic::Percent,
                    ] {
                        ui.selectable_value(&mut self.statistic, s, stat_name(s));
                    }
                });
            ui.add(
                egui::DragValue::new(&mut self.threshold)
                    .range(0.0..=1.0)
                    .speed(0.01)
                    .prefix("threshold "),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Rounds threshold")
            });
            ui.checkbox(&mut self.every_line, "Chart every code");
        });
        let key = (
            revision,
            self.statistic,
            (self.threshold * 1000.0).round() as u64,
        );
        if self.asked != Some(key) {
            self.asked = Some(key);
            request = Some(RoundsCommand::Load(self.statistic, self.threshold));
        }
        // Its own toggle, not a collapsing header: clicking the unit's combo box inside one
        // closed the form before a unit could be chosen (seen under Xvfb).
        if super::state::section_toggle(ui, &mut self.new_round_open, "Start a round…") {
            ui.indent("new-round", |ui| {
                if let Some(r) = self.new_round_ui(ui, project) {
                    request = Some(r);
                }
            });
        }
        let names: Vec<String> = self
            .loaded
            .as_ref()
            .and_then(|(_, h)| h.as_ref().ok())
            .map(|h| h.rounds.iter().map(|r| r.0.clone()).collect())
            .unwrap_or_default();
        if let Some((round, options)) = self.plan.ui(ui, &names) {
            request = Some(RoundsCommand::Plan(round, options));
        }
        ui.separator();
        // Borrowed for the frame (taken out and put back), never copied.
        let Some(loaded) = self.loaded.take() else {
            return request;
        };
        if let Some(r) = self.history_ui(ui, &loaded.1) {
            request = Some(r);
        }
        if self.loaded.is_none() {
            self.loaded = Some(loaded);
        }
        request
    }

    fn history_ui(
        &mut self,
        ui: &mut Ui,
        history: &Result<History, String>,
    ) -> Option<RoundsCommand> {
        let history = match history {
            Ok(h) => h,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return None;
            }
        };
        if history.rounds.is_empty() {
            ui.label("No rounds yet. Start one above: the transcripts the raters code, and who codes them.");
            return None;
        }
        let mut request = Self::rounds_ui(ui, history);
        if let Some(r) = self.rules_ui(ui, history) {
            request = Some(r);
        }
        egui::ScrollArea::both()
            .id_salt("rounds-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                chart_ui(ui, history, self.every_line, self.chosen);
                self.table_ui(ui, history);
                self.changes_ui(ui, history);
            });
        request
    }

    fn new_round_ui(&mut self, ui: &mut Ui, project: &ProjectCache) -> Option<RoundsCommand> {
        ui.horizontal(|ui| {
            ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut self.name).hint_text("Round 1"))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Round name")
                });
            label_first("Unit")
                .selected_text(format!("{:?}", self.unit).to_lowercase())
                .show_ui(ui, |ui| {
                    for u in [Unit::Char, Unit::Turn, Unit::Sentence, Unit::Segment] {
                        ui.selectable_value(&mut self.unit, u, format!("{u:?}").to_lowercase());
                    }
                });
        });
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Raters").strong());
            let humans = project.raters.iter().filter(|r| r.kind == RaterKind::Human);
            rater_checkboxes(ui, humans, &mut self.raters);
        });
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Transcripts").strong());
            for t in &project.transcripts {
                let mut on = self.transcripts.contains(&t.transcript_id);
                if ui.checkbox(&mut on, &t.name).changed() {
                    toggle(&mut self.transcripts, t.transcript_id, on);
                }
            }
        });
        let ready =
            !self.name.trim().is_empty() && self.raters.len() >= 2 && !self.transcripts.is_empty();
        ui.add_enabled(ready, egui::Button::new("Start the round"))
            .clicked()
            .then(|| RoundsCommand::New {
                name: std::mem::take(&mut self.name),
                transcripts: self.transcripts.iter().copied().collect(),
                raters: self.raters.iter().copied().collect(),
                unit: self.unit,
            })
    }

    fn rounds_ui(ui: &mut Ui, history: &History) -> Option<RoundsCommand> {
        let mut request = None;
        for (name, version, unit, raters, transcripts) in &history.rounds {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{name}: codebook version {version}, {raters} raters, {transcripts} transcripts, per {unit}"
                ));
                if ui.small_button(format!("Compute {name}")).clicked() {
                    request = Some(RoundsCommand::Compute(name.clone()));
                }
            });
        }
        request
    }

    /// Each round's stopping rule and its codes against it (as `accord rounds` reports them), and
    /// a form to keep a rule with a round.
    fn rules_ui(&mut self, ui: &mut Ui, history: &History) -> Option<RoundsCommand> {
        for r in &history.rules {
            rule_ui(ui, r);
        }
        let mut request = None;
        ui.horizontal(|ui| {
            let (round, statistic, bound) = &mut self.rule;
            if round
                .as_ref()
                .is_none_or(|n| !history.rounds.iter().any(|r| &r.0 == n))
            {
                *round = history.rounds.last().map(|r| r.0.clone());
            }
            label_first("Stopping rule for")
                .selected_text(round.clone().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for (name, ..) in &history.rounds {
                        ui.selectable_value(round, Some(name.clone()), name);
                    }
                });
            label_first("Rule statistic")
                .selected_text(stat_name(*statistic))
                .show_ui(ui, |ui| {
                    for s in [
                        Statistic::Kappa,
                        Statistic::Alpha,
                        Statistic::Ac1,
                        Statistic::Percent,
                    ] {
                        ui.selectable_value(statistic, s, stat_name(s));
                    }
                });
            ui.add(
                egui::DragValue::new(bound)
                    .range(-1.0..=1.0)
                    .speed(0.01)
                    .prefix("lower bound at least "),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Rule lower bound")
            });
            if let Some(name) = round.clone() {
                if ui.button("Keep the rule").clicked() {
                    request = Some(RoundsCommand::SetRule {
                        round: name.clone(),
                        rule: Some((*statistic, *bound)),
                    });
                }
                if history.rules.iter().any(|r| r.round == name)
                    && ui.button("Clear the rule").clicked()
                {
                    request = Some(RoundsCommand::SetRule {
                        round: name,
                        rule: None,
                    });
                }
            }
        });
        request
    }

    fn colour(&self, ui: &Ui, value: Option<f64>) -> Color32 {
        super::colours::against_threshold(ui, value, self.threshold)
    }

    fn table_ui(&mut self, ui: &mut Ui, history: &History) {
        egui::Grid::new("rounds-table")
            .striped(true)
            .num_columns(history.rounds.len() + 1)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Code").strong());
                for (name, ..) in &history.rounds {
                    ui.label(RichText::new(name).strong());
                }
                ui.end_row();
                for code in &history.codes {
                    let leaf = code.code.rsplit('/').next().unwrap_or(&code.code);
                    let text = RichText::new(leaf).color(self.colour(ui, code.latest));
                    let on = self.chosen == Some(code.code_id);
                    if ui
                        .selectable_label(on, text)
                        .on_hover_text(&code.code)
                        .clicked()
                    {
                        self.chosen = Some(code.code_id);
                    }
                    for r in &code.rounds {
                        let value = r.as_ref().and_then(|r| r.get(history.statistic));
                        let cell = match (r, value) {
                            (None, _) => "–".to_string(),
                            (Some(_), None) => "undefined".to_string(),
                            (Some(_), Some(v)) => format!("{v:.3}"),
                        };
                        ui.label(RichText::new(cell).color(self.colour(ui, value)));
                    }
                    ui.end_row();
                }
            });
    }

    fn changes_ui(&self, ui: &mut Ui, history: &History) {
        let Some(code) = self
            .chosen
            .and_then(|c| history.codes.iter().find(|h| h.code_id == c))
        else {
            ui.label(
                RichText::new("Click a code to see how its definition changed between rounds.")
                    .weak(),
            );
            return;
        };
        ui.separator();
        ui.label(RichText::new(format!("Definition changes of {}", code.code)).strong());
        if code.changes.is_empty() {
            ui.label("No changes between the rounds' codebook versions.");
        }
        for c in &code.changes {
            ui.label(format!(
                "Version {} → {}, {}:",
                c.from_version, c.to_version, c.field
            ));
            ui.label(RichText::new(format!("before: {}", c.before)).weak());
            ui.label(format!("after: {}", c.after));
        }
    }
}

/// How many of the codes below the threshold the chart draws unless asked for every code.
const CHARTED_BELOW: usize = 6;

/// One line per code across the rounds: the worst few below the threshold and the chosen code, or
/// every code; the x axis names the rounds.
fn chart_ui(ui: &mut Ui, history: &History, every: bool, chosen: Option<CodeId>) {
    use egui_plot::{Corner, HLine, Legend, Line, Plot, PlotPoints, uniform_grid_spacer};
    ui.label(
        RichText::new(format!(
            "{} by round (the {CHARTED_BELOW} worst codes below the threshold and the chosen one; \
             the flat line is the threshold)",
            stat_name(history.statistic)
        ))
        .strong(),
    );
    let names: Vec<String> = history.rounds.iter().map(|r| r.0.clone()).collect();
    Plot::new("rounds-chart")
        .height(220.0)
        .x_grid_spacer(uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-9 || i < 0.0 {
                return String::new();
            }
            names.get(i as usize).cloned().unwrap_or_default()
        })
        .include_y(0.0)
        .include_y(1.0)
        .include_x(0.0)
        .include_x((history.rounds.len().max(2) - 1) as f64)
        .legend(Legend::default().position(Corner::LeftBottom))
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            let worst: Vec<CodeId> = history
                .codes
                .iter()
                .filter(|c| c.below)
                .take(CHARTED_BELOW)
                .map(|c| c.code_id)
                .collect();
            for code in history
                .codes
                .iter()
                .filter(|c| every || worst.contains(&c.code_id) || chosen == Some(c.code_id))
            {
                let points: Vec<[f64; 2]> = code
                    .rounds
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| Some([i as f64, r.as_ref()?.get(history.statistic)?]))
                    .collect();
                let leaf = code
                    .code
                    .rsplit('/')
                    .next()
                    .unwrap_or(&code.code)
                    .to_string();
                plot.line(Line::new(leaf, PlotPoints::from(points)));
            }
            plot.hline(HLine::new("threshold", history.threshold));
        });
}

/// One round's stopping rule and each code against it.
fn rule_ui(ui: &mut Ui, r: &crate::app::rounds::RuleReport) {
    let met = r
        .codes
        .iter()
        .filter(|c| c.status == RuleStatus::Met)
        .count();
    let title = format!(
        "{}: every code's {} lower bound at least {:.2}: {} ({met} of {} codes met)",
        r.round,
        stat_name(r.statistic),
        r.lower_bound,
        status_word(r.overall),
        r.codes.len()
    );
    egui::CollapsingHeader::new(RichText::new(title).strong())
        .id_salt(("rule", &r.round))
        .show(ui, |ui| {
            if let Some(why) = &r.reason {
                ui.label(RichText::new(why).weak());
            }
            egui::Grid::new(("rule-grid", &r.round))
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for h in ["", "Code", "Lower bound", "Value"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for c in &r.codes {
                        let colour = match c.status {
                            RuleStatus::Met => {
                                super::colours::against_threshold(ui, Some(1.0), 0.0)
                            }
                            RuleStatus::NotMet => ui.visuals().error_fg_color,
                            RuleStatus::Undefined => ui.visuals().weak_text_color(),
                        };
                        ui.label(RichText::new(status_word(c.status)).color(colour));
                        ui.label(&c.code);
                        ui.label(c.lower.map_or("—".into(), |v| format!("{v:.3}")))
                            .on_hover_text(c.reason.clone().unwrap_or_default());
                        ui.label(c.value.map_or("—".into(), |v| format!("{v:.3}")));
                        ui.end_row();
                    }
                });
        });
}
