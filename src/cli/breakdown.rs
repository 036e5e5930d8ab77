//! `accord agreement PROJECT --by transcript|pair|ATTRIBUTE`: the breakdown table that
//! `app::breakdown` computes, as aligned columns, JSON, CSV or Markdown (as `--format` says).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::agreement::Format;
use super::output;
use crate::app::breakdown::{Breakdown, Cell};
use crate::export::table::{Cell as TableCell, Table};

/// Prints a breakdown in a format.
pub fn print(table: &Breakdown, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => output::json(table)?,
        Format::Csv => print!("{}", to_table(table).to_csv()?),
        Format::Markdown => print!("{}", to_markdown(table)),
        Format::Table => print!("{}", to_text(table)),
    }
    Ok(())
}

/// A cell for people: the value and its units, "—" for an undefined value.
fn cell_text(cell: &Cell) -> String {
    match cell.estimate.value {
        Some(v) => format!("{v:.3} ({})", cell.units),
        None => format!("— ({})", cell.units),
    }
}

/// The header lines: unit, statistic, raters, what the columns are, transcripts left out.
fn header(table: &Breakdown) -> Vec<String> {
    let mut lines = vec![
        table.description.clone(),
        format!(
            "{} by {}, each cell with its number of units in brackets; raters: {}.",
            table.statistic,
            table.by,
            table.raters.join(", ")
        ),
    ];
    if table.columns.iter().any(|c| c.statistic != table.statistic) {
        let pair = table
            .columns
            .iter()
            .find(|c| c.statistic != table.statistic)
            .map_or("", |c| c.statistic.as_str());
        lines.push(format!(
            "Column \"all\" compares every rater together ({}); each other column is {pair}.",
            table.statistic
        ));
    }
    if !table.excluded.is_empty() {
        lines.push(format!(
            "Left out of every column: {} transcripts not coded by every compared rater.",
            table.excluded.len()
        ));
    }
    lines
}

/// Why cells are undefined, each reason once with how many cells give it.
fn undefined(table: &Breakdown) -> Vec<String> {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for cell in table.rows.iter().flat_map(|r| r.cells.iter()) {
        if cell.estimate.value.is_none() {
            *reasons
                .entry(
                    cell.estimate
                        .undefined_reason
                        .as_deref()
                        .unwrap_or("undefined"),
                )
                .or_default() += 1;
        }
    }
    reasons
        .into_iter()
        .map(|(why, n)| {
            let plural = if n == 1 { "" } else { "s" };
            format!("{n} cell{plural} undefined: {why}")
        })
        .collect()
}

/// Aligned columns for a terminal.
#[must_use]
pub fn to_text(table: &Breakdown) -> String {
    let mut out = String::new();
    for line in header(table) {
        let _ = writeln!(out, "{}", output::terminal_safe(&line));
    }
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|c| output::one_line(&output::terminal_safe(&c.name), 24))
        .collect();
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.cells.iter().map(cell_text).collect())
        .collect();
    let widths: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            cells
                .iter()
                .filter_map(|row| row.get(i))
                .map(|c| c.chars().count())
                .chain(std::iter::once(n.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = write!(out, "\n{:<44}", "code");
    for (name, w) in names.iter().zip(widths.iter().copied()) {
        let _ = write!(out, "  {name:>w$}");
    }
    out.push('\n');
    for (r, row) in table.rows.iter().zip(&cells) {
        let _ = write!(
            out,
            "{:<44}",
            output::one_line(&output::terminal_safe(&r.code), 44)
        );
        for (c, w) in row.iter().zip(widths.iter().copied()) {
            let _ = write!(out, "  {c:>w$}");
        }
        out.push('\n');
    }
    let notes = undefined(table);
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            let _ = writeln!(out, "{}", output::terminal_safe(&n));
        }
    }
    out
}

/// A Markdown table, with the header and the undefined cells' reasons.
#[must_use]
pub fn to_markdown(table: &Breakdown) -> String {
    let escape = |s: &str| crate::export::html::escape_markdown(s).replace('|', "\\|");
    let mut out = format!("# Interrater agreement by {}\n\n", escape(&table.by));
    for line in header(table) {
        let _ = write!(out, "{}\n\n", escape(&line));
    }
    out.push_str("| code |");
    for c in &table.columns {
        let _ = write!(out, " {} |", escape(&c.name));
    }
    out.push_str("\n|---|");
    for _ in &table.columns {
        out.push_str("---:|");
    }
    out.push('\n');
    for r in &table.rows {
        let _ = write!(out, "| {} |", escape(&r.code));
        for c in &r.cells {
            let _ = write!(out, " {} |", cell_text(c));
        }
        out.push('\n');
    }
    let notes = undefined(table);
    if !notes.is_empty() {
        out.push_str("\n## Undefined cells\n\n");
        for n in notes {
            let _ = writeln!(out, "- {}", escape(&n));
        }
    }
    out
}

/// CSV: a row per code; per column its value, its number of units and (when undefined) why.
#[must_use]
pub fn to_table(table: &Breakdown) -> Table {
    let mut header = vec!["code".to_string(), "code_id".to_string()];
    for c in &table.columns {
        header.push(c.name.clone());
        header.push(format!("{} units", c.name));
        header.push(format!("{} undefined_reason", c.name));
    }
    let rows = table
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                TableCell::from(r.code.as_str()),
                TableCell::from(r.code_id.clone().unwrap_or_default()),
            ];
            for c in &r.cells {
                row.push(TableCell::from(c.estimate.value));
                row.push(TableCell::from(c.units));
                let why = c
                    .estimate
                    .value
                    .is_none()
                    .then(|| c.estimate.undefined_reason.clone());
                row.push(TableCell::from(why.flatten().unwrap_or_default()));
            }
            row
        })
        .collect();
    Table {
        name: format!("Agreement by {}", table.by),
        header,
        rows,
    }
}
