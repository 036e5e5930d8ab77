//! A small rule-based sentence splitter for interview transcripts, giving sentence spans in
//! char offsets inside given turns (sentences never cross a turn).
//!
//! A sentence ends after a run of `.`, `?`, `!` or `…`, plus any closing quotes or brackets,
//! when the next char is whitespace or the end of the turn. A run of dots (or `…`) does NOT end
//! a sentence when: the word before it is a known abbreviation ("Dr.", "e.g.", "z.B."), a
//! single capital letter (an initial, "J. Smith"), or has inner dots ("U.S."); or the next
//! word starts with a lower-case letter ("so... and then"). Decimal numbers ("3.50") never
//! split because no space follows the dot. Text after the last end (or a turn without terminal
//! punctuation) is one sentence. Sentences are trimmed of surrounding whitespace; whitespace
//! between sentences belongs to none.

use super::spans::Span;

/// Abbreviations (lower case, without the final dot) after which a dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "cf", "approx", "ca", "fig", "vol",
    "pp", "dept", "inc", "ltd", "bzw", "usw", "ggf", "evtl", "vgl", "nr", "hr", "fr", "bspw",
    "e.g", "i.e", "z.b", "d.h", "u.a", "o.ä", "s.o", "s.u",
];

/// Closing chars that may follow the terminal punctuation and still belong to the sentence.
const CLOSERS: &[char] = &['"', '\'', '”', '’', '“', '»', '«', ')', ']', '}'];

/// Sentence boundaries inside each span of `within` (e.g. the turns), in char offsets of
/// `text`. Spans are clipped to the text; the result is in the order of `within`.
#[must_use]
pub fn split_sentences(text: &str, within: &[Span]) -> Vec<Span> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for turn in within {
        let end = turn.end.min(chars.len());
        let start = turn.start.min(end);
        if let Some(slice) = chars.get(start..end) {
            split_one(slice, start, &mut out);
        }
    }
    out
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '…')
}

/// Splits one turn (`chars`, beginning at text offset `base`) into `out`.
fn split_one(chars: &[char], base: usize, out: &mut Vec<Span>) {
    let mut start: Option<usize> = None;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let Some(s) = start else {
            if !c.is_whitespace() {
                start = Some(i);
            }
            i += 1;
            continue;
        };
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        let run_end = skip_while(chars, i, is_terminal);
        let close_end = skip_while(chars, run_end, |c| CLOSERS.contains(&c));
        let followed_by_space = chars.get(close_end).is_none_or(|c| c.is_whitespace());
        if followed_by_space && ends_sentence(chars, s, i, run_end, close_end) {
            out.push(Span::new(base + s, base + close_end));
            start = None;
        }
        i = close_end;
    }
    if let Some(s) = start {
        let mut e = chars.len();
        while e > s && chars.get(e - 1).is_some_and(|c| c.is_whitespace()) {
            e -= 1;
        }
        out.push(Span::new(base + s, base + e));
    }
}

fn skip_while(chars: &[char], from: usize, keep: impl Fn(char) -> bool) -> usize {
    let mut i = from;
    while chars.get(i).is_some_and(|&c| keep(c)) {
        i += 1;
    }
    i
}

/// Whether the terminal run `chars[run_start..run_end]` (closers up to `close_end`) ends the
/// sentence begun at `sentence_start`.
fn ends_sentence(
    chars: &[char],
    sentence_start: usize,
    run_start: usize,
    run_end: usize,
    close_end: usize,
) -> bool {
    let run = chars.get(run_start..run_end).unwrap_or_default();
    if run.iter().any(|c| matches!(c, '?' | '!')) {
        return true;
    }
    if next_word_is_lowercase(chars, close_end) {
        return false;
    }
    // A single dot right after a word: check the word for abbreviations and initials.
    if run.len() != 1 || close_end != run_end || run.first() != Some(&'.') {
        return true;
    }
    let mut w = run_start;
    while w > sentence_start
        && chars
            .get(w - 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '.')
    {
        w -= 1;
    }
    let word: String = chars.get(w..run_start).unwrap_or_default().iter().collect();
    !is_abbreviation(&word)
}

fn is_abbreviation(word: &str) -> bool {
    let lower = word.to_lowercase();
    let mut letters = word.chars();
    let initial = matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase());
    initial || word.trim_matches('.').contains('.') || ABBREVIATIONS.contains(&lower.as_str())
}

fn next_word_is_lowercase(chars: &[char], from: usize) -> bool {
    let i = skip_while(chars, from, char::is_whitespace);
    chars.get(i).is_some_and(|c| c.is_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        let n = text.chars().count();
        split_sentences(text, &[Span::new(0, n)])
            .into_iter()
            .map(|s| text.chars().skip(s.start).take(s.len()).collect())
            .collect()
    }

    #[test]
    fn basic_terminals() {
        assert_eq!(
            texts("Dr. Smith arrived. He said hello! Did he? Yes."),
            vec!["Dr. Smith arrived.", "He said hello!", "Did he?", "Yes."]
        );
        assert_eq!(texts("Really?! Yes."), vec!["Really?!", "Yes."]);
    }

    #[test]
    fn abbreviations_initials_and_numbers_stay_whole() {
        assert_eq!(
            texts("We saw e.g. cats and dogs. Then we left."),
            vec!["We saw e.g. cats and dogs.", "Then we left."]
        );
        assert_eq!(
            texts("It costs 3.50 euros. Fine."),
            vec!["It costs 3.50 euros.", "Fine."]
        );
        assert_eq!(
            texts("J. K. Rowling wrote it. Yes."),
            vec!["J. K. Rowling wrote it.", "Yes."]
        );
        assert_eq!(
            texts("Das ist z.B. gut. Ja."),
            vec!["Das ist z.B. gut.", "Ja."]
        );
        assert_eq!(
            texts("Ask Prof. Miller. Now."),
            vec!["Ask Prof. Miller.", "Now."]
        );
    }

    #[test]
    fn quotes_ellipses_and_no_terminal() {
        assert_eq!(
            texts("He said \"stop.\" Then left."),
            vec!["He said \"stop.\"", "Then left."]
        );
        assert_eq!(
            texts("so... and then we went"),
            vec!["so... and then we went"]
        );
        assert_eq!(texts("Well… I don't know."), vec!["Well…", "I don't know."]);
        assert_eq!(texts("  well I mean  "), vec!["well I mean"]);
        assert!(texts("   ").is_empty());
        assert!(texts("").is_empty());
    }

    #[test]
    fn char_offsets_and_turn_limits() {
        let text = "Über Äpfel. Ja. Nein";
        assert_eq!(
            split_sentences(text, &[Span::new(0, 16), Span::new(16, 20)]),
            vec![Span::new(0, 11), Span::new(12, 15), Span::new(16, 20)]
        );
        // A turn ending right after a dot, and a span past the text end, are clipped.
        assert_eq!(
            split_sentences("A. B", &[Span::new(0, 99)]),
            vec![Span::new(0, 4)]
        );
        assert_eq!(
            split_sentences("Hi. B", &[Span::new(3, 99)]),
            vec![Span::new(4, 5)]
        );
    }
}
