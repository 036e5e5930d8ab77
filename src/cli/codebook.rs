//! `accord codebook import|export|show`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

use super::{ProjectPath, open, output};
use crate::app::{Command, Outcome, apply_undoable};
use crate::import::codebook_toml;

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
        /// Where to write (standard output when absent).
        #[arg(long)]
        out: Option<PathBuf>,
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
            let mut store = open(&project.project)?;
            store.backup("before-codebook-import")?;
            if let Outcome::Codebook(change) = apply_undoable(
                &mut store,
                "Import a codebook",
                Command::ImportCodebook {
                    book,
                    note: note.clone(),
                },
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
        CodebookCommand::Export { project, out } => {
            let store = open(&project.project)?;
            let text = codebook_toml::write(&store.codebook()?).map_err(|e| anyhow::anyhow!(e))?;
            match out {
                Some(path) => {
                    write_atomic(path, text.as_bytes())?;
                    println!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
        }
        CodebookCommand::Show {
            project,
            full,
            json,
        } => {
            let store = open(&project.project)?;
            let book = store.codebook()?;
            if *json {
                output::json(&book)?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("{} (version {})", book.name, store.codebook_version()?);
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
    let (book, skipped) = codebook_toml::read_file(file)?;
    for line in &skipped {
        println!("skipped: {line}");
    }
    Ok(book)
}

/// Writes a file atomically: a temporary file beside it, then a rename.
pub(crate) fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}
