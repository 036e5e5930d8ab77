//! `accord demo` (build the demo project) and `accord` without arguments (open the demo, building it
//! on first run, in the user's data folder).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Next, output};
use crate::app::demo::{DemoSources, build_demo};
use crate::model::CodingFilter;

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
        // --force replaces an earlier demo, never a study: anything else is refused.
        let is_demo = crate::app::demo::is_demo(&path);
        anyhow::ensure!(
            is_demo,
            "{}: not the demo project, so --force does not replace it; give another --out",
            path.display()
        );
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

/// Where the last project opened in the window is remembered.
fn last_project_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "Accord", "Accord")
        .map(|d| d.data_dir().join("last-project.txt"))
}

/// Remembers the project the window opens, for the next `accord` without arguments.
#[cfg(feature = "gui")]
pub fn remember_last_project(path: &std::path::Path) {
    let (Some(file), Ok(abs)) = (last_project_file(), std::path::absolute(path)) else {
        return;
    };
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(file, abs.display().to_string());
}

/// The project `accord` alone opens: the last one opened in the window if it still exists, else the
/// demo project (built on first run).
pub fn default_project() -> anyhow::Result<PathBuf> {
    if let Some(text) = last_project_file().and_then(|f| std::fs::read_to_string(f).ok()) {
        let path = PathBuf::from(text.trim());
        if path.is_file() {
            return Ok(path);
        }
    }
    let path = default_demo_path()?;
    if !path.exists() {
        let report = build_demo(&path, &DemoSources::locate())?;
        eprintln!(
            "First run: built the demo project ({} transcripts, {} codings) at {}.",
            report.transcripts,
            report.codings,
            path.display()
        );
    }
    Ok(path)
}

/// `accord` with no arguments: the last project (or the demo) in the window when `window` says one
/// can open; without a display (or in a build without the window) it says so and prints an overview
/// with commands to try.
pub fn open_default(window: bool) -> anyhow::Result<Next> {
    let path = default_project()?;
    #[cfg(feature = "gui")]
    {
        if window {
            remember_last_project(&path);
            return Ok(Next::Window(path));
        }
        eprintln!(
            "No display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot open; here is the project on the command line."
        );
    }
    #[cfg(not(feature = "gui"))]
    let _ = window;
    overview(&path).map(Next::Done)
}

/// `accord open FILE`: the window on a project.
pub fn open_in_window(path: &std::path::Path) -> anyhow::Result<Next> {
    // An encrypted project is a project too: the window asks for its passphrase.
    crate::app::open::is_encrypted(path)?;
    #[cfg(feature = "gui")]
    {
        remember_last_project(path);
        Ok(Next::Window(path.to_path_buf()))
    }
    #[cfg(not(feature = "gui"))]
    {
        anyhow::bail!(
            "this build of Accord has no window (built without the `gui` feature); use the other subcommands"
        )
    }
}

/// Prints a project overview with commands to try.
fn overview(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let ws = super::open(path)?;
    let store = ws.store();
    let transcripts = store.transcripts()?;
    let codings = store.codings(&CodingFilter::default())?;
    println!("Accord: {} ({})", store.project_name()?, path.display());
    println!(
        "{} transcripts, {} codes, {} raters, {} codings. The command line does everything the window does:",
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
