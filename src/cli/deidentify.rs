//! `accord deidentify`: apply a pseudonym list to a project. Without `--apply` it only shows what
//! would change (every name, how often and where, and what it becomes), for review; with it, the
//! project's text is rewritten and the old text purged from the file, the search index and the
//! backups.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ProjectPath, open, output};
use crate::app::deidentify::{apply, preview};
use crate::import::pseudonyms::Pseudonyms;
use crate::search::ProjectIndex;
use crate::store::backups_dir;

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
    let list = Pseudonyms::read_csv(&args.list)?;
    let path = &args.project.project;
    let mut store = open(path)?;
    let review = preview(&mut store, &list)?;
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
    if let Some(n) = review.names.iter().find(|n| n.conflict.is_some()) {
        anyhow::bail!(
            "{:?} already has the pseudonym {:?} in this project; the list gives {:?}. Keep one \
             pseudonym per name; nothing was changed.",
            n.name,
            n.conflict.clone().unwrap_or_default(),
            n.pseudonym
        );
    }
    // A safety copy first, in case the rewrite fails part way; it holds the old text, so it goes
    // with the other backups once the rewrite is done.
    store.backup("before-deidentify")?;
    let done = apply(&mut store, &list)?;
    let dir = backups_dir(path);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| {
            anyhow::anyhow!("{}: cannot remove the old backups: {e}", dir.display())
        })?;
    }
    let fresh = store.backup("after-deidentify")?;
    ProjectIndex::rebuild(&store)?;
    if args.json {
        output::json(&done)?;
    } else {
        println!(
            "de-identified: {} transcripts got a new version ({} names replaced, {} codings carried \
             over, {} other texts scrubbed); the file was vacuumed, the search index rebuilt, and the \
             old backups replaced by {}",
            done.transcripts,
            done.replacements,
            done.codings,
            done.other_texts,
            fresh.map_or_else(|| "none".to_string(), |p| p.display().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}
