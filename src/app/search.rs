//! Searching a project as the window and the command line both do: the filters a person picks
//! folded into the query ([`full_query`], run by [`super::Workspace::search_filtered`]), rebuilding
//! the index, and search-and-code: apply a code as a rater to chosen search hits, at the scope the
//! researcher picks (the matched words, the sentence around them, or the whole turn), as ONE change
//! (one transaction, one audit record), so that one undo takes it back.

use std::collections::BTreeSet;

use serde::Serialize;

use super::CodingCommand;
use super::{AppError, Command, Outcome, Result};
use crate::agreement::unitize::{Span as USpan, split_sentences};
use crate::model::{CodeId, CodingId, NewCoding, RaterId, Span, Transcript, TranscriptId};
use crate::store::Store;

/// What the search layer gives the command line and the window: the options and order of a
/// search, its results and hits, and a query's syntax error.
pub use crate::search::{Hit, QueryError, ResultOrder, SearchOptions, SearchResults};

/// How much text around a hit to code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The matched words (from the first match to the last in the turn).
    Hit,
    /// The sentence or sentences holding the matches.
    Sentence,
    /// The whole turn (its words).
    Turn,
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "hit" => Ok(Self::Hit),
            "sentence" => Ok(Self::Sentence),
            "turn" => Ok(Self::Turn),
            _ => Err(format!(
                "unknown scope {s:?} (expected hit, sentence or turn)"
            )),
        }
    }
}

/// The span a hit covers at a scope.
#[must_use]
pub fn scope_span(transcript: &Transcript, hit: &Hit, scope: Scope) -> Option<Span> {
    let turn = transcript.turns.get(hit.turn_index as usize)?;
    let words = turn.content_span();
    // A passage found by its code alone (no words matched) is coded whole.
    let focus = hit.focus();
    if hit.spans.is_empty() && hit.coding_id.is_none() {
        return (scope == Scope::Turn).then_some(words);
    }
    let matched = Span::new(focus.start, focus.end);
    Some(match scope {
        Scope::Hit => matched,
        Scope::Turn => words,
        Scope::Sentence => {
            let sentences = split_sentences(
                &transcript.text,
                &[USpan {
                    start: words.start,
                    end: words.end,
                }],
            );
            let start = sentences
                .iter()
                .find(|s| s.start <= matched.start && matched.start < s.end)
                .map_or(matched.start, |s| s.start);
            let end = sentences
                .iter()
                .find(|s| s.start < matched.end && matched.end <= s.end)
                .map_or(matched.end, |s| s.end);
            Span::new(start, end)
        }
    })
}

/// Codes the hits in one change; hits that would duplicate an identical live coding are skipped.
/// Returns the new codings' ids.
pub fn code_hits(
    ws: &mut super::Workspace,
    hits: &[Hit],
    code_id: CodeId,
    rater_id: RaterId,
    scope: Scope,
) -> Result<Vec<CodingId>> {
    let codings = hit_codings(ws.store(), hits, code_id, rater_id, scope)?;
    let label = format!("Code {} search hits", codings.len());
    match ws.apply(
        &label,
        Command::Codings(CodingCommand::Add {
            codings,
            action: "search-code".into(),
        }),
    )? {
        Outcome::CodingsAdded(ids) => Ok(ids),
        _ => Ok(Vec::new()),
    }
}

/// The codings that coding the hits would add (one per distinct span; none that would duplicate an
/// identical live coding of the same code and rater), for the caller to apply as one change.
pub fn hit_codings(
    store: &Store,
    hits: &[Hit],
    code_id: CodeId,
    rater_id: RaterId,
    scope: Scope,
) -> Result<Vec<NewCoding>> {
    let mut transcripts: std::collections::HashMap<String, Transcript> =
        std::collections::HashMap::new();
    let mut seen = BTreeSet::new();
    let existing: BTreeSet<(TranscriptId, Span)> = store
        .codings(&crate::model::CodingFilter {
            codes: vec![code_id],
            raters: vec![rater_id],
            ..Default::default()
        })?
        .into_iter()
        .map(|c| (c.transcript_id, c.span))
        .collect();
    let mut codings = Vec::new();
    for hit in hits {
        if !transcripts.contains_key(&hit.transcript_id) {
            let id: TranscriptId = hit.transcript_id.parse().map_err(|_| {
                AppError::Invalid(format!("bad transcript id {}", hit.transcript_id))
            })?;
            transcripts.insert(hit.transcript_id.clone(), store.transcript(id)?);
        }
        let Some(transcript) = transcripts.get(&hit.transcript_id) else {
            continue;
        };
        let Some(span) = scope_span(transcript, hit, scope) else {
            continue;
        };
        let key = (transcript.transcript_id, span);
        if span.is_empty() || existing.contains(&key) || !seen.insert(key) {
            continue;
        }
        codings.push(NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: transcript.transcript_id,
            code_id,
            rater_id,
            span,
            memo: None,
            created_at: None,
        });
    }
    Ok(codings)
}

/// After a change, which is saved: brings an existing search index up to date. Best effort: when
/// the index is busy or cannot be written, the warning to show is returned and the next search
/// catches up (running the change again would make it twice).
#[must_use]
pub fn after_change(store: &Store) -> Option<String> {
    match crate::search::ProjectIndex::update(store) {
        Ok(_) => None,
        Err(e @ crate::search::SearchError::Foreign(_)) => Some(format!(
            "{e}; the change is saved (searches build their index in memory until the folder is moved away)"
        )),
        Err(e) => Some(format!(
            "{e}; the change is saved, and the search index will catch up at the next search"
        )),
    }
}

/// Whether a query's top level is an OR (so filters joined to it with AND must group it first).
#[must_use]
pub fn top_is_or(query: &str) -> bool {
    matches!(
        crate::search::parse_query(query),
        Ok(crate::search::query::Expr::Or(_))
    )
}

/// The filters a person picks beside a query (the window's search view, `accord search`'s
/// options), folded into the query by [`full_query`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only this speaker.
    pub speaker: Option<String>,
    /// Only turns of this role (interviewer, participant, other).
    pub role: Option<String>,
    /// Only this transcript (its name or id).
    pub transcript: Option<String>,
    /// Only this case.
    pub case: Option<String>,
    /// Only cases with these attribute values, each `NAME=VALUE`.
    pub attributes: Vec<String>,
}

/// What a filtered search found: the whole query searched, and its results.
#[derive(Debug, Clone)]
pub struct Found {
    /// The query with the filters folded in.
    pub query: String,
    /// The hits.
    pub results: SearchResults,
}

/// The query with the filters folded in, each as the filter of the query language (`speaker:`,
/// `role:`, `transcript:` with the transcript's id, `case:`, `NAME:` for an attribute), joined with
/// AND; a query whose top is an OR is grouped first. An empty query with filters is the filters.
pub fn full_query(store: &Store, query: &str, filters: &Filters) -> Result<String> {
    let quote = |v: &str| format!("\"{}\"", v.replace('"', ""));
    let mut parts = vec![query.to_string()];
    if let Some(s) = &filters.speaker {
        parts.push(format!("speaker:{}", quote(s)));
    }
    if let Some(r) = &filters.role {
        parts.push(format!("role:{}", quote(r)));
    }
    if let Some(t) = &filters.transcript {
        parts.push(format!(
            "transcript:{}",
            quote(&store.find_transcript(t)?.transcript_id.to_text())
        ));
    }
    if let Some(c) = &filters.case {
        parts.push(format!("case:{}", quote(c)));
    }
    for a in &filters.attributes {
        let (name, value) = a
            .split_once('=')
            .ok_or_else(|| AppError::Invalid(format!("--where {a:?}: expected NAME=VALUE")))?;
        parts.push(format!("{}:{}", name.trim(), quote(value.trim())));
    }
    // The filters join the query with AND, so a query whose top is an OR is grouped first. Only
    // then: the group is one more level of nesting, and a query nested as deep as the parser
    // allows must still be accepted.
    if parts.len() > 1 && top_is_or(query) {
        parts[0] = format!("({query})");
    }
    if parts.len() > 1 && query.trim().is_empty() {
        parts.remove(0);
    }
    Ok(parts.join(" "))
}

/// A query's syntax error, with its char column, before anything is opened.
pub fn check_query(query: &str) -> std::result::Result<(), QueryError> {
    crate::search::parse_query(query).map(|_| ())
}

/// Whether the project at `path` keeps a search index on disk (an encrypted project keeps its
/// index in memory), so that there is one to bring up to date after a change.
#[must_use]
pub fn has_index_on_disk(path: &std::path::Path) -> bool {
    crate::search::sync::index_dir(path).exists()
}

/// A search index rebuilt from the project.
#[derive(Debug, Clone)]
pub struct Reindexed {
    /// Its folder; `None` for an index in memory.
    pub dir: Option<std::path::PathBuf>,
    /// Transcripts indexed.
    pub transcripts: usize,
    /// Turns in the index.
    pub turns: u64,
    /// What the index had to say (busy, built in memory instead).
    pub notes: Vec<String>,
}

/// Rebuilds the project's search index from the project.
pub fn reindex(store: &Store) -> Result<Reindexed> {
    let (mut index, report) = crate::search::ProjectIndex::rebuild(store)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(Reindexed {
        notes: index.take_notes(),
        dir: index.dir().map(std::path::Path::to_path_buf),
        transcripts: report.indexed,
        turns: index.num_turns(),
    })
}

/// The hits of a search as a table for a file (`accord search --out`): per hit its transcript,
/// case, turn (from 1), speaker, role, time, place (chars) and the words of its turn or coded
/// passage.
pub fn hits_table(store: &Store, hits: &[Hit]) -> Result<crate::export::Table> {
    use crate::export::Cell;
    let mut transcripts: std::collections::HashMap<String, Transcript> =
        std::collections::HashMap::new();
    let cases: std::collections::HashMap<TranscriptId, Option<String>> = store
        .transcripts()?
        .into_iter()
        .map(|s| (s.transcript_id, s.case_name))
        .collect();
    let mut rows = Vec::new();
    for hit in hits {
        if !transcripts.contains_key(&hit.transcript_id) {
            let id: TranscriptId = hit.transcript_id.parse().map_err(|_| {
                AppError::Invalid(format!("bad transcript id {}", hit.transcript_id))
            })?;
            transcripts.insert(hit.transcript_id.clone(), store.transcript(id)?);
        }
        let Some(t) = transcripts.get(&hit.transcript_id) else {
            continue;
        };
        let span = hit.document_span();
        let case = cases.get(&t.transcript_id).cloned().flatten();
        rows.push(vec![
            Cell::from(t.name.as_str()),
            Cell::from(case.unwrap_or_default()),
            Cell::from(hit.turn_index + 1),
            Cell::from(hit.speaker.as_str()),
            Cell::from(hit.role.as_str()),
            Cell::from(
                hit.start_ms
                    .map(crate::model::format_time_ms)
                    .unwrap_or_default(),
            ),
            Cell::from(span.start),
            Cell::from(span.end),
            Cell::from(crate::model::text::slice_chars(&t.text, span.start, span.end).to_string()),
        ]);
    }
    Ok(crate::export::Table {
        name: "Search hits".into(),
        header: [
            "transcript",
            "case",
            "turn",
            "speaker",
            "role",
            "time",
            "start",
            "end",
            "text",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::{Filters, full_query};
    use crate::store::Store;

    #[test]
    fn filters_join_the_query_with_and_grouping_a_top_or_first() {
        let store = Store::open_in_memory("m").unwrap();
        let filters = Filters {
            speaker: Some("Dr \"K\"".into()),
            role: Some("participant".into()),
            case: Some("P01".into()),
            attributes: vec![" site = B ".into()],
            ..Filters::default()
        };
        assert_eq!(
            full_query(&store, "burnout OR stress", &filters).unwrap(),
            "(burnout OR stress) speaker:\"Dr K\" role:\"participant\" case:\"P01\" site:\"B\""
        );
        assert_eq!(
            full_query(&store, "burnout stress", &Filters::default()).unwrap(),
            "burnout stress"
        );
        // Nothing typed but filters: the filters alone.
        assert_eq!(
            full_query(&store, " ", &filters).unwrap(),
            "speaker:\"Dr K\" role:\"participant\" case:\"P01\" site:\"B\""
        );
        let bad = Filters {
            attributes: vec!["site".into()],
            ..Filters::default()
        };
        assert_eq!(
            full_query(&store, "x", &bad).unwrap_err().to_string(),
            "--where \"site\": expected NAME=VALUE"
        );
        let missing = Filters {
            transcript: Some("P09".into()),
            ..Filters::default()
        };
        assert!(full_query(&store, "x", &missing).is_err());
    }
}
