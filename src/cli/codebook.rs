//! `accord codebook import|export|show`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{ProjectPath, open, open_to_read, output};
use crate::app::export::OutputTarget;
use crate::app::{Command, Outcome, files};

/// `accord codebook ...`
#[derive(Debug, Subcommand)]
pub enum CodebookCommand {
    /// Import a codebook file (TOML, or REFI-QDA .qdc); codes are matched by id, new ones added, none
    /// deleted.
    Import {
        #[command(flatten)]
        project: ProjectPath,
        /// The codebook file.
        file: PathBuf,
        /// A note for the new codebook version.
        #[arg(long, default_value = "imported")]
        note: String,
    },
    /// Write the codebook as TOML (to a file, or standard output).
    Export {
        #[command(flatten)]
        project: ProjectPath,
        /// Where to write (standard output when absent). Never the project or its files; an
        /// existing file only if it is a .toml text file, unless --force.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing --out file even when it is not a .toml file (never the project, its
        /// files or another project).
        #[arg(long)]
        force: bool,
    },
    /// Print the codebook as a tree, with definitions.
    Show {
        #[command(flatten)]
        project: ProjectPath,
        /// Include every structured field.
        #[arg(long)]
        full: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a codebook subcommand.
pub fn run(cmd: &CodebookCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CodebookCommand::Import {
            project,
            file,
            note,
        } => {
            let book = read_codebook_file(file)?;
            let mut ws = open(&project.project)?;
            ws.store().backup("before-codebook-import")?;
            if let Outcome::Codebook(change) = ws.apply(
                "Import a codebook",
                Command::Codebook(crate::app::CodebookCommand::Import {
                    book,
                    note: note.clone(),
                }),
            )? {
                println!(
                    "codebook version {}: {} codes added, {} updated, {} kept (not in the file)",
                    change.version,
                    change.added.len(),
                    change.updated.len(),
                    change.kept.len()
                );
            }
        }
        CodebookCommand::Export {
            project,
            out,
            force,
        } => {
            let target = out.as_deref().map(|path| OutputTarget {
                path,
                extensions: &["toml"],
                zip: false,
                project: Some(&project.project),
                force: *force,
            });
            if let Some(target) = &target {
                target.check()?;
            }
            let ws = open_to_read(&project.project)?;
            let text =
                files::codebook_toml(&ws.store().codebook()?).map_err(|e| anyhow::anyhow!(e))?;
            match (target, out) {
                (Some(target), Some(path)) => {
                    target.write(text.as_bytes())?;
                    println!("wrote {}", path.display());
                }
                _ => print!("{text}"),
            }
        }
        CodebookCommand::Show {
            project,
            full,
            json,
        } => {
            let ws = open_to_read(&project.project)?;
            let book = ws.store().codebook()?;
            if *json {
                output::json(&book)?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("{} (version {})", book.name, ws.store().codebook_version()?);
            for (depth, code) in book.tree_order() {
                let indent = "  ".repeat(depth);
                println!(
                    "{indent}{} {}  {}",
                    code.colour,
                    code.name,
                    output::one_line(&code.short_definition, 70)
                );
                if *full {
                    for (label, value) in [
                        ("definition", &code.definition),
                        ("when to use", &code.when_to_use),
                        ("when not to use", &code.when_not_to_use),
                        ("example", &code.example),
                    ] {
                        if !value.is_empty() {
                            print!(
                                "{}",
                                output::wrap(
                                    &format!("{label}: {value}"),
                                    90,
                                    &format!("{indent}    ")
                                )
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a codebook file: REFI-QDA when it ends in `.qdc` (what was left out is printed), else TOML;
/// within a size limit, and only a regular file (see `import::codebook_toml::read_file`).
fn read_codebook_file(file: &std::path::Path) -> anyhow::Result<crate::model::Codebook> {
    let (book, skipped) = files::read_codebook(file)?;
    for line in &skipped {
        println!("skipped: {line}");
    }
    Ok(book)
}
