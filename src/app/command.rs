//! Commands: every change to a project, as a value. `apply` carries one out in one store transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Result;
use super::deidentify::Purged;
use super::encrypt::EncryptOutcome;
use super::erase::Erased;
use super::team::{Issued, MergeOutcome};
use crate::import::ImportedTranscript;
use crate::import::pseudonyms::Pseudonyms;
use crate::model::{
    Adjudication, AdjudicationId, AttributeReport, CaseId, CodeId, Codebook, CodebookChange,
    CodingId, CorrectionProposal, CorrectionReport, Edit, EditReport, GridSummary, KeyQuote, Memo,
    MemoId, MemoTarget, NewCoding, Proposal, ProposalId, Rater, RaterId, RaterKind, Round, RoundId,
    RoundRule, TextCorrection, TranscriptId,
};
use crate::store::api::{
    CodebooksWrites, CodingsWrites, MemosWrites, ProjectsWrites, RatersWrites, RoundsWrites,
    TranscriptsWrites,
};
use crate::store::{Passphrase, Store};

/// A change to a project, by concept. The undo history keeps commands in their saved form
/// ([`super::saved::SavedCommand`]), so this type can change without making saved histories
/// unreadable. Every `match` on it and its parts is exhaustive: a new command does not compile until
/// it is carried out, undone and saved.
#[derive(Debug, Clone)]
pub enum Command {
    /// Transcripts.
    Transcripts(TranscriptCommand),
    /// Cases and their attributes.
    Cases(CaseCommand),
    /// The codebook as a whole.
    Codebook(CodebookCommand),
    /// Codings.
    Codings(CodingCommand),
    /// Change the codebook and codings together (codebook editor, merges, changing a coding, undo).
    Edit(Box<Edit>),
    /// Memos.
    Memos(MemoCommand),
    /// Raters.
    Raters(RaterCommand),
    /// The team workflow: adjudication and codebook proposals.
    Team(TeamCommand),
    /// Reliability rounds.
    Rounds(RoundCommand),
    /// Project settings.
    Settings(SettingCommand),
    /// Whole-file operations (merges, rater files, erasing, de-identifying, restoring a backup,
    /// encrypting):
    /// more than one transaction each, so never part of an undo step (see `project.rs`).
    Project(ProjectCommand),
}

/// Changes to transcripts.
#[derive(Debug, Clone)]
pub enum TranscriptCommand {
    /// Store an imported transcript (and create its case).
    Import(Box<ImportedTranscript>),
    /// Remove a transcript from the project's view (text and codings stay in the file).
    Remove(TranscriptId),
    /// Bring back a removed transcript.
    Restore(TranscriptId),
    /// Correct a transcript's text, carrying every coding to the new words (see `app::correct`).
    Correct(Box<TextCorrection>),
}

/// Changes to cases.
#[derive(Debug, Clone)]
pub enum CaseCommand {
    /// Set case attributes.
    SetAttributes {
        /// (case name, attributes).
        rows: Vec<(String, BTreeMap<String, String>)>,
        /// Create cases that do not exist yet.
        create_missing: bool,
    },
    /// Make the named cases' attributes exactly these (the undo of setting attributes).
    ReplaceAttributes(Vec<(String, BTreeMap<String, String>)>),
    /// Remove cases no transcript belongs to (the undo of creating them from attributes).
    RemoveEmpty(Vec<String>),
    /// Add a case with a known id (from a REFI-QDA file).
    Import {
        /// Its id.
        case_id: CaseId,
        /// Its name.
        name: String,
    },
}

/// Changes to the codebook as a whole.
#[derive(Debug, Clone)]
pub enum CodebookCommand {
    /// Import (merge) a codebook.
    Import {
        /// The codebook read from a file.
        book: Codebook,
        /// Why (recorded with the new codebook version).
        note: String,
    },
}

/// Changes to codings.
#[derive(Debug, Clone)]
pub enum CodingCommand {
    /// Add codings.
    Add {
        /// The codings.
        codings: Vec<NewCoding>,
        /// How they came (`code`, `import-codings`, ...), for the audit log.
        action: String,
    },
    /// Remove codings (tombstones).
    Remove {
        /// Which.
        ids: Vec<CodingId>,
        /// Who removed them.
        by: Option<RaterId>,
    },
}

/// Changes to memos.
#[derive(Debug, Clone)]
pub enum MemoCommand {
    /// Write a memo.
    Add {
        /// About what.
        target: MemoTarget,
        /// Who wrote it.
        rater: Option<RaterId>,
        /// The text.
        text: String,
    },
    /// Delete a memo.
    Delete(MemoId),
    /// Put back a deleted memo exactly as it was.
    Restore(Box<Memo>),
    /// Flag a coding as a key quote (or change its label).
    FlagQuote(Box<KeyQuote>),
    /// Take a coding's key-quote flag away.
    UnflagQuote(CodingId),
    /// Write a version of a summary grid cell's summary.
    WriteSummary(Box<GridSummary>),
    /// Delete the newest version (the last field) of a grid cell's summary, the case's on the
    /// code (the undo of writing it).
    DeleteSummary(CaseId, CodeId, i64),
}

/// Changes to raters.
#[derive(Debug, Clone)]
pub enum RaterCommand {
    /// Add a rater.
    Add {
        /// Name.
        name: String,
        /// Human or consensus.
        kind: RaterKind,
    },
    /// Add a rater with a known id (from another project or a REFI-QDA file).
    Import(Rater),
    /// Remove a rater who has no codings or memos.
    Remove(RaterId),
    /// Put back a removed rater with the same id.
    Restore(Rater),
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
}

/// The team workflow: adjudication and codebook proposals.
#[derive(Debug, Clone)]
pub enum TeamCommand {
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
    /// Delete a proposal (the undo of making or merging it).
    DeleteProposal(ProposalId),
    /// Put back a deleted proposal exactly as it was.
    RestoreProposal(Box<Proposal>),
    /// Propose a correction of a transcript's text (from a rater file).
    ProposeCorrection(Box<CorrectionProposal>),
    /// Accept a proposed correction: the transcript is corrected as `correction` (worked out from
    /// the proposal on the text as it is) says, in one transaction with the decision.
    AcceptCorrection {
        /// Which.
        id: ProposalId,
        /// The lead's note.
        note: String,
        /// The correction written.
        correction: Box<TextCorrection>,
    },
    /// Reject a proposed correction.
    RejectCorrection {
        /// Which.
        id: ProposalId,
        /// The lead's note.
        note: String,
    },
    /// Put a decided correction proposal back to open.
    ReopenCorrection(ProposalId),
    /// Delete a correction proposal (the undo of making or merging it).
    DeleteCorrectionProposal(ProposalId),
    /// Put back a deleted correction proposal exactly as it was.
    RestoreCorrectionProposal(Box<CorrectionProposal>),
}

/// Reliability rounds.
#[derive(Debug, Clone)]
pub enum RoundCommand {
    /// Start a reliability round.
    Add(Box<Round>),
    /// Remove a round and its results (the undo of starting it).
    Remove(RoundId),
    /// Compute a round's per-code agreement and keep it (replacing what was kept).
    Compute(RoundId),
    /// Keep a stopping rule with a round, or clear it (`None`).
    SetRule {
        /// The round.
        round: RoundId,
        /// The rule.
        rule: Option<RoundRule>,
    },
}

/// Project settings.
#[derive(Debug, Clone)]
pub enum SettingCommand {
    /// Set or clear a project setting (such as blind mode).
    Set {
        /// Which setting.
        key: String,
        /// Its new value (`None` clears it).
        value: Option<String>,
    },
}

/// Whole-file operations.
#[derive(Debug, Clone)]
pub enum ProjectCommand {
    /// Merge rater files back: one backup first, then each file in its own transaction with its
    /// own undo step (a refused file changes nothing and the others are still merged).
    MergeRaterFiles(Vec<PathBuf>),
    /// Write a rater file (adding a second-pass rater first when asked).
    IssueRaterFile {
        /// The rater it is for.
        rater: Rater,
        /// The transcripts it holds.
        transcripts: Vec<TranscriptId>,
        /// Where to write it.
        out: PathBuf,
        /// The round it is for (its name), if any.
        round: Option<String>,
        /// Issue it to a new second-pass rater of `rater`.
        second_pass: bool,
    },
    /// Erase transcripts for good (withdrawn consent); cannot be undone.
    Erase(Vec<TranscriptId>),
    /// Replace real names with pseudonyms everywhere; cannot be undone.
    Deidentify(Box<Pseudonyms>),
    /// Put a backup of the project in place of it (the project as it was is backed up first:
    /// that backup, not an undo step, is the way back).
    Restore {
        /// The backup file.
        backup: PathBuf,
    },
    /// Encrypt the plain project in place with a passphrase and go on with the encrypted file;
    /// its plaintext backups and search index on disk are deleted (see `encrypt.rs`). Its undo
    /// and redo steps are kept.
    Encrypt(Passphrase),
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
    /// A transcript was corrected.
    Corrected(CorrectionReport),
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
    /// Rater files were merged: the backup taken first, and each file's outcome.
    Merged {
        /// The backup taken before the first file that passed its checks.
        backup: Option<PathBuf>,
        /// Each file's outcome, in order.
        outcomes: Vec<MergeOutcome>,
    },
    /// A rater file was written.
    Issued(Issued),
    /// Transcripts were erased and purged.
    Erased(Erased),
    /// The project was de-identified and the old text purged.
    Deidentified(Purged),
    /// A backup was put in place of the project.
    Restored {
        /// The backup the project was restored from.
        from: PathBuf,
        /// Where the project as it was is kept (the backup taken before restoring; `None` when
        /// there was nothing to keep).
        kept: Option<PathBuf>,
    },
    /// The project was encrypted in place.
    Encrypted(EncryptOutcome),
    /// Something else was done (settings, memo deleted, transcript or rater removed or restored).
    Done,
}

/// Carries out one command as one transaction (a whole-file one, [`Command::Project`], as its own
/// transactions).
pub(super) fn apply(store: &mut Store, command: Command) -> Result<Outcome> {
    match command {
        Command::Transcripts(c) => apply_transcript(store, c),
        Command::Cases(c) => apply_case(store, c),
        Command::Codebook(CodebookCommand::Import { book, note }) => {
            Ok(Outcome::Codebook(store.import_codebook(&book, &note)?))
        }
        Command::Codings(CodingCommand::Add { codings, action }) => {
            Ok(Outcome::CodingsAdded(store.add_codings(&codings, &action)?))
        }
        Command::Codings(CodingCommand::Remove { ids, by }) => {
            Ok(Outcome::CodingsRemoved(store.remove_codings(&ids, by)?))
        }
        Command::Edit(edit) => Ok(Outcome::Edited(store.edit(&edit)?)),
        Command::Memos(c) => apply_memo(store, c),
        Command::Raters(c) => apply_rater(store, c),
        Command::Team(c) => apply_team(store, c),
        Command::Rounds(c) => apply_round(store, c),
        Command::Settings(SettingCommand::Set { key, value }) => {
            store.set_setting(&key, value.as_deref())?;
            Ok(Outcome::Done)
        }
        Command::Project(c) => super::project::carry_out(store, c),
    }
}

fn apply_transcript(store: &mut Store, command: TranscriptCommand) -> Result<Outcome> {
    Ok(match command {
        TranscriptCommand::Import(imported) => {
            store.insert_transcript(&imported.transcript, Some(&imported.case_name))?;
            Outcome::TranscriptImported {
                name: imported.transcript.name.clone(),
                turns: imported.transcript.turns.len(),
            }
        }
        TranscriptCommand::Remove(id) => {
            store.remove_transcript(id)?;
            Outcome::Done
        }
        TranscriptCommand::Restore(id) => {
            store.restore_transcript(id)?;
            Outcome::Done
        }
        TranscriptCommand::Correct(c) => Outcome::Corrected(store.correct(&c)?),
    })
}

fn apply_case(store: &mut Store, command: CaseCommand) -> Result<Outcome> {
    Ok(match command {
        CaseCommand::SetAttributes {
            rows,
            create_missing,
        } => Outcome::Attributes(store.set_attributes(&rows, create_missing)?),
        CaseCommand::ReplaceAttributes(rows) => {
            store.replace_attributes(&rows)?;
            Outcome::Done
        }
        CaseCommand::RemoveEmpty(names) => {
            store.remove_empty_cases(&names)?;
            Outcome::Done
        }
        CaseCommand::Import { case_id, name } => {
            store.insert_case(case_id, &name)?;
            Outcome::Case(name)
        }
    })
}

fn apply_memo(store: &mut Store, command: MemoCommand) -> Result<Outcome> {
    Ok(match command {
        MemoCommand::Add {
            target,
            rater,
            text,
        } => Outcome::Memo(store.add_memo(target, rater, &text)?),
        MemoCommand::Delete(id) => {
            store.delete_memo(id)?;
            Outcome::Done
        }
        MemoCommand::Restore(memo) => {
            store.restore_memo(&memo)?;
            Outcome::Done
        }
        MemoCommand::FlagQuote(q) => {
            store.flag_key_quote(&q)?;
            Outcome::Done
        }
        MemoCommand::UnflagQuote(id) => {
            store.unflag_key_quote(id)?;
            Outcome::Done
        }
        MemoCommand::WriteSummary(s) => {
            store.write_summary(&s)?;
            Outcome::Done
        }
        MemoCommand::DeleteSummary(case, code, version) => {
            store.delete_summary(case, code, version)?;
            Outcome::Done
        }
    })
}

fn apply_rater(store: &mut Store, command: RaterCommand) -> Result<Outcome> {
    Ok(match command {
        RaterCommand::Add { name, kind } => Outcome::Rater(store.add_rater(&name, kind)?),
        RaterCommand::Import(rater) => {
            store.insert_rater(&rater)?;
            Outcome::Rater(rater)
        }
        RaterCommand::Remove(id) => {
            store.remove_rater(id)?;
            Outcome::Done
        }
        RaterCommand::Restore(rater) => {
            store.restore_rater(&rater)?;
            Outcome::Done
        }
        RaterCommand::AddSecondPass { first, name } => {
            Outcome::Rater(store.add_second_pass(first, &name)?)
        }
        RaterCommand::LinkPass { rater, first } => {
            store.link_pass(rater, first)?;
            Outcome::Done
        }
    })
}

/// The team workflow's commands: adjudication and codebook proposals.
fn apply_team(store: &mut Store, command: TeamCommand) -> Result<Outcome> {
    Ok(match command {
        TeamCommand::Settle(decisions) => {
            store.atomic(|s| -> Result<()> {
                for (record, codings) in &decisions {
                    s.settle(record, codings)?;
                }
                Ok(())
            })?;
            Outcome::Done
        }
        TeamCommand::Withdraw(ids) => {
            store.atomic(|s| ids.iter().try_for_each(|id| s.withdraw_adjudication(*id)))?;
            Outcome::Done
        }
        TeamCommand::Reinstate(ids) => {
            store.atomic(|s| ids.iter().try_for_each(|id| s.reinstate_adjudication(*id)))?;
            Outcome::Done
        }
        TeamCommand::Propose(proposal) => {
            store.add_proposal(&proposal)?;
            Outcome::Done
        }
        TeamCommand::AcceptProposal { id, note } => {
            Outcome::Edited(store.accept_proposal(id, &note)?)
        }
        TeamCommand::RejectProposal { id, note } => {
            store.reject_proposal(id, &note)?;
            Outcome::Done
        }
        TeamCommand::ReopenProposal(id) => {
            store.reopen_proposal(id)?;
            Outcome::Done
        }
        TeamCommand::DeleteProposal(id) => {
            store.delete_proposal(id)?;
            Outcome::Done
        }
        TeamCommand::RestoreProposal(p) => {
            store.restore_proposal(&p)?;
            Outcome::Done
        }
        TeamCommand::ProposeCorrection(p) => {
            store.propose_correction(&p)?;
            Outcome::Done
        }
        TeamCommand::AcceptCorrection {
            id,
            note,
            correction,
        } => Outcome::Corrected(store.accept_correction(id, &note, &correction)?),
        TeamCommand::RejectCorrection { id, note } => {
            store.reject_correction(id, &note)?;
            Outcome::Done
        }
        TeamCommand::ReopenCorrection(id) => {
            store.reopen_correction(id)?;
            Outcome::Done
        }
        TeamCommand::DeleteCorrectionProposal(id) => {
            store.delete_correction_proposal(id)?;
            Outcome::Done
        }
        TeamCommand::RestoreCorrectionProposal(p) => {
            store.restore_correction_proposal(&p)?;
            Outcome::Done
        }
    })
}

fn apply_round(store: &mut Store, command: RoundCommand) -> Result<Outcome> {
    Ok(match command {
        RoundCommand::Add(round) => {
            store.add_round(&round)?;
            Outcome::Done
        }
        RoundCommand::Remove(id) => {
            store.remove_round(id)?;
            Outcome::Done
        }
        RoundCommand::Compute(id) => {
            let round = store
                .rounds()?
                .into_iter()
                .find(|r| r.round_id == id)
                .ok_or_else(|| super::AppError::Invalid(format!("no round {}", id.to_text())))?;
            super::rounds::compute_round(store, &round)?;
            Outcome::Done
        }
        RoundCommand::SetRule { round, rule } => {
            store.set_round_rule(round, rule.as_ref())?;
            Outcome::Done
        }
    })
}
