//! Schema and analyzers of the turn index (one tantivy document per turn).

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer,
};

use super::tokenizer::{CachedStemmer, PairFilter, WordTokenizer};

/// `WordTokenizer` + `RemoveLongFilter(40)` + `LowerCaser` + `AsciiFoldingFilter`.
pub const TEXT_ANALYZER: &str = "accord_text";
/// `TEXT_ANALYZER` + English stemming (`CachedStemmer`).
pub const STEM_ANALYZER: &str = "accord_text_stem";
/// `TEXT_ANALYZER` + `PairFilter`: the word pairs of the phrase field.
pub const PAIRS_ANALYZER: &str = "accord_text_pairs";
/// `RawTokenizer` + `LowerCaser` + `AsciiFoldingFilter`: whole value as one
/// case-/accent-insensitive token (speaker, role, case, attr, raters).
pub const KEYWORD_ANALYZER: &str = "accord_keyword";

/// Tokens longer than this many UTF-8 bytes are dropped (they still consume a position).
pub const MAX_TOKEN_BYTES: usize = 40;

pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

pub fn pairs_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(PairFilter)
        .build()
}

pub fn keyword_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Analyzers are NOT persisted in the index (only their names are, in meta.json):
/// they must be registered again every time an index is created or opened.
pub fn register_analyzers(index: &Index) {
    let tm = index.tokenizers();
    tm.register(TEXT_ANALYZER, text_analyzer());
    tm.register(STEM_ANALYZER, stem_analyzer());
    tm.register(PAIRS_ANALYZER, pairs_analyzer());
    tm.register(KEYWORD_ANALYZER, keyword_analyzer());
}

/// Field handles.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub transcript_id: Field,
    pub turn_index: Field,
    pub transcript_key: Field,
    pub turn_start_char: Field,
    pub speaker: Field,
    pub role: Field,
    pub case: Field,
    pub attr: Field,
    pub codes: Field,
    pub raters: Field,
    pub start_ms: Field,
    pub text: Field,
    pub text_stem: Field,
    pub text_pairs: Field,
    pub coding_id: Field,
}

fn keyword(stored: bool) -> TextOptions {
    let opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KEYWORD_ANALYZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    if stored { opts.set_stored() } else { opts }
}

pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    // FAST (raw tokenizer by default for STRING|FAST) so results can be sorted by it.
    b.add_text_field("transcript_id", STRING | STORED | FAST);
    b.add_u64_field("turn_index", INDEXED | STORED | FAST);
    // The transcript id's leading 64 bits as a number: ties in relevance are put in transcript
    // order through it, far cheaper than comparing the id strings.
    b.add_u64_field("transcript_key", FAST);
    b.add_u64_field("turn_start_char", STORED);
    b.add_text_field("speaker", keyword(true));
    b.add_text_field("role", keyword(true));
    b.add_text_field("case", keyword(true));
    b.add_text_field("attr", keyword(true));
    b.add_text_field("codes", STRING | STORED);
    b.add_text_field("raters", keyword(true));
    b.add_u64_field("start_ms", STORED);
    let text_indexing = TextFieldIndexing::default()
        .set_tokenizer(TEXT_ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    b.add_text_field(
        "text",
        TextOptions::default()
            .set_indexing_options(text_indexing)
            .set_stored(),
    );
    // Only bare words search the stems (phrases never do), so no positions are kept for them.
    let stem_indexing = TextFieldIndexing::default()
        .set_tokenizer(STEM_ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    // not stored: the text is stored once, in `text`
    b.add_text_field(
        "text_stem",
        TextOptions::default().set_indexing_options(stem_indexing),
    );
    // Two neighbouring words of `text` as one token when one of them is common ("my supervisor"),
    // made by the index's threads through `PAIRS_ANALYZER` (see `tokenizer::PairFilter`). An exact two-word phrase with a common word is
    // then one term lookup instead of a walk over the long position lists of common words, and
    // longer phrases are checked only where all their kept pairs occur. No positions: the phrase
    // itself is still checked on `text`.
    let pair_indexing = TextFieldIndexing::default()
        .set_tokenizer(PAIRS_ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    b.add_text_field(
        "text_pairs",
        TextOptions::default().set_indexing_options(pair_indexing),
    );
    // The coding a passage document comes from (passage index only).
    b.add_text_field("coding_id", STRING | STORED);
    b.build()
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            transcript_id: schema.get_field("transcript_id")?,
            turn_index: schema.get_field("turn_index")?,
            transcript_key: schema.get_field("transcript_key")?,
            turn_start_char: schema.get_field("turn_start_char")?,
            speaker: schema.get_field("speaker")?,
            role: schema.get_field("role")?,
            case: schema.get_field("case")?,
            attr: schema.get_field("attr")?,
            codes: schema.get_field("codes")?,
            raters: schema.get_field("raters")?,
            start_ms: schema.get_field("start_ms")?,
            text: schema.get_field("text")?,
            text_stem: schema.get_field("text_stem")?,
            text_pairs: schema.get_field("text_pairs")?,
            coding_id: schema.get_field("coding_id")?,
        })
    }
}
