//! Backups of a project: whole copies taken with SQLite's online backup API (safe while the project
//! is open, and consistent: a copy holds exactly the changes committed when it was taken), kept in
//! `<file>.backups/` beside the project (the canonical file: one folder however the project is
//! reached), newest last. Automatic backups rotate so the folder keeps the newest few (and one
//! older than a day); backups taken by hand (`accord backup`) are never rotated out. Every copy
//! takes the project file's permission bits, and is written under a random temporary name in the
//! backups folder (which purges clear) and moved into place without ever replacing a file.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::backup::Backup;
use serde::Serialize;

use super::lock::ProjectLock;
use super::{Passphrase, Result, Store, StoreError};
use crate::model::ProjectId;
use crate::model::files::{canonical, companion};

/// How many automatic backups a project keeps.
pub const KEEP_BACKUPS: usize = 10;

/// The reason of backups taken by hand (`accord backup`): they are never rotated out.
pub const BY_HAND: &str = "by-hand";

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    /// The file.
    pub path: PathBuf,
    /// When it was taken (UTC, as in its name: `20261202T101500123Z`).
    pub taken: String,
    /// Why (`open`, `before-merge`, ...).
    pub reason: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The backup folder of a project file: `<file>.backups` beside the real file (symlinks resolved).
#[must_use]
pub fn backups_dir(project: &Path) -> PathBuf {
    companion(&canonical(project), ".backups")
}

/// The project's backups, oldest first.
pub fn list_backups(project: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backups_dir(project);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".accord") else {
            continue;
        };
        // <taken>-<reason>.accord
        let Some((taken, reason)) = stem.split_once('-') else {
            continue;
        };
        if taken.len() != 19 || !taken.ends_with('Z') {
            continue;
        }
        out.push(BackupInfo {
            taken: taken.to_string(),
            reason: reason.to_string(),
            bytes: entry.metadata().map_or(0, |m| m.len()),
            path,
        });
    }
    out.sort_by(|a, b| a.taken.cmp(&b.taken).then_with(|| a.path.cmp(&b.path)));
    Ok(out)
}

fn io(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Refused(format!("{}: {e}", path.display()))
}

/// Gives `to` the permission bits of `from` (the project), so that a copy of the project is no
/// more readable than the project itself.
pub(super) fn copy_mode(from: Option<&Path>, to: &Path) -> Result<()> {
    if let Some(mode) = from.and_then(|p| std::fs::metadata(p).ok()) {
        std::fs::set_permissions(to, mode.permissions()).map_err(|e| io(to, &e))?;
    }
    Ok(())
}

/// Removes a database file's write-ahead log and shared memory, where they outlived it (they must
/// never be read as another file's).
pub(super) fn remove_wal_and_shm(path: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(companion(path, suffix));
    }
}

/// A new empty file with a random name in `dir`, removed when dropped unless moved into place.
fn temporary_in(dir: &Path, prefix: &str) -> Result<tempfile::TempPath> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(dir)
        .map(tempfile::NamedTempFile::into_temp_path)
        .map_err(|e| io(dir, &e))
}

/// Whether a file is one Accord left behind when killed while copying: a temporary backup or
/// restore copy (with its journal), in the backups folder.
fn is_leftover_in_backups(name: &str) -> bool {
    name.starts_with(".tmp-")
        || name.starts_with(".restore-")
        || name.contains(".tmp-")
        || name.contains(".restore-")
}

/// Whether a file beside the project is a restore copy an older Accord left there when killed:
/// `<stem>.restore-<pid>` (with its journal).
fn is_leftover_beside(name: &str, stem: &str) -> bool {
    let Some(rest) = name
        .strip_prefix(stem)
        .and_then(|r| r.strip_prefix(".restore-"))
    else {
        return false;
    };
    let pid = ["-journal", "-wal", "-shm"]
        .iter()
        .find_map(|s| rest.strip_suffix(s))
        .unwrap_or(rest);
    !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
}

/// The leftovers of killed copies beside the project and in its backups folder.
fn leftovers(project: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(backups_dir(project)) {
        out.extend(
            entries
                .flatten()
                .filter(|e| is_leftover_in_backups(&e.file_name().to_string_lossy()))
                .map(|e| e.path()),
        );
    }
    let stem = project
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(dir) = project.parent()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        out.extend(
            entries
                .flatten()
                .filter(|e| is_leftover_beside(&e.file_name().to_string_lossy(), &stem))
                .map(|e| e.path()),
        );
    }
    out
}

impl Store {
    /// Copies the project as committed now into a new single file at `dest` (which must not exist).
    /// The copy is written under a temporary name beside `dest` and moved into place only if no
    /// file has that name meanwhile, so a crash never leaves half a backup under that name and two
    /// processes never write one name.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if dest.exists() {
            return Err(StoreError::AlreadyExists(dest.to_path_buf()));
        }
        let tmp = self.copy_to_temporary(dir)?;
        tmp.persist_noclobber(dest).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                StoreError::AlreadyExists(dest.to_path_buf())
            } else {
                io(dest, &e.error)
            }
        })
    }

    /// A finished copy of the project under a temporary name in `dir`, with the project's mode.
    fn copy_to_temporary(&self, dir: &Path) -> Result<tempfile::TempPath> {
        let tmp = temporary_in(dir, ".tmp-")?;
        self.copy_into(&tmp)?;
        copy_mode(self.path.as_deref(), &tmp)?;
        Ok(tmp)
    }

    fn copy_into(&self, path: &Path) -> Result<()> {
        let mut dst = Connection::open(path)?;
        if let Some(key) = &self.key {
            key.apply(&dst)?;
        }
        {
            let backup = Backup::new(&self.conn, &mut dst)?;
            backup.run_to_completion(1024, std::time::Duration::ZERO, None)?;
        }
        // One self-contained file, whatever mode the project runs in.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        dst.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
        std::fs::File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(path, &e))
    }

    /// Takes a backup into `<file>.backups/` and rotates the automatic ones (see the module
    /// notes). Returns the backup's path; an in-memory project has none.
    pub fn backup(&self, reason: &str) -> Result<Option<PathBuf>> {
        let Some(project) = self.path.clone() else {
            return Ok(None);
        };
        let dir = backups_dir(&project);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, &e))?;
        let taken = chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ").to_string();
        let slug: String = reason
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let mut tmp = self.copy_to_temporary(&dir)?;
        let mut n = 1;
        let dest = loop {
            let dest = if n == 1 {
                dir.join(format!("{taken}-{slug}.accord"))
            } else {
                dir.join(format!("{taken}-{slug}-{n}.accord"))
            };
            // Moved into place only under a name no one has taken (not even another process in
            // the same millisecond).
            match tmp.persist_noclobber(&dest) {
                Ok(()) => break dest,
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => {
                    tmp = e.path;
                    n += 1;
                }
                Err(e) => return Err(io(&dest, &e.error)),
            }
        };
        rotate(&project)?;
        Ok(Some(dest))
    }

    /// On opening: removes what killed copies left behind (see [`Store::remove_leftovers`]) when
    /// no other store, of this process or another, has the project open (one may be writing a
    /// copy right now).
    pub(super) fn remove_leftovers_on_open(&self) {
        if self
            .lock
            .as_ref()
            .is_some_and(|held| std::sync::Arc::strong_count(held) == 1)
        {
            self.remove_leftovers();
        }
    }

    /// Removes what killed copies left behind (temporary backups and restore copies, beside the
    /// project and in its backups folder: full copies that no rotation or purge would otherwise
    /// reach), when no other Accord process has the project open (one may be writing them right
    /// now). A purge calls it while it holds the project exclusively.
    pub fn remove_leftovers(&self) {
        let (Some(project), Some(held)) = (&self.path, &self.lock) else {
            return;
        };
        let found = leftovers(project);
        if found.is_empty() {
            return;
        }
        if let Some(_alone) = held.try_exclusive() {
            for path in found {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Keeps the newest [`KEEP_BACKUPS`] automatic backups and, when none of the kept backups is older
/// than a day, the newest automatic one that is; backups taken by hand are never removed.
fn rotate(project: &Path) -> Result<()> {
    let all = list_backups(project)?;
    let day_ago = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y%m%dT%H%M%S%3fZ")
        .to_string();
    let (by_hand, automatic): (Vec<&BackupInfo>, Vec<&BackupInfo>) =
        all.iter().partition(|b| b.reason.starts_with(BY_HAND));
    let (old, kept) = automatic.split_at(automatic.len().saturating_sub(KEEP_BACKUPS));
    let day_old_kept = by_hand.iter().chain(kept).any(|b| b.taken < day_ago);
    let spare = if day_old_kept {
        None
    } else {
        old.iter().rev().find(|b| b.taken < day_ago)
    };
    for b in old {
        if spare.is_none_or(|s| s.path != b.path) {
            let _ = std::fs::remove_file(&b.path);
        }
    }
    Ok(())
}

impl Store {
    /// Takes the automatic backup made when the window opens a project, unless one was taken in
    /// the last hour (so opening and closing the window often does not rotate the older ones out).
    pub fn backup_on_open(&self) -> Result<Option<PathBuf>> {
        let Some(project) = &self.path else {
            return Ok(None);
        };
        let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1))
            .format("%Y%m%dT%H%M%S%3fZ")
            .to_string();
        let recent = list_backups(project)?
            .iter()
            .any(|b| b.reason.starts_with("open") && b.taken > hour_ago);
        if recent {
            return Ok(None);
        }
        self.backup("open")
    }

    /// Puts a backup in place of the project (the real file, when the path is a symlink), for a
    /// project that may be too damaged to open: when it opens, this is [`Store::restore_here`] on
    /// it; when it does not, it is replaced without a copy (a damaged project is what restoring is
    /// for). The backup must be an Accord project. Refused, with nothing changed, while another
    /// Accord has the project open (it would go on writing to the replaced file).
    pub(crate) fn restore(
        project: &Path,
        backup: &Path,
        key: Option<&Passphrase>,
    ) -> Result<Option<PathBuf>> {
        let project = &canonical(project);
        let backup_id = backup_project_id(backup, key)?;
        let held = ProjectLock::acquire(project)?;
        let _whole = held.exclusive()?;
        match Store::open_with(project, key) {
            Ok(mut current) => current.restore_checked(backup, backup_id),
            Err(
                StoreError::NotAProject { .. }
                | StoreError::Sqlite(_)
                | StoreError::Corrupt(_)
                | StoreError::Damaged { .. }
                | StoreError::BadSchema { .. },
            ) => {
                put_in_place(project, backup)?;
                let restored = Store::open_with(project, key)?;
                restored.conn.pragma_update(None, "journal_mode", "WAL")?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Puts a backup in place of this open project (the real file, when the path is a symlink)
    /// and goes on with the restored file: the same store, holding the same project lock. The
    /// backup must be a backup of this project; the project as it was is backed up first (its
    /// file is returned). Refused, with nothing changed, while another Accord has the project open
    /// (it would go on writing to the replaced file). The copy is written in the backups folder,
    /// takes the project's permission bits and is renamed into place.
    pub(crate) fn restore_here(&mut self, backup: &Path) -> Result<Option<PathBuf>> {
        let backup_id = backup_project_id(backup, self.key.as_ref())?;
        let _whole = self.exclusive()?;
        self.restore_checked(backup, backup_id)
    }

    /// [`Store::restore_here`] once the backup was read and the project is held exclusively.
    fn restore_checked(&mut self, backup: &Path, backup_id: ProjectId) -> Result<Option<PathBuf>> {
        let Some(project) = self.path.clone() else {
            return Err(StoreError::Refused(
                "an in-memory project has no backups to restore".into(),
            ));
        };
        if self.project_id()? != backup_id {
            return Err(StoreError::Refused(format!(
                "{} is a backup of another project",
                backup.display()
            )));
        }
        let kept = self.backup("before-restore")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        // This store lets go of the old file (its lock stays held) and opens whichever file is
        // the project afterwards: the backup, or the old file when putting it in place failed.
        let old = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        if let Err((old, e)) = old.close() {
            self.conn = old;
            return Err(StoreError::Sqlite(e));
        }
        let placed = put_in_place(&project, backup);
        let reopened = Store::open_with(&project, self.key.as_ref());
        // (A plain backup of an encrypted project opens without the key: the store follows it.)
        let Store { conn, key, .. } = reopened?;
        self.conn = conn;
        self.key = key;
        placed?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(kept)
    }
}

/// The project id of a backup (which must be an Accord project), read without writing to it.
fn backup_project_id(backup: &Path, key: Option<&Passphrase>) -> Result<ProjectId> {
    let from = Store::open_read_only(backup, key)?;
    from.project_id()
}

/// Copies `backup` over the project file (the caller holds the project exclusively and has no
/// connection to it): written in the backups folder under a random name, given the project's
/// permission bits, synced, the old write-ahead log removed, renamed into place.
fn put_in_place(project: &Path, backup: &Path) -> Result<()> {
    let dir = backups_dir(project);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, &e))?;
    let tmp = temporary_in(&dir, ".restore-")?;
    std::fs::copy(backup, &tmp).map_err(|e| io(&tmp, &e))?;
    copy_mode(Some(project).filter(|p| p.exists()), &tmp)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&tmp, &e))?;
    remove_wal_and_shm(project);
    tmp.persist(project).map_err(|e| io(project, &e.error))?;
    // The rename itself must reach the disk too.
    crate::model::files::sync_folder_of(project);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_rotate_and_open_as_projects() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let mut store = Store::create(&path, "Test").unwrap();
        store
            .add_rater("Ana", crate::model::RaterKind::Human)
            .unwrap();
        let first = store.backup("before merge").unwrap().unwrap();
        assert!(first.to_string_lossy().ends_with("-before-merge.accord"));
        let copy = Store::open(&first).unwrap();
        assert_eq!(copy.raters().unwrap().len(), 1);
        assert_eq!(copy.project_id().unwrap(), store.project_id().unwrap());
        drop(copy);
        assert!(store.backup_on_open().unwrap().is_some());
        assert!(
            store.backup_on_open().unwrap().is_none(),
            "at most one an hour"
        );
        for _ in 0..KEEP_BACKUPS + 3 {
            store.backup("open").unwrap();
        }
        let kept = list_backups(&path).unwrap();
        assert_eq!(kept.len(), KEEP_BACKUPS);
        assert!(kept.iter().all(|b| b.reason.starts_with("open")));
        assert!(!first.exists(), "the oldest went first");
    }

    #[test]
    fn rotation_keeps_backups_by_hand_and_one_older_than_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let store = Store::create(&path, "Test").unwrap();
        let by_hand = store.backup(BY_HAND).unwrap().unwrap();
        let folder = backups_dir(&path);
        let last_year = folder.join("20250101T000000000Z-open.accord");
        let older = folder.join("20241231T000000000Z-open.accord");
        std::fs::copy(&by_hand, &last_year).unwrap();
        std::fs::copy(&by_hand, &older).unwrap();
        for _ in 0..KEEP_BACKUPS + 3 {
            store.backup("before merge").unwrap();
        }
        let kept = list_backups(&path).unwrap();
        assert!(by_hand.exists(), "a backup by hand is never rotated out");
        assert!(
            last_year.exists(),
            "the newest backup older than a day stays"
        );
        assert!(!older.exists());
        assert_eq!(kept.len(), KEEP_BACKUPS + 2);
        // Once a backup by hand is older than a day, that one is enough.
        std::fs::copy(&by_hand, folder.join("20250601T000000000Z-by-hand.accord")).unwrap();
        store.backup("open").unwrap();
        assert!(!last_year.exists());
        assert_eq!(list_backups(&path).unwrap().len(), KEEP_BACKUPS + 2);
    }

    #[test]
    fn backups_taken_at_once_keep_their_own_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        drop(Store::create(&path, "Test").unwrap());
        let names: Vec<PathBuf> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        Store::open(&path)
                            .unwrap()
                            .backup(BY_HAND)
                            .unwrap()
                            .unwrap()
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 8, "{names:?}");
        assert_eq!(list_backups(&path).unwrap().len(), 8);
        let left: Vec<_> = std::fs::read_dir(backups_dir(&path))
            .unwrap()
            .flatten()
            .filter(|e| is_leftover_in_backups(&e.file_name().to_string_lossy()))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn leftovers_are_recognised_and_nothing_else() {
        assert!(is_leftover_beside("p.restore-123", "p"));
        assert!(is_leftover_beside("p.restore-123-journal", "p"));
        assert!(!is_leftover_beside("p.restore-notes.txt", "p"));
        assert!(!is_leftover_beside("q.restore-123", "p"));
        assert!(!is_leftover_beside("p.accord", "p"));
        assert!(is_leftover_in_backups(
            "20261205T202015864Z-before-merge.tmp-77"
        ));
        assert!(is_leftover_in_backups(".restore-x1Y2z3-wal"));
        assert!(!is_leftover_in_backups(
            "20261205T202015864Z-by-hand.accord"
        ));
    }

    #[test]
    fn restore_puts_a_backup_back_and_keeps_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        let mut store = Store::create(&path, "Test").unwrap();
        store
            .add_rater("Ana", crate::model::RaterKind::Human)
            .unwrap();
        let backup = store.backup("by hand").unwrap().unwrap();
        store
            .add_rater("Ben", crate::model::RaterKind::Human)
            .unwrap();
        drop(store);
        let kept = Store::restore(&path, &backup, None).unwrap().unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.raters().unwrap().len(), 1);
        assert!(store.integrity_check().unwrap().is_empty());
        assert_eq!(Store::open(&kept).unwrap().raters().unwrap().len(), 2);
        // A damaged project is replaced too.
        drop(store);
        std::fs::write(&path, b"garbage, not a database at all").unwrap();
        assert!(Store::restore(&path, &backup, None).unwrap().is_none());
        assert_eq!(Store::open(&path).unwrap().raters().unwrap().len(), 1);
        // A backup of another project is refused.
        let other = dir.path().join("other.accord");
        let other_store = Store::create(&other, "Other").unwrap();
        let foreign = other_store.backup("x").unwrap().unwrap();
        assert!(Store::restore(&path, &foreign, None).is_err());
    }
}
