//! The tantivy index: one document per turn (its words, stems and word pairs), written by a writer
//! kept open only while indexing, and searched with queries compiled by `compile.rs` into hits with
//! exact matched spans (char offsets of the transcript) and keyword-in-context snippets.

use std::path::Path;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::compile::{Compiler, analyzer};
use super::highlight::{self, Pattern, Span};
use super::query::parse_query;
use super::results::{Hit, ResultOrder, SearchError, SearchOptions, SearchResults, TurnDoc};
use super::schema::{Fields, STEM_ANALYZER, TEXT_ANALYZER};

/// Writer heap budget per indexing thread (tantivy's minimum is 15 MB; the memory is taken only as
/// documents fill it). Large enough that an import of 100 MB of transcripts, indexed alongside and
/// committed once, makes a few segments and no merge: 50 MB made about eight, merged again at the
/// commit (a third of the time after the import ended); 200 MB peaks at 360 MB for the whole
/// process (`cargo bench --bench import`).
const WRITER_HEAP_BYTES: usize = 200_000_000;

pub struct TranscriptIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
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
        Ok(TranscriptIndex {
            index,
            reader,
            writer: None,
            fields,
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
        // about half as long.
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(2);
        let writer = self
            .index
            .writer_with_num_threads(threads, WRITER_HEAP_BYTES * threads)?;
        Ok(self.writer.insert(writer))
    }

    fn document_of(&self, t: &TurnDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.transcript_id, &t.transcript_id);
        d.add_u64(f.turn_index, t.turn_index);
        d.add_u64(f.transcript_key, transcript_key(&t.transcript_id));
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
        d.add_text(f.text_pairs, &t.text);
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
        // No more hits than documents: a huge limit means "all" and must not size a buffer.
        let limit = opts
            .limit
            .min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
        let (total, addrs): (usize, Vec<(Option<f32>, DocAddress)>) = if limit == 0 {
            (searcher.search(&query, &Count)?, Vec::new())
        } else {
            match opts.order {
                ResultOrder::Relevance => {
                    // Equal scores in transcript order, so that the same query on the same
                    // project lists the same hits, however the index happens to be segmented.
                    let top = TopDocs::with_limit(limit).order_by((
                        (SortBySimilarityScore, Order::Desc),
                        (
                            SortByStaticFastValue::<u64>::for_field("transcript_key"),
                            Order::Asc,
                        ),
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
                    let top = TopDocs::with_limit(limit).order_by((
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
        let hits = self.hits_at(&searcher, addrs, &patterns, opts.snippet_chars)?;
        Ok(SearchResults { total, hits })
    }

    /// The hits of documents found (with their scores), their matched words marked by `patterns`.
    pub(super) fn hits_at(
        &self,
        searcher: &tantivy::Searcher,
        addrs: Vec<(Option<f32>, DocAddress)>,
        patterns: &[Pattern],
        snippet_chars: usize,
    ) -> Result<Vec<Hit>, SearchError> {
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
            let local = highlight::turn_spans(&text, patterns, &mut text_an, &mut stem_an);
            let snippet = highlight::make_snippet(&text, &local, snippet_chars);
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
        Ok(hits)
    }
}

/// The leading 64 bits of a transcript id (its first 16 hex digits) as a number, so that sorting by
/// it sorts UUIDs as their text sorts.
pub(super) fn transcript_key(id: &str) -> u64 {
    id.chars()
        .filter_map(|c| c.to_digit(16))
        .take(16)
        .fold(0u64, |key, d| (key << 4) | u64::from(d))
}

/// Every live document `query` matches, as (transcript id, turn index, address): the turns (or
/// passages) a code query combines, read from the fast fields, unscored.
pub(super) fn matching(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
) -> Result<Vec<(String, u64, DocAddress)>, SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    let mut out = Vec::new();
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let segment_ord = u32::try_from(ordinal).unwrap_or(u32::MAX);
        let turns = reader.fast_fields().u64("turn_index")?;
        let Some(ids) = reader.fast_fields().str("transcript_id")? else {
            continue;
        };
        let mut docs = Vec::new();
        weight.for_each_no_score(reader, &mut |found| docs.extend_from_slice(found))?;
        // A segment holds few transcripts and many turns: each id is looked up in the column's
        // dictionary once.
        let mut names: std::collections::HashMap<u64, String> = std::collections::HashMap::new();
        for doc in docs {
            if reader.is_deleted(doc) {
                continue;
            }
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(doc).next() {
                if let Some(known) = names.get(&ord) {
                    id.clone_from(known);
                } else {
                    ids.ord_to_str(ord, &mut id)
                        .map_err(|e| SearchError::Store(e.to_string()))?;
                    names.insert(ord, id.clone());
                }
            }
            let turn = turns.first(doc).unwrap_or(0);
            out.push((id, turn, DocAddress::new(segment_ord, doc)));
        }
    }
    Ok(out)
}
