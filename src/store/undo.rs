//! The reverse of the changes that are not [`Edit`](super::Edit)s, so that every change can be undone
//! and redone: project settings (such as blind mode), memos, removed transcripts and raters. Each is
//! one transaction with its audit record.

use rusqlite::{OptionalExtension, params};

use super::raters::insert_memo;
use super::{Audit, Result, Store, StoreError};
use crate::model::{Memo, MemoId, RaterId, TranscriptId};

/// The settings key of blind mode: while `"on"`, a rater sees only their own codings.
pub const BLIND_MODE: &str = "blind_mode";

impl Store {
    /// A project setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM project WHERE key = ?1",
                [format!("setting.{key}")],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets (or with `None` clears) a project setting.
    pub fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        let stored = format!("setting.{key}");
        self.write(|tx| {
            match value {
                Some(v) => tx.execute(
                    "INSERT INTO project (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![stored, v],
                )?,
                None => tx.execute("DELETE FROM project WHERE key = ?1", [&stored])?,
            };
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
        Ok(self.setting(BLIND_MODE)?.as_deref() == Some("on"))
    }

    /// Deletes a memo (the reverse of writing it).
    pub fn delete_memo(&mut self, memo_id: MemoId) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute("DELETE FROM memos WHERE memo_id = ?1", [memo_id.to_text()])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "memo",
                    reference: memo_id.to_text(),
                });
            }
            Ok(Audit::new(
                "delete",
                "memo",
                Some(&memo_id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Puts back a memo exactly as it was (same id and time).
    pub fn restore_memo(&mut self, memo: &Memo) -> Result<()> {
        self.write(|tx| {
            insert_memo(tx, memo)?;
            Ok(Audit::new(
                "restore",
                "memo",
                Some(&memo.memo_id.to_text()),
                serde_json::to_value(memo).unwrap_or_default(),
            )
            .with(()))
        })
    }

    /// Brings back a removed transcript (refused if another live transcript took its name).
    pub fn restore_transcript(&mut self, transcript_id: TranscriptId) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE transcripts SET removed_at = NULL WHERE transcript_id = ?1 AND removed_at IS NOT NULL",
                [transcript_id.to_text()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "removed transcript",
                    reference: transcript_id.to_text(),
                });
            }
            Ok(Audit::new("restore", "transcript", Some(&transcript_id.to_text()), serde_json::json!({})).with(()))
        })
    }

    /// Puts back a removed rater with the same id and name.
    pub fn restore_rater(&mut self, rater: &crate::model::Rater) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO raters (rater_id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    rater.rater_id.to_text(),
                    rater.name,
                    rater.kind.as_str(),
                    crate::model::now_rfc3339()
                ],
            )?;
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
    pub fn remove_rater(&mut self, rater_id: RaterId) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MemoTarget, RaterKind};

    #[test]
    fn settings_memos_and_raters_reverse() {
        let mut store = Store::open_in_memory("t").unwrap();
        assert!(!store.blind_mode().unwrap());
        store.set_setting(BLIND_MODE, Some("on")).unwrap();
        assert!(store.blind_mode().unwrap());
        store.set_setting(BLIND_MODE, None).unwrap();
        assert!(!store.blind_mode().unwrap());

        let rater = store.add_rater("Ana", RaterKind::Human).unwrap();
        let memo = store
            .add_memo(MemoTarget::Project, Some(rater.rater_id), "first thoughts")
            .unwrap();
        assert!(store.remove_rater(rater.rater_id).is_err());
        store.delete_memo(memo.memo_id).unwrap();
        assert!(store.memos(MemoTarget::Project).unwrap().is_empty());
        store.restore_memo(&memo).unwrap();
        assert_eq!(
            store.memos(MemoTarget::Project).unwrap(),
            vec![memo.clone()]
        );
        store.delete_memo(memo.memo_id).unwrap();
        store.remove_rater(rater.rater_id).unwrap();
        assert!(store.raters().unwrap().is_empty());
    }
}
