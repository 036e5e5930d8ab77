//! Memos: notes on the project, a transcript, a code, a coding, a passage or a grid cell, with
//! their reads and writes.

use rusqlite::{OptionalExtension, params};

use super::transcripts::{parse_col, parse_text};
use super::{Audit, Result, Store, StoreError};
use crate::model::{Memo, MemoId, MemoTarget, RaterId, now_rfc3339};

impl Store {
    /// Adds a memo.
    pub(super) fn add_memo(
        &mut self,
        target: MemoTarget,
        rater_id: Option<RaterId>,
        text: &str,
    ) -> Result<Memo> {
        let memo = Memo {
            memo_id: MemoId::new_random(),
            target,
            rater_id,
            text: text.to_string(),
            created_at: now_rfc3339(),
        };
        self.write(|tx| {
            insert_memo(tx, &memo)?;
            Ok(Audit::new(
                "create",
                "memo",
                Some(&memo.memo_id.to_text()),
                serde_json::to_value(&memo).unwrap_or_default(),
            )
            .with(()))
        })?;
        Ok(memo)
    }

    /// Memos about one target, oldest first.
    pub fn memos(&self, target: MemoTarget) -> Result<Vec<Memo>> {
        let parts = target_parts(target);
        let mut stmt = self.conn.prepare(
            "SELECT memo_id, rater_id, text, created_at FROM memos
             WHERE target_kind = ?1 AND coalesce(target_id, '') = coalesce(?2, '')
               AND coalesce(start_char, -1) = coalesce(?3, -1)
               AND coalesce(end_char, -1) = coalesce(?4, -1)
               AND coalesce(code_id, '') = coalesce(?5, '')
             ORDER BY created_at, memo_id",
        )?;
        let rows = stmt.query_map(params![parts.0, parts.1, parts.2, parts.3, parts.4], |r| {
            Ok(Memo {
                memo_id: parse_col(r, 0)?,
                target,
                rater_id: r.get::<_, Option<String>>(1)?.and_then(|s| s.parse().ok()),
                text: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every memo in the project, oldest first.
    pub fn all_memos(&self) -> Result<Vec<Memo>> {
        let mut stmt = self.conn.prepare(
            "SELECT memo_id, target_kind, target_id, rater_id, text, created_at, start_char,
                    end_char, code_id FROM memos
             ORDER BY created_at, memo_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(1)?;
            let id: Option<String> = r.get(2)?;
            let at = |i: usize| -> rusqlite::Result<usize> {
                Ok(usize::try_from(r.get::<_, Option<i64>>(i)?.unwrap_or(0)).unwrap_or(0))
            };
            let target = match (kind.as_str(), id) {
                ("transcript", Some(id)) => MemoTarget::Transcript(parse_text(&id, 2)?),
                ("code", Some(id)) => MemoTarget::Code(parse_text(&id, 2)?),
                ("coding", Some(id)) => MemoTarget::Coding(parse_text(&id, 2)?),
                ("passage", Some(id)) => MemoTarget::Passage {
                    transcript: parse_text(&id, 2)?,
                    span: crate::model::Span::new(at(6)?, at(7)?),
                },
                ("case", Some(id)) => MemoTarget::Case(parse_text(&id, 2)?),
                ("cell", Some(id)) => MemoTarget::Cell {
                    case: parse_text(&id, 2)?,
                    code: parse_text(&r.get::<_, Option<String>>(8)?.unwrap_or_default(), 8)?,
                },
                _ => MemoTarget::Project,
            };
            Ok(Memo {
                memo_id: parse_col(r, 0)?,
                target,
                rater_id: r.get::<_, Option<String>>(3)?.and_then(|s| s.parse().ok()),
                text: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The memos on passages of a transcript, with their spans, oldest first (what a correction
    /// or de-identification carries).
    pub fn passage_memos(
        &self,
        transcript: crate::model::TranscriptId,
    ) -> Result<Vec<(MemoId, crate::model::Span)>> {
        let mut stmt = self.conn.prepare(
            "SELECT memo_id, start_char, end_char FROM memos
             WHERE target_kind = 'passage' AND target_id = ?1 ORDER BY created_at, memo_id",
        )?;
        let rows = stmt.query_map([transcript.to_text()], |r| {
            let at = |i: usize| -> rusqlite::Result<usize> {
                Ok(usize::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
            };
            Ok((parse_col(r, 0)?, crate::model::Span::new(at(1)?, at(2)?)))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The id of the newest memo on a coding, if any (for listings).
    pub fn coding_memo_text(&self, coding: crate::model::CodingId) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT text FROM memos WHERE target_kind = 'coding' AND target_id = ?1 ORDER BY created_at DESC LIMIT 1",
                [coding.to_text()],
                |r| r.get(0),
            )
            .optional()?)
    }
    /// Deletes a memo (the reverse of writing it).
    pub(super) fn delete_memo(&mut self, memo_id: MemoId) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute("DELETE FROM memos WHERE memo_id = ?1", [memo_id.to_text()])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "memo",
                    reference: memo_id.to_text(),
                });
            }
            Ok(Audit::new(
                "delete",
                "memo",
                Some(&memo_id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Puts back a memo exactly as it was (same id and time).
    pub(super) fn restore_memo(&mut self, memo: &Memo) -> Result<()> {
        self.write(|tx| {
            insert_memo(tx, memo)?;
            Ok(Audit::new(
                "restore",
                "memo",
                Some(&memo.memo_id.to_text()),
                serde_json::to_value(memo).unwrap_or_default(),
            )
            .with(()))
        })
    }
}

/// Moves memos on passages of a transcript to new spans (a correction or de-identification,
/// inside its transaction).
pub(super) fn move_passage_memos(
    tx: &rusqlite::Connection,
    transcript: crate::model::TranscriptId,
    memos: &[(MemoId, crate::model::Span)],
) -> Result<()> {
    for (memo, span) in memos {
        tx.execute(
            "UPDATE memos SET start_char = ?2, end_char = ?3
             WHERE memo_id = ?1 AND target_kind = 'passage' AND target_id = ?4",
            params![
                memo.to_text(),
                i64::try_from(span.start).unwrap_or(i64::MAX),
                i64::try_from(span.end).unwrap_or(i64::MAX),
                transcript.to_text()
            ],
        )?;
    }
    Ok(())
}

/// Inserts a memo row (inside the caller's transaction).
pub(super) fn insert_memo(tx: &rusqlite::Connection, memo: &Memo) -> Result<()> {
    let (kind, id, start, end, code) = target_parts(memo.target);
    tx.execute(
        "INSERT INTO memos (memo_id, target_kind, target_id, rater_id, text, created_at, start_char,
             end_char, code_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            memo.memo_id.to_text(),
            kind,
            id,
            memo.rater_id.map(|r| r.to_text()),
            memo.text,
            memo.created_at,
            start,
            end,
            code
        ],
    )?;
    Ok(())
}

/// A target's columns: kind, id, a passage's start and end, a cell's code.
type TargetParts = (
    &'static str,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

fn target_parts(target: MemoTarget) -> TargetParts {
    match target {
        MemoTarget::Project => ("project", None, None, None, None),
        MemoTarget::Transcript(id) => ("transcript", Some(id.to_text()), None, None, None),
        MemoTarget::Code(id) => ("code", Some(id.to_text()), None, None, None),
        MemoTarget::Coding(id) => ("coding", Some(id.to_text()), None, None, None),
        MemoTarget::Passage { transcript, span } => (
            "passage",
            Some(transcript.to_text()),
            i64::try_from(span.start).ok(),
            i64::try_from(span.end).ok(),
            None,
        ),
        MemoTarget::Case(id) => ("case", Some(id.to_text()), None, None, None),
        MemoTarget::Cell { case, code } => (
            "cell",
            Some(case.to_text()),
            None,
            None,
            Some(code.to_text()),
        ),
    }
}
