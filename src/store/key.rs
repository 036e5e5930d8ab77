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

    /// A passphrase for a new project: at least [`MIN_PASSPHRASE_CHARS`] characters.
    pub fn for_new_project(text: impl Into<String>) -> Result<Self> {
        let text = text.into();
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

    /// Keys a fresh connection: the first statement on it.
    pub(super) fn apply(&self, conn: &Connection) -> Result<()> {
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

/// Reads a keyed connection once: a wrong passphrase shows here.
pub(super) fn check(conn: &Connection, path: &Path) -> Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|_| StoreError::WrongPassphrase(path.to_path_buf()))
}
