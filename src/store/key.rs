//! Encryption at rest (SQLCipher): a project can be created encrypted with a passphrase. The
//! passphrase is asked for, held in memory while the project is open (to key the extra connections
//! a backup or a merge needs), and never written anywhere. Without it the file is random bytes.

use std::path::Path;

use rusqlite::Connection;

use super::{Result, StoreError};

/// A passphrase; printing it shows nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// The shortest passphrase accepted for a new project.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

impl Passphrase {
    /// A passphrase to open a project with.
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// A passphrase for a new project: at least [`MIN_PASSPHRASE_CHARS`] characters, not only
    /// spaces, and none at either end (a line break or space there could not be typed again at
    /// the terminal prompt or in the window, which drop it).
    pub fn for_new_project(text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        if text.trim().is_empty() && !text.is_empty() {
            return Err(StoreError::Refused(
                "a passphrase cannot be only spaces or line breaks; nothing was created".into(),
            ));
        }
        if text.trim() != text {
            return Err(StoreError::Refused(
                "a passphrase cannot begin or end with a space, tab or line break (it could not \
                 be typed the same way again); nothing was created"
                    .into(),
            ));
        }
        if text.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(StoreError::Refused(format!(
                "a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"
            )));
        }
        Ok(Self(text))
    }

    /// The passphrase itself (to key an attached database).
    pub(super) fn text(&self) -> &str {
        &self.0
    }

    /// Keys a fresh connection: the first statement on it. An empty passphrase keys nothing.
    pub(super) fn apply(&self, conn: &Connection) -> Result<()> {
        if self.0.is_empty() {
            return Err(StoreError::Refused("the passphrase is empty".into()));
        }
        // SQLCipher logs a wrong key to standard error itself; Accord says it once, clearly.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE");
        conn.pragma_update(None, "key", &self.0)?;
        Ok(())
    }
}

/// Whether a file that is not a plain SQLite database looks like an encrypted one: whole pages of
/// bytes with no readable header.
pub(super) fn looks_encrypted(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let len = meta.len();
    if len < 1024 || len % 512 != 0 {
        return false;
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    read.is_ok()
        && head
            .iter()
            .filter(|b| b.is_ascii_graphic() || **b == b' ')
            .count()
            < 12
}

/// The key to open `path` with: none for a plain SQLite file; the passphrase for an encrypted one
/// (an error when none was given); the file's own problem otherwise.
pub(super) fn key_for(path: &Path, key: Option<&Passphrase>) -> Result<Option<Passphrase>> {
    match (super::check_magic(path), key) {
        (Ok(()), _) => Ok(None),
        (Err(_), Some(key)) if looks_encrypted(path) => Ok(Some(key.clone())),
        (Err(_), None) if looks_encrypted(path) => Err(StoreError::Encrypted(path.to_path_buf())),
        (Err(e), _) => Err(e),
    }
}

/// Keys a connection (when there is a key) and reads it once: a wrong passphrase shows here.
pub(super) fn unlock(conn: &Connection, key: Option<&Passphrase>, path: &Path) -> Result<()> {
    if let Some(key) = key {
        key.apply(conn)
            .map_err(|_| StoreError::WrongPassphrase(path.to_path_buf()))?;
        check(conn, path)?;
    }
    Ok(())
}

/// Reads a keyed connection once: a wrong passphrase shows here ("not a database"); a file that
/// cannot be read for another reason (nothing can be written beside it) says so.
pub(super) fn check(conn: &Connection, path: &Path) -> Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| match super::open_error(path, e) {
            e @ StoreError::CannotWrite { .. } => e,
            _ => StoreError::WrongPassphrase(path.to_path_buf()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_passphrase_has_no_space_at_either_end() {
        for bad in [
            "longsecret1\n",
            " longsecret1",
            "longsecret1\t",
            "        ",
            "\n\n\n\n\n\n\n\n",
            "short",
        ] {
            assert!(
                matches!(
                    Passphrase::for_new_project(bad),
                    Err(StoreError::Refused(_))
                ),
                "{bad:?}"
            );
        }
        assert!(Passphrase::for_new_project("long secret inside").is_ok());
        // Opening is never refused for the same reason: an old project keeps its passphrase.
        assert_eq!(Passphrase::new(" x ").text(), " x ");
    }
}
