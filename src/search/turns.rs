//! Code queries, answered per turn: `code:A AND code:B` (turns a coding of A and a coding of B both
//! overlap), `code:A NOT code:B`, `code:A NEAR/2 code:B` (a turn coded A within two turns of one
//! coded B, in the same transcript) and any mix with words and the other filters. Each `code:` is
//! the set of turns its coded passages lie in (from the passages index, by the raters the query's
//! top-level `rater:` filters name, or by anyone), each other part the set of turns it finds in the
//! turns index; AND, OR, NOT and NEAR combine the sets. Hits are turns, in transcript order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::compile::Compiler;
use super::index::{TranscriptIndex, matching};
use super::query::{Expr, FilterExpr, FilterField, QueryError};
use super::results::{SearchError, SearchOptions, SearchResults};

/// A turn: its transcript's id and its index.
pub(super) type TurnKey = (String, u64);
type Turns = BTreeSet<TurnKey>;

/// Searches a code query (see [`Expr::is_code_query`]).
pub(super) fn search(
    turns: &TranscriptIndex,
    passages: &TranscriptIndex,
    expr: &Expr,
    opts: &SearchOptions<'_>,
) -> Result<SearchResults, SearchError> {
    let (body, raters) = split_raters(expr)?;
    let turn_searcher = turns.searcher();
    let mut eval = Eval {
        turn_searcher: &turn_searcher,
        passage_searcher: passages.searcher(),
        on_turns: Compiler::new(turns.tantivy_index(), turns.fields(), opts)?,
        on_passages: Compiler::new(passages.tantivy_index(), passages.fields(), opts)?,
        raters,
        universe: None,
    };
    let found = eval.eval(&body, false)?;
    let patterns = std::mem::take(&mut eval.on_turns.patterns);
    // The documents of the hits shown: every turn of their transcripts, read in one pass.
    let shown: Vec<&TurnKey> = found.iter().take(opts.limit).collect();
    let transcripts: BTreeSet<&str> = shown.iter().map(|(id, _)| id.as_str()).collect();
    let of_transcripts = BooleanQuery::new(
        transcripts
            .into_iter()
            .map(|id| {
                let term = Term::from_field_text(turns.fields().transcript_id, id);
                let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, q)
            })
            .collect(),
    );
    let at: HashMap<TurnKey, DocAddress> = matching(&turn_searcher, &of_transcripts)?
        .into_iter()
        .map(|(id, turn, addr)| ((id, turn), addr))
        .collect();
    let addrs: Vec<(Option<f32>, DocAddress)> = shown
        .into_iter()
        .filter_map(|key| at.get(key).map(|addr| (None, *addr)))
        .collect();
    let hits = turns.hits_at(&turn_searcher, addrs, &patterns, opts.snippet_chars)?;
    Ok(SearchResults {
        total: found.len(),
        hits,
    })
}

/// The query without its top-level `rater:` filters, and those filters. A `rater:` anywhere else
/// is refused: in a code query it says whose codings count, for every `code:` at once.
fn split_raters(expr: &Expr) -> Result<(Expr, Vec<FilterExpr>), QueryError> {
    let items = match expr {
        Expr::And(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut raters = Vec::new();
    let mut rest = Vec::new();
    for item in items {
        match item {
            Expr::Filter(f) if f.field == FilterField::Rater => raters.push(f),
            other => {
                if let Some(column) = rater_column(&other) {
                    return Err(QueryError::new(
                        column,
                        "in a code query, rater: says whose codings count for every code: join \
                         it to the whole query with AND (code:A AND code:B rater:\"Maya Chen\")",
                    ));
                }
                rest.push(other);
            }
        }
    }
    let body = if rest.len() == 1 {
        rest.remove(0)
    } else {
        Expr::And(rest)
    };
    Ok((body, raters))
}

/// The column of the first `rater:` filter inside `e`.
fn rater_column(e: &Expr) -> Option<usize> {
    match e {
        Expr::Term(_) => None,
        Expr::Filter(f) => (f.field == FilterField::Rater).then_some(f.column),
        Expr::And(items) | Expr::Or(items) => items.iter().find_map(rater_column),
        Expr::Not(inner) => rater_column(inner),
        Expr::Near { left, right, .. } => rater_column(left).or_else(|| rater_column(right)),
    }
}

/// Whether `e` holds a `NEAR/N`.
fn has_near(e: &Expr) -> bool {
    match e {
        Expr::Term(_) | Expr::Filter(_) => false,
        Expr::Near { .. } => true,
        Expr::And(items) | Expr::Or(items) => items.iter().any(has_near),
        Expr::Not(inner) => has_near(inner),
    }
}

struct Eval<'a> {
    turn_searcher: &'a tantivy::Searcher,
    passage_searcher: tantivy::Searcher,
    on_turns: Compiler<'a>,
    on_passages: Compiler<'a>,
    raters: Vec<FilterExpr>,
    /// Every turn (with words): read at the first NOT.
    universe: Option<Turns>,
}

impl Eval<'_> {
    /// The turns `e` finds; `negated`: under an odd number of NOTs (its words are not marked).
    fn eval(&mut self, e: &Expr, negated: bool) -> Result<Turns, SearchError> {
        if !e.names_code() && !has_near(e) {
            // Words and filters other than code: the turns index answers them as a search would.
            let query = self.on_turns.compile(e, negated)?;
            return Ok(keys(matching(self.turn_searcher, query.as_ref())?));
        }
        match e {
            Expr::Filter(f) if f.field == FilterField::Code => self.coded(f),
            Expr::And(items) => {
                let mut found: Option<Turns> = None;
                let mut without = Turns::new();
                for item in items {
                    if let Expr::Not(inner) = item {
                        without.extend(self.eval(inner, !negated)?);
                    } else {
                        let these = self.eval(item, negated)?;
                        found = Some(match found {
                            None => these,
                            Some(so_far) => so_far.intersection(&these).cloned().collect(),
                        });
                    }
                }
                let found = match found {
                    Some(found) => found,
                    None => self.universe()?.clone(),
                };
                Ok(found.difference(&without).cloned().collect())
            }
            Expr::Or(items) => {
                let mut found = Turns::new();
                for item in items {
                    found.extend(self.eval(item, negated)?);
                }
                Ok(found)
            }
            Expr::Not(inner) => {
                let these = self.eval(inner, !negated)?;
                Ok(self.universe()?.difference(&these).cloned().collect())
            }
            Expr::Near {
                left,
                right,
                within,
                ..
            } => {
                let left = self.eval(left, negated)?;
                let right = self.eval(right, negated)?;
                Ok(near(&left, &right, u64::from(*within)))
            }
            Expr::Term(_) | Expr::Filter(_) => Ok(Turns::new()),
        }
    }

    /// Every turn with words (what NOT takes a set from), read once.
    fn universe(&mut self) -> Result<&Turns, SearchError> {
        if self.universe.is_none() {
            self.universe = Some(keys(matching(self.turn_searcher, &AllQuery)?));
        }
        Ok(self.universe.get_or_insert_default())
    }

    /// The turns a coding of the code overlaps, by the query's raters (any of them) or by anyone.
    fn coded(&mut self, code: &FilterExpr) -> Result<Turns, SearchError> {
        let mut items = vec![Expr::Filter(code.clone())];
        match self.raters.len() {
            0 => {}
            1 => items.push(Expr::Filter(self.raters[0].clone())),
            _ => items.push(Expr::Or(
                self.raters.iter().cloned().map(Expr::Filter).collect(),
            )),
        }
        // Compiled as negated: the passages' words are not the turns' words to mark.
        let query = self.on_passages.compile(&Expr::And(items), true)?;
        Ok(keys(matching(&self.passage_searcher, query.as_ref())?))
    }
}

fn keys(found: Vec<(String, u64, DocAddress)>) -> Turns {
    found.into_iter().map(|(id, turn, _)| (id, turn)).collect()
}

/// The turns of `left` within `within` turns of a turn of `right` in the same transcript.
pub(super) fn near(left: &Turns, right: &Turns, within: u64) -> Turns {
    let mut by_transcript: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (id, turn) in right {
        by_transcript.entry(id.as_str()).or_default().push(*turn);
    }
    left.iter()
        .filter(|(id, turn)| {
            by_transcript.get(id.as_str()).is_some_and(|turns| {
                // `turns` is sorted (a BTreeSet's order): the first at or after turn - within.
                let from = turns.partition_point(|t| *t < turn.saturating_sub(within));
                turns.get(from).is_some_and(|t| *t <= turn + within)
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(keys: &[(&str, u64)]) -> Turns {
        keys.iter().map(|(t, i)| ((*t).to_string(), *i)).collect()
    }

    /// The naive reading of NEAR: every pair compared.
    fn naive(left: &Turns, right: &Turns, within: u64) -> Turns {
        left.iter()
            .filter(|(t, i)| {
                right
                    .iter()
                    .any(|(u, j)| t == u && i.abs_diff(*j) <= within)
            })
            .cloned()
            .collect()
    }

    #[test]
    fn near_counts_turns_within_the_same_transcript() {
        let left = turns(&[("a", 0), ("a", 5), ("b", 3), ("c", 1)]);
        let right = turns(&[("a", 2), ("b", 3), ("d", 1)]);
        assert_eq!(near(&left, &right, 0), turns(&[("b", 3)]));
        assert_eq!(near(&left, &right, 2), turns(&[("a", 0), ("b", 3)]));
        assert_eq!(
            near(&left, &right, 3),
            turns(&[("a", 0), ("a", 5), ("b", 3)])
        );
    }

    #[test]
    fn near_is_the_naive_pairwise_reading() {
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..300 {
            let mut left = Turns::new();
            let mut right = Turns::new();
            for _ in 0..next(30) {
                left.insert((["a", "b", "c"][next(3) as usize].to_string(), next(40)));
            }
            for _ in 0..next(30) {
                right.insert((["a", "b", "c"][next(3) as usize].to_string(), next(40)));
            }
            let within = next(6);
            assert_eq!(near(&left, &right, within), naive(&left, &right, within));
        }
    }
}
