//! The agreement view over the agreement engine: choose raters, codes, transcripts and the unit; read
//! a per-code table (percent agreement, kappa, alpha and AC1 with 95% intervals) sorted worst first and
//! coloured against a threshold you set (default 0.80), with a bar chart of each code's kappa. Click a
//! code to list its disagreements; click a disagreement to see each rater's codings there side by side.
//! The numbers are the same as `accord agreement` prints for the same selection: both call
//! [`crate::app::agreement::project_agreement`].

use std::collections::BTreeSet;

use egui::{Color32, RichText, Ui};

use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::{ViewState, label_first, rater_checkboxes, toggle};
use crate::agreement::Estimate;
use crate::agreement::project::{CodeRow, ProjectAgreement, Unit};
use crate::app::agreement::{AgreementOptions, DisagreementView};
use crate::app::agreement_input::Selection;
use crate::app::breakdown::{Breakdown, By};
use crate::app::code_groups::GroupsReport;
use crate::app::confusion::{BoundaryNote, CellUnit, ConfusionReport, NOTHING, PairConfusion};
use crate::model::{CodeId, RaterId, RaterKind, Span, TranscriptId};

/// A computed report with its disagreements.
#[derive(Debug, Clone)]
pub struct AgreementResult {
    /// The per-code table.
    pub report: ProjectAgreement,
    /// Every disagreement, by code.
    pub disagreements: Vec<DisagreementView>,
    /// Which code each rater used where the other used which (each pair of raters), or why there
    /// is none at this unit.
    pub confusion: Result<ConfusionReport, String>,
    /// The breakdown table asked for (by transcript, rater pair or case attribute), or why it
    /// could not be made.
    pub breakdown: Option<Result<Breakdown, String>>,
    /// At the unitizing unit, when the codebook declares code groups: each group's unitizing
    /// alphas and Cuα, or why they could not be computed.
    pub groups: Option<Result<GroupsReport, String>>,
}

pub use crate::app::agreement::DisagreementDetail;

/// What the view asks the app to do.
#[derive(Debug, Clone)]
pub enum AgreementCommand {
    /// Compute the report (off the UI thread), with a breakdown table when one is asked for.
    Compute(Selection, AgreementOptions, Option<By>),
    /// Load the side-by-side detail of a disagreement.
    Detail(DisagreementView),
    /// Read the units one cell of a confusion matrix counts (`selection` holds the pair's two
    /// raters, rows first; `row` and `column` index the matrix's labels).
    Cell {
        /// The pair and the rest of the selection.
        selection: Selection,
        /// The unit.
        options: AgreementOptions,
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
        /// The row's and the column's codes (for their adjudication notes).
        codes: [String; 2],
    },
}

/// The agreement view's state.
#[derive(Debug)]
pub struct AgreementView {
    raters: BTreeSet<RaterId>,
    codes: BTreeSet<CodeId>,
    transcripts: BTreeSet<TranscriptId>,
    /// The unit.
    pub unit: Unit,
    /// Codes below this kappa are marked.
    pub threshold: f64,
    /// Computing now.
    pub busy: bool,
    /// The last report, or why it failed.
    pub result: Option<Result<AgreementResult, String>>,
    chosen_code: Option<String>,
    /// A cell of a confusion matrix: the first rater's code and the second's (either may be
    /// [`NOTHING`]), whose passages are listed side by side.
    chosen_pair: Option<(String, String)>,
    /// The breakdown table to compute with the report: by transcript, rater pair or a case
    /// attribute (`None`: none).
    pub by: Option<By>,
    /// A breakdown cell's column: the chosen code's disagreements are listed for its transcripts.
    chosen_column: Option<(String, Vec<String>)>,
    /// The units the chosen confusion cell counts, once read (or why they could not be).
    pub cell_units: Option<Result<Vec<CellUnit>, String>>,
    /// The adjudication notes on the clicked cell's two codes (read with its units).
    pub boundary_notes: Option<Result<Vec<BoundaryNote>, String>>,
    /// A cell asked for by the last click (row, column), and its pair's raters by name; sent as a
    /// request at the end of the frame.
    asked_cell: Option<(usize, usize)>,
    asked_names: Option<(String, String)>,
    /// The raters of the cell whose units are shown (rows first).
    cell_raters: Option<(String, String)>,
    /// The disagreement shown side by side.
    pub detail: Option<DisagreementDetail>,
    initialised: bool,
}

impl Default for AgreementView {
    fn default() -> Self {
        Self {
            raters: BTreeSet::new(),
            codes: BTreeSet::new(),
            transcripts: BTreeSet::new(),
            unit: Unit::Char,
            threshold: 0.80,
            busy: false,
            result: None,
            chosen_code: None,
            chosen_pair: None,
            by: None,
            chosen_column: None,
            cell_units: None,
            boundary_notes: None,
            asked_cell: None,
            asked_names: None,
            cell_raters: None,
            detail: None,
            initialised: false,
        }
    }
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Char => "character (as NVivo)",
        Unit::Turn => "turn",
        Unit::Sentence => "sentence",
        Unit::Segment => "coded segment (as MAXQDA)",
        Unit::Unitizing => "unitizing alpha (as ATLAS.ti)",
    }
}

/// `0.712 [0.61, 0.81]`, or `undefined` with the reason on hover.
fn estimate_text(e: &Estimate) -> String {
    match (e.value, e.interval) {
        (Some(v), Some((lo, hi))) => format!("{v:.3} [{lo:.2}, {hi:.2}]"),
        (Some(v), None) => format!("{v:.3}"),
        (None, _) => "undefined".into(),
    }
}

impl AgreementView {
    /// The selection and options the view stands for (empty sets mean all).
    #[must_use]
    pub fn request(&self) -> (Selection, AgreementOptions) {
        let selection = Selection {
            raters: self.raters.iter().copied().collect(),
            codes: self.codes.iter().copied().collect(),
            transcripts: self.transcripts.iter().copied().collect(),
        };
        (
            selection,
            AgreementOptions {
                unit: self.unit,
                ..AgreementOptions::default()
            },
        )
    }

    /// Draws the view.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        state: &ViewState,
        actions: &mut Vec<UiCommand>,
    ) -> Option<AgreementCommand> {
        if !self.initialised {
            self.raters = project
                .raters
                .iter()
                .filter(|r| r.kind == RaterKind::Human)
                .map(|r| r.rater_id)
                .collect();
            self.initialised = true;
        }
        if project.blind {
            ui.heading("Agreement");
            ui.label("Blind mode is on, so raters cannot see each other's codings. Turn it off (View menu) to compare raters.");
            return None;
        }
        let mut request = None;
        self.choices_ui(ui, project);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !self.busy && self.raters.len() >= 2,
                    egui::Button::new("Compute agreement"),
                )
                .clicked()
            {
                let (s, o) = self.request();
                request = Some(AgreementCommand::Compute(s, o, self.by.clone()));
            }
            if self.busy {
                ui.spinner();
                ui.label("Computing…");
            }
        });
        ui.separator();
        // Borrowed for the frame (taken out and put back), never copied.
        let Some(result) = self.result.take() else {
            ui.label("Choose raters (at least two), then compute. Only transcripts every chosen rater has coded count.");
            return request;
        };
        match &result {
            Ok(r) => {
                if let Some(r) = self.report_ui(ui, r, project, state, actions) {
                    request = Some(r);
                }
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        }
        if self.result.is_none() {
            self.result = Some(result);
        }
        if let (Some((row, column)), Some((a, b))) =
            (self.asked_cell.take(), self.asked_names.take())
        {
            let id = |name: &str| {
                project
                    .raters
                    .iter()
                    .find(|r| r.name == name)
                    .map(|r| r.rater_id)
            };
            if let (Some(a), Some(b)) = (id(&a), id(&b)) {
                let (mut selection, options) = self.request();
                selection.raters = vec![a, b];
                let codes = self
                    .chosen_pair
                    .clone()
                    .map_or_else(Default::default, |(a, b)| [a, b]);
                request = Some(AgreementCommand::Cell {
                    selection,
                    options,
                    row,
                    column,
                    codes,
                });
            }
        }
        request
    }

    fn choices_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Raters").strong());
            rater_checkboxes(ui, &project.raters, &mut self.raters);
            ui.separator();
            label_first("Unit")
                .selected_text(unit_name(self.unit))
                .show_ui(ui, |ui| {
                    for u in [
                        Unit::Char,
                        Unit::Turn,
                        Unit::Sentence,
                        Unit::Segment,
                        Unit::Unitizing,
                    ] {
                        ui.selectable_value(&mut self.unit, u, unit_name(u));
                    }
                });
            ui.add(
                egui::DragValue::new(&mut self.threshold)
                    .range(0.0..=1.0)
                    .speed(0.01)
                    .prefix("threshold "),
            )
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Threshold"));
            ui.separator();
            let by_name = self.by.as_ref().map_or("nothing", By::name).to_string();
            label_first("Break down by")
                .selected_text(by_name)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.by, None, "nothing");
                    ui.selectable_value(&mut self.by, Some(By::Transcript), "transcript");
                    if self.raters.len() >= 3 {
                        ui.selectable_value(&mut self.by, Some(By::Pair), "pair");
                    }
                    let attributes: BTreeSet<&String> = project
                        .cases
                        .iter()
                        .flat_map(|c| c.attributes.keys())
                        .collect();
                    for a in attributes {
                        ui.selectable_value(&mut self.by, Some(By::Attribute(a.clone())), a);
                    }
                });
        });
        ui.horizontal_wrapped(|ui| {
            let codes = if self.codes.is_empty() {
                "all codes".to_string()
            } else {
                format!("{} codes", self.codes.len())
            };
            label_first("Codes").selected_text(codes).show_ui(ui, |ui| {
                if ui.button("All codes").clicked() {
                    self.codes.clear();
                }
                for (depth, id) in &project.tree {
                    let mut on = self.codes.contains(id);
                    let name = format!(
                        "{}{}",
                        "  ".repeat(*depth),
                        project.codebook.get(*id).map_or("?", |c| c.name.as_str())
                    );
                    if ui.checkbox(&mut on, name).changed() {
                        toggle(&mut self.codes, *id, on);
                    }
                }
            });
            let ts = if self.transcripts.is_empty() {
                "all transcripts".to_string()
            } else {
                format!("{} transcripts", self.transcripts.len())
            };
            label_first("Transcripts")
                .selected_text(ts)
                .show_ui(ui, |ui| {
                    if ui.button("All transcripts").clicked() {
                        self.transcripts.clear();
                    }
                    for t in &project.transcripts {
                        let mut on = self.transcripts.contains(&t.transcript_id);
                        if ui.checkbox(&mut on, &t.name).changed() {
                            toggle(&mut self.transcripts, t.transcript_id, on);
                        }
                    }
                });
        });
    }

    fn report_ui(
        &mut self,
        ui: &mut Ui,
        result: &AgreementResult,
        project: &ProjectCache,
        state: &ViewState,
        actions: &mut Vec<UiCommand>,
    ) -> Option<AgreementCommand> {
        let report = &result.report;
        ui.label(RichText::new(&report.description).small());
        ui.label(
            RichText::new(format!(
                "Raters: {}. Transcripts compared: {}.",
                report.raters.join(", "),
                report.transcripts.len()
            ))
            .small(),
        );
        if let Some(why) = crate::app::agreement_input::why_nothing_compared(
            &report.raters,
            report.transcripts.len(),
            &report.excluded,
        ) {
            ui.colored_label(ui.visuals().warn_fg_color, why);
        }
        for e in &report.excluded {
            ui.label(
                RichText::new(format!(
                    "Left out {}: not coded by {}",
                    e.transcript,
                    e.not_coded_by.join(", ")
                ))
                .small()
                .weak(),
            );
        }
        let mut request = None;
        // Below: a confusion cell's pair, or a code's disagreements (in a breakdown column).
        let pair = self.chosen_pair.clone();
        let code = self.chosen_code.clone();
        if pair.is_some() || code.is_some() {
            egui::Panel::bottom("agreement-detail")
                .resizable(true)
                .default_size(320.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("disagreement-scroll")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            if let Some(detail) = &self.detail {
                                detail_ui(ui, detail, state, actions);
                            }
                            request = match (&pair, &code) {
                                (Some((a, b)), _) => {
                                    boundary_ui(ui, project, a, b, actions);
                                    cell_units_ui(
                                        ui,
                                        (a, b),
                                        self.cell_raters.as_ref(),
                                        self.cell_units.as_ref(),
                                    );
                                    boundary_notes_ui(ui, self.boundary_notes.as_ref());
                                    None
                                }
                                (None, Some(code)) => Self::disagreements_ui(
                                    ui,
                                    code,
                                    self.chosen_column.as_ref(),
                                    &result.disagreements,
                                ),
                                (None, None) => None,
                            };
                        });
                });
        }
        egui::ScrollArea::both()
            .id_salt("agreement-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                chart_ui(ui, report, self.threshold);
                self.table_ui(ui, report);
                self.groups_ui(ui, project, report, result.groups.as_ref());
                if let Some(breakdown) = &result.breakdown {
                    self.breakdown_ui(ui, breakdown);
                }
                self.confusion_ui(ui, &result.confusion);
            });
        request
    }

    /// The breakdown table: a row per code, a column per transcript, rater pair or attribute value,
    /// each cell the statistic coloured against the threshold, its units on hover; a cell lists
    /// the code's disagreements in that column's transcripts.
    fn breakdown_ui(&mut self, ui: &mut Ui, breakdown: &Result<Breakdown, String>) {
        ui.add_space(12.0);
        let table = match breakdown {
            Ok(table) => table,
            Err(why) => {
                ui.heading("Breakdown");
                ui.colored_label(ui.visuals().error_fg_color, why);
                return;
            }
        };
        ui.heading(format!("{} by {}", table.statistic, table.by));
        egui::Grid::new("breakdown-table")
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Code").strong());
                for c in &table.columns {
                    ui.label(RichText::new(&c.name).strong())
                        .on_hover_text(c.transcripts.join(", "));
                }
                ui.end_row();
                for row in &table.rows {
                    let leaf = row.code.rsplit('/').next().unwrap_or(&row.code);
                    ui.label(leaf).on_hover_text(&row.code);
                    for (cell, column) in row.cells.iter().zip(&table.columns) {
                        let colour = self.colour_for(ui, &cell.estimate);
                        let text = cell
                            .estimate
                            .value
                            // (No "-0.00": a value that rounds to zero is shown as 0.00.)
                            .map_or_else(
                                || "undefined".to_string(),
                                |v| format!("{:.2}", if v.abs() < 0.005 { 0.0 } else { v }),
                            );
                        let words = format!(
                            "{} of {} in {}: {text} over {} units",
                            table.statistic, row.code, column.name, cell.units
                        );
                        let hover = cell
                            .estimate
                            .undefined_reason
                            .as_ref()
                            .map_or_else(|| words.clone(), |why| format!("{words} ({why})"));
                        let response = ui
                            .add(egui::Button::new(RichText::new(text).color(colour)).frame(false))
                            .on_hover_text(hover);
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Button, true, words.clone())
                        });
                        if response.clicked() {
                            self.chosen_code = Some(row.code.clone());
                            self.chosen_column =
                                Some((column.name.clone(), column.transcripts.clone()));
                            self.chosen_pair = None;
                            self.detail = None;
                        }
                    }
                    ui.end_row();
                }
            });
    }

    /// "Which code?": for each pair of raters, a heatmap of the codes one applied where the other
    /// applied which (each row coloured by its percentages), the largest confusions in words; a
    /// cell lists its passages side by side below.
    fn confusion_ui(&mut self, ui: &mut Ui, confusion: &Result<ConfusionReport, String>) {
        ui.add_space(12.0);
        ui.heading("Which code?");
        let report = match confusion {
            Ok(report) => report,
            Err(why) => {
                ui.label(RichText::new(why).weak());
                return;
            }
        };
        ui.label(RichText::new(&report.counting).small());
        for pair in &report.pairs {
            let title = format!("{} (rows) × {} (columns)", pair.rater_a, pair.rater_b);
            egui::CollapsingHeader::new(RichText::new(title).strong())
                .id_salt(("confusion", &pair.rater_a, &pair.rater_b))
                .default_open(report.pairs.len() == 1)
                .show(ui, |ui| self.pair_ui(ui, pair, report.unit));
        }
    }

    fn pair_ui(&mut self, ui: &mut Ui, pair: &PairConfusion, unit: Unit) {
        if pair.units == 0 {
            ui.label("No units compared.");
            return;
        }
        for c in pair.confusions.iter().take(5) {
            let line = ui.link(&c.text);
            if line.clicked() {
                self.choose_pair(&c.a_code, &c.b_code);
            }
        }
        ui.add_space(6.0);
        let n = pair.labels.len();
        let short = |label: &str| -> String {
            let leaf = label.rsplit('/').next().unwrap_or(label);
            let mut s: String = leaf.chars().take(22).collect();
            if leaf.chars().count() > 22 {
                s.push('…');
            }
            s
        };
        egui::Grid::new(("confusion-grid", &pair.rater_a, &pair.rater_b))
            .spacing([2.0, 2.0])
            .show(ui, |ui| {
                ui.label("");
                for j in 0..n {
                    ui.label(RichText::new((j + 1).to_string()).small())
                        .on_hover_text(&pair.labels[j]);
                }
                ui.end_row();
                for i in 0..n {
                    ui.label(format!("{:>2} {}", i + 1, short(&pair.labels[i])))
                        .on_hover_text(&pair.labels[i]);
                    for j in 0..n {
                        self.cell_ui(ui, pair, unit, i, j);
                    }
                    ui.end_row();
                }
            });
    }

    fn cell_ui(&mut self, ui: &mut Ui, pair: &PairConfusion, unit: Unit, i: usize, j: usize) {
        let count = pair.counts[i][j];
        let share = pair.row_percent[i][j].unwrap_or(0.0) / 100.0;
        let (rect, response) = ui.allocate_exact_size(egui::vec2(28.0, 18.0), egui::Sense::click());
        // Agreement in green, confusion in red, as strong as the share of the row.
        let base = if i == j {
            Color32::from_rgb(0x4E, 0x9A, 0x6A)
        } else {
            Color32::from_rgb(0xC8, 0x4B, 0x4B)
        };
        let fill = if count == 0 {
            ui.visuals().extreme_bg_color
        } else {
            base.gamma_multiply((0.15 + 0.85 * share) as f32)
        };
        ui.painter().rect_filled(rect, 2.0, fill);
        if count > 0 {
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                count.to_string(),
                egui::FontId::proportional(11.0),
                ui.visuals().strong_text_color(),
            );
        }
        let (a, b) = (&pair.labels[i], &pair.labels[j]);
        let words = format!(
            "{} used {a} where {} used {b}: {}{}",
            pair.rater_a,
            pair.rater_b,
            crate::app::confusion::units_in_words(unit, count),
            pair.row_percent[i][j].map_or(String::new(), |p| format!(" ({p:.0}% of the row)"))
        );
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, words.clone()));
        let response = response.on_hover_text(&words);
        if response.clicked() && count > 0 && i != j {
            self.choose_pair(a, b);
            self.ask_cell(pair, i, j);
        }
    }

    /// The confusion-matrix cell whose passages are listed (the first rater's code, the second's).
    #[must_use]
    pub fn chosen_pair(&self) -> Option<&(String, String)> {
        self.chosen_pair.as_ref()
    }

    /// Asks for the units a cell counts (its pair's raters found by name among the chosen ones).
    fn ask_cell(&mut self, pair: &PairConfusion, row: usize, column: usize) {
        self.cell_units = None;
        self.boundary_notes = None;
        self.asked_cell = Some((row, column));
        self.asked_names = Some((pair.rater_a.clone(), pair.rater_b.clone()));
        self.cell_raters = self.asked_names.clone();
    }

    fn choose_pair(&mut self, a: &str, b: &str) {
        self.chosen_pair = Some((a.to_string(), b.to_string()));
        self.chosen_code = None;
        self.chosen_column = None;
        self.cell_units = None;
        self.detail = None;
    }

    fn table_ui(&mut self, ui: &mut Ui, report: &ProjectAgreement) {
        let kappa_name = report
            .rows
            .first()
            .map_or("kappa", |r| r.kappa_name.as_str())
            .to_string();
        egui::Grid::new("agreement-table")
            .striped(true)
            .num_columns(7)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for h in [
                    "Code",
                    "Units",
                    "Percent",
                    kappa_name.as_str(),
                    "Alpha",
                    "AC1",
                    "Disagreements",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for row in report.rows.iter().chain(report.pooled.iter()) {
                    self.row_ui(ui, row);
                    ui.end_row();
                }
            });
    }

    /// The code groups' rows (uα, |uα, cuα, coloured against the threshold) and Cuα, at the
    /// unitizing unit; at other units, where to find them.
    fn groups_ui(
        &self,
        ui: &mut Ui,
        project: &ProjectCache,
        report: &ProjectAgreement,
        groups: Option<&Result<GroupsReport, String>>,
    ) {
        if project.codebook.groups.is_empty() {
            return;
        }
        ui.add_space(12.0);
        ui.heading("Code groups");
        let groups = match groups {
            None if report.unit != Unit::Unitizing => {
                ui.label(
                    "The codebook declares groups of mutually exclusive codes: choose the \
                     unitizing unit for their alphas (uα, |uα, cuα and Cuα).",
                );
                return;
            }
            None => return,
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
                return;
            }
            Some(Ok(groups)) => groups,
        };
        let value = |ui: &mut Ui, v: Option<f64>| {
            let colour = super::colours::against_threshold(ui, v, self.threshold);
            ui.label(RichText::new(v.map_or("—".into(), |v| format!("{v:.3}"))).color(colour));
        };
        egui::Grid::new("groups-table")
            .striped(true)
            .num_columns(5)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for h in ["Group", "uα", "|uα", "cuα", "Codes"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for g in &groups.groups {
                    let name = ui.label(&g.group);
                    if !g.alphas.notes.is_empty() {
                        name.on_hover_text(g.alphas.notes.join("\n"));
                    }
                    value(ui, g.alphas.u_alpha);
                    value(ui, g.alphas.u_alpha_binary);
                    value(ui, g.alphas.cu_alpha);
                    ui.label(RichText::new(g.codes.join("; ")).small());
                    ui.end_row();
                }
                ui.label(RichText::new("Cuα (all groups)").strong());
                ui.label("");
                ui.label("");
                value(ui, groups.cu_alpha_all);
                ui.end_row();
            });
        for g in &groups.groups {
            for note in &g.alphas.notes {
                ui.colored_label(ui.visuals().warn_fg_color, format!("{}: {note}", g.group));
            }
        }
        ui.label(
            RichText::new(crate::app::code_groups::GROUPS_LEGEND)
                .small()
                .weak(),
        );
    }

    fn row_ui(&mut self, ui: &mut Ui, row: &CodeRow) {
        let colour = self.colour_for(ui, &row.kappa);
        let chosen = self.chosen_code.as_deref() == Some(row.code.as_str());
        let leaf = row.code.rsplit('/').next().unwrap_or(&row.code);
        let label = ui
            .selectable_label(chosen, RichText::new(leaf).color(colour))
            .on_hover_text(&row.code);
        if label.clicked() {
            self.chosen_code = Some(row.code.clone());
            self.chosen_pair = None;
            self.chosen_column = None;
            self.detail = None;
        }
        ui.label(row.units.to_string());
        ui.label(estimate_text(&row.percent_agreement));
        let k = ui.label(RichText::new(estimate_text(&row.kappa)).color(colour));
        if let Some(why) = &row.kappa.undefined_reason {
            k.on_hover_text(why);
        }
        ui.label(estimate_text(&row.alpha));
        ui.label(estimate_text(&row.gwet_ac1));
        ui.label(row.disagreements.to_string());
    }

    fn colour_for(&self, ui: &Ui, e: &Estimate) -> Color32 {
        super::colours::against_threshold(ui, e.value, self.threshold)
    }

    fn disagreements_ui(
        ui: &mut Ui,
        code: &str,
        column: Option<&(String, Vec<String>)>,
        all: &[DisagreementView],
    ) -> Option<AgreementCommand> {
        let list: Vec<&DisagreementView> = all
            .iter()
            .filter(|d| d.code == code)
            .filter(|d| column.is_none_or(|(_, ts)| ts.contains(&d.transcript)))
            .collect();
        ui.separator();
        match column {
            Some((name, _)) => {
                ui.heading(format!("Disagreements on {code} in {name}: {}", list.len()))
            }
            None => ui.heading(format!("Disagreements on {code}: {}", list.len())),
        };
        let mut request = None;
        for d in list.iter().take(200) {
            let quote: String = d.text.chars().take(120).collect();
            let line = format!(
                "{} {}..{}: coded by {}, not by {}: “{quote}”",
                d.transcript,
                d.start,
                d.end,
                d.coded_by.join(", "),
                d.not_coded_by.join(", ")
            );
            if ui.link(line).clicked() {
                request = Some(AgreementCommand::Detail((*d).clone()));
            }
        }
        if list.len() > 200 {
            ui.label(format!(
                "… and {} more (see `accord disagreements`).",
                list.len() - 200
            ));
        }
        request
    }
}

/// One of a code's text fields.
type CodeField = fn(&crate::model::Code) -> &str;

/// The two codes of a confusion-matrix cell side by side: their definitions, when to use them,
/// when not, and an example; a button per code opens the code editor to sharpen its boundary with
/// the other.
fn boundary_ui(
    ui: &mut Ui,
    project: &ProjectCache,
    a: &str,
    b: &str,
    actions: &mut Vec<UiCommand>,
) {
    let id_of = |path: &str| {
        project
            .paths
            .iter()
            .find(|(_, p)| p.as_str() == path)
            .map(|(id, _)| *id)
    };
    let (ida, idb) = (id_of(a), id_of(b));
    let codes: Vec<&crate::model::Code> = [ida, idb]
        .iter()
        .flatten()
        .filter_map(|id| project.codebook.get(*id))
        .collect();
    if codes.is_empty() {
        return;
    }
    ui.separator();
    let fields: [(&str, CodeField); 5] = [
        ("Definition", |c| c.short_definition.as_str()),
        ("In full", |c| c.definition.as_str()),
        ("When to use", |c| c.when_to_use.as_str()),
        ("When not to use", |c| c.when_not_to_use.as_str()),
        ("Example", |c| c.example.as_str()),
    ];
    // Side by side, each column as wide as the view allows, the text wrapped.
    ui.columns(codes.len(), |columns| {
        for (ui, c) in columns.iter_mut().zip(&codes) {
            ui.label(RichText::new(project.path(c.code_id)).strong());
            for (name, field) in fields {
                let text = crate::export::prose::paragraphs(field(c)).join("\n\n");
                if text.is_empty() {
                    continue;
                }
                ui.label(RichText::new(name).weak());
                ui.add(egui::Label::new(text).wrap());
            }
        }
    });
    if let (Some(ida), Some(idb)) = (ida, idb) {
        ui.horizontal(|ui| {
            for (code, other) in [(ida, idb), (idb, ida)] {
                let name = project.path(code);
                let label = if project.rater_file.is_some() {
                    format!("Propose a sharper boundary for {name}…")
                } else {
                    format!("Sharpen the boundary of {name}…")
                };
                if ui.button(label).clicked() {
                    actions.push(UiCommand::EditBoundary { code, other });
                }
            }
        });
    }
}

/// Every unit the chosen cell counts (read on a task when the cell was clicked).
/// The lead's adjudication notes on the two codes: those settling a place among the cell's units
/// first, marked, then the rest.
fn boundary_notes_ui(ui: &mut Ui, notes: Option<&Result<Vec<BoundaryNote>, String>>) {
    let notes = match notes {
        None => return,
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why);
            return;
        }
        Some(Ok(notes)) => notes,
    };
    ui.separator();
    ui.heading("Adjudication notes on these codes");
    if notes.is_empty() {
        ui.label("No adjudication note on either code yet.");
        return;
    }
    for n in notes.iter().take(100) {
        let here = if n.in_cell { " (in these units)" } else { "" };
        ui.label(
            RichText::new(format!(
                "{} · {} {}..{} · {}{here}",
                n.code, n.transcript, n.start, n.end, n.decision
            ))
            .small()
            .strong(),
        );
        ui.add(egui::Label::new(&n.note).wrap());
    }
    if notes.len() > 100 {
        ui.label(format!("… and {} more.", notes.len() - 100));
    }
}

fn cell_units_ui(
    ui: &mut Ui,
    (a, b): (&str, &str),
    raters: Option<&(String, String)>,
    units: Option<&Result<Vec<CellUnit>, String>>,
) {
    ui.separator();
    ui.heading(format!("The units counted where {a} met {b}, side by side"));
    let units = match units {
        None => {
            ui.label("Reading…");
            return;
        }
        Some(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why);
            return;
        }
        Some(Ok(units)) => units,
    };
    let (ra, rb) = raters.map_or(("first rater", "second rater"), |(a, b)| {
        (a.as_str(), b.as_str())
    });
    let codes = |codes: &[String]| {
        if codes.is_empty() {
            NOTHING.to_string()
        } else {
            codes.join("; ")
        }
    };
    // Each unit: where, its words (wrapped to the view's width), then what each rater coded there,
    // side by side.
    for u in units.iter().take(200) {
        let quote: String = u.text.chars().take(280).collect();
        ui.label(
            RichText::new(format!("{} {}..{}", u.transcript, u.start, u.end))
                .small()
                .strong(),
        );
        ui.add(egui::Label::new(format!("“{quote}”")).wrap());
        ui.columns(2, |columns| {
            for (ui, (rater, codes_there)) in columns
                .iter_mut()
                .zip([(ra, &u.rater_codes[0]), (rb, &u.rater_codes[1])])
            {
                ui.label(RichText::new(format!("{rater} coded")).weak());
                ui.add(egui::Label::new(codes(codes_there)).wrap());
            }
        });
        ui.separator();
    }
    if units.len() > 200 {
        ui.label(format!("… and {} more.", units.len() - 200));
    }
}

/// A bar per code (worst first, at the top): its kappa, coloured against the threshold, the codes
/// named on the axis and the value on hover. Horizontal, so that names of any length read.
fn chart_ui(ui: &mut Ui, report: &ProjectAgreement, threshold: f64) {
    use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot, VLine};
    let n = report.rows.len();
    let at = |i: usize| position(i, n);
    let bars: Vec<Bar> = report
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.kappa.value.map(|v| (i, r, v)))
        .map(|(i, r, v)| {
            let fill = if v >= threshold {
                Color32::from_rgb(0x4E, 0x9A, 0x6A)
            } else {
                Color32::from_rgb(0xC8, 0x4B, 0x4B)
            };
            Bar::new(at(i), v).name(&r.code).fill(fill).width(0.7)
        })
        .collect();
    let names = axis_names(report.rows.iter().map(|r| r.code.as_str()));
    ui.add_space(8.0);
    ui.label(RichText::new("Kappa per code (worst first); the line is the threshold").strong());
    Plot::new("agreement-chart")
        .height((n as f32 * 20.0).clamp(120.0, 640.0))
        .include_x(0.0)
        .include_x(1.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .y_grid_spacer(move |_| {
            (0..n)
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .custom_y_axes(vec![
            AxisHints::new_y()
                .min_thickness(160.0)
                // A name per bar, bars about 20 points apart (egui_plot's default needs 20 to 30).
                .label_spacing(8.0..=12.0)
                .tick_label_font(egui::FontId::proportional(11.0))
                .formatter(move |mark, _| {
                    let i = mark.value.round();
                    if (mark.value - i).abs() < 1e-9 && i >= 0.0 {
                        names.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                }),
        ])
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("kappa", bars)
                    .horizontal()
                    .element_formatter(Box::new(|bar, _| {
                        format!("{}\nkappa {:.3}", bar.name, bar.value)
                    })),
            );
            plot.vline(VLine::new("threshold", threshold));
        });
}

/// Where row `i` of `n` sits on the chart's axis: worst first reads from the top.
fn position(i: usize, n: usize) -> f64 {
    n.saturating_sub(1 + i) as f64
}

/// The axis's names, by position (bottom up), from the codes in row order.
fn axis_names<'a>(codes: impl DoubleEndedIterator<Item = &'a str>) -> Vec<String> {
    codes.rev().map(short).collect()
}

/// A code's name as the chart's axis shows it: its last path part, cut to 24 characters.
fn short(code: &str) -> String {
    let last = code.rsplit('/').next().unwrap_or(code);
    if last.chars().count() > 24 {
        let cut: String = last.chars().take(23).collect();
        format!("{cut}…")
    } else {
        last.to_string()
    }
}

/// Each rater's codings around a disagreement, side by side.
fn detail_ui(
    ui: &mut Ui,
    detail: &DisagreementDetail,
    _state: &ViewState,
    actions: &mut Vec<UiCommand>,
) {
    ui.separator();
    ui.horizontal(|ui| {
        ui.heading("Side by side");
        if ui.button("Open in transcript").clicked() {
            actions.push(UiCommand::JumpTo {
                transcript_id: detail.transcript_id,
                span: detail.span,
            });
        }
    });
    ui.columns(detail.raters.len().max(1), |columns| {
        for (col, (name, spans)) in columns.iter_mut().zip(&detail.raters) {
            col.label(RichText::new(name).strong());
            if spans.is_empty() {
                col.label(RichText::new("did not code this").weak());
            }
            col.label(marked_job(col, &detail.text, detail.offset, spans));
        }
    });
}

/// `text` (which starts at char `offset` of its transcript) with `spans` (transcript chars)
/// highlighted in the selection colour: one rater's codings in a side-by-side view.
pub fn marked_job(ui: &Ui, text: &str, offset: usize, spans: &[Span]) -> egui::text::LayoutJob {
    use egui::text::{LayoutJob, TextFormat};
    let visuals = ui.visuals();
    let plain = TextFormat::simple(egui::FontId::proportional(14.0), visuals.text_color());
    let mut marked = plain.clone();
    marked.background = visuals.selection.bg_fill;
    marked.color = visuals.selection.stroke.color;
    let chars: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    let n = chars.len() - 1;
    let local = |x: usize| x.saturating_sub(offset).min(n);
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    let mut at = 0;
    for s in spans {
        let (a, b) = (local(s.start).max(at), local(s.end).max(at));
        job.append(&text[chars[at]..chars[a]], 0.0, plain.clone());
        job.append(&text[chars[a]..chars[b]], 0.0, marked.clone());
        at = b;
    }
    job.append(&text[chars[at]..], 0.0, plain);
    job
}

#[cfg(test)]
mod tests {
    use super::{axis_names, position};

    #[test]
    fn the_chart_names_each_bar_by_its_code_worst_at_the_top() {
        let codes = [
            "Role stress/Role conflict",
            "Burnout",
            "A very long code name that goes on and on",
        ];
        let names = axis_names(codes.iter().copied());
        let at = |i: usize| names[position(i, codes.len()) as usize].clone();
        assert_eq!(
            at(0),
            "Role conflict",
            "the worst code, by its last path part"
        );
        assert!(
            (position(0, 3) - 2.0).abs() < f64::EPSILON,
            "the worst row is the top one"
        );
        assert_eq!(at(1), "Burnout");
        assert_eq!(at(2), "A very long code name t…");
    }
}
