//! Exact match spans and keyword-in-context snippets, recomputed from the
//! stored turn text with the same analyzers the index used.
//!
//! tantivy stores positions but NOT offsets in its postings, so offsets come
//! from re-tokenizing: `Token::offset_from/offset_to` are byte offsets into the
//! original text (token filters must not change them), which we turn into
//! char offsets.

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Half-open `[start, end)` range in Unicode scalar (char) offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One analysed token of the stored text.
#[derive(Debug, Clone)]
pub struct Tok {
    pub position: usize,
    pub from: usize, // byte offset
    pub to: usize,   // byte offset
    pub text: String,
}

pub fn tokenize(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Tok> {
    tokenize_matching(analyzer, text, |_| true)
}

/// The tokens for which `keep` holds (with their true positions): highlighting keeps only the
/// tokens some query term matches, instead of copying every word of a long turn.
pub fn tokenize_matching(
    analyzer: &mut TextAnalyzer,
    text: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        if keep(&t.text) {
            out.push(Tok {
                position: t.position,
                from: t.offset_from,
                to: t.offset_to,
                text: t.text.clone(),
            });
        }
    }
    out
}

/// How one query token matches an indexed token (texts already analysed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokMatch {
    Exact(String),
    Prefix(String),
    Fuzzy(String, u8),
}

impl TokMatch {
    fn matches(&self, token: &str) -> bool {
        match self {
            TokMatch::Exact(t) => t == token,
            TokMatch::Prefix(p) => token.starts_with(p.as_str()),
            TokMatch::Fuzzy(t, d) => {
                // cheap length check first: the distance is at least the length difference
                let (la, lb) = (t.chars().count(), token.chars().count());
                la.abs_diff(lb) <= *d as usize && osa_distance(t, token) <= *d as usize
            }
        }
    }
}

/// A highlight pattern: one or more query tokens with their query positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub terms: Vec<(usize, TokMatch)>,
    pub slop: u32,
    /// match against the stemmed token stream instead of the folded one
    pub stemmed: bool,
}

/// Optimal string alignment distance (Levenshtein + adjacent transposition costing 1),
/// i.e. what tantivy's `FuzzyTermQuery::new(_, d, true)` accepts. Counted in chars.
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return a.len().abs_diff(b.len());
    }
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

const MAX_DFS_STEPS: usize = 100_000;

/// Byte spans of all (non-overlapping) occurrences of `pattern` in `toks`.
///
/// Phrase semantics mirror tantivy's slop: with query offsets `o_i` and
/// document positions `p_i`, the cost is `sum |(p_i - o_i) - (p_{i-1} - o_{i-1})|`
/// and must be `<= slop` (so an exact phrase costs 0, one inserted word costs 1,
/// a transposition costs 2). A phrase occurrence yields ONE span from the start of
/// its first token to the end of its last token.
pub fn pattern_byte_spans(pattern: &Pattern, toks: &[Tok]) -> Vec<(usize, usize)> {
    let n = pattern.terms.len();
    if n == 0 {
        return Vec::new();
    }
    let cands: Vec<Vec<usize>> = pattern
        .terms
        .iter()
        .map(|(_, m)| {
            (0..toks.len())
                .filter(|&i| m.matches(&toks[i].text))
                .collect()
        })
        .collect();
    if cands.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    // (slop cost, byte start, byte end)
    let mut found: Vec<(u32, usize, usize)> = Vec::new();
    if n == 1 {
        found.extend(cands[0].iter().map(|&i| (0, toks[i].from, toks[i].to)));
    } else {
        let mut chosen: Vec<usize> = Vec::with_capacity(n);
        let mut steps = 0usize;
        for &first in &cands[0] {
            chosen.clear();
            chosen.push(first);
            dfs(
                pattern,
                toks,
                &cands,
                &mut chosen,
                0,
                &mut steps,
                &mut found,
            );
            if steps > MAX_DFS_STEPS {
                break;
            }
        }
    }
    // Keep non-overlapping occurrences, best first: lowest slop cost, then shortest,
    // then earliest (so "role, honestly, supervisor" wins over an overlapping
    // transposed "Supervisor. Well, the role").
    found.sort_by_key(|&(cost, s, e)| (cost, e - s, s));
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (_, s, e) in found {
        if kept.iter().all(|&(ks, ke)| e <= ks || s >= ke) {
            kept.push((s, e));
        }
    }
    kept.sort_unstable();
    kept
}

fn dfs(
    pattern: &Pattern,
    toks: &[Tok],
    cands: &[Vec<usize>],
    chosen: &mut Vec<usize>,
    cost: u32,
    steps: &mut usize,
    found: &mut Vec<(u32, usize, usize)>,
) {
    *steps += 1;
    if *steps > MAX_DFS_STEPS {
        return;
    }
    let k = chosen.len();
    if k == cands.len() {
        let from = chosen.iter().map(|&i| toks[i].from).min().unwrap_or(0);
        let to = chosen.iter().map(|&i| toks[i].to).max().unwrap_or(0);
        found.push((cost, from, to));
        return;
    }
    let Some(&prev) = chosen.last() else {
        return;
    };
    let prev_adj = toks[prev].position as i64 - pattern.terms[k - 1].0 as i64;
    for &c in &cands[k] {
        if chosen.contains(&c) {
            continue;
        }
        let adj = toks[c].position as i64 - pattern.terms[k].0 as i64;
        let new_cost = u64::from(cost) + adj.abs_diff(prev_adj);
        if new_cost <= u64::from(pattern.slop) {
            chosen.push(c);
            dfs(pattern, toks, cands, chosen, new_cost as u32, steps, found);
            chosen.pop();
        }
    }
}

/// Byte offset -> char offset conversion for one text.
pub struct CharMap {
    /// byte offset of each char start
    starts: Vec<usize>,
}

impl CharMap {
    pub fn new(text: &str) -> Self {
        CharMap {
            starts: text.char_indices().map(|(b, _)| b).collect(),
        }
    }
    /// Number of chars whose start byte is < `byte` (= char offset of a boundary).
    pub fn char_at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }
}

/// Sort and merge overlapping spans (adjacent ones stay separate).
pub fn merge_spans(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Match spans inside one turn's text, in chars relative to the turn start.
pub fn turn_spans(
    text: &str,
    patterns: &[Pattern],
    text_an: &mut TextAnalyzer,
    stem_an: &mut TextAnalyzer,
) -> Vec<Span> {
    if patterns.is_empty() {
        return Vec::new();
    }
    let wanted = |stemmed: bool| {
        move |token: &str| {
            patterns
                .iter()
                .filter(|p| p.stemmed == stemmed)
                .any(|p| p.terms.iter().any(|(_, m)| m.matches(token)))
        }
    };
    let plain = tokenize_matching(text_an, text, wanted(false));
    let stemmed = if patterns.iter().any(|p| p.stemmed) {
        tokenize_matching(stem_an, text, wanted(true))
    } else {
        Vec::new()
    };
    let map = CharMap::new(text);
    let mut spans = Vec::new();
    for p in patterns {
        let toks = if p.stemmed { &stemmed } else { &plain };
        for (from, to) in pattern_byte_spans(p, toks) {
            spans.push(Span {
                start: map.char_at(from),
                end: map.char_at(to),
            });
        }
    }
    merge_spans(spans)
}

/// Keyword-in-context snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Spans relative to `text` (char offsets); only spans fully inside the snippet.
    pub spans: Vec<Span>,
    /// Char offset of the snippet start inside the turn text.
    pub turn_offset: usize,
    /// True if text was cut before / after the snippet (UI shows "…").
    pub cut_before: bool,
    pub cut_after: bool,
}

/// ~`width` chars around the first span, cut at word (whitespace) boundaries.
/// `spans` are turn-relative char spans (sorted). Without spans: start of the turn.
pub fn make_snippet(text: &str, spans: &[Span], width: usize) -> Snippet {
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    let (fs, fe) = spans
        .first()
        .map_or((0, 0), |s| (s.start.min(len), s.end.min(len)));
    let span_len = fe - fs;
    let room = width.saturating_sub(span_len);
    // split the room around the span, giving unused room on one side to the other
    let mut before = room / 2;
    let mut after = room - before;
    if fs < before {
        after += before - fs;
        before = fs;
    }
    if len - fe < after {
        let spare = after - (len - fe);
        after = len - fe;
        before = (before + spare).min(fs);
    }
    let mut start = fs - before;
    let mut end = fe + after;
    // cut at word boundaries: move inwards to whitespace, never into the span
    if start > 0 && !chars[start - 1].is_whitespace() && !chars[start].is_whitespace() {
        let mut s = start;
        while s < fs && !chars[s].is_whitespace() {
            s += 1;
        }
        start = s;
    }
    if end < len && !chars[end].is_whitespace() && end > 0 && !chars[end - 1].is_whitespace() {
        let mut e = end;
        while e > fe && !chars[e - 1].is_whitespace() {
            e -= 1;
        }
        end = e;
    }
    // trim whitespace at both ends
    while start < fs && chars[start].is_whitespace() {
        start += 1;
    }
    while end > fe && end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    let snippet_text: String = chars[start..end].iter().collect();
    let rel = spans
        .iter()
        .filter(|s| s.start >= start && s.end <= end)
        .map(|s| Span {
            start: s.start - start,
            end: s.end - start,
        })
        .collect();
    Snippet {
        text: snippet_text,
        spans: rel,
        turn_offset: start,
        cut_before: start > 0,
        cut_after: end < len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osa() {
        assert_eq!(osa_distance("supervsior", "supervisor"), 1);
        assert_eq!(osa_distance("abc", "abc"), 0);
        assert_eq!(osa_distance("abc", "abd"), 1);
        assert_eq!(osa_distance("abc", ""), 3);
        assert_eq!(osa_distance("ca", "abc"), 3);
    }

    #[test]
    fn charmap_multibyte() {
        let t = "naïve café x";
        let m = CharMap::new(t);
        let b = t.find("café").unwrap();
        assert_eq!(m.char_at(b), 6);
        assert_eq!(m.char_at(b + "café".len()), 10);
        assert_eq!(m.char_at(t.len()), t.chars().count());
    }

    #[test]
    fn snippet_windows() {
        let text = "one two three four five six seven eight nine ten eleven twelve thirteen \
                    fourteen fifteen sixteen seventeen eighteen nineteen twenty";
        let i = text.find("eleven").unwrap();
        let span = Span {
            start: i,
            end: i + 6,
        };
        let s = make_snippet(text, &[span], 30);
        assert!(s.text.contains("eleven"), "{s:?}");
        assert!(s.text.chars().count() <= 30, "{s:?}");
        assert!(s.cut_before && s.cut_after);
        let r = s.spans[0];
        let sc: Vec<char> = s.text.chars().collect();
        assert_eq!(sc[r.start..r.end].iter().collect::<String>(), "eleven");
        // words are not cut
        assert!(text.contains(&format!(" {} ", s.text)), "{s:?}");
        // span at the very start: no cut before
        let s = make_snippet(text, &[Span { start: 0, end: 3 }], 20);
        assert!(!s.cut_before && s.text.starts_with("one"));
        // no spans
        let s = make_snippet("short", &[], 60);
        assert_eq!(s.text, "short");
    }
}
