//! Adjudication records: each settled disagreement with the consensus codings it added. Settling is
//! one transaction (the codings and the record together); withdrawing one (undo) tombstones its
//! codings and marks the record, and reinstating it (redo) brings back the very same codings.

use rusqlite::{Connection, params};

use super::codings::insert_coding;
use super::transcripts::parse_col;
use super::{Audit, Result, Store, StoreError};
use crate::model::{
    Adjudication, AdjudicationId, CodeId, Decision, NewCoding, RaterId, Span, TranscriptId,
    now_rfc3339,
};

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, idx: usize) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// Settles a disagreement: adds the consensus codings and the record, in one transaction. The
    /// codings must belong to the record's consensus rater, transcript and code.
    pub(super) fn settle(&mut self, record: &Adjudication, codings: &[NewCoding]) -> Result<()> {
        if codings.iter().any(|c| {
            c.rater_id != record.consensus_rater
                || c.transcript_id != record.transcript_id
                || c.code_id != record.code_id
        }) {
            return Err(StoreError::Refused(
                "a consensus coding must be the consensus rater's, on the disagreement's transcript and code".into(),
            ));
        }
        let version = self.codebook_version()?;
        let lengths = self.transcript_lengths()?;
        self.write(|tx| {
            let Some((name, len)) = lengths.get(&record.transcript_id) else {
                return Err(StoreError::NotFound {
                    what: "transcript",
                    reference: record.transcript_id.to_text(),
                });
            };
            for c in codings {
                Span::checked(c.span.start, c.span.end, *len).map_err(|source| {
                    StoreError::Span {
                        transcript: name.clone(),
                        source,
                    }
                })?;
                insert_coding(tx, c, version)?;
            }
            insert_record(tx, record)?;
            Ok(Audit::new("settle", "adjudication", Some(&record.adjudication_id.to_text()), serde_json::json!({ "decision": record.decision, "codings": record.codings, "note": record.note })).with(()))
        })
    }

    /// Withdraws a decision (its codings are removed); `reinstate` reverses it.
    pub(super) fn withdraw_adjudication(&mut self, id: AdjudicationId) -> Result<()> {
        self.set_withdrawn(id, true)
    }

    /// Reinstates a withdrawn decision with its very same codings.
    pub(super) fn reinstate_adjudication(&mut self, id: AdjudicationId) -> Result<()> {
        self.set_withdrawn(id, false)
    }

    fn set_withdrawn(&mut self, id: AdjudicationId, withdraw: bool) -> Result<()> {
        let record = self
            .adjudications(None)?
            .into_iter()
            .find(|a| a.adjudication_id == id)
            .ok_or_else(|| StoreError::NotFound {
                what: "adjudication",
                reference: id.to_text(),
            })?;
        self.write(|tx| {
            let now = now_rfc3339();
            tx.execute(
                "UPDATE adjudications SET withdrawn_at = ?2 WHERE adjudication_id = ?1",
                params![id.to_text(), withdraw.then_some(now.as_str())],
            )?;
            for coding in &record.codings {
                if withdraw {
                    super::codings::insert_removal(
                        tx,
                        *coding,
                        &now,
                        Some(record.consensus_rater),
                    )?;
                } else {
                    super::codings::delete_removal(tx, *coding)?;
                }
            }
            Ok(Audit::new(
                if withdraw { "withdraw" } else { "reinstate" },
                "adjudication",
                Some(&id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Adjudication records (withdrawn ones too), by transcript, code and position; only those of
    /// one code when given.
    pub fn adjudications(&self, code: Option<CodeId>) -> Result<Vec<Adjudication>> {
        let mut stmt = self.conn.prepare(
            "SELECT adjudication_id, transcript_id, code_id, start_char, end_char, rater_spans, decision,
                    note, consensus_rater, codings, decided_at, withdrawn_at
             FROM adjudications WHERE ?1 IS NULL OR code_id = ?1
             ORDER BY transcript_id, code_id, start_char, decided_at",
        )?;
        let rows = stmt.query_map([code.map(|c| c.to_text())], |r| {
            Ok(Adjudication {
                adjudication_id: parse_col(r, 0)?,
                transcript_id: parse_col::<TranscriptId>(r, 1)?,
                code_id: parse_col(r, 2)?,
                extent: Span::new(r.get::<_, i64>(3)? as usize, r.get::<_, i64>(4)? as usize),
                rater_spans: parse_json::<Vec<(RaterId, Vec<Span>)>>(&r.get::<_, String>(5)?, 5)?,
                decision: parse_json::<Decision>(&r.get::<_, String>(6)?, 6)?,
                note: r.get(7)?,
                consensus_rater: parse_col(r, 8)?,
                codings: parse_json(&r.get::<_, String>(9)?, 9)?,
                decided_at: r.get(10)?,
                withdrawn_at: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn insert_record(tx: &Connection, a: &Adjudication) -> Result<()> {
    let raters: Vec<String> = a.rater_spans.iter().map(|(r, _)| r.to_text()).collect();
    let chosen = match a.decision {
        Decision::Take { rater_id } => Some(rater_id.to_text()),
        _ => None,
    };
    tx.execute(
        "INSERT INTO adjudications (adjudication_id, transcript_id, code_id, start_char, end_char, raters,
            rater_spans, decision, chosen_rater, note, consensus_rater, codings, decided_at, withdrawn_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL)",
        params![
            a.adjudication_id.to_text(),
            a.transcript_id.to_text(),
            a.code_id.to_text(),
            a.extent.start as i64,
            a.extent.end as i64,
            json(&raters)?,
            json(&a.rater_spans)?,
            json(&a.decision)?,
            chosen,
            a.note,
            a.consensus_rater.to_text(),
            json(&a.codings)?,
            a.decided_at,
        ],
    )?;
    Ok(())
}
