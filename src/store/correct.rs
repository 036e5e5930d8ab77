//! Correcting a transcript's text after coding, in ONE transaction: the text it replaces is kept
//! (with its hash and the changes to the new one) as an earlier version, the new text and turns
//! take its place, every coding and adjudication record of the transcript moves to its new span,
//! the codings the correction loses are removed with their old words kept, and (for undo) losses
//! are taken back. Codings keep their ids: undoing writes the old spans back exactly.

use rusqlite::{Connection, OptionalExtension, params};

use super::deidentify::{CODINGS_FROZEN, TEXT_FROZEN};
use super::{Audit, Result, Store, StoreError};
use crate::model::{CorrectionReport, TextCorrection, now_rfc3339};

/// One kept version on the way to the text now: its length and the splices to the next.
pub type VersionStep = (usize, Vec<crate::model::anchors::Splice>);

impl Store {
    /// Writes a correction (see the module notes). Refused, writing nothing, in a rater file, when
    /// the text is no longer the one the correction was worked out on, or when its spans do not
    /// fit the new text or miss a coding of the transcript.
    pub(crate) fn correct(&mut self, c: &TextCorrection) -> Result<CorrectionReport> {
        self.write(|tx| {
            super::team::refuse_in_rater_file_transcript(tx)?;
            let id = c.transcript_id.to_text();
            let row: Option<(String, String, i64, i64, String)> = tx
                .query_row(
                    "SELECT name, sha256, len_chars, version, text FROM transcripts
                     WHERE transcript_id = ?1 AND removed_at IS NULL",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((name, sha, len, version, old_text)) = row else {
                return Err(StoreError::NotFound {
                    what: "transcript",
                    reference: id,
                });
            };
            if sha != c.from_sha256 {
                return Err(StoreError::Refused(format!(
                    "the text of {name} has changed since this correction was worked out: work \
                     it out again on the text as it is now"
                )));
            }
            let new_len = c.text.chars().count();
            check_fits(tx, c, &name, new_len)?;
            // Only a new text is a new version (a time stamp fixed, a lost coding placed again,
            // keep the text and its version).
            let text_changes = old_text != c.text;
            if text_changes {
                keep_version(tx, &id, version, (&sha, len, &old_text), c)?;
            }
            let version = if text_changes { version + 1 } else { version };
            tx.execute_batch(
                "DROP TRIGGER transcripts_text_frozen; DROP TRIGGER codings_never_rewritten;",
            )?;
            tx.execute(
                "UPDATE transcripts SET text = ?2, sha256 = ?3, len_chars = ?4, version = ?5
                 WHERE transcript_id = ?1",
                params![
                    id,
                    c.text,
                    crate::model::text::sha256_hex(&c.text),
                    new_len as i64,
                    version
                ],
            )?;
            tx.execute("DELETE FROM turns WHERE transcript_id = ?1", [&id])?;
            for turn in &c.turns {
                super::transcripts::insert_turn(tx, c.transcript_id, turn)?;
            }
            move_rows(tx, c, &id)?;
            tx.execute_batch(TEXT_FROZEN)?;
            tx.execute_batch(CODINGS_FROZEN)?;
            let report = CorrectionReport {
                transcript: name,
                version,
                codings: c.codings.len(),
                lost: c.lose.len(),
                restored: c.restore.len(),
            };
            Ok(Audit::new(
                "correct",
                "transcript",
                Some(&id),
                serde_json::json!({
                    "transcript": report.transcript,
                    "version": report.version,
                    "changes": c.splices.len(),
                    "codings": report.codings,
                    "lost": report.lost,
                    "restored": report.restored,
                    "by": c.by.map(|r| r.to_text()),
                }),
            )
            .with(report))
        })
    }

    /// The span and words a correction lost a coding with, if it lost it.
    pub fn coding_loss(
        &self,
        coding: crate::model::CodingId,
    ) -> Result<Option<(crate::model::Span, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT start_char, end_char, quote FROM coding_losses WHERE coding_id = ?1",
                [coding.to_text()],
                |r| {
                    let (s, e): (i64, i64) = (r.get(0)?, r.get(1)?);
                    Ok((
                        crate::model::Span::new(
                            usize::try_from(s).unwrap_or(0),
                            usize::try_from(e).unwrap_or(0),
                        ),
                        r.get(2)?,
                    ))
                },
            )
            .optional()?)
    }

    /// The text of `transcript_id` whose hash is `sha256`, if a correction replaced it, and the
    /// changes from it to the text now: each later version's length and splices, in order.
    pub fn versions_since(
        &self,
        transcript_id: crate::model::TranscriptId,
        sha256: &str,
    ) -> Result<Option<(String, Vec<VersionStep>)>> {
        let id = transcript_id.to_text();
        let from: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT version, text FROM transcript_versions WHERE transcript_id = ?1 AND sha256 = ?2
                 ORDER BY version DESC LIMIT 1",
                [&id, sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((version, text)) = from else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT len_chars, splices FROM transcript_versions
             WHERE transcript_id = ?1 AND version >= ?2 ORDER BY version",
        )?;
        let chain = stmt
            .query_map(rusqlite::params![id, version], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(len, splices)| {
                let splices = serde_json::from_str(&splices).map_err(|e| {
                    StoreError::Corrupt(format!("the changes kept with a transcript version: {e}"))
                })?;
                Ok((usize::try_from(len).unwrap_or(0), splices))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((text, chain)))
    }

    /// The codings corrections lost that are still removed (not placed again), with their old
    /// span and words: (coding, transcript, span, words, when).
    pub fn lost_codings(&self) -> Result<Vec<crate::model::LostCoding>> {
        let mut stmt = self.conn.prepare(
            "SELECT l.coding_id, l.start_char, l.end_char, l.quote FROM coding_losses l
             JOIN coding_removals r ON r.coding_id = l.coding_id ORDER BY l.lost_at, l.coding_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let (s, e): (i64, i64) = (r.get(1)?, r.get(2)?);
                Ok((r.get::<_, String>(0)?, s, e, r.get::<_, String>(3)?))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, s, e, quote)| {
                Ok(crate::model::LostCoding {
                    coding_id: super::transcripts::parse_text(&id, 0)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    span: crate::model::Span::new(
                        usize::try_from(s).unwrap_or(0),
                        usize::try_from(e).unwrap_or(0),
                    ),
                    quote,
                })
            })
            .collect()
    }

    /// A transcript's current text version (1 until it is first corrected).
    pub fn transcript_version(&self, transcript_id: crate::model::TranscriptId) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT version FROM transcripts WHERE transcript_id = ?1",
            [transcript_id.to_text()],
            |r| r.get(0),
        )?)
    }
}

/// Keeps the text being replaced as version `version` of the transcript, with the splices to the
/// next.
fn keep_version(
    tx: &Connection,
    id: &str,
    version: i64,
    (sha, len, text): (&str, i64, &str),
    c: &TextCorrection,
) -> Result<()> {
    let splices =
        serde_json::to_string(&c.splices).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO transcript_versions (transcript_id, version, sha256, len_chars, splices,
             replaced_at, replaced_by, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            version,
            sha,
            len,
            splices,
            now_rfc3339(),
            c.by.map(|r| r.to_text()),
            text
        ],
    )?;
    Ok(())
}

/// Every coding and record of the transcript to its new span; losses made and taken back.
fn move_rows(tx: &Connection, c: &TextCorrection, id: &str) -> Result<()> {
    {
        let mut update = tx.prepare_cached(
            "UPDATE codings SET start_char = ?2, end_char = ?3
             WHERE coding_id = ?1 AND transcript_id = ?4",
        )?;
        for (coding, span) in &c.codings {
            update.execute(params![
                coding.to_text(),
                span.start as i64,
                span.end as i64,
                id
            ])?;
        }
    }
    let at = now_rfc3339();
    for lost in &c.lose {
        super::codings::insert_removal(tx, lost.coding_id, &at, c.by)?;
        tx.execute(
            "INSERT INTO coding_losses (coding_id, start_char, end_char, quote, lost_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                lost.coding_id.to_text(),
                lost.span.start as i64,
                lost.span.end as i64,
                lost.quote,
                at
            ],
        )?;
    }
    for coding in &c.restore {
        super::codings::delete_removal(tx, *coding)?;
        tx.execute(
            "DELETE FROM coding_losses WHERE coding_id = ?1",
            [coding.to_text()],
        )?;
    }
    super::memos::move_passage_memos(tx, c.transcript_id, &c.memos)?;
    move_records(tx, c.transcript_id, &c.adjudications)
}

/// Moves a transcript's adjudication records to new extents and rater spans (a correction or
/// de-identification, inside its transaction).
pub(super) fn move_records(
    tx: &Connection,
    transcript: crate::model::TranscriptId,
    records: &[crate::model::RecordSpans],
) -> Result<()> {
    let id = transcript.to_text();
    for (adjudication, extent, rater_spans) in records {
        tx.execute(
            "UPDATE adjudications SET start_char = ?2, end_char = ?3, rater_spans = ?4
             WHERE adjudication_id = ?1 AND transcript_id = ?5",
            params![
                adjudication.to_text(),
                extent.start as i64,
                extent.end as i64,
                serde_json::to_string(rater_spans)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                id
            ],
        )?;
    }
    Ok(())
}

/// Every span within the new text, every turn too, and every coding of the transcript given (a
/// correction worked out before a coding was added would otherwise leave it behind).
fn check_fits(tx: &Connection, c: &TextCorrection, name: &str, new_len: usize) -> Result<()> {
    if new_len == 0 || c.turns.is_empty() {
        return Err(StoreError::Refused(format!(
            "the corrected text of {name} is empty or has no turn; remove the transcript instead"
        )));
    }
    let bad = |what: String| {
        Err(StoreError::Refused(format!(
            "the correction of {name} does not fit its new text ({what}); nothing was written"
        )))
    };
    for turn in &c.turns {
        if turn.span.end > new_len || turn.content_start > turn.span.end {
            return bad(format!("turn {}", turn.index + 1));
        }
    }
    for (coding, span) in &c.codings {
        if span.start >= span.end || span.end > new_len {
            return bad(format!("coding {}", coding.to_text()));
        }
    }
    for (a, extent, _) in &c.adjudications {
        if extent.end > new_len || extent.start > extent.end {
            return bad(format!("adjudication record {}", a.to_text()));
        }
    }
    for (memo, span) in &c.memos {
        if span.end > new_len || span.start > span.end {
            return bad(format!("memo {}", memo.to_text()));
        }
    }
    let stored: i64 = tx.query_row(
        "SELECT count(*) FROM codings WHERE transcript_id = ?1",
        [c.transcript_id.to_text()],
        |r| r.get(0),
    )?;
    if usize::try_from(stored).ok() != Some(c.codings.len()) {
        return Err(StoreError::Refused(format!(
            "{name} has {stored} codings and the correction carries {}: codings were added or \
             removed since it was worked out; work it out again",
            c.codings.len()
        )));
    }
    Ok(())
}

/// What a project was before schema 6 (for the tests of migrating older projects): migrations 8,
/// 7 and 6 taken back.
#[cfg(test)]
pub(super) const UNDO_MIGRATION_6: &str = "DROP TABLE key_quotes; DROP TABLE grid_summaries;
     CREATE TABLE memos_v7 (
         memo_id     TEXT PRIMARY KEY,
         target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'transcript', 'code', 'coding')),
         target_id   TEXT,
         rater_id    TEXT REFERENCES raters(rater_id),
         text        TEXT NOT NULL,
         created_at  TEXT NOT NULL
     ) STRICT;
     INSERT INTO memos_v7 SELECT memo_id, target_kind, target_id, rater_id, text, created_at
         FROM memos WHERE target_kind IN ('project', 'transcript', 'code', 'coding');
     DROP TABLE memos; ALTER TABLE memos_v7 RENAME TO memos;
     DROP TABLE correction_proposals;
     DROP TABLE coding_losses; DROP TABLE transcript_versions;
     ALTER TABLE transcripts DROP COLUMN version; PRAGMA user_version = 5;";

#[cfg(test)]
mod tests {
    use super::*;

    /// A project written at schema version 5 (before corrections) opens, is taken to version 6,
    /// every transcript at text version 1, and can then be corrected.
    #[test]
    fn a_schema_5_project_opens_and_can_be_corrected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.accord");
        let mut store = Store::create(&path, "Old").unwrap();
        let imported = crate::import::read_transcript_bytes(
            std::path::Path::new("P01_t.txt"),
            b"Interviewer: hello there\n\nP01: general words here\n",
            crate::model::SourceFormat::Txt,
            &crate::import::ImportOptions::default(),
        )
        .unwrap();
        let t = imported.transcript;
        store.insert_transcript(&t, Some("P01")).unwrap();
        let memo = store
            .add_memo(
                crate::model::MemoTarget::Transcript(t.transcript_id),
                None,
                "kept through the memos table's rebuild (schema 8)",
            )
            .unwrap();
        store.conn.execute_batch(UNDO_MIGRATION_6).unwrap();
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.all_memos().unwrap(), vec![memo]);
        let version: i32 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, super::super::schema::SCHEMA_VERSION);
        assert_eq!(store.transcript_version(t.transcript_id).unwrap(), 1);
        let text = t.text.replace("general", "specific");
        let mut turns = t.turns.clone();
        let last = turns.len() - 1;
        turns[last].span.end += 1;
        let report = store
            .correct(&TextCorrection {
                transcript_id: t.transcript_id,
                from_sha256: t.sha256.clone(),
                text: text.clone(),
                turns,
                splices: vec![crate::model::anchors::Splice {
                    start: 31,
                    end: 38,
                    new_len: 8,
                }],
                codings: Vec::new(),
                lose: Vec::new(),
                restore: Vec::new(),
                adjudications: Vec::new(),
                memos: Vec::new(),
                by: None,
            })
            .unwrap();
        assert_eq!(report.version, 2);
        assert_eq!(store.transcript(t.transcript_id).unwrap().text, text);
        let (old, chain) = store
            .versions_since(t.transcript_id, &t.sha256)
            .unwrap()
            .unwrap();
        assert_eq!(old, t.text);
        assert_eq!(chain.len(), 1);
        // The text kept is version 1, the text now version 2.
        let kept: i64 = store
            .conn
            .query_row(
                "SELECT version FROM transcript_versions WHERE sha256 = ?1",
                [&t.sha256],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, 1);
    }
}
