//! Corrections proposed from rater files. A rater file's transcripts are the lead's, so a rater
//! who finds a misheard word proposes the corrected text; merging brings the proposal to the lead,
//! who reviews it as a correction and accepts it (the transcript is corrected, every coding
//! carried, in the same transaction as the decision) or rejects it with a note, as with proposed
//! codebook changes. A proposal names the text it corrects by hash: once the lead's text has
//! changed, it can no longer be accepted as it is.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Audit, Result, Store, StoreError};
use crate::model::{CorrectionProposal, CorrectionReport, ProposalId, TextCorrection, now_rfc3339};

/// Inserts a correction proposal unless one with its id is stored; returns 1 when added (merging
/// the same rater file twice adds it once).
pub(super) fn insert_correction_proposal(tx: &Connection, p: &CorrectionProposal) -> Result<usize> {
    Ok(tx.execute(
        "INSERT INTO correction_proposals (proposal_id, transcript_id, rater_id, from_sha256, note,
             created_at, status, decided_at, decision_note, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9) ON CONFLICT (proposal_id) DO NOTHING",
        params![
            p.proposal_id.to_text(),
            p.transcript_id.to_text(),
            p.rater_id.map(|r| r.to_text()),
            p.from_sha256,
            p.note,
            p.created_at,
            p.status,
            p.decision_note,
            p.text
        ],
    )?)
}

/// The transcript's name and hash, if it is in the project (not removed).
fn transcript_sha(tx: &Connection, p: &CorrectionProposal) -> Result<(String, String)> {
    tx.query_row(
        "SELECT name, sha256 FROM transcripts WHERE transcript_id = ?1 AND removed_at IS NULL",
        [p.transcript_id.to_text()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "transcript",
        reference: p.transcript_id.to_text(),
    })
}

impl Store {
    /// Records a correction proposal. Refused, writing nothing, when the transcript is unknown,
    /// its text is no longer the one the proposal corrects, or the text would not change.
    pub(crate) fn propose_correction(&mut self, p: &CorrectionProposal) -> Result<()> {
        self.write(|tx| {
            let (name, sha) = transcript_sha(tx, p)?;
            if sha != p.from_sha256 {
                return Err(StoreError::Refused(format!(
                    "the text of {name} has changed since this correction was worked out"
                )));
            }
            if crate::model::text::sha256_hex(&p.text) == sha {
                return Err(StoreError::Refused(format!(
                    "the proposed text of {name} is the text as it is; nothing to propose"
                )));
            }
            insert_correction_proposal(tx, p)?;
            Ok(Audit::new(
                "propose-correction",
                "transcript",
                Some(&p.transcript_id.to_text()),
                serde_json::json!({ "proposal": p.proposal_id.to_text(), "note": p.note }),
            )
            .with(()))
        })
    }

    /// Every correction proposal, oldest first.
    pub fn correction_proposals(&self) -> Result<Vec<CorrectionProposal>> {
        let mut stmt = self.conn.prepare(
            "SELECT proposal_id, transcript_id, rater_id, from_sha256, text, note, created_at, status,
                    decision_note FROM correction_proposals ORDER BY created_at, proposal_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CorrectionProposal {
                proposal_id: super::transcripts::parse_text(&r.get::<_, String>(0)?, 0)?,
                transcript_id: super::transcripts::parse_text(&r.get::<_, String>(1)?, 1)?,
                rater_id: r
                    .get::<_, Option<String>>(2)?
                    .map(|s| super::transcripts::parse_text(&s, 2))
                    .transpose()?,
                from_sha256: r.get(3)?,
                text: r.get(4)?,
                note: r.get(5)?,
                created_at: r.get(6)?,
                status: r.get(7)?,
                decision_note: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// A correction proposal by id, if there is one.
    pub fn correction_proposal(&self, id: ProposalId) -> Result<Option<CorrectionProposal>> {
        Ok(self
            .correction_proposals()?
            .into_iter()
            .find(|p| p.proposal_id == id))
    }

    /// Accepts an open correction proposal: `c`, worked out from the proposal's text on the
    /// transcript as it is, is written (see [`Store::correct`]) in one transaction with the
    /// decision. Refused, writing nothing, when the proposal is not open, when the lead's text is
    /// no longer the one it corrects, or when `c` is not the proposal's text.
    pub(crate) fn accept_correction(
        &mut self,
        id: ProposalId,
        note: &str,
        c: &TextCorrection,
    ) -> Result<CorrectionReport> {
        let p = self.open_correction(id)?;
        let (name, sha) = transcript_sha(&self.conn, &p)?;
        if sha != p.from_sha256 {
            return Err(StoreError::Refused(format!(
                "the text of {name} has changed since this correction was proposed: it can no \
                 longer be accepted as it is; reject it, or make the correction yourself \
                 (accord transcripts edit)"
            )));
        }
        if c.transcript_id != p.transcript_id || c.text != p.text || c.from_sha256 != sha {
            return Err(StoreError::Refused(format!(
                "the correction given is not proposal {}'s",
                id.to_text()
            )));
        }
        self.atomic(|store| {
            let report = store.correct(c)?;
            store.decide_correction(id, "accepted", note)?;
            Ok(report)
        })
    }

    /// Rejects an open correction proposal, with a note; the transcript stays as it is.
    pub(crate) fn reject_correction(&mut self, id: ProposalId, note: &str) -> Result<()> {
        self.open_correction(id)?;
        self.decide_correction(id, "rejected", note)
    }

    /// Puts a decided correction proposal back to open (the reverse of deciding it).
    pub(crate) fn reopen_correction(&mut self, id: ProposalId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE correction_proposals SET status = 'open', decided_at = NULL,
                     decision_note = NULL WHERE proposal_id = ?1",
                [id.to_text()],
            )?;
            Ok(Audit::new(
                "reopen",
                "correction-proposal",
                Some(&id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Deletes a correction proposal (the reverse of making or merging it).
    pub(crate) fn delete_correction_proposal(&mut self, id: ProposalId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM correction_proposals WHERE proposal_id = ?1",
                [id.to_text()],
            )?;
            Ok(Audit::new(
                "delete",
                "correction-proposal",
                Some(&id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Puts back a deleted correction proposal exactly as it was.
    pub(crate) fn restore_correction_proposal(&mut self, p: &CorrectionProposal) -> Result<()> {
        self.write(|tx| {
            insert_correction_proposal(tx, p)?;
            Ok(Audit::new(
                "restore",
                "correction-proposal",
                Some(&p.proposal_id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    fn open_correction(&self, id: ProposalId) -> Result<CorrectionProposal> {
        match self.correction_proposal(id)? {
            Some(p) if p.status == "open" => Ok(p),
            Some(p) => Err(StoreError::Refused(format!(
                "correction proposal {} is already {}",
                id.to_text(),
                p.status
            ))),
            None => Err(StoreError::NotFound {
                what: "correction proposal",
                reference: id.to_text(),
            }),
        }
    }

    fn decide_correction(&mut self, id: ProposalId, status: &str, note: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE correction_proposals SET status = ?2, decided_at = ?3, decision_note = ?4
                     WHERE proposal_id = ?1 AND status = 'open'",
                params![id.to_text(), status, now_rfc3339(), note],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "open correction proposal",
                    reference: id.to_text(),
                });
            }
            Ok(Audit::new(
                status,
                "correction-proposal",
                Some(&id.to_text()),
                serde_json::json!({ "note": note }),
            )
            .with(()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::Audited;

    fn project() -> (tempfile::TempDir, Store, crate::model::Transcript) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("p.accord"), "P").unwrap();
        let t = crate::import::read_transcript_bytes(
            std::path::Path::new("P01_t.txt"),
            b"Interviewer: hello there\n\nP01: general words here\n",
            crate::model::SourceFormat::Txt,
            &crate::import::ImportOptions::default(),
        )
        .unwrap()
        .transcript;
        store.insert_transcript(&t, Some("P01")).unwrap();
        (dir, store, t)
    }

    fn proposal(t: &crate::model::Transcript, text: &str, sha: &str) -> CorrectionProposal {
        CorrectionProposal {
            proposal_id: ProposalId::new_random(),
            transcript_id: t.transcript_id,
            rater_id: None,
            from_sha256: sha.into(),
            text: text.into(),
            note: "misheard".into(),
            created_at: "now".into(),
            status: "open".into(),
            decision_note: None,
        }
    }

    #[test]
    fn a_correction_is_proposed_once_and_refused_when_it_changes_nothing_or_is_stale() {
        let (_dir, mut store, t) = project();
        let fixed = t.text.replace("general", "specific");
        let p = proposal(&t, &fixed, &t.sha256);
        store.propose_correction(&p).unwrap();
        assert_eq!(store.correction_proposals().unwrap(), vec![p.clone()]);
        // Merging the same proposal again adds nothing.
        store
            .write(|tx| {
                assert_eq!(insert_correction_proposal(tx, &p)?, 0);
                Ok(Audited::unchanged(()))
            })
            .unwrap();
        let err = store
            .propose_correction(&proposal(&t, &t.text, &t.sha256))
            .unwrap_err();
        assert!(err.to_string().contains("nothing to propose"), "{err}");
        let err = store
            .propose_correction(&proposal(&t, &fixed, "stale"))
            .unwrap_err();
        assert!(err.to_string().contains("has changed"), "{err}");
        assert_eq!(store.correction_proposals().unwrap().len(), 1);
    }

    #[test]
    fn a_decided_proposal_cannot_be_decided_again_until_reopened() {
        let (_dir, mut store, t) = project();
        let p = proposal(&t, &t.text.replace("general", "specific"), &t.sha256);
        store.propose_correction(&p).unwrap();
        store
            .reject_correction(p.proposal_id, "it was general")
            .unwrap();
        let stored = store.correction_proposal(p.proposal_id).unwrap().unwrap();
        assert_eq!(stored.status, "rejected");
        assert_eq!(stored.decision_note.as_deref(), Some("it was general"));
        let err = store.reject_correction(p.proposal_id, "again").unwrap_err();
        assert!(err.to_string().contains("already rejected"), "{err}");
        store.reopen_correction(p.proposal_id).unwrap();
        let stored = store.correction_proposal(p.proposal_id).unwrap().unwrap();
        assert_eq!(
            (stored.status.as_str(), stored.decision_note),
            ("open", None)
        );
        store.delete_correction_proposal(p.proposal_id).unwrap();
        assert!(store.correction_proposals().unwrap().is_empty());
        store.restore_correction_proposal(&p).unwrap();
        assert_eq!(store.correction_proposals().unwrap(), vec![p]);
    }
}
