//! `accord memos list|show|export|add`: every memo of a project in one list, one memo with its
//! links resolved, the list written as Markdown, CSV or Word, and a memo written on a passage, a
//! grid cell, a transcript, a code or the project.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectPath, open, open_to_read, output};
use crate::app::export::OutputTarget;
use crate::app::memos::{self, LinkState, MemoFilter, MemoKind, MemoRow};
use crate::app::{Command, MemoCommand, resolve};
use crate::export::Format;
use crate::model::{MemoTarget, Span};

/// `accord memos ...`.
#[derive(Debug, Subcommand)]
pub enum MemosCommand {
    /// List the memos (oldest first), filtered.
    List {
        #[command(flatten)]
        project: ProjectPath,
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one memo: its text, what it is about, and each link with the passage it quotes.
    Show {
        #[command(flatten)]
        project: ProjectPath,
        /// The memo's id, or its first characters (at least 4).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the memos (filtered) as Markdown, CSV or Word.
    Export {
        #[command(flatten)]
        project: ProjectPath,
        /// md, csv or docx.
        #[arg(long)]
        format: Format,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing file of another kind.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Write a memo: on a passage (--passage with --span or --quote), a grid cell (--cell with
    /// --code), a transcript (--transcript), a code (--code), or the project (none of these).
    Add(AddArgs),
}

/// Which memos.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only memos of this kind: project, transcript, code, coding, passage or cell.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only memos by this rater (name or id).
    #[arg(long)]
    pub author: Option<String>,
    /// Only memos about this code (path, name or id).
    #[arg(long)]
    pub code: Option<String>,
    /// Only memos about this case (its transcripts, passages, codings and cells).
    #[arg(long)]
    pub case: Option<String>,
    /// Only memos about this transcript (its passages and codings too).
    #[arg(long)]
    pub transcript: Option<String>,
    /// Only memos written on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Only memos written on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<String>,
    /// Only memos whose text matches this query (the search language: words, "phrases",
    /// AND/OR/NOT, prefix*, fuzzy~1; filters kind:, author:, code:, case:, transcript:).
    #[arg(long, short)]
    pub query: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> anyhow::Result<MemoFilter> {
        Ok(MemoFilter {
            kind: self
                .kind
                .as_deref()
                .map(str::parse::<MemoKind>)
                .transpose()?,
            author: self.author.clone(),
            code: self.code.clone(),
            case: self.case.clone(),
            transcript: self.transcript.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            query: self.query.clone(),
        })
    }
}

/// Arguments of `accord memos add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The memo's text (links: [[coding:ID]], [[TRANSCRIPT@START-END]]).
    #[arg(long)]
    pub text: String,
    /// Who writes it (a rater's name or id).
    #[arg(long)]
    pub author: Option<String>,
    /// A memo on a passage of this transcript (with --span or --quote).
    #[arg(long, conflicts_with_all = ["cell", "transcript"])]
    pub passage: Option<String>,
    /// The passage's chars, START..END.
    #[arg(long, requires = "passage", conflicts_with = "quote")]
    pub span: Option<Span>,
    /// The passage's words, quoted exactly (they must occur once).
    #[arg(long, requires = "passage")]
    pub quote: Option<String>,
    /// A memo on a grid cell: this case (with --code).
    #[arg(long, requires = "code", conflicts_with = "transcript")]
    pub cell: Option<String>,
    /// A memo on a case (a participant).
    #[arg(long, conflicts_with_all = ["passage", "cell", "code", "transcript"])]
    pub case: Option<String>,
    /// A memo on a code (or, with --cell, on that case's cell of it).
    #[arg(long, conflicts_with = "passage")]
    pub code: Option<String>,
    /// A memo on a transcript.
    #[arg(long, conflicts_with = "code")]
    pub transcript: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord memos ...`.
pub fn run(command: &MemosCommand) -> anyhow::Result<ExitCode> {
    match command {
        MemosCommand::List {
            project,
            filter,
            json,
        } => {
            let filter = filter.filter()?;
            let ws = open_to_read(&project.project)?;
            let rows = memos::memo_rows(ws.store(), &filter)?;
            if *json {
                output::json(&rows)?;
            } else {
                print_list(&rows);
            }
        }
        MemosCommand::Show { project, id, json } => {
            let ws = open_to_read(&project.project)?;
            let row = memos::find_memo(ws.store(), id)?;
            if *json {
                output::json(&row)?;
            } else {
                print_one(&row);
            }
        }
        MemosCommand::Export {
            project,
            format,
            out,
            force,
            filter,
        } => {
            anyhow::ensure!(
                matches!(format, Format::Markdown | Format::Csv | Format::Docx),
                "memos cannot be exported as {format}; choose md, csv or docx"
            );
            let filter = filter.filter()?;
            let target = OutputTarget {
                path: out,
                extensions: format.extensions(),
                zip: format.is_zip(),
                project: Some(&project.project),
                force: *force,
            };
            target.check()?;
            let ws = open_to_read(&project.project)?;
            let rows = memos::memo_rows(ws.store(), &filter)?;
            let title = format!("Memos: {}", ws.store().project_name()?);
            let mut bytes = Vec::new();
            crate::export::memos::write(&title, &rows, *format, &mut bytes)?;
            target.write(&bytes)?;
            println!(
                "wrote {} memo{} to {}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                out.display()
            );
        }
        MemosCommand::Add(args) => add(args)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn add(args: &AddArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        !args.text.trim().is_empty(),
        "a memo needs some text (--text); nothing was written"
    );
    let mut ws = open(&args.project.project)?;
    let store = ws.store();
    let target = match (&args.passage, &args.cell, &args.code, &args.transcript) {
        (Some(t), _, _, _) => memos::passage_target(store, t, args.span, args.quote.as_deref())?,
        (None, Some(case), Some(code), _) => memos::cell_target(store, case, code)?,
        (None, None, Some(code), _) => MemoTarget::Code(resolve::code(&store.codebook()?, code)?),
        (None, None, None, Some(t)) => {
            MemoTarget::Transcript(resolve::transcript(store, t)?.transcript_id)
        }
        _ => match &args.case {
            Some(case) => memos::case_target(store, case)?,
            None => MemoTarget::Project,
        },
    };
    let rater = match &args.author {
        Some(a) => Some(store.find_rater(a)?.rater_id),
        None => None,
    };
    let kind = MemoKind::of(&target).name();
    let outcome = ws.apply(
        &format!("Write a {kind} memo"),
        Command::Memos(MemoCommand::Add {
            target,
            rater,
            text: args.text.clone(),
        }),
    )?;
    let id = memos::written(&outcome)
        .ok_or_else(|| anyhow::anyhow!("the memo was written but its id was not reported"))?;
    let row = memos::find_memo(ws.store(), &id.to_text())?;
    if args.json {
        output::json(&row)?;
    } else {
        println!(
            "{}",
            output::terminal_safe(&format!("wrote memo {} on {}", row.short_id(), row.about))
        );
    }
    Ok(())
}

fn print_list(rows: &[MemoRow]) {
    if rows.is_empty() {
        println!("no memos");
        return;
    }
    for r in rows {
        let broken = r
            .links
            .iter()
            .filter(|l| l.state != LinkState::Found)
            .count();
        let links = match (r.links.len(), broken) {
            (0, _) => String::new(),
            (n, 0) => format!(" [{n} link{}]", if n == 1 { "" } else { "s" }),
            (n, b) => format!(
                " [{n} link{}, {b} not found or removed]",
                if n == 1 { "" } else { "s" }
            ),
        };
        println!(
            "{}",
            output::terminal_safe(&format!(
                "{}  {:<10} {}  {}{links}",
                r.short_id(),
                r.kind,
                r.byline(),
                output::one_line(&r.about, 70),
            ))
        );
        println!(
            "          {}",
            output::terminal_safe(&output::one_line(&r.text, 90))
        );
    }
}

fn print_one(r: &MemoRow) {
    let mut out = format!(
        "memo {}\n{} memo on {}\nby {}\n",
        r.memo_id,
        r.kind,
        r.about,
        r.byline()
    );
    if !r.codes.is_empty() {
        let _ = writeln!(out, "codes: {}", r.codes.join("; "));
    }
    out.push('\n');
    out.push_str(r.text.trim_end());
    out.push('\n');
    if !r.links.is_empty() {
        out.push_str("\nlinks:\n");
        for l in &r.links {
            let _ = writeln!(out, "  [[{}]] {}", l.label, l.describe());
        }
    }
    for line in out.lines() {
        println!("{}", output::terminal_safe(line));
    }
}
