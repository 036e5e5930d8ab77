//! `accord quotes` (key quotes: flag, unflag, list, the citation form) and `accord grid` (the
//! summary grid: show it, write a cell's summary). Their documents are exported with `accord export
//! PROJECT quotes|grid`.

use std::process::ExitCode;

use clap::Subcommand;

use super::{ProjectPath, open, open_to_read, output};
use crate::app::export::snapshot;
use crate::app::grid::{GridOptions, build};
use crate::app::{quotes, resolve};

/// `accord quotes ...`
#[derive(Debug, Subcommand)]
pub enum QuotesCommand {
    /// Flag a coding as a key quote (or change its label).
    Flag {
        #[command(flatten)]
        project: ProjectPath,
        /// The coding (its id, or the start of it, as `accord codings list` prints it).
        coding: String,
        /// A label ("the turning point").
        #[arg(long, default_value = "")]
        label: String,
        /// Who flags it (a rater's name).
        #[arg(long, short = 'r')]
        rater: Option<String>,
    },
    /// Take a coding's key-quote flag away.
    Unflag {
        #[command(flatten)]
        project: ProjectPath,
        /// The coding (its id, or the start of it).
        coding: String,
    },
    /// List the key quotes by theme, each with its citation.
    List {
        #[command(flatten)]
        project: ProjectPath,
        /// Only these codes (paths, names or ids).
        #[arg(long, value_delimiter = ',')]
        codes: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show or set the project's citation form, e.g. "({case}, {role}, {time})".
    Citation {
        #[command(flatten)]
        project: ProjectPath,
        /// The new form; parts: {case} {transcript} {role} {speaker} {time} {turn} {code} {rater}.
        form: Option<String>,
    },
}

/// `accord grid ...`
#[derive(Debug, Subcommand)]
pub enum GridCommand {
    /// Show the summary grid: each case (with its attributes) on each code, its excerpts counted
    /// and its summary.
    Show {
        #[command(flatten)]
        project: ProjectPath,
        /// The columns (code paths, names or ids; every code when absent).
        #[arg(long, value_delimiter = ',')]
        codes: Vec<String>,
        /// Only these raters' excerpts.
        #[arg(long, value_delimiter = ',')]
        raters: Vec<String>,
        /// Only the consensus layer's excerpts.
        #[arg(long)]
        consensus: bool,
        /// Only cases with this attribute value, as NAME=VALUE (repeat).
        #[arg(long = "where", value_name = "NAME=VALUE")]
        attributes: Vec<String>,
        /// Print JSON (every excerpt too).
        #[arg(long)]
        json: bool,
    },
    /// Write a cell's summary (a new version; an empty text clears it). Undo with `accord undo`.
    Summary {
        #[command(flatten)]
        project: ProjectPath,
        /// The case (the row).
        #[arg(long)]
        case: String,
        /// The code (the column).
        #[arg(long)]
        code: String,
        /// The summary.
        #[arg(long)]
        text: String,
        /// Codings it cites (ids or their starts), excerpts of this case on this code.
        #[arg(long, value_delimiter = ',')]
        cite: Vec<String>,
        /// Who writes it (a rater's name).
        #[arg(long, short = 'r')]
        rater: Option<String>,
    },
}

/// Runs `accord quotes`.
pub fn quotes(cmd: &QuotesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        QuotesCommand::Flag {
            project,
            coding,
            label,
            rater,
        } => {
            let mut ws = open(&project.project)?;
            let id = quotes::find_coding(ws.store(), coding)?;
            let by = rater
                .as_deref()
                .map(|name| ws.store().find_rater(name).map(|r| r.rater_id))
                .transpose()?;
            ws.apply("Flag a key quote", quotes::flag(id, label, by))?;
            println!("flagged coding {} as a key quote", short(&id.to_text()));
        }
        QuotesCommand::Unflag { project, coding } => {
            let mut ws = open(&project.project)?;
            let id = quotes::find_coding(ws.store(), coding)?;
            ws.apply(
                "Unflag a key quote",
                crate::app::Command::Memos(crate::app::MemoCommand::UnflagQuote(id)),
            )?;
            println!("coding {} is no longer a key quote", short(&id.to_text()));
        }
        QuotesCommand::List {
            project,
            codes,
            json,
        } => {
            let ws = open_to_read(&project.project)?;
            let data = snapshot(ws.store())?;
            let codes = resolve::code_ids(&data.codebook, codes)?;
            let form = quotes::citation_form(ws.store())?;
            let rows = quotes::rows(&data, &codes, &form);
            if *json {
                output::json(&rows)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut theme = "";
            for row in &rows {
                if row.excerpt.code_path != theme {
                    theme = &row.excerpt.code_path;
                    println!("{theme}");
                }
                let label = if row.label.is_empty() {
                    String::new()
                } else {
                    format!("[{}] ", row.label)
                };
                println!(
                    "  {}  {label}\"{}\" {}",
                    short(&row.excerpt.coding_id.to_text()),
                    output::one_line(&row.excerpt.quote, 100),
                    row.citation
                );
            }
            println!("{} key quotes", rows.len());
        }
        QuotesCommand::Citation { project, form } => match form {
            None => {
                let ws = open_to_read(&project.project)?;
                println!("{}", quotes::citation_form(ws.store())?);
            }
            Some(form) => {
                let command = quotes::set_citation(form)?;
                let mut ws = open(&project.project)?;
                ws.apply("Set the citation form", command)?;
                println!("citation form: {form}");
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord grid`.
pub fn grid(cmd: &GridCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        GridCommand::Show {
            project,
            codes,
            raters,
            consensus,
            attributes,
            json,
        } => {
            let ws = open_to_read(&project.project)?;
            let data = snapshot(ws.store())?;
            let options = GridOptions {
                codes: resolve::code_ids(&data.codebook, codes)?,
                raters: resolve::rater_ids(ws.store(), raters)?,
                consensus: *consensus,
                attributes: super::export::where_pairs(attributes)?,
                counts_only: false,
            };
            let grid = build(&data, &options)?;
            if *json {
                output::json(&grid)?;
                return Ok(ExitCode::SUCCESS);
            }
            for row in &grid.rows {
                let attributes: Vec<String> = row
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                println!("{}  {}", row.case, attributes.join(" "));
                for ((_, path), cell) in grid.codes.iter().zip(&row.cells) {
                    if cell.excerpts.is_empty() && cell.summary.is_none() {
                        continue;
                    }
                    let summary = cell.summary.as_ref().map_or_else(
                        || "(no summary)".to_string(),
                        |s| format!("v{}: {}", s.version, output::one_line(&s.text, 80)),
                    );
                    println!(
                        "    {path}: {} excerpt{}; {summary}",
                        cell.excerpts.len(),
                        if cell.excerpts.len() == 1 { "" } else { "s" }
                    );
                }
            }
            if !grid.unused.is_empty() {
                eprintln!(
                    "note: no case has an excerpt coded {}",
                    grid.unused.join(", ")
                );
            }
            println!("{} cases x {} codes", grid.rows.len(), grid.codes.len());
        }
        GridCommand::Summary {
            project,
            case,
            code,
            text,
            cite,
            rater,
        } => {
            let mut ws = open(&project.project)?;
            let store = ws.store();
            let case_id = store
                .cases()?
                .into_iter()
                .find(|c| c.name.eq_ignore_ascii_case(case.trim()))
                .map(|c| c.case_id)
                .ok_or_else(|| anyhow::anyhow!("no case {case:?} in this project"))?;
            let code_id = resolve::code(&store.codebook()?, code)?;
            let cites = cite
                .iter()
                .map(|c| quotes::find_coding(store, c))
                .collect::<Result<Vec<_>, _>>()?;
            let by = rater
                .as_deref()
                .map(|name| store.find_rater(name).map(|r| r.rater_id))
                .transpose()?;
            let command = crate::app::grid::write(store, (case_id, code_id), text, cites, by)?;
            ws.apply(&format!("Summarise {case} on {code}"), command)?;
            println!(
                "{} summary of {case} on {code}",
                if text.trim().is_empty() {
                    "cleared the"
                } else {
                    "wrote the"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn short(id: &str) -> String {
    id.chars().take(10).collect()
}

/// Arguments of `accord report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Where to write it (standard output for Markdown and HTML when absent).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Replace an existing --out file even when it is not of the report's format.
    #[arg(long)]
    pub force: bool,
    /// markdown, html or docx (default: from --out's extension, else markdown).
    #[arg(long)]
    pub format: Option<String>,
    /// Only these codes (paths, names or ids).
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// The agreement unit: char, turn, sentence, segment or unitizing.
    #[arg(long, default_value = "char")]
    pub unit: String,
    /// A code whose kappa's interval reaches below this is named in the methods.
    #[arg(long, default_value_t = 0.80)]
    pub threshold: f64,
    /// Bootstrap replicates for alpha's interval.
    #[arg(long, default_value_t = 1000)]
    pub replicates: u32,
}

/// Runs `accord report`.
pub fn report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    use crate::app::export::OutputTarget;
    use crate::export::{Format, Request};
    let format = match (&args.format, &args.out) {
        (Some(f), _) => f.parse::<Format>().map_err(|e| anyhow::anyhow!(e))?,
        (None, Some(out)) => Format::from_extension(out).unwrap_or(Format::Markdown),
        (None, None) => Format::Markdown,
    };
    let ws = open_to_read(&args.project.project)?;
    let store = ws.store();
    let options = crate::app::report::ReportOptions {
        agreement: crate::app::agreement::AgreementOptions {
            unit: args.unit.parse().map_err(|e: String| anyhow::anyhow!(e))?,
            stats: crate::agreement::StatOptions {
                bootstrap_replicates: args.replicates,
                ..crate::agreement::StatOptions::default()
            },
            ..crate::app::agreement::AgreementOptions::default()
        },
        codes: resolve::code_ids(&store.codebook()?, &args.codes)?,
        threshold: args.threshold,
    };
    let target = args.out.as_deref().map(|path| OutputTarget {
        path,
        extensions: format.extensions(),
        zip: format.is_zip(),
        project: Some(&args.project.project),
        force: args.force,
    });
    if let Some(target) = &target {
        target.check()?;
    }
    let report = crate::app::report::build(store, &options)?;
    let request = Request::Document {
        what: "the report",
        doc: &report.document,
        table: None,
    };
    let mut bytes = Vec::new();
    crate::export::write(&request, format, &mut bytes)?;
    super::export::emit(target.as_ref(), format, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
