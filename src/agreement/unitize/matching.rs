//! Matching of coded segments across raters for the segment level: candidate pairs of codings
//! of two different raters whose overlap (intersection over union) reaches the threshold are
//! taken in order of decreasing overlap (ties by the spans' positions, never by rater index, so
//! the result does not depend on the order of the raters) and join two groups when the groups
//! have no rater in common (single linkage; at most one coding per rater in a group).

use super::segments::OverlapThreshold;
use super::spans::Span;
use std::cmp::Ordering;

/// One coding in the matching: its rater and span.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seg {
    pub(super) rater: usize,
    pub(super) span: Span,
}

/// A candidate match between codings `a` and `b` (indices into the segment list).
struct Candidate {
    shared: usize,
    union: usize,
    key: (Span, Span),
    a: usize,
    b: usize,
}

/// Groups the codings (indices into `segs`), each group with at most one coding per rater.
pub(super) fn match_groups(
    segs: &[Seg],
    per_rater: &[Vec<Span>],
    threshold: OverlapThreshold,
) -> Vec<Vec<usize>> {
    let mut offsets = Vec::with_capacity(per_rater.len());
    let mut total = 0usize;
    for spans in per_rater {
        offsets.push(total);
        total += spans.len();
    }
    let mut candidates = Vec::new();
    for (i, a_spans) in per_rater.iter().enumerate() {
        for (j, b_spans) in per_rater.iter().enumerate().skip(i + 1) {
            let (oa, ob) = (
                offsets.get(i).copied().unwrap_or(0),
                offsets.get(j).copied().unwrap_or(0),
            );
            pair_candidates(a_spans, b_spans, threshold, |x, y, shared, union| {
                let (sa, sb) = (a_spans.get(x).copied(), b_spans.get(y).copied());
                let (sa, sb) = (sa.unwrap_or_default(), sb.unwrap_or_default());
                let key = if sa <= sb { (sa, sb) } else { (sb, sa) };
                candidates.push(Candidate {
                    shared,
                    union,
                    key,
                    a: oa + x,
                    b: ob + y,
                });
            });
        }
    }
    candidates.sort_by(compare_candidates);
    let mut groups = Groups::new(segs.iter().map(|s| s.rater));
    for c in &candidates {
        // Never two codings of one rater in a segment.
        groups.join_unless(c.a, c.b, |kept, moved| {
            moved.iter().any(|r| kept.contains(r))
        });
    }
    groups.into_groups()
}

/// Larger overlap first (exact rational comparison), then by the two spans.
fn compare_candidates(x: &Candidate, y: &Candidate) -> Ordering {
    let left = (y.shared as u128) * (x.union as u128);
    let right = (x.shared as u128) * (y.union as u128);
    left.cmp(&right).then_with(|| x.key.cmp(&y.key))
}

/// Calls `found(x, y, shared, union)` for every pair of overlapping codings of two raters
/// (sorted, non-overlapping lists) whose overlap reaches the threshold.
fn pair_candidates<F>(a: &[Span], b: &[Span], threshold: OverlapThreshold, mut found: F)
where
    F: FnMut(usize, usize, usize, usize),
{
    let (mut x, mut y) = (0, 0);
    while let (Some(sa), Some(sb)) = (a.get(x), b.get(y)) {
        let shared = sa.intersection_len(sb);
        if shared > 0 && threshold.met(shared, sa.union_len(sb)) {
            found(x, y, shared, sa.union_len(sb));
        }
        if sa.end <= sb.end {
            x += 1;
        } else {
            y += 1;
        }
    }
}

/// Union-find over codings, each group carrying the keys of its codings (a rater, a side and a
/// code, ...); a join is refused when the caller's `clash` says the two groups' keys may not meet.
/// The per-code matching (no two codings of a rater in a segment) and the confusion matrix's
/// passages (no two segments of one code) both group this way.
pub(crate) struct Groups<K> {
    parent: Vec<usize>,
    keys: Vec<Vec<K>>,
}

impl<K: Clone> Groups<K> {
    /// One group per coding, holding its key.
    pub(crate) fn new(keys: impl IntoIterator<Item = K>) -> Self {
        let keys: Vec<Vec<K>> = keys.into_iter().map(|k| vec![k]).collect();
        Self {
            parent: (0..keys.len()).collect(),
            keys,
        }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while let Some(&p) = self.parent.get(i) {
            if p == i {
                break;
            }
            let grand = self.parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(i) {
                *slot = grand;
            }
            i = p;
        }
        i
    }

    /// Joins the groups of `a` and `b` unless `clash(kept, moved)` holds for their keys.
    pub(crate) fn join_unless(&mut self, a: usize, b: usize, clash: impl Fn(&[K], &[K]) -> bool) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra == rb {
            return;
        }
        let moved = self.keys.get(rb).cloned().unwrap_or_default();
        let Some(kept) = self.keys.get_mut(ra) else {
            return;
        };
        if clash(kept, &moved) {
            return;
        }
        kept.extend(moved);
        if let Some(slot) = self.parent.get_mut(rb) {
            *slot = ra;
        }
    }

    /// The groups, each its codings' indices in order.
    pub(crate) fn into_groups(mut self) -> Vec<Vec<usize>> {
        let n = self.parent.len();
        let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            let r = self.root(i);
            if let Some(list) = by_root.get_mut(r) {
                list.push(i);
            }
        }
        by_root.into_iter().filter(|g| !g.is_empty()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(per_rater: &[Vec<Span>], t: f64) -> Vec<Vec<(usize, Span)>> {
        let segs: Vec<Seg> = per_rater
            .iter()
            .enumerate()
            .flat_map(|(rater, l)| l.iter().map(move |&span| Seg { rater, span }))
            .collect();
        let threshold = OverlapThreshold::new(t).unwrap_or_default();
        let mut out: Vec<Vec<(usize, Span)>> = match_groups(&segs, per_rater, threshold)
            .into_iter()
            .map(|g| {
                g.iter()
                    .filter_map(|&i| segs.get(i))
                    .map(|s| (s.rater, s.span))
                    .collect()
            })
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn low_threshold_takes_the_best_overlap_first() {
        // A [0,10) meets B [0,6) (6/10) and B [6,10) (4/10) at 0.3: the better one wins and
        // B [6,10) stays alone, since A already has a partner from rater B.
        let got = groups(
            &[
                vec![Span::new(0, 10)],
                vec![Span::new(0, 6), Span::new(6, 10)],
            ],
            0.3,
        );
        assert_eq!(
            got,
            vec![
                vec![(0, Span::new(0, 10)), (1, Span::new(0, 6))],
                vec![(1, Span::new(6, 10))]
            ]
        );
    }

    #[test]
    fn no_codings_no_groups() {
        assert!(groups(&[vec![], vec![]], 0.9).is_empty());
    }
}
