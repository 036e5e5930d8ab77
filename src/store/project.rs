//! The `project` table: the project's identity (its id, its name, when and by what it was made)
//! and its settings (`setting.*` keys: blind mode, pseudonyms, a pending purge), with their reads
//! and writes.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Audit, Result, Store, StoreError, schema};
use crate::model::{ProjectId, now_rfc3339};

/// A value of the project table, through any connection (the store's, a transaction's, a rater
/// file's).
pub(super) fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM project WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets (or with `None` clears) a project setting inside the caller's transaction.
pub(super) fn put_setting(tx: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    let stored = format!("setting.{key}");
    match value {
        Some(v) => tx.execute(
            "INSERT INTO project (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![stored, v],
        )?,
        None => tx.execute("DELETE FROM project WHERE key = ?1", [&stored])?,
    };
    Ok(())
}

impl Store {
    /// Makes a new, empty project in this (empty) file: configured, the schema of this build, and
    /// the project's identity, audited as its creation.
    pub(super) fn initialise(&mut self, name: &str) -> Result<()> {
        self.configure()?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn
            .pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        self.migrate()?;
        self.write(|tx| {
            let project_id = ProjectId::new_random();
            let now = now_rfc3339();
            for (key, value) in [
                ("project_id", project_id.to_text()),
                ("name", name.to_string()),
                ("created_at", now.clone()),
                (
                    "created_by",
                    format!("Accord {}", env!("CARGO_PKG_VERSION")),
                ),
            ] {
                tx.execute(
                    "INSERT INTO project (key, value) VALUES (?1, ?2)",
                    (key, value),
                )?;
            }
            Ok(Audit::new(
                "create",
                "project",
                Some(&project_id.to_text()),
                serde_json::json!({ "name": name }),
            )
            .with(()))
        })
    }

    /// The project's stable id.
    pub fn project_id(&self) -> Result<ProjectId> {
        let text = meta(&self.conn, "project_id")?
            .ok_or_else(|| StoreError::Corrupt("no project id".into()))?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("project id {text:?} is not a UUID")))
    }

    /// The project's name.
    pub fn project_name(&self) -> Result<String> {
        Ok(meta(&self.conn, "name")?.unwrap_or_default())
    }

    /// A project setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        meta(&self.conn, &format!("setting.{key}"))
    }

    /// Sets (or with `None` clears) a project setting.
    pub(super) fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        self.write(|tx| {
            put_setting(tx, key, value)?;
            Ok(Audit::new(
                "set",
                "setting",
                Some(key),
                serde_json::json!({ "value": value }),
            )
            .with(()))
        })
    }

    /// Whether blind mode is on for the project.
    pub fn blind_mode(&self) -> Result<bool> {
        Ok(self.setting(crate::model::BLIND_MODE)?.as_deref() == Some("on"))
    }
}
