//! The one place that converts between the positions Accord stores (Unicode scalar offsets, "chars")
//! and the positions other systems use: UTF-8 byte offsets (Rust strings, tantivy) and UTF-16 code
//! units (NVivo for Windows, many editors).

use sha2::{Digest, Sha256};

/// Normalises imported text once: removes a leading byte-order mark and turns CRLF into LF. Nothing
/// else changes, so positions in the source file map one to one onto positions in Accord.
#[must_use]
pub fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n")
}

/// SHA-256 of the frozen text, as lowercase hex.
#[must_use]
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Number of chars in a text.
#[must_use]
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Maps char offsets of one text to byte offsets and back, in O(log n) per lookup after an O(n) build.
/// Texts that are pure ASCII need no table.
#[derive(Debug, Clone)]
pub struct OffsetMap {
    /// Byte offset of every char, plus the text length at the end; empty when the text is ASCII.
    byte_of_char: Vec<usize>,
    len_bytes: usize,
}

impl OffsetMap {
    /// Builds the map for `text`.
    #[must_use]
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self {
                byte_of_char: Vec::new(),
                len_bytes: text.len(),
            };
        }
        let mut byte_of_char: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_of_char.push(text.len());
        Self {
            byte_of_char,
            len_bytes: text.len(),
        }
    }

    /// Number of chars in the text.
    #[must_use]
    pub fn len_chars(&self) -> usize {
        if self.byte_of_char.is_empty() {
            self.len_bytes
        } else {
            self.byte_of_char.len() - 1
        }
    }

    /// Byte offset of a char offset (clamped to the end of the text).
    #[must_use]
    pub fn byte(&self, char_offset: usize) -> usize {
        if self.byte_of_char.is_empty() {
            return char_offset.min(self.len_bytes);
        }
        let last = self.byte_of_char.len() - 1;
        self.byte_of_char[char_offset.min(last)]
    }

    /// Char offset of a byte offset; a byte inside a multi-byte char maps to that char.
    #[must_use]
    pub fn char(&self, byte_offset: usize) -> usize {
        if self.byte_of_char.is_empty() {
            return byte_offset.min(self.len_bytes);
        }
        match self.byte_of_char.binary_search(&byte_offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

/// The slice of `text` between two char offsets (clamped to the text).
#[must_use]
pub fn slice_chars(text: &str, start: usize, end: usize) -> &str {
    let mut indices = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()));
    let Some(start_byte) = indices.nth(start) else {
        return "";
    };
    if end <= start {
        return "";
    }
    let end_byte = indices.nth(end - start - 1).unwrap_or(text.len());
    &text[start_byte..end_byte]
}

/// Converts a UTF-16 code-unit offset into a char offset of `text` (an offset inside a surrogate pair
/// maps to the char that pair encodes). Offsets past the end map to the text's length.
#[must_use]
pub fn utf16_to_char(text: &str, utf16_offset: usize) -> usize {
    let mut units = 0usize;
    for (i, c) in text.chars().enumerate() {
        if units >= utf16_offset {
            return i;
        }
        units += c.len_utf16();
        if units > utf16_offset {
            return i;
        }
    }
    text.chars().count()
}

/// Converts a char offset of `text` into UTF-16 code units.
#[must_use]
pub fn char_to_utf16(text: &str, char_offset: usize) -> usize {
    text.chars().take(char_offset).map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_removes_bom_and_crlf_only() {
        assert_eq!(normalise("\u{feff}a\r\nb\rc\n"), "a\nb\rc\n");
    }

    #[test]
    fn offsets_round_trip_on_accents_and_emoji() {
        let text = "Naïve 😀 café";
        let map = OffsetMap::new(text);
        assert_eq!(map.len_chars(), 12);
        for c in 0..=map.len_chars() {
            assert_eq!(map.char(map.byte(c)), c);
        }
        assert_eq!(slice_chars(text, 8, 12), "café");
        assert_eq!(char_to_utf16(text, 8), 9); // the emoji takes two UTF-16 units
        assert_eq!(utf16_to_char(text, 9), 8);
        assert_eq!(utf16_to_char(text, 7), 6); // inside the surrogate pair
    }

    #[test]
    fn ascii_map_needs_no_table() {
        let map = OffsetMap::new("plain text");
        assert_eq!(map.byte(5), 5);
        assert_eq!(map.char(99), 10);
        assert_eq!(slice_chars("plain text", 6, 99), "text");
    }

    #[test]
    fn sha_is_hex_of_utf8() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
