//! What a search takes and gives: the turns the caller indexes, the options of a search, hits with
//! their exact matched spans (char offsets of the transcript) and snippets, and search errors.

use std::collections::HashMap;
use std::fmt;

use super::highlight::{Snippet, Span};
use super::query::QueryError;
use crate::model::Role;

/// What the caller indexes for one turn.
#[derive(Debug, Clone)]
pub struct TurnDoc {
    pub transcript_id: String,
    pub turn_index: u64,
    /// Char offset of `text`'s first char in the transcript.
    pub turn_start_char: u64,
    pub speaker: String,
    pub role: Role,
    pub case: Option<String>,
    /// Case attributes, e.g. ("site", "B"); indexed as "site=b" in `attr`.
    pub attrs: Vec<(String, String)>,
    /// Code ids applied (by any rater) to a segment overlapping this turn.
    pub codes: Vec<String>,
    pub raters: Vec<String>,
    pub start_ms: Option<u64>,
    /// The turn's words, exactly as in the frozen transcript (for a passage: the coded words).
    pub text: String,
    /// For a passage document (the part of a coding inside one turn): the coding's id.
    pub coding_id: Option<String>,
}

/// Maps a code name from the query (`code:"Role confusion"`) to a code id.
pub trait CodeResolver {
    fn resolve(&self, name: &str) -> Option<String>;
}

impl<S: std::hash::BuildHasher> CodeResolver for HashMap<String, String, S> {
    fn resolve(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl<F: Fn(&str) -> Option<String>> CodeResolver for F {
    fn resolve(&self, name: &str) -> Option<String> {
        self(name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultOrder {
    /// BM25 score, best first (ties: index order).
    Relevance,
    /// (`transcript_id`, `turn_index`) ascending.
    TranscriptOrder,
}

pub struct SearchOptions<'a> {
    /// Max hits returned (the total count is always exact). 0 = count only.
    pub limit: usize,
    pub order: ResultOrder,
    /// Bare words search `text_stem` (English stemming). Phrases never do.
    pub stem: bool,
    pub codes: Option<&'a dyn CodeResolver>,
    /// Approximate snippet width in chars.
    pub snippet_chars: usize,
}

impl Default for SearchOptions<'_> {
    fn default() -> Self {
        SearchOptions {
            limit: 50,
            order: ResultOrder::Relevance,
            stem: false,
            codes: None,
            snippet_chars: 60,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub transcript_id: String,
    pub turn_index: u64,
    pub turn_start_char: u64,
    pub speaker: String,
    pub role: String,
    pub start_ms: Option<u64>,
    /// BM25 score (relevance order only).
    pub score: Option<f32>,
    /// Matched spans in transcript char offsets, sorted, overlaps merged.
    pub spans: Vec<Span>,
    pub snippet: Snippet,
    /// For a coded passage: the coding, its code id and its rater's name.
    pub coding_id: Option<String>,
    pub codes: Vec<String>,
    pub raters: Vec<String>,
    /// Length of the document's text in chars (the turn's words, or the coded passage).
    pub len_chars: u64,
}

impl Hit {
    /// The document's own text in transcript chars: the turn's words, or the coded passage.
    #[must_use]
    pub fn document_span(&self) -> Span {
        let start = self.turn_start_char as usize;
        Span {
            start,
            end: start + self.len_chars as usize,
        }
    }

    /// Where the hit points: from its first match to its last, or, when nothing was matched (a
    /// filter-only query), its whole document.
    #[must_use]
    pub fn focus(&self) -> Span {
        match (self.spans.first(), self.spans.last()) {
            (Some(first), Some(last)) => Span {
                start: first.start,
                end: last.end,
            },
            _ => self.document_span(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Number of matching turns (tantivy `Count`), independent of `limit`.
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// What can go wrong searching.
#[derive(Debug)]
pub enum SearchError {
    /// The query is malformed (with the column of the problem).
    Query(QueryError),
    /// tantivy failed.
    Index(tantivy::TantivyError),
    /// The store or the file system failed while syncing.
    Store(String),
    /// Another process held the index for the whole (brief) wait.
    Busy(String),
    /// What is at the index path is not Accord's, and is left alone.
    Foreign(String),
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::Query(e) => write!(f, "invalid query: {e}"),
            SearchError::Index(e) => write!(f, "search index error: {e}"),
            SearchError::Store(e) => write!(f, "search index: {e}"),
            SearchError::Busy(e) | SearchError::Foreign(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SearchError {}

impl From<QueryError> for SearchError {
    fn from(e: QueryError) -> Self {
        SearchError::Query(e)
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e)
    }
}
