//! What erasing transcripts for good takes away.

/// What erasing takes away (or would).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erasure {
    /// Transcripts.
    pub transcripts: usize,
    /// Their turns.
    pub turns: usize,
    /// Codings on them (live or removed).
    pub codings: usize,
    /// Memos on them or on their codings.
    pub memos: usize,
    /// Adjudications of their passages.
    pub adjudications: usize,
    /// Cases left without transcripts, with their attributes.
    pub cases: usize,
}

impl std::fmt::Display for Erasure {
    /// "1 transcript, 105 turns, 109 codings, 0 memos, 0 adjudications and 1 case".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |count: usize, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}, {}, {}, {}, {} and {} left without transcripts",
            n(self.transcripts, "transcript", "transcripts"),
            n(self.turns, "turn", "turns"),
            n(self.codings, "coding", "codings"),
            n(self.memos, "memo", "memos"),
            n(self.adjudications, "adjudication", "adjudications"),
            n(self.cases, "case", "cases"),
        )
    }
}
