//! Raters on their own machines: rater files (merging them back is `merge.rs`), and second passes.
//!
//! A rater file is an ordinary project file holding a copy of some of the lead's transcripts (same
//! ids, same frozen text), every codebook version up to the current one, one rater and that rater's
//! own earlier codings and memos on those transcripts, and nothing of anyone else's. Its `project`
//! table names where it came from (`rater_file.*`), and its codebook is locked: the rater proposes
//! changes instead.

use std::path::Path;

use rusqlite::{Connection, params};

use super::{Result, Store, StoreError, schema};
use crate::model::{RaterFileInfo, RaterId, TranscriptId, now_rfc3339};

/// What goes into a rater file.
#[derive(Debug, Clone)]
pub struct RaterFileSpec {
    /// The rater.
    pub rater_id: RaterId,
    /// The transcripts.
    pub transcripts: Vec<TranscriptId>,
    /// The round, if any.
    pub round: Option<String>,
}

const INFO_KEYS: [&str; 5] = [
    "rater_file.origin",
    "rater_file.rater",
    "rater_file.codebook_version",
    "rater_file.issued_at",
    "rater_file.round",
];

/// Whether a rater file's codebook may not change (it is the lead's).
pub(super) fn refuse_in_rater_file(conn: &Connection) -> Result<()> {
    if read_info(conn)?.is_some() {
        return Err(StoreError::Refused(
            "this is a rater file: its codebook is the lead's and cannot change here; propose the \
             change instead (accord propose)"
                .into(),
        ));
    }
    Ok(())
}

/// Whether a rater file's transcripts may not change (they are the lead's).
pub(super) fn refuse_in_rater_file_transcript(conn: &Connection) -> Result<()> {
    if read_info(conn)?.is_some() {
        return Err(StoreError::Refused(
            "this is a rater file: its transcripts are the lead's and cannot be corrected here; \
             tell the lead what to correct (a memo on the transcript), who corrects the project \
             and issues a new rater file"
                .into(),
        ));
    }
    Ok(())
}

fn read_info(conn: &Connection) -> Result<Option<RaterFileInfo>> {
    let get = |key: &str| super::project::meta(conn, key);
    let Some(origin) = get(INFO_KEYS[0])? else {
        return Ok(None);
    };
    let corrupt = |what: &str| StoreError::Corrupt(format!("rater file: {what}"));
    Ok(Some(RaterFileInfo {
        origin: origin.parse().map_err(|_| corrupt("origin"))?,
        rater_id: get(INFO_KEYS[1])?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt("rater"))?,
        codebook_version: get(INFO_KEYS[2])?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt("codebook version"))?,
        issued_at: get(INFO_KEYS[3])?.unwrap_or_default(),
        round: get(INFO_KEYS[4])?,
    }))
}

impl Store {
    /// Opens a project file to read only (a rater file to merge): refuses what is not an Accord
    /// project, and a file of another schema version (it is never migrated from here).
    pub fn open_read_only(path: &Path, key: Option<&super::Passphrase>) -> Result<Self> {
        let key = super::key::key_for(path, key)?;
        let conn = super::read_only_connection(path, key.as_ref())?;
        super::check_application_id(&conn, path)?;
        let version: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::NewerVersion {
                path: path.to_path_buf(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            });
        }
        if version < schema::SCHEMA_VERSION {
            return Err(StoreError::Refused(format!(
                "{}: written by an older Accord (schema {version}); open it once with this Accord to \
                 update it, then try again",
                path.display()
            )));
        }
        Ok(Self {
            conn,
            path: Some(path.to_path_buf()),
            key,
            lock: None,
        })
    }

    /// Where this rater file came from; `None` for a lead's project.
    pub fn rater_file_info(&self) -> Result<Option<RaterFileInfo>> {
        read_info(&self.conn)
    }

    /// Writes a rater file for `spec` at `path` (a new file; the caller renames it into place). It
    /// holds the transcripts, every codebook version, the rater and the rater's own codings and
    /// memos on those transcripts, nothing of any other rater, and a locked codebook.
    pub fn write_rater_file(&self, path: &Path, name: &str, spec: &RaterFileSpec) -> Result<()> {
        // A rater file of an encrypted project is encrypted with the same passphrase.
        let out = Store::create_file(path, name, self.key.clone())?;
        drop(out);
        let path_text = path
            .to_str()
            .ok_or_else(|| StoreError::Refused(format!("{}: not a UTF-8 path", path.display())))?;
        match &self.key {
            Some(key) => self
                .conn
                .execute("ATTACH DATABASE ?1 AS rf KEY ?2", [path_text, key.text()])?,
            None => self.conn.execute("ATTACH DATABASE ?1 AS rf", [path_text])?,
        };
        let copied = self.copy_rater_file(spec);
        self.conn.execute("DETACH DATABASE rf", [])?;
        copied?;
        // One self-contained file to hand over: no write-ahead log beside it.
        let conn = Connection::open(path)?;
        if let Some(key) = &self.key {
            key.apply(&conn)?;
        }
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
        // It holds the project's text: no more readable than the project itself.
        super::backup::copy_mode(self.path.as_deref(), path)
    }

    fn copy_rater_file(&self, spec: &RaterFileSpec) -> Result<()> {
        let ids = serde_json::to_string(
            &spec
                .transcripts
                .iter()
                .map(TranscriptId::to_text)
                .collect::<Vec<_>>(),
        )
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let rater = spec.rater_id.to_text();
        let version = self.codebook_version()?;
        let origin = self.project_id()?.to_text();
        // Not through `write`: this project is only read; the rater file written here gets its
        // own audit record ("issue", below).
        let tx = self.conn.unchecked_transaction()?;
        let chosen = "(SELECT value FROM json_each(?1))";
        for sql in [
            format!(
                "INSERT INTO rf.cases SELECT * FROM main.cases WHERE case_id IN
                 (SELECT case_id FROM main.transcripts WHERE transcript_id IN {chosen})"
            ),
            format!(
                "INSERT INTO rf.case_attributes SELECT * FROM main.case_attributes WHERE case_id IN
                 (SELECT case_id FROM main.transcripts WHERE transcript_id IN {chosen})"
            ),
            format!(
                "INSERT INTO rf.transcripts SELECT * FROM main.transcripts WHERE transcript_id IN {chosen}"
            ),
            format!(
                "INSERT INTO rf.turns SELECT * FROM main.turns WHERE transcript_id IN {chosen}"
            ),
        ] {
            tx.execute(&sql, [&ids])?;
        }
        for sql in [
            "INSERT INTO rf.codebook SELECT * FROM main.codebook",
            "INSERT INTO rf.codebook_versions SELECT * FROM main.codebook_versions",
            "INSERT INTO rf.codes SELECT * FROM main.codes",
        ] {
            tx.execute(sql, [])?;
        }
        tx.execute(
            "INSERT INTO rf.raters (rater_id, name, kind, created_at)
             SELECT rater_id, name, kind, created_at FROM main.raters WHERE rater_id = ?1",
            [&rater],
        )?;
        let own = format!("rater_id = ?2 AND transcript_id IN {chosen}");
        tx.execute(
            &format!("INSERT INTO rf.codings SELECT * FROM main.codings WHERE {own}"),
            params![ids, rater],
        )?;
        tx.execute(
            &format!(
                "INSERT INTO rf.coding_removals (coding_id, removed_at, removed_by)
                 SELECT coding_id, removed_at, CASE WHEN removed_by = ?2 THEN removed_by END
                 FROM main.coding_removals WHERE coding_id IN (SELECT coding_id FROM main.codings WHERE {own})"
            ),
            params![ids, rater],
        )?;
        tx.execute(
            &format!(
                "INSERT INTO rf.memos SELECT * FROM main.memos WHERE rater_id = ?2 AND (
                    target_kind IN ('project', 'code')
                    OR (target_kind = 'transcript' AND target_id IN {chosen})
                    OR (target_kind = 'coding' AND target_id IN (SELECT coding_id FROM main.codings WHERE {own})))"
            ),
            params![ids, rater],
        )?;
        let issued = now_rfc3339();
        let info = [
            Some(origin.as_str()),
            Some(rater.as_str()),
            Some(&*version.to_string()),
            Some(issued.as_str()),
            spec.round.as_deref(),
        ];
        for (key, value) in INFO_KEYS.iter().zip(info) {
            if let Some(value) = value {
                tx.execute(
                    "INSERT INTO rf.project (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )?;
            }
        }
        tx.execute(
            "INSERT INTO rf.audit (at, action, entity, entity_id, detail) VALUES (?1, 'issue', 'rater-file', ?2, ?3)",
            params![
                issued,
                rater,
                serde_json::json!({ "origin": origin, "codebook_version": version, "transcripts": spec.transcripts.len() })
                    .to_string()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}
