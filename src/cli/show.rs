//! `accord show`: a transcript as turns (number, time stamp, speaker and role) with each coding listed
//! under the turn where it starts.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{ProjectPath, open_to_read, output};
use crate::app::listing::coding_views;
use crate::app::resolve;
use crate::model::{CodingFilter, CodingView, Turn, format_time_ms, text};

/// Arguments of `accord show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Transcript name or id.
    pub transcript: String,
    /// Only this rater's codings (repeatable; all raters by default).
    #[arg(long = "rater", short = 'r')]
    pub raters: Vec<String>,
    /// Only turns N-M (1-based).
    #[arg(long)]
    pub turns: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct ShowJson<'a> {
    transcript: &'a str,
    transcript_id: String,
    case: Option<String>,
    text: &'a str,
    turns: &'a [Turn],
    codings: &'a [CodingView],
}

/// Prints a transcript with its codings.
pub fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.project.project)?;
    let store = ws.store();
    let transcript = resolve::transcript(store, &args.transcript)?;
    let raters = resolve::rater_ids(store, &args.raters)?;
    let filter = CodingFilter {
        transcripts: vec![transcript.transcript_id],
        raters,
        ..CodingFilter::default()
    };
    let codings = coding_views(store, &filter)?;
    let case = store
        .find_transcript(&transcript.transcript_id.to_text())?
        .case_name;
    if args.json {
        output::json(&ShowJson {
            transcript: &transcript.name,
            transcript_id: transcript.transcript_id.to_text(),
            case,
            text: &transcript.text,
            turns: &transcript.turns,
            codings: &codings,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let (first, last) = match &args.turns {
        Some(range) => parse_range(range, transcript.turns.len())?,
        None => (1, transcript.turns.len()),
    };
    let mut raters: Vec<&str> = codings.iter().map(|c| c.rater.as_str()).collect();
    raters.sort_unstable();
    raters.dedup();
    println!(
        "{}  (case {}; {}; {} turns; {} characters; {} codings by {})",
        transcript.name,
        case.as_deref().unwrap_or("-"),
        transcript.format,
        transcript.turns.len(),
        transcript.len_chars,
        codings.len(),
        if raters.is_empty() {
            "nobody yet".to_string()
        } else {
            raters.join(", ")
        }
    );
    for turn in transcript
        .turns
        .iter()
        .filter(|t| (first..=last).contains(&(t.index + 1)))
    {
        print_turn(&transcript.text, turn, &codings);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_turn(body: &str, turn: &Turn, codings: &[CodingView]) {
    let time = turn
        .start_ms
        .map(|ms| format!("[{}] ", format_time_ms(ms)))
        .unwrap_or_default();
    let speaker = if turn.speaker.is_empty() {
        "(no speaker)"
    } else {
        turn.speaker.as_str()
    };
    println!(
        "\n#{:<4} {time}{speaker} ({})  {}..{}",
        turn.index + 1,
        turn.role,
        turn.span.start,
        turn.span.end
    );
    print!(
        "{}",
        output::wrap(
            text::slice_chars(body, turn.content_start, turn.span.end),
            96,
            "      "
        )
    );
    for c in codings.iter().filter(|c| turn.span.contains(c.start)) {
        println!(
            "      | {} -- {}  {}..{}  \"{}\"",
            c.code,
            c.rater,
            c.start,
            c.end,
            output::one_line(&c.quote, 70)
        );
    }
}

fn parse_range(text: &str, n: usize) -> anyhow::Result<(usize, usize)> {
    let parse = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| anyhow::anyhow!("--turns {text:?}: expected N or N-M"))
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => (parse(text)?, parse(text)?),
    };
    anyhow::ensure!(
        a >= 1 && a <= b && b <= n,
        "--turns {text}: the transcript has turns 1-{n}"
    );
    Ok((a, b))
}
