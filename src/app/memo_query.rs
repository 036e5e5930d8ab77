//! The search language on memos: the search's own parser (`search::query`), its words, phrases,
//! prefixes, fuzzy words and AND/OR/NOT evaluated on each memo's text with the index's
//! normalisation (words of letters and digits, combining marks dropped, lower case, accents
//! folded; no stemming, as the search without `--stem`), and the filters a memo has: `kind:`, `author:` (or
//! `rater:`), `code:`, `case:`, `transcript:`. Any other filter, or a name that matches nothing, is
//! an error at its column.

use std::collections::BTreeSet;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

use super::memos::{MemoKind, find_case};
use super::{AppError, Result, resolve};
use crate::model::{Case, CaseId, CodeId, Codebook, RaterId, TranscriptId};
use crate::search::query::{Expr, FilterExpr, FilterField, QueryError, TermKind};
use crate::store::Store;

/// Longest word the index keeps, in bytes (longer ones are dropped, as there).
const MAX_TOKEN_BYTES: usize = 40;

/// What names in a query are looked up in.
pub(crate) struct Names<'a> {
    pub store: &'a Store,
    pub book: &'a Codebook,
    pub cases: &'a [Case],
}

/// One memo as a query sees it.
pub(crate) struct Subject<'a> {
    pub text: &'a str,
    pub kind: MemoKind,
    pub author: Option<RaterId>,
    pub codes: &'a BTreeSet<CodeId>,
    pub case: Option<CaseId>,
    pub transcript: Option<TranscriptId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// Words at their positions (rebased to 0), the last one a prefix when `prefix`.
    Words {
        words: Vec<(usize, String)>,
        slop: u32,
        prefix: bool,
    },
    Fuzzy(String, u8),
    Kind(MemoKind),
    Author(RaterId),
    Code(CodeId),
    Case(CaseId),
    Transcript(TranscriptId),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// A query compiled for memos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemoQuery(Node);

/// The words of a text as the index sees them: (position, word).
pub(crate) fn words(text: &str) -> Vec<(usize, String)> {
    analyse(&mut analyzer(), text)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    // Combining marks belong to the word before them and leave it (as the index's tokenizer does).
    let text: String = text.chars().filter(|&c| !is_combining_mark(c)).collect();
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(&text);
    while let Some(t) = stream.next() {
        out.push((t.position, t.text.clone()));
    }
    out
}

/// The combining marks the index's tokenizer drops (those NFD writes for accented letters).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn invalid(query: &str, e: &QueryError) -> AppError {
    AppError::Invalid(format!("query {query:?}: {e}"))
}

impl MemoQuery {
    /// Parses and compiles `query`; errors name the column, as the search's do.
    pub(crate) fn compile(query: &str, names: &Names<'_>) -> Result<Self> {
        let expr = crate::search::parse_query(query).map_err(|e| invalid(query, &e))?;
        Ok(Self(node(&expr, names).map_err(|e| invalid(query, &e))?))
    }

    /// Whether the memo matches.
    pub(crate) fn matches(&self, memo: &Subject<'_>) -> bool {
        let words = words(memo.text);
        eval(&self.0, memo, &words)
    }
}

fn node(e: &Expr, names: &Names<'_>) -> std::result::Result<Node, QueryError> {
    Ok(match e {
        Expr::Term(t) => {
            let tokens = words(&t.text);
            let base = tokens.first().map_or(0, |w| w.0);
            let tokens: Vec<(usize, String)> =
                tokens.into_iter().map(|(p, w)| (p - base, w)).collect();
            if tokens.is_empty() {
                return Err(QueryError::new(
                    t.column,
                    format!("'{}' contains no searchable word", t.text),
                ));
            }
            match t.kind {
                TermKind::Word => Node::Words {
                    words: tokens,
                    slop: 0,
                    prefix: false,
                },
                TermKind::Phrase { slop } => Node::Words {
                    words: tokens,
                    slop,
                    prefix: false,
                },
                TermKind::Prefix => Node::Words {
                    words: tokens,
                    slop: 0,
                    prefix: true,
                },
                TermKind::Fuzzy(d) => {
                    if tokens.len() != 1 {
                        return Err(QueryError::new(
                            t.column,
                            format!("fuzzy search needs a single word, '{}' is several", t.text),
                        ));
                    }
                    Node::Fuzzy(tokens[0].1.clone(), d)
                }
            }
        }
        Expr::Filter(f) => filter(f, names)?,
        Expr::And(items) => Node::And(
            items
                .iter()
                .map(|i| node(i, names))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Expr::Or(items) => Node::Or(
            items
                .iter()
                .map(|i| node(i, names))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Expr::Not(inner) => Node::Not(Box::new(node(inner, names)?)),
        // NEAR/N counts turns between coded passages: a memo has no turns.
        Expr::Near { column, .. } => {
            return Err(QueryError::new(
                *column,
                "NEAR/N joins codes across turns of a transcript; memos have no turns (use AND)",
            ));
        }
    })
}

fn filter(f: &FilterExpr, names: &Names<'_>) -> std::result::Result<Node, QueryError> {
    let at = |e: AppError| QueryError::new(f.value_column, e.to_string());
    Ok(match &f.field {
        FilterField::Transcript => Node::Transcript(
            names
                .store
                .find_transcript(&f.value)
                .map_err(|e| at(e.into()))?
                .transcript_id,
        ),
        FilterField::Case => Node::Case(find_case(names.cases, &f.value).map_err(at)?),
        FilterField::Code => Node::Code(resolve::code(names.book, &f.value).map_err(at)?),
        FilterField::Rater => Node::Author(
            names
                .store
                .find_rater(&f.value)
                .map_err(|e| at(e.into()))?
                .rater_id,
        ),
        FilterField::Attr(name) if name == "author" => Node::Author(
            names
                .store
                .find_rater(&f.value)
                .map_err(|e| at(e.into()))?
                .rater_id,
        ),
        FilterField::Attr(name) if name == "kind" => {
            Node::Kind(f.value.parse::<MemoKind>().map_err(at)?)
        }
        FilterField::Speaker | FilterField::Role | FilterField::Attr(_) => {
            let name = match &f.field {
                FilterField::Speaker => "speaker",
                FilterField::Role => "role",
                FilterField::Attr(name) => name.as_str(),
                _ => "",
            };
            return Err(QueryError::new(
                f.column,
                format!(
                    "memos cannot be filtered by {name}:; use kind:, author:, code:, case: or transcript:"
                ),
            ));
        }
    })
}

fn eval(n: &Node, memo: &Subject<'_>, words: &[(usize, String)]) -> bool {
    match n {
        Node::Words {
            words: wanted,
            slop,
            prefix,
        } => phrase(words, wanted, *slop, *prefix),
        Node::Fuzzy(s, d) => words.iter().any(|(_, w)| distance(w, s) <= usize::from(*d)),
        Node::Kind(k) => memo.kind == *k,
        Node::Author(a) => memo.author == Some(*a),
        Node::Code(c) => memo.codes.contains(c),
        Node::Case(c) => memo.case == Some(*c),
        Node::Transcript(t) => memo.transcript == Some(*t),
        Node::And(items) => items.iter().all(|i| eval(i, memo, words)),
        Node::Or(items) => items.iter().any(|i| eval(i, memo, words)),
        Node::Not(inner) => !eval(inner, memo, words),
    }
}

/// Whether `wanted` (rebased positions) occurs in `words` in order, each word at most `slop`
/// positions further than the query puts it (in all), the last a prefix when `prefix`.
fn phrase(words: &[(usize, String)], wanted: &[(usize, String)], slop: u32, prefix: bool) -> bool {
    let last = wanted.len().saturating_sub(1);
    let fits = |i: usize, w: &str| {
        if prefix && i == last {
            w.starts_with(wanted[i].1.as_str())
        } else {
            w == wanted[i].1
        }
    };
    let slop = slop as usize;
    // From each place the first word matches: walk on, spending slop on gaps.
    words.iter().enumerate().any(|(start, (p0, w0))| {
        if !fits(0, w0) {
            return false;
        }
        let mut spent = 0;
        let mut at = start;
        let mut pos = *p0;
        for i in 1..wanted.len() {
            let gap = wanted[i].0 - wanted[i - 1].0;
            let Some((j, (p, _))) = words
                .iter()
                .enumerate()
                .skip(at + 1)
                .take_while(|(_, (p, _))| *p <= pos + gap + (slop - spent))
                .find(|(_, (p, w))| *p >= pos + gap && fits(i, w))
            else {
                return false;
            };
            spent += p - (pos + gap);
            at = j;
            pos = *p;
        }
        true
    })
}

/// Edit distance (insertions, deletions, substitutions, a transposition of neighbours costs 1).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: &str, text: &str) -> bool {
        let expr = crate::search::parse_query(query).unwrap();
        let store = Store::open_in_memory("t").unwrap();
        let book = Codebook::default();
        let names = Names {
            store: &store,
            book: &book,
            cases: &[],
        };
        let q = MemoQuery(node(&expr, &names).unwrap());
        q.matches(&Subject {
            text,
            kind: MemoKind::Project,
            author: None,
            codes: &BTreeSet::new(),
            case: None,
            transcript: None,
        })
    }

    #[test]
    fn near_is_refused_on_memos_at_its_column() {
        let expr = crate::search::parse_query("code:A NEAR/2 code:B").unwrap();
        let store = Store::open_in_memory("t").unwrap();
        let book = Codebook::default();
        let names = Names {
            store: &store,
            book: &book,
            cases: &[],
        };
        let err = node(&expr, &names).unwrap_err();
        assert!(err.message.contains("memos have no turns"), "{err}");
        assert_eq!(err.column, 8);
    }

    #[test]
    fn words_fold_case_and_accents_and_match_whole() {
        assert!(run("naive", "A NAI\u{308}VE view"));
        assert!(run("naïve", "a naive view"));
        assert!(run("e-mail", "by E-mail, twice"));
        assert!(!run("e-mail", "by mail, email"));
        assert!(!run("supervisors", "my supervisor said"));
        assert!(!run("supervisor", "my superb visor"));
    }

    #[test]
    fn phrases_prefixes_fuzzy_and_slop() {
        assert!(run("\"my supervisor\"", "and my supervisor said"));
        assert!(!run("\"my supervisor\"", "my own supervisor"));
        assert!(run("\"my supervisor\"~1", "my own supervisor"));
        assert!(!run("\"my supervisor\"~1", "my very own supervisor"));
        assert!(run("burn*", "Burnout again"));
        assert!(run("supervsior~1", "the supervisor"));
        assert!(!run("supervsior~1", "the visor"));
    }

    /// Words, AND, OR and NOT against a naive check: the words of the text, lower-cased.
    #[test]
    fn boolean_queries_agree_with_a_naive_check() {
        let vocab = ["peer", "role", "trust", "shift", "team"];
        let texts: Vec<String> = (0..32u32)
            .map(|bits| {
                vocab
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, w)| w.to_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        let has = |t: &str, w: &str| t.to_lowercase().split(", ").any(|x| x == w);
        for text in &texts {
            for a in vocab {
                for b in vocab {
                    assert_eq!(run(&format!("{a} {b}"), text), has(text, a) && has(text, b));
                    assert_eq!(
                        run(&format!("{a} OR {b}"), text),
                        has(text, a) || has(text, b)
                    );
                    assert_eq!(
                        run(&format!("{a} -{b}"), text),
                        has(text, a) && !has(text, b)
                    );
                    assert_eq!(
                        run(&format!("NOT ({a} OR {b})"), text),
                        !(has(text, a) || has(text, b))
                    );
                }
            }
        }
    }

    #[test]
    fn the_distance_counts_a_swap_once() {
        assert_eq!(distance("abcd", "abdc"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "ab"), 2);
    }
}
