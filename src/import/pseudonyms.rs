//! Pseudonym lists: real names and the pseudonyms that replace them, applied to text consistently
//! (the same name always becomes the same pseudonym), as whole words, ignoring case, the longest name
//! first ("Dana Whitfield" before "Dana"), with any run of white space between the words of a name.
//!
//! Applying a list gives the new text and the edits it made, so that positions in the old text
//! (codings, turns) can be carried over to the new one: a position inside a replaced name moves to
//! the start or the end of its pseudonym, so a coding keeps covering the same words.

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;

use super::{ImportError, decode};
use crate::model::Span;
use crate::model::text::OffsetMap;

/// A list of (real name, pseudonym), ready to apply.
#[derive(Debug, Clone)]
pub struct Pseudonyms {
    pairs: Vec<(String, String)>,
    by_key: HashMap<String, usize>,
    pattern: Regex,
}

/// One replaced name: where it was in the old text, and where its pseudonym is in the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replacement {
    /// The name in the old text (chars).
    pub old: Span,
    /// The pseudonym in the new text (chars).
    pub new: Span,
    /// Which pair of the list.
    pub pair: usize,
}

/// A text with a list applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The new text.
    pub text: String,
    /// Every replacement, in text order.
    pub replacements: Vec<Replacement>,
}

/// The key a name is matched by: lower case, words separated by single spaces.
fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Pseudonyms {
    /// A list from pairs; refused when a name is empty, given twice with different pseudonyms, or
    /// is also used as a pseudonym (a chain that would depend on the order).
    pub fn new(pairs: Vec<(String, String)>) -> Result<Self, String> {
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<(String, String)> = Vec::new();
        for (real, pseudonym) in pairs {
            let (real, pseudonym) = (real.trim().to_string(), pseudonym.trim().to_string());
            if real.is_empty() || pseudonym.is_empty() {
                return Err("a row has an empty name or pseudonym".into());
            }
            match by_key.get(&key(&real)) {
                Some(&i) if kept[i].1 != pseudonym => {
                    return Err(format!(
                        "{real:?} is given two pseudonyms: {:?} and {pseudonym:?}",
                        kept[i].1
                    ));
                }
                Some(_) => {}
                None => {
                    by_key.insert(key(&real), kept.len());
                    kept.push((real, pseudonym));
                }
            }
        }
        if let Some((_, p)) = kept.iter().find(|(_, p)| by_key.contains_key(&key(p))) {
            return Err(format!("{p:?} is both a pseudonym and a name to replace"));
        }
        let mut names: Vec<&str> = kept.iter().map(|(r, _)| r.as_str()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        let alternatives: Vec<String> = names
            .iter()
            .map(|n| {
                n.split_whitespace()
                    .map(regex::escape)
                    .collect::<Vec<_>>()
                    .join(r"\s+")
            })
            .collect();
        let pattern = if alternatives.is_empty() {
            // Matches nothing.
            Regex::new(r"[^\s\S]")
        } else {
            Regex::new(&format!(r"(?i)\b(?:{})\b", alternatives.join("|")))
        }
        .map_err(|e| format!("the list cannot be matched: {e}"))?;
        Ok(Self {
            pairs: kept,
            by_key,
            pattern,
        })
    }

    /// Reads a CSV of `real,pseudonym` rows (a header row naming them is skipped).
    pub fn read_csv(path: &Path) -> Result<Self, ImportError> {
        let bytes = super::read_bounded(path, super::MAX_TABLE_BYTES, "a pseudonym list")?;
        Self::parse_csv(path, &bytes)
    }

    /// Parses the bytes of such a CSV (`path` names it in errors).
    pub fn parse_csv(path: &Path, bytes: &[u8]) -> Result<Self, ImportError> {
        let (text, _) = decode::decode(bytes).map_err(|source| ImportError::Decode {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut pairs = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| ImportError::format(path, format!("line {}: {e}", i + 1)))?;
            let (Some(real), Some(pseudonym)) = (row.get(0), row.get(1)) else {
                return Err(ImportError::format(
                    path,
                    format!(
                        "line {}: expected two columns, a name and its pseudonym",
                        i + 1
                    ),
                ));
            };
            let header = i == 0
                && matches!(
                    real.trim().to_lowercase().as_str(),
                    "real" | "name" | "real name"
                )
                && pseudonym.trim().eq_ignore_ascii_case("pseudonym");
            if !header {
                pairs.push((real.to_string(), pseudonym.to_string()));
            }
        }
        Self::new(pairs).map_err(|m| ImportError::format(path, m))
    }

    /// The pairs, in the list's order.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The pseudonym of a name found in a text.
    fn pseudonym_of(&self, found: &str) -> Option<(usize, &str)> {
        let i = *self.by_key.get(&key(found))?;
        Some((i, self.pairs[i].1.as_str()))
    }

    /// Applies the list to a text.
    #[must_use]
    pub fn apply(&self, text: &str) -> Rewrite {
        let map = OffsetMap::new(text);
        let mut out = String::with_capacity(text.len());
        let mut replacements = Vec::new();
        let (mut at_byte, mut new_chars) = (0, 0);
        for m in self.pattern.find_iter(text) {
            let Some((pair, pseudonym)) = self.pseudonym_of(m.as_str()) else {
                continue;
            };
            let before = &text[at_byte..m.start()];
            out.push_str(before);
            new_chars += before.chars().count();
            out.push_str(pseudonym);
            let len = pseudonym.chars().count();
            replacements.push(Replacement {
                old: Span::new(map.char(m.start()), map.char(m.end())),
                new: Span::new(new_chars, new_chars + len),
                pair,
            });
            new_chars += len;
            at_byte = m.end();
        }
        out.push_str(&text[at_byte..]);
        Rewrite {
            text: out,
            replacements,
        }
    }
}

impl Rewrite {
    /// Whether anything was replaced.
    #[must_use]
    pub fn changed(&self) -> bool {
        !self.replacements.is_empty()
    }

    /// The replacements as splices of the old text (each name replaced by its pseudonym), for
    /// [`crate::model::anchors::PositionMap`]: the one way positions are carried to a new version
    /// of a text, for corrections and de-identification alike.
    #[must_use]
    pub fn splices(&self) -> Vec<crate::model::anchors::Splice> {
        self.replacements
            .iter()
            .map(|r| crate::model::anchors::Splice {
                start: r.old.start,
                end: r.old.end,
                new_len: r.new.end - r.new.start,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Pseudonyms {
        Pseudonyms::new(vec![
            ("Dana Whitfield".into(), "Interviewer A".into()),
            ("Dana".into(), "Interviewer A".into()),
            ("Inés".into(), "Participant 7".into()),
        ])
        .unwrap()
    }

    #[test]
    fn whole_words_any_case_longest_first() {
        let r = list().apply("DANA whitfield met Inés; Danae did not. dana\nWhitfield too.");
        assert_eq!(
            r.text,
            "Interviewer A met Participant 7; Danae did not. Interviewer A too."
        );
        assert_eq!(r.replacements.len(), 3);
        assert_eq!(r.replacements[1].old, Span::new(19, 23));
        assert_eq!(r.replacements[1].new, Span::new(18, 31));
    }

    #[test]
    fn spans_keep_covering_the_same_words() {
        let old = "So Inés said the supervisor, Dana, never listened.";
        let r = list().apply(old);
        let new = &r.text;
        let map = crate::model::anchors::PositionMap::from_splices(
            crate::model::text::char_len(old),
            &r.splices(),
        )
        .unwrap();
        let carry = |span: Span| Span::new(map.start(span.start), map.end(span.end));
        let covered =
            |span: Span| crate::model::text::slice_chars(new, span.start, span.end).to_string();
        let find = |s: &str| {
            let b = old.find(s).unwrap();
            let start = old[..b].chars().count();
            Span::new(start, start + s.chars().count())
        };
        assert_eq!(
            covered(carry(find("said the supervisor"))),
            "said the supervisor"
        );
        assert_eq!(covered(carry(find("never listened."))), "never listened.");
        // A coding that starts or ends inside a name covers the whole pseudonym.
        assert_eq!(covered(carry(find("nés said"))), "Participant 7 said");
        assert_eq!(
            covered(carry(find("supervisor, Da"))),
            "supervisor, Interviewer A"
        );
        assert_eq!(map.start(0), 0);
        assert_eq!(
            map.end(crate::model::text::char_len(old)),
            crate::model::text::char_len(new)
        );
    }

    #[test]
    fn refuses_conflicting_lists() {
        assert!(Pseudonyms::new(vec![("A".into(), "X".into()), ("a".into(), "Y".into())]).is_err());
        assert!(Pseudonyms::new(vec![("A".into(), "B".into()), ("B".into(), "C".into())]).is_err());
        assert!(Pseudonyms::new(vec![(" ".into(), "B".into())]).is_err());
        assert!(!Pseudonyms::new(Vec::new()).unwrap().apply("text").changed());
    }
}
