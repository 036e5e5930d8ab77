//! The Grid view: the summary grid (a framework matrix). Cases are rows (their attributes on
//! hover), the chosen codes columns; a cell shows how many excerpts the case has on the code and
//! the start of its summary. A clicked cell lists its excerpts, each one click from its place in
//! the transcript, and holds the summary to write, citing the excerpts ticked. The same grid as
//! `accord grid show` (both call [`crate::app::grid`]).

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::{label_first, shortened, toggle};
use crate::app::grid::{Grid, GridOptions};
use crate::model::{CaseId, CodeId, CodingId, RaterId};

/// What the view asks the app to do.
#[derive(Debug, Clone)]
pub enum GridViewCommand {
    /// Build the grid (on a read task).
    Load(GridOptions),
    /// Gather an opened cell's excerpts (on a read task).
    LoadCell {
        /// The grid's choices.
        options: GridOptions,
        /// The case.
        case: CaseId,
        /// The code.
        code: CodeId,
    },
    /// Write a cell's summary (a new version), citing these codings.
    Save {
        /// The case.
        case: CaseId,
        /// The code.
        code: CodeId,
        /// The summary (empty clears it).
        text: String,
        /// The codings it cites.
        cites: Vec<CodingId>,
    },
}

/// The view's state.
#[derive(Debug, Default)]
pub struct GridView {
    /// The columns chosen (every code when empty).
    pub codes: BTreeSet<CodeId>,
    /// Only these raters' excerpts (everyone's when empty).
    pub raters: BTreeSet<RaterId>,
    /// Only the consensus layer.
    pub consensus: bool,
    /// Only cases whose attribute (the first) has the value (the second).
    pub case_filter: Option<(String, String)>,
    /// The grid built for a revision and the choices it was built with (or why it could not be).
    pub grid: Option<(u64, GridKey, Result<Grid, String>)>,
    asked: Option<(u64, GridKey)>,
    /// The cell open below the grid: (row, column).
    pub selected: Option<(usize, usize)>,
    /// The summary being written for the open cell.
    pub draft: String,
    /// The excerpts it cites.
    pub cites: BTreeSet<CodingId>,
    /// The open cell's excerpts, once gathered: (case, code, excerpts).
    pub cell: Option<(CaseId, CodeId, Vec<crate::export::Excerpt>)>,
}

/// The choices a grid was built with: codes, raters, consensus only, the case filter.
pub type GridKey = (Vec<CodeId>, Vec<RaterId>, bool, Option<(String, String)>);

impl GridView {
    fn options(&self) -> GridOptions {
        GridOptions {
            codes: self.codes.iter().copied().collect(),
            raters: self.raters.iter().copied().collect(),
            consensus: self.consensus,
            attributes: self
                .case_filter
                .iter()
                .map(|(name, value)| (name.clone(), vec![value.clone()]))
                .collect(),
            counts_only: true,
        }
    }

    fn key(&self) -> GridKey {
        (
            self.codes.iter().copied().collect(),
            self.raters.iter().copied().collect(),
            self.consensus,
            self.case_filter.clone(),
        )
    }

    /// Draws the view; returns what the app should do.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
        actions: &mut Vec<UiCommand>,
    ) -> Option<GridViewCommand> {
        let mut request = None;
        self.choices_ui(ui, project);
        let key = self.key();
        let fresh = self
            .grid
            .as_ref()
            .is_some_and(|(r, k, _)| *r == revision && *k == key);
        let asked = self
            .asked
            .as_ref()
            .is_some_and(|(r, k)| *r == revision && *k == key);
        if !fresh && !asked {
            self.asked = Some((revision, key.clone()));
            request = Some(GridViewCommand::Load(self.options()));
        }
        let Some((_, _, built)) = self.grid.take() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Building the grid…");
            });
            return request;
        };
        match &built {
            Err(why) => {
                ui.colored_label(ui.visuals().warn_fg_color, why);
            }
            Ok(grid) => {
                if let Some(r) = self.table_ui(ui, grid) {
                    request = Some(r);
                }
                if let Some(r) = self.cell_ui(ui, grid, actions) {
                    request = Some(r);
                }
            }
        }
        if self.grid.is_none() {
            self.grid = Some((revision, key, built));
        }
        request
    }

    fn choices_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        ui.horizontal_wrapped(|ui| {
            let codes = if self.codes.is_empty() {
                "every code".to_string()
            } else {
                format!("{} codes", self.codes.len())
            };
            label_first("Columns")
                .selected_text(codes)
                .show_ui(ui, |ui| {
                    if ui.button("Every code").clicked() {
                        self.codes.clear();
                    }
                    for (_, id) in &project.tree {
                        let mut on = self.codes.contains(id);
                        if ui.checkbox(&mut on, project.path(*id)).changed() {
                            toggle(&mut self.codes, *id, on);
                        }
                    }
                });
            ui.label("Excerpts by:");
            for r in &project.raters {
                let mut on = self.raters.contains(&r.rater_id);
                if ui.checkbox(&mut on, &r.name).changed() {
                    toggle(&mut self.raters, r.rater_id, on);
                }
            }
            ui.checkbox(&mut self.consensus, "Consensus only");
            self.case_filter_ui(ui, project);
        });
        ui.separator();
    }

    /// "Cases where NAME is VALUE": the attributes the cases have, and each one's values.
    fn case_filter_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        let names: BTreeSet<&String> = project
            .cases
            .iter()
            .flat_map(|c| c.attributes.keys())
            .collect();
        if names.is_empty() {
            return;
        }
        let shown = self
            .case_filter
            .as_ref()
            .map_or_else(|| "every case".to_string(), |(n, v)| format!("{n} = {v}"));
        label_first("Cases").selected_text(shown).show_ui(ui, |ui| {
            if ui
                .selectable_label(self.case_filter.is_none(), "every case")
                .clicked()
            {
                self.case_filter = None;
            }
            for name in names {
                let values: BTreeSet<&String> = project
                    .cases
                    .iter()
                    .filter_map(|c| c.attributes.get(name))
                    .collect();
                for value in values {
                    let choice = (name.clone(), value.clone());
                    let on = self.case_filter.as_ref() == Some(&choice);
                    if ui
                        .selectable_label(on, format!("{name} = {value}"))
                        .clicked()
                    {
                        self.case_filter = Some(choice);
                        self.selected = None;
                    }
                }
            }
        });
    }

    fn table_ui(&mut self, ui: &mut Ui, grid: &Grid) -> Option<GridViewCommand> {
        let mut request = None;
        if !grid.unused.is_empty() {
            ui.label(
                RichText::new(format!(
                    "No case has an excerpt coded {}.",
                    grid.unused.join(", ")
                ))
                .weak(),
            );
        }
        egui::ScrollArea::both()
            .id_salt("summary-grid")
            .max_height(ui.available_height() * 0.5)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("summary-grid-cells")
                    .striped(true)
                    .min_col_width(90.0)
                    .show(ui, |ui| {
                        ui.label(RichText::new("Case").strong());
                        for (_, path) in &grid.codes {
                            let short = path.rsplit('/').next().unwrap_or(path);
                            ui.label(RichText::new(shortened(short, 24)).strong())
                                .on_hover_text(path);
                        }
                        ui.end_row();
                        for (r, row) in grid.rows.iter().enumerate() {
                            let attributes: Vec<String> = row
                                .attributes
                                .iter()
                                .map(|(k, v)| format!("{k}: {v}"))
                                .collect();
                            ui.label(&row.case).on_hover_text(attributes.join("\n"));
                            for (c, cell) in row.cells.iter().enumerate() {
                                let summary = cell
                                    .summary
                                    .as_ref()
                                    .map_or(String::new(), |s| shortened(&s.text, 24));
                                let text = if cell.count == 0 && summary.is_empty() {
                                    "·".to_string()
                                } else {
                                    format!("{} {summary}", cell.count)
                                };
                                let on = self.selected == Some((r, c));
                                let name = format!(
                                    "{} on {}: {} excerpts",
                                    row.case, grid.codes[c].1, cell.count
                                );
                                let response = ui.selectable_label(on, text);
                                response.widget_info(|| {
                                    egui::WidgetInfo::labeled(egui::Role::Button, true, &name)
                                });
                                let clicked = response.on_hover_text(&name).clicked();
                                if clicked {
                                    self.selected = Some((r, c));
                                    self.cell = None;
                                    request = Some(GridViewCommand::LoadCell {
                                        options: self.options(),
                                        case: row.case_id,
                                        code: cell.code_id,
                                    });
                                    self.draft = cell
                                        .summary
                                        .as_ref()
                                        .map_or_else(String::new, |s| s.text.clone());
                                    self.cites = cell
                                        .summary
                                        .as_ref()
                                        .map(|s| s.cites.iter().copied().collect())
                                        .unwrap_or_default();
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        request
    }

    fn cell_ui(
        &mut self,
        ui: &mut Ui,
        grid: &Grid,
        actions: &mut Vec<UiCommand>,
    ) -> Option<GridViewCommand> {
        let (r, c) = self.selected?;
        let (row, cell) = (grid.rows.get(r)?, grid.rows.get(r)?.cells.get(c)?);
        let mut request = None;
        ui.separator();
        ui.heading(format!("{} on {}", row.case, grid.codes[c].1));
        if let Some(s) = &cell.summary {
            ui.label(RichText::new(format!("Summary version {}", s.version)).weak());
        }
        ui.add(
            egui::TextEdit::multiline(&mut self.draft)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text("What this case says on this code, in your words"),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::MultilineTextInput, true, "Summary"));
        ui.horizontal(|ui| {
            if ui.button("Save summary").clicked() {
                request = Some(GridViewCommand::Save {
                    case: row.case_id,
                    code: cell.code_id,
                    text: self.draft.clone(),
                    cites: self.cites.iter().copied().collect(),
                });
            }
            if ui.button(format!("Memo on case {}…", row.case)).clicked() {
                actions.push(UiCommand::OpenMemo(crate::model::MemoTarget::Case(
                    row.case_id,
                )));
            }
            if ui.button("Memo on this cell…").clicked() {
                actions.push(UiCommand::OpenMemo(crate::model::MemoTarget::Cell {
                    case: row.case_id,
                    code: cell.code_id,
                }));
            }
        });
        let excerpts = match &self.cell {
            Some((case, code, list)) if *case == row.case_id && *code == cell.code_id => list,
            _ => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Gathering {} excerpts…", cell.count));
                });
                return request;
            }
        };
        ui.label(RichText::new(format!("Excerpts ({})", excerpts.len())).strong());
        egui::ScrollArea::vertical()
            .id_salt("grid-cell-excerpts")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for e in excerpts {
                    ui.horizontal(|ui| {
                        let mut on = self.cites.contains(&e.coding_id);
                        if ui.checkbox(&mut on, "cite").changed() {
                            toggle(&mut self.cites, e.coding_id, on);
                        }
                        if ui.button("Open").clicked() {
                            actions.push(UiCommand::JumpTo {
                                transcript_id: e.transcript_id,
                                span: crate::model::Span::new(e.start, e.end),
                            });
                        }
                        ui.label(RichText::new(e.citation()).weak());
                    });
                    ui.add(
                        egui::Label::new(format!("“{}”", shortened(e.quote.trim(), 400))).wrap(),
                    );
                }
            });
        request
    }
}
