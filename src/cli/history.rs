//! `accord undo`, `accord redo` and `accord history` (undo and redo outlive the session: they are
//! kept in the project file with each change), and `accord backup` and `accord restore` (whole
//! copies of the project in `<file>.backups/`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ProjectPath, open, open_to_read, output};
use crate::app::project_file::{self, backups_dir, list_backups};
use crate::app::{Command, Outcome, ProjectCommand, Workspace};

/// Arguments of `accord history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Also print the audit log (every change ever made, with its details).
    #[arg(long)]
    pub audit: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `accord restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The backup to restore (a file, or its number in --list; default: the newest).
    pub backup: Option<String>,
    /// List the backups instead.
    #[arg(long)]
    pub list: bool,
}

/// Runs `accord undo` (`redo` false) or `accord redo`.
pub fn undo_redo(args: &ProjectPath, redo: bool) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project)?;
    let done = if redo { ws.redo()? } else { ws.undo()? };
    match done {
        Some(label) => println!("{}: {label}", if redo { "redid" } else { "undid" }),
        None => println!("nothing to {}", if redo { "redo" } else { "undo" }),
    }
    if let Some(next) = ws.undo_label() {
        println!("next undo: {next}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord history`.
pub fn history(args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.project.project)?;
    let store = ws.store();
    let steps = store.steps()?;
    if args.json {
        let audit = if args.audit {
            store.audit_log()?
        } else {
            Vec::new()
        };
        output::json(&serde_json::json!({ "steps": steps, "audit": audit }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for s in steps.iter().rev() {
        println!(
            "{:>5}  {}  {:<7} {}",
            s.step_id,
            s.at,
            if s.done { "done" } else { "undone" },
            s.label
        );
    }
    println!(
        "{} steps kept; `accord undo` undoes the newest done one, `accord redo` redoes the oldest undone one",
        steps.len()
    );
    if args.audit {
        println!("\naudit log:");
        for e in store.audit_log()? {
            println!(
                "{:>6}  {}  {:<10} {:<12} {}",
                e.seq,
                e.at,
                e.action,
                e.entity,
                output::one_line(&e.detail, 80)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord backup`.
pub fn backup(args: &ProjectPath) -> anyhow::Result<ExitCode> {
    let ws = open(&args.project)?;
    let store = ws.store();
    match store.backup("by-hand")? {
        Some(path) => println!("backed up to {}", path.display()),
        None => println!("nothing to back up"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord restore`.
pub fn restore(args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let project = &args.project.project;
    let backups = list_backups(project)?;
    if args.list || backups.is_empty() {
        if backups.is_empty() {
            println!("no backups in {}", backups_dir(project).display());
        }
        for (i, b) in backups.iter().enumerate() {
            println!(
                "{:>3}. {}  {:<16} {:>9} bytes  {}",
                i + 1,
                b.taken,
                b.reason,
                b.bytes,
                b.path.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let chosen: PathBuf = match &args.backup {
        None => backups.last().map(|b| b.path.clone()).unwrap_or_default(),
        Some(n) if n.parse::<usize>().is_ok() => {
            let i: usize = n.parse()?;
            backups
                .get(i.wrapping_sub(1))
                .map(|b| b.path.clone())
                .ok_or_else(|| {
                    anyhow::anyhow!("there is no backup {i} (see accord restore --list)")
                })?
        }
        Some(path) => PathBuf::from(path),
    };
    let key = super::passphrase_if_encrypted(project)?;
    let opened = match &key {
        Some(key) => project_file::open_encrypted(project, key),
        None => project_file::open_plain(project),
    };
    let before = match opened {
        // The project opens: restoring is a command on it, as in the window.
        Ok(store) => {
            let command = Command::Project(ProjectCommand::Restore {
                backup: chosen.clone(),
            });
            let Outcome::Restored { kept, .. } = Workspace::new(store).apply("restore", command)?
            else {
                anyhow::bail!("nothing was restored");
            };
            kept
        }
        // Too damaged to open (or not to be opened with that passphrase): restored by its path,
        // which says why when it cannot be.
        Err(_) => project_file::restore(project, &chosen, key.as_ref())?,
    };
    println!(
        "restored {} from {}; the project as it was is kept in {}",
        project.display(),
        chosen.display(),
        before.map_or_else(|| "-".to_string(), |p| p.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}
