//! `accord search` (full-text search, and search-and-code) and `accord reindex`.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::{ProjectPath, open, open_workspace, output};
use crate::app::Store;
use crate::app::open::Purpose;
use crate::app::resolve;
use crate::app::search::{Filters, Hit, ResultOrder, Scope, SearchOptions, code_hits};
use crate::model::format_time_ms;

/// Arguments of `accord search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The query: words, "exact phrases", AND/OR/NOT, ( ), burn*, supervsior~1, "role supervisor"~5,
    /// and filters speaker:, role:, transcript:, case:, code:"Role confusion", rater:, or any case
    /// attribute such as site:B.
    pub query: String,
    /// Only this speaker.
    #[arg(long)]
    pub speaker: Option<String>,
    /// Only interviewer, participant or other turns.
    #[arg(long)]
    pub role: Option<String>,
    /// Only this transcript (name or id).
    #[arg(long)]
    pub transcript: Option<String>,
    /// Only this case.
    #[arg(long)]
    pub case: Option<String>,
    /// Only cases with this attribute value, NAME=VALUE (repeatable).
    #[arg(long = "where")]
    pub attributes: Vec<String>,
    /// How many hits to return.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Order: relevance or transcript.
    #[arg(long, default_value = "relevance")]
    pub order: String,
    /// Match English word forms too (supervisors, supervising) for bare words.
    #[arg(long)]
    pub stem: bool,
    /// Search-and-code: apply this code to the hits ...
    #[arg(long, requires = "rater")]
    pub code: Option<String>,
    /// ... as this rater ...
    #[arg(long, requires = "code")]
    pub rater: Option<String>,
    /// ... covering the matched words, their sentence, or the whole turn.
    #[arg(long, default_value = "hit")]
    pub scope: String,
    /// Only these hits (1-based numbers as listed), for search-and-code.
    #[arg(long, value_delimiter = ',')]
    pub hits: Vec<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Write every hit (not only --limit) to a .csv, .xlsx or .md file: transcript, case, turn,
    /// speaker, role, time, place and the words of the turn or coded passage.
    #[arg(long, conflicts_with = "code")]
    pub out: Option<std::path::PathBuf>,
    /// Replace an existing --out file even when it is not of its format.
    #[arg(long, requires = "out")]
    pub force: bool,
}

#[derive(Serialize)]
struct HitView {
    number: usize,
    transcript: String,
    case: Option<String>,
    turn: u64,
    speaker: String,
    role: String,
    time: Option<String>,
    spans: Vec<(usize, usize)>,
    snippet: String,
    snippet_spans: Vec<(usize, usize)>,
    score: Option<f32>,
}

/// Runs `accord search`.
pub fn search(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    check(&args.query)?;
    let mut ws = open_workspace(&args.project.project, Purpose::Change)?;
    let filters = Filters {
        speaker: args.speaker.clone(),
        role: args.role.clone(),
        transcript: args.transcript.clone(),
        case: args.case.clone(),
        attributes: args.attributes.clone(),
    };
    let query = ws.full_query(&args.query, &filters);
    for note in ws.index_notes() {
        eprintln!("warning: {note}");
    }
    let query = query?;
    let order = match args.order.as_str() {
        "relevance" => ResultOrder::Relevance,
        "transcript" => ResultOrder::TranscriptOrder,
        other => anyhow::bail!("--order {other:?}: expected relevance or transcript"),
    };
    // A file gets every hit.
    let limit = args.out.as_ref().map_or(args.limit, |_| usize::MAX);
    let results = ws.search(
        &query,
        &SearchOptions {
            limit,
            order,
            stem: args.stem,
            ..SearchOptions::default()
        },
    )?;
    let book = ws.store().codebook()?;
    let names = transcript_names(ws.store())?;
    let views: Vec<HitView> = results
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| view(i + 1, h, &names))
        .collect();
    if let (Some(code), Some(rater)) = (&args.code, &args.rater) {
        let scope: Scope = args.scope.parse().map_err(|e: String| anyhow::anyhow!(e))?;
        let chosen: Vec<Hit> = if args.hits.is_empty() {
            results.hits.clone()
        } else {
            args.hits
                .iter()
                .map(|n| {
                    results.hits.get(n.wrapping_sub(1)).cloned().ok_or_else(|| {
                        anyhow::anyhow!("--hits {n}: there are {} hits", results.hits.len())
                    })
                })
                .collect::<anyhow::Result<_>>()?
        };
        let code_id = resolve::code(&book, code)?;
        let rater = ws.store().find_rater(rater)?;
        let added = code_hits(&mut ws, &chosen, code_id, rater.rater_id, scope)?;
        after_change(ws.store());
        println!(
            "coded {} of {} hits with {} as {} ({} scope); one change, undone as one",
            added.len(),
            chosen.len(),
            book.path(code_id),
            rater.name,
            args.scope
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(out) = &args.out {
        let table = crate::app::search::hits_table(ws.store(), &results.hits)?;
        return super::heatmaps::write_table(out, &args.project.project, args.force, &table)
            .map(|()| ExitCode::SUCCESS);
    }
    if args.json {
        output::json(
            &serde_json::json!({ "query": query, "total": results.total, "hits": views }),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for v in &views {
        let time = v
            .time
            .as_deref()
            .map(|t| format!("[{t}] "))
            .unwrap_or_default();
        println!(
            "{:>3}. {} #{} {time}{} ({})  {}",
            v.number,
            v.transcript,
            v.turn + 1,
            v.speaker,
            v.role,
            marked(&v.snippet, &v.snippet_spans)
        );
    }
    println!("{} of {} matching turns", views.len(), results.total);
    Ok(ExitCode::SUCCESS)
}

/// A query's syntax error, with a caret under its column, before anything is opened.
fn check(query: &str) -> anyhow::Result<()> {
    if let Err(e) = crate::app::search::check_query(query) {
        let caret = " ".repeat(e.column.saturating_sub(1));
        anyhow::bail!(
            "invalid query at column {}: {}\n  {}\n  {caret}^",
            e.column,
            e.message,
            query
        );
    }
    Ok(())
}

fn transcript_names(
    store: &Store,
) -> anyhow::Result<std::collections::HashMap<String, (String, Option<String>)>> {
    Ok(store
        .transcripts()?
        .into_iter()
        .map(|t| (t.transcript_id.to_text(), (t.name, t.case_name)))
        .collect())
}

fn view(
    number: usize,
    h: &Hit,
    names: &std::collections::HashMap<String, (String, Option<String>)>,
) -> HitView {
    let (transcript, case) = names
        .get(&h.transcript_id)
        .cloned()
        .unwrap_or_else(|| (h.transcript_id.clone(), None));
    HitView {
        number,
        transcript,
        case,
        turn: h.turn_index,
        speaker: h.speaker.clone(),
        role: h.role.clone(),
        time: h.start_ms.map(format_time_ms),
        spans: h.spans.iter().map(|s| (s.start, s.end)).collect(),
        snippet: h.snippet.text.clone(),
        snippet_spans: h.snippet.spans.iter().map(|s| (s.start, s.end)).collect(),
        score: h.score,
    }
}

/// The snippet with each match in brackets (offsets are chars of the snippet).
fn marked(snippet: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::new();
    for (i, c) in snippet.chars().enumerate() {
        if spans.iter().any(|s| s.0 == i) {
            out.push('[');
        }
        out.push(c);
        if spans.iter().any(|s| s.1 == i + 1) {
            out.push(']');
        }
    }
    out.replace('\n', " ")
}

/// Runs `accord reindex`.
pub fn reindex(args: &ProjectPath) -> anyhow::Result<ExitCode> {
    let ws = open(&args.project)?;
    let store = ws.store();
    let start = Instant::now();
    let done = crate::app::search::reindex(store)?;
    for note in &done.notes {
        eprintln!("warning: {note}");
    }
    println!(
        "rebuilt {}: {} transcripts, {} turns in {:.2} s",
        done.dir.as_deref().map_or_else(
            || if store.is_encrypted() {
                "the index (in memory: the project is encrypted)".to_string()
            } else {
                "the index in memory".to_string()
            },
            |d| d.display().to_string()
        ),
        done.transcripts,
        done.turns,
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// After a change, which is saved: bring an existing index up to date, best effort (see
/// [`crate::app::search::after_change`]).
pub fn after_change(store: &Store) {
    if let Some(warning) = crate::app::search::after_change(store) {
        eprintln!("warning: {warning}");
    }
}
