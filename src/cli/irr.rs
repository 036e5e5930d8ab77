//! `accord irr`: agreement statistics on plain data, the way a statistics package computes them: a
//! ratings matrix (`--csv`), or coded spans over a text of N characters (`--spans`, unitizing).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::output;
use crate::agreement::{Level, STATISTICS, StatOptions, StatsReport, formula};
use crate::app::irr::SpanCodeAgreement;

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
    /// With --spans: a group of mutually exclusive codes (a comma list, or `all`), whose unitizing
    /// alphas (uα, |uα, cuα) are given beside each code's.
    #[arg(long, requires = "spans")]
    pub group: Option<String>,
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
        let report = crate::app::irr::ratings(path, args.categories.as_deref(), &opts)?;
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
    spans(path, length, &opts, args.group.as_deref(), args.json)
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
    group: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let table = crate::app::irr::read_spans(path, length)?;
    // Checked before any code is computed, so a bad group prints nothing else.
    let group = group.map(|spec| table.group(spec)).transpose()?;
    let mut out = BTreeMap::new();
    for code in table.codes(opts) {
        let SpanCodeAgreement {
            code,
            u_alpha,
            report,
        } = code?;
        if !json {
            println!(
                "code {code}: u_alpha_binary {}",
                u_alpha.value.map_or_else(
                    || u_alpha.undefined_reason.clone().unwrap_or_default(),
                    |v| format!("{v:.4}")
                )
            );
            print_report(&report);
            println!();
        }
        let mut value = report.to_json();
        value["u_alpha_binary"] = u_alpha
            .value
            .map_or(serde_json::Value::Null, serde_json::Value::from);
        out.insert(code, value);
    }
    let Some(group) = group else {
        if json {
            output::json(&out)?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let alphas = &group.alphas;
    if json {
        let value = |v: Option<f64>| v.map_or(serde_json::Value::Null, serde_json::Value::from);
        output::json(&serde_json::json!({
            "codes": out,
            "group": {
                "codes": group.codes,
                "u_alpha": value(alphas.u_alpha),
                "u_alpha_binary": value(alphas.u_alpha_binary),
                "cu_alpha": value(alphas.cu_alpha),
                "notes": alphas.notes,
            },
        }))?;
    } else {
        println!("group {}:", group.codes.join(", "));
        let show =
            |v: Option<f64>| v.map_or_else(|| "undefined".to_string(), |v| format!("{v:.4}"));
        println!(
            "  u_alpha        {:>10}  (where and which code)",
            show(alphas.u_alpha)
        );
        println!(
            "  u_alpha_binary {:>10}  (where the group applies, its codes collapsed)",
            show(alphas.u_alpha_binary)
        );
        println!(
            "  cu_alpha       {:>10}  (which code, where both raters marked the group)",
            show(alphas.cu_alpha)
        );
        for note in &alphas.notes {
            println!("note: {note}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
