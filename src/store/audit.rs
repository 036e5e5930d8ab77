//! The audit log: one record per change, written in the change's own transaction, so the log and the
//! data never disagree. Later undo and history read it.

use rusqlite::Connection;
use serde::Serialize;

use super::{Result, Store};
use crate::model::now_rfc3339;

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Order of the change.
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// What was done (`import`, `code`, `uncode`, ...).
    pub action: String,
    /// What kind of entity.
    pub entity: String,
    /// Which entity.
    pub entity_id: Option<String>,
    /// Details as JSON.
    pub detail: String,
}

/// Writes an audit record inside `tx`.
pub(super) fn record(
    tx: &Connection,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: &serde_json::Value,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        (now_rfc3339(), action, entity, entity_id, detail.to_string()),
    )?;
    Ok(())
}

impl Store {
    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, action, entity, entity_id, detail FROM audit ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                action: r.get(2)?,
                entity: r.get(3)?,
                entity_id: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
