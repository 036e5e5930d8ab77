//! Corrections proposed from rater files. A rater file's transcripts are the lead's: a correction
//! made there (`accord transcripts edit ... --apply`, or Save in the window's edit mode) is kept as
//! a proposal instead, merged to the lead with the rater's work, reviewed there exactly as a
//! correction is, and accepted (the transcript is corrected, every coding carried) or rejected.

use serde::Serialize;

use super::command::{Command, TeamCommand};
use super::correct::{Correction, edits_between, plan};
use super::{AppError, Result};
use crate::model::{CorrectionProposal, Proposal, ProposalId, now_rfc3339};
use crate::store::Store;

/// In a rater file, the correction `c` as a proposal to the lead, with the rater's note; `None`
/// in any other project (where the correction is written).
///
/// # Errors
/// A rater file asked to fix a time stamp (only words are proposed), or a store error.
pub fn as_proposal(
    store: &Store,
    c: &Correction,
    note: &str,
) -> Result<Option<CorrectionProposal>> {
    let Some(info) = store.rater_file_info()? else {
        return Ok(None);
    };
    proposal_for(c, info.rater_id, note).map(Some)
}

/// The correction `c` as a proposal by `rater`, with a note (what a rater file keeps instead of
/// writing it).
///
/// # Errors
/// A correction that fixes a time stamp or places a lost coding (only words are proposed).
pub fn proposal_for(
    c: &Correction,
    rater: crate::model::RaterId,
    note: &str,
) -> Result<CorrectionProposal> {
    if !c.retimed.is_empty() || !c.placed_again.is_empty() {
        return Err(AppError::Invalid(format!(
            "this is a rater file: a correction of {}'s words can be proposed to the lead, but not \
             a time stamp; tell the lead (a memo on the transcript)",
            c.transcript
        )));
    }
    Ok(CorrectionProposal {
        proposal_id: ProposalId::new_random(),
        transcript_id: c.transcript_id,
        rater_id: Some(rater),
        from_sha256: c.sha256_before.clone(),
        text: c.corrected.text.clone(),
        note: note.to_string(),
        created_at: now_rfc3339(),
        status: "open".into(),
        decision_note: None,
    })
}

/// A proposal found by id (or by the start of its id, as lists show it): a codebook change or a
/// transcript correction.
#[derive(Debug, Clone)]
pub enum Found {
    /// A proposed change to a code.
    Code(Box<Proposal>),
    /// A proposed correction of a transcript's text.
    Correction(Box<CorrectionProposal>),
}

/// The proposal, of either kind, whose id starts with `reference`.
///
/// # Errors
/// No proposal or more than one matches (give more of the id).
pub fn find(store: &Store, reference: &str) -> Result<Found> {
    let wanted = reference.trim().to_ascii_lowercase();
    let matches = |id: ProposalId| !wanted.is_empty() && id.to_text().starts_with(&wanted);
    let mut found: Vec<Found> = store
        .proposals()?
        .into_iter()
        .filter(|p| matches(p.proposal_id))
        .map(|p| Found::Code(Box::new(p)))
        .collect();
    found.extend(
        store
            .correction_proposals()?
            .into_iter()
            .filter(|p| matches(p.proposal_id))
            .map(|p| Found::Correction(Box::new(p))),
    );
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(AppError::Invalid(format!(
            "no proposal has an id starting {wanted:?} (accord proposals list shows them)"
        ))),
        n => Err(AppError::Invalid(format!(
            "{wanted:?} matches {n} proposals; give more of the id"
        ))),
    }
}

/// The correction a proposal makes, worked out on the transcript as it is now (the review the
/// lead reads before accepting).
///
/// # Errors
/// The transcript is gone, or its text has changed since the proposal was made: the proposal
/// can then no longer be accepted as it is.
pub fn review(store: &Store, p: &CorrectionProposal) -> Result<Correction> {
    let t = store.transcript(p.transcript_id)?;
    if t.sha256 != p.from_sha256 {
        return Err(AppError::Invalid(format!(
            "the text of {} has changed since this correction was proposed: it can no longer be \
             accepted as it is; reject it, or make the correction yourself (accord transcripts \
             edit)",
            t.name
        )));
    }
    plan(store, &t, &p.text, None)
}

/// The command that accepts proposal `p` with the lead's `note`, and the review it writes.
///
/// # Errors
/// As [`review`]; a proposal already decided.
pub fn accept(store: &Store, p: &CorrectionProposal, note: &str) -> Result<(Correction, Command)> {
    if p.status != "open" {
        return Err(AppError::Invalid(format!(
            "correction proposal {} is already {}",
            short(p.proposal_id),
            p.status
        )));
    }
    let correction = review(store, p)?;
    let command = Command::Team(TeamCommand::AcceptCorrection {
        id: p.proposal_id,
        note: note.to_string(),
        correction: Box::new(correction.to_write(p.rater_id)),
    });
    Ok((correction, command))
}

/// A proposed correction as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionRow {
    /// Always `correction` (beside the codebook proposals in `accord proposals list --json`).
    pub kind: &'static str,
    /// Its id.
    pub id: ProposalId,
    /// open, accepted or rejected.
    pub status: String,
    /// The transcript's name.
    pub transcript: String,
    /// Who proposed it.
    pub who: String,
    /// Each change: the words before and after.
    pub edits: Vec<(String, String)>,
    /// Whether the transcript's text has changed since (an open proposal can then no longer be
    /// accepted as it is).
    pub stale: bool,
    /// The proposer's note.
    pub note: String,
    /// The lead's note on deciding.
    pub decision_note: Option<String>,
    /// When it was proposed.
    pub created_at: String,
}

/// The project's correction proposals as people read them, open ones first.
///
/// # Errors
/// A store error.
pub fn rows(store: &Store) -> Result<Vec<CorrectionRow>> {
    let raters = store.raters()?;
    let mut list = store.correction_proposals()?;
    list.sort_by_key(|p| p.status != "open");
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        let t = store.transcript(p.transcript_id)?;
        let stale = t.sha256 != p.from_sha256;
        // The changes are shown against the text the proposal corrects, kept when the lead has
        // corrected it since.
        let base = if stale {
            store
                .versions_since(p.transcript_id, &p.from_sha256)?
                .map(|(text, _)| text)
        } else {
            Some(t.text.clone())
        };
        out.push(CorrectionRow {
            kind: "correction",
            id: p.proposal_id,
            status: p.status,
            transcript: t.name,
            who: p
                .rater_id
                .and_then(|id| raters.iter().find(|r| r.rater_id == id))
                .map_or_else(|| "-".to_string(), |r| r.name.clone()),
            edits: base.map_or_else(Vec::new, |base| edits_between(&base, &p.text)),
            stale,
            note: p.note,
            decision_note: p.decision_note,
            created_at: p.created_at,
        });
    }
    Ok(out)
}

/// The start of an id, as lists show it.
#[must_use]
pub fn short(id: ProposalId) -> String {
    id.to_text().chars().take(8).collect()
}
