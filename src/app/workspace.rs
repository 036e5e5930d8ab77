//! A project open for work: its store, the undo and redo history of this session, and its search
//! index. The window holds one `Workspace`; every change goes through [`Workspace::apply`], which
//! carries out the command (one transaction, saved at once) and records how to undo and redo it.
//!
//! Undo and redo are exact because codings are never rewritten: undoing an added coding tombstones
//! it, redoing restores that same coding; undoing a codebook change sets the codebook back as it was.

use std::path::Path;

use super::command::{Command, Outcome, apply};
use super::{AppError, Result};
use crate::model::{CodingId, Memo};
use crate::search::{ProjectIndex, SearchOptions, SearchResults};
use crate::store::{Edit, EditReport, Store};

/// One undoable change: what it was, and the commands that undo and redo it.
#[derive(Debug, Clone)]
pub struct Step {
    /// What people read in the Edit menu ("Code 1 passage", "Rename code", ...).
    pub label: String,
    undo: Vec<Command>,
    redo: Vec<Command>,
}

/// A project open for work.
#[derive(Debug)]
pub struct Workspace {
    store: Store,
    undo: Vec<Step>,
    redo: Vec<Step>,
    revision: u64,
    index: Option<ProjectIndex>,
    index_revision: u64,
}

impl Workspace {
    /// Opens a project file.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::new(Store::open(path)?))
    }

    /// Works on an open store.
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self {
            store,
            undo: Vec::new(),
            redo: Vec::new(),
            revision: 1,
            index: None,
            index_revision: 0,
        }
    }

    /// The store, to read from. Changes go through [`Self::apply`].
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Grows by one with every change (and every undo and redo), so views know when to re-read.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// What Undo would undo.
    #[must_use]
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    /// What Redo would redo.
    #[must_use]
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// Carries out a change, saved at once, and makes it undoable.
    pub fn apply(&mut self, label: &str, command: Command) -> Result<Outcome> {
        let (outcome, undo, redo) = self.apply_recording(command)?;
        self.revision += 1;
        if !undo.is_empty() {
            self.undo.push(Step {
                label: label.to_string(),
                undo,
                redo,
            });
            self.redo.clear();
        }
        Ok(outcome)
    }

    /// Undoes the last change; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<String>> {
        let Some(step) = self.undo.pop() else {
            return Ok(None);
        };
        if let Err(e) = self.run_all(&step.undo) {
            self.undo.push(step);
            return Err(e);
        }
        let label = step.label.clone();
        self.redo.push(step);
        Ok(Some(label))
    }

    /// Redoes the last undone change; returns its label.
    pub fn redo(&mut self) -> Result<Option<String>> {
        let Some(step) = self.redo.pop() else {
            return Ok(None);
        };
        if let Err(e) = self.run_all(&step.redo) {
            self.redo.push(step);
            return Err(e);
        }
        let label = step.label.clone();
        self.undo.push(step);
        Ok(Some(label))
    }

    /// Searches the project, bringing the index up to date first if the project changed.
    pub fn search(&mut self, query: &str, opts: &SearchOptions<'_>) -> Result<SearchResults> {
        let invalid = |e: crate::search::SearchError| AppError::Invalid(e.to_string());
        match &mut self.index {
            Some(index) if self.index_revision != self.revision => {
                index.sync(&self.store).map_err(invalid)?;
            }
            Some(_) => {}
            None => self.index = Some(ProjectIndex::open(&self.store).map_err(invalid)?.0),
        }
        self.index_revision = self.revision;
        let book = self.store.codebook()?;
        let Some(index) = &self.index else {
            return Err(AppError::Invalid("the search index is not open".into()));
        };
        index.search(query, &book, opts).map_err(invalid)
    }

    fn run_all(&mut self, commands: &[Command]) -> Result<()> {
        for command in commands {
            apply(&mut self.store, command.clone())?;
        }
        self.revision += 1;
        Ok(())
    }

    /// Applies a command and works out its undo and redo commands.
    fn apply_recording(&mut self, command: Command) -> Result<Recorded> {
        let store = &mut self.store;
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
