//! The export view: the same exports as `accord export`, chosen in the window and previewed before
//! saving. Coded excerpts (filtered by codes, raters or consensus), code matrices by case or by a case
//! attribute, co-occurrence, the codebook, the agreement report (the one last computed in the Agreement
//! tab) and the REFI-QDA project. The preview is the export's own text (Markdown, HTML, CSV, XML), or
//! for spreadsheets and documents the same content as CSV or Markdown; saving writes the chosen format.

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::state::{label_first, toggle};
use crate::export::{
    Columns, ExcerptFilter, Format, MatrixSpec, Measure, ProjectData, Request, render_text,
};
use crate::model::{CodeId, RaterId};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Coded excerpts.
    Excerpts,
    /// Codes x cases or codes x attribute values.
    Matrix,
    /// Code co-occurrence within turns.
    Cooccurrence,
    /// The codebook.
    Codebook,
    /// The agreement report.
    Agreement,
    /// The REFI-QDA project.
    Project,
    /// The key quotes by theme, with citations.
    KeyQuotes,
    /// The summary grid.
    Grid,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Excerpts,
        Kind::Matrix,
        Kind::Cooccurrence,
        Kind::Codebook,
        Kind::Agreement,
        Kind::KeyQuotes,
        Kind::Grid,
        Kind::Project,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Excerpts => "Coded excerpts",
            Kind::Matrix => "Code matrix",
            Kind::Cooccurrence => "Code co-occurrence",
            Kind::Codebook => "Codebook",
            Kind::Agreement => "Agreement report",
            Kind::Project => "REFI-QDA project (.qdpx)",
            Kind::KeyQuotes => "Key quotes",
            Kind::Grid => "Summary grid",
        }
    }
}

/// The export view's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportChoices {
    /// What to export.
    pub kind: Kind,
    /// In which format.
    pub format: Format,
    /// Only these codes (all when empty).
    pub codes: BTreeSet<CodeId>,
    /// Only these raters (all when empty).
    pub raters: BTreeSet<RaterId>,
    /// Only consensus layers.
    pub consensus_only: bool,
    /// Matrix columns: cases, or the values of this attribute.
    pub by_attribute: Option<String>,
    /// What a matrix cell counts.
    pub measure: Measure,
}

impl Default for ExportChoices {
    fn default() -> Self {
        Self {
            kind: Kind::Excerpts,
            format: Format::Markdown,
            codes: BTreeSet::new(),
            raters: BTreeSet::new(),
            consensus_only: false,
            by_attribute: None,
            measure: Measure::Codings,
        }
    }
}

impl ExportChoices {
    /// The excerpt filter the choices stand for.
    #[must_use]
    pub fn filter(&self) -> ExcerptFilter {
        ExcerptFilter {
            codes: self.codes.iter().copied().collect(),
            include_children: true,
            raters: self.raters.iter().copied().collect(),
            consensus_only: self.consensus_only,
            ..ExcerptFilter::default()
        }
    }

    /// The matrix the choices stand for.
    #[must_use]
    pub fn spec(&self) -> MatrixSpec {
        MatrixSpec {
            columns: self
                .by_attribute
                .clone()
                .map_or(Columns::Cases, Columns::Attribute),
            measure: self.measure,
        }
    }
}

/// Builds the request for the choices and calls `f` with it (the request borrows its inputs).
pub fn with_request<R>(
    choices: &ExportChoices,
    data: &ProjectData,
    report: Option<&crate::agreement::project::ProjectAgreement>,
    f: impl FnOnce(&Request<'_>) -> R,
) -> Option<R> {
    let filter = choices.filter();
    let spec = choices.spec();
    let request = match choices.kind {
        Kind::Excerpts => Request::Excerpts {
            data,
            filter: &filter,
        },
        Kind::Matrix => Request::Matrix {
            data,
            filter: &filter,
            spec: &spec,
        },
        Kind::Cooccurrence => Request::Cooccurrence {
            data,
            filter: &filter,
        },
        Kind::Codebook => Request::Codebook {
            book: &data.codebook,
        },
        Kind::Agreement => Request::Agreement { report: report? },
        Kind::Project => Request::Project { data },
        Kind::KeyQuotes => {
            let rows = crate::app::quotes::rows(data, &filter.codes, &data.citation);
            let (doc, table) = (
                crate::app::quotes::document(data, &rows),
                crate::app::quotes::table(&rows),
            );
            return Some(f(&Request::Document {
                what: "the key quotes",
                doc: &doc,
                table: Some(&table),
            }));
        }
        Kind::Grid => {
            let options = crate::app::grid::GridOptions {
                codes: filter.codes.clone(),
                raters: filter.raters.clone(),
                consensus: filter.consensus_only,
                ..crate::app::grid::GridOptions::default()
            };
            let (doc, table) = match crate::app::grid::build(data, &options) {
                Ok(grid) => (
                    crate::app::grid::document(data, &grid, &data.citation),
                    crate::app::grid::table(&grid, &data.citation),
                ),
                Err(e) => {
                    let mut doc = crate::export::document::Document::new("Summary grid");
                    doc.para(e.to_string());
                    (doc, crate::export::Table::default())
                }
            };
            return Some(f(&Request::Document {
                what: "the summary grid",
                doc: &doc,
                table: Some(&table),
            }));
        }
    };
    Some(f(&request))
}

/// The text shown as a preview: the export itself for text formats, else its content as text.
pub fn preview(
    choices: &ExportChoices,
    data: &ProjectData,
    report: Option<&crate::agreement::project::ProjectAgreement>,
) -> String {
    let shown = match choices.format {
        f if f.is_text() => f,
        Format::Xlsx => Format::Csv,
        Format::Docx => Format::Markdown,
        _ => return "A REFI-QDA project is a zip archive (project.qde and the sources); save it to open it in NVivo, ATLAS.ti, MAXQDA or QualCoder.".into(),
    };
    match with_request(choices, data, report, |r| render_text(r, shown)) {
        None => {
            "Compute agreement in the Agreement tab first; its report is what is exported.".into()
        }
        Some(Ok(text)) => text,
        Some(Err(e)) => format!("Cannot preview: {e}"),
    }
}

/// The export view's state.
#[derive(Debug, Default)]
pub struct ExportView {
    /// The choices.
    pub choices: ExportChoices,
    /// The preview of the last choices, with the revision and choices it was made for.
    pub preview: Option<(u64, ExportChoices, String)>,
    /// The revision and choices a preview was last asked for (it is made on a task: asked once).
    asked: Option<(u64, ExportChoices)>,
}

/// What the view asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportCommand {
    /// Make (or remake) the preview.
    Preview,
    /// Ask where to save, then save.
    Save,
}

impl ExportView {
    /// Draws the view.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
    ) -> Option<ExportCommand> {
        let mut request = None;
        self.choices_ui(ui, project);
        ui.horizontal(|ui| {
            if ui.button("Save export…").clicked() {
                request = Some(ExportCommand::Save);
            }
            ui.label(RichText::new(format!("as .{}", self.choices.format.extension())).weak());
        });
        ui.separator();
        let fresh = self
            .preview
            .as_ref()
            .is_some_and(|(r, c, _)| *r == revision && *c == self.choices);
        let asked = self
            .asked
            .as_ref()
            .is_some_and(|(r, c)| *r == revision && *c == self.choices);
        if !fresh && !asked {
            self.asked = Some((revision, self.choices.clone()));
            request = request.or(Some(ExportCommand::Preview));
        }
        if let Some((_, _, text)) = &self.preview {
            ui.label(RichText::new("Preview").strong());
            egui::ScrollArea::both()
                .id_salt("export-preview")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let shown: String = text.chars().take(200_000).collect();
                    ui.add(
                        egui::Label::new(RichText::new(shown).monospace())
                            .wrap_mode(egui::TextWrapMode::Extend),
                    )
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::Document, true, "Export preview")
                    });
                });
        }
        request
    }

    fn choices_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        let c = &mut self.choices;
        ui.horizontal_wrapped(|ui| {
            label_first("What")
                .selected_text(c.kind.name())
                .show_ui(ui, |ui| {
                    for k in Kind::ALL {
                        ui.selectable_value(&mut c.kind, k, k.name());
                    }
                });
            let formats = formats_of(c.kind);
            if !formats.contains(&c.format) {
                c.format = formats[0];
            }
            label_first("Format")
                .selected_text(c.format.to_string())
                .show_ui(ui, |ui| {
                    for f in formats {
                        ui.selectable_value(&mut c.format, *f, f.to_string());
                    }
                });
        });
        if matches!(
            c.kind,
            Kind::Excerpts | Kind::Matrix | Kind::Cooccurrence | Kind::KeyQuotes | Kind::Grid
        ) {
            filter_ui(ui, c, project);
        }
        if c.kind == Kind::Matrix {
            matrix_ui(ui, c, project);
        }
    }
}

fn formats_of(kind: Kind) -> &'static [Format] {
    use Format::{Csv, Docx, Html, Markdown, Qdc, Qdpx, Xlsx};
    match kind {
        Kind::Excerpts | Kind::KeyQuotes | Kind::Grid => &[Markdown, Html, Docx, Csv, Xlsx],
        Kind::Matrix | Kind::Cooccurrence => &[Csv, Xlsx],
        Kind::Codebook => &[Markdown, Docx, Csv, Xlsx, Qdc],
        Kind::Agreement => &[Markdown, Html, Csv, Xlsx],
        Kind::Project => &[Qdpx],
    }
}

fn filter_ui(ui: &mut Ui, c: &mut ExportChoices, project: &ProjectCache) {
    ui.horizontal_wrapped(|ui| {
        let codes = if c.codes.is_empty() {
            "all codes".to_string()
        } else {
            format!("{} codes (with their children)", c.codes.len())
        };
        label_first("Codes").selected_text(codes).show_ui(ui, |ui| {
            if ui.button("All codes").clicked() {
                c.codes.clear();
            }
            for (_, id) in &project.tree {
                let mut on = c.codes.contains(id);
                if ui.checkbox(&mut on, project.path(*id)).changed() {
                    toggle(&mut c.codes, *id, on);
                }
            }
        });
        ui.label("Raters:");
        for r in &project.raters {
            let mut on = c.raters.contains(&r.rater_id);
            if ui.checkbox(&mut on, &r.name).changed() {
                toggle(&mut c.raters, r.rater_id, on);
            }
        }
        ui.checkbox(&mut c.consensus_only, "Consensus only");
    });
}

fn matrix_ui(ui: &mut Ui, c: &mut ExportChoices, project: &ProjectCache) {
    let attributes: BTreeSet<&String> = project
        .cases
        .iter()
        .flat_map(|k| k.attributes.keys())
        .collect();
    ui.horizontal_wrapped(|ui| {
        let by = c.by_attribute.clone().unwrap_or_else(|| "cases".into());
        label_first("Columns").selected_text(by).show_ui(ui, |ui| {
            ui.selectable_value(&mut c.by_attribute, None, "cases");
            for a in attributes {
                ui.selectable_value(&mut c.by_attribute, Some(a.clone()), a.as_str());
            }
        });
        let m = match c.measure {
            Measure::Codings => "codings",
            Measure::Turns => "turns",
            Measure::Presence => "presence (0/1)",
        };
        label_first("Count").selected_text(m).show_ui(ui, |ui| {
            ui.selectable_value(&mut c.measure, Measure::Codings, "codings");
            ui.selectable_value(&mut c.measure, Measure::Turns, "turns");
            ui.selectable_value(&mut c.measure, Measure::Presence, "presence (0/1)");
        });
    });
}
