//! The summary grid (a framework matrix, as NVivo calls it; MAXQDA's Summary Grid): cases as rows,
//! with their attributes, and chosen codes as columns. Each cell holds the case's excerpts on the
//! code (by the chosen raters, or the consensus) and the analyst's written summary of them, which
//! cites the excerpts it rests on. Summaries are kept in versions, each attributed to who wrote it,
//! and written as undoable changes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::command::{Command, MemoCommand};
use super::{AppError, Result};
use crate::export::document::Document;
use crate::export::excerpts::{Excerpt, ExcerptFilter, excerpts};
use crate::export::{Cell, ProjectData, Table};
use crate::model::{CaseId, CodeId, CodingId, GridSummary, RaterId, now_rfc3339};
use crate::store::Store;

/// Which grid: its codes, whose codings, which cases.
#[derive(Debug, Clone, Default)]
pub struct GridOptions {
    /// The columns (codebook order is kept); every code when empty.
    pub codes: Vec<CodeId>,
    /// Only these raters' codings (every rater's when empty).
    pub raters: Vec<RaterId>,
    /// Only the consensus layer.
    pub consensus: bool,
    /// Only cases whose attribute has one of the values.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Count each cell's excerpts without gathering them (the window's grid; a cell's excerpts
    /// come with [`cell_excerpts`] when it is opened).
    pub counts_only: bool,
}

/// One cell: a case's excerpts on a code and the summary written of them.
#[derive(Debug, Clone, Serialize)]
pub struct GridCell {
    /// The code.
    pub code_id: CodeId,
    /// How many excerpts the case has on the code.
    pub count: usize,
    /// The excerpts, in transcript order (none gathered with [`GridOptions::counts_only`]).
    pub excerpts: Vec<Excerpt>,
    /// The summary as it is now, if one is written.
    pub summary: Option<GridSummary>,
}

/// One row: a case with its attributes and a cell per column.
#[derive(Debug, Clone, Serialize)]
pub struct GridRow {
    /// The case.
    pub case_id: CaseId,
    /// Its name.
    pub case: String,
    /// Its attributes.
    pub attributes: BTreeMap<String, String>,
    /// A cell per column.
    pub cells: Vec<GridCell>,
}

/// The grid.
#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    /// The columns: code id and path.
    pub codes: Vec<(CodeId, String)>,
    /// The attribute names shown beside each case.
    pub attributes: Vec<String>,
    /// The rows, by case name.
    pub rows: Vec<GridRow>,
    /// Chosen codes no case has an excerpt of (said, not refused: a summary can still be written).
    pub unused: Vec<String>,
}

/// The grid of a project snapshot.
///
/// # Errors
/// Every chosen code is one nobody coded (with the chosen raters): the grid would hold nothing.
pub fn build(data: &ProjectData, options: &GridOptions) -> Result<Grid> {
    let codes: Vec<(CodeId, String)> = data
        .codebook
        .tree_order()
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| options.codes.is_empty() || options.codes.contains(&c.code_id))
        .map(|c| (c.code_id, data.codebook.path(c.code_id)))
        .collect();
    let filter = filter_of(options, codes.iter().map(|(id, _)| *id).collect());
    let (counts, mut by_cell) = gather(data, &filter, options.counts_only);
    let used: std::collections::HashSet<CodeId> = counts.keys().map(|(_, c)| *c).collect();
    let unused: Vec<String> = codes
        .iter()
        .filter(|(id, _)| !used.contains(id))
        .map(|(_, path)| path.clone())
        .collect();
    if !codes.is_empty() && unused.len() == codes.len() {
        return Err(AppError::Invalid(format!(
            "no case has an excerpt coded {}{}: the grid would hold nothing",
            unused.join(", "),
            if options.raters.is_empty() && !options.consensus {
                ""
            } else {
                " by the chosen raters"
            }
        )));
    }
    // Every code: the codes someone used (a theme nobody codes directly is no column). Codes
    // chosen by name all stay, and those nobody used are named.
    let (codes, unused) = if options.codes.is_empty() {
        let kept = codes
            .into_iter()
            .filter(|(id, _)| used.contains(id))
            .collect();
        (kept, Vec::new())
    } else {
        (codes, unused)
    };
    let keeps = |attributes: &BTreeMap<String, String>| {
        options.attributes.iter().all(|(name, values)| {
            attributes
                .get(name)
                .is_some_and(|v| values.iter().any(|w| w == v))
        })
    };
    let mut rows: Vec<GridRow> = data
        .cases
        .iter()
        .filter(|c| keeps(&c.attributes))
        .map(|case| GridRow {
            case_id: case.case_id,
            case: case.name.clone(),
            attributes: case.attributes.clone(),
            cells: codes
                .iter()
                .map(|(code, _)| {
                    let mut excerpts = by_cell.remove(&(case.case_id, *code)).unwrap_or_default();
                    excerpts.sort_by(|a, b| {
                        (&a.transcript, a.start, a.end).cmp(&(&b.transcript, b.start, b.end))
                    });
                    GridCell {
                        code_id: *code,
                        count: counts.get(&(case.case_id, *code)).copied().unwrap_or(0),
                        excerpts,
                        summary: data
                            .summaries
                            .iter()
                            .find(|s| s.case_id == case.case_id && s.code_id == *code)
                            .cloned(),
                    }
                })
                .collect(),
        })
        .collect();
    rows.sort_by(|a, b| a.case.cmp(&b.case));
    Ok(Grid {
        codes,
        attributes: data.attribute_names(),
        rows,
        unused,
    })
}

/// Each cell's count, and (unless `counts_only`) its excerpts.
type Cells = (
    BTreeMap<(CaseId, CodeId), usize>,
    BTreeMap<(CaseId, CodeId), Vec<Excerpt>>,
);

fn gather(data: &ProjectData, filter: &ExcerptFilter, counts_only: bool) -> Cells {
    let mut by_cell: BTreeMap<(CaseId, CodeId), Vec<Excerpt>> = BTreeMap::new();
    let mut counts: BTreeMap<(CaseId, CodeId), usize> = BTreeMap::new();
    if counts_only {
        let case_of: std::collections::HashMap<_, _> = data
            .transcripts
            .iter()
            .filter_map(|t| t.case_id.map(|c| (t.transcript_id, c)))
            .collect();
        for c in filter.select(data) {
            if let Some(case) = case_of.get(&c.transcript_id) {
                *counts.entry((*case, c.code_id)).or_default() += 1;
            }
        }
    } else {
        let names: std::collections::HashMap<&str, CaseId> = data
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.case_id))
            .collect();
        for e in excerpts(data, filter) {
            if let Some(case) = e.case.as_deref().and_then(|n| names.get(n)) {
                *counts.entry((*case, e.code_id)).or_default() += 1;
                by_cell.entry((*case, e.code_id)).or_default().push(e);
            }
        }
    }
    (counts, by_cell)
}

/// The excerpt filter of a grid's options, over `codes`.
fn filter_of(options: &GridOptions, codes: Vec<CodeId>) -> ExcerptFilter {
    ExcerptFilter {
        codes,
        raters: options.raters.clone(),
        consensus_only: options.consensus,
        attributes: options.attributes.clone(),
        ..ExcerptFilter::default()
    }
}

/// One cell's excerpts (the case's on the code, by the grid's raters), in transcript order: what
/// the window shows when a cell of a counts-only grid is opened.
#[must_use]
pub fn cell_excerpts(
    data: &ProjectData,
    options: &GridOptions,
    case: CaseId,
    code: CodeId,
) -> Vec<Excerpt> {
    let filter = ExcerptFilter {
        cases: vec![case],
        ..filter_of(options, vec![code])
    };
    let mut out = excerpts(data, &filter);
    out.sort_by(|a, b| (&a.transcript, a.start, a.end).cmp(&(&b.transcript, b.start, b.end)));
    out
}

/// The command that writes `text` as the summary of `case` on `code` (an empty text clears it),
/// citing `cites`, by `by`: the cell's next version.
///
/// # Errors
/// A store error.
pub fn write(
    store: &Store,
    (case, code): (CaseId, CodeId),
    text: &str,
    cites: Vec<CodingId>,
    by: Option<RaterId>,
) -> Result<Command> {
    let version = store.next_summary_version(case, code)?;
    Ok(Command::Memos(MemoCommand::WriteSummary(Box::new(
        GridSummary {
            case_id: case,
            code_id: code,
            version,
            text: text.trim().to_string(),
            cites,
            written_by: by,
            written_at: now_rfc3339(),
        },
    ))))
}

/// A cell's excerpts in one text: each quote with its citation, blank lines between.
fn excerpts_text(cell: &GridCell, form: &str) -> String {
    cell.excerpts
        .iter()
        .map(|e| format!("“{}” {}", e.quote.trim(), e.cite(form)))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The grid as a table (CSV, XLSX): a row per case with its attributes, then for each code its
/// summary, the number of excerpts and the excerpts with their citations.
#[must_use]
pub fn table(grid: &Grid, form: &str) -> Table {
    let mut header = vec!["case".to_string()];
    header.extend(grid.attributes.iter().cloned());
    for (_, path) in &grid.codes {
        header.push(format!("{path}: summary"));
        header.push(format!("{path}: excerpts"));
        header.push(format!("{path}: quotes"));
    }
    let rows = grid
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![Cell::Text(row.case.clone())];
            cells.extend(grid.attributes.iter().map(|a| {
                row.attributes
                    .get(a)
                    .map_or(Cell::Empty, |v| Cell::Text(v.clone()))
            }));
            for cell in &row.cells {
                cells.push(Cell::Prose(
                    cell.summary
                        .as_ref()
                        .map(|s| s.text.clone())
                        .unwrap_or_default(),
                ));
                cells.push(Cell::from(cell.excerpts.len()));
                cells.push(Cell::Prose(excerpts_text(cell, form)));
            }
            cells
        })
        .collect();
    Table {
        name: "Summary grid".into(),
        header,
        rows,
    }
}

/// The grid as a document: a table of the summaries (cases by codes), then each case with its
/// attributes and, per code, its summary and excerpts.
#[must_use]
pub fn document(data: &ProjectData, grid: &Grid, form: &str) -> Document {
    let mut doc = Document::new(&format!("Summary grid: {}", data.name));
    let mut header = vec!["Case".to_string()];
    header.extend(grid.codes.iter().map(|(_, p)| p.clone()));
    let rows = grid
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.case.clone()];
            cells.extend(row.cells.iter().map(|c| match &c.summary {
                Some(s) => s.text.clone(),
                None if c.excerpts.is_empty() => String::new(),
                None => format!("({} excerpts, no summary yet)", c.excerpts.len()),
            }));
            cells
        })
        .collect();
    doc.table(header, rows);
    if !grid.unused.is_empty() {
        doc.para(format!(
            "No case has an excerpt coded {}.",
            grid.unused.join(", ")
        ));
    }
    for row in &grid.rows {
        doc.heading(1, format!("Case {}", row.case));
        let attributes: Vec<String> = row
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        doc.field("Attributes", attributes.join("; "));
        for ((_, path), cell) in grid.codes.iter().zip(&row.cells) {
            if cell.summary.is_none() && cell.excerpts.is_empty() {
                continue;
            }
            doc.heading(2, path.clone());
            if let Some(s) = &cell.summary {
                let who = s
                    .written_by
                    .and_then(|r| data.rater(r))
                    .map_or_else(String::new, |r| {
                        format!(" (by {}, version {})", r.name, s.version)
                    });
                doc.field(format!("Summary{who}"), s.text.clone());
                let cited: Vec<String> = cell
                    .excerpts
                    .iter()
                    .filter(|e| s.cites.contains(&e.coding_id))
                    .map(|e| e.cite(form))
                    .collect();
                doc.field("Cites", cited.join("; "));
            }
            for e in &cell.excerpts {
                doc.quote(e.quote.clone());
                let cited = cell
                    .summary
                    .as_ref()
                    .is_some_and(|s| s.cites.contains(&e.coding_id));
                doc.para(format!(
                    "{}{}",
                    e.cite(form),
                    if cited { " (cited in the summary)" } else { "" }
                ));
            }
        }
    }
    doc
}
