//! How each change is undone and redone, worked out from what it actually did: an added coding is
//! undone by tombstoning that very coding and redone by restoring it; a codebook change is undone by
//! setting the codebook back as it was; a merge by taking away exactly what it brought; and so on.
//! The commands returned are kept with the change (see `workspace.rs`).

use std::collections::BTreeMap;

use super::command::{
    CaseCommand, CodebookCommand, CodingCommand, Command, MemoCommand, Outcome, RaterCommand,
    RoundCommand, SettingCommand, TeamCommand, TranscriptCommand, apply,
};
use super::{AppError, Result};
use crate::model::{CodingId, Edit, EditReport, Memo};
use crate::store::Store;
use crate::store::api::CodingsWrites;

/// A change with its undo and redo commands.
type Recorded = (Outcome, Vec<Command>, Vec<Command>);

/// Carries out a command that has nothing to undo (itself an undo or redo, or an import into a
/// new project).
fn plain(store: &mut Store, command: Command) -> Result<Recorded> {
    Ok((apply(store, command)?, Vec::new(), Vec::new()))
}

/// Sets the codebook back as it was (the undo of a codebook change).
fn set_codebook(book: crate::model::Codebook) -> Command {
    Command::Edit(Box::new(Edit {
        codebook: Some(book),
        action: "undo".into(),
        ..Edit::default()
    }))
}

/// Applies a command and works out its undo and redo commands.
pub(super) fn record(store: &mut Store, command: Command) -> Result<Recorded> {
    match command {
        Command::Transcripts(c) => record_transcript(store, c),
        Command::Cases(c) => record_case(store, c),
        Command::Codebook(CodebookCommand::Import { book, note }) => {
            let before = store.codebook()?;
            let outcome = apply(
                store,
                Command::Codebook(CodebookCommand::Import { book, note }),
            )?;
            let after = store.codebook()?;
            Ok((
                outcome,
                vec![set_codebook(before)],
                vec![set_codebook(after)],
            ))
        }
        Command::Codings(c) => record_coding(store, c),
        Command::Edit(edit) => {
            let before = edit
                .codebook
                .as_ref()
                .map(|_| store.codebook())
                .transpose()?;
            let report = store.edit(&edit)?;
            let (undo, redo) = edit_inverse(before, &edit, &report);
            Ok((Outcome::Edited(report), undo, redo))
        }
        Command::Memos(c) => record_memo(store, c),
        Command::Raters(c) => record_rater(store, c),
        Command::Team(c) => record_team(store, c),
        Command::Rounds(c) => record_round(store, c),
        Command::Settings(SettingCommand::Set { key, value }) => {
            let before = store.setting(&key)?;
            let set = |value| {
                Command::Settings(SettingCommand::Set {
                    key: key.clone(),
                    value,
                })
            };
            let outcome = apply(store, set(value.clone()))?;
            Ok((outcome, vec![set(before)], vec![set(value)]))
        }
        // Whole-file commands keep their own steps (a merge) or drop them all (erasing and
        // de-identifying); `apply_undoable` carries them out outside its transaction.
        Command::Project(c) => plain(store, Command::Project(c)),
    }
}

fn record_transcript(store: &mut Store, command: TranscriptCommand) -> Result<Recorded> {
    let t = Command::Transcripts;
    match command {
        TranscriptCommand::Import(imported) => {
            let id = imported.transcript.transcript_id;
            let outcome = apply(store, t(TranscriptCommand::Import(imported)))?;
            Ok((
                outcome,
                vec![t(TranscriptCommand::Remove(id))],
                vec![t(TranscriptCommand::Restore(id))],
            ))
        }
        TranscriptCommand::Remove(id) => {
            let outcome = apply(store, t(TranscriptCommand::Remove(id)))?;
            Ok((
                outcome,
                vec![t(TranscriptCommand::Restore(id))],
                vec![t(TranscriptCommand::Remove(id))],
            ))
        }
        TranscriptCommand::Restore(id) => plain(store, t(TranscriptCommand::Restore(id))),
        TranscriptCommand::Correct(c) => {
            let back = super::correct::inverse(store, &c)?;
            let redo = c.clone();
            let outcome = apply(store, t(TranscriptCommand::Correct(c)))?;
            Ok((
                outcome,
                vec![t(TranscriptCommand::Correct(Box::new(back)))],
                vec![t(TranscriptCommand::Correct(redo))],
            ))
        }
    }
}

fn record_coding(store: &mut Store, command: CodingCommand) -> Result<Recorded> {
    match command {
        CodingCommand::Add { codings, action } => {
            let edit = Edit {
                add: codings,
                action,
                ..Edit::default()
            };
            let report = store.edit(&edit)?;
            let (undo, redo) = edit_inverse(None, &edit, &report);
            Ok((Outcome::CodingsAdded(report.added), undo, redo))
        }
        CodingCommand::Remove { ids, by } => {
            let edit = Edit {
                remove: ids,
                by,
                action: "uncode".into(),
                ..Edit::default()
            };
            let report = store.edit(&edit)?;
            let (undo, redo) = edit_inverse(None, &edit, &report);
            Ok((Outcome::CodingsRemoved(report.removed.len()), undo, redo))
        }
    }
}

fn record_memo(store: &mut Store, command: MemoCommand) -> Result<Recorded> {
    let m = Command::Memos;
    match command {
        MemoCommand::Add {
            target,
            rater,
            text,
        } => {
            let outcome = apply(
                store,
                m(MemoCommand::Add {
                    target,
                    rater,
                    text,
                }),
            )?;
            let (undo, redo) = if let Outcome::Memo(memo) = &outcome {
                (
                    vec![m(MemoCommand::Delete(memo.memo_id))],
                    vec![m(MemoCommand::Restore(Box::new(memo.clone())))],
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok((outcome, undo, redo))
        }
        MemoCommand::Delete(id) => {
            let memo = find_memo(store, id)?;
            let outcome = apply(store, m(MemoCommand::Delete(id)))?;
            Ok((
                outcome,
                vec![m(MemoCommand::Restore(Box::new(memo)))],
                vec![m(MemoCommand::Delete(id))],
            ))
        }
        MemoCommand::FlagQuote(q) => {
            let before = store
                .key_quotes()?
                .into_iter()
                .find(|k| k.coding_id == q.coding_id);
            let outcome = apply(store, m(MemoCommand::FlagQuote(q.clone())))?;
            let undo = match before {
                Some(k) => m(MemoCommand::FlagQuote(Box::new(k))),
                None => m(MemoCommand::UnflagQuote(q.coding_id)),
            };
            Ok((outcome, vec![undo], vec![m(MemoCommand::FlagQuote(q))]))
        }
        MemoCommand::UnflagQuote(id) => {
            let before = store.key_quotes()?.into_iter().find(|k| k.coding_id == id);
            let outcome = apply(store, m(MemoCommand::UnflagQuote(id)))?;
            let undo = before
                .map(|k| m(MemoCommand::FlagQuote(Box::new(k))))
                .into_iter()
                .collect();
            Ok((outcome, undo, vec![m(MemoCommand::UnflagQuote(id))]))
        }
        MemoCommand::WriteSummary(s) => {
            let outcome = apply(store, m(MemoCommand::WriteSummary(s.clone())))?;
            Ok((
                outcome,
                vec![m(MemoCommand::DeleteSummary(
                    s.case_id, s.code_id, s.version,
                ))],
                vec![m(MemoCommand::WriteSummary(s))],
            ))
        }
        c @ (MemoCommand::Restore(_) | MemoCommand::DeleteSummary(..)) => plain(store, m(c)),
    }
}

fn record_rater(store: &mut Store, command: RaterCommand) -> Result<Recorded> {
    let r = Command::Raters;
    match command {
        RaterCommand::Add { name, kind } => {
            let outcome = apply(store, r(RaterCommand::Add { name, kind }))?;
            let (undo, redo) = if let Outcome::Rater(rater) = &outcome {
                (
                    vec![r(RaterCommand::Remove(rater.rater_id))],
                    vec![r(RaterCommand::Restore(rater.clone()))],
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok((outcome, undo, redo))
        }
        RaterCommand::AddSecondPass { first, name } => {
            let outcome = apply(store, r(RaterCommand::AddSecondPass { first, name }))?;
            let (undo, redo) = if let Outcome::Rater(rater) = &outcome {
                (
                    vec![r(RaterCommand::Remove(rater.rater_id))],
                    vec![
                        r(RaterCommand::Restore(rater.clone())),
                        r(RaterCommand::LinkPass {
                            rater: rater.rater_id,
                            first,
                        }),
                    ],
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok((outcome, undo, redo))
        }
        c @ (RaterCommand::Import(_)
        | RaterCommand::Remove(_)
        | RaterCommand::Restore(_)
        | RaterCommand::LinkPass { .. }) => plain(store, r(c)),
    }
}

/// Applies the team workflow's commands and works out how to reverse them.
fn record_team(store: &mut Store, command: TeamCommand) -> Result<Recorded> {
    let t = Command::Team;
    match command {
        TeamCommand::Settle(decisions) => {
            let ids: Vec<_> = decisions.iter().map(|d| d.0.adjudication_id).collect();
            let outcome = apply(store, t(TeamCommand::Settle(decisions)))?;
            Ok((
                outcome,
                vec![t(TeamCommand::Withdraw(ids.clone()))],
                vec![t(TeamCommand::Reinstate(ids))],
            ))
        }
        TeamCommand::AcceptProposal { id, note } => {
            let before = store.codebook()?;
            let outcome = apply(
                store,
                t(TeamCommand::AcceptProposal {
                    id,
                    note: note.clone(),
                }),
            )?;
            Ok((
                outcome,
                vec![set_codebook(before), t(TeamCommand::ReopenProposal(id))],
                vec![t(TeamCommand::AcceptProposal { id, note })],
            ))
        }
        TeamCommand::Propose(p) => {
            let outcome = apply(store, t(TeamCommand::Propose(p.clone())))?;
            Ok((
                outcome,
                vec![t(TeamCommand::DeleteProposal(p.proposal_id))],
                vec![t(TeamCommand::RestoreProposal(p))],
            ))
        }
        TeamCommand::RejectProposal { id, note } => {
            let outcome = apply(
                store,
                t(TeamCommand::RejectProposal {
                    id,
                    note: note.clone(),
                }),
            )?;
            Ok((
                outcome,
                vec![t(TeamCommand::ReopenProposal(id))],
                vec![t(TeamCommand::RejectProposal { id, note })],
            ))
        }
        c @ (TeamCommand::ProposeCorrection(_)
        | TeamCommand::AcceptCorrection { .. }
        | TeamCommand::RejectCorrection { .. }) => record_correction_proposal(store, c),
        c @ (TeamCommand::Withdraw(_)
        | TeamCommand::Reinstate(_)
        | TeamCommand::ReopenProposal(_)
        | TeamCommand::DeleteProposal(_)
        | TeamCommand::RestoreProposal(_)
        | TeamCommand::ReopenCorrection(_)
        | TeamCommand::DeleteCorrectionProposal(_)
        | TeamCommand::RestoreCorrectionProposal(_)) => plain(store, t(c)),
    }
}

/// The undo and redo of proposing, accepting and rejecting a transcript correction.
fn record_correction_proposal(store: &mut Store, command: TeamCommand) -> Result<Recorded> {
    let t = Command::Team;
    match command {
        TeamCommand::ProposeCorrection(p) => {
            let outcome = apply(store, t(TeamCommand::ProposeCorrection(p.clone())))?;
            Ok((
                outcome,
                vec![t(TeamCommand::DeleteCorrectionProposal(p.proposal_id))],
                vec![t(TeamCommand::RestoreCorrectionProposal(p))],
            ))
        }
        TeamCommand::AcceptCorrection {
            id,
            note,
            correction,
        } => {
            let back = super::correct::inverse(store, &correction)?;
            let redo = t(TeamCommand::AcceptCorrection {
                id,
                note: note.clone(),
                correction: correction.clone(),
            });
            let outcome = apply(
                store,
                t(TeamCommand::AcceptCorrection {
                    id,
                    note,
                    correction,
                }),
            )?;
            Ok((
                outcome,
                vec![
                    Command::Transcripts(super::command::TranscriptCommand::Correct(Box::new(
                        back,
                    ))),
                    t(TeamCommand::ReopenCorrection(id)),
                ],
                vec![redo],
            ))
        }
        TeamCommand::RejectCorrection { id, note } => {
            let outcome = apply(
                store,
                t(TeamCommand::RejectCorrection {
                    id,
                    note: note.clone(),
                }),
            )?;
            Ok((
                outcome,
                vec![t(TeamCommand::ReopenCorrection(id))],
                vec![t(TeamCommand::RejectCorrection { id, note })],
            ))
        }
        c => plain(store, t(c)),
    }
}

fn record_round(store: &mut Store, command: RoundCommand) -> Result<Recorded> {
    let r = Command::Rounds;
    match command {
        RoundCommand::Add(round) => {
            let outcome = apply(store, r(RoundCommand::Add(round.clone())))?;
            Ok((
                outcome,
                vec![r(RoundCommand::Remove(round.round_id))],
                vec![r(RoundCommand::Add(round))],
            ))
        }
        RoundCommand::SetRule { round, rule } => {
            let before = store.round_rule(round)?;
            let outcome = apply(
                store,
                r(RoundCommand::SetRule {
                    round,
                    rule: rule.clone(),
                }),
            )?;
            Ok((
                outcome,
                vec![r(RoundCommand::SetRule {
                    round,
                    rule: before,
                })],
                vec![r(RoundCommand::SetRule { round, rule })],
            ))
        }
        c @ (RoundCommand::Remove(_) | RoundCommand::Compute(_)) => plain(store, r(c)),
    }
}

/// Setting attributes (undone by putting back the attributes and removing the cases it made).
fn record_case(store: &mut Store, command: CaseCommand) -> Result<Recorded> {
    let c = Command::Cases;
    match command {
        CaseCommand::SetAttributes {
            rows,
            create_missing,
        } => {
            let before: BTreeMap<String, BTreeMap<String, String>> = store
                .cases()?
                .into_iter()
                .map(|c| (c.name, c.attributes))
                .collect();
            let outcome = apply(
                store,
                c(CaseCommand::SetAttributes {
                    rows: rows.clone(),
                    create_missing,
                }),
            )?;
            let Outcome::Attributes(report) = &outcome else {
                return Ok((outcome, Vec::new(), Vec::new()));
            };
            let restore = report
                .updated
                .iter()
                .map(|name| (name.clone(), before.get(name).cloned().unwrap_or_default()))
                .collect();
            let undo = vec![
                c(CaseCommand::ReplaceAttributes(restore)),
                c(CaseCommand::RemoveEmpty(report.created.clone())),
            ];
            Ok((
                outcome,
                undo,
                vec![c(CaseCommand::SetAttributes {
                    rows,
                    create_missing,
                })],
            ))
        }
        other @ (CaseCommand::ReplaceAttributes(_)
        | CaseCommand::RemoveEmpty(_)
        | CaseCommand::Import { .. }) => plain(store, c(other)),
    }
}

/// The undo and redo of an edit, from what it actually did.
fn edit_inverse(
    before: Option<crate::model::Codebook>,
    edit: &Edit,
    report: &EditReport,
) -> (Vec<Command>, Vec<Command>) {
    if report.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let chain = |a: &[CodingId], b: &[CodingId]| a.iter().chain(b).copied().collect::<Vec<_>>();
    let undo = Edit {
        codebook: before,
        remove: chain(&report.added, &report.restored),
        restore: report.removed.clone(),
        by: edit.by,
        action: format!("undo {}", edit.action),
        ..Edit::default()
    };
    let redo = Edit {
        codebook: edit.codebook.clone(),
        remove: report.removed.clone(),
        restore: chain(&report.added, &report.restored),
        by: edit.by,
        action: format!("redo {}", edit.action),
        ..Edit::default()
    };
    (
        vec![Command::Edit(Box::new(undo))],
        vec![Command::Edit(Box::new(redo))],
    )
}

/// A memo by id, from any of the places memos hang on.
fn find_memo(store: &Store, id: crate::model::MemoId) -> Result<Memo> {
    store
        .all_memos()?
        .into_iter()
        .find(|m| m.memo_id == id)
        .ok_or_else(|| AppError::Invalid(format!("no memo {}", id.to_text())))
}
