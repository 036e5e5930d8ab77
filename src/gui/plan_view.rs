//! Planning the next round in the window (issue 18, item 5), below the rounds: from a computed
//! pilot round, how many units (and transcripts) each code needs for its intervals to be as narrow
//! as asked, worst first, and a seeded sample of transcripts to double-code next, stratified by case
//! attributes: what `accord plan` prints, worked out on a read task.

use egui::{RichText, Ui};

use crate::app::plan::{Plan, PlanOptions};

/// The planning section's state.
#[derive(Debug)]
pub struct PlanView {
    /// The pilot round (by name).
    pub round: Option<String>,
    /// The interval width wanted.
    pub width: f64,
    /// Case attributes to stratify by, comma-separated.
    pub by: String,
    /// The sample's seed.
    pub seed: u64,
    /// The plan worked out (or why it could not be).
    pub result: Option<Result<Plan, String>>,
    /// Whether a plan is being worked out.
    pub waiting: bool,
    /// Whether the section is open (see [`crate::gui::state::section_toggle`]).
    pub open: bool,
}

impl Default for PlanView {
    fn default() -> Self {
        Self {
            round: None,
            width: 0.2,
            by: String::new(),
            seed: 1,
            result: None,
            waiting: false,
            open: false,
        }
    }
}

impl PlanView {
    /// Draws the section; returns the round and options to plan with when asked.
    pub fn ui(&mut self, ui: &mut Ui, rounds: &[String]) -> Option<(String, PlanOptions)> {
        let mut request = None;
        if crate::gui::state::section_toggle(ui, &mut self.open, "Plan the next round") {
            ui.indent("plan-next-round", |ui| {
                ui.label(
                    RichText::new(
                        "From a computed pilot round: how many units each code needs for its \
                         kappa and alpha intervals to be this narrow, and which transcripts to \
                         double-code next.",
                    )
                    .small(),
                );
                ui.horizontal(|ui| {
                    crate::gui::state::label_first("Pilot round")
                        .selected_text(self.round.as_deref().unwrap_or("choose"))
                        .show_ui(ui, |ui| {
                            for name in rounds {
                                ui.selectable_value(&mut self.round, Some(name.clone()), name);
                            }
                        });
                    ui.add(
                        egui::DragValue::new(&mut self.width)
                            .range(0.01..=2.0)
                            .speed(0.01)
                            .prefix("width "),
                    );
                    ui.label("stratify by");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.by)
                            .desired_width(120.0)
                            .hint_text("arm,site"),
                    )
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Stratify by")
                    });
                    ui.add(egui::DragValue::new(&mut self.seed).prefix("seed "));
                    let ready = self.round.is_some() && !self.waiting;
                    if ui.add_enabled(ready, egui::Button::new("Plan")).clicked()
                        && let Some(round) = self.round.clone()
                    {
                        self.waiting = true;
                        request = Some((
                            round,
                            PlanOptions {
                                width: self.width,
                                by: self
                                    .by
                                    .split(',')
                                    .map(str::trim)
                                    .filter(|s| !s.is_empty())
                                    .map(str::to_string)
                                    .collect(),
                                seed: self.seed,
                                ..PlanOptions::default()
                            },
                        ));
                    }
                    if self.waiting {
                        ui.spinner();
                    }
                });
                match &self.result {
                    None => {}
                    Some(Err(why)) => {
                        ui.colored_label(ui.visuals().error_fg_color, why);
                    }
                    Some(Ok(plan)) => plan_ui(ui, plan),
                }
            });
        }
        request
    }
}

/// The plan: the requirement, each code worst first, the notes and the sample.
fn plan_ui(ui: &mut Ui, plan: &Plan) {
    let count = |n: Option<u64>| n.map_or("—".to_string(), |n| n.to_string());
    ui.label(
        RichText::new(format!(
            "{} {} in all ({} more transcripts), set by {}.",
            count(plan.needed_units),
            plan.units_name,
            count(plan.more_transcripts),
            plan.worst.as_deref().unwrap_or("no code")
        ))
        .strong(),
    );
    egui::Grid::new("plan-codes")
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            for h in [
                "Code",
                "Prevalence",
                "Statistic",
                "Pilot width",
                "Units needed",
                "More transcripts",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for code in plan.codes.iter().take(60) {
                for s in &code.statistics {
                    ui.label(&code.code);
                    ui.label(format!("{:.3}", code.prevalence));
                    ui.label(&s.statistic);
                    ui.label(s.interval_width.map_or("—".into(), |w| format!("{w:.2}")));
                    ui.label(count(s.from_pilot));
                    ui.label(count(code.more_transcripts));
                    ui.end_row();
                }
            }
        });
    for note in &plan.notes {
        ui.label(RichText::new(note).small().weak());
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new(format!(
            "Sample (seed {}): {} transcripts",
            plan.sample.seed,
            plan.sample.transcripts.len()
        ))
        .strong(),
    );
    for chosen in &plan.sample.transcripts {
        ui.label(format!("{} ({})", chosen.transcript, chosen.stratum));
    }
}
