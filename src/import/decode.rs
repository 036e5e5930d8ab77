//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, then Windows-1252 before giving up.
//! Binary files (NUL bytes, control characters) are refused rather than decoded into garbage.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding a file was decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    /// UTF-8 (a BOM, if present, was removed).
    Utf8,
    /// UTF-16, little endian, with a BOM.
    Utf16Le,
    /// UTF-16, big endian, with a BOM.
    Utf16Be,
    /// Windows-1252 (the bytes were not valid UTF-8).
    Windows1252,
}

impl Encoding {
    /// Its usual name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Windows1252 => "Windows-1252",
        }
    }
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Nothing but white space.
    #[error("the file is empty")]
    Empty,
    /// Looks like a binary file.
    #[error("the file is binary, not text ({0})")]
    Binary(String),
    /// A UTF-16 file with invalid code units.
    #[error("the file starts with a UTF-16 byte-order mark but is not valid UTF-16")]
    BadUtf16,
    /// UTF-8 text with bytes that are not UTF-8 in it: damaged, or two encodings mixed.
    #[error(
        "invalid UTF-8 at byte {offset} (line {line}), in a file that is otherwise UTF-8: it is damaged or mixes encodings; save it again as UTF-8"
    )]
    BadUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// Its line (1-based).
        line: usize,
    },
}

/// Decodes bytes into text, reporting the encoding used.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, Encoding::Utf16Be);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary(format!("NUL byte at offset {pos}")));
    }
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), Encoding::Utf8),
        Err(e) if has_utf8_sequences(bytes) => {
            let offset = e.valid_up_to();
            let line = bytes[..offset].split(|&b| b == b'\n').count();
            return Err(DecodeError::BadUtf8 { offset, line });
        }
        Err(_) => windows_1252(bytes)?,
    };
    check_controls(&text)?;
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok((text, encoding))
}

fn utf16(rest: &[u8], encoding: Encoding) -> Result<(String, Encoding), DecodeError> {
    let codec = if encoding == Encoding::Utf16Le {
        UTF_16LE
    } else {
        UTF_16BE
    };
    let (text, had_errors) = codec.decode_without_bom_handling(rest);
    if had_errors {
        return Err(DecodeError::BadUtf16);
    }
    check_controls(&text)?;
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok((text.into_owned(), encoding))
}

/// Whether the bytes hold at least one well-formed multi-byte UTF-8 character: then the file was
/// written as UTF-8, and bytes that are not UTF-8 are damage, not Windows-1252 text.
fn has_utf8_sequences(bytes: &[u8]) -> bool {
    bytes.windows(2).enumerate().any(|(i, w)| {
        let len = match w[0] {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return false,
        };
        bytes
            .get(i..i + len)
            .is_some_and(|seq| std::str::from_utf8(seq).is_ok())
    })
}

fn windows_1252(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    // These five bytes have no character in Windows-1252: their presence means some other encoding.
    if let Some(pos) = bytes
        .iter()
        .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
    {
        return Err(DecodeError::Binary(format!(
            "byte 0x{:02X} at offset {pos} is not UTF-8, UTF-16 or Windows-1252 text",
            bytes[pos]
        )));
    }
    let (text, _, _) = WINDOWS_1252.decode(bytes);
    Ok((text.into_owned(), Encoding::Windows1252))
}

/// Refuses text with control characters other than tab, newline, carriage return and form feed.
fn check_controls(text: &str) -> Result<(), DecodeError> {
    let bad = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
        .count();
    if bad > 0 {
        let first = text
            .chars()
            .position(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
            .unwrap_or(0);
        return Err(DecodeError::Binary(format!(
            "{bad} control characters, the first at character {first}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode("Naïve".as_bytes()).unwrap(),
            ("Naïve".to_string(), Encoding::Utf8)
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFhi").unwrap(),
            ("hi".to_string(), Encoding::Utf8)
        );
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("café".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("café".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(
            decode(&le).unwrap(),
            ("café".to_string(), Encoding::Utf16Le)
        );
        assert_eq!(
            decode(&be).unwrap(),
            ("café".to_string(), Encoding::Utf16Be)
        );
    }

    #[test]
    fn windows_1252_fallback() {
        // "café – naïve" in Windows-1252: é = E9, en dash = 96, ï = EF
        let bytes = b"caf\xE9 \x96 na\xEFve";
        assert_eq!(
            decode(bytes).unwrap(),
            ("café – naïve".to_string(), Encoding::Windows1252)
        );
    }

    #[test]
    fn utf8_damaged_in_the_middle_is_refused_with_where() {
        let mut bytes = "Interviewer: Naïve question?\n\nP01: Yes.\n"
            .as_bytes()
            .to_vec();
        bytes.splice(35..35, [0xFF, 0xFE, 0x80]);
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            DecodeError::BadUtf8 {
                offset: 35,
                line: 3
            }
        );
        assert!(err.to_string().contains("line 3"), "{err}");
        // Plain Windows-1252 (no UTF-8 sequence anywhere) is still read as such.
        assert_eq!(decode(b"na\xEFve").unwrap().1, Encoding::Windows1252);
    }

    #[test]
    fn refuses_empty_and_binary() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b"  \n\t "), Err(DecodeError::Empty));
        assert!(matches!(
            decode(b"PK\x03\x04\x00\x00binary"),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(
            decode(b"\x7fELF\x02\x01\x01"),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(
            decode(b"text \x81 more"),
            Err(DecodeError::Binary(_))
        ));
    }
}
