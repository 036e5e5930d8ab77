//! Raters (people who code, and consensus layers): reads, adding, removing and putting back.

use rusqlite::{Connection, OptionalExtension, params};

use super::transcripts::parse_col;
use super::{Audit, Result, Store, StoreError};
use crate::model::{Rater, RaterId, RaterKind, now_rfc3339};

impl Store {
    /// Adds a rater; names are unique.
    pub(super) fn add_rater(&mut self, name: &str, kind: RaterKind) -> Result<Rater> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::NotFound {
                what: "rater name (it is empty)",
                reference: String::new(),
            });
        }
        if self.raters()?.iter().any(|r| r.name == name) {
            return Err(StoreError::Duplicate {
                what: "rater",
                name: name.to_string(),
            });
        }
        let rater = Rater {
            rater_id: RaterId::new_random(),
            name: name.to_string(),
            kind,
        };
        self.insert_rater(&rater)?;
        Ok(rater)
    }

    /// Adds a rater with a given id (from another project or a REFI-QDA file). A rater already stored
    /// with that id and name is left as it is; a clash of names or of ids is refused.
    pub(super) fn insert_rater(&mut self, rater: &Rater) -> Result<()> {
        let existing = self.raters()?;
        if existing.iter().any(|r| r == rater) {
            return Ok(());
        }
        if let Some(clash) = existing
            .iter()
            .find(|r| r.name == rater.name || r.rater_id == rater.rater_id)
        {
            return Err(StoreError::Duplicate {
                what: "rater",
                name: clash.name.clone(),
            });
        }
        let kind = rater.kind;
        self.write(|tx| {
            insert_rater_row(tx, rater)?;
            Ok(Audit::new(
                "create",
                "rater",
                Some(&rater.rater_id.to_text()),
                serde_json::json!({ "name": rater.name, "kind": kind.as_str() }),
            )
            .with(()))
        })
    }

    /// All raters, by name.
    pub fn raters(&self) -> Result<Vec<Rater>> {
        let mut stmt = self
            .conn
            .prepare("SELECT rater_id, name, kind FROM raters ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            let kind = match r.get::<_, String>(2)?.as_str() {
                "consensus" => RaterKind::Consensus,
                _ => RaterKind::Human,
            };
            Ok(Rater {
                rater_id: parse_col(r, 0)?,
                name: r.get(1)?,
                kind,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Finds a rater by id or name (names compare case-insensitively).
    pub fn find_rater(&self, reference: &str) -> Result<Rater> {
        let reference = reference.trim();
        let raters = self.raters()?;
        let by_id = reference.parse::<RaterId>().ok();
        raters
            .into_iter()
            .find(|r| Some(r.rater_id) == by_id || r.name.eq_ignore_ascii_case(reference))
            .ok_or_else(|| StoreError::NotFound {
                what: "rater",
                reference: reference.to_string(),
            })
    }

    /// The rater a second pass belongs to (the same person coding again), if `rater_id` is one.
    pub fn pass_of(&self, rater_id: RaterId) -> Result<Option<RaterId>> {
        let found: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT pass_of FROM raters WHERE rater_id = ?1",
                [rater_id.to_text()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.flatten().and_then(|s| s.parse().ok()))
    }

    /// Adds a rater who is a second pass of another: the same person coding again, compared with
    /// their first pass like two raters (intra-rater agreement).
    pub(super) fn add_second_pass(&mut self, first: RaterId, name: &str) -> Result<Rater> {
        self.atomic(|store| {
            let rater = store.add_rater(name, RaterKind::Human)?;
            store.link_pass(rater.rater_id, first)?;
            Ok(rater)
        })
    }

    /// Marks `rater` as a second pass of `first`.
    pub(super) fn link_pass(&mut self, rater: RaterId, first: RaterId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE raters SET pass_of = ?2 WHERE rater_id = ?1",
                params![rater.to_text(), first.to_text()],
            )?;
            Ok(Audit::new(
                "second-pass",
                "rater",
                Some(&rater.to_text()),
                serde_json::json!({ "pass_of": first.to_text() }),
            )
            .with(()))
        })
    }

    /// Puts back a removed rater with the same id and name.
    pub(super) fn restore_rater(&mut self, rater: &crate::model::Rater) -> Result<()> {
        self.write(|tx| {
            insert_rater_row(tx, rater)?;
            Ok(Audit::new(
                "restore",
                "rater",
                Some(&rater.rater_id.to_text()),
                serde_json::json!({ "name": rater.name }),
            )
            .with(()))
        })
    }

    /// Removes a rater who has coded nothing and written nothing (the reverse of adding one).
    pub(super) fn remove_rater(&mut self, rater_id: RaterId) -> Result<()> {
        self.write(|tx| {
            let used: i64 = tx.query_row(
                "SELECT (SELECT count(*) FROM codings WHERE rater_id = ?1)
                      + (SELECT count(*) FROM memos WHERE rater_id = ?1)
                      + (SELECT count(*) FROM coding_removals WHERE removed_by = ?1)",
                [rater_id.to_text()],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(StoreError::Refused(
                    "this rater has codings or memos; a rater with work is never removed".into(),
                ));
            }
            tx.execute(
                "DELETE FROM raters WHERE rater_id = ?1",
                [rater_id.to_text()],
            )?;
            Ok(Audit::new(
                "remove",
                "rater",
                Some(&rater_id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }
}

/// Inserts a rater row (inside the caller's transaction).
fn insert_rater_row(tx: &Connection, rater: &Rater) -> Result<()> {
    tx.execute(
        "INSERT INTO raters (rater_id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            rater.rater_id.to_text(),
            rater.name,
            rater.kind.as_str(),
            now_rfc3339()
        ],
    )?;
    Ok(())
}
