//! Merging a rater's work back into the lead's project: read from a rater file (`rater_work`), then
//! checked and added by id in ONE transaction (`merge_rater_work`), after refusing anything that
//! does not fit: another project, a rater this project lacks, a transcript whose text differs, a
//! codebook version this project does not know. Merging what is already here writes nothing.

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::transcripts::parse_col;
use super::{Audit, Audited, Result, Store, StoreError};
use crate::model::{
    Coding, CodingFilter, CodingId, Memo, MemoTarget, Proposal, Rater, RaterFileInfo, RaterId,
    Span, TranscriptId,
};

/// A rater's work read from a rater file, ready to merge.
#[derive(Debug, Clone)]
pub struct RaterWork {
    /// Where the file came from.
    pub info: RaterFileInfo,
    /// The rater, as the file holds it.
    pub rater: Rater,
    /// The transcripts in the file: id, name, SHA-256 of the text.
    pub transcripts: Vec<(TranscriptId, String, String)>,
    /// Every codebook version the file holds: number and snapshot.
    pub codebook_versions: Vec<(i64, String)>,
    /// The rater's codings (removed ones too, with when).
    pub codings: Vec<Coding>,
    /// Who removed each removed coding.
    pub removed_by: Vec<(CodingId, Option<RaterId>)>,
    /// The rater's memos.
    pub memos: Vec<Memo>,
    /// The rater's proposals.
    pub proposals: Vec<Proposal>,
    /// The rater's proposed transcript corrections.
    pub corrections: Vec<crate::model::CorrectionProposal>,
    /// Codings in the file by anyone else (never merged).
    pub foreign_codings: usize,
    /// Transcripts corrected here since the file was issued, whose codings were carried to the
    /// text as it is now (names).
    pub carried: Vec<String>,
    /// Codings whose every word a correction here deleted: merged as removed, their words kept.
    pub lost: Vec<crate::model::LostCoding>,
}

/// What a merge brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// The rater's name.
    pub rater: String,
    /// Codings added.
    pub codings: usize,
    /// Codings removed (tombstones brought in).
    pub removals: usize,
    /// Codings that were here but removed (undone or uncoded), live in the file, and so restored.
    pub restored: usize,
    /// Memos added.
    pub memos: usize,
    /// Proposals added (waiting for the lead).
    pub proposals: usize,
    /// Proposed transcript corrections added (waiting for the lead).
    pub corrections: usize,
    /// Codings already in the project (skipped).
    pub already: usize,
    /// Codings by someone else in the file (never merged).
    pub foreign: usize,
    /// Transcripts corrected since the file was issued, whose codings were carried (names).
    pub carried: Vec<String>,
    /// Codings whose words a correction deleted: merged as removed, listed with their words.
    pub lost: Vec<crate::model::LostCoding>,
    /// What exactly came in, so that the merge can be undone.
    #[serde(skip)]
    pub detail: MergeDetail,
}

/// What a merge added, by id: the undo of a merge takes exactly these away again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeDetail {
    /// Codings added (and live).
    pub added: Vec<CodingId>,
    /// Codings that were live here and that the merge removed.
    pub removed: Vec<CodingId>,
    /// Codings that were removed here, live in the file, and that the merge restored.
    pub restored: Vec<CodingId>,
    /// Memos added.
    pub memos: Vec<Memo>,
    /// Proposals added.
    pub proposals: Vec<Proposal>,
    /// Proposed transcript corrections added.
    pub corrections: Vec<crate::model::CorrectionProposal>,
}

impl MergeReport {
    /// Whether the merge changed nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.codings
            + self.removals
            + self.restored
            + self.memos
            + self.proposals
            + self.corrections
            == 0
    }
}

impl Store {
    /// Reads a rater file's work (this store must be the rater file).
    pub fn rater_work(&self) -> Result<RaterWork> {
        let info = self.rater_file_info()?.ok_or_else(|| {
            // The merge names the file before its outcome.
            StoreError::Refused(
                "an Accord project, but not a rater file: issue one from the lead's project with \
                 `accord rater-file`"
                    .into(),
            )
        })?;
        let rater = self
            .raters()?
            .into_iter()
            .find(|r| r.rater_id == info.rater_id)
            .ok_or_else(|| StoreError::Corrupt("rater file: its rater is missing".into()))?;
        let mut stmt = self
            .conn
            .prepare("SELECT transcript_id, name, sha256 FROM transcripts ORDER BY name")?;
        let transcripts = stmt
            .query_map([], |r| Ok((parse_col(r, 0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT version, snapshot FROM codebook_versions ORDER BY version")?;
        let codebook_versions = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let all = self.codings(&CodingFilter {
            include_removed: true,
            ..CodingFilter::default()
        })?;
        let foreign_codings = all.iter().filter(|c| c.rater_id != rater.rater_id).count();
        let codings: Vec<Coding> = all
            .into_iter()
            .filter(|c| c.rater_id == rater.rater_id)
            .collect();
        let mut stmt = self
            .conn
            .prepare("SELECT coding_id, removed_by FROM coding_removals ORDER BY coding_id")?;
        let removed_by = stmt
            .query_map([], |r| {
                Ok((
                    parse_col(r, 0)?,
                    r.get::<_, Option<String>>(1)?.and_then(|s| s.parse().ok()),
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let memos = self
            .all_memos()?
            .into_iter()
            .filter(|m| m.rater_id == Some(rater.rater_id))
            .collect();
        let proposals = self
            .proposals()?
            .into_iter()
            .filter(|p| p.rater_id == Some(rater.rater_id))
            .collect();
        let corrections = self
            .correction_proposals()?
            .into_iter()
            .filter(|p| p.rater_id == Some(rater.rater_id))
            .collect();
        Ok(RaterWork {
            info,
            rater,
            transcripts,
            codebook_versions,
            codings,
            removed_by,
            memos,
            proposals,
            corrections,
            foreign_codings,
            carried: Vec::new(),
            lost: Vec::new(),
        })
    }

    /// Merges a rater's work in one transaction: codings, tombstones, memos and proposals are added
    /// by id (what is already here is left as it is, so merging twice changes nothing; a coding live in
    /// the file but removed here, by an undone merge or an uncode, is restored). Refused, with
    /// nothing changed, when the work belongs to another project, names a rater this project does not
    /// have, holds a transcript whose text differs from this project's, or was coded under a codebook
    /// version this project does not know.
    pub(super) fn merge_rater_work(&mut self, work: &RaterWork, file: &str) -> Result<MergeReport> {
        self.check_rater_work(work, file)?;
        let rater = work.rater.rater_id.to_text();
        self.write(|tx| {
            let mut report = MergeReport {
                rater: work.rater.name.clone(),
                foreign: work.foreign_codings,
                carried: work.carried.clone(),
                ..MergeReport::default()
            };
            for c in &work.codings {
                let added = super::codings::insert_coding_row(tx, c, work.rater.rater_id, true)?;
                if added == 0 {
                    // Live in the file but removed here (a merge undone, or an uncode): the file
                    // brings it back, as redo would.
                    if c.removed_at.is_none()
                        && super::codings::delete_removal(tx, c.coding_id)? > 0
                    {
                        report.restored += 1;
                        report.detail.restored.push(c.coding_id);
                    } else {
                        report.already += 1;
                    }
                } else {
                    report.codings += 1;
                    // Added and removed in the file alike stays removed through undo and redo.
                    if c.removed_at.is_none() {
                        report.detail.added.push(c.coding_id);
                    }
                }
                if let Some(at) = &c.removed_at {
                    let by = work
                        .removed_by
                        .iter()
                        .find(|(id, _)| *id == c.coding_id)
                        .and_then(|(_, by)| *by);
                    let n = super::codings::insert_removal(tx, c.coding_id, at, by)?;
                    report.removals += n;
                    if n > 0 && added == 0 {
                        report.detail.removed.push(c.coding_id);
                    }
                }
            }
            for lost in &work.lost {
                let n = tx.execute(
                    "INSERT INTO coding_losses (coding_id, start_char, end_char, quote, lost_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (coding_id) DO NOTHING",
                    rusqlite::params![
                        lost.coding_id.to_text(),
                        lost.span.start as i64,
                        lost.span.end as i64,
                        lost.quote,
                        crate::model::now_rfc3339()
                    ],
                )?;
                if n > 0 {
                    report.lost.push(lost.clone());
                }
            }
            for memo in &work.memos {
                let exists =
                    super::codings::exists(tx, "memos", "memo_id", &memo.memo_id.to_text())?;
                if !exists && memo_target_exists(tx, memo.target)? {
                    super::memos::insert_memo(tx, memo)?;
                    report.memos += 1;
                    report.detail.memos.push(memo.clone());
                }
            }
            for p in &work.proposals {
                if super::proposals::insert_proposal(tx, p)? > 0 {
                    report.proposals += 1;
                    report.detail.proposals.push(p.clone());
                }
            }
            for p in &work.corrections {
                if super::correction_proposals::insert_correction_proposal(tx, p)? > 0 {
                    report.corrections += 1;
                    report.detail.corrections.push(p.clone());
                }
            }
            // Merging again what is already here writes nothing at all.
            if report.is_empty() {
                return Ok(Audited::unchanged(report));
            }
            Ok(Audit::new(
                "merge",
                "rater-file",
                Some(&rater),
                serde_json::json!({ "file": file, "report": report }),
            )
            .with(report))
        })
    }

    /// Refuses work that does not fit this project (see [`Store::merge_rater_work`]); reads only.
    pub fn check_rater_work(&self, work: &RaterWork, file: &str) -> Result<()> {
        let refuse = |why: String| {
            Err(StoreError::Refused(format!(
                "{file}: {why}; nothing was merged"
            )))
        };
        let here = self.project_id()?;
        if work.info.origin != here {
            return refuse(format!(
                "a rater file of another project ({}), not of this one ({})",
                work.info.origin.to_text(),
                here.to_text()
            ));
        }
        if !self
            .raters()?
            .iter()
            .any(|r| r.rater_id == work.rater.rater_id)
        {
            return refuse(format!(
                "its rater {:?} is not a rater of this project",
                work.rater.name
            ));
        }
        for (id, name, sha) in &work.transcripts {
            let ours: Option<String> = self
                .conn
                .query_row(
                    "SELECT sha256 FROM transcripts WHERE transcript_id = ?1",
                    [id.to_text()],
                    |r| r.get(0),
                )
                .optional()?;
            match ours {
                None => {
                    return refuse(format!(
                        "transcript {name:?} is not in this project (was it removed, or the project \
                         de-identified, after the file was issued?)"
                    ));
                }
                Some(ours) if &ours != sha => {
                    return refuse(format!(
                        "transcript {name:?} has other text than this project's (SHA-256 {} here, {} in \
                         the file; was the project de-identified after the file was issued?)",
                        &ours[..12.min(ours.len())],
                        &sha[..12.min(sha.len())]
                    ));
                }
                Some(_) => {}
            }
        }
        for (version, snapshot) in &work.codebook_versions {
            let known = super::codebook::snapshot_at(&self.conn, *version)?;
            if known.as_deref() != Some(snapshot.as_str()) {
                return refuse(format!(
                    "it holds codebook version {version}, which this project does not know (the \
                     codebook must be changed here, by the lead)"
                ));
            }
        }
        let in_file: std::collections::BTreeSet<TranscriptId> =
            work.transcripts.iter().map(|t| t.0).collect();
        let lengths = self.transcript_lengths()?;
        for c in &work.codings {
            let len = lengths.get(&c.transcript_id).map(|l| l.1);
            let fits = len.is_some_and(|len| Span::checked(c.span.start, c.span.end, len).is_ok());
            if !in_file.contains(&c.transcript_id) || !fits {
                return refuse(format!(
                    "coding {} does not fit its transcript",
                    c.coding_id.to_text()
                ));
            }
        }
        Ok(())
    }
}

fn memo_target_exists(tx: &rusqlite::Connection, target: MemoTarget) -> Result<bool> {
    use super::codings::exists;
    Ok(match target {
        MemoTarget::Project => true,
        MemoTarget::Transcript(id) => exists(tx, "transcripts", "transcript_id", &id.to_text())?,
        MemoTarget::Code(id) => exists(tx, "codes", "code_id", &id.to_text())?,
        MemoTarget::Coding(id) => exists(tx, "codings", "coding_id", &id.to_text())?,
        MemoTarget::Passage { transcript, .. } => {
            exists(tx, "transcripts", "transcript_id", &transcript.to_text())?
        }
        MemoTarget::Case(case) => exists(tx, "cases", "case_id", &case.to_text())?,
        MemoTarget::Cell { case, code } => {
            exists(tx, "cases", "case_id", &case.to_text())?
                && exists(tx, "codes", "code_id", &code.to_text())?
        }
    })
}
