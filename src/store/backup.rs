//! Backups of a project: whole copies taken with SQLite's online backup API (safe while the project
//! is open, and consistent: a copy holds exactly the changes committed when it was taken), kept in
//! `<file>.backups/` beside the project, newest last, rotated so the folder keeps the newest few.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::backup::Backup;
use serde::Serialize;

use super::{Passphrase, Result, Store, StoreError};

/// How many automatic backups a project keeps.
pub const KEEP_BACKUPS: usize = 10;

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

/// The backup folder of a project file: `<file>.backups`.
#[must_use]
pub fn backups_dir(project: &Path) -> PathBuf {
    let mut name = project
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".backups");
    project.with_file_name(name)
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

impl Store {
    /// Copies the project as committed now into a new single file at `dest` (which must not exist).
    /// The copy is written beside its final name and renamed into place, so a crash never leaves
    /// half a backup under that name.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(StoreError::AlreadyExists(dest.to_path_buf()));
        }
        let tmp = dest.with_extension(format!("tmp-{}", std::process::id()));
        let result = self.copy_into(&tmp);
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, dest).map_err(|e| io(dest, &e))
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

    /// Takes an automatic backup into `<file>.backups/` and keeps only the newest
    /// [`KEEP_BACKUPS`]. Returns the backup's path; an in-memory project has none.
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
        let mut dest = dir.join(format!("{taken}-{slug}.accord"));
        let mut n = 1;
        while dest.exists() {
            n += 1;
            dest = dir.join(format!("{taken}-{slug}-{n}.accord"));
        }
        self.backup_to(&dest)?;
        let all = list_backups(&project)?;
        for old in all.iter().take(all.len().saturating_sub(KEEP_BACKUPS)) {
            let _ = std::fs::remove_file(&old.path);
        }
        Ok(Some(dest))
    }
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

    /// Puts a backup in place of the project. The backup must be an Accord project, and of this
    /// project when the project still opens; the project as it was is backed up first (returned),
    /// unless it no longer opens. The copy is written beside the project and renamed into place.
    pub fn restore(
        project: &Path,
        backup: &Path,
        key: Option<&Passphrase>,
    ) -> Result<Option<PathBuf>> {
        let from = Store::open_read_only(backup, key)?;
        let backup_id = from.project_id()?;
        drop(from);
        let kept = match Store::open_with(project, key) {
            Ok(current) => {
                if current.project_id()? != backup_id {
                    return Err(StoreError::Refused(format!(
                        "{} is a backup of another project",
                        backup.display()
                    )));
                }
                let kept = current.backup("before-restore")?;
                current
                    .conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
                drop(current);
                kept
            }
            // A damaged project is what restoring is for: it is replaced without a copy.
            Err(
                StoreError::NotAProject { .. }
                | StoreError::Sqlite(_)
                | StoreError::Corrupt(_)
                | StoreError::Damaged { .. }
                | StoreError::BadSchema { .. },
            ) => None,
            Err(e) => return Err(e),
        };
        let tmp = project.with_extension(format!("restore-{}", std::process::id()));
        std::fs::copy(backup, &tmp)
            .and_then(|_| std::fs::File::open(&tmp)?.sync_all())
            .map_err(|e| io(&tmp, &e))?;
        for suffix in ["-wal", "-shm"] {
            let mut side = project.as_os_str().to_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        std::fs::rename(&tmp, project).map_err(|e| io(project, &e))?;
        let restored = Store::open_with(project, key)?;
        restored.conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(kept)
    }
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
