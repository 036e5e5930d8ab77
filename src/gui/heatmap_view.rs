//! The Heatmaps view: code co-occurrence (code x code: the turns coded with both, as
//! `accord cooccurrence` and the code query `code:A AND code:B` count them) and codes x cases (or x
//! a case attribute's values, as `accord crosstab`), by the chosen raters, everyone or the
//! consensus. Each cell is named in words for screen readers; a click lists its passages, each one
//! click from its place in the transcript. Computed on a read task from the export snapshot.

use std::collections::BTreeSet;

use egui::{Color32, RichText, Ui};

use super::app::AccordApp;
use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::{label_first, rater_checkboxes};
use crate::app::heatmaps::{Cooccurrence, Crosstab, Passage, cooccurrence, crosstab};
use crate::export::{Columns, ExcerptFilter, Measure, ProjectData};
use crate::model::RaterId;

/// Which heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// Code x code.
    #[default]
    Cooccurrence,
    /// Codes x cases (or attribute values).
    Crosstab,
}

/// What the view computes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choice {
    /// Which heatmap.
    pub kind: Kind,
    /// Only these raters' codings (none ticked: everyone's).
    pub raters: BTreeSet<RaterId>,
    /// Only the consensus codings.
    pub consensus: bool,
    /// Codes x cases: the columns (`None`: cases; else an attribute's values).
    pub by: Option<String>,
    /// Codes x cases: what a cell counts.
    pub measure: Measure,
}

impl Choice {
    fn filter(&self) -> ExcerptFilter {
        ExcerptFilter {
            raters: self.raters.iter().copied().collect(),
            consensus_only: self.consensus,
            ..ExcerptFilter::default()
        }
    }
}

/// A computed heatmap.
#[derive(Debug, Clone)]
pub enum Computed {
    /// Code x code.
    Cooccurrence(Cooccurrence),
    /// Codes x cases.
    Crosstab(Crosstab),
}

impl Computed {
    /// The heatmap of a choice over a snapshot.
    #[must_use]
    pub fn of(choice: &Choice, data: &ProjectData) -> Self {
        let filter = choice.filter();
        match choice.kind {
            Kind::Cooccurrence => Self::Cooccurrence(cooccurrence(data, &filter)),
            Kind::Crosstab => {
                let columns = choice.by.clone().map_or(Columns::Cases, Columns::Attribute);
                Self::Crosstab(crosstab(data, &filter, &columns, choice.measure))
            }
        }
    }

    /// The rows' names, the columns' names and the counts.
    fn parts(&self) -> (&[String], &[String], &[Vec<usize>]) {
        match self {
            Self::Cooccurrence(m) => (&m.names, &m.names, &m.counts),
            Self::Crosstab(m) => (&m.names, &m.columns, &m.counts),
        }
    }

    /// A cell in words: what the window reads out and shows on hover.
    #[must_use]
    pub fn describe(&self, row: usize, column: usize) -> String {
        let (rows, columns, counts) = self.parts();
        let n = counts[row][column];
        match self {
            Self::Cooccurrence(_) if row == column => {
                format!("{}: {n} {}", rows[row], plural(n, "turn"))
            }
            Self::Cooccurrence(_) => format!(
                "{} and {}: {n} {}",
                rows[row],
                columns[column],
                plural(n, "turn")
            ),
            Self::Crosstab(m) => {
                let count = match m.measure.as_str() {
                    "turns" => format!("{n} {}", plural(n, "turn")),
                    "presence" if n > 0 => "present".into(),
                    "presence" => "absent".into(),
                    _ => format!("{n} {}", plural(n, "coding")),
                };
                format!("{} in {}: {count}", rows[row], columns[column])
            }
        }
    }

    /// The heatmap as a table (for a file).
    #[must_use]
    pub fn to_table(&self) -> crate::export::Table {
        match self {
            Self::Cooccurrence(m) => m.to_table(),
            Self::Crosstab(m) => m.to_table(),
        }
    }

    /// A cell's passages.
    #[must_use]
    pub fn passages(&self, data: &ProjectData, row: usize, column: usize) -> Vec<Passage> {
        match self {
            Self::Cooccurrence(m) => m.passages(data, row, column),
            Self::Crosstab(m) => m.passages(data, row, column),
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// What the view asks the window to do.
#[derive(Debug, Clone)]
pub enum HeatmapCommand {
    /// Compute the heatmap of a choice (on a read task).
    Compute(Choice),
    /// Ask where to save the heatmap shown (CSV, XLSX or Markdown), then save it.
    Save,
    /// Read the passages of a cell of the heatmap of a choice.
    Cell {
        /// The choice the heatmap was computed for.
        choice: Choice,
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
    },
}

/// The view's state.
#[derive(Debug, Default)]
pub struct HeatmapView {
    /// What to compute.
    pub choice: Choice,
    /// The last heatmap computed: the project's revision, its choice, and it (or why not).
    pub result: Option<(u64, Choice, Result<Computed, String>)>,
    /// The heatmap asked for and not yet there.
    asked: Option<(u64, Choice)>,
    /// The cell whose passages are listed: its description, and the passages (or why not).
    pub cell: Option<(String, Result<Vec<Passage>, String>)>,
    /// The cell clicked last (row, column), outlined.
    chosen: Option<(usize, usize)>,
}

impl HeatmapView {
    /// Draws the view; a heatmap out of date with the project or the choice is asked for at once.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
        actions: &mut Vec<UiCommand>,
    ) -> Option<HeatmapCommand> {
        ui.heading("Heatmaps");
        if project.blind && project.rater_id.is_none() {
            ui.label("Blind mode is on: pick who is coding to count your own codings.");
            return None;
        }
        self.choice_ui(ui, project);
        ui.separator();
        let fresh = self
            .result
            .as_ref()
            .is_some_and(|(r, c, _)| *r == revision && *c == self.choice);
        let asked = self
            .asked
            .as_ref()
            .is_some_and(|(r, c)| *r == revision && *c == self.choice);
        let mut request = None;
        if !fresh && !asked {
            self.asked = Some((revision, self.choice.clone()));
            request = Some(HeatmapCommand::Compute(self.choice.clone()));
        }
        let Some((_, choice, result)) = &self.result else {
            ui.label(RichText::new("Counting…").weak());
            return request;
        };
        let (choice, computed) = match result {
            Ok(computed) => (choice.clone(), computed.clone()),
            Err(why) => {
                ui.label(RichText::new(why).color(ui.visuals().error_fg_color));
                return request;
            }
        };
        if ui
            .button("Save…")
            .on_hover_text("As CSV, XLSX or Markdown, by the file's extension")
            .clicked()
        {
            request = Some(HeatmapCommand::Save);
        }
        // The grid above, the chosen cell's passages below, each scrolling on its own.
        let grid_height = (ui.available_height() * 0.6).max(160.0);
        let chosen = self.chosen.filter(|_| self.cell.is_some());
        egui::ScrollArea::both()
            .id_salt("heatmap")
            .max_height(grid_height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if let Some(cell) = grid_ui(ui, &computed, chosen) {
                    self.cell = None;
                    self.chosen = Some(cell);
                    request = Some(HeatmapCommand::Cell {
                        choice,
                        row: cell.0,
                        column: cell.1,
                    });
                }
            });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("heatmap-passages")
            .auto_shrink([false, false])
            .show(ui, |ui| self.passages_ui(ui, actions));
        request
    }

    fn choice_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        ui.horizontal(|ui| {
            let name = |k: Kind| match k {
                Kind::Cooccurrence => "Co-occurrence (code × code)",
                Kind::Crosstab => "Codes × cases",
            };
            label_first("Heatmap")
                .selected_text(name(self.choice.kind))
                .show_ui(ui, |ui| {
                    for k in [Kind::Cooccurrence, Kind::Crosstab] {
                        ui.selectable_value(&mut self.choice.kind, k, name(k));
                    }
                });
            if self.choice.kind == Kind::Crosstab {
                let mut attributes: Vec<String> = project
                    .cases
                    .iter()
                    .flat_map(|c| c.attributes.keys().cloned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                attributes.insert(0, String::new());
                label_first("Columns")
                    .selected_text(self.choice.by.as_deref().unwrap_or("cases"))
                    .show_ui(ui, |ui| {
                        for a in attributes {
                            let value = (!a.is_empty()).then(|| a.clone());
                            let text = if a.is_empty() { "cases".to_string() } else { a };
                            ui.selectable_value(&mut self.choice.by, value, text);
                        }
                    });
                label_first("Count")
                    .selected_text(measure_name(self.choice.measure))
                    .show_ui(ui, |ui| {
                        for m in [Measure::Codings, Measure::Turns, Measure::Presence] {
                            ui.selectable_value(&mut self.choice.measure, m, measure_name(m));
                        }
                    });
            }
        });
        if project.blind {
            // Each rater sees only their own codings until blind mode is turned off.
            self.choice.raters = project.rater_id.into_iter().collect();
            self.choice.consensus = false;
            ui.label("Blind mode is on: the heatmaps count only your own codings.");
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Codings of:");
            ui.add_enabled_ui(!self.choice.consensus, |ui| {
                rater_checkboxes(ui, &project.raters, &mut self.choice.raters);
            });
            ui.checkbox(&mut self.choice.consensus, "the consensus only");
            if self.choice.raters.is_empty() && !self.choice.consensus {
                ui.label(RichText::new("(none ticked: everyone's)").weak());
            }
        });
    }

    fn passages_ui(&self, ui: &mut Ui, actions: &mut Vec<UiCommand>) {
        let Some((title, passages)) = &self.cell else {
            ui.label(RichText::new("Click a cell for its passages.").weak());
            return;
        };
        ui.label(RichText::new(title).strong());
        match passages {
            Err(why) => {
                ui.label(RichText::new(why).color(ui.visuals().error_fg_color));
            }
            Ok(passages) => {
                for p in passages {
                    let place = format!("{} #{} {}", p.transcript, p.turn + 1, p.speaker);
                    ui.horizontal_wrapped(|ui| {
                        if ui
                            .link(place.clone())
                            .on_hover_text("Open in the transcript")
                            .clicked()
                        {
                            actions.push(UiCommand::JumpTo {
                                transcript_id: p.transcript_id,
                                span: p.span,
                            });
                        }
                        ui.label(super::state::shortened(&p.text.replace('\n', " "), 240));
                    });
                }
            }
        }
    }
}

fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::Codings => "codings",
        Measure::Turns => "turns",
        Measure::Presence => "presence",
    }
}

/// The heatmap as a grid of cells shaded by their count; returns the cell clicked.
fn grid_ui(
    ui: &mut Ui,
    computed: &Computed,
    chosen: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    let (rows, columns, counts) = computed.parts();
    if rows.is_empty() {
        ui.label("No coding matches the choice.");
        return None;
    }
    let diagonal = matches!(computed, Computed::Cooccurrence(_));
    let max = counts
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.iter().enumerate().map(move |(j, n)| (i, j, *n)))
        .filter(|(i, j, _)| !diagonal || i != j)
        .map(|(_, _, n)| n)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut clicked = None;
    egui::Grid::new("heatmap-grid")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for (j, name) in columns.iter().enumerate() {
                let head = if diagonal {
                    (j + 1).to_string()
                } else {
                    super::state::shortened(name, 10)
                };
                ui.label(RichText::new(head).small()).on_hover_text(name);
            }
            ui.end_row();
            for (i, name) in rows.iter().enumerate() {
                // The code's own name (its path on hover).
                let leaf = name.rsplit('/').next().unwrap_or(name);
                let label = if diagonal {
                    format!("{:>2} {}", i + 1, super::state::shortened(leaf, 28))
                } else {
                    super::state::shortened(leaf, 32)
                };
                ui.label(label).on_hover_text(name);
                for j in 0..columns.len() {
                    if cell_ui(ui, computed, (i, j), max, chosen == Some((i, j))) {
                        clicked = Some((i, j));
                    }
                }
                ui.end_row();
            }
        });
    clicked
}

/// One cell; whether it was clicked (a cell with passages).
fn cell_ui(
    ui: &mut Ui,
    computed: &Computed,
    (i, j): (usize, usize),
    max: usize,
    chosen: bool,
) -> bool {
    let diagonal = matches!(computed, Computed::Cooccurrence(_));
    let (_, _, counts) = computed.parts();
    let count = counts[i][j];
    let (rect, response) = ui.allocate_exact_size(egui::vec2(34.0, 20.0), egui::Sense::click());
    let base = if diagonal && i == j {
        Color32::from_rgb(0x80, 0x80, 0x80)
    } else {
        Color32::from_rgb(0x2F, 0x6D, 0xB5)
    };
    let share = (count.min(max) as f32) / (max as f32);
    let fill = if count == 0 {
        ui.visuals().extreme_bg_color
    } else {
        base.gamma_multiply(0.15 + 0.85 * share)
    };
    ui.painter().rect_filled(rect, 2.0, fill);
    if chosen {
        let stroke = egui::Stroke::new(2.0, ui.visuals().strong_text_color());
        ui.painter()
            .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
    }
    if count > 0 {
        ui.painter().text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            count.to_string(),
            egui::FontId::proportional(11.0),
            ui.visuals().strong_text_color(),
        );
    }
    let words = computed.describe(i, j);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, words.clone()));
    let response = response.on_hover_text(&words);
    response.clicked() && count > 0
}

/// What a heatmap command found on its task.
enum Found {
    /// A heatmap.
    Heatmap(Choice, Computed),
    /// A cell's description and passages.
    Cell(String, Vec<Passage>),
}

impl AccordApp {
    /// Carries out the Heatmaps view's commands, each on a read task over the export snapshot
    /// (read again only when the project changed); the counting is done there too.
    pub(super) fn heatmap_command(&mut self, ctx: &egui::Context, command: HeatmapCommand) {
        if matches!(command, HeatmapCommand::Save) {
            let name = match &self.heatmaps.result {
                Some((_, _, Ok(Computed::Crosstab(_)))) => "codes-by-case.xlsx",
                _ => "cooccurrence.xlsx",
            };
            if let Some(path) = rfd::FileDialog::new()
                .set_file_name(name)
                .set_title("Save the heatmap")
                .add_filter("Spreadsheet, CSV or Markdown", &["xlsx", "csv", "md"])
                .save_file()
            {
                match self.save_heatmap(&path) {
                    Ok(warnings) if warnings.is_empty() => {
                        self.state.info(format!("Saved {}", path.display()));
                    }
                    Ok(warnings) => {
                        let said = warnings.join("; ");
                        self.state.info(format!("Saved {}; {said}", path.display()));
                    }
                    Err(e) => self.state.error(e),
                }
            }
            return;
        }
        let cached = self.export_data.take();
        self.read(ctx, move |ws| {
            let revision = ws.revision();
            let data = match cached {
                Some((r, data)) if r == revision => Ok(data),
                _ => crate::app::export::snapshot(ws.store()).map_err(|e| e.to_string()),
            };
            let compute = command.clone();
            let found = data.map(|data| {
                let found = match compute {
                    HeatmapCommand::Save => Found::Cell(String::new(), Vec::new()),
                    HeatmapCommand::Compute(choice) => {
                        let computed = Computed::of(&choice, &data);
                        Found::Heatmap(choice, computed)
                    }
                    HeatmapCommand::Cell {
                        choice,
                        row,
                        column,
                    } => {
                        let computed = Computed::of(&choice, &data);
                        Found::Cell(
                            computed.describe(row, column),
                            computed.passages(&data, row, column),
                        )
                    }
                };
                (found, data)
            });
            Box::new(move |app: &mut AccordApp| match (found, command) {
                (Ok((Found::Heatmap(choice, computed), data)), _) => {
                    app.heatmaps.result = Some((revision, choice, Ok(computed)));
                    app.heatmaps.cell = None;
                    app.export_data = Some((revision, data));
                }
                (Ok((Found::Cell(title, passages), data)), _) => {
                    app.heatmaps.cell = Some((title, Ok(passages)));
                    app.export_data = Some((revision, data));
                }
                (Err(why), HeatmapCommand::Compute(choice)) => {
                    let why = format!("Cannot read the project: {why}");
                    app.heatmaps.result = Some((revision, choice, Err(why)));
                }
                (Err(why), HeatmapCommand::Cell { .. } | HeatmapCommand::Save) => {
                    let why = format!("Cannot read the project: {why}");
                    app.heatmaps.cell = Some((String::new(), Err(why)));
                }
            })
        });
    }

    /// Writes the heatmap shown to a `.csv`, `.xlsx` or `.md` file (by its extension) through the
    /// one safe writer (never the project or its files); returns the warnings (XLSX cells cut at
    /// Excel's limit), or what went wrong.
    pub fn save_heatmap(&mut self, path: &std::path::Path) -> Result<Vec<String>, String> {
        let Some((_, _, Ok(computed))) = &self.heatmaps.result else {
            return Err("no heatmap to save yet".into());
        };
        let project = self
            .workspace
            .as_ref()
            .and_then(|ws| ws.store().path().map(std::path::Path::to_path_buf));
        crate::app::heatmaps::save_table(path, project.as_deref(), false, &computed.to_table())
    }
}
