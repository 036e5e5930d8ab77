//! Key quotes and the summary grid's summaries (schema 8), with their reads and writes. A key
//! quote is one row per flagged coding; a grid cell's summary is kept in numbered versions, the
//! newest being the cell's (undo deletes the newest version again).

use rusqlite::{OptionalExtension, params};

use super::transcripts::parse_text;
use super::{Audit, Result, Store, StoreError};
use crate::model::{CaseId, CodeId, CodingId, GridSummary, KeyQuote};

/// The version a grid cell's next summary takes (1 for a cell never written).
fn next_version(tx: &rusqlite::Connection, case: CaseId, code: CodeId) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT coalesce(max(version), 0) + 1 FROM grid_summaries
         WHERE case_id = ?1 AND code_id = ?2",
        params![case.to_text(), code.to_text()],
        |r| r.get(0),
    )?)
}

impl Store {
    /// The version a grid cell's next summary takes (1 for a cell never written).
    pub fn next_summary_version(&self, case: CaseId, code: CodeId) -> Result<i64> {
        next_version(&self.conn, case, code)
    }

    /// Flags a coding as a key quote, or changes its label. Refused for a coding that is not in
    /// the project or is removed.
    pub(crate) fn flag_key_quote(&mut self, q: &KeyQuote) -> Result<()> {
        self.write(|tx| {
            let live: Option<Option<String>> = tx
                .query_row(
                    "SELECT r.coding_id FROM codings c
                     LEFT JOIN coding_removals r ON r.coding_id = c.coding_id
                     WHERE c.coding_id = ?1",
                    [q.coding_id.to_text()],
                    |r| r.get(0),
                )
                .optional()?;
            match live {
                None => {
                    return Err(StoreError::NotFound {
                        what: "coding",
                        reference: q.coding_id.to_text(),
                    });
                }
                Some(Some(_)) => {
                    return Err(StoreError::Refused(format!(
                        "coding {} is removed: it cannot be a key quote",
                        q.coding_id.to_text()
                    )));
                }
                Some(None) => {}
            }
            tx.execute(
                "INSERT INTO key_quotes (coding_id, label, flagged_by, flagged_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (coding_id) DO UPDATE SET label = excluded.label,
                     flagged_by = excluded.flagged_by, flagged_at = excluded.flagged_at",
                params![
                    q.coding_id.to_text(),
                    q.label,
                    q.flagged_by.map(|r| r.to_text()),
                    q.flagged_at
                ],
            )?;
            Ok(Audit::new(
                "flag",
                "key-quote",
                Some(&q.coding_id.to_text()),
                serde_json::json!({ "label": q.label }),
            )
            .with(()))
        })
    }

    /// Takes a coding's key-quote flag away.
    pub(crate) fn unflag_key_quote(&mut self, coding: CodingId) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM key_quotes WHERE coding_id = ?1",
                [coding.to_text()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "key quote",
                    reference: coding.to_text(),
                });
            }
            Ok(Audit::new(
                "unflag",
                "key-quote",
                Some(&coding.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Every key quote, in the order flagged.
    pub fn key_quotes(&self) -> Result<Vec<KeyQuote>> {
        let mut stmt = self.conn.prepare(
            "SELECT coding_id, label, flagged_by, flagged_at FROM key_quotes
             ORDER BY flagged_at, coding_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeyQuote {
                coding_id: parse_text(&r.get::<_, String>(0)?, 0)?,
                label: r.get(1)?,
                flagged_by: r
                    .get::<_, Option<String>>(2)?
                    .map(|s| parse_text(&s, 2))
                    .transpose()?,
                flagged_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// Writes a version of a grid cell's summary. Refused when the case or code is unknown, a
    /// cited coding is not the case's on that code, or the version is not the next one.
    pub(crate) fn write_summary(&mut self, s: &GridSummary) -> Result<()> {
        self.write(|tx| {
            let case = s.case_id.to_text();
            let known: bool = tx
                .query_row("SELECT 1 FROM cases WHERE case_id = ?1", [&case], |_| Ok(()))
                .optional()?
                .is_some();
            if !known {
                return Err(StoreError::NotFound {
                    what: "case",
                    reference: case,
                });
            }
            let next = next_version(tx, s.case_id, s.code_id)?;
            if s.version != next {
                return Err(StoreError::Refused(format!(
                    "this summary was written on version {} of the cell, which is now at version \
                     {}; read it again",
                    s.version - 1,
                    next - 1
                )));
            }
            for cited in &s.cites {
                let fits: bool = tx
                    .query_row(
                        "SELECT 1 FROM codings c JOIN transcripts t ON t.transcript_id = c.transcript_id
                         WHERE c.coding_id = ?1 AND c.code_id = ?2 AND t.case_id = ?3",
                        params![cited.to_text(), s.code_id.to_text(), case],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if !fits {
                    return Err(StoreError::Refused(format!(
                        "coding {} is not an excerpt of this case on this code, so the summary \
                         cannot cite it",
                        cited.to_text()
                    )));
                }
            }
            let cites = serde_json::to_string(&s.cites)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.execute(
                "INSERT INTO grid_summaries (case_id, code_id, version, text, cites, written_by,
                     written_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    case,
                    s.code_id.to_text(),
                    s.version,
                    s.text,
                    cites,
                    s.written_by.map(|r| r.to_text()),
                    s.written_at
                ],
            )?;
            Ok(Audit::new(
                "write",
                "grid-summary",
                Some(&format!("{case}/{}", s.code_id.to_text())),
                serde_json::json!({ "version": s.version }),
            )
            .with(()))
        })
    }

    /// Deletes the newest version of a grid cell's summary (the undo of writing it).
    pub(crate) fn delete_summary(
        &mut self,
        case: CaseId,
        code: CodeId,
        version: i64,
    ) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM grid_summaries WHERE case_id = ?1 AND code_id = ?2 AND version = ?3
                 AND version = (SELECT max(version) FROM grid_summaries
                                WHERE case_id = ?1 AND code_id = ?2)",
                params![case.to_text(), code.to_text(), version],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "newest summary version",
                    reference: format!("{}/{} v{version}", case.to_text(), code.to_text()),
                });
            }
            Ok(Audit::new(
                "delete",
                "grid-summary",
                Some(&format!("{}/{}", case.to_text(), code.to_text())),
                serde_json::json!({ "version": version }),
            )
            .with(()))
        })
    }

    /// Every version of every grid cell's summary, by cell, oldest version first.
    pub fn summary_versions(&self) -> Result<Vec<GridSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT case_id, code_id, version, text, cites, written_by, written_at
             FROM grid_summaries ORDER BY case_id, code_id, version",
        )?;
        let rows = stmt.query_map([], |r| {
            let cites: String = r.get(4)?;
            Ok(GridSummary {
                case_id: parse_text(&r.get::<_, String>(0)?, 0)?,
                code_id: parse_text(&r.get::<_, String>(1)?, 1)?,
                version: r.get(2)?,
                text: r.get(3)?,
                cites: serde_json::from_str(&cites).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        4,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                written_by: r
                    .get::<_, Option<String>>(5)?
                    .map(|s| parse_text(&s, 5))
                    .transpose()?,
                written_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// Each grid cell's summary as it is now (its newest version, unless that clears it).
    pub fn grid_summaries(&self) -> Result<Vec<GridSummary>> {
        let mut current: Vec<GridSummary> = Vec::new();
        for s in self.summary_versions()? {
            match current.last_mut() {
                Some(last) if last.case_id == s.case_id && last.code_id == s.code_id => *last = s,
                _ => current.push(s),
            }
        }
        current.retain(|s| !s.text.trim().is_empty());
        Ok(current)
    }
}
