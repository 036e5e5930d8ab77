//! Where a project's companion files are, and what a path on disk is. These few functions read the
//! file system's metadata (never a file's content) and are shared by the store, the search index,
//! the importers and the exporters, which each need the same answers.

use std::fs::TryLockError;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The canonical form of a path (symlinks and `..` resolved), so that one project reached through
/// several paths has one lock, one backups folder and one index. A file that does not exist yet is
/// resolved through its folder; where even that fails the path is kept as given.
#[must_use]
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    match (std::fs::canonicalize(folder_of(path)), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// The folder a file is in (`.` for a bare name).
#[must_use]
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flushes a file's folder to disk, so that a rename into it survives a crash. Best effort: some
/// file systems cannot sync a folder, which is no reason to fail what is already in place.
pub fn sync_folder_of(path: &Path) {
    if let Ok(dir) = std::fs::File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

/// `<file><suffix>` beside the file: its `-wal`, its `.lock`, its `.backups` or `.index` folder.
#[must_use]
pub fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// What a file that is not a regular one is, in words ("a folder", "a FIFO", "a device", "a
/// socket"); `None` for a regular file.
#[must_use]
pub fn not_regular(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not an ordinary file")
}

/// Locks `file` (exclusively or shared), trying again every 20 ms until `wait` has passed:
/// `Ok(true)` once held, `Ok(false)` when another process held it for the whole wait.
pub fn lock_within(file: &std::fs::File, exclusive: bool, wait: Duration) -> std::io::Result<bool> {
    let deadline = Instant::now() + wait;
    loop {
        let tried = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match tried {
            Ok(()) => return Ok(true),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => return Ok(false),
            Err(TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// A file's permission bits (Unix; `None` elsewhere or when they cannot be read).
#[must_use]
pub fn permission_bits(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_resolves_links_and_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("p.accord"), b"x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("p.accord"), dir.path().join("link.accord"))
                .unwrap();
            assert_eq!(
                canonical(&dir.path().join("link.accord")),
                canonical(&real.join("p.accord"))
            );
        }
        assert_eq!(
            canonical(&real.join("../real/new.accord")),
            canonical(&real).join("new.accord")
        );
    }
}
