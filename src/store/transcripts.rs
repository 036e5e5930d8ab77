//! Transcripts and turns in the store. A transcript is inserted with its turns and its case in one
//! transaction; its text can never be updated afterwards (a trigger enforces it).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Audit, Result, Store, StoreError, cases};
use crate::model::{
    CaseId, Role, SourceFormat, Span, Transcript, TranscriptId, TranscriptSummary, Turn, TurnId,
};

const SUMMARY_SQL: &str = "SELECT t.transcript_id, t.name, t.case_id, c.name, t.format, t.source_file, t.sha256,
        t.len_chars, (SELECT count(*) FROM turns u WHERE u.transcript_id = t.transcript_id), t.imported_at
     FROM transcripts t LEFT JOIN cases c ON c.case_id = t.case_id WHERE t.removed_at IS NULL";

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<TranscriptSummary> {
    Ok(TranscriptSummary {
        transcript_id: parse_col(r, 0)?,
        name: r.get(1)?,
        case_id: r
            .get::<_, Option<String>>(2)?
            .map(|s| parse_text(&s, 2))
            .transpose()?,
        case_name: r.get(3)?,
        format: parse_col(r, 4)?,
        source_file: r.get(5)?,
        sha256: r.get(6)?,
        len_chars: r.get::<_, i64>(7)? as usize,
        turn_count: r.get::<_, i64>(8)? as usize,
        imported_at: r.get(9)?,
    })
}

/// Reads a column holding text that parses into `T` (ids, enums).
pub(super) fn parse_col<T: std::str::FromStr>(r: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    parse_text(&text, idx)
}

/// Parses stored text into `T`, mapping a failure to a conversion error on column `idx`.
pub(super) fn parse_text<T: std::str::FromStr>(text: &str, idx: usize) -> rusqlite::Result<T> {
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unexpected stored value {text:?}").into(),
        )
    })
}

impl Store {
    /// Stores an imported transcript with its turns; creates its case when `case_name` is new.
    /// Refuses a name already used, and reports the transcript already holding the same text.
    pub(super) fn insert_transcript(
        &mut self,
        transcript: &Transcript,
        case_name: Option<&str>,
    ) -> Result<()> {
        self.write(|tx| {
            if let Some(existing) = name_of_sha(tx, &transcript.sha256)? {
                return Err(StoreError::Duplicate {
                    what: "transcript with the same text as",
                    name: existing,
                });
            }
            let mut made = Vec::new();
            let case_id = match case_name {
                Some(name) => Some(cases::ensure_case(tx, name, &mut made)?),
                None => transcript.case_id,
            };
            insert_row(tx, transcript, case_id)?;
            for turn in &transcript.turns {
                insert_turn(tx, transcript.transcript_id, turn)?;
            }
            Ok(Audit::new(
                "import",
                "transcript",
                Some(&transcript.transcript_id.to_text()),
                serde_json::json!({ "name": transcript.name, "file": transcript.source_file,
                    "sha256": transcript.sha256, "turns": transcript.turns.len() }),
            )
            .with(())
            .after(made))
        })
    }

    /// All transcripts, by name.
    pub fn transcripts(&self) -> Result<Vec<TranscriptSummary>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SUMMARY_SQL} ORDER BY t.name"))?;
        let rows = stmt.query_map([], summary_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Finds a transcript by id or by name.
    pub fn find_transcript(&self, reference: &str) -> Result<TranscriptSummary> {
        let reference = reference.trim();
        let id_text = reference
            .parse::<TranscriptId>()
            .map(|id| id.to_text())
            .unwrap_or_default();
        self.conn
            .query_row(
                &format!("{SUMMARY_SQL} AND (t.transcript_id = ?1 OR t.name = ?2)"),
                params![id_text, reference],
                summary_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "transcript",
                reference: reference.to_string(),
            })
    }

    /// A whole transcript: text and turns.
    pub fn transcript(&self, transcript_id: TranscriptId) -> Result<Transcript> {
        self.read_transcript(transcript_id, false)
    }

    /// The ids of removed transcripts (their text is still in the file until they are erased).
    pub fn removed_transcript_ids(&self) -> Result<Vec<TranscriptId>> {
        let mut stmt = self.conn.prepare(
            "SELECT transcript_id FROM transcripts WHERE removed_at IS NOT NULL ORDER BY transcript_id",
        )?;
        let rows = stmt.query_map([], |r| parse_col(r, 0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every transcript's id, removed ones too (their text is still in the file).
    pub fn all_transcript_ids(&self) -> Result<Vec<TranscriptId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT transcript_id FROM transcripts ORDER BY transcript_id")?;
        let rows = stmt.query_map([], |r| parse_col(r, 0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// A whole transcript, removed or not.
    pub fn transcript_even_removed(&self, transcript_id: TranscriptId) -> Result<Transcript> {
        self.read_transcript(transcript_id, true)
    }

    fn read_transcript(
        &self,
        transcript_id: TranscriptId,
        removed_too: bool,
    ) -> Result<Transcript> {
        let (name, case_id, source_file, format, text, sha256, len_chars, imported_at) = self
            .conn
            .query_row(
                "SELECT name, case_id, source_file, format, text, sha256, len_chars, imported_at
                 FROM transcripts WHERE transcript_id = ?1 AND (?2 OR removed_at IS NULL)",
                params![transcript_id.to_text(), removed_too],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?
                            .map(|s| parse_text(&s, 1))
                            .transpose()?,
                        r.get::<_, String>(2)?,
                        parse_col::<SourceFormat>(r, 3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, String>(7)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "transcript",
                reference: transcript_id.to_text(),
            })?;
        Ok(Transcript {
            transcript_id,
            name,
            case_id,
            source_file,
            format,
            text,
            sha256,
            len_chars: len_chars as usize,
            imported_at,
            turns: self.turns(transcript_id)?,
        })
    }

    /// Removes a transcript from the project's view (its text and codings stay in the file, untouched;
    /// nothing is rewritten). Returns its name.
    pub(super) fn remove_transcript(&mut self, transcript_id: TranscriptId) -> Result<String> {
        let name = self.find_transcript(&transcript_id.to_text())?.name;
        self.write(|tx| {
            tx.execute(
                "UPDATE transcripts SET removed_at = ?2 WHERE transcript_id = ?1 AND removed_at IS NULL",
                params![transcript_id.to_text(), crate::model::now_rfc3339()],
            )?;
            Ok(Audit::new("remove", "transcript", Some(&transcript_id.to_text()), serde_json::json!({ "name": name })).with(()))
        })?;
        Ok(name)
    }

    /// Brings back a removed transcript (refused if another live transcript took its name).
    pub(super) fn restore_transcript(&mut self, transcript_id: TranscriptId) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE transcripts SET removed_at = NULL WHERE transcript_id = ?1 AND removed_at IS NOT NULL",
                [transcript_id.to_text()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "removed transcript",
                    reference: transcript_id.to_text(),
                });
            }
            Ok(Audit::new("restore", "transcript", Some(&transcript_id.to_text()), serde_json::json!({})).with(()))
        })
    }

    /// Fingerprints of what the search index holds about each live transcript: first its text hash,
    /// case and the case's attributes (what its turn documents hold), then that with its live codings
    /// and their raters (what its coded-passage documents hold). The index compares these to know
    /// what to re-index: a new coding re-indexes only the transcript's passages.
    pub fn search_fingerprints(
        &self,
    ) -> Result<std::collections::BTreeMap<TranscriptId, (String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.transcript_id, t.sha256 || '|' || coalesce(c.name, '') || '|' ||
                coalesce((SELECT group_concat(a.name || '=' || a.value, ';') FROM
                    (SELECT name, value FROM case_attributes WHERE case_id = t.case_id ORDER BY name) a), ''),
                coalesce((SELECT group_concat(x.coding_id || '@' || x.rater, ';') FROM
                    (SELECT k.coding_id, r.name AS rater FROM codings k JOIN raters r ON r.rater_id = k.rater_id
                     WHERE k.transcript_id = t.transcript_id
                       AND NOT EXISTS (SELECT 1 FROM coding_removals m WHERE m.coding_id = k.coding_id)
                     ORDER BY k.coding_id) x), '')
             FROM transcripts t LEFT JOIN cases c ON c.case_id = t.case_id WHERE t.removed_at IS NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            let turns: String = r.get(1)?;
            let codings: String = r.get(2)?;
            let passages = crate::model::text::sha256_hex(&format!("{turns}|{codings}"));
            Ok((
                parse_col(r, 0)?,
                (crate::model::text::sha256_hex(&turns), passages),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The turns of a transcript, in order.
    pub fn turns(&self, transcript_id: TranscriptId) -> Result<Vec<Turn>> {
        let mut stmt = self.conn.prepare(
            "SELECT turn_id, idx, start_char, end_char, content_start, speaker, role, start_ms, end_ms
             FROM turns WHERE transcript_id = ?1 ORDER BY idx",
        )?;
        let rows = stmt.query_map([transcript_id.to_text()], |r| {
            Ok(Turn {
                turn_id: parse_col(r, 0)?,
                index: r.get::<_, i64>(1)? as usize,
                span: Span::new(r.get::<_, i64>(2)? as usize, r.get::<_, i64>(3)? as usize),
                content_start: r.get::<_, i64>(4)? as usize,
                speaker: r.get(5)?,
                role: parse_col::<Role>(r, 6)?,
                start_ms: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
                end_ms: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn name_of_sha(tx: &Connection, sha256: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT name FROM transcripts WHERE sha256 = ?1 AND removed_at IS NULL",
            [sha256],
            |r| r.get(0),
        )
        .optional()?)
}

fn insert_row(tx: &Connection, t: &Transcript, case_id: Option<CaseId>) -> Result<()> {
    let taken: bool = tx.query_row(
        "SELECT count(*) > 0 FROM transcripts WHERE name = ?1 AND removed_at IS NULL",
        [&t.name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::Duplicate {
            what: "transcript",
            name: t.name.clone(),
        });
    }
    tx.execute(
        "INSERT INTO transcripts (transcript_id, name, case_id, source_file, format, text, sha256, len_chars, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            t.transcript_id.to_text(),
            t.name,
            case_id.map(|c| c.to_text()),
            t.source_file,
            t.format.as_str(),
            t.text,
            t.sha256,
            t.len_chars as i64,
            t.imported_at,
        ],
    )?;
    Ok(())
}

pub(super) fn insert_turn(tx: &Connection, transcript_id: TranscriptId, turn: &Turn) -> Result<()> {
    let turn_id: TurnId = turn.turn_id;
    tx.prepare_cached(
        "INSERT INTO turns (turn_id, transcript_id, idx, start_char, end_char, content_start, speaker, role, start_ms, end_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
            turn_id.to_text(),
            transcript_id.to_text(),
            turn.index as i64,
            turn.span.start as i64,
            turn.span.end as i64,
            turn.content_start as i64,
            turn.speaker,
            turn.role.as_str(),
            turn.start_ms.map(|v| v as i64),
            turn.end_ms.map(|v| v as i64),
        ])?;
    Ok(())
}
