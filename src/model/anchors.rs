//! Carrying positions from one version of a transcript's text to the next: the one re-anchoring
//! path of corrections (and of de-identification, whose rewrites are splices too).
//!
//! A correction is a list of [`Splice`]s: characters `start..end` of the old text replaced by
//! `new_len` characters. When the places are known (a `--replace`, an edit in the window) they are
//! given; otherwise [`PositionMap::between`] finds them with a character diff (`similar`'s Myers,
//! whose common prefix and suffix are taken off first, so one change is found where it is).
//!
//! A span `[s, e)` is carried so that words nobody touched keep their span:
//! - text inserted exactly at a span's start or end stays outside it; inserted strictly inside, it
//!   grows the span;
//! - a replaced stretch the span overlaps becomes part of it whole (the span grows or shrinks with
//!   the new words), and a stretch deleted inside it shrinks it;
//! - a span whose every character was deleted is [`Carried::Lost`], never silently dropped: the
//!   caller reports it with its old quote.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Span;

/// The characters `start..end` of the old text replaced by `new_len` characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Splice {
    /// First old char replaced.
    pub start: usize,
    /// First old char after the replaced ones (`== start` for an insertion).
    pub end: usize,
    /// How many chars replace them (0 for a deletion).
    pub new_len: usize,
}

/// What became of a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Carried {
    /// The same place and the same words.
    Same(Span),
    /// The same words at another place.
    Moved(Span),
    /// Its words were edited: the span grew or shrank with them.
    Resized(Span),
    /// Every character of it was deleted.
    Lost,
}

impl Carried {
    /// The span it now has, if any.
    #[must_use]
    pub fn span(&self) -> Option<Span> {
        match self {
            Self::Same(s) | Self::Moved(s) | Self::Resized(s) => Some(*s),
            Self::Lost => None,
        }
    }
}

/// How long a character diff may run before it settles for a coarser (still correct) answer.
pub const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// The text as the diff compares it: runs of letters and digits (a word), and every other
/// character (a space, a punctuation mark) on its own, so that deleting a passage between two
/// spaces deletes just its tokens.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric();
        if i > start && !(word && in_word) {
            out.push(&text[start..i]);
            start = i;
        }
        in_word = word;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Changes as people made them: two changes with only a space or a mark between them are one
/// (the diff may keep a space of a deleted passage matched with the space after it), and each
/// change loses the characters its old and new text begin and end with alike. So a passage deleted
/// whole is one deletion of exactly its characters, and a coding of it is lost, not shrunk to the
/// space the diff kept. (Only spaces and marks are trimmed: a word changed stays one change.)
fn tidy(splices: Vec<Placed>, old: &str, new: &str) -> Vec<Placed> {
    /// The longest run of spaces or marks between two changes that joins them.
    const JOIN: usize = 3;
    let (a, b): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let mut joined: Vec<Placed> = Vec::with_capacity(splices.len());
    for s in splices {
        if let Some(last) = joined.last_mut() {
            let gap = &a[last.old_end..s.old_start];
            let larger = (last.old_end - last.old_start)
                .max(s.old_end - s.old_start)
                .max(last.new_end - last.new_start)
                .max(s.new_end - s.new_start);
            if gap.len() <= JOIN && gap.len() < larger && gap.iter().all(|c| !c.is_alphanumeric()) {
                last.old_end = s.old_end;
                last.new_end = s.new_end;
                continue;
            }
        }
        joined.push(s);
    }
    let mut joined = semantic(joined);
    // Each change loses the tokens (whole words, spaces, marks) its old and new text begin and
    // end with alike: a word changed stays one change, and a passage deleted with the words the
    // diff kept of it around is a deletion of exactly the passage.
    for s in &mut joined {
        let old_part: String = a[s.old_start..s.old_end].iter().collect();
        let new_part: String = b[s.new_start..s.new_end].iter().collect();
        let (x, y) = (tokens(&old_part), tokens(&new_part));
        let lead = x.iter().zip(&y).take_while(|(p, q)| p == q).count();
        let trail = x[lead..]
            .iter()
            .rev()
            .zip(y[lead..].iter().rev())
            .take_while(|(p, q)| p == q)
            .count();
        let chars = |t: &[&str]| t.iter().map(|w| w.chars().count()).sum::<usize>();
        let (before, after) = (chars(&x[..lead]), chars(&x[x.len() - trail..]));
        s.old_start += before;
        s.new_start += before;
        s.old_end -= after;
        s.new_end -= after;
    }
    joined.retain(|s| s.old_start < s.old_end || s.new_start < s.new_end);
    joined
}

/// Two changes with a stretch of kept text between them no longer than either change (counted as
/// the characters it deletes plus those it inserts) are one change: the diff can keep a few words
/// of a deleted passage matched with the same words beside it (`he'd had. They'd had ...` with
/// `They'd had ...` deleted keeps `'d had`), splitting the deletion and shrinking a coding of the
/// passage to those words instead of reporting it lost. The same rule as diff-match-patch's
/// semantic cleanup; applied until nothing more joins.
fn semantic(mut changes: Vec<Placed>) -> Vec<Placed> {
    let size = |p: &Placed| (p.old_end - p.old_start) + (p.new_end - p.new_start);
    loop {
        let mut joined: Vec<Placed> = Vec::with_capacity(changes.len());
        let mut any = false;
        for s in changes {
            if let Some(last) = joined.last_mut() {
                let gap = s.old_start - last.old_end;
                if gap <= size(last) && gap <= size(&s) {
                    last.old_end = s.old_end;
                    last.new_end = s.new_end;
                    any = true;
                    continue;
                }
            }
            joined.push(s);
        }
        if !any {
            return joined;
        }
        changes = joined;
    }
}

/// A splice with its place in the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placed {
    old_start: usize,
    old_end: usize,
    new_start: usize,
    new_end: usize,
}

/// Positions of an old text carried to a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionMap {
    old_len: usize,
    new_len: usize,
    /// Sorted by old position, disjoint (touching allowed only for an insertion at a deletion's end).
    splices: Vec<Placed>,
}

impl PositionMap {
    /// The map of `splices` (in old positions, sorted, not overlapping) over an old text of
    /// `old_len` chars.
    ///
    /// # Errors
    /// A splice out of the text, reversed, or overlapping or before the one before it.
    pub fn from_splices(old_len: usize, splices: &[Splice]) -> Result<Self, String> {
        let mut placed = Vec::with_capacity(splices.len());
        let mut shift: isize = 0;
        let mut last_end = 0;
        for (i, s) in splices.iter().enumerate() {
            if s.start > s.end || s.end > old_len {
                return Err(format!(
                    "change {}: characters {}..{} are not within the text's {old_len}",
                    i + 1,
                    s.start,
                    s.end
                ));
            }
            if i > 0 && s.start < last_end {
                return Err(format!(
                    "change {} (characters {}..{}) overlaps or comes before the one before it",
                    i + 1,
                    s.start,
                    s.end
                ));
            }
            last_end = s.end;
            if s.start == s.end && s.new_len == 0 {
                continue;
            }
            let new_start = s.start.saturating_add_signed(shift);
            placed.push(Placed {
                old_start: s.start,
                old_end: s.end,
                new_start,
                new_end: new_start + s.new_len,
            });
            shift += s.new_len.cast_signed() - (s.end - s.start).cast_signed();
        }
        Ok(Self {
            old_len,
            new_len: old_len.saturating_add_signed(shift),
            splices: placed,
        })
    }

    /// The map from `old` to `new` found by a diff of their words and the spaces between them
    /// (`similar`'s Myers, after the common prefix and suffix; a diff running past
    /// [`DIFF_DEADLINE`] settles for a coarser answer), positions in characters. Words rather
    /// than single characters: a character diff may keep a letter of a deleted passage matched
    /// with the same letter elsewhere, so a coding of exactly that passage would shrink to the
    /// letter instead of being reported lost, and a word changed ("clear" to "unclear") is best
    /// taken whole by the codings that hold it. Neighbouring changes with nothing equal between
    /// them are one splice.
    #[must_use]
    pub fn between(old: &str, new: &str) -> Self {
        let (old_tokens, new_tokens) = (tokens(old), tokens(new));
        let ops = similar::capture_diff_slices_deadline(
            similar::Algorithm::Myers,
            &old_tokens,
            &new_tokens,
            std::time::Instant::now().checked_add(DIFF_DEADLINE),
        );
        // Each token's first char, and the text's length, on both sides.
        let starts = |tokens: &[&str]| -> Vec<usize> {
            let mut at = 0;
            let mut out = Vec::with_capacity(tokens.len() + 1);
            for t in tokens {
                out.push(at);
                at += t.chars().count();
            }
            out.push(at);
            out
        };
        let (a, b) = (starts(&old_tokens), starts(&new_tokens));
        // Walked by the ops' lengths, in order (the indexes an op carries for the side it does not
        // advance are not always where the walk is).
        let mut splices: Vec<Placed> = Vec::new();
        let (mut old_tok, mut new_tok) = (0, 0);
        for op in ops {
            let (old_toks, new_toks) = (op.old_range().len(), op.new_range().len());
            let (old_at, new_at) = (a[old_tok], b[new_tok]);
            let (old_end, new_end) = (a[old_tok + old_toks], b[new_tok + new_toks]);
            if op.tag() != similar::DiffTag::Equal {
                match splices.last_mut() {
                    Some(last) if last.old_end == old_at && last.new_end == new_at => {
                        last.old_end = old_end;
                        last.new_end = new_end;
                    }
                    _ => splices.push(Placed {
                        old_start: old_at,
                        old_end,
                        new_start: new_at,
                        new_end,
                    }),
                }
            }
            (old_tok, new_tok) = (old_tok + old_toks, new_tok + new_toks);
        }
        let splices = tidy(splices, old, new);
        Self {
            old_len: a.last().copied().unwrap_or(0),
            new_len: b.last().copied().unwrap_or(0),
            splices,
        }
    }

    /// Each change as (old start, old end, new start, new end), in order.
    #[must_use]
    pub fn changes(&self) -> Vec<(usize, usize, usize, usize)> {
        self.splices
            .iter()
            .map(|p| (p.old_start, p.old_end, p.new_start, p.new_end))
            .collect()
    }

    /// The splices, in old positions.
    #[must_use]
    pub fn splices(&self) -> Vec<Splice> {
        self.splices
            .iter()
            .map(|p| Splice {
                start: p.old_start,
                end: p.old_end,
                new_len: p.new_end - p.new_start,
            })
            .collect()
    }

    /// Whether nothing changed.
    #[must_use]
    pub fn is_identity(&self) -> bool {
        self.splices.is_empty()
    }

    /// Length of the old text, in chars.
    #[must_use]
    pub fn old_len(&self) -> usize {
        self.old_len
    }

    /// Length of the new text, in chars.
    #[must_use]
    pub fn new_len(&self) -> usize {
        self.new_len
    }

    /// The first splice that ends after `p` (or starts at it), by binary search.
    fn first_from(&self, p: usize) -> usize {
        self.splices.partition_point(|s| s.old_end < p)
    }

    /// Where a span starting at old `p` starts now: text inserted at `p` stays before it; a
    /// replaced stretch holding `p` is taken whole.
    #[must_use]
    pub fn start(&self, p: usize) -> usize {
        let mut k = self.first_from(p);
        // Splices ending exactly at p (an insertion at p, a deletion up to p) lie before it.
        while self.splices.get(k).is_some_and(|s| s.old_end == p) {
            k += 1;
        }
        match self.splices.get(k) {
            Some(s) if s.old_start <= p && p < s.old_end => s.new_start,
            _ => self.shifted(p, k),
        }
    }

    /// Where a span ending at old `p` ends now: text inserted at `p` stays after it; a replaced
    /// stretch it reaches into is taken whole.
    #[must_use]
    pub fn end(&self, p: usize) -> usize {
        let k = self.first_from(p);
        match self.splices.get(k) {
            Some(s) if s.old_start < p && p <= s.old_end => s.new_end,
            _ => self.shifted(p, k),
        }
    }

    /// `p` moved by every splice before index `k` (all of which end at or before `p`).
    fn shifted(&self, p: usize, k: usize) -> usize {
        match k.checked_sub(1).and_then(|i| self.splices.get(i)) {
            Some(s) => s.new_end + (p - s.old_end),
            None => p,
        }
    }

    /// Whether a change touched the span's characters (overlapped them, or inserted text strictly
    /// inside it).
    #[must_use]
    pub fn touches(&self, span: Span) -> bool {
        if span.start >= span.end {
            return false;
        }
        let k = self.splices.partition_point(|s| s.old_end <= span.start);
        self.splices[k..]
            .iter()
            .take_while(|s| s.old_start <= span.end)
            .any(|s| {
                if s.old_start == s.old_end {
                    span.start < s.old_start && s.old_start < span.end
                } else {
                    s.old_start < span.end && span.start < s.old_end
                }
            })
    }

    /// What becomes of `span`.
    #[must_use]
    pub fn carry(&self, span: Span) -> Carried {
        let (start, end) = (self.start(span.start), self.end(span.end));
        if end <= start && span.start < span.end {
            return Carried::Lost;
        }
        let new = Span::new(start, end.max(start));
        if self.touches(span) {
            Carried::Resized(new)
        } else if new == span {
            Carried::Same(new)
        } else {
            Carried::Moved(new)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply(old: &str, splices: &[(usize, usize, &str)]) -> (String, Vec<Splice>) {
        let chars: Vec<char> = old.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        let mut list = Vec::new();
        for &(s, e, text) in splices {
            out.extend(&chars[at..s]);
            out.push_str(text);
            at = e;
            list.push(Splice {
                start: s,
                end: e,
                new_len: text.chars().count(),
            });
        }
        out.extend(&chars[at..]);
        (out, list)
    }

    fn quote(text: &str, s: Span) -> String {
        text.chars().skip(s.start).take(s.end - s.start).collect()
    }

    #[test]
    fn a_worked_example_of_every_case() {
        // "The role was clear at first."
        //  0123456789012345678901234567
        let old = "The role was clear at first.";
        // "clear" (13..18) -> "unclear"; "at first" (19..27) deleted with its space before;
        // "really " inserted at 9 (before "was").
        let (new, splices) = apply(old, &[(9, 9, "really "), (13, 18, "unclear"), (18, 27, "")]);
        assert_eq!(new, "The role really was unclear.");
        let map = PositionMap::from_splices(old.chars().count(), &splices).unwrap();
        assert_eq!(map.new_len(), new.chars().count());
        let carry = |s, e| map.carry(Span::new(s, e));
        // "The role" is before every change.
        assert_eq!(carry(0, 8), Carried::Same(Span::new(0, 8)));
        // "was" moves by the 7 chars inserted before it (insertion at its start stays outside).
        assert_eq!(carry(9, 12), Carried::Moved(Span::new(16, 19)));
        assert_eq!(quote(&new, Span::new(16, 19)), "was");
        // "role was" (4..12) has "really " inserted strictly inside: it grows.
        assert_eq!(carry(4, 12), Carried::Resized(Span::new(4, 19)));
        assert_eq!(quote(&new, Span::new(4, 19)), "role really was");
        // "was clear" (9..18): the replaced word is taken whole.
        assert_eq!(carry(9, 18), Carried::Resized(Span::new(16, 27)));
        assert_eq!(quote(&new, Span::new(16, 27)), "was unclear");
        // "at first" (19..27) is gone.
        assert_eq!(carry(19, 27), Carried::Lost);
        // "clear at first." (13..28) keeps the replacement and the full stop.
        let c = carry(13, 28);
        assert_eq!(quote(&new, c.span().unwrap()), "unclear.");
        // "The role" insertion at 8's end: "role" (4..8) ends where "really " would not touch.
        assert_eq!(carry(4, 8), Carried::Same(Span::new(4, 8)));
    }

    #[test]
    fn the_diff_finds_one_change_where_it_is() {
        let old = "P01: I was tired and the role was clear.";
        let new = "P01: I was tired and the role was unclear.";
        let map = PositionMap::between(old, new);
        // The word changed is one splice: "clear" (34..39) becomes "unclear".
        assert_eq!(
            map.splices(),
            [Splice {
                start: 34,
                end: 39,
                new_len: 7
            }]
        );
        // "tired" untouched; a coding of "was clear" takes the new word whole.
        assert_eq!(
            map.carry(Span::new(11, 16)),
            Carried::Same(Span::new(11, 16))
        );
        assert_eq!(
            map.carry(Span::new(30, 39)),
            Carried::Resized(Span::new(30, 41))
        );
        // A passage deleted whole is lost, even where a letter of it recurs right after.
        let old = "P01: It was fine. They left it. Then it was not.";
        let new = "P01: It was fine. Then it was not.";
        let map = PositionMap::between(old, new);
        assert_eq!(map.carry(Span::new(18, 31)), Carried::Lost);
        assert!(PositionMap::between(old, old).is_identity());
        assert!(
            PositionMap::from_splices(
                10,
                &[Splice {
                    start: 4,
                    end: 12,
                    new_len: 0
                }]
            )
            .is_err()
        );
        assert!(
            PositionMap::from_splices(
                10,
                &[
                    Splice {
                        start: 4,
                        end: 6,
                        new_len: 0
                    },
                    Splice {
                        start: 5,
                        end: 7,
                        new_len: 0
                    }
                ]
            )
            .is_err()
        );
    }

    /// Random splices over a random text: a span no splice touches quotes the same words after,
    /// and every carried span is within the new text; the naive map (walking every char) agrees.
    fn text_and_splices() -> impl Strategy<Value = (String, Vec<(usize, usize, String)>)> {
        "[ab ]{0,40}".prop_flat_map(|text| {
            let n = text.chars().count();
            let edits = proptest::collection::vec((0..=n, 0usize..5, "[xyab]{0,4}"), 0..5);
            (Just(text), edits).prop_map(move |(text, mut edits)| {
                edits.sort_by_key(|e| e.0);
                let mut out: Vec<(usize, usize, String)> = Vec::new();
                let mut last = 0;
                for (s, len, t) in edits {
                    if s < last {
                        continue;
                    }
                    let e = (s + len).min(n);
                    out.push((s, e, t));
                    last = e.max(s + 1);
                }
                (text, out)
            })
        })
    }

    /// The naive map: each old char's new place (None when deleted), built char by char.
    fn naive_places(old_len: usize, splices: &[Splice]) -> Vec<Option<usize>> {
        let mut places = Vec::with_capacity(old_len);
        let mut new = 0;
        let mut at = 0;
        for s in splices {
            while at < s.start {
                places.push(Some(new));
                new += 1;
                at += 1;
            }
            new += s.new_len;
            while at < s.end {
                places.push(None);
                at += 1;
            }
        }
        while at < old_len {
            places.push(Some(new));
            new += 1;
            at += 1;
        }
        places
    }

    #[test]
    fn a_word_fixed_in_each_of_two_sentences_stays_two_changes() {
        let old = "The coach came on Tuesdays. She asked what the day looked like.";
        let new = "The coach came on Thursdays. She asked what the day looked like, always.";
        let map = PositionMap::between(old, new);
        assert_eq!(map.changes().len(), 2, "{:?}", map.changes());
    }

    proptest! {
        #[test]
        fn untouched_spans_keep_their_words((text, edits) in text_and_splices(), a in 0usize..41, b in 0usize..41) {
            let n = text.chars().count();
            let edits: Vec<(usize, usize, &str)> = edits.iter().map(|(s, e, t)| (*s, *e, t.as_str())).collect();
            let (new, splices) = apply(&text, &edits);
            let map = PositionMap::from_splices(n, &splices).unwrap();
            prop_assert_eq!(map.new_len(), new.chars().count());
            let (s, e) = (a.min(b).min(n), a.max(b).min(n));
            let span = Span::new(s, e);
            let carried = map.carry(span);
            if let Some(c) = carried.span() {
                prop_assert!(c.start <= c.end && c.end <= map.new_len());
            }
            let places = naive_places(n, &splices);
            let touched_naively = places[s..e].iter().any(Option::is_none)
                || splices.iter().any(|x| x.start == x.end && x.new_len > 0 && s < x.start && x.start < e);
            prop_assert_eq!(map.touches(span), touched_naively);
            if !touched_naively && s < e {
                let c = carried.span().unwrap();
                prop_assert_eq!(quote(&new, c), quote(&text, span));
                prop_assert_eq!(Some(c.start), places[s]);
            }
            if s < e && places[s..e].iter().all(Option::is_none) {
                // Deleted whole, unless something replaced it.
                let replaced = splices.iter().any(|x| x.start < e && s < x.end && x.new_len > 0);
                prop_assert!(replaced || carried == Carried::Lost, "{:?}", carried);
            }
        }

        #[test]
        fn the_diff_map_turns_the_old_text_into_the_new((text, edits) in text_and_splices()) {
            let edits: Vec<(usize, usize, &str)> = edits.iter().map(|(s, e, t)| (*s, *e, t.as_str())).collect();
            let (new, _) = apply(&text, &edits);
            let map = PositionMap::between(&text, &new);
            // Its splices, applied with the new text's chars, give the new text.
            let new_chars: Vec<char> = new.chars().collect();
            let mut rebuilt = String::new();
            let old_chars: Vec<char> = text.chars().collect();
            let mut at = 0;
            let mut new_at = 0;
            for s in map.splices() {
                rebuilt.extend(&old_chars[at..s.start]);
                new_at += s.start - at;
                rebuilt.extend(&new_chars[new_at..new_at + s.new_len]);
                new_at += s.new_len;
                at = s.end;
            }
            rebuilt.extend(&old_chars[at..]);
            prop_assert_eq!(rebuilt, new);
        }
    }
}
