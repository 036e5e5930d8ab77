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

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

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

/// The filter that turns analysed words into the word pairs the phrase index holds: one token per
/// two words at consecutive positions when one of them is common, at the first word's position and
/// spanning both. Words a dropped over-long token separates do not pair, just as they never match a
/// phrase. Run by the index's own threads, as an analyzer of the pair field (see `schema.rs`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PairFilter;

impl TokenFilter for PairFilter {
    type Tokenizer<T: Tokenizer> = PairTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PairTokenizer<T> {
        PairTokenizer { inner: tokenizer }
    }
}

/// The tokenizer of [`PairFilter`].
#[derive(Clone)]
pub struct PairTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PairTokenizer<T> {
    type TokenStream<'a> = PairTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairTokenStream {
            words: self.inner.token_stream(text),
            previous: None,
            token: Token::default(),
        }
    }
}

/// The token stream of [`PairFilter`].
pub struct PairTokenStream<S> {
    words: S,
    /// The word before the current one (its text, position and start).
    previous: Option<(String, usize, usize)>,
    token: Token,
}

impl<S: TokenStream> TokenStream for PairTokenStream<S> {
    fn advance(&mut self) -> bool {
        while self.words.advance() {
            let word = self.words.token();
            let kept = self.previous.as_ref().is_some_and(|(text, position, _)| {
                word.position == position + 1 && pair_kept(text, &word.text)
            });
            if kept && let Some((text, position, from)) = &self.previous {
                self.token.text.clear();
                self.token.text.push_str(text);
                self.token.text.push(PAIR_SEPARATOR);
                self.token.text.push_str(&word.text);
                self.token.position = *position;
                self.token.offset_from = *from;
                self.token.offset_to = word.offset_to;
                self.token.position_length = 1;
            }
            match &mut self.previous {
                Some((text, position, from)) => {
                    text.clear();
                    text.push_str(&word.text);
                    *position = word.position;
                    *from = word.offset_from;
                }
                None => self.previous = Some((word.text.clone(), word.position, word.offset_from)),
            }
            if kept {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// English stemming (Snowball's, through the same `frostem` tantivy's `Stemmer` uses) that remembers the stems it has
/// made: spoken words repeat, so nearly every word is then a lookup rather than a stemming. Each
/// copy of the analyzer (one per indexing thread) keeps its own memory, dropped when it grows past
/// [`STEM_MEMORY`] words.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

/// How many words a [`CachedStemmer`] remembers before it starts again.
pub const STEM_MEMORY: usize = 50_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerTokenizer<T> {
        CachedStemmerTokenizer {
            inner: tokenizer,
            stems: std::collections::HashMap::new(),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The tokenizer of [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerTokenizer<T> {
    inner: T,
    stems: std::collections::HashMap<String, String>,
    stemmer: frostem::Stemmer,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerTokenizer<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.stems.len() > STEM_MEMORY {
            self.stems.clear();
        }
        CachedStemmerStream {
            words: self.inner.token_stream(text),
            stems: &mut self.stems,
            stemmer: self.stemmer,
        }
    }
}

/// The token stream of [`CachedStemmer`].
pub struct CachedStemmerStream<'a, S> {
    words: S,
    stems: &'a mut std::collections::HashMap<String, String>,
    stemmer: frostem::Stemmer,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.words.advance() {
            return false;
        }
        let token = self.words.token_mut();
        if let Some(stem) = self.stems.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
        } else {
            let stem = self.stemmer.stem(&token.text).into_owned();
            let word = std::mem::replace(&mut token.text, stem.clone());
            self.stems.insert(word, stem);
        }
        true
    }

    fn token(&self) -> &Token {
        self.words.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.words.token_mut()
    }
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

    fn analysed(mut analyzer: tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    #[test]
    fn pairs_only_join_neighbours() {
        // A word over the length limit is dropped but keeps its position: its neighbours are apart.
        let long = "x".repeat(super::super::schema::MAX_TOKEN_BYTES + 1);
        let text = format!("My boss {long} said quietly, the end");
        let got = analysed(super::super::schema::pairs_analyzer(), &text);
        let texts: Vec<&str> = got.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["my boss", "quietly the", "the end"],
            "boss and said are apart; said quietly has no common word"
        );
        assert_eq!(
            (got[0].offset_from, got[0].offset_to, got[0].position),
            (0, 7, 0)
        );
        let end = text.len();
        assert_eq!((got[2].offset_from, got[2].offset_to), (end - 7, end));
        assert_eq!(got[2].position, got[0].position + 5);
        assert!(COMMON.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
    }

    #[test]
    fn remembered_stems_are_tantivys_stems() {
        let text = "Running runners ran; the supervisors' supervision supervised. Running again, \
                    happily generalizations dying skies SKIES naïve";
        let plain = tantivy::tokenizer::TextAnalyzer::builder(WordTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .filter(tantivy::tokenizer::AsciiFoldingFilter)
            .filter(tantivy::tokenizer::Stemmer::new(
                tantivy::tokenizer::Language::English,
            ))
            .build();
        let mut cached = super::super::schema::stem_analyzer();
        let expected = analysed(plain, text);
        assert!(expected.iter().any(|t| t.text == "supervis"));
        // Twice through the same analyzer: the second time every stem comes from memory.
        for _ in 0..2 {
            let mut stream = cached.token_stream(text);
            let mut got = Vec::new();
            while stream.advance() {
                got.push(stream.token().clone());
            }
            assert_eq!(got, expected);
        }
    }
}
