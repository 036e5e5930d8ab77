//! Spans: half-open `[start, end)` ranges in Unicode scalar (char) offsets into a transcript's frozen
//! text. Every position Accord stores or prints is in these units (see `text` for conversions).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A half-open range `[start, end)` of char offsets. Always `start <= end` once validated.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// First char offset inside the span.
    pub start: usize,
    /// First char offset after the span.
    pub end: usize,
}

/// Why a span is not valid for a text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    /// The span is empty or reversed.
    #[error("span {start}..{end} is empty or reversed (start must be below end)")]
    EmptyOrReversed {
        /// Given start.
        start: usize,
        /// Given end.
        end: usize,
    },
    /// The span reaches past the end of the text.
    #[error("span {start}..{end} is outside the text, which has {len_chars} characters")]
    OutOfBounds {
        /// Given start.
        start: usize,
        /// Given end.
        end: usize,
        /// Length of the text in chars.
        len_chars: usize,
    },
}

impl Span {
    /// A span from `start` to `end` (not validated; see [`Span::checked`]).
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// A non-empty span that lies within a text of `len_chars` characters.
    pub fn checked(start: usize, end: usize, len_chars: usize) -> Result<Self, SpanError> {
        if start >= end {
            return Err(SpanError::EmptyOrReversed { start, end });
        }
        if end > len_chars {
            return Err(SpanError::OutOfBounds {
                start,
                end,
                len_chars,
            });
        }
        Ok(Self { start, end })
    }

    /// Number of chars covered.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers nothing.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Number of chars both spans cover.
    #[must_use]
    pub fn overlap(&self, other: &Span) -> usize {
        self.end
            .min(other.end)
            .saturating_sub(self.start.max(other.start))
    }

    /// True when `offset` lies inside the span.
    #[must_use]
    pub const fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl std::str::FromStr for Span {
    type Err = String;
    /// Parses `START..END` (also `START-END` and `START,END`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s
            .split_once("..")
            .or_else(|| s.split_once('-'))
            .or_else(|| s.split_once(','))
            .ok_or_else(|| format!("span {s:?} is not of the form START..END"))?;
        let start = a
            .trim()
            .parse()
            .map_err(|_| format!("span start {a:?} is not a whole number"))?;
        let end = b
            .trim()
            .parse()
            .map_err(|_| format!("span end {b:?} is not a whole number"))?;
        Ok(Span { start, end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_rejects_empty_reversed_and_outside() {
        assert!(Span::checked(3, 3, 10).is_err());
        assert!(Span::checked(5, 3, 10).is_err());
        assert_eq!(
            Span::checked(5, 11, 10),
            Err(SpanError::OutOfBounds {
                start: 5,
                end: 11,
                len_chars: 10
            })
        );
        assert_eq!(Span::checked(0, 10, 10), Ok(Span::new(0, 10)));
    }

    #[test]
    fn overlap_and_parse() {
        assert_eq!(Span::new(0, 10).overlap(&Span::new(5, 20)), 5);
        assert_eq!(Span::new(0, 5).overlap(&Span::new(5, 20)), 0);
        assert_eq!("12..40".parse::<Span>(), Ok(Span::new(12, 40)));
        assert_eq!("12-40".parse::<Span>(), Ok(Span::new(12, 40)));
        assert!("12".parse::<Span>().is_err());
    }
}
