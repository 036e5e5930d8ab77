//! Undo and redo that outlive the session: each undoable change keeps, in its own transaction, how
//! to undo and redo it. The store holds them as opaque JSON (the application layer's commands); it
//! only knows their order and whether each is in effect.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::{Audit, Result, Store};
use crate::model::now_rfc3339;

/// How many done steps are kept (older ones can no longer be undone; the audit log keeps them).
pub const KEEP_STEPS: i64 = 500;

/// One undoable change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// Its number (grows with every change).
    pub step_id: i64,
    /// What it was ("Code 1 passage", "Merge ana.accord").
    pub label: String,
    /// How to undo it (JSON).
    #[serde(skip)]
    pub undo: String,
    /// How to redo it (JSON).
    #[serde(skip)]
    pub redo: String,
    /// Whether it is in effect (false once undone).
    pub done: bool,
    /// When it was made.
    pub at: String,
}

const COLUMNS: &str = "step_id, label, undo, redo, done, at";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<StepRecord> {
    Ok(StepRecord {
        step_id: r.get(0)?,
        label: r.get(1)?,
        undo: r.get(2)?,
        redo: r.get(3)?,
        done: r.get::<_, i64>(4)? == 1,
        at: r.get(5)?,
    })
}

impl Store {
    /// Records a step that is in effect; the steps undone before it can no longer be redone.
    pub(super) fn push_step(&mut self, label: &str, undo: &str, redo: &str) -> Result<i64> {
        self.write_steps(|tx| {
            tx.execute("DELETE FROM steps WHERE done = 0", [])?;
            tx.execute(
                "INSERT INTO steps (label, undo, redo, done, at) VALUES (?1, ?2, ?3, 1, ?4)",
                params![label, undo, redo, now_rfc3339()],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("DELETE FROM steps WHERE step_id <= ?1", [id - KEEP_STEPS])?;
            Ok(id)
        })
    }

    /// The newest step in effect: what Undo would undo.
    pub fn last_done_step(&self) -> Result<Option<StepRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM steps WHERE done = 1 ORDER BY step_id DESC LIMIT 1"
                ),
                [],
                record,
            )
            .optional()?)
    }

    /// The oldest undone step: what Redo would redo.
    pub fn first_undone_step(&self) -> Result<Option<StepRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM steps WHERE done = 0 ORDER BY step_id LIMIT 1"),
                [],
                record,
            )
            .optional()?)
    }

    /// Marks a step undone (`false`) or in effect again (`true`).
    pub(super) fn set_step_done(&mut self, step_id: i64, done: bool) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE steps SET done = ?2 WHERE step_id = ?1",
                params![step_id, i64::from(done)],
            )?;
            Ok(Audit::new(
                if done { "redo" } else { "undo" },
                "step",
                Some(&step_id.to_string()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Every kept step, oldest first.
    pub fn steps(&self) -> Result<Vec<StepRecord>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM steps ORDER BY step_id"))?;
        let rows = stmt.query_map([], record)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The one write without an audit record, private to this module: the undo history is
    /// bookkeeping about changes (each of which wrote its own record), not project data. Undoing
    /// and redoing a step are audited ([`Store::set_step_done`]). One transaction, as `write`.
    fn write_steps<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if self.conn.is_autocommit() {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        } else {
            let sp = self.conn.savepoint()?;
            let out = f(&sp)?;
            sp.commit()?;
            Ok(out)
        }
    }
}

/// Forgets every step, inside the caller's transaction (a change that cannot be undone).
pub(super) fn forget_steps(tx: &Connection) -> Result<()> {
    tx.execute("DELETE FROM steps", [])?;
    Ok(())
}
