//! How each change is undone and redone, worked out from what it actually did: an added coding is
//! undone by tombstoning that very coding and redone by restoring it; a codebook change is undone by
//! setting the codebook back as it was; a merge by taking away exactly what it brought; and so on.
//! The commands returned are kept with the change (see `workspace.rs`).

use std::collections::BTreeMap;

use super::command::{Command, Outcome, apply};
use super::{AppError, Result};
use crate::model::{CodingId, Memo};
use crate::store::api::CodingsWrites;
use crate::store::{Edit, EditReport, Store};

/// Applies a command and works out its undo and redo commands.
pub(super) fn record(store: &mut Store, command: Command) -> Result<Recorded> {
    Ok(match command {
        Command::AddCodings { codings, action } => {
            let edit = Edit {
                add: codings,
                action,
                ..Edit::default()
            };
            let report = store.edit(&edit)?;
            let (undo, redo) = edit_inverse(None, &edit, &report);
            (Outcome::CodingsAdded(report.added), undo, redo)
        }
        Command::RemoveCodings { ids, by } => {
            let edit = Edit {
                remove: ids,
                by,
                action: "uncode".into(),
                ..Edit::default()
            };
            let report = store.edit(&edit)?;
            let (undo, redo) = edit_inverse(None, &edit, &report);
            (Outcome::CodingsRemoved(report.removed.len()), undo, redo)
        }
        Command::Edit(edit) => {
            let before = edit
                .codebook
                .as_ref()
                .map(|_| store.codebook())
                .transpose()?;
            let report = store.edit(&edit)?;
            let (undo, redo) = edit_inverse(before, &edit, &report);
            (Outcome::Edited(report), undo, redo)
        }
        Command::ImportCodebook { book, note } => {
            let before = store.codebook()?;
            let outcome = apply(store, Command::ImportCodebook { book, note })?;
            let after = store.codebook()?;
            let set = |b| {
                Command::Edit(Box::new(Edit {
                    codebook: Some(b),
                    action: "undo".into(),
                    ..Edit::default()
                }))
            };
            (outcome, vec![set(before)], vec![set(after)])
        }
        other => record_other(store, other)?,
    })
}

/// A change with its undo and redo commands.
type Recorded = (Outcome, Vec<Command>, Vec<Command>);

/// Applies the changes that are not codings or codebook edits, and works out how to reverse them.
fn record_other(store: &mut Store, command: Command) -> Result<Recorded> {
    Ok(match command {
        Command::SetSetting { key, value } => {
            let before = store.setting(&key)?;
            let outcome = apply(
                store,
                Command::SetSetting {
                    key: key.clone(),
                    value: value.clone(),
                },
            )?;
            let undo = vec![Command::SetSetting {
                key: key.clone(),
                value: before,
            }];
            (outcome, undo, vec![Command::SetSetting { key, value }])
        }
        Command::AddMemo {
            target,
            rater,
            text,
        } => {
            let outcome = apply(
                store,
                Command::AddMemo {
                    target,
                    rater,
                    text,
                },
            )?;
            let (undo, redo) = match &outcome {
                Outcome::Memo(m) => (
                    vec![Command::DeleteMemo(m.memo_id)],
                    vec![Command::RestoreMemo(Box::new(m.clone()))],
                ),
                _ => (Vec::new(), Vec::new()),
            };
            (outcome, undo, redo)
        }
        Command::AddRater { name, kind } => {
            let outcome = apply(store, Command::AddRater { name, kind })?;
            let (undo, redo) = match &outcome {
                Outcome::Rater(r) => (
                    vec![Command::RemoveRater(r.rater_id)],
                    vec![Command::RestoreRater(r.clone())],
                ),
                _ => (Vec::new(), Vec::new()),
            };
            (outcome, undo, redo)
        }
        Command::ImportTranscript(imported) => {
            let id = imported.transcript.transcript_id;
            let outcome = apply(store, Command::ImportTranscript(imported))?;
            (
                outcome,
                vec![Command::RemoveTranscript(id)],
                vec![Command::RestoreTranscript(id)],
            )
        }
        Command::RemoveTranscript(id) => {
            let outcome = apply(store, Command::RemoveTranscript(id))?;
            (
                outcome,
                vec![Command::RestoreTranscript(id)],
                vec![Command::RemoveTranscript(id)],
            )
        }
        Command::DeleteMemo(id) => {
            let memo = find_memo(store, id)?;
            let outcome = apply(store, Command::DeleteMemo(id))?;
            (
                outcome,
                vec![Command::RestoreMemo(Box::new(memo))],
                vec![Command::DeleteMemo(id)],
            )
        }
        other => record_team(store, other)?,
    })
}

/// Applies the team workflow's commands and works out how to reverse them.
fn record_team(store: &mut Store, command: Command) -> Result<Recorded> {
    Ok(match command {
        Command::Settle(decisions) => {
            let ids: Vec<_> = decisions.iter().map(|d| d.0.adjudication_id).collect();
            let outcome = apply(store, Command::Settle(decisions))?;
            (
                outcome,
                vec![Command::Withdraw(ids.clone())],
                vec![Command::Reinstate(ids)],
            )
        }
        Command::AcceptProposal { id, note } => {
            let before = store.codebook()?;
            let outcome = apply(
                store,
                Command::AcceptProposal {
                    id,
                    note: note.clone(),
                },
            )?;
            let undo = Command::Edit(Box::new(Edit {
                codebook: Some(before),
                action: "undo".into(),
                ..Edit::default()
            }));
            (
                outcome,
                vec![undo, Command::ReopenProposal(id)],
                vec![Command::AcceptProposal { id, note }],
            )
        }
        Command::Propose(p) => {
            let outcome = apply(store, Command::Propose(p.clone()))?;
            (
                outcome,
                vec![Command::DeleteProposal(p.proposal_id)],
                vec![Command::RestoreProposal(p)],
            )
        }
        Command::RejectProposal { id, note } => {
            let outcome = apply(
                store,
                Command::RejectProposal {
                    id,
                    note: note.clone(),
                },
            )?;
            (
                outcome,
                vec![Command::ReopenProposal(id)],
                vec![Command::RejectProposal { id, note }],
            )
        }
        other => record_setup(store, other)?,
    })
}

/// Applies the changes that set a project up (rounds, second passes, attributes) and works out how
/// to reverse them.
fn record_setup(store: &mut Store, command: Command) -> Result<Recorded> {
    Ok(match command {
        Command::AddRound(round) => {
            let outcome = apply(store, Command::AddRound(round.clone()))?;
            (
                outcome,
                vec![Command::RemoveRound(round.round_id)],
                vec![Command::AddRound(round)],
            )
        }
        Command::AddSecondPass { first, name } => {
            let outcome = apply(store, Command::AddSecondPass { first, name })?;
            let (undo, redo) = match &outcome {
                Outcome::Rater(r) => (
                    vec![Command::RemoveRater(r.rater_id)],
                    vec![
                        Command::RestoreRater(r.clone()),
                        Command::LinkPass {
                            rater: r.rater_id,
                            first,
                        },
                    ],
                ),
                _ => (Vec::new(), Vec::new()),
            };
            (outcome, undo, redo)
        }
        Command::SetAttributes {
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
                Command::SetAttributes {
                    rows: rows.clone(),
                    create_missing,
                },
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
                Command::ReplaceAttributes(restore),
                Command::RemoveCases(report.created.clone()),
            ];
            (
                outcome,
                undo,
                vec![Command::SetAttributes {
                    rows,
                    create_missing,
                }],
            )
        }
        other => (apply(store, other)?, Vec::new(), Vec::new()),
    })
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
