//! Our query language compiled to tantivy queries: words and phrases through the same analyzers as
//! the documents (exact phrases on the word-pair field where they can be), filters on keyword fields,
//! NOT under a guard, and the patterns that later mark each hit's matched words.

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Term};

use super::guard::Guarded;
use super::highlight::{self, Pattern, TokMatch};
use super::query::{Expr, FilterExpr, FilterField, QueryError, TermExpr, TermKind};
use super::results::SearchOptions;
use super::schema::{Fields, KEYWORD_ANALYZER, STEM_ANALYZER, TEXT_ANALYZER};
use super::tokenizer::{pair, pair_kept};
use crate::model::Role;

pub(super) fn analyzer(index: &Index, name: &str) -> tantivy::Result<TextAnalyzer> {
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

pub(super) struct Compiler<'a> {
    fields: &'a Fields,
    opts: &'a SearchOptions<'a>,
    text_an: TextAnalyzer,
    stem_an: TextAnalyzer,
    keyword_an: TextAnalyzer,
    pub(super) patterns: Vec<Pattern>,
}

impl<'a> Compiler<'a> {
    pub(super) fn new(
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

    pub(super) fn compile_top(&mut self, e: &Expr) -> Result<Box<dyn Query>, QueryError> {
        self.compile(e, false)
    }

    /// `negated`: under an odd number of NOTs (no highlighting there).
    pub(super) fn compile(
        &mut self,
        e: &Expr,
        negated: bool,
    ) -> Result<Box<dyn Query>, QueryError> {
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
            // A query with NEAR is a code query, answered per turn by `turns.rs`.
            Expr::Near { column, within, .. } => Err(QueryError::new(
                *column,
                format!("NEAR/{within} cannot be searched here"),
            )),
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
