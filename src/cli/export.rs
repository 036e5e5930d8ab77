//! `accord export PROJECT excerpts|matrix|cooccurrence|codebook|agreement|qdc|qdpx`: loads the
//! project once, resolves the filter people typed (names to ids), and hands both to `export::write`,
//! the same function the window's preview calls. Text formats go to standard output without `--out`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::agreement::{parse_rule, parse_unit};
use super::{ProjectPath, open_to_read};
use crate::agreement::StatOptions;
use crate::agreement::project::Unit;
use crate::agreement::unitize::CoverageRule;
use crate::app::Store;
use crate::app::agreement::{AgreementOptions, project_agreement};
use crate::app::agreement_input::Selection;
use crate::app::export::{OutputTarget, snapshot};
use crate::app::resolve;
use crate::export::{
    Columns, ExcerptFilter, Format, MatrixSpec, Measure, Options, ProjectData, Request, write_with,
};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// Coded excerpts (markdown, html, docx, csv, xlsx).
    Excerpts,
    /// Codes x cases or x attribute values (csv, xlsx).
    Matrix,
    /// Code co-occurrence within turns (csv, xlsx).
    Cooccurrence,
    /// The codebook (markdown, docx, csv, xlsx).
    Codebook,
    /// The agreement report (markdown, html, csv, xlsx).
    Agreement,
    /// The codebook as REFI-QDA (.qdc).
    Qdc,
    /// The project as REFI-QDA (.qdpx).
    Qdpx,
    /// The key quotes by theme, with citations (markdown, html, docx, csv, xlsx).
    Quotes,
    /// The summary grid: cases (with attributes) by codes, each cell's summary and excerpts
    /// (markdown, html, docx, csv, xlsx).
    Grid,
}

/// Where an export goes and how it is written.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Where to write (standard output for text formats when absent). Never the project or its
    /// files; an existing file only if it is of the export's format, unless --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file even when it is not of the export's format (never the project,
    /// its files or another project).
    #[arg(long)]
    pub force: bool,
    /// CSV: write cells exactly as they are. By default a cell beginning with =, +, -, @, a tab or
    /// a carriage return gets a leading ' so that spreadsheets show it rather than run it.
    #[arg(long)]
    pub raw_csv: bool,
}

/// Arguments of `accord export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// What to export.
    #[arg(value_enum)]
    pub what: What,
    /// markdown, html, docx, csv, xlsx, qdc or qdpx (default: from --out's extension, else the first
    /// format the export has).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Only these codes (paths, names or ids).
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// Include the codes below each chosen code.
    #[arg(long)]
    pub children: bool,
    /// Only these raters (for agreement: the raters compared).
    #[arg(long, value_delimiter = ',')]
    pub raters: Vec<String>,
    /// Only consensus layers.
    #[arg(long)]
    pub consensus: bool,
    /// Only these transcripts.
    #[arg(long, value_delimiter = ',')]
    pub transcripts: Vec<String>,
    /// Only these cases.
    #[arg(long, value_delimiter = ',')]
    pub cases: Vec<String>,
    /// Only cases with this attribute value, as NAME=VALUE (repeat; values of one name are alternatives).
    #[arg(long = "where", value_name = "NAME=VALUE")]
    pub attributes: Vec<String>,
    /// Matrix columns: `cases`, or the name of a case attribute.
    #[arg(long, default_value = "cases")]
    pub by: String,
    /// Matrix cells: codings, turns or presence.
    #[arg(long, default_value = "codings", value_parser = parse_measure)]
    pub measure: Measure,
    /// Agreement unit: char, turn, sentence, segment or unitizing.
    #[arg(long, default_value = "char", value_parser = parse_unit)]
    pub unit: Unit,
    /// Agreement: minimum overlap for matching segments.
    #[arg(long, default_value_t = 0.9)]
    pub overlap: f64,
    /// Agreement: when a turn or sentence counts as coded (any, majority, full).
    #[arg(long, default_value = "any", value_parser = parse_rule)]
    pub rule: CoverageRule,
    /// Agreement: bootstrap replicates for alpha's interval.
    #[arg(long, default_value_t = 1000)]
    pub replicates: u32,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

fn parse_measure(text: &str) -> Result<Measure, String> {
    text.parse()
}

/// `--where NAME=VALUE` pairs (the values of one name are alternatives): the one reading of every
/// command that filters cases by attribute.
pub(super) fn where_pairs(pairs: &[String]) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in pairs {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--where {pair:?}: expected NAME=VALUE"))?;
        out.entry(name.trim().to_string())
            .or_default()
            .push(value.trim().to_string());
    }
    Ok(out)
}

fn filter(store: &Store, data: &ProjectData, args: &ExportArgs) -> anyhow::Result<ExcerptFilter> {
    let attributes = where_pairs(&args.attributes)?;
    let cases = args
        .cases
        .iter()
        .map(|name| {
            data.cases
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
                .map(|c| c.case_id)
                .ok_or_else(|| anyhow::anyhow!("no case {name:?} in this project"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ExcerptFilter {
        codes: args
            .codes
            .iter()
            .map(|c| resolve::code(&data.codebook, c))
            .collect::<Result<_, _>>()?,
        include_children: args.children,
        raters: resolve::rater_ids(store, &args.raters)?,
        consensus_only: args.consensus,
        transcripts: resolve::transcript_ids(store, &args.transcripts)?,
        cases,
        attributes,
    })
}

fn agreement_options(args: &ExportArgs) -> AgreementOptions {
    AgreementOptions {
        unit: args.unit,
        overlap: args.overlap,
        rule: args.rule,
        stats: StatOptions {
            bootstrap_replicates: args.replicates,
            ..StatOptions::default()
        },
        ..AgreementOptions::default()
    }
}

/// Runs `accord export`.
pub fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.project.project)?;
    let store = ws.store();
    let data = snapshot(store)?;
    let filter = filter(store, &data, args)?;
    let spec = matrix_spec(args, &data)?;
    let report = if args.what == What::Agreement {
        let selection = Selection {
            raters: filter.raters.clone(),
            codes: filter.codes.clone(),
            transcripts: filter.transcripts.clone(),
        };
        Some(project_agreement(
            store,
            &selection,
            &agreement_options(args),
        )?)
    } else {
        None
    };
    let request = match args.what {
        What::Excerpts => Request::Excerpts {
            data: &data,
            filter: &filter,
        },
        What::Matrix => Request::Matrix {
            data: &data,
            filter: &filter,
            spec: &spec,
        },
        What::Cooccurrence => Request::Cooccurrence {
            data: &data,
            filter: &filter,
        },
        What::Codebook | What::Qdc => Request::Codebook {
            book: &data.codebook,
        },
        What::Agreement => match &report {
            Some(report) => Request::Agreement { report },
            None => anyhow::bail!("the agreement report could not be computed"),
        },
        What::Qdpx => Request::Project { data: &data },
        What::Quotes | What::Grid => {
            let (doc, table) = writing_export(store, &data, &filter, args.what)?;
            return finish(
                args,
                &Request::Document {
                    what: if args.what == What::Quotes {
                        "the key quotes"
                    } else {
                        "the summary grid"
                    },
                    doc: &doc,
                    table: Some(&table),
                },
            );
        }
    };
    finish(args, &request)
}

/// The key quotes or the summary grid as a document and a table, in the project's citation form.
fn writing_export(
    store: &Store,
    data: &ProjectData,
    filter: &ExcerptFilter,
    what: What,
) -> anyhow::Result<(crate::export::document::Document, crate::export::Table)> {
    let form = crate::app::quotes::citation_form(store)?;
    if what == What::Quotes {
        let rows = crate::app::quotes::rows(data, &filter.codes, &form);
        return Ok((
            crate::app::quotes::document(data, &rows),
            crate::app::quotes::table(&rows),
        ));
    }
    let grid = crate::app::grid::build(
        data,
        &crate::app::grid::GridOptions {
            codes: filter.codes.clone(),
            raters: filter.raters.clone(),
            consensus: filter.consensus_only,
            attributes: filter.attributes.clone(),
            counts_only: false,
        },
    )?;
    if !grid.unused.is_empty() {
        eprintln!(
            "note: no case has an excerpt coded {}",
            grid.unused.join(", ")
        );
    }
    Ok((
        crate::app::grid::document(data, &grid, &form),
        crate::app::grid::table(&grid, &form),
    ))
}

/// Writes an export where `--out` says (checked first), or text to standard output.
fn finish(args: &ExportArgs, request: &Request<'_>) -> anyhow::Result<ExitCode> {
    let request = *request;
    let format = choose_format(args, &request)?;
    let target = args.output.out.as_deref().map(|path| OutputTarget {
        path,
        extensions: format.extensions(),
        zip: format.is_zip(),
        project: Some(&args.project.project),
        force: args.output.force,
    });
    // Refused before the work, so a mistyped --out costs nothing.
    if let Some(target) = &target {
        target.check()?;
    }
    let mut bytes = Vec::new();
    let options = Options {
        raw_csv: args.output.raw_csv,
    };
    let warnings = write_with(&request, format, options, &mut bytes)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    emit(target.as_ref(), format, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// The matrix's columns and measure; an attribute no case has is an error naming the ones there are.
fn matrix_spec(args: &ExportArgs, data: &ProjectData) -> anyhow::Result<MatrixSpec> {
    let columns = match args.by.as_str() {
        "cases" | "case" => Columns::Cases,
        name => Columns::Attribute(name.to_string()),
    };
    if let Columns::Attribute(name) = &columns
        && args.what == What::Matrix
        && !data.attribute_names().contains(name)
    {
        anyhow::bail!(
            "--by {name:?}: no case has that attribute (attributes: {})",
            data.attribute_names().join(", ")
        );
    }
    Ok(MatrixSpec {
        columns,
        measure: args.measure,
    })
}

/// Writes the export to its file (safely, see [`OutputTarget::write`]), or text to standard output.
pub(super) fn emit(
    out: Option<&OutputTarget<'_>>,
    format: Format,
    bytes: &[u8],
) -> anyhow::Result<()> {
    match out {
        Some(target) => {
            target.write(bytes)?;
            eprintln!(
                "wrote {} ({format}, {} bytes)",
                target.path.display(),
                bytes.len()
            );
        }
        None if format.is_text() => {
            use std::io::Write as _;
            std::io::stdout().write_all(bytes)?;
        }
        None => anyhow::bail!("{format} is a binary format: give --out FILE"),
    }
    Ok(())
}

fn choose_format(args: &ExportArgs, request: &Request<'_>) -> anyhow::Result<Format> {
    let default = match args.what {
        What::Qdc => Format::Qdc,
        What::Qdpx => Format::Qdpx,
        _ => request.formats()[0],
    };
    let format = args
        .format
        .or_else(|| args.output.out.as_deref().and_then(Format::from_extension))
        .unwrap_or(default);
    if args.what == What::Codebook && format == Format::Qdc {
        return Ok(format);
    }
    if matches!(args.what, What::Qdc | What::Qdpx) && format != default {
        anyhow::bail!("{:?} is written as {default}, not {format}", args.what);
    }
    Ok(format)
}
