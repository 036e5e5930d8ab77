//! The code-confusion matrix of two raters: over the units of a comparison (characters, turns,
//! sentences or matched passages), how many units rater A coded with the row's code where rater B
//! coded the column's code. A last row and column, "nothing", take the units where a rater applied
//! none of the compared codes: a unit A coded {X} and B left uncoded counts in (X, nothing).
//!
//! A unit where a rater applied several codes counts once for every pair of their codes (A {X, Y}
//! and B {Z} count in (X, Z) and in (Y, Z)), so a row's total can exceed the units A coded with its
//! code; [`ConfusionMatrix::multi_coded`] says how many units did so.
//!
//! The units are those of the per-code agreement ([`super::unitize`]), so the diagonal cell of a
//! code equals the per-code count of units both raters coded with it: at character level a
//! character counts as coded with a code when a coding with it covers it; at turn and sentence
//! level by the [`CoverageRule`] over each code's codings, code by code. At segment level a unit is
//! a passage, built in two steps: first each code's codings are matched across the two raters as
//! the per-code segment level matches them (overlap of at least the threshold, intersection over
//! union, largest overlap first); then these segments (matched pairs and lone codings) are joined
//! across codes when a coding of one overlaps a coding of the other by at least the threshold,
//! largest overlap first, never two segments of one code in a passage. So a passage holds at most
//! one segment of each code and the diagonal is the per-code count of matched segments. There is
//! no passage that no rater coded, so at segment level the (nothing, nothing) cell is 0.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::AgreementError;
use super::unitize::segments::OverlapThreshold;
use super::unitize::spans::{Span, check_span, check_units, coverage_runs, union_overlapping};
use super::unitize::units::covered;
use super::unitize::{CoverageRule, Groups, UnitKind};

/// One rater's spans of one code in one transcript.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeSpans {
    /// The code: an index into the matrix's codes (below `n_codes`).
    pub code: usize,
    /// Its spans, in any order (overlapping ones are united).
    pub spans: Vec<Span>,
}

/// One transcript as the matrix reads it: its length, its units and each rater's codings.
#[derive(Debug, Clone, Default)]
pub struct PairTranscript<'a> {
    /// Length in characters.
    pub len_chars: usize,
    /// Speaker turns (turn unit).
    pub turns: &'a [Span],
    /// Sentences (sentence unit).
    pub sentences: &'a [Span],
    /// Rater A's codings, by code (a code may appear more than once).
    pub a: Vec<CodeSpans>,
    /// Rater B's codings, by code.
    pub b: Vec<CodeSpans>,
}

/// Units counted by rater A's code (rows) and rater B's code (columns); index `n_codes` of either
/// is "nothing".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfusionMatrix {
    /// Codes compared (the matrix is `n_codes + 1` square).
    pub n_codes: usize,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<u64>>,
    /// Units counted, each once.
    pub units: u64,
    /// Units where a rater applied two or more of the codes (they count in several cells).
    pub multi_coded: u64,
}

impl ConfusionMatrix {
    /// An empty matrix over `n_codes` codes.
    #[must_use]
    pub fn new(n_codes: usize) -> Self {
        Self {
            n_codes,
            counts: vec![vec![0; n_codes + 1]; n_codes + 1],
            units: 0,
            multi_coded: 0,
        }
    }

    /// The index of "nothing".
    #[must_use]
    pub const fn nothing(&self) -> usize {
        self.n_codes
    }

    /// The count of a cell (0 outside the matrix).
    #[must_use]
    pub fn get(&self, row: usize, column: usize) -> u64 {
        self.counts
            .get(row)
            .and_then(|r| r.get(column))
            .copied()
            .unwrap_or(0)
    }

    /// Adds `weight` units whose codes were `a` by rater A and `b` by rater B (sorted, distinct).
    fn add(&mut self, a: &[usize], b: &[usize], weight: u64) {
        if weight == 0 {
            return;
        }
        let nothing = [self.n_codes];
        let rows = if a.is_empty() { &nothing[..] } else { a };
        let columns = if b.is_empty() { &nothing[..] } else { b };
        for &r in rows {
            if let Some(row) = self.counts.get_mut(r) {
                for &c in columns {
                    if let Some(cell) = row.get_mut(c) {
                        *cell += weight;
                    }
                }
            }
        }
        self.units += weight;
        if a.len() > 1 || b.len() > 1 {
            self.multi_coded += weight;
        }
    }

    /// Each row as percentages of its total (`None` for a row with no units).
    #[must_use]
    pub fn row_percentages(&self) -> Vec<Vec<Option<f64>>> {
        self.counts
            .iter()
            .map(|row| {
                let total: u64 = row.iter().sum();
                row.iter()
                    .map(|&n| {
                        #[allow(clippy::cast_precision_loss)] // reason: counts far below 2^52
                        let share = (total > 0).then(|| 100.0 * n as f64 / total as f64);
                        share
                    })
                    .collect()
            })
            .collect()
    }

    /// The cells off the diagonal with at least one unit, `(row, column, count)`, largest count
    /// first (then by row and column).
    #[must_use]
    pub fn off_diagonal(&self) -> Vec<(usize, usize, u64)> {
        let mut cells: Vec<(usize, usize, u64)> = self
            .counts
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .filter(move |&(c, &n)| c != r && n > 0)
                    .map(move |(c, &n)| (r, c, n))
            })
            .collect();
        cells.sort_by(|x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        cells
    }
}

/// How a unit is counted, in one or two sentences for reports.
#[must_use]
pub fn describe(kind: &UnitKind) -> String {
    match kind {
        UnitKind::Character => "Unit: character. A character counts for a code when the rater's \
            codings with that code cover it."
            .to_string(),
        UnitKind::Turn(rule) => format!(
            "Unit: speaker turn. A turn counts for a code when {} by the rater's codings with \
             that code.",
            rule.describe()
        ),
        UnitKind::Sentence(rule) => format!(
            "Unit: sentence. A sentence counts for a code when {} by the rater's codings with \
             that code.",
            rule.describe()
        ),
        UnitKind::Segment(threshold) => {
            let value = threshold.value() * 100.0;
            let percent = if (value - value.round()).abs() < 1e-9 {
                format!("{value:.0}")
            } else {
                format!("{value:.1}")
            };
            format!(
                "Unit: passage. Each code's codings are matched across the raters as in the \
             per-code table (overlap of at least {percent}%: shared characters divided by the \
             characters of their union); segments of different codes that overlap by as much are \
             joined into one passage, at most one segment of each code. Every passage is coded \
             by someone, so (nothing, nothing) is 0."
            )
        }
    }
}

/// What the cells count, for every report of the matrix.
pub const COUNTING: &str = "Rows: the codes the first rater applied; columns: the codes the \
second rater applied; (nothing): none of the compared codes. A unit where a rater applied several \
codes counts once for every pair of their codes (A {X, Y} and B {Z} count in X,Z and in Y,Z), so \
a row can add up to more units than the rater coded with its code.";

/// One rater's spans per code in one transcript (checked, codes inside the matrix, each code's
/// spans together).
type ByCode = BTreeMap<usize, Vec<Span>>;

fn by_code(
    transcript: usize,
    len: usize,
    n_codes: usize,
    list: &[CodeSpans],
) -> Result<ByCode, AgreementError> {
    let mut out = ByCode::new();
    for entry in list {
        if entry.code >= n_codes {
            return Err(AgreementError::UnknownCode {
                index: entry.code,
                n_codes,
            });
        }
        for &span in &entry.spans {
            check_span(transcript, span, len)?;
        }
        out.entry(entry.code)
            .or_default()
            .extend(entry.spans.iter().copied());
    }
    Ok(out)
}

/// The confusion matrix of two raters at the given unit over `n_codes` codes.
///
/// # Errors
/// [`AgreementError::InvalidSpan`] for a coding, turn or sentence outside its transcript and
/// [`AgreementError::UnknownCode`] for a code index of `n_codes` or more.
pub fn confusion(
    kind: &UnitKind,
    n_codes: usize,
    transcripts: &[PairTranscript<'_>],
) -> Result<ConfusionMatrix, AgreementError> {
    let mut matrix = ConfusionMatrix::new(n_codes);
    walk(kind, n_codes, transcripts, &mut |_, _, a, b, weight| {
        matrix.add(a, b, weight);
    })?;
    Ok(matrix)
}

/// Where one cell's units are: each unit the matrix counts in (`row`, `column`) (index `n_codes`
/// for nothing) as `(transcript, span)`, by transcript and position; at character level each run
/// of neighbouring characters as one span. For opening a cell's passages side by side.
///
/// # Errors
/// As [`confusion`].
pub fn cell_units(
    kind: &UnitKind,
    n_codes: usize,
    transcripts: &[PairTranscript<'_>],
    row: usize,
    column: usize,
) -> Result<Vec<(usize, Span)>, AgreementError> {
    let applied = |set: &[usize], code: usize| {
        if code == n_codes {
            set.is_empty()
        } else {
            set.binary_search(&code).is_ok()
        }
    };
    let join = matches!(kind, UnitKind::Character);
    let mut out: Vec<(usize, Span)> = Vec::new();
    walk(kind, n_codes, transcripts, &mut |t, span, a, b, _| {
        if !(applied(a, row) && applied(b, column)) {
            return;
        }
        match out.last_mut() {
            Some((last_t, last)) if join && *last_t == t && last.end == span.start => {
                last.end = span.end;
            }
            _ => out.push((t, span)),
        }
    })?;
    out.sort_unstable();
    Ok(out)
}

/// Receives each unit: its transcript, span, the codes of A and of B (sorted) and its weight.
type Emit<'e> = dyn FnMut(usize, Span, &[usize], &[usize], u64) + 'e;

/// Every unit of every transcript, with each rater's codes there.
fn walk(
    kind: &UnitKind,
    n_codes: usize,
    transcripts: &[PairTranscript<'_>],
    emit: &mut Emit<'_>,
) -> Result<(), AgreementError> {
    for (index, t) in transcripts.iter().enumerate() {
        let a = by_code(index, t.len_chars, n_codes, &t.a)?;
        let b = by_code(index, t.len_chars, n_codes, &t.b)?;
        let mut one = |span: Span, x: &[usize], y: &[usize], weight: u64| {
            emit(index, span, x, y, weight);
        };
        match kind {
            UnitKind::Character => characters(&mut one, t.len_chars, &a, &b),
            UnitKind::Turn(rule) => {
                check_units(index, t.turns, t.len_chars)?;
                units(&mut one, *rule, t.turns, &a, &b);
            }
            UnitKind::Sentence(rule) => {
                check_units(index, t.sentences, t.len_chars)?;
                units(&mut one, *rule, t.sentences, &a, &b);
            }
            UnitKind::Segment(threshold) => passages(&mut one, *threshold, &a, &b),
        }
    }
    Ok(())
}

/// Receives each unit of one transcript: its span, the codes of A and of B, its weight.
type EmitOne<'e> = dyn FnMut(Span, &[usize], &[usize], u64) + 'e;

/// Character level: a sweep over the codes' coverage runs, adding each stretch between two
/// boundaries at once.
fn characters(emit: &mut EmitOne<'_>, len: usize, a: &ByCode, b: &ByCode) {
    // (position, side, code, starts): runs of one side and code are disjoint and never touch, so
    // a code never starts and ends at the same position.
    let mut events: Vec<(usize, usize, usize, bool)> = Vec::new();
    for (side, codes) in [a, b].into_iter().enumerate() {
        for (&code, spans) in codes {
            for run in coverage_runs(spans) {
                events.push((run.start, side, code, true));
                events.push((run.end, side, code, false));
            }
        }
    }
    events.sort_unstable();
    let mut active: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    let mut cursor = 0usize;
    for (position, side, code, starts) in events {
        if position > cursor {
            emit(
                Span::new(cursor, position),
                &active[0],
                &active[1],
                (position - cursor) as u64,
            );
            cursor = position;
        }
        let Some(set) = active.get_mut(side) else {
            continue;
        };
        match (set.binary_search(&code), starts) {
            (Err(at), true) => set.insert(at, code),
            (Ok(at), false) => {
                set.remove(at);
            }
            _ => {}
        }
    }
    if len > cursor {
        emit(
            Span::new(cursor, len),
            &active[0],
            &active[1],
            (len - cursor) as u64,
        );
    }
}

/// Turn or sentence level: each non-empty unit once, coded with a code by a rater when the rule
/// holds for that code's codings.
fn units(emit: &mut EmitOne<'_>, rule: CoverageRule, units: &[Span], a: &ByCode, b: &ByCode) {
    let mut ordered: Vec<Span> = units.iter().copied().filter(|u| !u.is_empty()).collect();
    ordered.sort_unstable();
    // Disjoint units (turns, sentences) let each run find its units by binary search; others
    // (never made by Accord) are checked one by one.
    let disjoint = ordered.windows(2).all(|w| w[0].end <= w[1].start);
    let mut coded: [Vec<Vec<usize>>; 2] = [
        vec![Vec::new(); ordered.len()],
        vec![Vec::new(); ordered.len()],
    ];
    for (side, codes) in [a, b].into_iter().enumerate() {
        for (&code, spans) in codes {
            let runs = coverage_runs(spans);
            let mut touched: Vec<usize> = Vec::new();
            if disjoint {
                for run in &runs {
                    let first = ordered.partition_point(|u| u.end <= run.start);
                    for (i, unit) in ordered.iter().enumerate().skip(first) {
                        if unit.start >= run.end {
                            break;
                        }
                        if touched.last() != Some(&i) {
                            touched.push(i);
                        }
                    }
                }
            } else {
                touched.extend(0..ordered.len());
            }
            for i in touched {
                let Some(unit) = ordered.get(i) else {
                    continue;
                };
                if rule.holds(covered(&runs, *unit), unit.len())
                    && let Some(set) = coded[side].get_mut(i)
                {
                    set.push(code);
                }
            }
        }
    }
    let [coded_a, coded_b] = coded;
    for ((x, y), unit) in coded_a.iter().zip(&coded_b).zip(&ordered) {
        emit(*unit, x, y, 1);
    }
}

/// One coding at segment level: its side (0 = A, 1 = B), code and span.
#[derive(Debug, Clone, Copy)]
struct Coding {
    side: usize,
    code: usize,
    span: Span,
}

/// Each side's codings at segment level: each code's overlapping spans united (touching ones
/// kept apart), as the per-code segment level does.
fn segment_codings(a: &ByCode, b: &ByCode) -> Vec<Coding> {
    let mut out = Vec::new();
    for (side, codes) in [a, b].into_iter().enumerate() {
        for (&code, spans) in codes {
            out.extend(union_overlapping(spans).into_iter().map(|span| Coding {
                side,
                code,
                span,
            }));
        }
    }
    out
}

/// A pair of codings that overlap enough to join: `shared` of `union` characters; of one code
/// (the per-code matching, done first) or of two.
struct Candidate {
    same_code: bool,
    shared: usize,
    union: usize,
    key: (Span, Span),
    x: usize,
    y: usize,
}

fn candidate(
    codings: &[Coding],
    x: usize,
    y: usize,
    threshold: OverlapThreshold,
) -> Option<Candidate> {
    let (cx, cy) = (codings.get(x)?, codings.get(y)?);
    if cx.side == cy.side && cx.code == cy.code {
        return None;
    }
    let shared = cx.span.intersection_len(&cy.span);
    let union = cx.span.union_len(&cy.span);
    (shared > 0 && threshold.met(shared, union)).then(|| Candidate {
        same_code: cx.code == cy.code,
        shared,
        union,
        key: if cx.span <= cy.span {
            (cx.span, cy.span)
        } else {
            (cy.span, cx.span)
        },
        x,
        y,
    })
}

/// Codings of one code first (the per-code matching), then larger overlap first (exact rational
/// comparison), then by the two spans, then by the codings' order (side, code, position).
fn in_order(p: &Candidate, q: &Candidate) -> std::cmp::Ordering {
    let left = (q.shared as u128) * (p.union as u128);
    let right = (p.shared as u128) * (q.union as u128);
    q.same_code
        .cmp(&p.same_code)
        .then_with(|| left.cmp(&right))
        .then_with(|| p.key.cmp(&q.key))
        .then_with(|| (p.x, p.y).cmp(&(q.x, q.y)))
}

/// Segment level: codings joined into passages (see the module docs), each passage one unit.
fn passages(emit: &mut EmitOne<'_>, threshold: OverlapThreshold, a: &ByCode, b: &ByCode) {
    let codings = segment_codings(a, b);
    let mut order: Vec<usize> = (0..codings.len()).collect();
    order.sort_by_key(|&i| codings.get(i).map(|c| (c.span.start, c.span.end)));
    // A sweep by start: only codings still open when another starts can overlap it.
    let mut candidates = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for &i in &order {
        let Some(start) = codings.get(i).map(|c| c.span.start) else {
            continue;
        };
        open.retain(|&j| codings.get(j).is_some_and(|c| c.span.end > start));
        for &j in &open {
            let (x, y) = (i.min(j), i.max(j));
            candidates.extend(candidate(&codings, x, y, threshold));
        }
        open.push(i);
    }
    candidates.sort_by(in_order);
    let mut groups = Groups::new(codings.iter().map(|c| (c.side, c.code)));
    for c in &candidates {
        // A join of one code's codings is refused when it would put two codings of one side in a
        // segment (the per-code matching); a join across codes, when it would put two segments of
        // one code in a passage.
        groups.join_unless(c.x, c.y, |kept, moved| {
            if c.same_code {
                moved.iter().any(|k| kept.contains(k))
            } else {
                moved.iter().any(|k| kept.iter().any(|j| j.1 == k.1))
            }
        });
    }
    for members in groups.into_groups() {
        count_passage(emit, &codings, &members);
    }
}

/// One passage: from its first start to its last end, each side's codes among its members.
fn count_passage(emit: &mut EmitOne<'_>, codings: &[Coding], members: &[usize]) {
    let mut sets: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for c in members.iter().filter_map(|&i| codings.get(i)) {
        if let Some(set) = sets.get_mut(c.side) {
            set.push(c.code);
        }
    }
    for set in &mut sets {
        set.sort_unstable();
        set.dedup();
    }
    let start = members
        .iter()
        .filter_map(|&i| codings.get(i))
        .map(|c| c.span.start)
        .min();
    let end = members
        .iter()
        .filter_map(|&i| codings.get(i))
        .map(|c| c.span.end)
        .max();
    let span = Span::new(start.unwrap_or(0), end.unwrap_or(0));
    emit(span, &sets[0], &sets[1], 1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::unitize::{RaterSpans, TranscriptCodings, unitize};
    use proptest::prelude::*;

    fn s(a: usize, b: usize) -> Span {
        Span::new(a, b)
    }

    fn codes(list: &[(usize, &[(usize, usize)])]) -> Vec<CodeSpans> {
        list.iter()
            .map(|(code, spans)| CodeSpans {
                code: *code,
                spans: spans.iter().map(|&(x, y)| s(x, y)).collect(),
            })
            .collect()
    }

    /// Codes 0 "Role conflict", 1 "Role confusion", 2 "Support"; index 3 is nothing.
    ///
    /// One transcript of 40 characters in four turns: T0 [0,10), T1 [10,20), T2 [20,30),
    /// T3 [30,40).
    /// Rater A: conflict [0,10) and [22,25); support [12,18) and [24,28).
    /// Rater B: confusion [2,8) and [21,23); support [10,20); conflict [35,38).
    ///
    /// Turns (any overlap): T0 A {conflict}, B {confusion} -> (0,1).
    ///   T1 A {support}, B {support} -> (2,2).
    ///   T2 A {conflict, support}, B {confusion} -> (0,1) and (2,1); a multi-coded unit.
    ///   T3 A {}, B {conflict} -> (3,0).
    /// So (0,1) = 2, (2,2) = 1, (2,1) = 1, (3,0) = 1; 4 units, 1 multi-coded.
    ///
    /// Characters, by stretch (A's codes / B's codes):
    ///   [0,2) {0}/{} 2 -> (0,3); [2,8) {0}/{1} 6 -> (0,1); [8,10) {0}/{} 2 -> (0,3);
    ///   [10,12) {}/{2} 2 -> (3,2); [12,18) {2}/{2} 6 -> (2,2); [18,20) {}/{2} 2 -> (3,2);
    ///   [20,21) {}/{} 1; [21,22) {}/{1} 1 -> (3,1); [22,23) {0}/{1} 1 -> (0,1);
    ///   [23,24) {0}/{} 1 -> (0,3); [24,25) {0,2}/{} 1 -> (0,3), (2,3) multi;
    ///   [25,28) {2}/{} 3 -> (2,3); [28,35) {}/{} 7; [35,38) {}/{0} 3 -> (3,0); [38,40) {}/{} 2.
    /// So (0,1) = 7, (0,3) = 2+2+1+1 = 6, (2,2) = 6, (2,3) = 1+3 = 4, (3,0) = 3, (3,1) = 1,
    /// (3,2) = 4, (3,3) = 1+7+2 = 10; 40 units, 1 multi-coded.
    fn worked() -> (Vec<Span>, Vec<CodeSpans>, Vec<CodeSpans>) {
        let turns = vec![s(0, 10), s(10, 20), s(20, 30), s(30, 40)];
        let a = codes(&[(0, &[(0, 10), (22, 25)]), (2, &[(12, 18), (24, 28)])]);
        let b = codes(&[(1, &[(2, 8), (21, 23)]), (2, &[(10, 20)]), (0, &[(35, 38)])]);
        (turns, a, b)
    }

    fn run(kind: &UnitKind) -> ConfusionMatrix {
        let (turns, a, b) = worked();
        let t = PairTranscript {
            len_chars: 40,
            turns: &turns,
            sentences: &[],
            a,
            b,
        };
        confusion(kind, 3, &[t]).unwrap()
    }

    fn cells(m: &ConfusionMatrix) -> Vec<(usize, usize, u64)> {
        let mut out = Vec::new();
        for (r, row) in m.counts.iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                if n > 0 {
                    out.push((r, c, n));
                }
            }
        }
        out
    }

    #[test]
    fn worked_example_at_turn_level() {
        let m = run(&UnitKind::Turn(CoverageRule::AnyOverlap));
        assert_eq!(cells(&m), vec![(0, 1, 2), (2, 1, 1), (2, 2, 1), (3, 0, 1)]);
        assert_eq!((m.units, m.multi_coded), (4, 1));
        // Worst first, the diagonal left out; ties by row then column.
        assert_eq!(m.off_diagonal(), vec![(0, 1, 2), (2, 1, 1), (3, 0, 1)]);
        let pct = m.row_percentages();
        assert_eq!(pct[0][1], Some(100.0));
        assert_eq!(pct[2][1], Some(50.0));
        assert_eq!(pct[1][1], None, "nobody's row: no units");
    }

    #[test]
    fn worked_example_at_character_level() {
        let m = run(&UnitKind::Character);
        assert_eq!(
            cells(&m),
            vec![
                (0, 1, 7),
                (0, 3, 6),
                (2, 2, 6),
                (2, 3, 4),
                (3, 0, 3),
                (3, 1, 1),
                (3, 2, 4),
                (3, 3, 10)
            ]
        );
        assert_eq!((m.units, m.multi_coded), (40, 1));
    }

    #[test]
    fn worked_example_at_segment_level() {
        // Passages at 0.5: A conflict [0,10) and B confusion [2,8) (6/10); A support [12,18)
        // and B support [10,20) (6/10); A conflict [22,25) and B confusion [21,23) share 1 of 4,
        // A support [24,28) and A conflict [22,25) share 1 of 6: apart. B conflict [35,38) alone.
        // So (0,1) = 1, (2,2) = 1, (0,3) = 1 ([22,25)), (3,1) = 1 ([21,23)), (2,3) = 1, (3,0) = 1.
        let m = run(&UnitKind::Segment(OverlapThreshold::new(0.5).unwrap()));
        assert_eq!(
            cells(&m),
            vec![
                (0, 1, 1),
                (0, 3, 1),
                (2, 2, 1),
                (2, 3, 1),
                (3, 0, 1),
                (3, 1, 1)
            ]
        );
        assert_eq!((m.units, m.multi_coded), (6, 0));
    }

    #[test]
    fn a_cell_names_its_units() {
        let (turns, a, b) = worked();
        let t = [PairTranscript {
            len_chars: 40,
            turns: &turns,
            sentences: &[],
            a,
            b,
        }];
        let turn = UnitKind::Turn(CoverageRule::AnyOverlap);
        // (Role conflict, Role confusion) at turn level: T0 and T2.
        assert_eq!(
            cell_units(&turn, 3, &t, 0, 1).unwrap(),
            vec![(0, s(0, 10)), (0, s(20, 30))]
        );
        // (nothing, Role conflict): T3.
        assert_eq!(
            cell_units(&turn, 3, &t, 3, 0).unwrap(),
            vec![(0, s(30, 40))]
        );
        // (Role conflict, nothing) in characters: [0,2), [8,10) and [23,25) (two stretches
        // joined), 6 characters as in the matrix.
        assert_eq!(
            cell_units(&UnitKind::Character, 3, &t, 0, 3).unwrap(),
            vec![(0, s(0, 2)), (0, s(8, 10)), (0, s(23, 25))]
        );
        assert!(cell_units(&turn, 3, &t, 1, 1).unwrap().is_empty());
    }

    #[test]
    fn passages_never_join_two_segments_of_one_code() {
        // Codes 0 X, 1 Y, 2 Z; threshold 0.5. A: X [0,10), Z [3,15). B: Y [0,12), X [5,15).
        // Per code, A's X and B's X share 5 of 15 characters: not matched. Across codes: A X and
        // B Y share 10 of 12, B X and A Z 10 of 12, B Y and A Z 9 of 15 (0.6), A X and A Z 7 of
        // 15, B Y and B X 7 of 15. The first two join; the third would put A's X and B's X in one
        // passage and is refused. So A {X} / B {Y} and A {Z} / B {X}: (0,1) = 1, (2,0) = 1 and
        // no (X, X), as in the per-code table.
        let t = PairTranscript {
            len_chars: 20,
            a: codes(&[(0, &[(0, 10)]), (2, &[(3, 15)])]),
            b: codes(&[(1, &[(0, 12)]), (0, &[(5, 15)])]),
            ..PairTranscript::default()
        };
        let kind = UnitKind::Segment(OverlapThreshold::new(0.5).unwrap());
        let m = confusion(&kind, 3, &[t]).unwrap();
        assert_eq!(cells(&m), vec![(0, 1, 1), (2, 0, 1)]);
        assert_eq!((m.units, m.multi_coded), (2, 0));
    }

    #[test]
    fn a_code_outside_the_matrix_and_a_span_outside_the_text_are_refused() {
        let t = PairTranscript {
            len_chars: 10,
            a: codes(&[(3, &[(0, 2)])]),
            ..PairTranscript::default()
        };
        assert_eq!(
            confusion(&UnitKind::Character, 3, &[t]),
            Err(AgreementError::UnknownCode {
                index: 3,
                n_codes: 3
            })
        );
        let t = PairTranscript {
            len_chars: 10,
            b: codes(&[(0, &[(5, 12)])]),
            ..PairTranscript::default()
        };
        assert!(matches!(
            confusion(&UnitKind::Character, 3, &[t]),
            Err(AgreementError::InvalidSpan { .. })
        ));
    }

    /// The naive matrix: every unit built and looked at on its own.
    fn naive(
        kind: &UnitKind,
        n_codes: usize,
        transcripts: &[PairTranscript<'_>],
    ) -> ConfusionMatrix {
        let mut m = ConfusionMatrix::new(n_codes);
        for t in transcripts {
            let covers = |list: &[CodeSpans], code: usize, c: usize| {
                list.iter()
                    .filter(|e| e.code == code)
                    .any(|e| e.spans.iter().any(|sp| sp.start <= c && c < sp.end))
            };
            let set_at = |list: &[CodeSpans], c: usize| -> Vec<usize> {
                (0..n_codes).filter(|&k| covers(list, k, c)).collect()
            };
            match kind {
                UnitKind::Character => {
                    for c in 0..t.len_chars {
                        m.add(&set_at(&t.a, c), &set_at(&t.b, c), 1);
                    }
                }
                UnitKind::Turn(rule) | UnitKind::Sentence(rule) => {
                    let units = if matches!(kind, UnitKind::Turn(_)) {
                        t.turns
                    } else {
                        t.sentences
                    };
                    for u in units.iter().filter(|u| !u.is_empty()) {
                        let set = |list: &[CodeSpans]| -> Vec<usize> {
                            (0..n_codes)
                                .filter(|&k| {
                                    let n =
                                        (u.start..u.end).filter(|&c| covers(list, k, c)).count();
                                    rule.holds(n, u.len())
                                })
                                .collect()
                        };
                        m.add(&set(&t.a), &set(&t.b), 1);
                    }
                }
                UnitKind::Segment(threshold) => {
                    let a = by_code(0, t.len_chars, n_codes, &t.a).unwrap();
                    let b = by_code(0, t.len_chars, n_codes, &t.b).unwrap();
                    let codings = segment_codings(&a, &b);
                    // Every pair, then joins in order, with groups as plain lists.
                    let mut candidates: Vec<Candidate> = (0..codings.len())
                        .flat_map(|x| ((x + 1)..codings.len()).map(move |y| (x, y)))
                        .filter_map(|(x, y)| candidate(&codings, x, y, *threshold))
                        .collect();
                    candidates.sort_by(in_order);
                    let mut groups: Vec<Vec<usize>> = (0..codings.len()).map(|i| vec![i]).collect();
                    for c in &candidates {
                        let gx = groups.iter().position(|g| g.contains(&c.x)).unwrap();
                        let gy = groups.iter().position(|g| g.contains(&c.y)).unwrap();
                        // Within a code no two codings of a side; across codes no two codes.
                        let same = |i: &usize, j: &usize| {
                            codings[*i].code == codings[*j].code
                                && (!c.same_code || codings[*i].side == codings[*j].side)
                        };
                        let clash = groups[gx]
                            .iter()
                            .any(|i| groups[gy].iter().any(|j| same(i, j)));
                        if gx != gy && !clash {
                            let moved = std::mem::take(&mut groups[gy]);
                            groups[gx].extend(moved);
                        }
                    }
                    for g in groups.iter().filter(|g| !g.is_empty()) {
                        count_passage(&mut |_, x, y, w| m.add(x, y, w), &codings, g);
                    }
                }
            }
        }
        m
    }

    fn spans_strategy(len: usize) -> impl Strategy<Value = Vec<CodeSpans>> {
        prop::collection::vec(
            (0usize..4, prop::collection::vec((0..=len, 0..=len), 0..4)),
            0..6,
        )
        .prop_map(|list| {
            list.into_iter()
                .map(|(code, spans)| CodeSpans {
                    code,
                    spans: spans
                        .into_iter()
                        .map(|(x, y)| s(x.min(y), x.max(y)))
                        .collect(),
                })
                .collect()
        })
    }

    fn kinds() -> impl Strategy<Value = UnitKind> {
        let rule = prop::sample::select(vec![
            CoverageRule::AnyOverlap,
            CoverageRule::Majority,
            CoverageRule::Full,
        ]);
        prop_oneof![
            Just(UnitKind::Character),
            rule.clone().prop_map(UnitKind::Turn),
            rule.prop_map(UnitKind::Sentence),
            prop::sample::select(vec![0.3, 0.5, 0.9, 1.0])
                .prop_map(|t| UnitKind::Segment(OverlapThreshold::new(t).unwrap())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_equals_naive(
            kind in kinds(),
            a in spans_strategy(30),
            b in spans_strategy(30),
            cuts in prop::collection::vec(0usize..=30, 0..6),
            loose in prop::collection::vec((0usize..=30, 0usize..=30), 0..4),
        ) {
            let mut bounds = cuts;
            bounds.extend([0, 30]);
            bounds.sort_unstable();
            let turns: Vec<Span> = bounds.windows(2).map(|w| s(w[0], w[1])).collect();
            // Sentences that may overlap (the one-by-one path).
            let sentences: Vec<Span> = loose.iter().map(|&(x, y)| s(x.min(y), x.max(y))).collect();
            let t = PairTranscript { len_chars: 30, turns: &turns, sentences: &sentences, a, b };
            let fast = confusion(&kind, 4, std::slice::from_ref(&t)).unwrap();
            prop_assert_eq!(&fast, &naive(&kind, 4, &[t]));
        }

        #[test]
        fn each_cell_names_as_many_units_as_it_counts(
            kind in kinds(),
            a in spans_strategy(30),
            b in spans_strategy(30),
            cuts in prop::collection::vec(0usize..=30, 0..6),
        ) {
            let mut bounds = cuts;
            bounds.extend([0, 30]);
            bounds.sort_unstable();
            let units: Vec<Span> = bounds.windows(2).map(|w| s(w[0], w[1])).collect();
            let t = [PairTranscript { len_chars: 30, turns: &units, sentences: &units, a, b }];
            let m = confusion(&kind, 4, &t).unwrap();
            for row in 0..5 {
                for column in 0..5 {
                    let listed = cell_units(&kind, 4, &t, row, column).unwrap();
                    let n: u64 = if matches!(kind, UnitKind::Character) {
                        listed.iter().map(|(_, sp)| sp.len() as u64).sum()
                    } else {
                        listed.len() as u64
                    };
                    prop_assert_eq!(n, m.get(row, column), "cell {} {}", row, column);
                }
            }
        }

        #[test]
        fn the_diagonal_is_the_per_code_count_of_units_both_coded(
            kind in kinds(),
            a in spans_strategy(30),
            b in spans_strategy(30),
            cuts in prop::collection::vec(0usize..=30, 0..6),
        ) {
            let mut bounds = cuts;
            bounds.extend([0, 30]);
            bounds.sort_unstable();
            let units: Vec<Span> = bounds.windows(2).map(|w| s(w[0], w[1])).collect();
            let t = PairTranscript { len_chars: 30, turns: &units, sentences: &units, a, b };
            let m = confusion(&kind, 4, std::slice::from_ref(&t)).unwrap();
            let names = vec!["A".to_string(), "B".to_string()];
            for code in 0..4 {
                let lane = |list: &[CodeSpans]| list.iter().filter(|e| e.code == code).flat_map(|e| e.spans.clone()).collect::<Vec<_>>();
                let one = TranscriptCodings {
                    len_chars: 30,
                    turns: &units,
                    sentences: &units,
                    by_rater: vec![
                        RaterSpans { rater: 0, spans: lane(&t.a) },
                        RaterSpans { rater: 1, spans: lane(&t.b) },
                    ],
                };
                let per_code = unitize(&kind, &names, &[one]).unwrap();
                let both: u64 = per_code.data.patterns().iter()
                    .filter(|p| p.cells == vec![Some(1), Some(1)])
                    .map(|p| p.count)
                    .sum();
                prop_assert_eq!(m.get(code, code), both, "code {}", code);
                if !matches!(kind, UnitKind::Segment(_)) {
                    prop_assert_eq!(m.units, per_code.data.n_units());
                }
            }
        }
    }
}
