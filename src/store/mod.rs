//! The project store: one SQLite file per project (`*.accord`), WAL, foreign keys on, schema versioned
//! with migrations. This module is the ONLY place in Accord with SQL. Every change is one transaction
//! and writes an audit record in that same transaction: `Store::write` takes a closure that
//! returns an `audit::Audited` value, which only audit records make, and stores them before it
//! commits.
//!
//! This file holds opening, configuration, transactions and errors. Each table group has its file
//! with its reads and writes (`project` identity and settings, `transcripts`, `cases`, `codebook`,
//! `codings`, `raters`, `memos`, `proposals`, `rounds`, `adjudication`, `steps`, `audit`); `schema`
//! holds the migrations; `api` the traits by concept that the application layer reads and writes
//! through (writes are visible only inside the crate). Whole-file operations have theirs (`backup`,
//! `key`, `lock`, `erase`, `deidentify`, `team`, `merge`).

mod adjudication;
pub mod api;
mod audit;
mod backup;
mod cases;
mod codebook;
mod codings;
mod correct;
mod correction_proposals;
mod deidentify;
mod edit;
mod erase;
mod key;
mod lock;
mod memos;
mod merge;
mod project;
mod proposals;
mod raters;
mod rounds;
mod schema;
mod steps;
mod team;
mod transcripts;
mod undo;
mod writing;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::model::SpanError;
use crate::model::quoting::shell_word;
use audit::{Audit, Audited};

pub use audit::AuditEntry;
pub use backup::{BY_HAND, BackupInfo, KEEP_BACKUPS, backups_dir, list_backups};
pub use deidentify::{NewVersion, name_hash};
pub use erase::is_disk_full;
pub use key::{Encrypted, MIN_PASSPHRASE_CHARS, Passphrase};
pub use lock::ExclusiveGuard;
pub use merge::{MergeDetail, MergeReport, RaterWork};
pub use schema::SCHEMA_VERSION;
pub use steps::StepRecord;
pub use team::RaterFileSpec;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error. (Its message is printed here, once: it is not a `source` too, so
    /// a printed error chain does not repeat it.)
    #[error("project file error: {}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
    /// The project file is damaged (SQLite finds it corrupt, or a stored value cannot be read).
    /// `path` is `None` where the store does not know the file (a read deep inside a command); the
    /// command line names it.
    #[error("{}", damaged_message(path.as_deref(), detail))]
    Damaged {
        /// The file, when known.
        path: Option<PathBuf>,
        /// What SQLite or the decoder said.
        detail: String,
    },
    /// Nothing can be written beside the project: its folder is read-only, or the disk is full.
    #[error("{}", cannot_write_message(path.as_deref(), detail))]
    CannotWrite {
        /// The file, when known.
        path: Option<PathBuf>,
        /// What SQLite said.
        detail: String,
    },
    /// The path is not a regular file (a folder, a FIFO, a device): nothing was opened.
    #[error("{}: not a regular file ({kind}); give the project file (*.accord)", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The schema is not one Accord wrote (tables at schema version 0: a half-migrated file, or
    /// one edited by hand). Nothing was changed.
    #[error("{}: the project's schema is not one Accord wrote ({detail}): it may be half-migrated; see `accord restore --list {}`", path.display(), shell_word(path))]
    BadSchema {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
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
    /// This process's hold on the project lock (`None` in memory and for files opened read-only).
    lock: Option<std::sync::Arc<lock::ProjectLock>>,
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
        let path = &crate::model::files::canonical(path);
        let held = lock::ProjectLock::acquire(path)?;
        let mut store = Self::create_file(path, name, key)?;
        store.lock = Some(held);
        Ok(store)
    }

    /// Creates a project file that no one else opens yet (a rater file before it is handed over),
    /// without a lock.
    fn create_file(path: &Path, name: &str, key: Option<Passphrase>) -> Result<Self> {
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
            lock: None,
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

    /// Interrupts what this connection runs once `flag` is set (SQLite checks it every few
    /// instructions of every statement, short ones included; the check is an atomic load): the
    /// statement fails as interrupted and its transaction rolls back, so a long change can be
    /// stopped without being half done. `None` stops watching.
    pub fn interrupt_when(
        &mut self,
        flag: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    ) -> Result<()> {
        match flag {
            Some(flag) => self.conn.progress_handler(
                8,
                Some(move || flag.load(std::sync::atomic::Ordering::Relaxed)),
            )?,
            None => self.conn.progress_handler(0, None::<fn() -> bool>)?,
        }
        Ok(())
    }

    /// What it takes to open another connection to the same project, to do it elsewhere: on a
    /// worker thread, an encrypted project's key derivation (a few hundred milliseconds) holds
    /// up no one.
    #[must_use]
    pub fn reopener(&self) -> Reopener {
        Reopener {
            path: self.path.clone(),
            key: self.key.clone(),
        }
    }

    /// Another connection to the same project, keyed the same way (a worker thread's).
    pub fn reopen(&self) -> Result<Self> {
        self.reopener().open()
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
        let path: &Path = &crate::model::files::canonical(path);
        let held = lock::ProjectLock::acquire(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(path, e))?;
        key::unlock(&conn, key.as_ref(), path)?;
        let mut store = Self {
            conn,
            path: Some(path.to_path_buf()),
            key,
            lock: Some(held),
        };
        store.configure().map_err(|e| open_error(path, e))?;
        check_application_id(&store.conn, path)?;
        store.migrate().map_err(|e| e.naming(path))?;
        store.remove_leftovers_on_open();
        Ok(store)
    }

    /// Opens a project to read it: as [`Store::open_encrypted`] (or [`Store::open`] without a
    /// passphrase) where it can be written, and read-only where nothing can be written beside it
    /// (a read-only folder, a full disk). Whether it was opened read-only: [`Store::is_read_only`].
    pub fn open_for_reading(path: &Path, key: Option<&Passphrase>) -> Result<Self> {
        match Self::open_with(path, key) {
            Err(StoreError::CannotWrite { .. }) => Self::open_read_only(path, key),
            other => other,
        }
    }

    /// Whether this connection can only read the project (see [`Store::open_for_reading`]).
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
    }

    /// `PRAGMA quick_check`: an error naming the file when SQLite finds it damaged. Run before
    /// writing to a project or backing it up, so that damage is neither built on nor copied into
    /// the backups.
    pub fn check_sound(&self) -> Result<()> {
        let path = self.path.clone().unwrap_or_default();
        let rows = (|| {
            let mut stmt = self.conn.prepare("PRAGMA quick_check")?;
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })()
        .map_err(|e| open_error(&path, e))?;
        if rows == ["ok"] {
            // SQLite's check reads every page but not the bytes of a text: noise there shows
            // only when the text is read, so read each once.
            match self.check_texts().map_err(|e| open_error(&path, e))? {
                None => Ok(()),
                Some(detail) => Err(StoreError::Damaged {
                    path: Some(path),
                    detail,
                }),
            }
        } else {
            // SQLite heads its list with the database's name ("*** in database main ***").
            let rows: Vec<String> = rows
                .iter()
                .flat_map(|r| r.lines())
                .filter(|l| !l.starts_with("*** in database"))
                .map(str::to_string)
                .collect();
            let first = rows.first().map_or("", String::as_str);
            Err(StoreError::Damaged {
                path: Some(path),
                detail: format!(
                    "SQLite's check finds {} problem{}, the first: {}",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" },
                    first.chars().take(120).collect::<String>()
                ),
            })
        }
    }

    /// A project held in memory (tests and scratch work).
    pub fn open_in_memory(name: &str) -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let mut store = Self {
            conn,
            path: None,
            key: None,
            lock: None,
        };
        store.initialise(name)?;
        Ok(store)
    }

    /// The project file, or `None` for an in-memory project.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// `PRAGMA integrity_check`: `Ok(())` when the file is sound, else the problems SQLite lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(if rows == ["ok"] { Vec::new() } else { rows })
    }

    /// The first stored text that is not valid UTF-8, if any (the table it is in).
    fn check_texts(&self) -> rusqlite::Result<Option<String>> {
        let tables: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for table in tables {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
            let columns = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..columns {
                    if let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(i)?
                        && std::str::from_utf8(bytes).is_err()
                    {
                        return Ok(Some(format!(
                            "a text in its {table} table is not valid UTF-8"
                        )));
                    }
                }
            }
        }
        Ok(None)
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "foreign_keys", true)?;
        // FULL: a change whose command returned survives a crash of the process or the machine.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(())
    }

    /// Runs `f` in one transaction: all of it is stored, with the audit records `f` returns, or
    /// nothing. Outside any transaction it begins `IMMEDIATE` (the write lock is taken first, so
    /// another process's write makes it wait up to the busy timeout instead of failing after a
    /// read); inside [`Store::atomic`] it is a savepoint, part of that one larger transaction.
    /// Every change to project data goes through here, so none is stored without its record.
    fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<Audited<T>>) -> Result<T> {
        let before = self.conn.total_changes();
        if self.conn.is_autocommit() {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?.store(&tx, before)?;
            tx.commit()?;
            Ok(out)
        } else {
            let sp = self.conn.savepoint()?;
            let out = f(&sp)?.store(&sp, before)?;
            sp.commit()?;
            Ok(out)
        }
    }

    /// Opens a transaction that the changes made until [`Store::commit_group`] join (each still in
    /// its own savepoint, so one that fails rolls back alone): many small changes are then
    /// written, and synced to disk, once. Returns false, and opens nothing, when a transaction is
    /// already open.
    pub(crate) fn begin_group(&mut self) -> Result<bool> {
        if !self.conn.is_autocommit() {
            return Ok(false);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(true)
    }

    /// Whether the transaction [`Store::begin_group`] opened is still open (SQLite ends it itself,
    /// rolling it back, after a full disk or an I/O error).
    #[must_use]
    pub(crate) fn group_open(&self) -> bool {
        !self.conn.is_autocommit()
    }

    /// Commits what was changed since [`Store::begin_group`]; on failure nothing of it is kept.
    pub(crate) fn commit_group(&mut self) -> Result<()> {
        if self.conn.is_autocommit() {
            return Err(StoreError::Refused(
                "the changes were rolled back by SQLite before they could be committed".into(),
            ));
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// Runs several changes as ONE transaction: every change `f` makes through the store is
    /// committed together when it returns `Ok`, or none is (and the file is as it was) when it
    /// returns an error.
    pub(crate) fn atomic<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        // Outermost: BEGIN IMMEDIATE (the write lock first, as in `write`); nested: a savepoint.
        let outer = self.conn.is_autocommit();
        let (begin, commit, rollback) = if outer {
            ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        } else {
            (
                "SAVEPOINT accord_atomic",
                "RELEASE accord_atomic",
                "ROLLBACK TO accord_atomic; RELEASE accord_atomic",
            )
        };
        self.conn.execute_batch(begin).map_err(StoreError::from)?;
        match f(self) {
            Ok(out) => match self.conn.execute_batch(commit) {
                Ok(()) => Ok(out),
                Err(e) => {
                    if outer && !self.conn.is_autocommit() {
                        let _ = self.conn.execute_batch(rollback);
                    }
                    Err(StoreError::from(e).into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch(rollback);
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

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        classify(e)
    }
}

impl StoreError {
    /// Names the project file in an error that could not name it where it arose (damage, or
    /// nothing can be written beside the file); other errors are returned as they are.
    #[must_use]
    pub fn naming(self, file: &Path) -> Self {
        match self {
            Self::Damaged { path: None, detail } => Self::Damaged {
                path: Some(file.to_path_buf()),
                detail,
            },
            Self::CannotWrite { path: None, detail } => Self::CannotWrite {
                path: Some(file.to_path_buf()),
                detail,
            },
            other => other,
        }
    }

    /// Whether the error says the project file is damaged (SQLite finds it corrupt, a value in it
    /// cannot be read, or its schema is not one Accord wrote).
    #[must_use]
    pub fn is_damage(&self) -> bool {
        matches!(self, Self::Damaged { .. } | Self::BadSchema { .. })
    }
}

/// Sorts an SQLite error: a damaged file, and a file nothing can be written beside, get their own
/// errors (named by [`StoreError::naming`] where the file is known).
fn classify(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let damaged = |detail: String| StoreError::Damaged { path: None, detail };
    match &e {
        rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => damaged(sqlite_message(&e)),
            ErrorCode::ReadOnly
            | ErrorCode::CannotOpen
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull => StoreError::CannotWrite {
                path: None,
                detail: sqlite_message(&e),
            },
            _ => StoreError::Sqlite(e),
        },
        rusqlite::Error::Utf8Error(..) => damaged("a stored text is not valid UTF-8".into()),
        rusqlite::Error::FromSqlConversionFailure(..) => damaged(format!(
            "a stored value cannot be read: {}",
            sqlite_message(&e)
        )),
        _ => StoreError::Sqlite(e),
    }
}

/// An error from opening `path`: as [`classify`], naming the file; what is neither damage nor a
/// failure to write says the file is not an Accord project.
fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match classify(e) {
        StoreError::Sqlite(e) => not_a_project(path, &sqlite_message(&e)),
        other => other.naming(path),
    }
}

/// SQLite's message, once: never the SQL text of a statement (a migration is 200 lines).
fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(failure, Some(msg)) => {
            let plain = rusqlite::ffi::code_to_str(failure.extended_code);
            if msg == plain || msg.contains(plain) {
                msg.clone()
            } else {
                format!("{msg} ({plain})")
            }
        }
        rusqlite::Error::SqliteFailure(failure, None) => {
            rusqlite::ffi::code_to_str(failure.extended_code).to_string()
        }
        other => other.to_string(),
    }
}

fn damaged_message(path: Option<&Path>, detail: &str) -> String {
    match path {
        Some(p) => format!(
            "{}: the project file is damaged ({detail}): see \
             `accord restore --list {}` for a backup to put back",
            p.display(),
            shell_word(p)
        ),
        None => format!(
            "the project file is damaged ({detail}): see \
             `accord restore --list <file>` for a backup to put back"
        ),
    }
}

fn cannot_write_message(path: Option<&Path>, detail: &str) -> String {
    let file = path.map_or_else(|| "file".to_string(), |p| p.display().to_string());
    format!(
        "cannot write beside the project {file} (read-only folder or full disk: {detail}); \
         nothing was changed. Copy the project to a folder you can write to, or free some space"
    )
}

/// A `file:` URI for `path` with query `params` (SQLite reads `mode=ro`, `immutable=1`).
fn file_uri(path: &Path, params: &str) -> String {
    let text = path.to_string_lossy();
    let mut uri = String::from("file:");
    if cfg!(windows) && path.is_absolute() {
        uri.push('/');
    }
    for b in text.bytes() {
        match b {
            b'\\' if cfg!(windows) => uri.push('/'),
            b if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) => uri.push(b as char),
            b => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                uri.push('%');
                uri.push(char::from(HEX[usize::from(b >> 4)]));
                uri.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
    uri.push('?');
    uri.push_str(params);
    uri
}

/// Opens `path` to read only, keyed with `key`, and reads it once: with `mode=ro`, and where that
/// cannot read it (the write-ahead log's index cannot be created beside it: a read-only folder, a
/// full disk) as immutable.
pub(super) fn read_only_connection(path: &Path, key: Option<&Passphrase>) -> Result<Connection> {
    let tries = ["mode=ro", "mode=ro&immutable=1"];
    for (i, params) in tries.iter().enumerate() {
        let conn = Connection::open_with_flags(
            file_uri(path, params),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(path, e))?;
        let read = key::unlock(&conn, key, path)
            .and_then(|()| read_once(&conn).map_err(|e| open_error(path, e)));
        match read {
            Ok(()) => return Ok(conn),
            Err(StoreError::CannotWrite { .. }) if i + 1 < tries.len() => {}
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::CannotWrite {
        path: Some(path.to_path_buf()),
        detail: "cannot open it to read".into(),
    })
}

/// Reads the file once (its list of tables): where a passphrase is wrong, or nothing can be read,
/// this is where SQLite says so.
fn read_once(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
}

/// Refuses an SQLite database that Accord did not write (its `application_id` is not ours).
pub(super) fn check_application_id(conn: &Connection, path: &Path) -> Result<()> {
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| open_error(path, e))?;
    if app_id == schema::APPLICATION_ID {
        Ok(())
    } else {
        Err(not_a_project(
            path,
            "an SQLite database, but not one Accord wrote",
        ))
    }
}

/// Refuses what is not a regular file (after following links) before anything opens it: a folder,
/// a FIFO (reading it would block), a device.
fn check_regular_file(path: &Path) -> Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_a_project(path, "there is no such file"));
        }
        Err(e) => return Err(not_a_project(path, &e.to_string())),
    };
    match crate::model::files::not_regular(meta.file_type()) {
        None => Ok(()),
        Some(kind) => Err(StoreError::NotAFile {
            path: path.to_path_buf(),
            kind,
        }),
    }
}

fn check_magic(path: &Path) -> Result<()> {
    use std::io::Read;
    check_regular_file(path)?;
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

/// Another connection to a project, to be opened elsewhere ([`Store::reopener`]).
#[derive(Debug, Clone)]
pub struct Reopener {
    path: Option<PathBuf>,
    key: Option<Passphrase>,
}

impl Reopener {
    /// Opens the connection (see [`Store::reopen`]).
    pub fn open(&self) -> Result<Store> {
        match &self.path {
            Some(path) => Store::open_with(path, self.key.as_ref()),
            None => Err(StoreError::Refused(
                "an in-memory project cannot be reopened".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewCoding;

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
    fn a_set_stop_flag_interrupts_a_change_which_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let mut store = Store::create(&path, "Test").unwrap();
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        store.interrupt_when(Some(flag.clone())).unwrap();
        // Watched but not set: a change goes through.
        store
            .add_rater("Ana", crate::model::RaterKind::Human)
            .unwrap();
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
        let stopped = store
            .atomic(|s| -> Result<()> {
                s.add_rater("Ben", crate::model::RaterKind::Human)?;
                s.add_rater("Cy", crate::model::RaterKind::Human)?;
                Ok(())
            })
            .unwrap_err();
        assert!(stopped.to_string().contains("interrupt"), "{stopped}");
        store.interrupt_when(None).unwrap();
        let names: Vec<String> = store
            .raters()
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["Ana"], "nothing of the stopped change is kept");
        store
            .add_rater("Di", crate::model::RaterKind::Human)
            .unwrap();
        assert_eq!(store.raters().unwrap().len(), 2);
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
    fn a_write_after_a_read_waits_for_another_writer_instead_of_failing() {
        // A deferred transaction that reads, then writes after another connection committed,
        // meets SQLITE_BUSY_SNAPSHOT, which the busy timeout does not wait for. Begun IMMEDIATE,
        // the other writer waits instead, and both changes are kept.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        drop(Store::create(&path, "Test").unwrap());
        let mut first = Store::open(&path).unwrap();
        let other = path.clone();
        first
            .atomic(|store| {
                store.raters()?;
                let writer = std::thread::Builder::new()
                    .name("second-writer".into())
                    .spawn(move || {
                        Store::open(&other)
                            .unwrap()
                            .add_rater("Ben", crate::model::RaterKind::Human)
                            .map(|_| ())
                    })
                    .unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
                store.add_rater("Ana", crate::model::RaterKind::Human)?;
                Ok::<_, StoreError>(writer)
            })
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(Store::open(&path).unwrap().raters().unwrap().len(), 2);
        // `write` on its own begins IMMEDIATE too; inside `atomic` it is a savepoint.
        assert!(first.conn.is_autocommit());
        first
            .atomic(|store| {
                store.add_rater("Cy", crate::model::RaterKind::Human)?;
                assert!(!store.conn.is_autocommit());
                Err::<(), _>(StoreError::Refused("no".into()))
            })
            .unwrap_err();
        assert_eq!(first.raters().unwrap().len(), 2, "rolled back");
    }

    #[test]
    fn sqlite_errors_are_said_once_and_damage_is_named() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(5),
            Some("database is locked".into()),
        );
        let shown = format!("{:#}", anyhow::Error::from(StoreError::from(busy)));
        assert_eq!(shown, "project file error: database is locked");
        let utf8 = String::from_utf8(vec![b'a', 0xff])
            .unwrap_err()
            .utf8_error();
        let err = StoreError::from(rusqlite::Error::Utf8Error(4, utf8));
        assert!(err.is_damage());
        let named = err.naming(Path::new("/tmp/my p.accord")).to_string();
        assert!(
            named.starts_with("/tmp/my p.accord: the project file is damaged (")
                && named.contains("`accord restore --list '/tmp/my p.accord'`"),
            "{named}"
        );
        let shown = format!(
            "{:#}",
            anyhow::Error::from(StoreError::from(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(11),
                Some("database disk image is malformed".into()),
            )))
        );
        assert_eq!(shown.matches("malformed").count(), 1, "{shown}");
        assert_eq!(shell_word(Path::new("a/b-c.accord")), "a/b-c.accord");
        assert_eq!(shell_word(Path::new("it's.accord")), "'it'\\''s.accord'");
    }

    #[test]
    fn a_damaged_file_fails_the_quick_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let mut store = Store::create(&path, "Test").unwrap();
        for i in 0..300 {
            store
                .add_rater(&format!("Rater number {i}"), crate::model::RaterKind::Human)
                .unwrap();
        }
        store.check_sound().unwrap();
        drop(store);
        // Noise over the header of the second page (a table's root): SQLite's check sees it.
        let mut bytes = std::fs::read(&path).unwrap();
        let page: usize = 4096;
        for b in &mut bytes[page..page + 64] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path)
            .and_then(|s| s.check_sound())
            .unwrap_err();
        assert!(err.is_damage(), "{err}");
        assert!(
            err.to_string()
                .contains("p.accord: the project file is damaged"),
            "{err}"
        );
    }

    #[test]
    fn not_a_regular_file_is_refused_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotAFile {
                    kind: "a folder",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string().contains("not a regular file (a folder)"),
            "{err}"
        );
    }

    #[test]
    fn a_project_opens_read_only_where_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("my project #1?.accord");
        let mut store = Store::create(&path, "Test").unwrap();
        store
            .add_rater("Ana", crate::model::RaterKind::Human)
            .unwrap();
        drop(store);
        let mut ro = Store::open_read_only(&path, None).unwrap();
        assert!(ro.is_read_only());
        assert_eq!(ro.raters().unwrap().len(), 1);
        let err = ro
            .add_rater("Ben", crate::model::RaterKind::Human)
            .unwrap_err();
        assert!(matches!(err, StoreError::CannotWrite { .. }), "{err}");
        assert!(!Store::open_for_reading(&path, None).unwrap().is_read_only());
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
