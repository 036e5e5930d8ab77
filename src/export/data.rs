//! A read-only snapshot of a project for export: codebook, transcripts (text and turns), cases,
//! raters, live codings and memos, as pure values. `app::export::snapshot` loads it from a store; every
//! export is a pure function of it, so the window can render a preview by calling the same function.

use std::collections::BTreeMap;

use crate::model::{
    Case, CaseId, Code, CodeId, Codebook, Coding, CodingId, Memo, MemoTarget, Rater, RaterId,
    Transcript, TranscriptId, Turn,
};

/// Everything an export may need, loaded once.
#[derive(Debug, Clone, Default)]
pub struct ProjectData {
    /// The project's name.
    pub name: String,
    /// The codebook.
    pub codebook: Codebook,
    /// Transcripts with text and turns, by name.
    pub transcripts: Vec<Transcript>,
    /// Cases with attributes, by name.
    pub cases: Vec<Case>,
    /// Raters, by name.
    pub raters: Vec<Rater>,
    /// Live (not removed) codings, by transcript and position.
    pub codings: Vec<Coding>,
    /// Every memo, oldest first.
    pub memos: Vec<Memo>,
    /// The codings flagged as key quotes, in the order flagged.
    pub key_quotes: Vec<crate::model::KeyQuote>,
    /// Each summary grid cell's summary as it is now.
    pub summaries: Vec<crate::model::GridSummary>,
    /// The form quotes are cited in (`({case}, {role}, {time})` unless the team chose another).
    pub citation: String,
}

impl ProjectData {
    /// The transcript with this id.
    #[must_use]
    pub fn transcript(&self, transcript_id: TranscriptId) -> Option<&Transcript> {
        self.transcripts
            .iter()
            .find(|t| t.transcript_id == transcript_id)
    }

    /// The case with this id.
    #[must_use]
    pub fn case(&self, case_id: CaseId) -> Option<&Case> {
        self.cases.iter().find(|c| c.case_id == case_id)
    }

    /// The case a transcript belongs to.
    #[must_use]
    pub fn case_of(&self, transcript: &Transcript) -> Option<&Case> {
        transcript.case_id.and_then(|id| self.case(id))
    }

    /// The rater with this id.
    #[must_use]
    pub fn rater(&self, rater_id: RaterId) -> Option<&Rater> {
        self.raters.iter().find(|r| r.rater_id == rater_id)
    }

    /// The code with this id.
    #[must_use]
    pub fn code(&self, code_id: CodeId) -> Option<&Code> {
        self.codebook.get(code_id)
    }

    /// The newest memo on each coding.
    #[must_use]
    pub fn coding_memos(&self) -> BTreeMap<CodingId, &str> {
        let mut out = BTreeMap::new();
        for memo in &self.memos {
            if let MemoTarget::Coding(id) = memo.target {
                out.insert(id, memo.text.as_str());
            }
        }
        out
    }

    /// Every attribute name any case has, sorted.
    #[must_use]
    pub fn attribute_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .cases
            .iter()
            .flat_map(|c| c.attributes.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// The turn that holds char offset `offset` (the last turn starting at or before it).
#[must_use]
pub fn turn_at(turns: &[Turn], offset: usize) -> Option<&Turn> {
    let after = turns.partition_point(|t| t.span.start <= offset);
    after.checked_sub(1).and_then(|i| turns.get(i))
}

/// Indices of the turns a span overlaps.
#[must_use]
pub fn turns_overlapping(turns: &[Turn], span: crate::model::Span) -> Vec<usize> {
    turns
        .iter()
        .filter(|t| t.span.overlap(&span) > 0)
        .map(|t| t.index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Role, Span, TurnId};

    fn turn(index: usize, start: usize, end: usize) -> Turn {
        Turn {
            turn_id: TurnId::new_random(),
            index,
            span: Span::new(start, end),
            content_start: start,
            speaker: String::new(),
            role: Role::Other,
            start_ms: None,
            end_ms: None,
        }
    }

    #[test]
    fn finds_the_turn_of_an_offset() {
        let turns = [turn(0, 0, 10), turn(1, 12, 20)];
        assert_eq!(turn_at(&turns, 0).map(|t| t.index), Some(0));
        assert_eq!(turn_at(&turns, 11).map(|t| t.index), Some(0));
        assert_eq!(turn_at(&turns, 12).map(|t| t.index), Some(1));
        assert_eq!(turns_overlapping(&turns, Span::new(5, 15)), [0, 1]);
        assert!(turn_at(&[], 3).is_none());
    }
}
