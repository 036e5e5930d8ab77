//! `accord adjudicate`: walk the disagreements of a code (or all codes) with each rater's coding
//! shown in the text, and settle each into the consensus layer, with a note. Scriptable: `list`
//! prints ids, `decide ID` settles one, `agreements` settles every passage the raters agree on.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectPath, open, open_to_read, output};
use crate::app::Command;
use crate::app::TeamCommand;
use crate::app::adjudicate::{
    Nearness, Passage, Review, agreement_decisions, counts, find_passage, passages, settle,
    why_no_passages,
};
use crate::app::{Store, resolve};
use crate::model::{AdjudicationId, Decision, Span, text};

/// Which passages to review (shared by the subcommands).
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Raters to compare (default: every human rater that is not a second pass).
    #[arg(long, value_delimiter = ',')]
    pub raters: Vec<String>,
    /// Codes (default: all).
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// Transcripts (default: all that every compared rater has coded).
    #[arg(long, value_delimiter = ',')]
    pub transcripts: Vec<String>,
}

/// `accord adjudicate ...`
#[derive(Debug, Subcommand)]
pub enum AdjudicateCommand {
    /// List the disagreements still open (with --all, every passage and how it was settled).
    List {
        #[command(flatten)]
        review: ReviewArgs,
        /// Every passage, agreements and settled ones too.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one passage (or the next open disagreement) with each rater's coding marked.
    Show {
        #[command(flatten)]
        review: ReviewArgs,
        /// The passage id, or `next`.
        #[arg(default_value = "next")]
        id: String,
    },
    /// Settle one passage into the consensus layer.
    Decide {
        #[command(flatten)]
        review: ReviewArgs,
        /// The passage id (or the start of it).
        id: String,
        /// Take this rater's coding.
        #[arg(long, group = "decision")]
        take: Option<String>,
        /// Everything any rater coded there.
        #[arg(long, group = "decision")]
        union: bool,
        /// Only what every rater coded there.
        #[arg(long, group = "decision")]
        intersection: bool,
        /// A span of your own, START-END in characters.
        #[arg(long, group = "decision")]
        span: Option<String>,
        /// Nothing is coded there in the consensus.
        #[arg(long, group = "decision")]
        drop: bool,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Settle every passage where the raters agree (their coding becomes the consensus); with
    /// --within N also those where each rater coded one stretch and their starts and ends differ
    /// by at most N characters, or with --overlap P those where at least P% of the text is coded by
    /// all (taken as the union, or with --near intersection)
    Agreements {
        #[command(flatten)]
        review: ReviewArgs,
        /// A note for each exact agreement.
        #[arg(long, default_value = "the raters agreed")]
        note: String,
        /// Also settle near agreements: starts and ends within this many characters.
        #[arg(long, conflicts_with = "overlap")]
        within: Option<usize>,
        /// Also settle near agreements: at least this percentage (1-100) of the text any rater
        /// coded there is coded by every rater.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
        overlap: Option<u8>,
        /// What a near agreement becomes: union or intersection.
        #[arg(long, default_value = "union", value_parser = ["union", "intersection"])]
        near: String,
    },
    /// Withdraw a decision (its consensus codings are removed; the passage is open again).
    Withdraw {
        #[command(flatten)]
        project: ProjectPath,
        /// The decision's id (or the start of it), as `list --all` shows.
        decision: String,
    },
}

fn review_of(store: &Store, args: &ReviewArgs) -> anyhow::Result<Review> {
    let book = store.codebook()?;
    Ok(Review {
        raters: resolve::rater_ids(store, &args.raters)?,
        codes: resolve::code_ids(&book, &args.codes)?,
        transcripts: resolve::transcript_ids(store, &args.transcripts)?,
    })
}

fn review(store: &Store, args: &ReviewArgs) -> anyhow::Result<Vec<Passage>> {
    Ok(passages(store, &review_of(store, args)?)?)
}

/// Why a review with no passages compares nothing, and what to do (`None` when it compares
/// transcripts that simply have no passage).
fn why_empty(store: &Store, args: &ReviewArgs, list: &[Passage]) -> anyhow::Result<Option<String>> {
    if !list.is_empty() {
        return Ok(None);
    }
    Ok(why_no_passages(store, &review_of(store, args)?)?)
}

/// Runs `accord adjudicate`.
pub fn adjudicate(cmd: &AdjudicateCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AdjudicateCommand::List {
            review: r,
            all,
            json,
        } => list(r, *all, *json)?,
        AdjudicateCommand::Show { review: r, id } => {
            let ws = open_to_read(&r.project.project)?;
            let list = review(ws.store(), r)?;
            let passage = if id == "next" {
                let Some(p) = list.iter().find(|p| !p.agreed && p.settled.is_none()) else {
                    if let Some(why) = why_empty(ws.store(), r, &list)? {
                        println!("{why}");
                        return Ok(ExitCode::SUCCESS);
                    }
                    println!("no open disagreements: every passage is settled or agreed");
                    return Ok(ExitCode::SUCCESS);
                };
                p
            } else {
                find_passage(&list, id)?
            };
            print!("{}", show(ws.store(), passage)?);
        }
        AdjudicateCommand::Decide { .. } => decide(cmd)?,
        AdjudicateCommand::Agreements {
            review: r,
            note,
            within,
            overlap,
            near,
        } => {
            let mut ws = open(&r.project.project)?;
            let near = if near == "intersection" {
                Decision::Intersection
            } else {
                Decision::Union
            };
            let nearness = match (within, overlap) {
                (Some(n), _) => Nearness::Within(*n),
                (None, Some(p)) => Nearness::Overlap(*p),
                (None, None) => Nearness::Exact,
            };
            let list = review(ws.store(), r)?;
            let why = why_empty(ws.store(), r, &list)?;
            let mut decisions = agreement_decisions(&list, nearness, near)?;
            for d in &mut decisions {
                if d.1 == Decision::Agreed {
                    d.2.clone_from(note);
                }
            }
            let exact = decisions.iter().filter(|d| d.1 == Decision::Agreed).count();
            if !decisions.is_empty() {
                settle(&mut ws, &decisions)?;
            }
            if nearness == Nearness::Exact {
                println!("settled {exact} agreed passages into the consensus layer (one change)");
            } else {
                println!(
                    "settled {exact} agreed passages and {} that agree {nearness} into the consensus layer (one change)",
                    decisions.len() - exact
                );
            }
            if let Some(why) = why {
                println!("{why}");
            }
        }
        AdjudicateCommand::Withdraw { project, decision } => withdraw(project, decision)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn list(r: &ReviewArgs, all: bool, json: bool) -> anyhow::Result<()> {
    let ws = open_to_read(&r.project.project)?;
    let list = review(ws.store(), r)?;
    let shown: Vec<&Passage> = list
        .iter()
        .filter(|p| all || (!p.agreed && p.settled.is_none()))
        .collect();
    let why = why_empty(ws.store(), r, &list)?;
    if json {
        if let Some(why) = why {
            eprintln!("{why}");
        }
        return output::json(&shown);
    }
    for p in &shown {
        println!("{}", summary_line(p));
    }
    println!("{}", counts(&list).0);
    if let Some(why) = why {
        println!("{why}");
    }
    Ok(())
}

fn decide(cmd: &AdjudicateCommand) -> anyhow::Result<()> {
    let AdjudicateCommand::Decide {
        review: r,
        id,
        take,
        union,
        intersection,
        span,
        drop,
        note,
    } = cmd
    else {
        return Ok(());
    };
    let mut ws = open(&r.project.project)?;
    let list = review(ws.store(), r)?;
    let passage = find_passage(&list, id)?.clone();
    let decision = if let Some(name) = take {
        Decision::Take {
            rater_id: ws.store().find_rater(name)?.rater_id,
        }
    } else if *union {
        Decision::Union
    } else if *intersection {
        Decision::Intersection
    } else if let Some(span) = span {
        let (a, b) = span
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .ok_or_else(|| anyhow::anyhow!("--span {span:?}: expected START-END in characters"))?;
        Decision::Span { start: a, end: b }
    } else if *drop {
        Decision::Drop
    } else {
        anyhow::bail!(
            "say how to settle it: --take NAME, --union, --intersection, --span START-END or --drop"
        );
    };
    let records = settle(&mut ws, &[(passage.clone(), decision, note.clone())])?;
    let record = records.first();
    println!(
        "settled {} ({}, {}) as {}: {} consensus coding(s); decision {}",
        passage.id,
        passage.code,
        passage.transcript,
        decision.name(),
        record.map_or(0, |a| a.codings.len()),
        record.map_or(String::new(), |a| a.adjudication_id.to_text()[..8]
            .to_string())
    );
    Ok(())
}

fn withdraw(project: &ProjectPath, decision: &str) -> anyhow::Result<()> {
    let mut ws = open(&project.project)?;
    let reference = decision.trim().to_ascii_lowercase();
    let found: Vec<AdjudicationId> = ws
        .store()
        .adjudications(None)?
        .into_iter()
        .filter(|a| {
            a.withdrawn_at.is_none()
                && !reference.is_empty()
                && a.adjudication_id.to_text().starts_with(&reference)
        })
        .map(|a| a.adjudication_id)
        .collect();
    let [id] = found.as_slice() else {
        anyhow::bail!("{decision:?} matches {} active decisions", found.len());
    };
    ws.apply(
        "Withdraw a decision",
        Command::Team(TeamCommand::Withdraw(vec![*id])),
    )?;
    println!(
        "withdrew decision {}; its passage is open again",
        &id.to_text()[..8]
    );
    Ok(())
}

fn summary_line(p: &Passage) -> String {
    let state = match p.settled {
        Some(a) => format!("settled ({})", &a.to_text()[..8]),
        None => p.state().to_string(),
    };
    let who: Vec<String> = p
        .raters
        .iter()
        .map(|(_, name, spans)| {
            if spans.is_empty() {
                format!("{name}: -")
            } else {
                format!(
                    "{name}: {}",
                    spans
                        .iter()
                        .map(|s| format!("{}-{}", s.start, s.end))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
        })
        .collect();
    format!(
        "{}  {:<8} {:<36} {:<16} {:>6}-{:<6} {}",
        p.id,
        state,
        output::one_line(&p.code, 36),
        p.transcript,
        p.extent.start,
        p.extent.end,
        who.join("  ")
    )
}

/// A passage with each rater's coding in brackets in the text, and the commands that settle it.
fn show(store: &Store, p: &Passage) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let t = store.transcript(p.transcript_id)?;
    let before = 60;
    let context = Span::new(
        p.extent.start.saturating_sub(before),
        (p.extent.end + before).min(t.len_chars),
    );
    let turn = t.turns.iter().find(|u| {
        u.span.start <= p.extent.start && p.extent.start < u.span.end.max(u.span.start + 1)
    });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {} · {} · {}chars {}-{}{}",
        p.id,
        p.code,
        p.transcript,
        turn.map_or(String::new(), |u| format!(
            "turn {} ({}) · ",
            u.index + 1,
            u.speaker
        )),
        p.extent.start,
        p.extent.end,
        if p.agreed { " · the raters agree" } else { "" }
    );
    for (_, name, spans) in &p.raters {
        let _ = writeln!(out, "  {name:<16} {}", marked(&t.text, context, spans));
    }
    if let Some(a) = p.settled {
        let _ = writeln!(out, "  settled by decision {}", &a.to_text()[..8]);
    } else {
        let _ = writeln!(
            out,
            "  settle: accord adjudicate {} decide {} --take NAME | --union | --intersection | --span {}-{} | --drop --note \"…\"",
            store
                .path()
                .map_or(String::new(), |p| p.display().to_string()),
            p.id,
            p.extent.start,
            p.extent.end
        );
    }
    Ok(out)
}

/// The context with each span in brackets, on one line.
fn marked(full: &str, context: Span, spans: &[Span]) -> String {
    let mut out = String::new();
    if context.start > 0 {
        out.push('…');
    }
    for (i, c) in full
        .chars()
        .enumerate()
        .skip(context.start)
        .take(context.end - context.start)
    {
        if spans.iter().any(|s| s.start == i) {
            out.push('[');
        }
        out.push(if c == '\n' { ' ' } else { c });
        if spans.iter().any(|s| s.end == i + 1) {
            out.push(']');
        }
    }
    if context.end < text::char_len(full) {
        out.push('…');
    }
    out
}
