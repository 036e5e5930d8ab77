//! The tantivy index: one document per turn, our query language compiled to tantivy queries, and
//! hits with exact matched spans (char offsets of the transcript) and keyword-in-context snippets.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer, TokenStream};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::guard::Guarded;
use super::highlight::{self, Pattern, Snippet, Span, TokMatch};
use super::query::{Expr, FilterExpr, FilterField, QueryError, TermExpr, TermKind, parse_query};
use super::schema::{Fields, KEYWORD_ANALYZER, STEM_ANALYZER, TEXT_ANALYZER};
use super::tokenizer::{pair, pair_kept, pairs};
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
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::Query(e) => write!(f, "invalid query: {e}"),
            SearchError::Index(e) => write!(f, "search index error: {e}"),
            SearchError::Store(e) => write!(f, "search index: {e}"),
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

/// Writer heap budget. tantivy's minimum is 15 MB per indexing thread.
const WRITER_HEAP_BYTES: usize = 50_000_000;

pub struct TranscriptIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
    /// The text analyzer, to make the word pairs of each document.
    text_an: TextAnalyzer,
}

impl TranscriptIndex {
    fn from_index(mut index: Index) -> tantivy::Result<Self> {
        super::schema::register_analyzers(&index);
        // Search the segments in parallel, one thread per core (at most four): a query's latency on a
        // large project then falls with the cores the machine has.
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if cores > 1 {
            index.set_multithread_executor(cores.min(4))?;
        }
        let fields = Fields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let text_an = analyzer(&index, TEXT_ANALYZER)?;
        Ok(TranscriptIndex {
            index,
            reader,
            writer: None,
            fields,
            text_an,
        })
    }

    pub fn create_in_ram() -> tantivy::Result<Self> {
        Self::from_index(Index::create_in_ram(super::schema::build_schema()))
    }

    /// `dir` must exist and must not already hold an index.
    pub fn create_in_dir(dir: &Path) -> tantivy::Result<Self> {
        Self::from_index(Index::create_in_dir(dir, super::schema::build_schema())?)
    }

    pub fn open_in_dir(dir: &Path) -> tantivy::Result<Self> {
        Self::from_index(Index::open_in_dir(dir)?)
    }

    /// Open if `dir` has an index, otherwise create it (the directory must exist).
    pub fn open_or_create_in_dir(dir: &Path) -> tantivy::Result<Self> {
        let mmap = tantivy::directory::MmapDirectory::open(dir)?;
        if Index::exists(&mmap)? {
            Self::open_in_dir(dir)
        } else {
            Self::create_in_dir(dir)
        }
    }

    #[must_use]
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Escape hatch for experiments (timing, diagnostics).
    #[must_use]
    pub fn tantivy_index(&self) -> &Index {
        &self.index
    }

    #[must_use]
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    fn writer(&mut self) -> tantivy::Result<&mut IndexWriter> {
        if let Some(writer) = self.writer.take() {
            return Ok(self.writer.insert(writer));
        }
        // One indexing thread per core (at most two): a rebuild of a large project then takes
        // about half as long, for 50 MB of memory per thread while it runs.
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(2);
        let writer = self
            .index
            .writer_with_num_threads(threads, WRITER_HEAP_BYTES * threads)?;
        Ok(self.writer.insert(writer))
    }

    fn document_of(&mut self, t: &TurnDoc) -> TantivyDocument {
        let mut words = Vec::new();
        let mut stream = self.text_an.token_stream(&t.text);
        while stream.advance() {
            words.push(stream.token().clone());
        }
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.transcript_id, &t.transcript_id);
        d.add_u64(f.turn_index, t.turn_index);
        d.add_u64(f.turn_start_char, t.turn_start_char);
        d.add_text(f.speaker, &t.speaker);
        d.add_text(f.role, t.role.as_str());
        if let Some(c) = &t.case {
            d.add_text(f.case, c);
        }
        for (k, v) in &t.attrs {
            d.add_text(f.attr, format!("{}={}", k.to_lowercase(), v));
        }
        for c in &t.codes {
            d.add_text(f.codes, c);
        }
        for r in &t.raters {
            d.add_text(f.raters, r);
        }
        if let Some(ms) = t.start_ms {
            d.add_u64(f.start_ms, ms);
        }
        if let Some(id) = &t.coding_id {
            d.add_text(f.coding_id, id);
        }
        d.add_text(f.text, &t.text);
        d.add_text(f.text_stem, &t.text);
        d.add_pre_tokenized_text(
            f.text_pairs,
            PreTokenizedString {
                text: String::new(),
                tokens: pairs(&words),
            },
        );
        d
    }

    /// Queue turns for indexing (visible after `commit`).
    pub fn add_turns(&mut self, turns: &[TurnDoc]) -> tantivy::Result<()> {
        let docs: Vec<TantivyDocument> = turns.iter().map(|t| self.document_of(t)).collect();
        let w = self.writer()?;
        for d in docs {
            w.add_document(d)?;
        }
        Ok(())
    }

    /// Queue deletion of every turn of a transcript (visible after `commit`).
    pub fn delete_transcript(&mut self, transcript_id: &str) -> tantivy::Result<()> {
        let term = Term::from_field_text(self.fields.transcript_id, transcript_id);
        self.writer()?.delete_term(term);
        Ok(())
    }

    /// Delete then re-add a transcript's turns. Deletes only affect documents added
    /// before them (opstamp order), so the new turns survive.
    pub fn replace_transcript(
        &mut self,
        transcript_id: &str,
        turns: &[TurnDoc],
    ) -> tantivy::Result<()> {
        self.delete_transcript(transcript_id)?;
        self.add_turns(turns)
    }

    /// Commit pending changes and reload the reader so searches see them.
    pub fn commit(&mut self) -> tantivy::Result<()> {
        if let Some(w) = self.writer.as_mut() {
            w.commit()?;
        }
        self.reader.reload()
    }

    /// Drop the writer (releases the directory lock) after waiting for merges, and reload the reader
    /// so that searches run on the merged segments rather than the many small ones before them.
    pub fn close_writer(&mut self) -> tantivy::Result<()> {
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
            self.reader.reload()?;
        }
        Ok(())
    }

    /// Number of segments the index is split into (each is searched on its own).
    #[must_use]
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    #[must_use]
    pub fn num_turns(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Parse + compile a query to a tantivy query and highlight patterns.
    pub fn compile(
        &self,
        input: &str,
        opts: &SearchOptions<'_>,
    ) -> Result<(Box<dyn Query>, Vec<Pattern>), SearchError> {
        let expr = parse_query(input)?;
        let mut c = Compiler::new(&self.index, &self.fields, opts)?;
        let q = c.compile_top(&expr)?;
        Ok((q, c.patterns))
    }

    pub fn search(
        &self,
        input: &str,
        opts: &SearchOptions<'_>,
    ) -> Result<SearchResults, SearchError> {
        let (query, patterns) = self.compile(input, opts)?;
        let searcher = self.reader.searcher();
        let (total, addrs): (usize, Vec<(Option<f32>, DocAddress)>) = if opts.limit == 0 {
            (searcher.search(&query, &Count)?, Vec::new())
        } else {
            match opts.order {
                ResultOrder::Relevance => {
                    // Equal scores in transcript order, so that the same query on the same
                    // project lists the same hits, however the index happens to be segmented.
                    let top = TopDocs::with_limit(opts.limit).order_by((
                        (SortBySimilarityScore, Order::Desc),
                        (SortByString::for_field("transcript_id"), Order::Asc),
                        (
                            SortByStaticFastValue::<u64>::for_field("turn_index"),
                            Order::Asc,
                        ),
                    ));
                    let (n, docs) = searcher.search(&query, &(Count, top))?;
                    (
                        n,
                        docs.into_iter()
                            .map(|((score, _, _), a)| (Some(score), a))
                            .collect(),
                    )
                }
                ResultOrder::TranscriptOrder => {
                    let top = TopDocs::with_limit(opts.limit).order_by((
                        (SortByString::for_field("transcript_id"), Order::Asc),
                        (
                            SortByStaticFastValue::<u64>::for_field("turn_index"),
                            Order::Asc,
                        ),
                    ));
                    let (n, docs) = searcher.search(&query, &(Count, top))?;
                    (n, docs.into_iter().map(|(_, a)| (None, a)).collect())
                }
            }
        };
        let mut text_an = analyzer(&self.index, TEXT_ANALYZER)?;
        let mut stem_an = analyzer(&self.index, STEM_ANALYZER)?;
        let f = &self.fields;
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let s = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let u = |field| doc.get_first(field).and_then(|v| v.as_u64());
            let all = |field| {
                doc.get_all(field)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            };
            let text = s(f.text);
            let turn_start_char = u(f.turn_start_char).unwrap_or(0);
            let local = highlight::turn_spans(&text, &patterns, &mut text_an, &mut stem_an);
            let snippet = highlight::make_snippet(&text, &local, opts.snippet_chars);
            let spans = local
                .iter()
                .map(|sp| Span {
                    start: sp.start + turn_start_char as usize,
                    end: sp.end + turn_start_char as usize,
                })
                .collect();
            hits.push(Hit {
                transcript_id: s(f.transcript_id),
                turn_index: u(f.turn_index).unwrap_or(0),
                turn_start_char,
                speaker: s(f.speaker),
                role: s(f.role),
                start_ms: u(f.start_ms),
                score,
                spans,
                snippet,
                coding_id: doc
                    .get_first(f.coding_id)
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                codes: all(f.codes),
                raters: all(f.raters),
                len_chars: text.chars().count() as u64,
            });
        }
        Ok(SearchResults { total, hits })
    }
}

fn analyzer(index: &Index, name: &str) -> tantivy::Result<TextAnalyzer> {
    index.tokenizers().get(name).ok_or_else(|| {
        tantivy::TantivyError::SchemaError(format!("analyzer {name} not registered"))
    })
}

fn analyze(an: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    highlight::tokenize(an, text)
        .into_iter()
        .map(|t| (t.position, t.text))
        .collect()
}

/// Rebase query token positions to start at 0 (keeps gaps from removed long tokens).
fn rebase(tokens: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let base = tokens.first().map_or(0, |t| t.0);
    tokens.into_iter().map(|(p, t)| (p - base, t)).collect()
}

struct Compiler<'a> {
    fields: &'a Fields,
    opts: &'a SearchOptions<'a>,
    text_an: TextAnalyzer,
    stem_an: TextAnalyzer,
    keyword_an: TextAnalyzer,
    patterns: Vec<Pattern>,
}

impl<'a> Compiler<'a> {
    fn new(
        index: &Index,
        fields: &'a Fields,
        opts: &'a SearchOptions<'a>,
    ) -> tantivy::Result<Self> {
        Ok(Compiler {
            fields,
            opts,
            text_an: analyzer(index, TEXT_ANALYZER)?,
            stem_an: analyzer(index, STEM_ANALYZER)?,
            keyword_an: analyzer(index, KEYWORD_ANALYZER)?,
            patterns: Vec::new(),
        })
    }

    fn compile_top(&mut self, e: &Expr) -> Result<Box<dyn Query>, QueryError> {
        self.compile(e, false)
    }

    /// `negated`: under an odd number of NOTs (no highlighting there).
    fn compile(&mut self, e: &Expr, negated: bool) -> Result<Box<dyn Query>, QueryError> {
        match e {
            Expr::Term(t) => self.term(t, negated),
            Expr::Filter(f) => self.filter(f),
            Expr::Not(inner) => {
                let q = self.compile(inner, !negated)?;
                Ok(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                    (Occur::MustNot, Box::new(Guarded(q))),
                ])))
            }
            Expr::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for it in items {
                    if let Expr::Not(inner) = it {
                        let q = self.compile(inner, !negated)?;
                        clauses.push((Occur::MustNot, Box::new(Guarded(q))));
                    } else {
                        clauses.push((Occur::Must, self.compile(it, negated)?));
                    }
                }
                // a boolean query with only MustNot clauses matches nothing in tantivy
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Ok(Box::new(BooleanQuery::new(clauses)))
            }
            Expr::Or(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for it in items {
                    clauses.push((Occur::Should, self.compile(it, negated)?));
                }
                Ok(Box::new(BooleanQuery::new(clauses)))
            }
        }
    }

    fn term(&mut self, t: &TermExpr, negated: bool) -> Result<Box<dyn Query>, QueryError> {
        let text_field = self.fields.text;
        let tokens = rebase(analyze(&mut self.text_an, &t.text));
        if tokens.is_empty() {
            return Err(QueryError::new(
                t.column,
                format!("'{}' contains no searchable word", t.text),
            ));
        }
        let highlight = |ps: &mut Vec<Pattern>, p: Pattern| {
            if !negated {
                ps.push(p);
            }
        };
        let exact_pattern = |tokens: &[(usize, String)], slop: u32| Pattern {
            terms: tokens
                .iter()
                .map(|(p, s)| (*p, TokMatch::Exact(s.clone())))
                .collect(),
            slop,
            stemmed: false,
        };
        match t.kind {
            TermKind::Word if tokens.len() == 1 && self.opts.stem => {
                let stemmed = analyze(&mut self.stem_an, &t.text);
                let s = stemmed.into_iter().next().map(|x| x.1).unwrap_or_default();
                highlight(
                    &mut self.patterns,
                    Pattern {
                        terms: vec![(0, TokMatch::Exact(s.clone()))],
                        slop: 0,
                        stemmed: true,
                    },
                );
                let term = Term::from_field_text(self.fields.text_stem, &s);
                Ok(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)))
            }
            TermKind::Word | TermKind::Phrase { .. } => {
                let slop = match t.kind {
                    TermKind::Phrase { slop } => slop,
                    _ => 0,
                };
                highlight(&mut self.patterns, exact_pattern(&tokens, slop));
                if tokens.len() == 1 {
                    let term = Term::from_field_text(text_field, &tokens[0].1);
                    Ok(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)))
                } else if slop == 0 && tokens.iter().enumerate().all(|(i, (p, _))| *p == i) {
                    Ok(self.exact_phrase(&tokens))
                } else {
                    let terms = tokens
                        .iter()
                        .map(|(p, s)| (*p, Term::from_field_text(text_field, s)))
                        .collect();
                    Ok(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
                }
            }
            TermKind::Prefix => {
                let mut pat = exact_pattern(&tokens, 0);
                if let Some(last) = pat.terms.last_mut()
                    && let TokMatch::Exact(s) = &last.1
                {
                    last.1 = TokMatch::Prefix(s.clone());
                }
                highlight(&mut self.patterns, pat);
                if tokens.len() == 1 {
                    // Prefix = Levenshtein prefix automaton with distance 0 (what tantivy's own
                    // parser builds for prefix-fuzzy). Measured ~35x cheaper per query than
                    // RegexQuery::from_pattern("burn.*"), whose regex->DFA compile dominates.
                    let term = Term::from_field_text(text_field, &tokens[0].1);
                    Ok(Box::new(FuzzyTermQuery::new_prefix(term, 0, true)))
                } else {
                    let terms = tokens
                        .iter()
                        .map(|(p, s)| (*p, Term::from_field_text(text_field, s)))
                        .collect();
                    let mut q = PhrasePrefixQuery::new_with_offset(terms);
                    q.set_max_expansions(1000);
                    Ok(Box::new(q))
                }
            }
            TermKind::Fuzzy(d) => {
                if tokens.len() != 1 {
                    return Err(QueryError::new(
                        t.column,
                        format!("fuzzy search needs a single word, '{}' is several", t.text),
                    ));
                }
                let s = tokens[0].1.clone();
                highlight(
                    &mut self.patterns,
                    Pattern {
                        terms: vec![(0, TokMatch::Fuzzy(s.clone(), d))],
                        slop: 0,
                        stemmed: false,
                    },
                );
                let term = Term::from_field_text(text_field, &s);
                Ok(Box::new(FuzzyTermQuery::new(term, d, true)))
            }
        }
    }

    /// An exact phrase of neighbouring words. Two words of which one is common are one word-pair
    /// term; otherwise the phrase is checked on `text`'s positions, only where every kept pair
    /// occurs (the pairs lead the intersection, being rarer than their words).
    fn exact_phrase(&self, tokens: &[(usize, String)]) -> Box<dyn Query> {
        let pair_term = |w: &[(usize, String)]| {
            Term::from_field_text(self.fields.text_pairs, &pair(&w[0].1, &w[1].1))
        };
        if tokens.len() == 2 && pair_kept(&tokens[0].1, &tokens[1].1) {
            let term = pair_term(tokens);
            return Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
        }
        let words = tokens
            .iter()
            .map(|(p, s)| (*p, Term::from_field_text(self.fields.text, s)))
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(PhraseQuery::new_with_offset_and_slop(words, 0)),
        )];
        let mut seen = std::collections::BTreeSet::new();
        for w in tokens.windows(2).filter(|w| pair_kept(&w[0].1, &w[1].1)) {
            let term = pair_term(w);
            if seen.insert(term.clone()) {
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                        0.0,
                    )),
                ));
            }
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn keyword_term(&mut self, field: tantivy::schema::Field, value: &str) -> Term {
        // RawTokenizer always yields exactly one token (possibly empty)
        let v = analyze(&mut self.keyword_an, value)
            .into_iter()
            .next()
            .map(|t| t.1)
            .unwrap_or_default();
        Term::from_field_text(field, &v)
    }

    fn filter(&mut self, f: &FilterExpr) -> Result<Box<dyn Query>, QueryError> {
        let fields = self.fields;
        let term = match &f.field {
            FilterField::Speaker => self.keyword_term(fields.speaker, &f.value),
            FilterField::Rater => self.keyword_term(fields.raters, &f.value),
            FilterField::Case => self.keyword_term(fields.case, &f.value),
            FilterField::Role => {
                let role = f.value.parse::<Role>().ok().ok_or_else(|| {
                    QueryError::new(
                        f.value_column,
                        format!(
                            "unknown role '{}' (expected interviewer, participant or other)",
                            f.value
                        ),
                    )
                })?;
                self.keyword_term(fields.role, role.as_str())
            }
            FilterField::Transcript => Term::from_field_text(fields.transcript_id, &f.value),
            FilterField::Code => {
                let id = self
                    .opts
                    .codes
                    .and_then(|r| r.resolve(&f.value))
                    .ok_or_else(|| {
                        QueryError::new(f.value_column, format!("unknown code '{}'", f.value))
                    })?;
                Term::from_field_text(fields.codes, &id)
            }
            FilterField::Attr(name) => {
                self.keyword_term(fields.attr, &format!("{}={}", name, f.value))
            }
        };
        // filters restrict, they do not contribute to relevance
        Ok(Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            0.0,
        )))
    }
}
