//! The project store: one SQLite file per project (`*.accord`), WAL, foreign keys on, schema versioned
//! with migrations. This module is the ONLY place in Accord with SQL. Every change is one transaction
//! and writes an audit record in that same transaction.

mod adjudication;
mod audit;
mod backup;
mod cases;
mod codebook;
mod codings;
mod deidentify;
mod edit;
mod erase;
mod key;
mod merge;
mod proposals;
mod raters;
mod rounds;
mod schema;
mod steps;
mod team;
mod transcripts;
mod undo;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::model::{ProjectId, SpanError, now_rfc3339};

pub use audit::AuditEntry;
pub use backup::{BackupInfo, KEEP_BACKUPS, backups_dir, list_backups};
pub use cases::AttributeReport;
pub use codebook::CodebookChange;
pub use codings::{CodingFilter, NewCoding};
pub use deidentify::{NewVersion, name_hash};
pub use edit::{Edit, EditReport};
pub use erase::{Erasure, PURGE_PENDING};
pub use key::{Encrypted, MIN_PASSPHRASE_CHARS, Passphrase};
pub use merge::{MergeDetail, MergeReport, RaterWork};
pub use proposals::Proposal;
pub use rounds::Round;
pub use schema::SCHEMA_VERSION;
pub use steps::StepRecord;
pub use team::{RaterFileInfo, RaterFileSpec};
pub use transcripts::TranscriptSummary;
pub use undo::BLIND_MODE;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("project file error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file is missing, not SQLite, or not an Accord project.
    #[error("{path}: not an Accord project ({reason})")]
    NotAProject {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The project was written by a newer Accord.
    #[error(
        "{path}: this project was written by a newer version of Accord (schema {found}; this build reads up to {supported}); update Accord to open it"
    )]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i32,
        /// The newest this build knows.
        supported: i32,
    },
    /// `create` was asked for a file that exists.
    #[error("{0}: a file already exists there; choose another name or remove it first")]
    AlreadyExists(PathBuf),
    /// A referenced entity does not exist.
    #[error("no {what} {reference:?} in this project")]
    NotFound {
        /// Kind of entity.
        what: &'static str,
        /// What was asked for.
        reference: String,
    },
    /// A name is taken.
    #[error("{what} {name:?} already exists in this project")]
    Duplicate {
        /// Kind of entity.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A span does not fit a transcript.
    #[error("transcript {transcript:?}: {source}")]
    Span {
        /// Transcript name.
        transcript: String,
        /// The span problem.
        #[source]
        source: SpanError,
    },
    /// The change is refused because it would lose work.
    #[error("{0}")]
    Refused(String),
    /// Stored data is inconsistent (a bug or a hand-edited file).
    #[error("the project file holds invalid data: {0}")]
    Corrupt(String),
    /// The project is encrypted and no passphrase was given.
    #[error("{0}: this project is encrypted; give its passphrase")]
    Encrypted(PathBuf),
    /// The passphrase does not open the project (or the file is not an Accord project).
    #[error(
        "{0}: the passphrase does not open this project (or the file is not an Accord project); nothing was changed"
    )]
    WrongPassphrase(PathBuf),
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open project file.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The passphrase of an encrypted project (in memory only, never written).
    key: Option<Passphrase>,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Creates a new, empty project at `path`; refuses to overwrite a file.
    pub fn create(path: &Path, name: &str) -> Result<Self> {
        Self::create_with(path, name, None)
    }

    /// Creates a new project encrypted with a passphrase (SQLCipher): without the passphrase its
    /// file, its write-ahead log and its backups are unreadable.
    pub fn create_encrypted(path: &Path, name: &str, key: &Passphrase) -> Result<Self> {
        Self::create_with(path, name, Some(key.clone()))
    }

    fn create_with(path: &Path, name: &str, key: Option<Passphrase>) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if let Some(key) = &key {
            key.apply(&conn)?;
        }
        let mut store = Self {
            conn,
            path: Some(path.to_path_buf()),
            key,
        };
        store.initialise(name)?;
        Ok(store)
    }

    /// Opens an existing project, migrating an older schema up; refuses a file that is not an Accord
    /// project or that a newer Accord wrote, and says so when the project is encrypted (see
    /// [`Store::open_encrypted`]). Opening writes nothing unless a migration is needed.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, None)
    }

    /// Opens an encrypted project with its passphrase (a plain project opens as it is). A wrong
    /// passphrase is an error, and nothing is written.
    pub fn open_encrypted(path: &Path, key: &Passphrase) -> Result<Self> {
        Self::open_with(path, Some(key))
    }

    /// Another connection to the same project, keyed the same way (a worker thread's).
    pub fn reopen(&self) -> Result<Self> {
        match &self.path {
            Some(path) => Self::open_with(path, self.key.as_ref()),
            None => Err(StoreError::Refused(
                "an in-memory project cannot be reopened".into(),
            )),
        }
    }

    /// Whether the project is encrypted.
    #[must_use]
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The passphrase, to open files that belong with this project (its rater files, its backups).
    #[must_use]
    pub fn passphrase(&self) -> Option<&Passphrase> {
        self.key.as_ref()
    }

    fn open_with(path: &Path, key: Option<&Passphrase>) -> Result<Self> {
        let key = key::key_for(path, key)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not_a_project(path, &e.to_string()))?;
        key::unlock(&conn, key.as_ref(), path)?;
        let mut store = Self {
            conn,
            path: Some(path.to_path_buf()),
            key,
        };
        store
            .configure()
            .map_err(|e| not_a_project(path, &e.to_string()))?;
        check_application_id(&store.conn, path)?;
        store.migrate()?;
        Ok(store)
    }

    /// A project held in memory (tests and scratch work).
    pub fn open_in_memory(name: &str) -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let mut store = Self {
            conn,
            path: None,
            key: None,
        };
        store.initialise(name)?;
        Ok(store)
    }

    /// The project file, or `None` for an in-memory project.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The project's stable id.
    pub fn project_id(&self) -> Result<ProjectId> {
        let text = self
            .meta("project_id")?
            .ok_or_else(|| StoreError::Corrupt("no project id".into()))?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("project id {text:?} is not a UUID")))
    }

    /// The project's name.
    pub fn project_name(&self) -> Result<String> {
        Ok(self.meta("name")?.unwrap_or_default())
    }

    /// `PRAGMA integrity_check`: `Ok(())` when the file is sound, else the problems SQLite lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(if rows == ["ok"] { Vec::new() } else { rows })
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM project WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "foreign_keys", true)?;
        // FULL: a change whose command returned survives a crash of the process or the machine.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(())
    }

    fn initialise(&mut self, name: &str) -> Result<()> {
        self.configure()?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn
            .pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        self.migrate()?;
        let tx = self.conn.transaction()?;
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
        audit::record(
            &tx,
            "create",
            "project",
            Some(&project_id.to_text()),
            &serde_json::json!({ "name": name }),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i32 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerVersion {
                path: self.path.clone().unwrap_or_default(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        for (from, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", from as i32 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `f` in one transaction: all of it is stored, or nothing. It is a savepoint, so inside
    /// [`Store::atomic`] it becomes part of that one larger transaction.
    fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let sp = self.conn.savepoint()?;
        let out = f(&sp)?;
        sp.commit()?;
        Ok(out)
    }

    /// Runs several changes as ONE transaction: every change `f` makes through the store is
    /// committed together when it returns `Ok`, or none is (and the file is as it was) when it
    /// returns an error.
    pub fn atomic<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.conn
            .execute_batch("SAVEPOINT accord_atomic")
            .map_err(StoreError::from)?;
        match f(self) {
            Ok(out) => {
                self.conn
                    .execute_batch("RELEASE accord_atomic")
                    .map_err(StoreError::from)?;
                Ok(out)
            }
            Err(e) => {
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO accord_atomic; RELEASE accord_atomic");
                Err(e)
            }
        }
    }
}

fn not_a_project(path: &Path, reason: &str) -> StoreError {
    StoreError::NotAProject {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Refuses an SQLite database that Accord did not write (its `application_id` is not ours).
pub(super) fn check_application_id(conn: &Connection, path: &Path) -> Result<()> {
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| not_a_project(path, &e.to_string()))?;
    if app_id == schema::APPLICATION_ID {
        Ok(())
    } else {
        Err(not_a_project(
            path,
            "an SQLite database, but not one Accord wrote",
        ))
    }
}

fn check_magic(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| not_a_project(path, &e.to_string()))?;
    let mut head = [0u8; 16];
    match file.read_exact(&mut head) {
        Ok(()) if &head == SQLITE_MAGIC => Ok(()),
        Ok(()) => Err(not_a_project(path, "the file is not an SQLite database")),
        Err(_) => Err(not_a_project(
            path,
            "the file is empty or too short to be a project",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_open_and_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let store = Store::create(&path, "Test").unwrap();
        let id = store.project_id().unwrap();
        drop(store);
        assert!(matches!(
            Store::create(&path, "Again"),
            Err(StoreError::AlreadyExists(_))
        ));
        let store = Store::open(&path).unwrap();
        assert_eq!(store.project_id().unwrap(), id);
        assert_eq!(store.project_name().unwrap(), "Test");
        assert!(store.integrity_check().unwrap().is_empty());
        let journal: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
    }

    #[test]
    fn refuses_files_that_are_not_projects() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.accord");
        std::fs::write(&text, "just some text, long enough to read a header").unwrap();
        assert!(matches!(
            Store::open(&text),
            Err(StoreError::NotAProject { .. })
        ));
        let empty = dir.path().join("empty.accord");
        std::fs::write(&empty, "").unwrap();
        assert!(matches!(
            Store::open(&empty),
            Err(StoreError::NotAProject { .. })
        ));
        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t(x)")
            .unwrap();
        let err = Store::open(&other).unwrap_err();
        assert!(err.to_string().contains("not one Accord wrote"), "{err}");
        assert!(matches!(
            Store::open(&dir.path().join("missing.accord")),
            Err(StoreError::NotAProject { .. })
        ));
    }

    #[test]
    fn triggers_refuse_to_rewrite_text_or_codings() {
        use crate::model::{CodingId, RaterKind, Span};
        let mut store = Store::open_in_memory("t").unwrap();
        let imported = crate::import::read_transcript_bytes(
            Path::new("P01.txt"),
            b"Interviewer: Hi.\n\nP01: Hello there.\n",
            crate::model::SourceFormat::Txt,
            &crate::import::ImportOptions::default(),
        )
        .unwrap();
        let t = imported.transcript;
        store.insert_transcript(&t, Some("P01")).unwrap();
        let book =
            crate::import::codebook_toml::parse("[codebook]\nname='b'\n[[codes]]\nname='A'\n")
                .unwrap();
        store.import_codebook(&book, "b").unwrap();
        let rater = store.add_rater("Ana", RaterKind::Human).unwrap();
        let coding = NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: t.transcript_id,
            code_id: book.codes[0].code_id,
            rater_id: rater.rater_id,
            span: Span::new(23, 28),
            memo: None,
            created_at: None,
        };
        store.add_codings(&[coding], "code").unwrap();
        let err = store
            .conn
            .execute("UPDATE transcripts SET text = 'x'", [])
            .unwrap_err();
        assert!(err.to_string().contains("frozen"), "{err}");
        let err = store
            .conn
            .execute("UPDATE codings SET start_char = 0", [])
            .unwrap_err();
        assert!(err.to_string().contains("never rewritten"), "{err}");
        let err = store.add_codings(
            &[NewCoding {
                coding_id: CodingId::new_random(),
                span: Span::new(20, 99),
                ..coding_template(&t, &book, &rater)
            }],
            "code",
        );
        assert!(matches!(err, Err(StoreError::Span { .. })));
    }

    fn coding_template(
        t: &crate::model::Transcript,
        book: &crate::model::Codebook,
        rater: &crate::model::Rater,
    ) -> NewCoding {
        NewCoding {
            coding_id: crate::model::CodingId::new_random(),
            transcript_id: t.transcript_id,
            code_id: book.codes[0].code_id,
            rater_id: rater.rater_id,
            span: crate::model::Span::new(0, 1),
            memo: None,
            created_at: None,
        }
    }

    #[test]
    fn refuses_a_newer_schema_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let store = Store::create(&path, "Test").unwrap();
        store
            .conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(store);
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerVersion { found, .. } if found == SCHEMA_VERSION + 1)
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
