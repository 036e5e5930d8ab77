//! Proposed codebook changes. A rater (in a rater file, where the codebook is the lead's) proposes a
//! change to one code, or a new code; merging brings the proposal to the lead, who accepts it (the
//! codebook changes, a new version is recorded) or rejects it, with a note. Nothing changes the
//! codebook silently.

use rusqlite::{Connection, OptionalExtension, params};

use super::transcripts::parse_col;
use super::{Audit, Result, Store, StoreError};
use crate::model::{Code, Edit, EditReport, Proposal, ProposalId, now_rfc3339};

/// Inserts a proposal unless one with its id is stored; returns 1 when added.
pub(super) fn insert_proposal(tx: &Connection, p: &Proposal) -> Result<usize> {
    let proposed =
        serde_json::to_string(&p.proposed).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(tx.execute(
        "INSERT INTO proposals (proposal_id, rater_id, base_version, code_id, proposed, note, created_at, status, decided_at, decision_note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9) ON CONFLICT (proposal_id) DO NOTHING",
        params![
            p.proposal_id.to_text(),
            p.rater_id.map(|r| r.to_text()),
            p.base_version,
            p.proposed.code_id.to_text(),
            proposed,
            p.note,
            p.created_at,
            p.status,
            p.decision_note,
        ],
    )?)
}

impl Store {
    /// Records a proposal (refused when it changes nothing).
    pub(super) fn add_proposal(&mut self, proposal: &Proposal) -> Result<()> {
        let current = self.codebook()?;
        if current.get(proposal.proposed.code_id) == Some(&proposal.proposed) {
            return Err(StoreError::Refused(format!(
                "the proposal for {:?} changes nothing",
                proposal.proposed.name
            )));
        }
        self.write(|tx| {
            insert_proposal(tx, proposal)?;
            Ok(Audit::new("propose", "code", Some(&proposal.proposed.code_id.to_text()), serde_json::json!({ "proposal": proposal.proposal_id.to_text(), "note": proposal.note })).with(()))
        })
    }

    /// Every proposal, oldest first.
    pub fn proposals(&self) -> Result<Vec<Proposal>> {
        let mut stmt = self.conn.prepare(
            "SELECT proposal_id, rater_id, base_version, proposed, note, created_at, status, decision_note
             FROM proposals ORDER BY created_at, proposal_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let proposed: String = r.get(3)?;
            let code: Code = serde_json::from_str(&proposed).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            Ok(Proposal {
                proposal_id: parse_col(r, 0)?,
                rater_id: r.get::<_, Option<String>>(1)?.and_then(|s| s.parse().ok()),
                base_version: r.get(2)?,
                proposed: code,
                note: r.get(4)?,
                created_at: r.get(5)?,
                status: r.get(6)?,
                decision_note: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Accepts an open proposal: the code is changed (or added) as proposed and a new codebook
    /// version is recorded, in one transaction with the decision. Returns what the edit did.
    pub(super) fn accept_proposal(&mut self, id: ProposalId, note: &str) -> Result<EditReport> {
        let proposal = self.open_proposal(id)?;
        let mut book = self.codebook()?;
        match book
            .codes
            .iter_mut()
            .find(|c| c.code_id == proposal.proposed.code_id)
        {
            Some(code) => *code = proposal.proposed.clone(),
            None => book.codes.push(proposal.proposed.clone()),
        }
        self.atomic(|store| {
            let report = store.edit(&Edit {
                codebook: Some(book),
                action: format!("accept proposal {}", id.to_text()),
                ..Edit::default()
            })?;
            store.decide(id, "accepted", note)?;
            Ok(report)
        })
    }

    /// Rejects an open proposal, with a note; the codebook stays as it is.
    pub(super) fn reject_proposal(&mut self, id: ProposalId, note: &str) -> Result<()> {
        self.open_proposal(id)?;
        self.decide(id, "rejected", note)
    }

    /// Puts a decided proposal back to open (the reverse of deciding it).
    pub(super) fn reopen_proposal(&mut self, id: ProposalId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE proposals SET status = 'open', decided_at = NULL, decision_note = NULL WHERE proposal_id = ?1",
                [id.to_text()],
            )?;
            Ok(Audit::new("reopen", "proposal", Some(&id.to_text()), serde_json::json!({})).with(()))
        })
    }

    fn open_proposal(&self, id: ProposalId) -> Result<Proposal> {
        let found = self.proposals()?.into_iter().find(|p| p.proposal_id == id);
        match found {
            Some(p) if p.status == "open" => Ok(p),
            Some(p) => Err(StoreError::Refused(format!(
                "proposal {} is already {}",
                id.to_text(),
                p.status
            ))),
            None => Err(StoreError::NotFound {
                what: "proposal",
                reference: id.to_text(),
            }),
        }
    }

    fn decide(&mut self, id: ProposalId, status: &str, note: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE proposals SET status = ?2, decided_at = ?3, decision_note = ?4 WHERE proposal_id = ?1 AND status = 'open'",
                params![id.to_text(), status, now_rfc3339(), note],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "open proposal",
                    reference: id.to_text(),
                });
            }
            Ok(Audit::new(status, "proposal", Some(&id.to_text()), serde_json::json!({ "note": note })).with(()))
        })
    }

    /// Deletes a proposal (the reverse of making or merging it).
    pub(super) fn delete_proposal(&mut self, id: ProposalId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM proposals WHERE proposal_id = ?1",
                [id.to_text()],
            )?;
            Ok(Audit::new(
                "delete",
                "proposal",
                Some(&id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Puts back a deleted proposal exactly as it was.
    pub(super) fn restore_proposal(&mut self, proposal: &Proposal) -> Result<()> {
        self.write(|tx| {
            insert_proposal(tx, proposal)?;
            Ok(Audit::new(
                "restore",
                "proposal",
                Some(&proposal.proposal_id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Whether the proposals table holds this id (for undo).
    pub fn proposal_exists(&self, id: ProposalId) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM proposals WHERE proposal_id = ?1",
                [id.to_text()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}
