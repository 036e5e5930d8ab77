//! Correcting a transcript after coding (issue 19): the corrected text, and what the correction does
//! to every rater's codings (live and removed, the consensus's included), the turns and the
//! adjudication records, worked out before anything is written so that people can review it.
//!
//! Positions are carried through [`crate::model::anchors`]: a `--replace` is one known splice; a
//! whole corrected file is compared with the text by a character diff. Turns follow the words when
//! every change lies inside a turn's spoken words (ids, roles and times kept); a change that
//! touches a speaker label or the text between turns re-reads the turns with the import's speaker
//! rules, each new turn keeping the id, role and times of the old turn that starts where it starts.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::resolve::CharIndex;
use super::{AppError, Result};
use crate::import::ImportOptions;
use crate::model::anchors::{Carried, PositionMap, Splice};
use crate::model::{
    AdjudicationId, CodingFilter, CodingId, LostCoding, RaterId, RecordSpans, SourceFormat, Span,
    TextCorrection, Transcript, TranscriptId, Turn,
};
use crate::store::Store;

/// A turn's start and end times, in milliseconds, when known.
pub type TurnTimes = (Option<u64>, Option<u64>);

/// What a correction does to one coding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodingChange {
    /// The coding.
    pub coding_id: CodingId,
    /// Its rater's name.
    pub rater: String,
    /// Its code's path.
    pub code: String,
    /// Whether it was already removed (it is carried all the same, for undo and history).
    pub removed: bool,
    /// Where it was.
    pub before: Span,
    /// What becomes of it.
    pub carried: Carried,
    /// The words it covered.
    pub quote_before: String,
    /// The words it covers after (none when lost).
    pub quote_after: Option<String>,
    /// Where its row points after: its span, or for a lost coding the place its words were
    /// (one character, the coding then removed).
    pub kept_at: Span,
}

/// How many codings each outcome has (live ones only; removed ones are carried silently).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Same place, same words.
    pub same: usize,
    /// Same words, another place.
    pub moved: usize,
    /// Their words were edited.
    pub resized: usize,
    /// Every word of them deleted.
    pub lost: usize,
}

/// A correction worked out, not written.
#[derive(Debug, Clone, Serialize)]
pub struct Correction {
    /// The transcript's name.
    pub transcript: String,
    /// The text's hash before.
    pub sha256_before: String,
    /// The corrected transcript (its text, hash, length and turns).
    #[serde(skip)]
    pub corrected: Transcript,
    /// The changes, in old positions.
    pub splices: Vec<Splice>,
    /// Each change as people read it: the old words and the new.
    pub edits: Vec<(String, String)>,
    /// Every coding, live and removed.
    pub codings: Vec<CodingChange>,
    /// The live codings' outcomes.
    pub counts: Counts,
    /// Turns before and after.
    pub turns: (usize, usize),
    /// Whether the turns were re-read (a label or the text between turns changed).
    pub turns_reread: bool,
    /// Turns whose time stamps change: (1-based turn, before, after), each a (start, end) in ms.
    pub retimed: Vec<(usize, TurnTimes, TurnTimes)>,
    /// Each adjudication record's extent carried (and whether it is lost).
    pub adjudications: Vec<(AdjudicationId, Carried)>,
    /// The transcript.
    #[serde(skip)]
    pub transcript_id: TranscriptId,
    /// Each adjudication record's extent and rater spans over the new text.
    #[serde(skip)]
    pub adjudication_spans: Vec<RecordSpans>,
    /// Codings a correction lost that this places again (live once more, at their new span).
    pub placed_again: Vec<CodingId>,
    /// Each memo on a passage of the transcript, with its span over the new text.
    #[serde(skip)]
    pub memo_spans: Vec<(crate::model::MemoId, Span)>,
}

impl Correction {
    /// Whether the text or a time stamp changes at all.
    #[must_use]
    pub fn changes_anything(&self) -> bool {
        !self.splices.is_empty() || !self.retimed.is_empty() || !self.placed_again.is_empty()
    }
}

/// The correction that replaces the words `old` (which must occur exactly once in the
/// transcript's text) with `new`.
///
/// # Errors
/// An unknown transcript; `old` empty, missing or found more than once (with how often); a text
/// that no longer reads as a transcript.
pub fn replace(store: &Store, transcript: &str, old: &str, new: &str) -> Result<Correction> {
    let t = super::resolve::transcript(store, transcript)?;
    if old.is_empty() {
        return Err(AppError::Invalid(
            "--replace: the words to replace are empty".into(),
        ));
    }
    let (byte, span) = match super::resolve::find_once(&t.text, old) {
        super::resolve::Once::Found { byte, span } => (byte, span),
        super::resolve::Once::Missing => {
            return Err(AppError::Invalid(format!(
                "--replace: {old:?} is not in {} (the match is exact, case and spaces included)",
                t.name
            )));
        }
        super::resolve::Once::Many(n) => {
            return Err(AppError::Invalid(format!(
                "--replace: {old:?} occurs {n} times in {}; give more of the words around it so \
                 that it occurs once",
                t.name
            )));
        }
    };
    let splice = Splice {
        start: span.start,
        end: span.end,
        new_len: new.chars().count(),
    };
    let mut text = String::with_capacity(t.text.len() + new.len());
    text.push_str(&t.text[..byte]);
    text.push_str(new);
    text.push_str(&t.text[byte + old.len()..]);
    plan(store, &t, &text, Some(&[splice]))
}

/// The correction that gives turn `turn` (1-based, as `accord show` numbers them) new times; the
/// text stays as it is.
///
/// # Errors
/// An unknown transcript or turn; a start after the end.
pub fn retime(
    store: &Store,
    transcript: &str,
    turn: usize,
    times: TurnTimes,
) -> Result<Correction> {
    let t = super::resolve::transcript(store, transcript)?;
    let Some(index) = turn.checked_sub(1).filter(|i| *i < t.turns.len()) else {
        return Err(AppError::Invalid(format!(
            "--turn {turn}: {} has turns 1 to {}",
            t.name,
            t.turns.len()
        )));
    };
    if let (Some(start), Some(end)) = times
        && start > end
    {
        return Err(AppError::Invalid(format!(
            "--time: the start ({}) is after the end ({})",
            crate::model::format_time_ms(start),
            crate::model::format_time_ms(end)
        )));
    }
    let mut c = plan(store, &t, &t.text, Some(&[]))?;
    let old = &t.turns[index];
    let before = (old.start_ms, old.end_ms);
    let after = (times.0.or(old.start_ms), times.1.or(old.end_ms));
    if after != before {
        let new = &mut c.corrected.turns[index];
        (new.start_ms, new.end_ms) = after;
        c.retimed.push((turn, before, after));
    }
    Ok(c)
}

/// Places a coding a correction lost again, at `span` of its transcript's text as it is now: the
/// same coding (id, rater, code) live again, and its loss taken back; the text stays as it is.
/// Undone like any correction.
///
/// # Errors
/// A coding no correction lost (or already placed again); a span outside the text or empty.
pub fn place_lost(store: &Store, coding: CodingId, span: Span) -> Result<Correction> {
    let found = store
        .codings(&CodingFilter {
            ids: vec![coding],
            include_removed: true,
            ..CodingFilter::default()
        })?
        .into_iter()
        .next();
    let lost = store
        .lost_codings()?
        .into_iter()
        .any(|l| l.coding_id == coding);
    let Some(found) = found.filter(|_| lost) else {
        return Err(AppError::Invalid(format!(
            "coding {} is not one a correction lost (see `accord codings lost`)",
            coding.to_text()
        )));
    };
    let t = store.transcript(found.transcript_id)?;
    Span::checked(span.start, span.end, t.len_chars)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", t.name)))?;
    let mut c = plan(store, &t, &t.text, Some(&[]))?;
    let index = CharIndex::new(&t.text);
    for ch in c.codings.iter_mut().filter(|ch| ch.coding_id == coding) {
        ch.kept_at = span;
        ch.carried = Carried::Resized(span);
        ch.quote_after = Some(index.slice(&t.text, span.start, span.end).to_string());
    }
    c.placed_again.push(coding);
    Ok(c)
}

/// The correction to the whole corrected text in `path` (read as a transcript file, with the
/// import's speaker-label rules).
///
/// # Errors
/// An unknown transcript; a file that cannot be read or read as text.
pub fn from_file(store: &Store, transcript: &str, path: &Path) -> Result<Correction> {
    let t = super::resolve::transcript(store, transcript)?;
    let bytes = crate::import::read_bounded(path, crate::import::MAX_FILE_BYTES, "a transcript")?;
    let imported = crate::import::read_transcript_bytes(
        path,
        &bytes,
        SourceFormat::Txt,
        &ImportOptions::default(),
    )?;
    plan(store, &t, &imported.transcript.text, None)
}

/// Works a correction of `t` to `text` out: `splices` when the places are known, else a diff.
///
/// # Errors
/// A text that no longer reads as a transcript (no turn).
pub fn plan(
    store: &Store,
    t: &Transcript,
    text: &str,
    splices: Option<&[Splice]>,
) -> Result<Correction> {
    let map = match splices {
        Some(s) => PositionMap::from_splices(t.len_chars, s).map_err(AppError::Invalid)?,
        None => PositionMap::between(&t.text, text),
    };
    let (turns, reread) = carry_turns(t, text, &map)?;
    let corrected = Transcript {
        text: text.to_string(),
        sha256: crate::model::text::sha256_hex(text),
        len_chars: map.new_len(),
        turns,
        ..t.clone()
    };
    let old_index = CharIndex::new(&t.text);
    let new_index = CharIndex::new(text);
    let (codings, counts) = carry_codings(store, t, text, &map, (&old_index, &new_index))?;
    let records: Vec<_> = store
        .adjudications(None)?
        .into_iter()
        .filter(|a| a.transcript_id == t.transcript_id)
        .collect();
    let adjudications = records
        .iter()
        .map(|a| (a.adjudication_id, map.carry(a.extent)))
        .collect();
    // A record's extent and each rater's spans there follow the words too (a lost one keeps an
    // empty extent where its words were, so the record stays, with its note).
    let carry_or_point = |s: Span| {
        map.carry(s).span().unwrap_or_else(|| {
            let at = map.start(s.start);
            Span::new(at, at)
        })
    };
    let adjudication_spans = records
        .iter()
        .map(|a| {
            (
                a.adjudication_id,
                carry_or_point(a.extent),
                a.rater_spans
                    .iter()
                    .map(|(r, spans)| {
                        (
                            *r,
                            spans.iter().filter_map(|s| map.carry(*s).span()).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let edits = edits_of(&map, (&t.text, &old_index), (text, &new_index));
    let memo_spans = store
        .passage_memos(t.transcript_id)?
        .into_iter()
        .map(|(id, span)| (id, carry_or_point(span)))
        .collect();
    Ok(Correction {
        transcript: t.name.clone(),
        sha256_before: t.sha256.clone(),
        turns: (t.turns.len(), corrected.turns.len()),
        corrected,
        splices: map.splices(),
        edits,
        codings,
        counts,
        turns_reread: reread,
        retimed: Vec::new(),
        adjudications,
        transcript_id: t.transcript_id,
        adjudication_spans,
        placed_again: Vec::new(),
        memo_spans,
    })
}

/// Each change `map` makes, as people read it: the old words and the new.
fn edits_of(
    map: &PositionMap,
    (old, old_index): (&str, &CharIndex),
    (new, new_index): (&str, &CharIndex),
) -> Vec<(String, String)> {
    map.changes()
        .into_iter()
        .map(|(old_start, old_end, new_start, new_end)| {
            (
                old_index.slice(old, old_start, old_end).to_string(),
                new_index.slice(new, new_start, new_end).to_string(),
            )
        })
        .collect()
}

/// The changes from `old` to `new` (worked out by the diff), as people read them.
#[must_use]
pub fn edits_between(old: &str, new: &str) -> Vec<(String, String)> {
    let map = PositionMap::between(old, new);
    edits_of(
        &map,
        (old, &CharIndex::new(old)),
        (new, &CharIndex::new(new)),
    )
}

impl Correction {
    /// The correction as the store writes it (by `by`): every coding to its new span, the live
    /// codings it loses removed with their words kept.
    #[must_use]
    pub fn to_write(&self, by: Option<RaterId>) -> TextCorrection {
        TextCorrection {
            transcript_id: self.transcript_id,
            from_sha256: self.sha256_before.clone(),
            text: self.corrected.text.clone(),
            turns: self.corrected.turns.clone(),
            splices: self.splices.clone(),
            codings: self
                .codings
                .iter()
                .map(|c| (c.coding_id, c.kept_at))
                .collect(),
            lose: self
                .codings
                .iter()
                .filter(|c| !c.removed && c.carried == Carried::Lost)
                .map(|c| LostCoding {
                    coding_id: c.coding_id,
                    span: c.before,
                    quote: c.quote_before.clone(),
                })
                .collect(),
            restore: self.placed_again.clone(),
            adjudications: self.adjudication_spans.clone(),
            memos: self.memo_spans.clone(),
            by,
        }
    }
}

/// The correction that undoes `c` on the project as it is before `c` is written: the text,
/// turns, spans and records as they are now, the losses `c` makes taken back (and those it takes
/// back made again).
///
/// # Errors
/// An unknown transcript or a store error.
pub(super) fn inverse(store: &Store, c: &TextCorrection) -> Result<TextCorrection> {
    let t = store.transcript(c.transcript_id)?;
    let codings = store
        .codings(&CodingFilter {
            transcripts: vec![c.transcript_id],
            include_removed: true,
            ..CodingFilter::default()
        })?
        .into_iter()
        .map(|coding| (coding.coding_id, coding.span))
        .collect();
    let adjudications = store
        .adjudications(None)?
        .into_iter()
        .filter(|a| a.transcript_id == c.transcript_id)
        .map(|a| (a.adjudication_id, a.extent, a.rater_spans))
        .collect();
    let mut lose = Vec::with_capacity(c.restore.len());
    for id in &c.restore {
        if let Some((span, quote)) = store.coding_loss(*id)? {
            lose.push(LostCoding {
                coding_id: *id,
                span,
                quote,
            });
        }
    }
    // Each change read backwards: the new words, at their place in the new text, become the old.
    let mut splices = Vec::with_capacity(c.splices.len());
    let mut shift: isize = 0;
    for s in &c.splices {
        let start = s.start.saturating_add_signed(shift);
        splices.push(Splice {
            start,
            end: start + s.new_len,
            new_len: s.end - s.start,
        });
        shift += s.new_len.cast_signed() - (s.end - s.start).cast_signed();
    }
    Ok(TextCorrection {
        transcript_id: c.transcript_id,
        from_sha256: crate::model::text::sha256_hex(&c.text),
        text: t.text,
        turns: t.turns,
        splices,
        codings,
        lose,
        restore: c.lose.iter().map(|l| l.coding_id).collect(),
        adjudications,
        memos: store.passage_memos(c.transcript_id)?,
        by: c.by,
    })
}

/// Every coding of `t` (live and removed) carried by `map`, and the live ones counted by outcome.
fn carry_codings(
    store: &Store,
    t: &Transcript,
    text: &str,
    map: &PositionMap,
    (old_index, new_index): (&CharIndex, &CharIndex),
) -> Result<(Vec<CodingChange>, Counts)> {
    let raters: HashMap<_, _> = store
        .raters()?
        .into_iter()
        .map(|r| (r.rater_id, r.name))
        .collect();
    let paths = store.codebook()?.all_paths();
    let mut counts = Counts::default();
    let mut codings = Vec::new();
    for c in store.codings(&CodingFilter {
        transcripts: vec![t.transcript_id],
        include_removed: true,
        ..CodingFilter::default()
    })? {
        let carried = map.carry(c.span);
        let removed = c.removed_at.is_some();
        let kept_at = carried
            .span()
            .unwrap_or_else(|| lost_place(map.start(c.span.start), map.new_len()));
        if !removed {
            match carried {
                Carried::Same(_) => counts.same += 1,
                Carried::Moved(_) => counts.moved += 1,
                Carried::Resized(_) => counts.resized += 1,
                Carried::Lost => counts.lost += 1,
            }
        }
        codings.push(CodingChange {
            coding_id: c.coding_id,
            rater: raters
                .get(&c.rater_id)
                .cloned()
                .unwrap_or_else(|| c.rater_id.to_text()),
            code: paths
                .get(&c.code_id)
                .cloned()
                .unwrap_or_else(|| c.code_id.to_text()),
            removed,
            before: c.span,
            carried,
            quote_before: old_index
                .slice(&t.text, c.span.start, c.span.end)
                .to_string(),
            quote_after: carried
                .span()
                .map(|s| new_index.slice(text, s.start, s.end).to_string()),
            kept_at,
        });
    }
    Ok((codings, counts))
}

/// Where a lost coding's row points in a text of `len` chars: one character where its words were
/// (`at`, the place their start was carried to), the coding itself removed.
pub(super) fn lost_place(at: usize, len: usize) -> Span {
    let at = at.min(len.saturating_sub(1));
    Span::new(at, at + 1)
}

/// The turns over the new text: the old ones carried when every change lies inside a turn's
/// spoken words, else the text's turns read again (see the module notes).
fn carry_turns(t: &Transcript, text: &str, map: &PositionMap) -> Result<(Vec<Turn>, bool)> {
    let inside_words = map.splices().iter().all(|s| {
        t.turns.iter().any(|turn| {
            let words = turn.content_span();
            // Strictly inside the words, or at their end (words appended to a turn).
            words.start < s.start && s.end <= words.end
        })
    });
    if inside_words {
        let turns = t
            .turns
            .iter()
            .map(|turn| {
                let start = map.start(turn.span.start);
                let end = map.end(turn.span.end).max(start);
                Turn {
                    span: Span::new(start, end),
                    content_start: map.start(turn.content_start).clamp(start, end),
                    ..turn.clone()
                }
            })
            .collect();
        return Ok((turns, false));
    }
    let name = Path::new(&t.name).with_extension("txt");
    let read = crate::import::read_transcript_bytes(
        &name,
        text.as_bytes(),
        SourceFormat::Txt,
        &ImportOptions::default(),
    )?;
    if read.transcript.text != text {
        return Err(AppError::Invalid(format!(
            "the corrected text of {} does not read back as itself (the import would change it: \
             trailing spaces, line ends or characters it normalises); correct it with --file, \
             which reads it as an import does",
            t.name
        )));
    }
    let old_by_start: HashMap<usize, &Turn> = t
        .turns
        .iter()
        .map(|turn| (map.start(turn.span.start), turn))
        .collect();
    let turns = read
        .transcript
        .turns
        .into_iter()
        .map(|mut turn| {
            if let Some(old) = old_by_start.get(&turn.span.start) {
                turn.turn_id = old.turn_id;
                turn.start_ms = old.start_ms;
                turn.end_ms = old.end_ms;
                if old.speaker == turn.speaker {
                    turn.role = old.role;
                }
            }
            turn
        })
        .collect();
    Ok((turns, true))
}
