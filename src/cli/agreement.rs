//! `accord agreement` (the per-code table of a project, worst first, and the pooled row) and
//! `accord disagreements` (each place where the raters differ).

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{ProjectPath, open_to_read, output};
use crate::agreement::project::{ProjectAgreement, Unit};
use crate::agreement::unitize::CoverageRule;
use crate::agreement::{Estimate, StatOptions};
use crate::app::Store;
use crate::app::agreement::{AgreementOptions, disagreements, project_agreement};
use crate::app::agreement_input::Selection;
use crate::app::breakdown::{By, Statistic};
use crate::app::resolve;
use crate::export;

/// Output formats of the agreement table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// JSON with every statistic.
    Json,
    /// CSV, one row per code.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// What to compare and how (shared by `agreement` and `disagreements`).
#[derive(Debug, Args)]
pub struct SelectionArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Raters to compare (default: every human rater).
    #[arg(long, value_delimiter = ',')]
    pub raters: Vec<String>,
    /// Codes to report (default: every code used).
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// Transcripts (default: all that every compared rater has coded).
    #[arg(long, value_delimiter = ',')]
    pub transcripts: Vec<String>,
    /// The unit: char (as NVivo), turn, sentence, segment (as MAXQDA) or unitizing (as ATLAS.ti).
    #[arg(long, default_value = "char", value_parser = parse_unit)]
    pub unit: Unit,
    /// Minimum overlap for matching segments (segment unit), in (0, 1].
    #[arg(long, default_value_t = 0.9)]
    pub overlap: f64,
    /// When a turn or sentence counts as coded: any (one character), majority, or full.
    #[arg(long, default_value = "any", value_parser = parse_rule)]
    pub rule: CoverageRule,
    /// Bootstrap replicates for alpha's interval.
    #[arg(long, default_value_t = 1000)]
    pub replicates: u32,
    /// Intra-rater agreement: this rater against their second pass(es).
    #[arg(long, conflicts_with = "raters")]
    pub intra: Option<String>,
}

pub(crate) fn parse_unit(text: &str) -> Result<Unit, String> {
    text.parse()
}

pub(crate) fn parse_rule(text: &str) -> Result<CoverageRule, String> {
    match text.to_ascii_lowercase().as_str() {
        "any" => Ok(CoverageRule::AnyOverlap),
        "majority" => Ok(CoverageRule::Majority),
        "full" => Ok(CoverageRule::Full),
        _ => Err(format!(
            "unknown rule {text:?} (expected any, majority or full)"
        )),
    }
}

/// Arguments of `accord agreement`.
#[derive(Debug, Args)]
// Each flag of the command is a bool of its own, as clap gives them.
#[allow(clippy::struct_excessive_bools)]
pub struct AgreementArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Each rater (those given, or every human rater) against the consensus layer, one report each.
    #[arg(long, conflicts_with = "intra")]
    pub against_consensus: bool,
    /// List every compared and left-out transcript in the table's header (it names the first few).
    #[arg(long)]
    pub verbose: bool,
    /// Add a roll-up row for each parent code: agreement on the union of it and its sub-codes.
    #[arg(long)]
    pub rollup: bool,
    /// A breakdown table: a column per transcript, per rater pair (three or more raters) or per
    /// value of a case attribute (such as arm or site).
    #[arg(long, value_name = "transcript|pair|ATTRIBUTE", value_parser = parse_by, conflicts_with = "against_consensus")]
    pub by: Option<By>,
    /// The statistic in each cell of --by: kappa (default), alpha, agreement, ac1, or any name
    /// `accord irr --json` prints.
    #[arg(long, value_parser = parse_statistic, requires = "by")]
    pub statistic: Option<Statistic>,
    /// The code-confusion matrix of each pair of raters instead of the per-code table: which code
    /// one rater applied where the other applied which.
    #[arg(long, conflicts_with = "by")]
    pub confusion: bool,
    /// With --unit unitizing: a row per code group the codebook declares (all, or those named),
    /// with its unitizing alphas (uα, |uα, cuα), and Cuα over the groups.
    #[arg(long, value_name = "GROUPS", num_args = 0.., value_delimiter = ',', conflicts_with_all = ["by", "confusion", "against_consensus"])]
    pub groups: Option<Vec<String>>,
}

fn parse_by(text: &str) -> Result<By, String> {
    text.parse()
}

fn parse_statistic(text: &str) -> Result<Statistic, String> {
    text.parse()
}

/// Arguments of `accord disagreements`.
#[derive(Debug, Args)]
pub struct DisagreementsArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn resolve_selection(
    store: &Store,
    args: &SelectionArgs,
) -> anyhow::Result<(Selection, AgreementOptions)> {
    let book = store.codebook()?;
    let raters = match &args.intra {
        Some(name) => crate::app::agreement::intra_raters(store, store.find_rater(name)?.rater_id)?,
        None => resolve::rater_ids(store, &args.raters)?,
    };
    let selection = Selection {
        raters,
        codes: resolve::code_ids(&book, &args.codes)?,
        transcripts: resolve::transcript_ids(store, &args.transcripts)?,
    };
    let options = AgreementOptions {
        unit: args.unit,
        overlap: args.overlap,
        rule: args.rule,
        stats: StatOptions {
            bootstrap_replicates: args.replicates,
            ..StatOptions::default()
        },
        ..AgreementOptions::default()
    };
    Ok((selection, options))
}

/// Runs `accord agreement`.
pub fn agreement(args: &AgreementArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.selection.project.project)?;
    let store = ws.store();
    let (selection, mut options) = resolve_selection(store, &args.selection)?;
    options.rollup = args.rollup;
    if args.confusion {
        return super::confusion::print(store, &selection, &options, args);
    }
    if let Some(by) = &args.by {
        let statistic = args.statistic.unwrap_or_default();
        let table = crate::app::breakdown::breakdown(store, &selection, &options, by, statistic)?;
        super::breakdown::print(&table, args.format)?;
        let all = table.columns.first();
        if let Some(why) = crate::app::agreement_input::why_nothing_compared(
            &table.raters,
            all.map_or(0, |c| c.transcripts.len()),
            &table.excluded,
        ) {
            match args.format {
                Format::Json | Format::Csv => eprintln!("{why}"),
                Format::Markdown | Format::Table => println!("\n{why}"),
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.against_consensus {
        let reports = crate::app::agreement::against_consensus(store, &selection, &options)?;
        match args.format {
            Format::Json => output::json(&reports)?,
            Format::Csv => {
                for r in &reports {
                    print!("{}", export::agreement::to_table(r).to_csv()?);
                }
            }
            Format::Markdown => reports
                .iter()
                .for_each(|r| println!("{}", export::agreement::to_markdown(r))),
            Format::Table => reports
                .iter()
                .for_each(|r| println!("{}", table(r, args.verbose))),
        }
        // Why a rater's comparison with the consensus is empty (as below for raters together).
        for r in &reports {
            if let Some(why) = crate::app::agreement_input::why_nothing_compared(
                &r.raters,
                r.transcripts.len(),
                &r.excluded,
            ) {
                match args.format {
                    Format::Json | Format::Csv => eprintln!("{why}"),
                    Format::Markdown | Format::Table => println!("\n{why}"),
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Groups checked before anything is computed or printed, so a bad name prints only its error.
    let groups = match &args.groups {
        None => None,
        Some(_) if options.unit != Unit::Unitizing => anyhow::bail!(
            "--groups gives each code group's unitizing alphas: use it with --unit unitizing"
        ),
        Some(names) => Some(crate::app::code_groups::chosen(&store.codebook()?, names)?),
    };
    let report = project_agreement(store, &selection, &options)?;
    let groups = groups
        .map(|g| crate::app::code_groups::report_on(store, &selection, &g))
        .transpose()?;
    print_report(&report, groups.as_ref(), args)?;
    // Why an empty comparison is empty: after the table, or on stderr beside data (JSON, CSV).
    if let Some(why) = crate::app::agreement_input::why_nothing_compared(
        &report.raters,
        report.transcripts.len(),
        &report.excluded,
    ) {
        match args.format {
            Format::Json | Format::Csv => eprintln!("{why}"),
            Format::Markdown | Format::Table => println!("\n{why}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord disagreements`.
pub fn list_disagreements(args: &DisagreementsArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.selection.project.project)?;
    let store = ws.store();
    let (selection, options) = resolve_selection(store, &args.selection)?;
    let list = disagreements(store, &selection, &options)?;
    // No disagreement because nothing was compared is not agreement: say why (on stderr beside JSON).
    let why = if list.is_empty() {
        crate::app::agreement_input::why_selection_compares_nothing(store, &selection)?
    } else {
        None
    };
    if args.json {
        output::json(&list)?;
        if let Some(why) = &why {
            eprintln!("{why}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    for d in &list {
        println!(
            "{:<40} {:<16} {:>6}..{:<6} coded by {:<24} not by {:<24} \"{}\"",
            output::one_line(&d.code, 40),
            d.transcript,
            d.start,
            d.end,
            d.coded_by.join(", "),
            d.not_coded_by.join(", "),
            output::one_line(&d.text, 60)
        );
    }
    println!("{} disagreements", list.len());
    if let Some(why) = &why {
        println!("\n{why}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the per-code report, and the code groups' rows after it (`--groups`).
fn print_report(
    report: &ProjectAgreement,
    groups: Option<&crate::app::code_groups::GroupsReport>,
    args: &AgreementArgs,
) -> anyhow::Result<()> {
    match (args.format, groups) {
        (Format::Json, None) => output::json(report)?,
        (Format::Json, Some(groups)) => output::json(&serde_json::json!({
            "report": report,
            "groups": groups,
        }))?,
        (Format::Csv, _) => {
            print!("{}", export::agreement::to_table(report).to_csv()?);
            if let Some(groups) = groups {
                print!("\n{}", export::agreement::groups_table(groups).to_csv()?);
            }
        }
        (Format::Markdown, _) => {
            print!("{}", export::agreement::to_markdown(report));
            if let Some(groups) = groups {
                print!("\n{}", export::agreement::groups_markdown(groups));
            }
        }
        (Format::Table, _) => {
            print!("{}", table(report, args.verbose));
            if let Some(groups) = groups {
                print!("\n{}", groups_table(groups));
            }
        }
    }
    Ok(())
}

/// The code groups' rows, aligned, with Cuα and what each figure is.
fn groups_table(report: &crate::app::code_groups::GroupsReport) -> String {
    let alpha = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.3}"));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<40} {:>9} {:>9} {:>9}  codes",
        "code group", "u_alpha", "|u_alpha", "cu_alpha"
    );
    for g in &report.groups {
        let a = &g.alphas;
        let _ = writeln!(
            out,
            "{:<40} {:>9} {:>9} {:>9}  {}",
            output::one_line(&g.group, 40),
            alpha(a.u_alpha),
            alpha(a.u_alpha_binary),
            alpha(a.cu_alpha),
            g.codes.join("; ")
        );
        for note in &a.notes {
            let _ = writeln!(out, "  {}: {note}", output::one_line(&g.group, 40));
        }
    }
    let _ = writeln!(
        out,
        "{:<40} {:>9} {:>9} {:>9}",
        "Cu_alpha (all groups)",
        "",
        "",
        alpha(report.cu_alpha_all)
    );
    for note in &report.notes {
        let _ = writeln!(out, "  {note}");
    }
    let _ = writeln!(out, "\n{}", crate::app::code_groups::GROUPS_LEGEND);
    out
}

fn num(e: &Estimate) -> String {
    e.value.map_or("—".into(), |v| format!("{v:.3}"))
}

fn ci(e: &Estimate) -> String {
    e.interval
        .map_or(String::new(), |(a, b)| format!("[{a:.2}, {b:.2}]"))
}

/// How many transcripts the table's header names without `--verbose` (the count is always there).
const HEADER_NAMES: usize = 5;

/// The first names of `names` (all when `verbose` or when there are few), then how many more.
pub(super) fn some_names(names: &[String], verbose: bool) -> String {
    if verbose || names.len() <= HEADER_NAMES {
        return names.join(", ");
    }
    format!(
        "{} and {} more (--verbose lists them)",
        names[..HEADER_NAMES].join(", "),
        names.len() - HEADER_NAMES
    )
}

fn header(report: &ProjectAgreement, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", report.description);
    let _ = writeln!(
        out,
        "Raters: {}. Transcripts ({}): {}.",
        report.raters.join(", "),
        report.transcripts.len(),
        some_names(&report.transcripts, verbose)
    );
    let shown = if verbose {
        report.excluded.len()
    } else {
        HEADER_NAMES
    };
    for e in report.excluded.iter().take(shown) {
        let _ = writeln!(
            out,
            "Left out: {} (not coded by {}).",
            e.transcript,
            e.not_coded_by.join(", ")
        );
    }
    if report.excluded.len() > shown {
        let _ = writeln!(
            out,
            "Left out: {} more transcripts not coded by every compared rater (--verbose lists them).",
            report.excluded.len() - shown
        );
    }
    out
}

fn table(report: &ProjectAgreement, verbose: bool) -> String {
    let mut out = header(report, verbose);
    let kappa = report
        .rows
        .first()
        .map_or("kappa", |r| r.kappa_name.as_str());
    let _ = writeln!(
        out,
        "\n{:<52} {:>9} {:>7} {:>7} {:<16} {:>7} {:<16} {:>7} {:>6}",
        "code", "units", "agree", "kappa", "", "alpha", "", "AC1", "diffs"
    );
    let rows = report.rows.iter().chain(report.pooled.iter());
    for r in rows {
        let _ = writeln!(
            out,
            "{:<52} {:>9} {:>7} {:>7} {:<16} {:>7} {:<16} {:>7} {:>6}",
            output::one_line(&r.code, 52),
            r.units,
            num(&r.percent_agreement),
            num(&r.kappa),
            ci(&r.kappa),
            num(&r.alpha),
            ci(&r.alpha),
            num(&r.gwet_ac1),
            r.disagreements
        );
    }
    let _ = writeln!(
        out,
        "\nkappa = {kappa}; alpha = Krippendorff's alpha (nominal); worst first; intervals 95%."
    );
    let notes: Vec<&String> = report
        .rows
        .iter()
        .flat_map(|r| r.statistics.notes.iter())
        .filter(|n| n.starts_with("kappa paradox"))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(
            out,
            "{} codes show the kappa paradox (high raw agreement, low kappa); see their AC1.",
            notes.len()
        );
    }
    out
}
