//! From what a person types to ids: transcripts and raters by name or id, codes by path, name or id,
//! spans by offsets, turn numbers or a quoted passage. Every error says what exists instead.

use std::collections::HashMap;
use std::path::Path;

use super::{AppError, Result};
use crate::import::codings_csv::CodingRow;
use crate::model::{
    CodeId, CodeLookup, Codebook, CodingId, NewCoding, RaterId, Span, Transcript, TranscriptId,
};
use crate::store::Store;
use crate::store::api::{Raters, Transcripts};

/// Finds a code, or says why not (listing the paths when a name is ambiguous).
pub fn code(book: &Codebook, reference: &str) -> Result<CodeId> {
    match book.lookup(reference) {
        CodeLookup::Found(code) => Ok(code.code_id),
        CodeLookup::Missing => Err(AppError::Invalid(format!(
            "no code {reference:?} in the codebook (see `accord codebook show`)"
        ))),
        CodeLookup::Ambiguous(paths) => Err(AppError::Invalid(format!(
            "code name {reference:?} is ambiguous; give one of: {}",
            paths.join(", ")
        ))),
    }
}

/// The span of a quoted passage: it must occur exactly once in the text.
pub fn quote_span(transcript: &Transcript, quote: &str) -> Result<Span> {
    match find_once(&transcript.text, quote) {
        Once::Found { span, .. } => Ok(span),
        Once::Missing => Err(AppError::Invalid(format!(
            "the quote {:?} is not in transcript {}",
            preview(quote),
            transcript.name
        ))),
        Once::Many(n) => Err(AppError::Invalid(format!(
            "the quote {:?} occurs {n} times in transcript {}; give start and end instead",
            preview(quote),
            transcript.name
        ))),
    }
}

/// Where words that must occur exactly once in a text are (each caller says in its own words
/// what is wrong when they do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Once {
    /// Found once: the byte they start at, and their chars.
    Found {
        /// First byte.
        byte: usize,
        /// Their span, in chars.
        span: Span,
    },
    /// Not in the text.
    Missing,
    /// Found this many times.
    Many(usize),
}

/// Where `words` occur in `text`, if exactly once.
pub(crate) fn find_once(text: &str, words: &str) -> Once {
    let mut found = text.match_indices(words);
    let Some((byte, _)) = found.next() else {
        return Once::Missing;
    };
    match found.count() {
        0 => {
            let start = text[..byte].chars().count();
            Once::Found {
                byte,
                span: Span::new(start, start + words.chars().count()),
            }
        }
        more => Once::Many(more + 1),
    }
}

/// The span covering turns `first..=last` (1-based turn numbers as people count), words only.
pub fn turns_span(transcript: &Transcript, first: usize, last: usize) -> Result<Span> {
    let n = transcript.turns.len();
    if first == 0 || last < first || last > n {
        return Err(AppError::Invalid(format!(
            "turns {first}-{last} do not exist; transcript {} has turns 1-{n}",
            transcript.name
        )));
    }
    let start = transcript.turns[first - 1].content_start;
    let end = transcript.turns[last - 1].span.end;
    if end <= start {
        return Err(AppError::Invalid(format!(
            "turns {first}-{last} of {} hold no words",
            transcript.name
        )));
    }
    Ok(Span::new(start, end))
}

fn preview(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Turns rows of a codings CSV into codings, checking everything before anything is written. Errors
/// name the file and line.
pub fn coding_rows(store: &Store, file: &Path, rows: &[CodingRow]) -> Result<Vec<NewCoding>> {
    let book = store.codebook()?;
    // Each transcript and rater is looked up once, however many rows name it.
    let mut transcripts: HashMap<String, (Transcript, CharIndex)> = HashMap::new();
    let mut raters: HashMap<&str, RaterId> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let at = |e: AppError| AppError::Invalid(format!("{}:{}: {e}", file.display(), row.line));
        if !transcripts.contains_key(&row.transcript) {
            let summary = store
                .find_transcript(&row.transcript)
                .map_err(|e| at(e.into()))?;
            let full = store
                .transcript(summary.transcript_id)
                .map_err(|e| at(e.into()))?;
            let index = CharIndex::new(&full.text);
            transcripts.insert(row.transcript.clone(), (full, index));
        }
        let Some((transcript, index)) = transcripts.get(&row.transcript) else {
            continue;
        };
        let code_id = code(&book, &row.code).map_err(at)?;
        let rater_id = if let Some(&id) = raters.get(row.rater.as_str()) {
            id
        } else {
            let id = store
                .find_rater(&row.rater)
                .map_err(|e| at(e.into()))?
                .rater_id;
            raters.insert(&row.rater, id);
            id
        };
        let span = row_span(transcript, index, row).map_err(at)?;
        let coding_id = match &row.coding_id {
            Some(id) => id
                .parse::<CodingId>()
                .map_err(|_| at(AppError::Invalid(format!("coding_id {id:?} is not a UUID"))))?,
            None => CodingId::new_random(),
        };
        out.push(NewCoding {
            coding_id,
            transcript_id: transcript.transcript_id,
            code_id,
            rater_id,
            span,
            memo: row.memo.clone(),
            created_at: row.created_at.clone(),
        });
    }
    Ok(out)
}

/// Byte offsets of every `STRIDE`th char of a text, so that a char offset's byte is found in fewer
/// than `STRIDE` steps (rather than by counting from the start, once per coding of a long text).
pub(crate) struct CharIndex {
    /// Byte offset of chars 0, STRIDE, 2 * STRIDE, ...; empty when the text is ASCII.
    every: Vec<usize>,
}

impl CharIndex {
    const STRIDE: usize = 256;

    pub(crate) fn new(text: &str) -> Self {
        let every = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(Self::STRIDE)
                .map(|(b, _)| b)
                .collect()
        };
        Self { every }
    }

    /// The byte offset of a char offset (clamped to the end of the text).
    fn byte(&self, text: &str, char_offset: usize) -> usize {
        if self.every.is_empty() {
            return char_offset.min(text.len());
        }
        let Some(&from) = self.every.get(char_offset / Self::STRIDE) else {
            return text.len();
        };
        text[from..]
            .char_indices()
            .nth(char_offset % Self::STRIDE)
            .map_or(text.len(), |(b, _)| from + b)
    }

    /// The text between two char offsets, as `text::slice_chars` gives it.
    pub(crate) fn slice<'a>(&self, text: &'a str, start: usize, end: usize) -> &'a str {
        if end <= start {
            return "";
        }
        &text[self.byte(text, start)..self.byte(text, end)]
    }
}

fn row_span(transcript: &Transcript, index: &CharIndex, row: &CodingRow) -> Result<Span> {
    match (row.start, row.end, row.quote.as_deref()) {
        (Some(start), Some(end), quote) => {
            let span = Span::checked(start, end, transcript.len_chars)
                .map_err(|e| AppError::Invalid(format!("transcript {}: {e}", transcript.name)))?;
            if let Some(q) = quote {
                let actual = index.slice(&transcript.text, span.start, span.end);
                if actual != q {
                    return Err(AppError::Invalid(format!(
                        "the text at {span} is {:?}, not the quote {:?}",
                        preview(actual),
                        preview(q)
                    )));
                }
            }
            Ok(span)
        }
        (_, _, Some(q)) => quote_span(transcript, q),
        _ => Err(AppError::Invalid("needs start and end, or a quote".into())),
    }
}

/// A transcript by name or id, with its text.
pub fn transcript(store: &impl Transcripts, reference: &str) -> Result<Transcript> {
    let summary = store.find_transcript(reference)?;
    Ok(store.transcript(summary.transcript_id)?)
}

/// Rater ids for a list of names or ids.
pub fn rater_ids(store: &impl Raters, references: &[String]) -> Result<Vec<crate::model::RaterId>> {
    references
        .iter()
        .map(|r| Ok(store.find_rater(r)?.rater_id))
        .collect()
}

/// Code ids for a list of paths, names or ids.
pub fn code_ids(book: &Codebook, references: &[String]) -> Result<Vec<CodeId>> {
    references.iter().map(|c| code(book, c)).collect()
}

/// Transcript ids for a list of references.
pub fn transcript_ids(
    store: &impl Transcripts,
    references: &[String],
) -> Result<Vec<TranscriptId>> {
    references
        .iter()
        .map(|r| Ok(store.find_transcript(r)?.transcript_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::CharIndex;
    use crate::model::text::slice_chars;

    #[test]
    fn char_index_slices_as_counting_from_the_start_does() {
        for text in [
            String::new(),
            "plain ascii text ".repeat(40),
            "Zoë said “ja” — 多分 😀 ok. ".repeat(60),
        ] {
            let index = CharIndex::new(&text);
            let n = text.chars().count();
            for start in (0..=n + 2).step_by(7) {
                for end in [
                    start,
                    start + 1,
                    start + 255,
                    start + 256,
                    start + 300,
                    n,
                    n + 3,
                ] {
                    assert_eq!(
                        index.slice(&text, start, end),
                        slice_chars(&text, start, end),
                        "{start}..{end} of {n}"
                    );
                }
            }
        }
    }
}
