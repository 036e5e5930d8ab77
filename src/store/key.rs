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
/// bytes that are not text. A SQLCipher file is random from its first byte (a 16-byte salt, then
/// encrypted pages); a text file saved under a project's name (a transcript, a CSV) is UTF-8 or
/// mostly printable. The first kilobyte decides: random bytes are valid UTF-8 or mostly printable
/// with a probability below 1e-80, whereas judging by the first 16 bytes alone (as Accord once did)
/// took about one encrypted project in 430 for text, which then would not open.
pub(super) fn looks_encrypted(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let len = meta.len();
    if len < 1024 || len % 512 != 0 {
        return false;
    }
    let mut head = [0u8; 1024];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    read.is_ok() && !looks_like_text(&head)
}

/// Whether a file's first bytes read as text: valid UTF-8 (a sequence cut at the end counts), or
/// at least four in five bytes printable ASCII or white space (text in a single-byte encoding).
fn looks_like_text(head: &[u8]) -> bool {
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    let printable = head
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    utf8 || printable * 5 >= head.len() * 4
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
    super::read_once(conn).map_err(|e| match super::open_error(path, e) {
        e @ StoreError::CannotWrite { .. } => e,
        _ => StoreError::WrongPassphrase(path.to_path_buf()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encrypted_file_whose_salt_looks_like_text_is_still_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.accord");
        // The salt of one encrypted project in about 430: 16 printable bytes, then encrypted
        // pages. Judged by its first 16 bytes, this file was "not an SQLite database".
        let mut bytes = b"k3Q9v+Lr8TzW1aXe".to_vec();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        while bytes.len() < 4096 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.extend_from_slice(&state.to_le_bytes());
        }
        std::fs::write(&path, &bytes).unwrap();
        assert!(looks_encrypted(&path));
        // Text under a project's name is not taken for an encrypted project.
        let text = "Interviewer: How did the week go?\nParticipant: Quiet, for once.\n".repeat(64);
        std::fs::write(&path, &text.as_bytes()[..4096]).unwrap();
        assert!(!looks_encrypted(&path));
        let latin1: Vec<u8> = text
            .bytes()
            .map(|b| if b == b'e' { 0xe9 } else { b })
            .collect();
        std::fs::write(&path, &latin1[..4096]).unwrap();
        assert!(!looks_encrypted(&path));
        let utf8 = "Résztvevő: Ő mondta, hogy minden rendben.\n".repeat(128);
        std::fs::write(&path, &utf8.as_bytes()[..4096]).unwrap();
        assert!(!looks_encrypted(&path));
    }

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

/// What converting a plain project into an encrypted one did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Encrypted {
    /// The project, now encrypted.
    pub path: std::path::PathBuf,
    /// Tables copied (and checked row for row).
    pub tables: usize,
    /// Rows copied, in all tables.
    pub rows: u64,
}

impl super::Store {
    /// Converts this open plain project into one encrypted with `key`, in place, and goes on with
    /// the encrypted file: the project is copied with SQLCipher's `sqlcipher_export` into a new
    /// encrypted file beside it (never a plaintext copy), the copy is opened with the key and
    /// checked (integrity, schema, and the rows of every table against the original), and only then
    /// renamed over the project; this store then lets go of the plain file and opens the encrypted
    /// one with the key (holding the same project lock). Nobody can change the project meanwhile
    /// (it is held exclusively, and its write lock is held throughout). Refused for a project that
    /// is already encrypted, and while another Accord has the project open (it would go on writing
    /// to the plain file once the encrypted one is renamed over it); on any failure before the
    /// rename the project is left exactly as it was, and this store goes on with it.
    ///
    /// The project's backups and search index are not touched here (see `app::encrypt`).
    pub(crate) fn encrypt_here(&mut self, key: &Passphrase) -> Result<Encrypted> {
        let Some(path) = self.path.clone() else {
            return Err(StoreError::Refused(
                "an in-memory project cannot be encrypted in place".into(),
            ));
        };
        if self.key.is_some() {
            return Err(StoreError::Refused(format!(
                "{}: the project is already encrypted; nothing was changed",
                path.display()
            )));
        }
        if key.text().is_empty() {
            return Err(StoreError::Refused("the passphrase is empty".into()));
        }
        if self.is_read_only() {
            return Err(StoreError::Refused(format!(
                "{}: the project was opened read-only; nothing was changed",
                path.display()
            )));
        }
        // A whole-file operation: no other Accord may have the project open.
        let _whole_file = self.exclusive()?;
        // The write lock, held by a second connection until the encrypted copy is in place: a
        // change made meanwhile would be lost with the plain file.
        let lock = Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        lock.busy_timeout(std::time::Duration::from_secs(5))?;
        lock.execute_batch("BEGIN IMMEDIATE").map_err(|e| {
            StoreError::Refused(format!(
                "{}: another program is changing the project ({e}); close it and try again; \
                 nothing was changed",
                path.display()
            ))
        })?;
        let tmp = encrypting_name(&path);
        remove_with_sidecars(&tmp);
        let copied = export_encrypted(&self.conn, &tmp, key);
        let copied = copied.and_then(|(tables, rows)| {
            std::fs::rename(&tmp, &path)
                .map_err(|e| StoreError::Refused(format!("{}: {e}", path.display())))?;
            Ok((tables, rows))
        });
        let _ = lock.execute_batch("ROLLBACK");
        let (tables, rows) = match copied {
            Ok(done) => done,
            Err(e) => {
                drop(lock);
                remove_with_sidecars(&tmp);
                return Err(e);
            }
        };
        // This store lets go of the plain file (its project lock stays held); the write-lock
        // connection is the last one to it: closing it checkpoints and removes its WAL.
        let plain = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        drop(plain);
        let _ = lock.close();
        // The plain file's WAL and shared memory, should they have outlived it, must not be read
        // as the encrypted file's.
        super::backup::remove_wal_and_shm(&path);
        crate::model::files::sync_folder_of(&path);
        let super::Store { conn, key, .. } = Self::open_with(&path, Some(key))?;
        self.conn = conn;
        self.key = key;
        Ok(Encrypted { path, tables, rows })
    }
}

/// `.<name>.encrypting-<pid>` beside the project (the same folder, so the rename is atomic).
fn encrypting_name(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.encrypting-{}", std::process::id()))
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-journal"] {
        let _ = std::fs::remove_file(crate::model::files::companion(path, suffix));
    }
    super::backup::remove_wal_and_shm(path);
}

/// Copies the database of `conn` into a new encrypted file at `tmp` and checks the copy: opened
/// with the key, sound, with the same schema and the same number of rows in every table. Returns
/// (tables, rows).
fn export_encrypted(conn: &Connection, tmp: &Path, key: &Passphrase) -> Result<(usize, u64)> {
    let name = tmp.to_string_lossy().into_owned();
    // The project's connection was opened without the right to create files, and ATTACH inherits
    // it: an empty file is a new database to SQLite.
    std::fs::File::create_new(tmp)
        .map_err(|e| StoreError::Refused(format!("{}: {e}", tmp.display())))?;
    // Not through `write`: nothing of the project changes; a new, encrypted copy is made.
    conn.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![name, key.text()],
    )?;
    let exported = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        conn.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; PRAGMA encrypted.application_id = {app_id};"
        ))?;
        Ok(())
    })();
    let detached = conn.execute_batch("DETACH DATABASE encrypted");
    exported?;
    detached?;
    let copy = Connection::open(tmp)?;
    key.apply(&copy)?;
    check(&copy, tmp)?;
    // Encrypted projects run in WAL mode like every other (its log is encrypted too).
    copy.pragma_update(None, "journal_mode", "WAL")?;
    let bad = |why: String| {
        StoreError::Corrupt(format!(
            "the encrypted copy does not match the project ({why}); nothing was changed"
        ))
    };
    let problems: Vec<String> = copy
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    if problems != ["ok"] {
        return Err(bad(problems.join("; ")));
    }
    let schema = |c: &Connection| -> Result<Vec<(String, String, Option<String>)>> {
        Ok(c.prepare(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?)
    };
    let ours = schema(conn)?;
    if ours != schema(&copy)? {
        return Err(bad("the tables differ".into()));
    }
    let pragma = |c: &Connection, p: &str| -> Result<i64> {
        Ok(c.pragma_query_value(None, p, |r| r.get(0))?)
    };
    for p in ["user_version", "application_id"] {
        if pragma(conn, p)? != pragma(&copy, p)? {
            return Err(bad(format!("{p} differs")));
        }
    }
    let (mut tables, mut rows) = (0, 0u64);
    for (kind, table, _) in &ours {
        if kind != "table" {
            continue;
        }
        let count = |c: &Connection| -> Result<i64> {
            Ok(c.query_row(
                &format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )?)
        };
        let n = count(conn)?;
        if n != count(&copy)? {
            return Err(bad(format!("table {table} has other rows")));
        }
        tables += 1;
        rows += n as u64;
    }
    copy.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Refused(format!("{}: {e}", tmp.display())))?;
    if super::check_magic(tmp).is_ok() {
        return Err(bad("the copy is not encrypted".into()));
    }
    Ok((tables, rows))
}
