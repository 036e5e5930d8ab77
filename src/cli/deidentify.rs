//! `accord deidentify`: apply a pseudonym list to a project. Without `--apply` it only shows what
//! would change (every name, how often and where, and what it becomes), for review; with it, the
//! project's text is rewritten and the old text purged from the file, the search index and the
//! backups.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ProjectPath, open, output};
use crate::app::files::read_pseudonyms;
use crate::app::{AppError, Command, Outcome, ProjectCommand};

/// Arguments of `accord deidentify`.
#[derive(Debug, Args)]
pub struct DeidentifyArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The pseudonym list: a CSV of `real name,pseudonym` rows (keep it off shared drives).
    #[arg(long)]
    pub list: PathBuf,
    /// Rewrite the project (without it, only the preview is shown). It cannot be undone.
    #[arg(long)]
    pub apply: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord deidentify`.
pub fn deidentify(args: &DeidentifyArgs) -> anyhow::Result<ExitCode> {
    let list = read_pseudonyms(&args.list)?;
    let path = &args.project.project;
    let mut ws = open(path)?;
    let review = ws.deidentify_preview(&list)?;
    if !args.apply {
        if args.json {
            output::json(&review)?;
            return Ok(ExitCode::SUCCESS);
        }
        for n in &review.names {
            println!("{} -> {}: {} times", n.name, n.pseudonym, n.occurrences);
            if let Some(c) = &n.conflict {
                println!("    CONFLICT: this project already calls {} {c:?}", n.name);
            }
            for (t, count) in &n.transcripts {
                println!("    {t}: {count}");
            }
            for s in &n.samples {
                println!("    {s}");
            }
        }
        println!(
            "{} transcripts would get a new version. Nothing has changed; run again with --apply to \
             rewrite the project (this cannot be undone; backups holding the old text are deleted).",
            review.transcripts
        );
        return Ok(ExitCode::SUCCESS);
    }
    let command = Command::Project(ProjectCommand::Deidentify(Box::new(list)));
    let Outcome::Deidentified(done) = ws.apply("De-identify the project", command)? else {
        return Err(AppError::Invalid("nothing was de-identified".into()).into());
    };
    if args.json {
        output::json(&done)?;
    } else {
        println!(
            "de-identified: {} transcripts got a new version ({} names replaced, {} codings carried \
             over, {} other texts scrubbed); the file was vacuumed, the search index rebuilt, and the \
             old backups replaced by {}. Copies outside the project's folder are not reached: \
             delete any rater files, exports or moved copies of the project that hold the old text.",
            done.applied.transcripts,
            done.applied.replacements,
            done.applied.codings,
            done.applied.other_texts,
            done.backup
                .map_or_else(|| "none".to_string(), |p| p.display().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}
