//! `accord code`, `accord uncode` and `accord codings list|import|export`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectPath, open, open_to_read, output};
use crate::app::CodingCommand;
use crate::app::Store;
use crate::app::export::OutputTarget;
use crate::app::listing::coding_views;
use crate::app::{AppError, Command, Outcome, resolve};
use crate::export;
use crate::model::{CodingFilter, CodingId, CodingView, NewCoding, Span};

/// Arguments of `accord code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Transcript name or id.
    #[arg(long, short)]
    pub transcript: String,
    /// Code path, name or id.
    #[arg(long, short)]
    pub code: String,
    /// Rater name or id.
    #[arg(long, short)]
    pub rater: String,
    /// A span of char offsets, START..END (half-open).
    #[arg(long, conflicts_with_all = ["turns", "quote"])]
    pub span: Option<Span>,
    /// Whole turns: N or N-M (1-based, as `accord show` numbers them); the words, not the labels.
    #[arg(long, conflicts_with = "quote")]
    pub turns: Option<String>,
    /// A passage quoted exactly; it must occur once in the transcript.
    #[arg(long)]
    pub quote: Option<String>,
    /// A memo on the coding.
    #[arg(long)]
    pub memo: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `accord uncode`.
#[derive(Debug, Args)]
pub struct UncodeArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Coding ids to remove.
    #[arg(long = "coding")]
    pub codings: Vec<String>,
    /// Or: remove this rater's codings with this code in this transcript (optionally at one span).
    #[arg(long, short, requires_all = ["code", "rater"])]
    pub transcript: Option<String>,
    /// Code path, name or id.
    #[arg(long, short)]
    pub code: Option<String>,
    /// Rater name or id.
    #[arg(long, short)]
    pub rater: Option<String>,
    /// Only the coding at exactly this span.
    #[arg(long)]
    pub span: Option<Span>,
}

/// Filters shared by listing and export.
#[derive(Debug, Args, Clone)]
pub struct FilterArgs {
    /// Only this transcript (repeatable).
    #[arg(long = "transcript", short = 't')]
    pub transcripts: Vec<String>,
    /// Only this code (repeatable).
    #[arg(long = "code", short = 'c')]
    pub codes: Vec<String>,
    /// Only this rater (repeatable).
    #[arg(long = "rater", short = 'r')]
    pub raters: Vec<String>,
    /// Include removed codings.
    #[arg(long)]
    pub removed: bool,
}

/// `accord codings ...`
#[derive(Debug, Subcommand)]
pub enum CodingsCommand {
    /// List codings.
    List {
        #[command(flatten)]
        project: ProjectPath,
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import codings from CSV files (each file all or nothing; a failed file does not stop the rest).
    Import {
        #[command(flatten)]
        project: ProjectPath,
        /// CSV files: Accord's export, or `transcript,rater,code,quote,memo` with quotes anchoring spans.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the codings corrections lost (every word deleted), kept as removed with their words.
    Lost {
        #[command(flatten)]
        project: ProjectPath,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Place a coding a correction lost again, on words of the transcript as it is now (the same
    /// coding, live again; undo takes it back).
    Place {
        #[command(flatten)]
        project: ProjectPath,
        /// The lost coding's id (or its start, as `accord codings lost` prints it).
        coding: String,
        /// A span of char offsets, START..END (half-open).
        #[arg(long, conflicts_with = "quote", required_unless_present = "quote")]
        span: Option<Span>,
        /// A passage quoted exactly; it must occur once in the transcript.
        #[arg(long)]
        quote: Option<String>,
    },
    /// Export codings as CSV.
    Export {
        #[command(flatten)]
        project: ProjectPath,
        #[command(flatten)]
        filter: FilterArgs,
        /// Where to write (standard output when absent). Never the project or its files; an
        /// existing file only if it is a .csv text file, unless --force.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing --out file even when it is not a .csv file (never the project, its
        /// files or another project).
        #[arg(long)]
        force: bool,
        /// Write cells exactly as they are. By default a cell beginning with =, +, -, @, a tab or a
        /// carriage return gets a leading ' (spreadsheets show it rather than run it; `accord
        /// codings import` removes it again).
        #[arg(long)]
        raw_csv: bool,
    },
}

/// `accord codings place`: a lost coding placed again, as one undoable change.
fn place(
    project: &ProjectPath,
    coding: &str,
    span: Option<Span>,
    quote: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let mut ws = open(&project.project)?;
    let lost = lost_views(ws.store())?;
    let matching: Vec<_> = lost
        .iter()
        .filter(|l| l.coding_id.starts_with(coding.trim()))
        .collect();
    let found = match matching.as_slice() {
        [one] => *one,
        [] => anyhow::bail!("no lost coding {coding:?} (see `accord codings lost`)"),
        _ => anyhow::bail!(
            "{coding:?} starts {} lost codings' ids; give more of it",
            matching.len()
        ),
    };
    let transcript = resolve::transcript(ws.store(), &found.transcript)?;
    let span = match (span, quote) {
        (Some(span), _) => span,
        (None, Some(q)) => resolve::quote_span(&transcript, q)?,
        (None, None) => anyhow::bail!("say where: --span START..END or --quote TEXT"),
    };
    let id: CodingId = found
        .coding_id
        .parse()
        .map_err(|_| anyhow::anyhow!("a bad coding id"))?;
    let c = crate::app::correct::place_lost(ws.store(), id, span)?;
    ws.apply(
        &format!("Place a lost coding again ({})", found.code),
        Command::Transcripts(crate::app::TranscriptCommand::Correct(Box::new(
            c.to_write(None),
        ))),
    )?;
    println!(
        "placed {} / {} again on \"{}\"",
        found.rater,
        found.code,
        output::one_line(
            crate::model::text::slice_chars(&transcript.text, span.start, span.end),
            60
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// A lost coding as people read it.
#[derive(Debug, serde::Serialize)]
struct LostView {
    coding_id: String,
    transcript: String,
    rater: String,
    code: String,
    /// The words it covered before the correction that lost it.
    quote: String,
    /// Where they were.
    start: usize,
    end: usize,
}

fn lost_views(store: &crate::app::Store) -> anyhow::Result<Vec<LostView>> {
    let lost = store.lost_codings()?;
    if lost.is_empty() {
        return Ok(Vec::new());
    }
    let views = coding_views(
        store,
        &CodingFilter {
            ids: lost.iter().map(|l| l.coding_id).collect(),
            include_removed: true,
            ..CodingFilter::default()
        },
    )?;
    Ok(lost
        .into_iter()
        .filter_map(|l| {
            let v = views
                .iter()
                .find(|v| v.coding_id == l.coding_id.to_text())?;
            Some(LostView {
                coding_id: l.coding_id.to_text(),
                transcript: v.transcript.clone(),
                rater: v.rater.clone(),
                code: v.code.clone(),
                quote: l.quote,
                start: l.span.start,
                end: l.span.end,
            })
        })
        .collect())
}

/// Applies a code.
pub fn code(args: &CodeArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project.project)?;
    let transcript = resolve::transcript(ws.store(), &args.transcript)?;
    let code_id = resolve::code(&ws.store().codebook()?, &args.code)?;
    let rater = ws.store().find_rater(&args.rater)?;
    let span = match (&args.span, &args.turns, &args.quote) {
        (Some(span), _, _) => *span,
        (None, Some(turns), _) => {
            let (first, last) = parse_turns(turns)?;
            resolve::turns_span(&transcript, first, last)?
        }
        (None, None, Some(quote)) => resolve::quote_span(&transcript, quote)?,
        (None, None, None) => {
            anyhow::bail!("say what to code: --span START..END, --turns N[-M] or --quote TEXT")
        }
    };
    let coding = NewCoding {
        coding_id: CodingId::new_random(),
        transcript_id: transcript.transcript_id,
        code_id,
        rater_id: rater.rater_id,
        span,
        memo: args.memo.clone(),
        created_at: None,
    };
    ws.apply(
        "Code 1 passage",
        Command::Codings(CodingCommand::Add {
            codings: vec![coding.clone()],
            action: "code".into(),
        }),
    )?;
    let view = coding_views(
        ws.store(),
        &CodingFilter {
            transcripts: vec![transcript.transcript_id],
            ..CodingFilter::default()
        },
    )?
    .into_iter()
    .find(|v| v.coding_id == coding.coding_id.to_text());
    match (args.json, view) {
        (true, Some(v)) => output::json(&v)?,
        (_, Some(v)) => println!(
            "{}",
            output::terminal_safe(&format!(
                "coded {} {}..{} with {} as {}: \"{}\" ({})",
                v.transcript,
                v.start,
                v.end,
                v.code,
                v.rater,
                output::one_line(&v.quote, 60),
                v.coding_id
            ))
        ),
        (_, None) => anyhow::bail!("the coding was stored but cannot be read back"),
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_turns(text: &str) -> anyhow::Result<(usize, usize)> {
    let parse = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| anyhow::anyhow!("--turns {text:?}: expected N or N-M"))
    };
    if let Some((a, b)) = text.split_once('-') {
        Ok((parse(a)?, parse(b)?))
    } else {
        let n = parse(text)?;
        Ok((n, n))
    }
}

/// Removes codings.
pub fn uncode(args: &UncodeArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project.project)?;
    let ids = uncode_targets(ws.store(), args)?;
    let rater = args
        .rater
        .as_deref()
        .map(|r| ws.store().find_rater(r))
        .transpose()?;
    let Outcome::CodingsRemoved(n) = ws.apply(
        "Remove codings",
        Command::Codings(CodingCommand::Remove {
            ids,
            by: rater.map(|r| r.rater_id),
        }),
    )?
    else {
        anyhow::bail!("unexpected outcome");
    };
    println!("removed {n} coding(s)");
    Ok(ExitCode::SUCCESS)
}

fn uncode_targets(store: &Store, args: &UncodeArgs) -> anyhow::Result<Vec<CodingId>> {
    if !args.codings.is_empty() {
        return args
            .codings
            .iter()
            .map(|c| {
                c.parse::<CodingId>()
                    .map_err(|_| anyhow::anyhow!("--coding {c:?} is not a coding id"))
            })
            .collect();
    }
    let (Some(t), Some(c), Some(r)) = (&args.transcript, &args.code, &args.rater) else {
        anyhow::bail!("say which codings: --coding ID, or --transcript, --code and --rater");
    };
    let filter = CodingFilter {
        transcripts: vec![store.find_transcript(t)?.transcript_id],
        codes: vec![resolve::code(&store.codebook()?, c)?],
        raters: vec![store.find_rater(r)?.rater_id],
        ids: Vec::new(),
        include_removed: false,
    };
    let ids: Vec<CodingId> = store
        .codings(&filter)?
        .into_iter()
        .filter(|x| args.span.is_none_or(|s| x.span == s))
        .map(|x| x.coding_id)
        .collect();
    anyhow::ensure!(
        !ids.is_empty(),
        "no coding matches; see `accord codings list`"
    );
    Ok(ids)
}

fn filter(store: &Store, f: &FilterArgs) -> anyhow::Result<CodingFilter> {
    let book = store.codebook()?;
    Ok(CodingFilter {
        transcripts: resolve::transcript_ids(store, &f.transcripts)?,
        codes: f
            .codes
            .iter()
            .map(|c| resolve::code(&book, c))
            .collect::<Result<_, AppError>>()?,
        raters: resolve::rater_ids(store, &f.raters)?,
        ids: Vec::new(),
        include_removed: f.removed,
    })
}

/// Runs a codings subcommand.
pub fn run(cmd: &CodingsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CodingsCommand::List {
            project,
            filter: f,
            json,
        } => {
            let ws = open_to_read(&project.project)?;
            let store = ws.store();
            let rows = coding_views(store, &filter(store, f)?)?;
            if *json {
                output::json(&rows)?;
            } else {
                print_list(&rows);
            }
            Ok(ExitCode::SUCCESS)
        }
        CodingsCommand::Lost { project, json } => {
            let ws = open_to_read(&project.project)?;
            let list = lost_views(ws.store())?;
            if *json {
                output::json(&list)?;
            } else {
                for l in &list {
                    println!(
                        "{}  {:<16} {:<24} {:<32} \"{}\"",
                        &l.coding_id[..8.min(l.coding_id.len())],
                        l.transcript,
                        output::one_line(&l.rater, 24),
                        output::one_line(&l.code, 32),
                        output::one_line(&l.quote, 60)
                    );
                }
                println!(
                    "{} lost codings (place one again with `accord codings place PROJECT ID --quote ...`)",
                    list.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CodingsCommand::Place {
            project,
            coding,
            span,
            quote,
        } => place(project, coding, *span, quote.as_deref()),
        CodingsCommand::Export {
            project,
            filter: f,
            out,
            force,
            raw_csv,
        } => {
            let target = out.as_deref().map(|path| OutputTarget {
                path,
                extensions: &["csv"],
                zip: false,
                project: Some(&project.project),
                force: *force,
            });
            if let Some(target) = &target {
                target.check()?;
            }
            let ws = open_to_read(&project.project)?;
            let store = ws.store();
            let rows = coding_views(store, &filter(store, f)?)?;
            match target {
                Some(target) => {
                    let mut bytes = Vec::new();
                    export::codings_csv::write_with(&mut bytes, &rows, *raw_csv)?;
                    target.write(&bytes)?;
                    println!("wrote {} codings to {}", rows.len(), target.path.display());
                }
                None => {
                    export::codings_csv::write_with(std::io::stdout().lock(), &rows, *raw_csv)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CodingsCommand::Import { project, files } => import(&project.project, files),
    }
}

fn import(project: &std::path::Path, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut ws = open(project)?;
    let mut failed = 0;
    for file in files {
        let result = crate::app::import_codings(&mut ws, file);
        match result {
            Ok((n, report)) => {
                let (added, restored) = (report.added.len(), report.restored.len());
                let restored_note = if restored > 0 {
                    format!(", {restored} restored (they had been undone or removed)")
                } else {
                    String::new()
                };
                println!(
                    "{}: {added} codings added{restored_note}, {} already present",
                    file.display(),
                    n.saturating_sub(added + restored)
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("failed   {e}");
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_list(rows: &[CodingView]) {
    for r in rows {
        let removed = if r.removed_at.is_some() {
            " [removed]"
        } else {
            ""
        };
        let line = format!(
            "{:<16} {:>6}..{:<6} {:<40} {:<14} \"{}\"{removed}",
            r.transcript,
            r.start,
            r.end,
            output::one_line(&r.code, 40),
            output::one_line(&r.rater, 14),
            output::one_line(&r.quote, 50)
        );
        println!("{}", output::terminal_safe(&line));
    }
    println!("{} codings", rows.len());
}
