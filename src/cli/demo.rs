//! `accord demo` (build the demo project) and `accord` without arguments (open the demo, building it
//! on first run, in the user's data folder).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::output;
use crate::app::demo::{DemoSources, build_demo};
use crate::store::{CodingFilter, Store};

/// Arguments of `accord demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo project (default: demo.accord in the user's data folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// The source tree holding samples/ and codebooks/ (default: the current folder, else the tree
    /// Accord was built from).
    #[arg(long)]
    pub source: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The demo project's default place.
pub fn default_demo_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Accord", "Accord")
        .ok_or_else(|| anyhow::anyhow!("no home folder is known; give --out"))?;
    std::fs::create_dir_all(dirs.data_dir())?;
    Ok(dirs.data_dir().join("demo.accord"))
}

/// Builds the demo project.
pub fn demo(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let path = match &args.out {
        Some(p) => p.clone(),
        None => default_demo_path()?,
    };
    if args.force && path.exists() {
        std::fs::remove_file(&path)?;
    }
    let sources = args
        .source
        .as_deref()
        .map_or_else(DemoSources::locate, DemoSources::under);
    let report = build_demo(&path, &sources)?;
    if args.json {
        output::json(&serde_json::json!({ "path": path, "report": report }))?;
    } else {
        println!(
            "Built {}: {} transcripts, {} codes, {} cases with attributes, {} codings by {}.",
            path.display(),
            report.transcripts,
            report.codes,
            report.cases,
            report.codings,
            report.raters.join(" and ")
        );
        println!("Try: accord show {} P01_interview", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `accord` with no arguments: until the window exists, opens the demo project on the command line.
pub fn open_default() -> anyhow::Result<ExitCode> {
    let path = default_demo_path()?;
    if !path.exists() {
        let report = build_demo(&path, &DemoSources::locate())?;
        println!(
            "First run: built the demo project ({} transcripts, {} codings).",
            report.transcripts, report.codings
        );
    }
    let store = Store::open(&path)?;
    let transcripts = store.transcripts()?;
    let codings = store.codings(&CodingFilter::default())?;
    println!("Accord: {} ({})", store.project_name()?, path.display());
    println!(
        "{} transcripts, {} codes, {} raters, {} codings. The window is not built yet; the command line does everything:",
        transcripts.len(),
        store.codebook()?.codes.len(),
        store.raters()?.len(),
        codings.len()
    );
    for t in transcripts.iter().take(12) {
        println!(
            "  {:<16} case {:<5} {:>4} turns  {}",
            t.name,
            t.case_name.as_deref().unwrap_or("-"),
            t.turn_count,
            t.format
        );
    }
    let p = path.display();
    println!(
        "\n  accord show {p} {}",
        transcripts.first().map_or("NAME", |t| t.name.as_str())
    );
    println!("  accord codebook show {p}");
    println!("  accord codings list {p} --code Peerness");
    println!("  accord --help");
    Ok(ExitCode::SUCCESS)
}
