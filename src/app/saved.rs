//! The undo history as it is saved in the project file (the `steps` table), decoupled from the
//! in-memory [`Command`]: each step's undo and redo is a [`SavedStep`], a version and a list of
//! [`SavedCommand`]s. Steps written before the format had a version are a bare JSON array of the
//! same commands (version 1) and still read; a step written by a newer Accord is refused with a
//! clear error, never misread. `tests/integration/undo_format.rs` keeps a snapshot of each
//! command's saved JSON and a project file written before the version (`tests/fixtures/`).

use std::collections::BTreeMap;

use super::command::{
    CaseCommand, CodebookCommand, CodingCommand, Command, MemoCommand, RaterCommand, RoundCommand,
    SettingCommand, TeamCommand, TranscriptCommand,
};
use super::{AppError, Result};
use crate::import::ImportedTranscript;
use crate::model::{
    Adjudication, AdjudicationId, CaseId, Codebook, CodingId, Memo, MemoId, MemoTarget, ProposalId,
    Rater, RaterId, RaterKind, RoundId, TextCorrection, TranscriptId,
};
use crate::model::{
    CodeId, CorrectionProposal, Edit, GridSummary, KeyQuote, NewCoding, Proposal, Round, RoundRule,
};

/// The saved format this Accord writes. Version 1 is the bare JSON array of commands written
/// before the format carried a version; version 2 is [`SavedStep`] with the same commands.
pub const SAVED_VERSION: u32 = 2;

/// One step's undo (or redo) as saved: `{"version": 2, "commands": [...]}`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SavedStep {
    /// The format's version ([`SAVED_VERSION`] when written by this Accord).
    pub version: u32,
    /// The commands, carried out in order.
    pub commands: Vec<SavedCommand>,
}

/// A command as the undo history keeps it: a FROZEN copy of the shape `app::Command` had when steps
/// were first saved (variant and field names, externally tagged). Never rename or remove a variant
/// or a field here: every history already in a user's file is read through it. A new command gets
/// a new variant; a changed one a new variant (and the old one still converts).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum SavedCommand {
    /// Store an imported transcript (and create its case).
    ImportTranscript(Box<ImportedTranscript>),
    /// Correct a transcript's text (and carry its codings).
    CorrectTranscript(Box<TextCorrection>),
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
    /// Flag a coding as a key quote (or change its label).
    FlagQuote(Box<KeyQuote>),
    /// Take a coding's key-quote flag away.
    UnflagQuote(CodingId),
    /// Write a version of a summary grid cell's summary.
    WriteSummary(Box<GridSummary>),
    /// Delete the newest version (the last field) of a grid cell's summary, the case's on the
    /// code.
    DeleteSummary(CaseId, CodeId, i64),
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
    AddRound(Box<Round>),
    /// Remove a round and its results (the undo of starting it).
    RemoveRound(RoundId),
    /// Compute a round's per-code agreement and keep it (replacing what was kept).
    ComputeRound(RoundId),
    /// Keep a stopping rule with a round, or clear it (`None`).
    SetRoundRule {
        /// The round.
        round: RoundId,
        /// The rule.
        rule: Option<RoundRule>,
    },
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

/// The saved JSON of a step's commands (the current version).
pub fn to_json(commands: &[Command]) -> Result<String> {
    let step = SavedStep {
        version: SAVED_VERSION,
        commands: commands
            .iter()
            .cloned()
            .map(SavedCommand::try_from)
            .collect::<Result<_>>()?,
    };
    serde_json::to_string(&step).map_err(|e| AppError::Invalid(e.to_string()))
}

/// Reads a step's saved commands, of any version this Accord knows (a bare array is version 1).
pub fn from_json(text: &str) -> Result<Vec<Command>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::Invalid(format!("a kept undo step cannot be read: {e}"))
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| unreadable(&e))?;
    let commands = match value {
        serde_json::Value::Array(_) => value,
        serde_json::Value::Object(mut step) => {
            let version = step
                .get("version")
                .and_then(serde_json::Value::as_u64)
                .ok_or_else(|| unreadable(&"it has no version"))?;
            if version > u64::from(SAVED_VERSION) {
                return Err(AppError::Invalid(format!(
                    "this undo step was written by a newer Accord (saved format version \
                     {version}; this one reads up to {SAVED_VERSION}): update Accord to undo or \
                     redo it"
                )));
            }
            step.remove("commands")
                .ok_or_else(|| unreadable(&"it has no commands"))?
        }
        serde_json::Value::Null
        | serde_json::Value::Bool(_)
        | serde_json::Value::Number(_)
        | serde_json::Value::String(_) => {
            return Err(unreadable(&"it is neither a list nor a step"));
        }
    };
    let saved: Vec<SavedCommand> = serde_json::from_value(commands).map_err(|e| unreadable(&e))?;
    Ok(saved.into_iter().map(Command::from).collect())
}

impl TryFrom<Command> for SavedCommand {
    type Error = AppError;

    /// The saved form of a command; a whole-file command has none (it is never part of a step).
    fn try_from(command: Command) -> Result<Self> {
        Ok(match command {
            Command::Transcripts(c) => match c {
                TranscriptCommand::Import(t) => Self::ImportTranscript(t),
                TranscriptCommand::Remove(id) => Self::RemoveTranscript(id),
                TranscriptCommand::Restore(id) => Self::RestoreTranscript(id),
                TranscriptCommand::Correct(c) => Self::CorrectTranscript(c),
            },
            Command::Cases(c) => match c {
                CaseCommand::SetAttributes {
                    rows,
                    create_missing,
                } => Self::SetAttributes {
                    rows,
                    create_missing,
                },
                CaseCommand::ReplaceAttributes(rows) => Self::ReplaceAttributes(rows),
                CaseCommand::RemoveEmpty(names) => Self::RemoveCases(names),
                CaseCommand::Import { case_id, name } => Self::ImportCase { case_id, name },
            },
            Command::Codebook(CodebookCommand::Import { book, note }) => {
                Self::ImportCodebook { book, note }
            }
            Command::Codings(c) => match c {
                CodingCommand::Add { codings, action } => Self::AddCodings { codings, action },
                CodingCommand::Remove { ids, by } => Self::RemoveCodings { ids, by },
            },
            Command::Edit(edit) => Self::Edit(edit),
            Command::Memos(c) => match c {
                MemoCommand::Add {
                    target,
                    rater,
                    text,
                } => Self::AddMemo {
                    target,
                    rater,
                    text,
                },
                MemoCommand::Delete(id) => Self::DeleteMemo(id),
                MemoCommand::Restore(memo) => Self::RestoreMemo(memo),
                MemoCommand::FlagQuote(q) => Self::FlagQuote(q),
                MemoCommand::UnflagQuote(id) => Self::UnflagQuote(id),
                MemoCommand::WriteSummary(s) => Self::WriteSummary(s),
                MemoCommand::DeleteSummary(case, code, v) => Self::DeleteSummary(case, code, v),
            },
            Command::Raters(c) => match c {
                RaterCommand::Add { name, kind } => Self::AddRater { name, kind },
                RaterCommand::Import(r) => Self::ImportRater(r),
                RaterCommand::Remove(id) => Self::RemoveRater(id),
                RaterCommand::Restore(r) => Self::RestoreRater(r),
                RaterCommand::AddSecondPass { first, name } => Self::AddSecondPass { first, name },
                RaterCommand::LinkPass { rater, first } => Self::LinkPass { rater, first },
            },
            Command::Team(c) => match c {
                TeamCommand::Settle(d) => Self::Settle(d),
                TeamCommand::Withdraw(ids) => Self::Withdraw(ids),
                TeamCommand::Reinstate(ids) => Self::Reinstate(ids),
                TeamCommand::Propose(p) => Self::Propose(p),
                TeamCommand::AcceptProposal { id, note } => Self::AcceptProposal { id, note },
                TeamCommand::RejectProposal { id, note } => Self::RejectProposal { id, note },
                TeamCommand::ReopenProposal(id) => Self::ReopenProposal(id),
                TeamCommand::DeleteProposal(id) => Self::DeleteProposal(id),
                TeamCommand::RestoreProposal(p) => Self::RestoreProposal(p),
                TeamCommand::ProposeCorrection(p) => Self::ProposeCorrection(p),
                TeamCommand::AcceptCorrection {
                    id,
                    note,
                    correction,
                } => Self::AcceptCorrection {
                    id,
                    note,
                    correction,
                },
                TeamCommand::RejectCorrection { id, note } => Self::RejectCorrection { id, note },
                TeamCommand::ReopenCorrection(id) => Self::ReopenCorrection(id),
                TeamCommand::DeleteCorrectionProposal(id) => Self::DeleteCorrectionProposal(id),
                TeamCommand::RestoreCorrectionProposal(p) => Self::RestoreCorrectionProposal(p),
            },
            Command::Rounds(c) => match c {
                RoundCommand::Add(r) => Self::AddRound(r),
                RoundCommand::Remove(id) => Self::RemoveRound(id),
                RoundCommand::Compute(id) => Self::ComputeRound(id),
                RoundCommand::SetRule { round, rule } => Self::SetRoundRule { round, rule },
            },
            Command::Settings(SettingCommand::Set { key, value }) => {
                Self::SetSetting { key, value }
            }
            Command::Project(_) => {
                return Err(AppError::Invalid(
                    "a whole-file operation is never kept as an undo step".into(),
                ));
            }
        })
    }
}

impl From<SavedCommand> for Command {
    // One arm per saved command, each a one-to-one mapping: splitting the match would need a
    // catch-all arm, which the commands never have (a new one must not compile until it is read).
    #[allow(clippy::too_many_lines)]
    fn from(saved: SavedCommand) -> Self {
        match saved {
            SavedCommand::ImportTranscript(t) => Self::Transcripts(TranscriptCommand::Import(t)),
            SavedCommand::CorrectTranscript(c) => Self::Transcripts(TranscriptCommand::Correct(c)),
            SavedCommand::RemoveTranscript(id) => Self::Transcripts(TranscriptCommand::Remove(id)),
            SavedCommand::RestoreTranscript(id) => {
                Self::Transcripts(TranscriptCommand::Restore(id))
            }
            SavedCommand::SetAttributes {
                rows,
                create_missing,
            } => Self::Cases(CaseCommand::SetAttributes {
                rows,
                create_missing,
            }),
            SavedCommand::ReplaceAttributes(rows) => {
                Self::Cases(CaseCommand::ReplaceAttributes(rows))
            }
            SavedCommand::RemoveCases(names) => Self::Cases(CaseCommand::RemoveEmpty(names)),
            SavedCommand::ImportCase { case_id, name } => {
                Self::Cases(CaseCommand::Import { case_id, name })
            }
            SavedCommand::ImportCodebook { book, note } => {
                Self::Codebook(CodebookCommand::Import { book, note })
            }
            SavedCommand::AddCodings { codings, action } => {
                Self::Codings(CodingCommand::Add { codings, action })
            }
            SavedCommand::RemoveCodings { ids, by } => {
                Self::Codings(CodingCommand::Remove { ids, by })
            }
            SavedCommand::Edit(edit) => Self::Edit(edit),
            SavedCommand::AddMemo {
                target,
                rater,
                text,
            } => Self::Memos(MemoCommand::Add {
                target,
                rater,
                text,
            }),
            SavedCommand::DeleteMemo(id) => Self::Memos(MemoCommand::Delete(id)),
            SavedCommand::RestoreMemo(memo) => Self::Memos(MemoCommand::Restore(memo)),
            SavedCommand::FlagQuote(q) => Self::Memos(MemoCommand::FlagQuote(q)),
            SavedCommand::UnflagQuote(id) => Self::Memos(MemoCommand::UnflagQuote(id)),
            SavedCommand::WriteSummary(s) => Self::Memos(MemoCommand::WriteSummary(s)),
            SavedCommand::DeleteSummary(case, code, v) => {
                Self::Memos(MemoCommand::DeleteSummary(case, code, v))
            }
            SavedCommand::AddRater { name, kind } => Self::Raters(RaterCommand::Add { name, kind }),
            SavedCommand::ImportRater(r) => Self::Raters(RaterCommand::Import(r)),
            SavedCommand::RemoveRater(id) => Self::Raters(RaterCommand::Remove(id)),
            SavedCommand::RestoreRater(r) => Self::Raters(RaterCommand::Restore(r)),
            SavedCommand::AddSecondPass { first, name } => {
                Self::Raters(RaterCommand::AddSecondPass { first, name })
            }
            SavedCommand::LinkPass { rater, first } => {
                Self::Raters(RaterCommand::LinkPass { rater, first })
            }
            SavedCommand::Settle(d) => Self::Team(TeamCommand::Settle(d)),
            SavedCommand::Withdraw(ids) => Self::Team(TeamCommand::Withdraw(ids)),
            SavedCommand::Reinstate(ids) => Self::Team(TeamCommand::Reinstate(ids)),
            SavedCommand::Propose(p) => Self::Team(TeamCommand::Propose(p)),
            SavedCommand::AcceptProposal { id, note } => {
                Self::Team(TeamCommand::AcceptProposal { id, note })
            }
            SavedCommand::RejectProposal { id, note } => {
                Self::Team(TeamCommand::RejectProposal { id, note })
            }
            SavedCommand::ReopenProposal(id) => Self::Team(TeamCommand::ReopenProposal(id)),
            SavedCommand::DeleteProposal(id) => Self::Team(TeamCommand::DeleteProposal(id)),
            SavedCommand::RestoreProposal(p) => Self::Team(TeamCommand::RestoreProposal(p)),
            SavedCommand::ProposeCorrection(p) => Self::Team(TeamCommand::ProposeCorrection(p)),
            SavedCommand::AcceptCorrection {
                id,
                note,
                correction,
            } => Self::Team(TeamCommand::AcceptCorrection {
                id,
                note,
                correction,
            }),
            SavedCommand::RejectCorrection { id, note } => {
                Self::Team(TeamCommand::RejectCorrection { id, note })
            }
            SavedCommand::ReopenCorrection(id) => Self::Team(TeamCommand::ReopenCorrection(id)),
            SavedCommand::DeleteCorrectionProposal(id) => {
                Self::Team(TeamCommand::DeleteCorrectionProposal(id))
            }
            SavedCommand::RestoreCorrectionProposal(p) => {
                Self::Team(TeamCommand::RestoreCorrectionProposal(p))
            }
            SavedCommand::AddRound(r) => Self::Rounds(RoundCommand::Add(r)),
            SavedCommand::RemoveRound(id) => Self::Rounds(RoundCommand::Remove(id)),
            SavedCommand::ComputeRound(id) => Self::Rounds(RoundCommand::Compute(id)),
            SavedCommand::SetRoundRule { round, rule } => {
                Self::Rounds(RoundCommand::SetRule { round, rule })
            }
            SavedCommand::SetSetting { key, value } => {
                Self::Settings(SettingCommand::Set { key, value })
            }
        }
    }
}
