//! `accord import` (transcripts: files or folders, with a progress bar on long batches) and
//! `accord attributes` (case attributes from a CSV such as a REDCap export).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{ProjectPath, open, output};
use crate::app::files::{ImportOptions, read_pseudonyms};
use crate::app::{FileOutcome, ImportWatch, Outcome, import_files};
use crate::model::SourceFormat;

/// Arguments of `accord import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Transcript files or folders (folders are searched recursively for .txt, .vtt, .srt, .docx).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Case (participant) name for every file; by default taken from each file name (`P07_...` -> P07).
    #[arg(long)]
    pub case: Option<String>,
    /// Read every file as this format instead of guessing from the extension.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<SourceFormat>,
    /// A custom speaker-label pattern: a regex matched at the start of a line with a named group
    /// `speaker` and optionally `time`, e.g. '^(?P<speaker>[A-Z]+)> '.
    #[arg(long)]
    pub speaker_pattern: Option<String>,
    /// A speaker who is an interviewer (repeatable).
    #[arg(long = "interviewer")]
    pub interviewers: Vec<String>,
    /// A speaker who is a participant (repeatable).
    #[arg(long = "participant")]
    pub participants: Vec<String>,
    /// De-identify while importing: a CSV of `real name,pseudonym` rows applied to the text before
    /// it is stored (the same pseudonyms as earlier imports and `accord deidentify`).
    #[arg(long)]
    pub pseudonyms: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_format(text: &str) -> Result<SourceFormat, String> {
    text.parse()
}

/// Arguments of `accord attributes`.
#[derive(Debug, Args)]
pub struct AttributesArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// A CSV with one row per case; without it, the cases' attributes are listed.
    pub file: Option<PathBuf>,
    /// The column naming the case.
    #[arg(long, default_value = "record_id")]
    pub key: String,
    /// Create cases for rows that match none (by default they are skipped and listed).
    #[arg(long)]
    pub create_missing: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Imports transcripts.
pub fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let speaker_pattern = match &args.speaker_pattern {
        Some(p) => {
            let re = regex::Regex::new(p)
                .with_context(|| format!("--speaker-pattern {p:?} is not a valid regex"))?;
            anyhow::ensure!(
                re.capture_names().any(|n| n == Some("speaker")),
                "--speaker-pattern needs a named group (?P<speaker>...)"
            );
            Some(re)
        }
        None => None,
    };
    let opts = ImportOptions {
        format: args.format,
        case_name: args.case.clone(),
        name: None,
        speaker_pattern,
        interviewers: args.interviewers.clone(),
        participants: args.participants.clone(),
        pseudonyms: args
            .pseudonyms
            .as_deref()
            .map(read_pseudonyms)
            .transpose()?,
    };
    let mut files = Vec::new();
    let mut outcomes = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            let (found, skipped) = crate::app::batch::files_in(path)
                .with_context(|| format!("{}: cannot read the folder", path.display()))?;
            files.extend(found);
            outcomes.extend(skipped.into_iter().map(|p| FileOutcome::Skipped {
                path: p,
                reason: "not a transcript file type".into(),
            }));
        } else {
            files.push(path.clone());
        }
    }
    let mut ws = open(&args.project.project)?;
    if let Some(list) = &opts.pseudonyms {
        ws.remember_pseudonyms(list)?;
    }
    let bar = if files.len() > 3 && !args.json {
        ProgressBar::new(files.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let alongside = !ws.store().is_encrypted();
    let mut watch = Bar(bar, alongside);
    outcomes.extend(import_files(&mut ws, &files, &opts, &mut watch));
    let Bar(bar, _) = watch;
    bar.set_message("bringing the search index up to date");
    // The project is left searchable at once (the index was built alongside; this finishes it).
    // An index that cannot be brought up to date never fails the import: the first search says why.
    let imported = outcomes
        .iter()
        .any(|o| matches!(o, FileOutcome::Imported(_)));
    // The index worker is waited for even when nothing was imported: it holds a second
    // connection, and a command that ended before it would leave the project's write-ahead log
    // behind (the file as it was, but not byte for byte).
    let finished = if alongside && imported {
        ws.finish_index()
    } else {
        ws.wait_for_index();
        Ok(())
    };
    bar.suspend(|| match &finished {
        Err(e) => eprintln!(
            "note: the search index is not up to date ({e}); the first search brings it up to date"
        ),
        Ok(()) => {
            for note in ws.index_notes() {
                eprintln!("note: {note}");
            }
        }
    });
    bar.finish_and_clear();
    report(&outcomes, args.json)
}

/// The bar of `accord import`; the index is built as the files are stored (not for an
/// encrypted project, whose index lives in memory only and would end with the command).
struct Bar(ProgressBar, bool);
impl ImportWatch for Bar {
    fn reading(&mut self, i: usize, _: usize, path: &std::path::Path) -> bool {
        self.0.set_position(i as u64);
        self.0.set_message(path.display().to_string());
        true
    }
    fn index_alongside(&self) -> bool {
        self.1
    }
}

fn report(outcomes: &[FileOutcome], json: bool) -> anyhow::Result<ExitCode> {
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o, FileOutcome::Failed { .. }))
        .count();
    if json {
        output::json(outcomes)?;
    } else {
        let mut imported = 0;
        for outcome in outcomes {
            match outcome {
                FileOutcome::Imported(s) => {
                    imported += 1;
                    let speakers: Vec<String> = s
                        .speakers
                        .iter()
                        .map(|(n, r)| format!("{n} ({r})"))
                        .collect();
                    println!(
                        "imported {} -> {} (case {}, {} turns; {})",
                        s.path.display(),
                        s.name,
                        s.case,
                        s.turns,
                        speakers.join(", ")
                    );
                }
                FileOutcome::Skipped { path, reason } => {
                    println!("skipped  {}: {reason}", path.display());
                }
                FileOutcome::Failed { error, .. } => eprintln!("failed   {error}"),
            }
        }
        let skipped = outcomes.len() - imported - failed;
        println!("{imported} imported, {skipped} skipped, {failed} failed");
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Imports or lists case attributes.
pub fn attributes(args: &AttributesArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project.project)?;
    let Some(file) = &args.file else {
        let cases = ws.store().cases()?;
        if args.json {
            output::json(&cases)?;
        } else {
            for case in &cases {
                let attrs: Vec<String> = case
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                println!("{:<10} {}", case.name, attrs.join("  "));
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let (change, notes) =
        crate::app::batch::attributes_change(file, &args.key, args.create_missing)?;
    let Outcome::Attributes(report) = ws.apply("Import attributes", change)? else {
        anyhow::bail!("unexpected outcome");
    };
    if args.json {
        output::json(&serde_json::json!({ "report": report, "notes": notes }))?;
    } else {
        for note in &notes {
            println!("note: {}: {note}", file.display());
        }
        println!(
            "{} cases updated, {} created, {} values set",
            report.updated.len(),
            report.created.len(),
            report.values
        );
        if !report.unmatched.is_empty() {
            println!(
                "{} rows match no case and were skipped (use --create-missing to add them): {}",
                report.unmatched.len(),
                report.unmatched.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
