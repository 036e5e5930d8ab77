//! Commands: every change to a project, as a value. `apply` carries one out in one store transaction.

use std::collections::BTreeMap;

use super::Result;
use crate::import::ImportedTranscript;
use crate::model::{
    Adjudication, AdjudicationId, CaseId, Codebook, CodingId, Memo, MemoId, MemoTarget, ProposalId,
    Rater, RaterId, RaterKind, RoundId, TranscriptId,
};
use crate::store::api::{
    CodebooksWrites, CodingsWrites, MemosWrites, ProjectsWrites, RatersWrites, RoundsWrites,
    TranscriptsWrites,
};
use crate::store::{AttributeReport, CodebookChange, Edit, EditReport, NewCoding, Proposal, Store};

/// A change to a project. Commands are kept (as JSON) as the undo and redo of each change.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Command {
    /// Store an imported transcript (and create its case).
    ImportTranscript(Box<ImportedTranscript>),
    /// Set case attributes.
    SetAttributes {
        /// (case name, attributes).
        rows: Vec<(String, BTreeMap<String, String>)>,
        /// Create cases that do not exist yet.
        create_missing: bool,
    },
    /// Import (merge) a codebook.
    ImportCodebook {
        /// The codebook read from a file.
        book: Codebook,
        /// Why (recorded with the new codebook version).
        note: String,
    },
    /// Add a rater.
    AddRater {
        /// Name.
        name: String,
        /// Human or consensus.
        kind: RaterKind,
    },
    /// Add a rater with a known id (from another project or a REFI-QDA file).
    ImportRater(Rater),
    /// Add a case with a known id (from a REFI-QDA file).
    ImportCase {
        /// Its id.
        case_id: CaseId,
        /// Its name.
        name: String,
    },
    /// Add codings.
    AddCodings {
        /// The codings.
        codings: Vec<NewCoding>,
        /// How they came (`code`, `import-codings`, ...), for the audit log.
        action: String,
    },
    /// Remove codings (tombstones).
    RemoveCodings {
        /// Which.
        ids: Vec<CodingId>,
        /// Who removed them.
        by: Option<RaterId>,
    },
    /// Write a memo.
    AddMemo {
        /// About what.
        target: MemoTarget,
        /// Who wrote it.
        rater: Option<RaterId>,
        /// The text.
        text: String,
    },
    /// Change the codebook and codings together (codebook editor, merges, changing a coding, undo).
    Edit(Box<Edit>),
    /// Set or clear a project setting (such as blind mode).
    SetSetting {
        /// Which setting.
        key: String,
        /// Its new value (`None` clears it).
        value: Option<String>,
    },
    /// Delete a memo.
    DeleteMemo(MemoId),
    /// Put back a deleted memo exactly as it was.
    RestoreMemo(Box<Memo>),
    /// Remove a transcript from the project's view (text and codings stay in the file).
    RemoveTranscript(TranscriptId),
    /// Bring back a removed transcript.
    RestoreTranscript(TranscriptId),
    /// Remove a rater who has no codings or memos.
    RemoveRater(RaterId),
    /// Put back a removed rater with the same id.
    RestoreRater(Rater),
    /// Settle disagreements into the consensus layer (each record with the codings it adds), as
    /// one transaction.
    Settle(Vec<(Adjudication, Vec<NewCoding>)>),
    /// Withdraw settled decisions (their consensus codings are removed).
    Withdraw(Vec<AdjudicationId>),
    /// Reinstate withdrawn decisions with their very same codings.
    Reinstate(Vec<AdjudicationId>),
    /// Propose a change to one code (or a new code).
    Propose(Box<Proposal>),
    /// Accept a proposal: the codebook changes as proposed.
    AcceptProposal {
        /// Which.
        id: ProposalId,
        /// The lead's note.
        note: String,
    },
    /// Reject a proposal.
    RejectProposal {
        /// Which.
        id: ProposalId,
        /// The lead's note.
        note: String,
    },
    /// Put a decided proposal back to open.
    ReopenProposal(ProposalId),
    /// Make the named cases' attributes exactly these (the undo of setting attributes).
    ReplaceAttributes(Vec<(String, BTreeMap<String, String>)>),
    /// Remove cases no transcript belongs to (the undo of creating them from attributes).
    RemoveCases(Vec<String>),
    /// Add a rater who is a second pass of another (the same person coding again).
    AddSecondPass {
        /// The first pass.
        first: RaterId,
        /// The new rater's name.
        name: String,
    },
    /// Mark a rater as a second pass of another.
    LinkPass {
        /// The second pass.
        rater: RaterId,
        /// The first pass.
        first: RaterId,
    },
    /// Delete a proposal (the undo of making or merging it).
    DeleteProposal(ProposalId),
    /// Put back a deleted proposal exactly as it was.
    RestoreProposal(Box<Proposal>),
    /// Start a reliability round.
    AddRound(Box<crate::store::Round>),
    /// Remove a round and its results (the undo of starting it).
    RemoveRound(RoundId),
    /// Compute a round's per-code agreement and keep it (replacing what was kept).
    ComputeRound(RoundId),
}

/// What a command did.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A transcript was stored.
    TranscriptImported {
        /// Its name.
        name: String,
        /// Number of turns.
        turns: usize,
    },
    /// Attributes were set.
    Attributes(AttributeReport),
    /// The codebook changed (or not).
    Codebook(CodebookChange),
    /// A rater was added.
    Rater(Rater),
    /// A case was added (its name).
    Case(String),
    /// Codings were added (ids of the new ones; already present ones are skipped).
    CodingsAdded(Vec<CodingId>),
    /// Codings were removed.
    CodingsRemoved(usize),
    /// A memo was written.
    Memo(Memo),
    /// An edit was applied.
    Edited(EditReport),
    /// Something else was done (settings, memo deleted, transcript or rater removed or restored).
    Done,
}

/// Carries out one command as one transaction.
pub fn apply(store: &mut Store, command: Command) -> Result<Outcome> {
    Ok(match command {
        Command::ImportTranscript(imported) => {
            store.insert_transcript(&imported.transcript, Some(&imported.case_name))?;
            Outcome::TranscriptImported {
                name: imported.transcript.name.clone(),
                turns: imported.transcript.turns.len(),
            }
        }
        Command::SetAttributes {
            rows,
            create_missing,
        } => Outcome::Attributes(store.set_attributes(&rows, create_missing)?),
        Command::ImportCodebook { book, note } => {
            Outcome::Codebook(store.import_codebook(&book, &note)?)
        }
        Command::AddRater { name, kind } => Outcome::Rater(store.add_rater(&name, kind)?),
        Command::ImportRater(rater) => {
            store.insert_rater(&rater)?;
            Outcome::Rater(rater)
        }
        Command::ImportCase { case_id, name } => {
            store.insert_case(case_id, &name)?;
            Outcome::Case(name)
        }
        Command::AddCodings { codings, action } => {
            Outcome::CodingsAdded(store.add_codings(&codings, &action)?)
        }
        Command::RemoveCodings { ids, by } => {
            Outcome::CodingsRemoved(store.remove_codings(&ids, by)?)
        }
        Command::AddMemo {
            target,
            rater,
            text,
        } => Outcome::Memo(store.add_memo(target, rater, &text)?),
        Command::Edit(edit) => Outcome::Edited(store.edit(&edit)?),
        Command::SetSetting { key, value } => {
            store.set_setting(&key, value.as_deref())?;
            Outcome::Done
        }
        Command::DeleteMemo(id) => {
            store.delete_memo(id)?;
            Outcome::Done
        }
        Command::RestoreMemo(memo) => {
            store.restore_memo(&memo)?;
            Outcome::Done
        }
        Command::RemoveTranscript(id) => {
            store.remove_transcript(id)?;
            Outcome::Done
        }
        Command::RestoreTranscript(id) => {
            store.restore_transcript(id)?;
            Outcome::Done
        }
        Command::RemoveRater(id) => {
            store.remove_rater(id)?;
            Outcome::Done
        }
        Command::RestoreRater(rater) => {
            store.restore_rater(&rater)?;
            Outcome::Done
        }
        other => apply_team(store, other)?,
    })
}

/// The team workflow's commands: adjudication and codebook proposals.
fn apply_team(store: &mut Store, command: Command) -> Result<Outcome> {
    Ok(match command {
        Command::Settle(decisions) => {
            store.atomic(|s| -> Result<()> {
                for (record, codings) in &decisions {
                    s.settle(record, codings)?;
                }
                Ok(())
            })?;
            Outcome::Done
        }
        Command::Withdraw(ids) => {
            store.atomic(|s| ids.iter().try_for_each(|id| s.withdraw_adjudication(*id)))?;
            Outcome::Done
        }
        Command::Reinstate(ids) => {
            store.atomic(|s| ids.iter().try_for_each(|id| s.reinstate_adjudication(*id)))?;
            Outcome::Done
        }
        Command::Propose(proposal) => {
            store.add_proposal(&proposal)?;
            Outcome::Done
        }
        Command::AcceptProposal { id, note } => Outcome::Edited(store.accept_proposal(id, &note)?),
        Command::RejectProposal { id, note } => {
            store.reject_proposal(id, &note)?;
            Outcome::Done
        }
        Command::ReopenProposal(id) => {
            store.reopen_proposal(id)?;
            Outcome::Done
        }
        Command::AddRound(round) => {
            store.add_round(&round)?;
            Outcome::Done
        }
        Command::RemoveRound(id) => {
            store.remove_round(id)?;
            Outcome::Done
        }
        Command::ReplaceAttributes(rows) => {
            store.replace_attributes(&rows)?;
            Outcome::Done
        }
        Command::RemoveCases(names) => {
            store.remove_empty_cases(&names)?;
            Outcome::Done
        }
        Command::AddSecondPass { first, name } => {
            Outcome::Rater(store.add_second_pass(first, &name)?)
        }
        Command::LinkPass { rater, first } => {
            store.link_pass(rater, first)?;
            Outcome::Done
        }
        Command::DeleteProposal(id) => {
            store.delete_proposal(id)?;
            Outcome::Done
        }
        Command::RestoreProposal(p) => {
            store.restore_proposal(&p)?;
            Outcome::Done
        }
        Command::ComputeRound(id) => {
            let round = store
                .rounds()?
                .into_iter()
                .find(|r| r.round_id == id)
                .ok_or_else(|| super::AppError::Invalid(format!("no round {}", id.to_text())))?;
            super::rounds::compute_round(store, &round)?;
            Outcome::Done
        }
        _ => return Err(super::AppError::Invalid("not a team command".into())),
    })
}
