//! `accord agreement PROJECT --confusion`: the code-confusion matrix of each pair of raters, as a
//! terminal table, JSON, CSV (one row per cell) or Markdown.

use std::fmt::Write as _;
use std::process::ExitCode;

use super::agreement::{AgreementArgs, Format, some_names};
use super::output;
use crate::app::Store;
use crate::app::agreement::AgreementOptions;
use crate::app::agreement_input::{Selection, why_nothing_compared};
use crate::app::confusion::{
    ConfusionReport, PairConfusion, confusion_against_consensus, confusion_report, units_in_words,
};
use crate::export::{Cell, Table, html};

/// How many confusions the table and Markdown list (JSON and CSV have them all).
const LISTED: usize = 20;

/// Prints the matrices of the selection in the chosen format.
pub fn print(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
    args: &AgreementArgs,
) -> anyhow::Result<ExitCode> {
    let report = if args.against_consensus {
        confusion_against_consensus(store, selection, options)?
    } else {
        confusion_report(store, selection, options)?
    };
    match args.format {
        Format::Json => output::json(&report)?,
        Format::Csv => print!("{}", to_table(&report).to_csv()?),
        Format::Markdown => print!("{}", markdown(&report)),
        Format::Table => print!("{}", table(&report, args.verbose)),
    }
    // Why a pair compared nothing: in the text, or on stderr beside data (JSON, CSV).
    if matches!(args.format, Format::Json | Format::Csv) {
        for pair in &report.pairs {
            if let Some(why) = why_empty(pair) {
                eprintln!("{why}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn why_empty(pair: &PairConfusion) -> Option<String> {
    why_nothing_compared(
        &[pair.rater_a.clone(), pair.rater_b.clone()],
        pair.transcripts.len(),
        &pair.excluded,
    )
}

/// One row per cell: the pair, the two codes, the units and the row percentage.
fn to_table(report: &ConfusionReport) -> Table {
    let mut rows = Vec::new();
    for pair in &report.pairs {
        for (r, row) in pair.counts.iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                let percent = pair
                    .row_percent
                    .get(r)
                    .and_then(|p| p.get(c))
                    .copied()
                    .flatten();
                rows.push(vec![
                    Cell::from(pair.rater_a.as_str()),
                    Cell::from(pair.rater_b.as_str()),
                    Cell::from(label(pair, r)),
                    Cell::from(label(pair, c)),
                    Cell::from(n),
                    Cell::from(percent),
                ]);
            }
        }
    }
    Table {
        name: "confusion".into(),
        header: [
            "rater_a",
            "rater_b",
            "a_code",
            "b_code",
            "units",
            "row_percent",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn label(pair: &PairConfusion, i: usize) -> String {
    pair.labels.get(i).cloned().unwrap_or_default()
}

fn percent(p: Option<f64>) -> String {
    p.map_or("—".into(), |v| format!("{v:.0}%"))
}

/// A square table for a terminal: rows numbered and named, columns numbered, the last "nothing".
fn square(pair: &PairConfusion, cell: impl Fn(usize, usize) -> String) -> String {
    let n = pair.labels.len();
    let nothing = n.saturating_sub(1);
    let heads: Vec<String> = (0..n)
        .map(|c| {
            if c == nothing {
                "nothing".to_string()
            } else {
                (c + 1).to_string()
            }
        })
        .collect();
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            (0..n)
                .map(|r| cell(r, c).chars().count())
                .chain([heads[c].len()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let mut out = format!("{:<44}", "");
    for (h, &w) in heads.iter().zip(&widths) {
        let _ = write!(out, " {h:>w$}");
    }
    out.push('\n');
    for r in 0..n {
        let name = output::one_line(&output::terminal_safe(&label(pair, r)), 40);
        let number = if r == nothing {
            String::new()
        } else {
            (r + 1).to_string()
        };
        let _ = write!(out, "{number:>3} {name:<40}");
        for (c, &w) in widths.iter().enumerate() {
            let _ = write!(out, " {:>w$}", cell(r, c));
        }
        out.push('\n');
    }
    out
}

fn table(report: &ConfusionReport, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", report.description);
    let _ = writeln!(out, "{}", report.counting);
    for pair in &report.pairs {
        let (a, b) = (
            output::terminal_safe(&pair.rater_a),
            output::terminal_safe(&pair.rater_b),
        );
        let _ = writeln!(out, "\n{a} (rows) x {b} (columns)");
        let _ = writeln!(
            out,
            "Transcripts ({}): {}.",
            pair.transcripts.len(),
            some_names(&pair.transcripts, verbose)
        );
        if let Some(why) = why_empty(pair) {
            let _ = writeln!(out, "{why}");
            continue;
        }
        let _ = writeln!(out, "\nUnits:");
        out.push_str(&square(pair, |r, c| pair.counts[r][c].to_string()));
        let _ = writeln!(out, "\nRow percentages:");
        out.push_str(&square(pair, |r, c| percent(pair.row_percent[r][c])));
        let _ = writeln!(
            out,
            "\n{} compared; {} with more than one code from a rater (counted once per pair of codes).",
            units_in_words(report.unit, pair.units),
            pair.multi_coded_units
        );
        if !pair.confusions.is_empty() {
            let _ = writeln!(out, "Confusions, largest first:");
        }
        for c in pair.confusions.iter().take(LISTED) {
            let _ = writeln!(out, "  {}", output::terminal_safe(&c.text));
        }
        if pair.confusions.len() > LISTED {
            let _ = writeln!(
                out,
                "  and {} more (--format json or csv lists every cell)",
                pair.confusions.len() - LISTED
            );
        }
    }
    out
}

fn md(text: &str) -> String {
    html::escape_markdown(text).replace('|', "\\|")
}

fn markdown_square(pair: &PairConfusion, cell: impl Fn(usize, usize) -> String) -> String {
    let n = pair.labels.len();
    let mut out = String::from("| code |");
    for c in 0..n {
        let head = if c + 1 == n {
            "nothing".to_string()
        } else {
            (c + 1).to_string()
        };
        let _ = write!(out, " {head} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(n));
    out.push('\n');
    for r in 0..n {
        let name = if r + 1 == n {
            md(&label(pair, r))
        } else {
            format!("{} {}", r + 1, md(&label(pair, r)))
        };
        let _ = write!(out, "| {name} |");
        for c in 0..n {
            let _ = write!(out, " {} |", cell(r, c));
        }
        out.push('\n');
    }
    out
}

fn markdown(report: &ConfusionReport) -> String {
    let mut out = String::from("# Code confusion\n\n");
    let _ = write!(
        out,
        "{}\n\n{}\n",
        md(&report.description),
        md(&report.counting)
    );
    for pair in &report.pairs {
        let _ = write!(
            out,
            "\n## {} (rows) × {} (columns)\n\nTranscripts ({}): {}.\n\n",
            md(&pair.rater_a),
            md(&pair.rater_b),
            pair.transcripts.len(),
            md(&pair.transcripts.join(", "))
        );
        if let Some(why) = why_empty(pair) {
            let _ = writeln!(out, "{}", md(&why));
            continue;
        }
        out.push_str(&markdown_square(pair, |r, c| pair.counts[r][c].to_string()));
        out.push_str("\nRow percentages:\n\n");
        out.push_str(&markdown_square(pair, |r, c| {
            percent(pair.row_percent[r][c])
        }));
        let _ = write!(
            out,
            "\n{} compared; {} with more than one code from a rater (counted once per pair of codes).\n\n",
            units_in_words(report.unit, pair.units),
            pair.multi_coded_units
        );
        for c in pair.confusions.iter().take(LISTED) {
            let _ = writeln!(out, "- {}", md(&c.text));
        }
        if pair.confusions.len() > LISTED {
            let _ = writeln!(
                out,
                "- and {} more (`--format json` or `csv` lists every cell)",
                pair.confusions.len() - LISTED
            );
        }
    }
    out
}
