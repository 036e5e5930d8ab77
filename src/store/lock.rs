//! The project lock every Accord process honours, so that no whole-file operation (restore, the
//! purges of erasing and de-identification, any `VACUUM`) runs while another Accord has the project
//! open: that process would go on writing to a file that is no longer the project, and its work
//! would vanish.
//!
//! The lock is a file beside the project, `<project>.lock` (created with the project's permission
//! bits, never deleted: a lock file that is deleted while someone holds it locks nothing). It is not
//! a lock on the project file itself: closing any extra descriptor of an SQLite file drops SQLite's
//! own locks on it. Every [`super::Store`] on a file holds the lock SHARED; a whole-file operation
//! takes it EXCLUSIVE for its duration ([`ProjectLock::exclusive`]), refusing when another process
//! holds it, and then goes back to shared.
//!
//! One lock handle is shared per project per process (a registry keyed by the canonical path), so
//! the stores a process opens on the same file (the window's worker connections, `reopen`) never
//! block that process's own whole-file operations. In a folder where the lock file cannot be
//! created (read-only), a project opens without a lock: nothing can be written there anyway.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::{Result, StoreError};
use crate::model::files::{companion, lock_within, permission_bits};

/// How long opening waits while another process holds the project exclusively (a restore or a
/// purge under way) before refusing.
const SHARED_WAIT: Duration = Duration::from_secs(5);
/// How long a whole-file operation waits for the other processes to let go before refusing.
const EXCLUSIVE_WAIT: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(50);

/// The lock of one project, shared by every store of this process on it.
#[derive(Debug)]
pub struct ProjectLock {
    /// The project (canonical path).
    project: PathBuf,
    /// The open lock file; `None` where it could not be created (a read-only folder).
    file: Option<File>,
    /// How many exclusive holds are active in this process (0: the lock is held shared).
    exclusive: Mutex<usize>,
}

/// Holds a project exclusively until dropped (then the lock is shared again).
#[derive(Debug)]
#[must_use = "the project is held exclusively only while the guard lives"]
pub struct ExclusiveGuard {
    lock: Arc<ProjectLock>,
}

static REGISTRY: Mutex<Vec<(PathBuf, Weak<ProjectLock>)>> = Mutex::new(Vec::new());

/// The lock file of a project: `<project>.lock`.
#[must_use]
pub fn lock_path(project: &Path) -> PathBuf {
    companion(project, ".lock")
}

fn refused_open_elsewhere(project: &Path) -> StoreError {
    StoreError::Refused(format!(
        "{}: the project is open in another Accord: close it first (nothing was changed)",
        project.display()
    ))
}

impl ProjectLock {
    /// This process's shared hold on the project at `project` (a canonical path): the one already
    /// held when another store of this process has the file open, else a new one, waiting a few
    /// seconds while another process holds the project exclusively.
    pub fn acquire(project: &Path) -> Result<Arc<Self>> {
        let mut registry = REGISTRY
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        registry.retain(|(_, weak)| weak.strong_count() > 0);
        if let Some(lock) = registry
            .iter()
            .find(|(path, _)| path == project)
            .and_then(|(_, weak)| weak.upgrade())
        {
            return Ok(lock);
        }
        let file = open_lock_file(project)?;
        if let Some(file) = &file {
            take_shared(file, project, SHARED_WAIT)?;
        }
        let lock = Arc::new(Self {
            project: project.to_path_buf(),
            file,
            exclusive: Mutex::new(0),
        });
        registry.push((project.to_path_buf(), Arc::downgrade(&lock)));
        Ok(lock)
    }

    /// Holds the project exclusively (no other Accord process has it open) until the guard is
    /// dropped; refused, with nothing changed, while another process has it open. Re-entrant
    /// within the process.
    pub fn exclusive(self: &Arc<Self>) -> Result<ExclusiveGuard> {
        let mut depth = self
            .exclusive
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *depth == 0
            && let Some(file) = &self.file
        {
            let deadline = Instant::now() + EXCLUSIVE_WAIT;
            loop {
                match file.try_lock() {
                    Ok(()) => break,
                    Err(TryLockError::WouldBlock) => {
                        // A failed conversion may leave no lock at all: take the shared one back.
                        take_shared(file, &self.project, SHARED_WAIT)?;
                        if Instant::now() >= deadline {
                            return Err(refused_open_elsewhere(&self.project));
                        }
                        std::thread::sleep(POLL);
                    }
                    Err(TryLockError::Error(e)) => {
                        let _ = take_shared(file, &self.project, SHARED_WAIT);
                        return Err(StoreError::Refused(format!(
                            "{}: cannot lock the project: {e}",
                            lock_path(&self.project).display()
                        )));
                    }
                }
            }
        }
        *depth += 1;
        Ok(ExclusiveGuard {
            lock: Arc::clone(self),
        })
    }

    /// Whether the project can be held exclusively right now (nobody else has it open), tried
    /// once without waiting: `Some(guard)` then.
    pub fn try_exclusive(self: &Arc<Self>) -> Option<ExclusiveGuard> {
        let mut depth = self
            .exclusive
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *depth == 0
            && let Some(file) = &self.file
            && file.try_lock().is_err()
        {
            let _ = take_shared(file, &self.project, SHARED_WAIT);
            return None;
        }
        *depth += 1;
        Some(ExclusiveGuard {
            lock: Arc::clone(self),
        })
    }

    /// Whether this process holds a real lock (not in a read-only folder).
    #[cfg(test)]
    fn is_held(&self) -> bool {
        self.file.is_some()
    }
}

impl Drop for ExclusiveGuard {
    fn drop(&mut self) {
        let mut depth = self
            .lock
            .exclusive
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *depth = depth.saturating_sub(1);
        if *depth == 0
            && let Some(file) = &self.lock.file
        {
            // Back to shared (nobody else can hold it now, so this does not wait).
            let _ = file.lock_shared();
        }
    }
}

/// Opens (creating it with the project's permission bits) the lock file; `None` when it neither
/// exists nor can be created (a read-only folder).
fn open_lock_file(project: &Path) -> Result<Option<File>> {
    let path = lock_path(project);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mode = permission_bits(project).map_or(0o644, |m| m & 0o666);
        options.mode(mode);
    }
    match options.open(&path) {
        Ok(file) => Ok(Some(file)),
        Err(_) if path.exists() => {
            OpenOptions::new()
                .read(true)
                .open(&path)
                .map(Some)
                .map_err(|e| {
                    StoreError::Refused(format!(
                        "{}: cannot open the lock file: {e}",
                        path.display()
                    ))
                })
        }
        Err(_) => Ok(None),
    }
}

fn take_shared(file: &File, project: &Path, wait: Duration) -> Result<()> {
    match lock_within(file, false, wait) {
        Ok(true) => Ok(()),
        Ok(false) => Err(StoreError::Refused(format!(
            "{}: another Accord is restoring or purging the project; try again when it has \
             finished",
            project.display()
        ))),
        Err(e) => Err(StoreError::Refused(format!(
            "{}: cannot lock the project: {e}",
            lock_path(project).display()
        ))),
    }
}

/// Other processes that have the project file (or its write-ahead log) open, as "name (pid N)",
/// where the system says (Linux `/proc`); empty elsewhere or when none can be seen.
#[must_use]
pub fn other_processes_with(project: &Path) -> Vec<String> {
    let targets = [project.to_path_buf(), companion(project, "-wal")];
    let me = std::process::id().to_string();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in procs.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if pid == me || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| targets.contains(&target)));
        if holds {
            let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            out.push(format!("{} (pid {pid})", name.trim()));
        }
    }
    out
}

impl super::Store {
    /// Creates a project file that no one else opens until it is renamed into place (a REFI-QDA
    /// import being built), without a lock file beside its temporary name; encrypted from the
    /// start when a passphrase is given.
    pub fn create_unshared(
        path: &Path,
        name: &str,
        key: Option<&super::Passphrase>,
    ) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        Self::create_file(path, name, key.cloned())
    }

    /// Holds the project exclusively (see [`ProjectLock::exclusive`]) for a whole-file operation:
    /// `None` for an in-memory project; refused while another Accord process has it open.
    pub fn exclusive(&self) -> Result<Option<ExclusiveGuard>> {
        self.lock.as_ref().map(ProjectLock::exclusive).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::files::canonical;

    #[test]
    fn one_handle_per_project_per_process() {
        let dir = tempfile::tempdir().unwrap();
        let project = canonical(&dir.path().join("p.accord"));
        std::fs::write(&project, b"x").unwrap();
        let a = ProjectLock::acquire(&project).unwrap();
        let b = ProjectLock::acquire(&project).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "the same handle is shared");
        assert!(a.is_held());
        assert!(lock_path(&project).exists());
        // This process's own shared holds do not block its exclusive one, which is re-entrant.
        let x = a.exclusive().unwrap();
        let y = b.exclusive().unwrap();
        drop((x, y));
        // A second handle on the same lock file (as another process would hold) is refused
        // exclusively while this one holds it shared, and can share it.
        let other = OpenOptions::new()
            .read(true)
            .open(lock_path(&project))
            .unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        other.try_lock_shared().unwrap();
        let err = a.exclusive().unwrap_err();
        assert!(err.to_string().contains("open in another Accord"), "{err}");
        // Still held shared after the refusal.
        other.unlock().unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        // Once every store is gone, the handle goes and the lock is free.
        drop((a, b));
        other.try_lock().unwrap();
        other.unlock().unwrap();
        let again = ProjectLock::acquire(&project).unwrap();
        let guard = again.try_exclusive().unwrap();
        assert!(matches!(
            other.try_lock_shared(),
            Err(TryLockError::WouldBlock)
        ));
        drop(guard);
        other.try_lock_shared().unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_read_only_folder_opens_without_a_lock() {
        let project = PathBuf::from("/proc/self/no-such-folder-for-a-lock/p.accord");
        let lock = ProjectLock::acquire(&project).unwrap();
        assert!(!lock.is_held());
        drop(lock.exclusive().unwrap());
    }
}
