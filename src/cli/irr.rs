//! `accord irr`: agreement statistics on plain data, the way a statistics package computes them: a
//! ratings matrix (`--csv`), or coded spans over a text of N characters (`--spans`, unitizing).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::output;
use crate::agreement::unitize::{
    RaterSpans, Span, TranscriptCodings, UnitKind, binary_unitizing_alpha, unitize,
};
use crate::agreement::{
    Level, STATISTICS, StatOptions, StatsReport, compute_all, formula, ratings_csv,
};

/// Arguments of `accord irr`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).args(["csv", "spans"]))]
pub struct IrrArgs {
    /// A ratings matrix: header `unit,<rater>,...`, one row per unit, an empty cell for a missing rating.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Coded spans: header `rater,code,start,end` (half-open char offsets); needs --length.
    #[arg(long, requires = "length")]
    pub spans: Option<PathBuf>,
    /// Length of the text the spans lie in, in characters.
    #[arg(long)]
    pub length: Option<usize>,
    /// The declared categories, in order (they change AC1, Brennan-Prediger and weighted kappa).
    #[arg(long, value_delimiter = ',')]
    pub categories: Option<Vec<String>>,
    /// Level of measurement for Krippendorff's alpha.
    #[arg(long, default_value = "nominal", value_parser = parse_level)]
    pub level: Level,
    /// Bootstrap replicates for alpha's standard error and interval.
    #[arg(long, default_value_t = 1000)]
    pub replicates: u32,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 20_240_611)]
    pub seed: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_level(text: &str) -> Result<Level, String> {
    text.parse()
}

/// Runs `accord irr`.
pub fn irr(args: &IrrArgs) -> anyhow::Result<ExitCode> {
    let opts = StatOptions {
        level: args.level,
        bootstrap_replicates: args.replicates,
        seed: args.seed,
        ..StatOptions::default()
    };
    if let Some(path) = &args.csv {
        let text = crate::app::read_table(path, "a ratings table")?;
        let data = ratings_csv::parse_ratings(&text, args.categories.as_deref())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let report = compute_all(&data, &opts);
        if args.json {
            output::json(&report.to_json())?;
        } else {
            print_report(&report);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(path), Some(length)) = (&args.spans, args.length) else {
        anyhow::bail!("give --csv FILE, or --spans FILE with --length N");
    };
    spans(path, length, &opts, args.json)
}

/// Prints a report as a table for people.
pub fn print_report(report: &StatsReport) {
    println!(
        "{} units, {} raters, {} declared categories",
        report.n_units, report.n_raters, report.n_categories
    );
    println!(
        "{:<28} {:>8} {:>8}  {:<17}  formula",
        "statistic", "value", "SE", "95% interval"
    );
    for name in STATISTICS {
        let e = report.get(name);
        let value = e.value.map_or("—".to_string(), |v| format!("{v:.4}"));
        let se = e
            .standard_error
            .map_or("—".to_string(), |v| format!("{v:.4}"));
        let ci = e
            .interval
            .map_or("—".to_string(), |(a, b)| format!("{a:.3} .. {b:.3}"));
        println!("{name:<28} {value:>8} {se:>8}  {ci:<17}  {}", formula(name));
    }
    for note in &report.notes {
        println!("note: {note}");
    }
}

fn spans(
    path: &std::path::Path,
    length: usize,
    opts: &StatOptions,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let text = crate::app::read_table(path, "a spans table")?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows: Vec<(String, String, Span)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{}:{line}", path.display()))?;
        let field = |k: usize| record.get(k).map_or("", str::trim);
        let number = |k: usize| {
            field(k).parse::<usize>().with_context(|| {
                format!("{}:{line}: {:?} is not an offset", path.display(), field(k))
            })
        };
        let span = Span {
            start: number(2)?,
            end: number(3)?,
        };
        anyhow::ensure!(
            span.start < span.end && span.end <= length,
            "{}:{line}: span {}..{} is empty or outside 0..{length}",
            path.display(),
            span.start,
            span.end
        );
        rows.push((field(0).to_string(), field(1).to_string(), span));
    }
    let raters: Vec<String> = rows
        .iter()
        .map(|r| r.0.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let codes: BTreeSet<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let mut out = BTreeMap::new();
    for code in codes {
        let by_rater = raters
            .iter()
            .enumerate()
            .map(|(i, name)| RaterSpans {
                rater: i,
                spans: rows
                    .iter()
                    .filter(|r| r.0 == *name && r.1 == code)
                    .map(|r| r.2)
                    .collect(),
            })
            .collect();
        let transcripts = [TranscriptCodings {
            len_chars: length,
            turns: &[],
            sentences: &[],
            by_rater,
        }];
        let ualpha = binary_unitizing_alpha(raters.len(), &transcripts)?;
        let unitized = unitize(&UnitKind::Character, &raters, &transcripts)?;
        let report = compute_all(&unitized.data, opts);
        if !json {
            println!(
                "code {code}: u_alpha_binary {}",
                ualpha.value.map_or_else(
                    || ualpha.undefined_reason.clone().unwrap_or_default(),
                    |v| format!("{v:.4}")
                )
            );
            print_report(&report);
            println!();
        }
        let mut value = report.to_json();
        value["u_alpha_binary"] = ualpha
            .value
            .map_or(serde_json::Value::Null, serde_json::Value::from);
        out.insert(code.to_string(), value);
    }
    if json {
        output::json(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}
