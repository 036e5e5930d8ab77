//! The word tokenizer of the index: runs of letters and digits, like tantivy's `SimpleTokenizer`,
//! except that combining marks belong to the word they follow and are dropped from the token. So a
//! transcript saved in decomposed form (NFD, as some Mac tools write "Nai\u{308}ve") gives the same
//! token as the composed "Naïve", and the accent folding after it finds both with "naive". Offsets
//! stay byte offsets into the original text, marks included, so highlights cover the whole word.
//!
//! [`pairs`] turns a token stream into the word pairs the phrase index holds (see `schema.rs`): the
//! neighbouring pairs that hold at least one common word ("my supervisor", "the role"), as Lucene's
//! common-grams do. A phrase of common words walks long position lists; these pairs make it a short
//! list of its own, while pairs of two rarer words are cheap to find from their positions and are
//! not kept (that keeps the index small).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits on everything but letters, digits and combining marks; marks are left out of the tokens.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            chars: text.char_indices().peekable(),
            token: &mut self.token,
        }
    }
}

/// Whether `c` is a combining mark of the blocks Latin, Greek and Cyrillic text use (the marks NFD
/// produces for accented letters).
#[must_use]
pub fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        // Skip to the first letter or digit (a mark with no letter before it is not a word).
        let start = loop {
            match self.chars.next() {
                Some((at, c)) if c.is_alphanumeric() => {
                    self.token.text.push(c);
                    break at;
                }
                Some(_) => {}
                None => return false,
            }
        };
        let mut end = self.text.len();
        while let Some(&(at, c)) = self.chars.peek() {
            if c.is_alphanumeric() {
                self.token.text.push(c);
            } else if !is_combining_mark(c) {
                end = at;
                break;
            }
            self.chars.next();
        }
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = start;
        self.token.offset_to = end;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Common words of spoken English, folded as the analyzer folds them (sorted, for binary search);
/// contractions appear split as the tokenizer splits them ("don" + "t").
const COMMON: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "back",
    "be", "because", "been", "being", "but", "by", "can", "could", "d", "did", "didn", "do",
    "does", "doesn", "don", "down", "even", "for", "from", "get", "go", "going", "got", "had",
    "has", "have", "he", "her", "here", "him", "his", "how", "i", "if", "in", "into", "is", "it",
    "its", "just", "know", "like", "ll", "m", "me", "mean", "more", "my", "no", "not", "now", "of",
    "oh", "okay", "on", "one", "only", "or", "our", "out", "over", "re", "really", "right", "s",
    "she", "so", "some", "t", "than", "that", "the", "their", "them", "then", "there", "they",
    "think", "this", "to", "too", "uh", "um", "up", "us", "ve", "very", "was", "wasn", "we",
    "well", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would",
    "yeah", "yes", "you", "your",
];

/// Whether an analysed word is one of the common words pairs are kept for.
#[must_use]
pub fn is_common(word: &str) -> bool {
    COMMON.binary_search(&word).is_ok()
}

/// Whether the pair of two analysed words is kept in the index.
#[must_use]
pub fn pair_kept(first: &str, second: &str) -> bool {
    is_common(first) || is_common(second)
}

/// The separator between the two words of a pair token (analysed words never hold a space).
pub const PAIR_SEPARATOR: char = ' ';

/// The pair token of two analysed words.
#[must_use]
pub fn pair(first: &str, second: &str) -> String {
    let mut text = String::with_capacity(first.len() + second.len() + 1);
    text.push_str(first);
    text.push(PAIR_SEPARATOR);
    text.push_str(second);
    text
}

/// The word pairs of analysed tokens: one token per two words at consecutive positions when one of
/// them is common, at the first word's position and spanning both. Words a dropped over-long token
/// separates do not pair, just as they never match a phrase.
#[must_use]
pub fn pairs(tokens: &[Token]) -> Vec<Token> {
    tokens
        .windows(2)
        .filter(|w| w[1].position == w[0].position + 1 && pair_kept(&w[0].text, &w[1].text))
        .map(|w| Token {
            offset_from: w[0].offset_from,
            offset_to: w[1].offset_to,
            position: w[0].position,
            text: pair(&w[0].text, &w[1].text),
            position_length: 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, usize)> {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn splits_like_the_simple_tokenizer() {
        assert_eq!(
            words("Hello, happy tax payer!"),
            vec![
                ("Hello".into(), 0, 5),
                ("happy".into(), 7, 12),
                ("tax".into(), 13, 16),
                ("payer".into(), 17, 22)
            ]
        );
        assert!(words("  ...  ").is_empty());
    }

    #[test]
    fn combining_marks_stay_in_the_word_and_leave_the_token() {
        let nfd = "Nai\u{308}ve idea";
        assert_eq!(
            words(nfd),
            vec![("Naive".into(), 0, 7), ("idea".into(), 8, 12)]
        );
        // A mark with no letter before it is skipped, not a word.
        assert_eq!(words("\u{301} x"), vec![("x".into(), 3, 4)]);
        assert_eq!(words("Naïve"), vec![("Naïve".into(), 0, 6)]);
    }

    #[test]
    fn pairs_only_join_neighbours() {
        let tok = |text: &str, position| Token {
            text: text.into(),
            position,
            offset_from: position * 10,
            offset_to: position * 10 + text.len(),
            position_length: 1,
        };
        let got = pairs(&[
            tok("my", 0),
            tok("boss", 1),
            tok("said", 3),
            tok("quietly", 4),
        ]);
        assert_eq!(
            got.len(),
            1,
            "boss and said are apart; said quietly has no common word"
        );
        assert_eq!(got[0].text, "my boss");
        assert_eq!((got[0].offset_from, got[0].offset_to), (0, 14));
        assert!(COMMON.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
    }
}
