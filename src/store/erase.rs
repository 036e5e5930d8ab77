//! Erasing transcripts for good, as when a participant withdraws consent: in ONE transaction each
//! transcript goes with its turns, every coding on it (live or removed, any rater's, the
//! consensus's), the memos on it and on its codings, its adjudications and its place in reliability
//! rounds; a case left without transcripts goes with its attributes; the audit log keeps that a
//! transcript was erased but not its name or file; the undo history is dropped (it could bring the
//! text back). Then the file is vacuumed with `secure_delete` on ([`Store::purge_free_pages`]), so
//! no page still holds the text.
//! Rounds keep their computed results (numbers only).

use rusqlite::Connection;

use super::{Audit, Result, Store, StoreError};
use crate::model::{Erasure, PURGE_PENDING, TranscriptId};

const CODINGS_OF: &str = "SELECT coding_id FROM codings WHERE transcript_id = ?1";

impl Store {
    /// What erasing these transcripts would take away; changes nothing.
    pub fn erasure(&self, ids: &[TranscriptId]) -> Result<Erasure> {
        Ok(self.erasure_and_cases(ids)?.0)
    }

    /// The names of these transcripts (removed ones too), in the order given.
    pub fn transcript_names(&self, ids: &[TranscriptId]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM transcripts WHERE transcript_id = ?1")?;
        let mut names = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query([id.to_text()])?;
            if let Some(row) = rows.next()? {
                names.push(row.get(0)?);
            }
        }
        Ok(names)
    }

    /// What erasing would take away, and the cases it would leave without transcripts.
    fn erasure_and_cases(&self, ids: &[TranscriptId]) -> Result<(Erasure, Vec<String>)> {
        let mut out = Erasure::default();
        for id in ids {
            let t = id.to_text();
            let count = |sql: &str| -> Result<usize> {
                let n: i64 = self.conn.query_row(sql, [&t], |r| r.get(0))?;
                Ok(usize::try_from(n).unwrap_or(0))
            };
            if count("SELECT count(*) FROM transcripts WHERE transcript_id = ?1")? == 0 {
                return Err(StoreError::NotFound {
                    what: "transcript",
                    reference: t,
                });
            }
            out.transcripts += 1;
            out.turns += count("SELECT count(*) FROM turns WHERE transcript_id = ?1")?;
            out.codings += count("SELECT count(*) FROM codings WHERE transcript_id = ?1")?;
            out.memos += count(&format!(
                "SELECT count(*) FROM memos WHERE (target_kind IN ('transcript', 'passage')
                 AND target_id = ?1) OR (target_kind = 'coding' AND target_id IN ({CODINGS_OF}))"
            ))?;
            out.adjudications +=
                count("SELECT count(*) FROM adjudications WHERE transcript_id = ?1")?;
        }
        let cases = self.orphaned_cases(ids)?;
        out.cases = cases.len();
        Ok((out, cases))
    }

    /// Cases whose every transcript is among `ids`.
    fn orphaned_cases(&self, ids: &[TranscriptId]) -> Result<Vec<String>> {
        let erased: Vec<String> = ids.iter().map(TranscriptId::to_text).collect();
        let mut stmt = self.conn.prepare(
            "SELECT case_id, transcript_id FROM transcripts WHERE case_id IS NOT NULL ORDER BY case_id",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut cases: Vec<String> = rows
            .iter()
            .filter(|(_, t)| erased.contains(t))
            .map(|(c, _)| c.clone())
            .collect();
        cases.dedup();
        cases.retain(|c| {
            rows.iter()
                .filter(|(case, _)| case == c)
                .all(|(_, t)| erased.contains(t))
        });
        Ok(cases)
    }

    /// Erases the transcripts and everything on them in one transaction (see the module notes) and
    /// marks the purge pending: the caller then purges the file ([`Store::purge_free_pages`]), the
    /// backups and the index. Refused, changing nothing, when one of them is not in the project.
    pub(crate) fn erase_transcripts(&mut self, ids: &[TranscriptId]) -> Result<Erasure> {
        let (erasure, cases) = self.erasure_and_cases(ids)?;
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        self.write(|tx| {
            for id in ids {
                erase_one(tx, &id.to_text())?;
            }
            for case in &cases {
                // A case's grid summaries and the memos on its cells are about the interview.
                tx.execute(
                    "DELETE FROM memos WHERE target_kind IN ('case', 'cell') AND target_id = ?1",
                    [case],
                )?;
                tx.execute("DELETE FROM grid_summaries WHERE case_id = ?1", [case])?;
                super::cases::delete_case(tx, case)?;
                forget_details(tx, case)?;
            }
            super::steps::forget_steps(tx)?;
            mark_purge_pending(tx, "erase")?;
            Ok(Audit::new(
                "erase",
                "transcripts",
                None,
                serde_json::json!({ "transcripts": erasure.transcripts, "codings": erasure.codings,
                    "cases": erasure.cases }),
            )
            .with(()))
        })?;
        Ok(erasure)
    }

    /// Leaves no deleted content in the file: truncates the write-ahead log, rewrites the file
    /// without its free pages (`secure_delete` on), and truncates the log again. Holds the project
    /// exclusively meanwhile, and fails, saying what holds the file, when the log could not be
    /// emptied (a program reading the project keeps the old pages in it): the caller then keeps
    /// the purge pending.
    pub(crate) fn purge_free_pages(&mut self) -> Result<()> {
        let _whole = self.exclusive()?;
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        self.checkpoint_truncate()?;
        // Not through `write`, and not audited: VACUUM rewrites the file, not its data (the erase
        // or de-identification that freed the pages wrote its record).
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint_truncate()?;
        Ok(())
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)`, checked: every page copied back and the log emptied.
    fn checkpoint_truncate(&self) -> Result<()> {
        let busy: i64 = match self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        {
            Ok(busy) => busy,
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) =>
            {
                1
            }
            Err(e) => return Err(e.into()),
        };
        let Some(path) = &self.path else {
            return Ok(());
        };
        let wal = crate::model::files::companion(path, "-wal");
        let left = std::fs::metadata(wal).map_or(0, |m| m.len());
        if busy == 0 && left == 0 {
            return Ok(());
        }
        let holders = super::lock::other_processes_with(path);
        let who = if holders.is_empty() {
            "another program (or another connection of this one) is reading it".to_string()
        } else {
            format!("{} has it open", holders.join(", "))
        };
        Err(StoreError::Refused(format!(
            "{}: the old pages could not be cleared from the file: {who}. Close it, then run any \
             accord command on the project to finish",
            path.display()
        )))
    }

    /// About how many bytes of free space finishing a purge needs beside the project (`VACUUM`
    /// writes a whole new copy of the file, and the safety backup another).
    #[must_use]
    pub fn purge_space_needed(&self) -> u64 {
        self.path
            .as_deref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len().saturating_mul(2))
    }
}

/// Whether an error is a full disk (SQLite's "database or disk is full", or the system's "no space
/// left on device").
#[must_use]
pub fn is_disk_full(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
        StoreError::CannotWrite { detail, .. } => {
            detail.contains("disk is full") || detail.contains("os error 28")
        }
        StoreError::Refused(text) => {
            text.contains("os error 28")
                || text.contains("os error 122")
                || text.contains("disk is full")
        }
        _ => false,
    }
}
/// Marks, inside the transaction that removes text, that the backups and index must follow.
pub(super) fn mark_purge_pending(tx: &Connection, why: &str) -> Result<()> {
    super::project::put_setting(tx, PURGE_PENDING, Some(why))
}

fn erase_one(tx: &Connection, t: &str) -> Result<()> {
    tx.execute(
        &format!(
            "DELETE FROM memos WHERE (target_kind IN ('transcript', 'passage') AND target_id = ?1)
             OR (target_kind = 'coding' AND target_id IN ({CODINGS_OF}))"
        ),
        [t],
    )?;
    tx.execute(
        &format!("DELETE FROM key_quotes WHERE coding_id IN ({CODINGS_OF})"),
        [t],
    )?;
    tx.execute(
        &format!("DELETE FROM coding_removals WHERE coding_id IN ({CODINGS_OF})"),
        [t],
    )?;
    // A correction's lost words and the texts it replaced hold the transcript's text too.
    tx.execute(
        &format!("DELETE FROM coding_losses WHERE coding_id IN ({CODINGS_OF})"),
        [t],
    )?;
    tx.execute(
        "DELETE FROM transcript_versions WHERE transcript_id = ?1",
        [t],
    )?;
    tx.execute(
        "DELETE FROM correction_proposals WHERE transcript_id = ?1",
        [t],
    )?;
    tx.execute("DELETE FROM codings WHERE transcript_id = ?1", [t])?;
    tx.execute("DELETE FROM adjudications WHERE transcript_id = ?1", [t])?;
    tx.execute(
        "DELETE FROM round_transcripts WHERE transcript_id = ?1",
        [t],
    )?;
    tx.execute("DELETE FROM turns WHERE transcript_id = ?1", [t])?;
    tx.execute("DELETE FROM transcripts WHERE transcript_id = ?1", [t])?;
    // The log keeps that something happened to this id, not its name or file name.
    forget_details(tx, t)
}

/// Keeps in the audit log that something happened to this id, not its name or file name.
fn forget_details(tx: &Connection, entity_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE audit SET detail = '{\"erased\":true}' WHERE entity_id = ?1",
        [entity_id],
    )?;
    Ok(())
}
