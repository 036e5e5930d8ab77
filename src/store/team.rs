//! Raters on their own machines: rater files and merging them back.
//!
//! A rater file is an ordinary project file holding a copy of some of the lead's transcripts (same
//! ids, same frozen text), every codebook version up to the current one, one rater and that rater's
//! own earlier codings and memos on those transcripts, and nothing of anyone else's. Its `project`
//! table names where it came from (`rater_file.*`), and its codebook is locked: the rater proposes
//! changes instead. Merging reads the rater's work back into the lead's project as a union by id, in
//! one transaction, after refusing anything that does not fit (another project, a transcript whose
//! text differs, a codebook version the project does not know).

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use super::transcripts::parse_col;
use super::{Result, Store, StoreError, audit, not_a_project, schema};
use crate::model::{
    Coding, CodingId, Memo, MemoTarget, ProjectId, ProposalId, Rater, RaterId, RaterKind, Span,
    TranscriptId, now_rfc3339,
};

/// Where a rater file came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaterFileInfo {
    /// The lead's project.
    pub origin: ProjectId,
    /// The rater the file is for.
    pub rater_id: RaterId,
    /// The codebook version it was issued with.
    pub codebook_version: i64,
    /// When it was issued.
    pub issued_at: String,
    /// The reliability round it belongs to, if any (its name).
    pub round: Option<String>,
}

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

/// A proposed change to one code, from a rater who may not change the codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Proposal {
    /// Its id.
    pub proposal_id: ProposalId,
    /// Who proposes it.
    pub rater_id: Option<RaterId>,
    /// The codebook version it starts from.
    pub base_version: i64,
    /// The code as proposed (a new code has an id the codebook does not hold yet).
    pub proposed: crate::model::Code,
    /// Why.
    pub note: String,
    /// When.
    pub created_at: String,
    /// `open`, `accepted` or `rejected`.
    pub status: String,
    /// The lead's note on the decision.
    pub decision_note: Option<String>,
}

/// A rater's work read from a rater file, ready to merge.
#[derive(Debug, Clone)]
pub struct RaterWork {
    /// Where the file came from.
    pub info: RaterFileInfo,
    /// The rater, as the file holds it.
    pub rater: Rater,
    /// The transcripts in the file: id, name, SHA-256 of the text.
    pub transcripts: Vec<(TranscriptId, String, String)>,
    /// Every codebook version the file holds: number and snapshot.
    pub codebook_versions: Vec<(i64, String)>,
    /// The rater's codings (removed ones too, with when).
    pub codings: Vec<Coding>,
    /// Who removed each removed coding.
    pub removed_by: Vec<(CodingId, Option<RaterId>)>,
    /// The rater's memos.
    pub memos: Vec<Memo>,
    /// The rater's proposals.
    pub proposals: Vec<Proposal>,
    /// Codings in the file by anyone else (never merged).
    pub foreign_codings: usize,
}

/// What a merge brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// The rater's name.
    pub rater: String,
    /// Codings added.
    pub codings: usize,
    /// Codings removed (tombstones brought in).
    pub removals: usize,
    /// Memos added.
    pub memos: usize,
    /// Proposals added (waiting for the lead).
    pub proposals: usize,
    /// Codings already in the project (skipped).
    pub already: usize,
    /// Codings by someone else in the file (never merged).
    pub foreign: usize,
    /// What exactly came in, so that the merge can be undone.
    #[serde(skip)]
    pub detail: MergeDetail,
}

/// What a merge added, by id: the undo of a merge takes exactly these away again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeDetail {
    /// Codings added (and live).
    pub added: Vec<CodingId>,
    /// Codings that were live here and that the merge removed.
    pub removed: Vec<CodingId>,
    /// Memos added.
    pub memos: Vec<Memo>,
    /// Proposals added.
    pub proposals: Vec<Proposal>,
}

impl MergeReport {
    /// Whether the merge changed nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.codings + self.removals + self.memos + self.proposals == 0
    }
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

fn read_info(conn: &Connection) -> Result<Option<RaterFileInfo>> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM project WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    };
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
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not_a_project(path, &e.to_string()))?;
        super::key::unlock(&conn, key.as_ref(), path)?;
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| not_a_project(path, &e.to_string()))?;
        if app_id != schema::APPLICATION_ID {
            return Err(not_a_project(
                path,
                "an SQLite database, but not one Accord wrote",
            ));
        }
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
        })
    }

    /// Where this rater file came from; `None` for a lead's project.
    pub fn rater_file_info(&self) -> Result<Option<RaterFileInfo>> {
        read_info(&self.conn)
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
    pub fn add_second_pass(&mut self, first: RaterId, name: &str) -> Result<Rater> {
        self.atomic(|store| {
            let rater = store.add_rater(name, RaterKind::Human)?;
            store.link_pass(rater.rater_id, first)?;
            Ok(rater)
        })
    }

    /// Marks `rater` as a second pass of `first`.
    pub fn link_pass(&mut self, rater: RaterId, first: RaterId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE raters SET pass_of = ?2 WHERE rater_id = ?1",
                params![rater.to_text(), first.to_text()],
            )?;
            audit::record(
                tx,
                "second-pass",
                "rater",
                Some(&rater.to_text()),
                &serde_json::json!({ "pass_of": first.to_text() }),
            )
        })
    }

    /// Writes a rater file for `spec` at `path` (a new file; the caller renames it into place). It
    /// holds the transcripts, every codebook version, the rater and the rater's own codings and
    /// memos on those transcripts, nothing of any other rater, and a locked codebook.
    pub fn write_rater_file(&self, path: &Path, name: &str, spec: &RaterFileSpec) -> Result<()> {
        // A rater file of an encrypted project is encrypted with the same passphrase.
        let out = Store::create_with(path, name, self.key.clone())?;
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
        Ok(())
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

    /// Reads a rater file's work (this store must be the rater file).
    pub fn rater_work(&self) -> Result<RaterWork> {
        let path = self.path.clone().unwrap_or_default();
        let info = self.rater_file_info()?.ok_or_else(|| {
            not_a_project(
                &path,
                "an Accord project, but not a rater file (issue one with accord rater-file)",
            )
        })?;
        let rater = self
            .raters()?
            .into_iter()
            .find(|r| r.rater_id == info.rater_id)
            .ok_or_else(|| StoreError::Corrupt("rater file: its rater is missing".into()))?;
        let mut stmt = self
            .conn
            .prepare("SELECT transcript_id, name, sha256 FROM transcripts ORDER BY name")?;
        let transcripts = stmt
            .query_map([], |r| Ok((parse_col(r, 0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT version, snapshot FROM codebook_versions ORDER BY version")?;
        let codebook_versions = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let all = self.codings(&super::CodingFilter {
            include_removed: true,
            ..super::CodingFilter::default()
        })?;
        let foreign_codings = all.iter().filter(|c| c.rater_id != rater.rater_id).count();
        let codings: Vec<Coding> = all
            .into_iter()
            .filter(|c| c.rater_id == rater.rater_id)
            .collect();
        let mut stmt = self
            .conn
            .prepare("SELECT coding_id, removed_by FROM coding_removals ORDER BY coding_id")?;
        let removed_by = stmt
            .query_map([], |r| {
                Ok((
                    parse_col(r, 0)?,
                    r.get::<_, Option<String>>(1)?.and_then(|s| s.parse().ok()),
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let memos = self
            .all_memos()?
            .into_iter()
            .filter(|m| m.rater_id == Some(rater.rater_id))
            .collect();
        let proposals = self
            .proposals()?
            .into_iter()
            .filter(|p| p.rater_id == Some(rater.rater_id))
            .collect();
        Ok(RaterWork {
            info,
            rater,
            transcripts,
            codebook_versions,
            codings,
            removed_by,
            memos,
            proposals,
            foreign_codings,
        })
    }

    /// Merges a rater's work in one transaction: codings, tombstones, memos and proposals are added
    /// by id (what is already here is left as it is, so merging twice changes nothing). Refused, with
    /// nothing changed, when the work belongs to another project, names a rater this project does not
    /// have, holds a transcript whose text differs from this project's, or was coded under a codebook
    /// version this project does not know.
    pub fn merge_rater_work(&mut self, work: &RaterWork, file: &str) -> Result<MergeReport> {
        self.check_rater_work(work, file)?;
        let rater = work.rater.rater_id.to_text();
        self.write(|tx| {
            let mut report = MergeReport {
                rater: work.rater.name.clone(),
                foreign: work.foreign_codings,
                ..MergeReport::default()
            };
            for c in &work.codings {
                let added = tx.execute(
                    "INSERT INTO codings (coding_id, transcript_id, code_id, rater_id, start_char, end_char, codebook_version, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (coding_id) DO NOTHING",
                    params![
                        c.coding_id.to_text(),
                        c.transcript_id.to_text(),
                        c.code_id.to_text(),
                        rater,
                        c.span.start as i64,
                        c.span.end as i64,
                        c.codebook_version,
                        c.created_at,
                    ],
                )?;
                if added == 0 {
                    report.already += 1;
                } else {
                    report.codings += 1;
                    // Added and removed in the file alike stays removed through undo and redo.
                    if c.removed_at.is_none() {
                        report.detail.added.push(c.coding_id);
                    }
                }
                if let Some(at) = &c.removed_at {
                    let by = work
                        .removed_by
                        .iter()
                        .find(|(id, _)| *id == c.coding_id)
                        .and_then(|(_, by)| *by);
                    let n = tx.execute(
                        "INSERT INTO coding_removals (coding_id, removed_at, removed_by) VALUES (?1, ?2, ?3)
                         ON CONFLICT (coding_id) DO NOTHING",
                        params![c.coding_id.to_text(), at, by.map(|r| r.to_text())],
                    )?;
                    report.removals += n;
                    if n > 0 && added == 0 {
                        report.detail.removed.push(c.coding_id);
                    }
                }
            }
            for memo in &work.memos {
                let exists = super::codings::exists(tx, "memos", "memo_id", &memo.memo_id.to_text())?;
                if !exists && memo_target_exists(tx, memo.target)? {
                    super::raters::insert_memo(tx, memo)?;
                    report.memos += 1;
                    report.detail.memos.push(memo.clone());
                }
            }
            for p in &work.proposals {
                if super::proposals::insert_proposal(tx, p)? > 0 {
                    report.proposals += 1;
                    report.detail.proposals.push(p.clone());
                }
            }
            // Merging again what is already here writes nothing at all.
            if !report.is_empty() {
                audit::record(
                    tx,
                    "merge",
                    "rater-file",
                    Some(&rater),
                    &serde_json::json!({ "file": file, "report": report }),
                )?;
            }
            Ok(report)
        })
    }

    fn check_rater_work(&self, work: &RaterWork, file: &str) -> Result<()> {
        let refuse = |why: String| {
            Err(StoreError::Refused(format!(
                "{file}: {why}; nothing was merged"
            )))
        };
        let here = self.project_id()?;
        if work.info.origin != here {
            return refuse(format!(
                "a rater file of another project ({}), not of this one ({})",
                work.info.origin.to_text(),
                here.to_text()
            ));
        }
        if !self
            .raters()?
            .iter()
            .any(|r| r.rater_id == work.rater.rater_id)
        {
            return refuse(format!(
                "its rater {:?} is not a rater of this project",
                work.rater.name
            ));
        }
        for (version, snapshot) in &work.codebook_versions {
            let known: Option<String> = self
                .conn
                .query_row(
                    "SELECT snapshot FROM codebook_versions WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()?;
            if known.as_deref() != Some(snapshot.as_str()) {
                return refuse(format!(
                    "it holds codebook version {version}, which this project does not know (the \
                     codebook must be changed here, by the lead)"
                ));
            }
        }
        for (id, name, sha) in &work.transcripts {
            let ours: Option<String> = self
                .conn
                .query_row(
                    "SELECT sha256 FROM transcripts WHERE transcript_id = ?1",
                    [id.to_text()],
                    |r| r.get(0),
                )
                .optional()?;
            match ours {
                None => return refuse(format!("transcript {name:?} is not in this project")),
                Some(ours) if &ours != sha => {
                    return refuse(format!(
                        "transcript {name:?} has other text than this project's (SHA-256 {} here, {} in the file)",
                        &ours[..12.min(ours.len())],
                        &sha[..12.min(sha.len())]
                    ));
                }
                Some(_) => {}
            }
        }
        let in_file: std::collections::BTreeSet<TranscriptId> =
            work.transcripts.iter().map(|t| t.0).collect();
        let lengths = self.transcript_lengths()?;
        for c in &work.codings {
            let len = lengths.get(&c.transcript_id).map(|l| l.1);
            let fits = len.is_some_and(|len| Span::checked(c.span.start, c.span.end, len).is_ok());
            if !in_file.contains(&c.transcript_id) || !fits {
                return refuse(format!(
                    "coding {} does not fit its transcript",
                    c.coding_id.to_text()
                ));
            }
        }
        Ok(())
    }
}

fn memo_target_exists(tx: &rusqlite::Connection, target: MemoTarget) -> Result<bool> {
    use super::codings::exists;
    Ok(match target {
        MemoTarget::Project => true,
        MemoTarget::Transcript(id) => exists(tx, "transcripts", "transcript_id", &id.to_text())?,
        MemoTarget::Code(id) => exists(tx, "codes", "code_id", &id.to_text())?,
        MemoTarget::Coding(id) => exists(tx, "codings", "coding_id", &id.to_text())?,
    })
}
