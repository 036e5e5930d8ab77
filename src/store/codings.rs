//! Codings in the store. A coding row is never updated (a trigger enforces it): removal writes a
//! tombstone in `coding_removals`, so undo, audit and merging are exact.

use std::collections::HashMap;
use std::fmt::Write as _;

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::transcripts::parse_col;
use super::{Audit, Result, Store, StoreError, memos};
use crate::model::{
    CodeId, Coding, CodingFilter, CodingId, Memo, MemoId, MemoTarget, NewCoding, RaterId, Span,
    TranscriptId, now_rfc3339,
};

impl Store {
    /// Adds codings in one transaction, after checking every span against its transcript and every
    /// code and rater. A coding whose id is already stored is skipped (so importing twice is harmless).
    /// Returns the ids actually added.
    pub(super) fn add_codings(
        &mut self,
        codings: &[NewCoding],
        action: &str,
    ) -> Result<Vec<CodingId>> {
        let version = self.codebook_version()?;
        if version == 0 && !codings.is_empty() {
            return Err(StoreError::NotFound {
                what: "codebook (import one first)",
                reference: String::new(),
            });
        }
        let lengths = self.transcript_lengths()?;
        self.write(|tx| {
            let mut added = Vec::new();
            for c in codings {
                let Some((name, len)) = lengths.get(&c.transcript_id) else {
                    return Err(StoreError::NotFound { what: "transcript", reference: c.transcript_id.to_text() });
                };
                Span::checked(c.span.start, c.span.end, *len)
                    .map_err(|source| StoreError::Span { transcript: name.clone(), source })?;
                check_exists(tx, "codes", "code_id", "code", &c.code_id.to_text())?;
                check_exists(tx, "raters", "rater_id", "rater", &c.rater_id.to_text())?;
                if exists(tx, "codings", "coding_id", &c.coding_id.to_text())? {
                    continue;
                }
                insert_coding(tx, c, version)?;
                added.push(c.coding_id);
            }
            Ok(Audit::new(action, "codings", None, serde_json::json!({ "added": added.iter().map(CodingId::to_text).collect::<Vec<_>>() })).with(added))
        })
    }

    /// Removes codings (writes tombstones) in one transaction; already removed ones are skipped.
    /// Returns how many were removed.
    pub(super) fn remove_codings(
        &mut self,
        ids: &[CodingId],
        by: Option<RaterId>,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut removed = Vec::new();
            for id in ids {
                check_exists(tx, "codings", "coding_id", "coding", &id.to_text())?;
                let n = insert_removal(tx, *id, &now_rfc3339(), by)?;
                if n > 0 {
                    removed.push(id.to_text());
                }
            }
            Ok(Audit::new(
                "uncode",
                "codings",
                None,
                serde_json::json!({ "removed": removed }),
            )
            .with(removed.len()))
        })
    }

    /// Which of these codings are stored but removed (tombstoned), in the order given.
    pub fn removed_among(&self, ids: &[CodingId]) -> Result<Vec<CodingId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT 1 FROM coding_removals WHERE coding_id = ?1")?;
        let mut out = Vec::new();
        for id in ids {
            if stmt.exists([id.to_text()])? {
                out.push(*id);
            }
        }
        Ok(out)
    }

    /// Codings matching a filter, ordered by transcript, start, end, code, rater.
    pub fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>> {
        let mut sql = String::from(
            "SELECT c.coding_id, c.transcript_id, c.code_id, c.rater_id, c.start_char, c.end_char,
                    c.codebook_version, c.created_at, r.removed_at
             FROM codings c LEFT JOIN coding_removals r ON r.coding_id = c.coding_id WHERE 1 = 1",
        );
        let mut args: Vec<String> = Vec::new();
        for (column, ids) in [
            (
                "c.transcript_id",
                filter
                    .transcripts
                    .iter()
                    .map(TranscriptId::to_text)
                    .collect::<Vec<_>>(),
            ),
            (
                "c.code_id",
                filter.codes.iter().map(CodeId::to_text).collect(),
            ),
            (
                "c.rater_id",
                filter.raters.iter().map(RaterId::to_text).collect(),
            ),
            (
                "c.coding_id",
                filter.ids.iter().map(CodingId::to_text).collect(),
            ),
        ] {
            if !ids.is_empty() {
                let marks = vec!["?"; ids.len()].join(", ");
                let _ = write!(sql, " AND {column} IN ({marks})");
                args.extend(ids);
            }
        }
        if !filter.include_removed {
            sql.push_str(" AND r.removed_at IS NULL");
        }
        sql.push_str(" ORDER BY c.transcript_id, c.start_char, c.end_char, c.code_id, c.rater_id, c.coding_id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(Coding {
                coding_id: parse_col(r, 0)?,
                transcript_id: parse_col(r, 1)?,
                code_id: parse_col(r, 2)?,
                rater_id: parse_col(r, 3)?,
                span: Span::new(r.get::<_, i64>(4)? as usize, r.get::<_, i64>(5)? as usize),
                codebook_version: r.get(6)?,
                created_at: r.get(7)?,
                removed_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Name and length in chars of every transcript.
    pub(super) fn transcript_lengths(&self) -> Result<HashMap<TranscriptId, (String, usize)>> {
        let mut stmt = self.conn.prepare(
            "SELECT transcript_id, name, len_chars FROM transcripts WHERE removed_at IS NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((parse_col(r, 0)?, (r.get(1)?, r.get::<_, i64>(2)? as usize)))
        })?;
        Ok(rows.collect::<Result<HashMap<_, _>, _>>()?)
    }
}

/// Tombstones a coding (removed at `at`, by `by`) unless it is removed already; returns 1 when it
/// was live.
pub(super) fn insert_removal(
    tx: &Connection,
    id: CodingId,
    at: &str,
    by: Option<RaterId>,
) -> Result<usize> {
    Ok(tx.execute(
        "INSERT INTO coding_removals (coding_id, removed_at, removed_by) VALUES (?1, ?2, ?3)
         ON CONFLICT (coding_id) DO NOTHING",
        params![id.to_text(), at, by.map(|r| r.to_text())],
    )?)
}

/// Brings a removed coding back (deletes its tombstone); returns 1 when it was removed.
pub(super) fn delete_removal(tx: &Connection, id: CodingId) -> Result<usize> {
    Ok(tx.execute(
        "DELETE FROM coding_removals WHERE coding_id = ?1",
        [id.to_text()],
    )?)
}

pub(super) fn insert_coding(tx: &Connection, c: &NewCoding, version: i64) -> Result<()> {
    let created_at = c.created_at.clone().unwrap_or_else(now_rfc3339);
    let row = Coding {
        coding_id: c.coding_id,
        transcript_id: c.transcript_id,
        code_id: c.code_id,
        rater_id: c.rater_id,
        span: c.span,
        codebook_version: version,
        created_at,
        removed_at: None,
    };
    insert_coding_row(tx, &row, c.rater_id, false)?;
    let created_at = row.created_at;
    if let Some(text) = c.memo.as_deref().filter(|m| !m.trim().is_empty()) {
        let memo = Memo {
            memo_id: MemoId::new_random(),
            target: MemoTarget::Coding(c.coding_id),
            rater_id: Some(c.rater_id),
            text: text.to_string(),
            created_at,
        };
        memos::insert_memo(tx, &memo)?;
    }
    Ok(())
}

/// Inserts a coding row (its tombstone, if any, is not this row's), by `rater`. With
/// `keep_existing`, a coding of that id already stored is left as it is (0 is returned); without,
/// that is an error. Returns 1 when the row was added.
pub(super) fn insert_coding_row(
    tx: &Connection,
    c: &Coding,
    rater: RaterId,
    keep_existing: bool,
) -> Result<usize> {
    let sql = "INSERT INTO codings (coding_id, transcript_id, code_id, rater_id, start_char, end_char, codebook_version, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    let args = params![
        c.coding_id.to_text(),
        c.transcript_id.to_text(),
        c.code_id.to_text(),
        rater.to_text(),
        c.span.start as i64,
        c.span.end as i64,
        c.codebook_version,
        c.created_at,
    ];
    Ok(if keep_existing {
        tx.prepare_cached(&format!("{sql} ON CONFLICT (coding_id) DO NOTHING"))?
            .execute(args)?
    } else {
        tx.prepare_cached(sql)?.execute(args)?
    })
}

pub(super) fn exists(tx: &Connection, table: &str, column: &str, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE {column} = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn check_exists(
    tx: &Connection,
    table: &str,
    column: &str,
    what: &'static str,
    id: &str,
) -> Result<()> {
    if exists(tx, table, column, id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what,
            reference: id.to_string(),
        })
    }
}
