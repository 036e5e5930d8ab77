//! Keeping the index in step with the store. The index lives beside the project (`<file>.index/`,
//! beside the file a symbolic link points to): `turns/` holds one document per turn, `passages/` one
//! per coded passage (the part of a coding inside one turn), and a small sidecar
//! (`accord-index.json`) records the schema version, the project id and two fingerprints per
//! transcript (its turns, its passages). Opening compares the fingerprints with the store's and
//! re-indexes only what changed (a new coding re-indexes only that transcript's passages); a
//! missing, unreadable, corrupt (checksums) or foreign index is cleared and rebuilt. The sidecar is
//! written after the indexes commit, so a crash in between only makes the next open re-index a few
//! transcripts again.
//!
//! Several processes share the folder (the window, and any number of `accord` commands): a lock
//! file in it (`accord-index.lock`) is held shared while an index is opened and exclusively while it
//! is written, each waited for only briefly. A search never fails because the index is busy or
//! cannot be written: it searches the index as it is (a moment behind) or one built in memory from
//! the store, with a note saying so. A folder at the index path that holds anything Accord did not
//! put there is never touched. The folder and its files take the project file's permissions when
//! those are stricter.
//!
//! A query that names a code or a rater (`code:`, `rater:`) searches the passages, so it finds
//! exactly the text a rater coded with that code; any other query searches the turns.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::index::TranscriptIndex;
use super::query::parse_query;
use super::results::{CodeResolver, SearchError, SearchOptions, SearchResults, TurnDoc};
use super::source::IndexSource;
use crate::model::{CodeLookup, Codebook, CodingFilter, Transcript, TranscriptId};

/// Bump when the schema, the analyzers or what a document holds change: old indexes are rebuilt.
pub const INDEX_VERSION: u32 = 6;

const SIDECAR: &str = "accord-index.json";
const SIDECAR_TMP: &str = "accord-index.json.tmp";
const LOCK: &str = "accord-index.lock";
const TURNS: &str = "turns";
const PASSAGES: &str = "passages";

/// How long opening or updating waits for another process using the index.
const LOCK_WAIT: Duration = Duration::from_secs(5);
/// How long an asked-for rebuild (reindex, erase, de-identification) waits.
const REBUILD_WAIT: Duration = Duration::from_secs(30);

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The index was (re)built from scratch, and why.
    pub rebuilt: Option<String>,
    /// Transcripts whose turns were (re)indexed.
    pub indexed: usize,
    /// Transcripts whose coded passages (only) were re-indexed.
    pub passages: usize,
    /// Transcripts removed from the index.
    pub removed: usize,
}

impl SyncReport {
    fn changed(&self) -> bool {
        self.indexed + self.passages + self.removed > 0
    }

    fn add(&mut self, other: &SyncReport) {
        self.rebuilt = self.rebuilt.take().or_else(|| other.rebuilt.clone());
        self.indexed += other.indexed;
        self.passages += other.passages;
        self.removed += other.removed;
    }
}

/// What the index holds of one transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    turns: String,
    passages: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Sidecar {
    version: u32,
    project_id: String,
    fingerprints: BTreeMap<String, Fingerprint>,
}

/// A project's search index, kept in step with its store.
pub struct ProjectIndex {
    turns: TranscriptIndex,
    passages: TranscriptIndex,
    dir: Option<PathBuf>,
    sidecar: Sidecar,
    /// The project file's permission bits (Unix), which the folder and its files never exceed.
    mode: Option<u32>,
    /// What the user should know about this index (busy, left alone, built in memory instead).
    notes: Vec<String>,
}

impl std::fmt::Debug for ProjectIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectIndex")
            .field("dir", &self.dir)
            .field("transcripts", &self.sidecar.fingerprints.len())
            .field("notes", &self.notes)
            .finish_non_exhaustive()
    }
}

/// The index folder of a project file: `<file>.index`, beside the file itself (the path is made
/// canonical first, so a project reached through a symbolic link or another spelling of its path
/// has one index).
#[must_use]
pub fn index_dir(project: &Path) -> PathBuf {
    crate::model::files::companion(&crate::model::files::canonical(project), ".index")
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Store(e.to_string())
}

/// What is at the index path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Folder {
    Missing,
    /// A folder holding only what Accord (or tantivy for it) puts there; possibly empty.
    Accords,
    /// Anything else, and why it is not Accord's.
    Foreign(String),
}

/// A file tantivy keeps in an index folder: its meta files, locks and temporary files, and segment
/// files named by a 32-digit hex id (`<id>.idx`, `<id>.<opstamp>.del`).
fn tantivy_file(name: &str) -> bool {
    if matches!(name, "meta.json" | ".managed.json") || name.starts_with(".tantivy-") {
        return true;
    }
    if name.starts_with(".tmp") {
        return true;
    }
    let (id, rest) = name.split_at(name.len().min(32));
    id.len() == 32
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && rest.starts_with('.')
        && rest[1..]
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Looks at what is at the index path without changing anything. Conservative: a folder is
/// Accord's only when every entry in it is one Accord or tantivy makes (the sidecar, its lock, the
/// `turns` and `passages` indexes holding only tantivy files, or an older layout's tantivy files).
fn classify(dir: &Path) -> Folder {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Folder::Missing,
        Err(e) => return Folder::Foreign(format!("cannot be read ({e})")),
    };
    if meta.file_type().is_symlink() {
        return Folder::Foreign("is a symbolic link".into());
    }
    if !meta.is_dir() {
        return Folder::Foreign("is a file".into());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return Folder::Foreign(format!("cannot be read ({e})")),
    };
    for entry in entries {
        let Ok(entry) = entry else {
            return Folder::Foreign("cannot be read".into());
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            return Folder::Foreign(format!("holds {name}, which cannot be read"));
        };
        let ours = if kind.is_dir() {
            (name == TURNS || name == PASSAGES) && holds_only_tantivy_files(&entry.path())
        } else {
            kind.is_file()
                && (matches!(name.as_str(), SIDECAR | SIDECAR_TMP | LOCK) || tantivy_file(&name))
        };
        if !ours {
            return Folder::Foreign(format!("holds {name}, which Accord did not put there"));
        }
    }
    Folder::Accords
}

fn holds_only_tantivy_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.into_iter().all(|entry| {
            entry.is_ok_and(|e| {
                e.file_type().is_ok_and(|t| t.is_file())
                    && tantivy_file(&e.file_name().to_string_lossy())
            })
        })
    })
}

/// The note for a folder at the index path that is not Accord's.
fn foreign_note(dir: &Path, why: &str) -> String {
    format!(
        "{} {why}: it is not an Accord index; leaving it alone (searched an index built in memory; move it away to let Accord keep its index there)",
        dir.display()
    )
}

/// The folder bits that match a file's: whoever may read the file may list the folder.
fn folder_mode(file_mode: u32) -> u32 {
    let mut mode = 0;
    for shift in [6, 3, 0] {
        let bits = (file_mode >> shift) & 0o7;
        if bits & 0o4 != 0 {
            mode |= (0o5 | (bits & 0o2)) << shift;
        }
    }
    mode
}

/// Takes away from the folder and everything in it the permissions the project file does not
/// give (never adds any). Best effort: the index holds nothing the project does not.
fn restrict(dir: &Path, mode: Option<u32>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fn walk(path: &Path, file_mode: u32) {
            let Ok(meta) = std::fs::symlink_metadata(path) else {
                return;
            };
            if meta.file_type().is_symlink() {
                return;
            }
            let allowed = if meta.is_dir() {
                folder_mode(file_mode)
            } else {
                file_mode
            };
            let current = meta.permissions().mode() & 0o777;
            if current & !allowed != 0 {
                let _ = std::fs::set_permissions(
                    path,
                    std::fs::Permissions::from_mode(current & allowed),
                );
            }
            if meta.is_dir()
                && let Ok(entries) = std::fs::read_dir(path)
            {
                for entry in entries.flatten() {
                    walk(&entry.path(), file_mode);
                }
            }
        }
        if let Some(mode) = mode {
            walk(dir, mode);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, mode);
    }
}

/// Makes a folder with no more permissions than the project file gives.
fn create_folder(dir: &Path, mode: Option<u32>) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(folder_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    match builder.create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// A lock on the index folder (released when dropped).
struct FolderLock {
    _file: File,
}

enum LockFailure {
    /// Another process held it for the whole wait.
    Busy,
    /// The lock file cannot be opened or locked.
    Unavailable(std::io::Error),
}

fn lock_folder(dir: &Path, exclusive: bool, wait: Duration) -> Result<FolderLock, LockFailure> {
    let path = dir.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .or_else(|e| if exclusive { Err(e) } else { File::open(&path) })
        .map_err(LockFailure::Unavailable)?;
    match crate::model::files::lock_within(&file, exclusive, wait) {
        Ok(true) => Ok(FolderLock { _file: file }),
        Ok(false) => Err(LockFailure::Busy),
        Err(e) => Err(LockFailure::Unavailable(e)),
    }
}

/// The exclusive lock for writing, or the error that says why not.
fn lock_for_writing(dir: &Path, wait: Duration) -> Result<FolderLock, SearchError> {
    lock_folder(dir, true, wait).map_err(|failure| match failure {
        LockFailure::Busy => SearchError::Busy(format!(
            "{}: another Accord process is updating the search index",
            dir.display()
        )),
        LockFailure::Unavailable(e) => err(format!(
            "{}: cannot lock the search index for writing: {e}",
            dir.display()
        )),
    })
}

/// Removes what is in an index folder (all of it Accord's, checked again under the lock), keeping
/// the lock file.
fn clear_folder(dir: &Path) -> Result<(), SearchError> {
    if let Folder::Foreign(why) = classify(dir) {
        return Err(SearchError::Foreign(format!(
            "{} {why}: it is not an Accord index; leaving it alone",
            dir.display()
        )));
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| err(format!("{}: cannot read: {e}", dir.display())))?;
    for entry in entries.flatten() {
        if entry.file_name() == LOCK {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| {
            err(format!(
                "{}: cannot remove the old index: {e}",
                path.display()
            ))
        })?;
    }
    Ok(())
}

/// What became of the plaintext index folder of a project that is now encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexRemoval {
    /// There was none.
    Missing,
    /// It was Accord's, and it is gone.
    Removed,
    /// Something at the index path is not Accord's: left alone (the note says why).
    Foreign(String),
    /// It was Accord's but could not be removed (the note says why and what to do).
    Failed(String),
}

/// Removes the plaintext index folder `dir` of a project that is now encrypted, only when
/// everything in it is Accord's (as a rebuild checks): a folder of the user's at that path is left
/// alone.
#[must_use]
pub fn remove_plaintext_index(dir: &Path) -> IndexRemoval {
    match classify(dir) {
        Folder::Missing => IndexRemoval::Missing,
        Folder::Foreign(why) => IndexRemoval::Foreign(format!(
            "{} {why}: it is not an Accord index; leaving it alone",
            dir.display()
        )),
        Folder::Accords => match std::fs::remove_dir_all(dir) {
            Ok(()) => IndexRemoval::Removed,
            Err(e) => IndexRemoval::Failed(format!(
                "{}: cannot remove the plaintext search index this project had before it was encrypted: {e}; delete the folder",
                dir.display()
            )),
        },
    }
}

/// How an index folder is taken up under the exclusive lock.
enum Take {
    /// Open what is there (checking its files' checksums or not); rebuild it if it cannot be used.
    Reopen { validate: bool },
    /// Clear it and build it again, for this reason.
    Rebuild(String),
}

impl ProjectIndex {
    /// Opens (or builds) the index of a project and brings it up to date. An in-memory store gets an
    /// in-memory index, and so does an encrypted project: its index is built in memory when it is
    /// opened and never written to disk, so no transcript text is left readable beside the
    /// encrypted file (a plaintext index a plain project once had there is removed).
    ///
    /// Problems with the index itself never fail this: when the index is busy it is searched as it
    /// is; when it cannot be opened, built or updated, or the folder is not Accord's, an index is
    /// built in memory from the store instead. [`Self::notes`] says what happened.
    pub fn open(store: &impl IndexSource) -> Result<(Self, SyncReport), SearchError> {
        let project_id = store.project_id().map_err(err)?.to_text();
        match store.path() {
            None => Self::in_memory(store, &project_id, "in-memory project"),
            Some(path) if store.is_encrypted() => {
                let notes = Self::remove_plaintext_index(&index_dir(path));
                let (mut this, report) = Self::in_memory(
                    store,
                    &project_id,
                    "encrypted project: the index is kept in memory",
                )?;
                this.notes = notes;
                Ok((this, report))
            }
            Some(path) => Self::open_on_disk(store, path, &project_id),
        }
    }

    /// Deletes the index and builds it again from the store. Unlike [`Self::open`], failing to
    /// rebuild an index on disk is an error (an erase or a de-identification relies on the old
    /// text being gone); a folder at the index path that is not Accord's is left alone (it holds
    /// none of the project's text) and the index is built in memory, with a note.
    pub fn rebuild(store: &impl IndexSource) -> Result<(Self, SyncReport), SearchError> {
        let project_id = store.project_id().map_err(err)?.to_text();
        let (this, mut report) = match store.path() {
            Some(path) if !store.is_encrypted() => {
                let dir = index_dir(path);
                let mode = crate::model::files::permission_bits(path);
                match classify(&dir) {
                    Folder::Foreign(why) => {
                        let (mut this, report) = Self::in_memory(
                            store,
                            &project_id,
                            "the index folder is not Accord's",
                        )?;
                        this.notes.push(foreign_note(&dir, &why));
                        (this, report)
                    }
                    Folder::Missing | Folder::Accords => {
                        create_folder(&dir, mode)
                            .map_err(|e| err(format!("{}: cannot create: {e}", dir.display())))?;
                        let _lock = lock_for_writing(&dir, REBUILD_WAIT)?;
                        Self::take_locked(
                            &dir,
                            store,
                            &project_id,
                            mode,
                            Take::Rebuild("asked for".into()),
                        )?
                    }
                }
            }
            _ => Self::open(store)?,
        };
        report.rebuilt = Some("asked for".into());
        Ok((this, report))
    }

    /// After a change: brings an index on disk up to date, waiting briefly for another process
    /// using it. Nothing is built when there is no index yet (the first search builds it). An
    /// error says what could not be done; the caller reports it as a warning, since the change is
    /// saved and the next search catches the index up.
    pub fn update(store: &impl IndexSource) -> Result<SyncReport, SearchError> {
        let Some(path) = store.path() else {
            return Ok(SyncReport::default());
        };
        if store.is_encrypted() {
            return Ok(SyncReport::default());
        }
        let dir = index_dir(path);
        match classify(&dir) {
            Folder::Missing => Ok(SyncReport::default()),
            Folder::Foreign(why) => Err(SearchError::Foreign(format!(
                "{} {why}: it is not an Accord index; leaving it alone",
                dir.display()
            ))),
            Folder::Accords => {
                let project_id = store.project_id().map_err(err)?.to_text();
                let _lock = lock_for_writing(&dir, LOCK_WAIT)?;
                let (_, report) = Self::take_locked(
                    &dir,
                    store,
                    &project_id,
                    crate::model::files::permission_bits(path),
                    Take::Reopen { validate: false },
                )?;
                Ok(report)
            }
        }
    }

    /// What the user should know about this index: that it was busy and may be a moment behind,
    /// or that it was built in memory instead, and why.
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Takes the notes (for a caller that reports each once).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// An index built in memory from the store.
    pub fn in_memory(
        store: &impl IndexSource,
        project_id: &str,
        why: &str,
    ) -> Result<(Self, SyncReport), SearchError> {
        let mut this = Self::fresh_in_ram(project_id)?;
        let current = fingerprints(store)?;
        let mut report = this.apply(store, current)?;
        report.rebuilt = Some(why.to_string());
        Ok((this, report))
    }

    /// Removes the plaintext index a project had before it was encrypted (see
    /// [`remove_plaintext_index`]); returns notes on what could not be removed.
    fn remove_plaintext_index(dir: &Path) -> Vec<String> {
        match remove_plaintext_index(dir) {
            IndexRemoval::Missing | IndexRemoval::Removed => Vec::new(),
            IndexRemoval::Foreign(note) | IndexRemoval::Failed(note) => vec![note],
        }
    }

    /// Opens the index on disk, building or updating it as needed; falls back as [`Self::open`]
    /// says.
    fn open_on_disk(
        store: &impl IndexSource,
        path: &Path,
        project_id: &str,
    ) -> Result<(Self, SyncReport), SearchError> {
        let dir = index_dir(path);
        let mode = crate::model::files::permission_bits(path);
        let fallback = |note: String| -> Result<(Self, SyncReport), SearchError> {
            let (mut this, report) = Self::in_memory(store, project_id, &note)?;
            this.notes.push(note);
            Ok((this, report))
        };
        match classify(&dir) {
            Folder::Foreign(why) => return fallback(foreign_note(&dir, &why)),
            Folder::Missing => {
                if let Err(e) = create_folder(&dir, mode) {
                    return fallback(format!(
                        "{}: cannot create the search index ({e}); searched an index built in memory",
                        dir.display()
                    ));
                }
            }
            Folder::Accords => {}
        }
        // Read under a shared lock, so that no writer changes the files while they are checked.
        // Without one (a folder that cannot be written), read anyway.
        let opened = {
            let _shared = lock_folder(&dir, false, LOCK_WAIT);
            Self::try_open(&dir, project_id, true)
        };
        match opened {
            Ok(mut this) => {
                this.mode = mode;
                let report = this.catch_up(store)?.unwrap_or_default();
                Ok((this, report))
            }
            Err(reason) => {
                let built = lock_for_writing(&dir, LOCK_WAIT).and_then(|_lock| {
                    Self::take_locked(
                        &dir,
                        store,
                        project_id,
                        mode,
                        Take::Reopen { validate: true },
                    )
                    .map(|(this, mut report)| {
                        report.rebuilt = report.rebuilt.or(Some(reason));
                        (this, report)
                    })
                });
                match built {
                    Ok(done) => Ok(done),
                    Err(SearchError::Busy(why)) => fallback(format!(
                        "{why} (rebuilding it); searched an index built in memory"
                    )),
                    Err(e) => fallback(format!(
                        "{}: the search index cannot be built or updated ({e}); searched an index built in memory; the next search tries again",
                        dir.display()
                    )),
                }
            }
        }
    }

    /// With the exclusive lock held: opens what is in the folder (or clears and rebuilds it) and
    /// brings it up to date with the store, then restricts its permissions.
    fn take_locked(
        dir: &Path,
        store: &impl IndexSource,
        project_id: &str,
        mode: Option<u32>,
        take: Take,
    ) -> Result<(Self, SyncReport), SearchError> {
        let reopened = match take {
            Take::Reopen { validate } => Self::try_open(dir, project_id, validate),
            Take::Rebuild(reason) => Err(reason),
        };
        let (mut this, rebuilt) = match reopened {
            Ok(this) => (this, None),
            Err(reason) => {
                clear_folder(dir)?;
                let create = |name: &str| -> Result<TranscriptIndex, SearchError> {
                    let sub = dir.join(name);
                    create_folder(&sub, mode)
                        .map_err(|e| err(format!("{}: cannot create: {e}", sub.display())))?;
                    Ok(TranscriptIndex::create_in_dir(&sub)?)
                };
                let this = Self {
                    turns: create(TURNS)?,
                    passages: create(PASSAGES)?,
                    dir: Some(dir.to_path_buf()),
                    sidecar: Self::empty_sidecar(project_id),
                    mode,
                    notes: Vec::new(),
                };
                (this, Some(reason))
            }
        };
        this.mode = mode;
        let current = fingerprints(store)?;
        let result = this.apply(store, current);
        restrict(dir, mode);
        let mut report = result?;
        report.rebuilt = rebuilt;
        Ok((this, report))
    }

    fn empty_sidecar(project_id: &str) -> Sidecar {
        Sidecar {
            version: INDEX_VERSION,
            project_id: project_id.into(),
            ..Sidecar::default()
        }
    }

    fn fresh_in_ram(project_id: &str) -> Result<Self, SearchError> {
        Ok(Self {
            turns: TranscriptIndex::create_in_ram()?,
            passages: TranscriptIndex::create_in_ram()?,
            dir: None,
            sidecar: Self::empty_sidecar(project_id),
            mode: None,
            notes: Vec::new(),
        })
    }

    /// Opens an existing index (checking its files' checksums when asked), or says why it must be
    /// rebuilt.
    fn try_open(dir: &Path, project_id: &str, validate: bool) -> Result<Self, String> {
        if !dir.exists() {
            return Err("missing".into());
        }
        // The sidecar is read before the indexes, so they are at least as new as it says.
        let text = std::fs::read_to_string(dir.join(SIDECAR))
            .map_err(|_| "no readable sidecar".to_string())?;
        let sidecar: Sidecar =
            serde_json::from_str(&text).map_err(|_| "unreadable sidecar".to_string())?;
        if sidecar.version != INDEX_VERSION {
            return Err(format!(
                "index version {} (this build writes {INDEX_VERSION})",
                sidecar.version
            ));
        }
        if sidecar.project_id != project_id {
            return Err("it belongs to another project".into());
        }
        let open = |name: &str| -> Result<TranscriptIndex, String> {
            let index = TranscriptIndex::open_in_dir(&dir.join(name))
                .map_err(|e| format!("corrupt ({e})"))?;
            if !validate {
                return Ok(index);
            }
            let damaged = index
                .tantivy_index()
                .validate_checksum()
                .map_err(|e| format!("corrupt ({e})"))?;
            if damaged.is_empty() {
                Ok(index)
            } else {
                Err(format!("corrupt ({} damaged files)", damaged.len()))
            }
        };
        Ok(Self {
            turns: open(TURNS)?,
            passages: open(PASSAGES)?,
            dir: Some(dir.to_path_buf()),
            sidecar,
            mode: None,
            notes: Vec::new(),
        })
    }

    /// Re-indexes the transcripts whose fingerprints changed and drops removed ones. An index on
    /// disk is written under the folder's exclusive lock, waited for briefly
    /// ([`SearchError::Busy`] when another process holds it throughout), from the folder as it is
    /// then (another process may have brought it further meanwhile).
    pub fn sync(&mut self, store: &impl IndexSource) -> Result<SyncReport, SearchError> {
        let current = fingerprints(store)?;
        let Some(dir) = self.dir.clone() else {
            return self.apply(store, current);
        };
        if !self.differs(&current) && dir.join(SIDECAR).exists() {
            return Ok(SyncReport::default());
        }
        let _lock = self.locked_folder(&dir)?;
        self.reopen_locked(&dir, store)
    }

    /// The index folder, made again if it was deleted (never one that is not Accord's), locked for
    /// writing.
    fn locked_folder(&self, dir: &Path) -> Result<FolderLock, SearchError> {
        match classify(dir) {
            Folder::Foreign(why) => {
                return Err(SearchError::Foreign(format!(
                    "{} {why}: it is not an Accord index; leaving it alone",
                    dir.display()
                )));
            }
            // Deleted meanwhile: built again.
            Folder::Missing => create_folder(dir, self.mode)
                .map_err(|e| err(format!("{}: cannot create: {e}", dir.display())))?,
            Folder::Accords => {}
        }
        lock_for_writing(dir, LOCK_WAIT)
    }

    /// With the folder locked: this index becomes the folder's as it is now (another process may
    /// have brought it further), brought up to date with the store; the notes are kept.
    fn reopen_locked(
        &mut self,
        dir: &Path,
        store: &impl IndexSource,
    ) -> Result<SyncReport, SearchError> {
        let project_id = self.sidecar.project_id.clone();
        let (fresh, report) = Self::take_locked(
            dir,
            store,
            &project_id,
            self.mode,
            Take::Reopen { validate: false },
        )?;
        let notes = std::mem::take(&mut self.notes);
        *self = fresh;
        self.notes = notes;
        Ok(report)
    }

    /// [`Self::sync`], never failing because of the index: when another process holds it, this
    /// one stays as it is (a moment behind); when it cannot be written, an index built in memory
    /// takes its place. Either way a note says so. Only reading the store can fail. `None`: the
    /// index was busy and is as it was (try again later).
    pub fn catch_up(
        &mut self,
        store: &impl IndexSource,
    ) -> Result<Option<SyncReport>, SearchError> {
        match self.sync(store) {
            Ok(report) => Ok(Some(report)),
            Err(SearchError::Busy(why)) => {
                self.notes.push(format!(
                    "{why}; searched the index as it is, which may be a moment behind"
                ));
                Ok(None)
            }
            Err(e) => {
                let where_ = self.dir.as_deref().map_or_else(
                    || "the search index".to_string(),
                    |d| d.display().to_string(),
                );
                let note = format!(
                    "{where_}: the search index cannot be updated ({e}); searched an index built in memory"
                );
                let (mut fresh, report) = Self::in_memory(store, &self.sidecar.project_id, &note)?;
                fresh.notes = std::mem::take(&mut self.notes);
                fresh.notes.push(note);
                *self = fresh;
                Ok(Some(report))
            }
        }
    }

    fn differs(&self, current: &BTreeMap<String, Fingerprint>) -> bool {
        current.len() != self.sidecar.fingerprints.len()
            || current
                .iter()
                .any(|(id, fp)| self.sidecar.fingerprints.get(id) != Some(fp))
    }

    /// Writes what changed (under the folder's lock, for an index on disk).
    fn apply(
        &mut self,
        store: &impl IndexSource,
        current: BTreeMap<String, Fingerprint>,
    ) -> Result<SyncReport, SearchError> {
        let report = self.stage(store, current)?;
        self.commit_staged(report.changed())?;
        Ok(report)
    }

    /// Follows a long change (an import) on a connection of its own. Under the folder's lock (for
    /// an index on disk) it brings the index up to date with what the store holds, then stages
    /// what was committed each time `more` says so, without committing the index in between (so
    /// no small segments are made to be merged again); once `more` is closed it stages what is left
    /// and commits. Until then the index on disk is as it was: a crash loses nothing but the work.
    pub fn follow(
        &mut self,
        store: &impl IndexSource,
        more: &std::sync::mpsc::Receiver<()>,
    ) -> Result<SyncReport, SearchError> {
        let mut report = SyncReport::default();
        let _lock = match self.dir.clone() {
            None => None,
            Some(dir) => {
                let lock = self.locked_folder(&dir)?;
                report.add(&self.reopen_locked(&dir, store)?);
                Some(lock)
            }
        };
        let mut staged = SyncReport::default();
        loop {
            let ended = more.recv().is_err();
            // Several groups committed meanwhile are one stage.
            while more.try_recv().is_ok() {}
            let current = fingerprints(store)?;
            staged.add(&self.stage(store, current)?);
            if ended {
                break;
            }
        }
        self.commit_staged(staged.changed())?;
        report.add(&staged);
        Ok(report)
    }

    /// Queues in the index writers what changed since the fingerprints the sidecar holds, and
    /// takes the new fingerprints in (committed by [`Self::commit_staged`]).
    fn stage(
        &mut self,
        store: &impl IndexSource,
        current: BTreeMap<String, Fingerprint>,
    ) -> Result<SyncReport, SearchError> {
        let mut report = SyncReport::default();
        let stale: Vec<String> = self
            .sidecar
            .fingerprints
            .keys()
            .filter(|id| !current.contains_key(*id))
            .cloned()
            .collect();
        for id in &stale {
            self.turns.delete_transcript(id)?;
            self.passages.delete_transcript(id)?;
            self.sidecar.fingerprints.remove(id);
            report.removed += 1;
        }
        // Cases and raters are read once for the whole pass, not once per transcript (with one case
        // per transcript that was quadratic: 2,000 transcripts read 4 million case rows).
        let mut people: Option<People> = None;
        for (id, fp) in current {
            let old = self.sidecar.fingerprints.get(&id);
            let turns_changed = old.is_none_or(|o| o.turns != fp.turns);
            if !turns_changed && old.is_some_and(|o| o.passages == fp.passages) {
                continue;
            }
            let transcript_id: TranscriptId = id.parse().map_err(err)?;
            let people = match &mut people {
                Some(p) => p,
                None => people.insert(People::read(store)?),
            };
            let (turns, passages) = documents(store, transcript_id, people)?;
            if turns_changed {
                self.turns.replace_transcript(&id, &turns)?;
                report.indexed += 1;
            } else {
                report.passages += 1;
            }
            self.passages.replace_transcript(&id, &passages)?;
            self.sidecar.fingerprints.insert(id, fp);
        }
        Ok(report)
    }

    /// Commits what was staged (when anything `changed`) and writes the sidecar.
    fn commit_staged(&mut self, changed: bool) -> Result<(), SearchError> {
        if changed {
            for index in [&mut self.turns, &mut self.passages] {
                index.commit()?;
                // Release the writer (and its lock on the folder) until the next change.
                index.close_writer()?;
            }
            self.write_sidecar()?;
        } else if let Some(dir) = &self.dir
            && !dir.join(SIDECAR).exists()
        {
            self.write_sidecar()?;
        }
        Ok(())
    }

    fn write_sidecar(&self) -> Result<(), SearchError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let tmp = dir.join(SIDECAR_TMP);
        let text = serde_json::to_string(&self.sidecar).map_err(err)?;
        std::fs::write(&tmp, text).map_err(|e| err(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, dir.join(SIDECAR)).map_err(|e| err(format!("{}: {e}", dir.display())))
    }

    /// Searches; `code:` filters take code names, paths or ids from the project's codebook. A code
    /// query (two codes joined by AND or NOT, or NEAR/N) finds turns (`turns.rs`); any other query
    /// naming a code or a rater searches the coded passages, any other the turns.
    pub fn search(
        &self,
        query: &str,
        book: &Codebook,
        opts: &SearchOptions<'_>,
    ) -> Result<SearchResults, SearchError> {
        let resolver = |name: &str| match book.lookup(name) {
            CodeLookup::Found(code) => Some(code.code_id.to_text()),
            _ => None,
        };
        let codes: &dyn CodeResolver = &resolver;
        let expr = parse_query(query)?;
        let opts = &SearchOptions {
            codes: Some(codes),
            ..*opts
        };
        if expr.is_code_query() {
            return super::turns::search(&self.turns, &self.passages, &expr, opts);
        }
        let index = if expr.names_codings() {
            &self.passages
        } else {
            &self.turns
        };
        index.search(query, opts)
    }

    /// Number of turns indexed.
    #[must_use]
    pub fn num_turns(&self) -> u64 {
        self.turns.num_turns()
    }

    /// Number of coded passages indexed.
    #[must_use]
    pub fn num_passages(&self) -> u64 {
        self.passages.num_turns()
    }

    /// Where the index is kept (`None`: in memory).
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Transcripts indexed.
    #[must_use]
    pub fn num_transcripts(&self) -> usize {
        self.sidecar.fingerprints.len()
    }
}

/// The project's cases and raters' names, read once for a pass over many transcripts.
struct People {
    cases: std::collections::HashMap<crate::model::CaseId, crate::model::Case>,
    raters: BTreeMap<crate::model::RaterId, String>,
}

impl People {
    fn read(store: &impl IndexSource) -> Result<Self, SearchError> {
        Ok(Self {
            cases: store
                .cases()
                .map_err(err)?
                .into_iter()
                .map(|c| (c.case_id, c))
                .collect(),
            raters: store
                .raters()
                .map_err(err)?
                .into_iter()
                .map(|r| (r.rater_id, r.name))
                .collect(),
        })
    }
}

/// The documents of one transcript: one per turn with words, carrying its case and attributes, and
/// one per coded passage (each live coding cut to each turn it covers), carrying also the coding's
/// code and rater.
fn documents(
    store: &impl IndexSource,
    transcript_id: TranscriptId,
    people: &People,
) -> Result<(Vec<TurnDoc>, Vec<TurnDoc>), SearchError> {
    let transcript: Transcript = store.transcript(transcript_id).map_err(err)?;
    let case = transcript.case_id.and_then(|id| people.cases.get(&id));
    let raters = &people.raters;
    let codings = store
        .codings(&CodingFilter {
            transcripts: vec![transcript_id],
            ..CodingFilter::default()
        })
        .map_err(err)?;
    let attrs: Vec<(String, String)> = case
        .as_ref()
        .map(|c| {
            c.attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let chars: Vec<char> = transcript.text.chars().collect();
    let piece = |span: crate::model::Span| -> String {
        chars[span.start.min(chars.len())..span.end.min(chars.len())]
            .iter()
            .collect()
    };
    let (mut turns, mut passages) = (Vec::new(), Vec::new());
    for turn in &transcript.turns {
        let words = turn.content_span();
        if words.is_empty() {
            continue;
        }
        let doc = TurnDoc {
            transcript_id: transcript_id.to_text(),
            turn_index: turn.index as u64,
            turn_start_char: words.start as u64,
            speaker: turn.speaker.clone(),
            role: turn.role,
            case: case.as_ref().map(|c| c.name.clone()),
            attrs: attrs.clone(),
            codes: Vec::new(),
            raters: Vec::new(),
            start_ms: turn.start_ms,
            text: piece(words),
            coding_id: None,
        };
        for coding in &codings {
            let start = coding.span.start.max(words.start);
            let end = coding.span.end.min(words.end);
            if start >= end {
                continue;
            }
            let span = crate::model::Span::new(start, end);
            passages.push(TurnDoc {
                turn_start_char: start as u64,
                codes: vec![coding.code_id.to_text()],
                raters: raters.get(&coding.rater_id).cloned().into_iter().collect(),
                text: piece(span),
                coding_id: Some(coding.coding_id.to_text()),
                ..doc.clone()
            });
        }
        turns.push(doc);
    }
    Ok((turns, passages))
}

/// The store's fingerprints of every transcript.
fn fingerprints(store: &impl IndexSource) -> Result<BTreeMap<String, Fingerprint>, SearchError> {
    Ok(store
        .search_fingerprints()
        .map_err(err)?
        .into_iter()
        .map(|(id, (turns, passages))| (id.to_text(), Fingerprint { turns, passages }))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_folder_gets_what_the_file_gives() {
        assert_eq!(folder_mode(0o600), 0o700);
        assert_eq!(folder_mode(0o640), 0o750);
        assert_eq!(folder_mode(0o644), 0o755);
        assert_eq!(folder_mode(0o660), 0o770);
        assert_eq!(folder_mode(0o200), 0);
    }

    #[test]
    fn tantivy_files_are_known_by_name() {
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".tantivy-meta.lock",
            ".tmpAb12Cd",
            "0123456789abcdef0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef.fieldnorm",
            "0123456789abcdef0123456789abcdef.17.del",
        ] {
            assert!(tantivy_file(name), "{name}");
        }
        for name in [
            "chapter1.txt",
            "0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef.",
            "0123456789abcdefg123456789abcdef.idx",
            "notes.json",
        ] {
            assert!(!tantivy_file(name), "{name}");
        }
    }

    #[test]
    fn only_what_accord_puts_there_makes_a_folder_accords() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("p.accord.index");
        assert_eq!(classify(&dir), Folder::Missing);
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(classify(&dir), Folder::Accords, "empty");
        std::fs::create_dir(dir.join(TURNS)).unwrap();
        std::fs::write(dir.join(TURNS).join("meta.json"), "{}").unwrap();
        std::fs::write(
            dir.join(TURNS)
                .join("0123456789abcdef0123456789abcdef.store"),
            "x",
        )
        .unwrap();
        std::fs::write(dir.join(SIDECAR), "{}").unwrap();
        std::fs::write(dir.join(LOCK), "").unwrap();
        assert_eq!(classify(&dir), Folder::Accords);
        // An older layout: tantivy's files at the top.
        std::fs::write(dir.join("meta.json"), "{}").unwrap();
        assert_eq!(classify(&dir), Folder::Accords);
        // Anything else: not Accord's.
        std::fs::create_dir(dir.join(TURNS).join("mine")).unwrap();
        assert!(matches!(classify(&dir), Folder::Foreign(_)));
        std::fs::remove_dir(dir.join(TURNS).join("mine")).unwrap();
        std::fs::create_dir_all(dir.join("important")).unwrap();
        let Folder::Foreign(why) = classify(&dir) else {
            panic!("a user's folder inside");
        };
        assert!(why.contains("important"), "{why}");
        std::fs::remove_dir(dir.join("important")).unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        assert!(matches!(classify(&dir), Folder::Foreign(_)));
        // Clearing refuses such a folder and removes nothing.
        assert!(clear_folder(&dir).is_err());
        assert!(dir.join(SIDECAR).exists());
        std::fs::remove_file(dir.join("notes.txt")).unwrap();
        clear_folder(&dir).unwrap();
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [LOCK], "only the lock stays");
        // A file is not a folder.
        let file = root.path().join("q.accord.index");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(classify(&file), Folder::Foreign("is a file".into()));
    }

    #[test]
    fn a_busy_index_is_waited_for_briefly_then_reported_busy() {
        let root = tempfile::tempdir().unwrap();
        let held = lock_folder(root.path(), true, Duration::ZERO).ok().unwrap();
        let start = Instant::now();
        assert!(matches!(
            lock_for_writing(root.path(), Duration::from_millis(200)),
            Err(SearchError::Busy(_))
        ));
        assert!(start.elapsed() >= Duration::from_millis(200));
        assert!(matches!(
            lock_folder(root.path(), false, Duration::ZERO),
            Err(LockFailure::Busy)
        ));
        drop(held);
        assert!(lock_for_writing(root.path(), Duration::ZERO).is_ok());
    }
}
