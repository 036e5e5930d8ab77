//! `accord codebook import|export|group|groups|show`.

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
    /// Declare a group of mutually exclusive codes (or replace the group of that name), or delete
    /// one with --delete. Agreement then reports the group's unitizing alphas
    /// (`accord agreement --unit unitizing --groups`).
    Group {
        #[command(flatten)]
        project: ProjectPath,
        /// The group's name.
        name: String,
        /// Its codes (names or paths), at least two; no code may be in two groups.
        #[arg(long, value_delimiter = ',', required_unless_present = "delete")]
        codes: Vec<String>,
        /// What the group stands for.
        #[arg(long, default_value = "")]
        description: String,
        /// Delete the group (its codes stay).
        #[arg(long, conflicts_with_all = ["codes", "description"])]
        delete: bool,
    },
    /// List the groups of mutually exclusive codes.
    Groups {
        #[command(flatten)]
        project: ProjectPath,
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
        CodebookCommand::Group {
            project,
            name,
            codes,
            description,
            delete,
        } => group(project, name, codes, description, *delete)?,
        CodebookCommand::Groups { project, json } => list_groups(project, *json)?,
        CodebookCommand::Show {
            project,
            full,
            json,
        } => show(project, *full, *json)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `accord codebook show`: the tree, each code's short definition (every field with `full`), then
/// the groups.
fn show(project: &ProjectPath, full: bool, json: bool) -> anyhow::Result<()> {
    let ws = open_to_read(&project.project)?;
    let book = ws.store().codebook()?;
    if json {
        output::json(&book)?;
        return Ok(());
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
        if full {
            for (label, value) in [
                ("definition", &code.definition),
                ("when to use", &code.when_to_use),
                ("when not to use", &code.when_not_to_use),
                ("example", &code.example),
            ] {
                if !value.is_empty() {
                    print!(
                        "{}",
                        output::wrap(&format!("{label}: {value}"), 90, &format!("{indent}    "))
                    );
                }
            }
        }
    }
    for (name, _, codes) in crate::export::codebook::groups(&book) {
        println!("group {name}: {}", codes.join("; "));
    }
    Ok(())
}

/// `accord codebook groups`: each group with its codes (and description).
fn list_groups(project: &ProjectPath, json: bool) -> anyhow::Result<()> {
    let ws = open_to_read(&project.project)?;
    let book = ws.store().codebook()?;
    let groups = crate::export::codebook::groups(&book);
    if json {
        let list: Vec<_> = groups
                    .iter()
                    .map(|(name, description, codes)| {
                        serde_json::json!({"name": name, "description": description, "codes": codes})
                    })
                    .collect();
        output::json(&list)?;
        return Ok(());
    }
    if groups.is_empty() {
        println!(
            "no code groups (declare one with `accord codebook group PROJECT NAME --codes A,B`)"
        );
    }
    for (name, description, codes) in groups {
        println!("{name}: {}", codes.join("; "));
        if !description.is_empty() {
            print!("{}", output::wrap(&description, 90, "    "));
        }
    }
    Ok(())
}

/// `accord codebook group`: declares, replaces or deletes a code group, as one undoable change.
fn group(
    project: &ProjectPath,
    name: &str,
    codes: &[String],
    description: &str,
    delete: bool,
) -> anyhow::Result<()> {
    let mut ws = open(&project.project)?;
    let book = ws.store().codebook()?;
    let (book, label) = if delete {
        (
            crate::app::codes::without_group(&book, name)?,
            format!("Delete code group {}", name.trim()),
        )
    } else {
        let group = crate::model::CodeGroup {
            name: name.trim().to_string(),
            description: description.trim().to_string(),
            codes: crate::app::resolve::code_ids(&book, codes)?,
        };
        (
            crate::app::codes::with_group(&book, group)?,
            format!("Declare code group {}", name.trim()),
        )
    };
    let outcome = ws.apply(
        &label,
        Command::Edit(Box::new(crate::model::Edit {
            codebook: Some(book),
            action: if delete {
                "delete-code-group"
            } else {
                "code-group"
            }
            .into(),
            ..crate::model::Edit::default()
        })),
    )?;
    if let Outcome::Edited(report) = outcome {
        if report.codebook_changed {
            println!("{label}: codebook version {}", report.codebook_version);
        } else {
            println!("{label}: nothing changed (the group was already so)");
        }
    }
    Ok(())
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
