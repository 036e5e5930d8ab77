//! `accord cooccurrence PROJECT` (code x code: the turns coded with both) and `accord crosstab
//! PROJECT --by cases|ATTRIBUTE` (codes x cases or attribute values): the heatmaps of the window's
//! Heatmaps view, as aligned columns, JSON, CSV or Markdown, or written to a CSV, XLSX or Markdown
//! file; `--cell` lists one cell's passages, as a click in the window does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::agreement::Format;
use super::{ProjectPath, open_to_read, output};
use crate::app::Store;
use crate::app::export::snapshot;
use crate::app::heatmaps::{Cooccurrence, Crosstab, Passage, cooccurrence, crosstab};
use crate::app::resolve;
use crate::export::{Columns, ExcerptFilter, Measure, ProjectData, Table};

/// Which codings a heatmap counts.
#[derive(Debug, Args)]
pub struct Choice {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Only these codes (paths, names or ids), rows even when unused (default: every code used).
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// Only these raters' codings (default: everyone's).
    #[arg(long, value_delimiter = ',', conflicts_with = "consensus")]
    pub raters: Vec<String>,
    /// Only the consensus codings (adjudicated).
    #[arg(long)]
    pub consensus: bool,
    /// Only these transcripts.
    #[arg(long, value_delimiter = ',')]
    pub transcripts: Vec<String>,
    /// Only cases with this attribute value, as NAME=VALUE (repeat; values of one name are
    /// alternatives).
    #[arg(long = "where", value_name = "NAME=VALUE")]
    pub attributes: Vec<String>,
    /// Output format (a file's format follows --out's extension: csv, xlsx or md).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the matrix to this file (.csv, .xlsx or .md). Never the project or its files; an
    /// existing file only if it is of that format, unless --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file even when it is not of its format.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `accord cooccurrence`.
#[derive(Debug, Args)]
pub struct CooccurrenceArgs {
    #[command(flatten)]
    pub choice: Choice,
    /// List the passages of one cell, "CODE,CODE": the turns coded with both.
    #[arg(long, value_name = "CODE,CODE")]
    pub cell: Option<String>,
}

/// Arguments of `accord crosstab`.
#[derive(Debug, Args)]
pub struct CrosstabArgs {
    #[command(flatten)]
    pub choice: Choice,
    /// The columns: `cases`, or the name of a case attribute.
    #[arg(long, default_value = "cases")]
    pub by: String,
    /// What a cell counts: codings, turns or presence.
    #[arg(long, default_value = "codings", value_parser = parse_measure)]
    pub measure: Measure,
    /// List the passages of one cell, "CODE,COLUMN" (a case, or an attribute's value).
    #[arg(long, value_name = "CODE,COLUMN")]
    pub cell: Option<String>,
}

fn parse_measure(text: &str) -> Result<Measure, String> {
    text.parse()
}

fn filter(store: &Store, data: &ProjectData, c: &Choice) -> anyhow::Result<ExcerptFilter> {
    let attributes = super::export::where_pairs(&c.attributes)?;
    Ok(ExcerptFilter {
        codes: c
            .codes
            .iter()
            .map(|code| resolve::code(&data.codebook, code))
            .collect::<Result<_, _>>()?,
        raters: resolve::rater_ids(store, &c.raters)?,
        consensus_only: c.consensus,
        transcripts: resolve::transcript_ids(store, &c.transcripts)?,
        attributes,
        ..ExcerptFilter::default()
    })
}

/// The two names of `--cell`.
fn cell_names(cell: &str) -> anyhow::Result<(&str, &str)> {
    cell.split_once(',')
        .map(|(a, b)| (a.trim(), b.trim()))
        .ok_or_else(|| anyhow::anyhow!("--cell {cell:?}: expected two names joined by a comma"))
}

/// The row of a code in a heatmap, or an error naming the rows there are.
fn row_of(
    data: &ProjectData,
    names: &[String],
    codes: &[crate::model::CodeId],
    code: &str,
) -> anyhow::Result<usize> {
    let id = resolve::code(&data.codebook, code)?;
    codes.iter().position(|c| *c == id).ok_or_else(|| {
        anyhow::anyhow!(
            "{code:?} is not a row of this heatmap (no coding chosen uses it; rows: {})",
            names.join(", ")
        )
    })
}

/// Runs `accord cooccurrence`.
pub fn run_cooccurrence(args: &CooccurrenceArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.choice.project.project)?;
    let data = snapshot(ws.store())?;
    let filter = filter(ws.store(), &data, &args.choice)?;
    let matrix: Cooccurrence = cooccurrence(&data, &filter);
    if let Some(cell) = &args.cell {
        let (a, b) = cell_names(cell)?;
        let row = row_of(&data, &matrix.names, &matrix.codes, a)?;
        let column = row_of(&data, &matrix.names, &matrix.codes, b)?;
        let title = format!(
            "{} turns coded {} and {}",
            matrix.counts[row][column], matrix.names[row], matrix.names[column]
        );
        return print_passages(
            &title,
            &matrix.passages(&data, row, column),
            args.choice.format,
        );
    }
    if args.choice.out.is_none() && args.choice.format == Format::Table {
        // Codes' paths are long: on a terminal the columns are numbered as the rows.
        let mut table = matrix.to_table();
        for (i, row) in table.rows.iter_mut().enumerate() {
            if let Some(first) = row.first_mut() {
                *first = format!("{:>2} {}", i + 1, first.to_text()).into();
            }
        }
        table.header = std::iter::once("code".to_string())
            .chain((1..table.header.len()).map(|i| i.to_string()))
            .collect();
        if table.rows.is_empty() {
            eprintln!("no coding matches the choice of codes, raters, transcripts and cases");
        }
        print!("{}", aligned(&table));
        return Ok(ExitCode::SUCCESS);
    }
    emit(&args.choice, &matrix.to_table(), &matrix)
}

/// Runs `accord crosstab`.
pub fn run_crosstab(args: &CrosstabArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.choice.project.project)?;
    let data = snapshot(ws.store())?;
    let filter = filter(ws.store(), &data, &args.choice)?;
    let columns = match args.by.as_str() {
        "cases" | "case" => Columns::Cases,
        name if data.attribute_names().iter().any(|a| a == name) => {
            Columns::Attribute(name.to_string())
        }
        name => anyhow::bail!(
            "--by {name:?}: no case has that attribute (attributes: {})",
            data.attribute_names().join(", ")
        ),
    };
    let matrix: Crosstab = crosstab(&data, &filter, &columns, args.measure);
    if let Some(cell) = &args.cell {
        let (code, column) = cell_names(cell)?;
        let row = row_of(&data, &matrix.names, &matrix.codes, code)?;
        let col = matrix
            .columns
            .iter()
            .position(|c| c == column)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{column:?} is not a column (columns: {})",
                    matrix.columns.join(", ")
                )
            })?;
        let title = format!(
            "{} {} of {} in {}",
            matrix.counts[row][col], matrix.measure, matrix.names[row], matrix.columns[col]
        );
        return print_passages(
            &title,
            &matrix.passages(&data, row, col),
            args.choice.format,
        );
    }
    emit(&args.choice, &matrix.to_table(), &matrix)
}

/// Prints a matrix, or writes it to `--out`.
fn emit(choice: &Choice, table: &Table, value: &impl Serialize) -> anyhow::Result<ExitCode> {
    if let Some(path) = &choice.out {
        write_table(path, &choice.project.project, choice.force, table)?;
        return Ok(ExitCode::SUCCESS);
    }
    if table.rows.is_empty() && choice.format != Format::Json {
        eprintln!("no coding matches the choice of codes, raters, transcripts and cases");
    }
    match choice.format {
        Format::Json => output::json(value)?,
        Format::Csv => print!("{}", table.to_csv()?),
        Format::Markdown => print!("{}", table.to_markdown()),
        Format::Table => print!("{}", aligned(table)),
    }
    Ok(ExitCode::SUCCESS)
}

/// A table as aligned columns for a terminal.
fn aligned(table: &Table) -> String {
    // Ids are for files; people read the codes' paths.
    let keep: Vec<bool> = table.header.iter().map(|h| h != "code_id").collect();
    let text: Vec<Vec<String>> = std::iter::once(table.header.clone())
        .chain(
            table
                .rows
                .iter()
                .map(|r| r.iter().map(crate::export::Cell::to_text).collect()),
        )
        .map(|r| {
            r.into_iter()
                .zip(&keep)
                .filter(|(_, keep)| **keep)
                .map(|(c, _)| output::terminal_safe(&c).into_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let widths: Vec<usize> = (0..text.first().map_or(0, Vec::len))
        .map(|i| {
            text.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{}\n", table.name);
    for row in &text {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths.get(i).copied().unwrap_or(0);
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Prints a cell's passages: each with its transcript, turn and words.
fn print_passages(title: &str, passages: &[Passage], format: Format) -> anyhow::Result<ExitCode> {
    if format == Format::Json {
        output::json(&serde_json::json!({ "cell": title, "passages": passages }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{title}");
    for p in passages {
        println!(
            "{} #{} {} ({}..{}): {}",
            output::terminal_safe(&p.transcript),
            p.turn + 1,
            output::terminal_safe(&p.speaker),
            p.span.start,
            p.span.end,
            output::one_line(&p.text, 100)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a table to a .csv, .xlsx or .md file (see [`crate::app::heatmaps::save_table`]).
pub fn write_table(
    path: &std::path::Path,
    project: &std::path::Path,
    force: bool,
    table: &Table,
) -> anyhow::Result<()> {
    let warnings = crate::app::heatmaps::save_table(path, Some(project), force, table)
        .map_err(|e| anyhow::anyhow!("--out {e}"))?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!("wrote {}", path.display());
    Ok(())
}
