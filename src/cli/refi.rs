//! `accord import-qdpx FILE --out NEW.accord`: a REFI-QDA project from NVivo, ATLAS.ti, MAXQDA,
//! QualCoder or Accord becomes a new project; the report says which position unit each source used
//! and what was left out.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::output;
use crate::app::files::read_qdpx;
use crate::app::refi::import_new_project_keyed;

/// Arguments of `accord import-qdpx`.
#[derive(Debug, Args)]
pub struct ImportQdpxArgs {
    /// The REFI-QDA project (`.qdpx`, or a bare `.qde`).
    pub file: PathBuf,
    /// The new project file to create.
    #[arg(long)]
    pub out: PathBuf,
    /// Encrypt the new project with a passphrase (asked twice, or from `ACCORD_PASSPHRASE`): it is
    /// built encrypted from the start, so no plaintext copy is ever written.
    #[arg(long)]
    pub encrypt: bool,
    /// Import even when some sources' text files cannot be found (those sources and their codings
    /// are left out, and listed).
    #[arg(long)]
    pub allow_missing_sources: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord import-qdpx`.
pub fn import_qdpx(args: &ImportQdpxArgs) -> anyhow::Result<ExitCode> {
    // Asked first, so a mistyped passphrase costs no reading.
    let key = if args.encrypt {
        Some(super::passphrase(&args.out, true)?)
    } else {
        None
    };
    let import = read_qdpx(&args.file)?;
    if !import.missing.is_empty() && !args.allow_missing_sources {
        anyhow::bail!(
            "{}: {} sources cannot be found, so nothing was imported:\n  {}\n(give --allow-missing-sources to import the rest without them)",
            args.file.display(),
            import.missing.len(),
            import.missing.join("\n  ")
        );
    }
    let report = import_new_project_keyed(&args.out, import, key.as_ref())?;
    if args.json {
        output::json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}{}: {} transcripts, {} codes, {} codings, {} raters, {} cases, {} memos (from {})",
        report.project.display(),
        if key.is_some() { " (encrypted)" } else { "" },
        report.transcripts,
        report.codes,
        report.codings,
        report.raters,
        report.cases,
        report.memos,
        if report.origin.is_empty() {
            "an unnamed tool"
        } else {
            &report.origin
        }
    );
    for s in &report.sources {
        println!(
            "  {}: positions in {} ({}); {} codings",
            s.name, s.unit, s.reason, s.codings
        );
    }
    for line in &report.missing {
        println!("  missing: {line}");
    }
    for line in &report.skipped {
        println!("  skipped: {line}");
    }
    for line in &report.warnings {
        println!("  warning: {line}");
    }
    Ok(ExitCode::SUCCESS)
}
