//! Loading a project for export: one read of the store into an [`export::ProjectData`] snapshot, which
//! every export (and the window's preview) then renders without touching the store again.
//!
//! [`export::ProjectData`]: crate::export::ProjectData

use std::path::{Path, PathBuf};

use super::Result;
use crate::export::ProjectData;
use crate::model::CodingFilter;
use crate::model::files::{companion, folder_of, sync_folder_of};
use crate::store::Store;

/// Reads everything an export may need: codebook, transcripts with text and turns, cases, raters,
/// live codings and memos.
pub fn snapshot(store: &Store) -> Result<ProjectData> {
    let transcripts = store
        .transcripts()?
        .iter()
        .map(|t| store.transcript(t.transcript_id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut codings = store.codings(&CodingFilter::default())?;
    let order: std::collections::BTreeMap<_, _> = transcripts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.transcript_id, i))
        .collect();
    codings.sort_by_key(|c| {
        (
            order.get(&c.transcript_id).copied(),
            c.span.start,
            c.span.end,
            c.code_id,
            c.rater_id,
            c.coding_id,
        )
    });
    Ok(ProjectData {
        name: store.project_name()?,
        codebook: store.codebook()?,
        transcripts,
        cases: store.cases()?,
        raters: store.raters()?,
        codings,
        memos: store.all_memos()?,
        key_quotes: store.key_quotes()?,
        summaries: store.grid_summaries()?,
        citation: super::quotes::citation_form(store)?,
    })
}

/// Where an export goes and what it may replace: the one safe writer for every file a person names
/// with `--out` (the command line's exports and the window's "Save export").
///
/// It refuses, always (even with `force`): the project itself (compared as canonical paths, so
/// through symlinks too), its `-wal`, `-shm` and `-journal` files, anything inside its `.backups` or
/// `.index` folder, any existing SQLite database and any existing `.accord` file (an encrypted project
/// looks like random bytes). Without `force` it also refuses an existing file that is not of the
/// export's own kind (judged by the extension, then the first bytes).
#[derive(Debug, Clone, Copy)]
pub struct OutputTarget<'a> {
    /// The file to write.
    pub path: &'a Path,
    /// The extensions of the export's own kind (lower case, no dot), e.g. `["csv"]`.
    pub extensions: &'a [&'a str],
    /// True when the export is a zip archive (XLSX, DOCX, `.qdpx`), false for text.
    pub zip: bool,
    /// The project the export comes from.
    pub project: Option<&'a Path>,
    /// Overwrite an existing file of another kind.
    pub force: bool,
}

/// Why an output file was refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file must not be written.
    #[error("{path}: refusing to write there: {reason}")]
    Refused {
        /// The file.
        path: String,
        /// Why, and what to do.
        reason: String,
    },
    /// Writing failed; the target (if any) is unchanged and no temporary file is left.
    #[error("{path}: cannot write: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl OutputTarget<'_> {
    fn refused(&self, reason: impl Into<String>) -> OutputError {
        OutputError::Refused {
            path: self.path.display().to_string(),
            reason: reason.into(),
        }
    }

    fn io(&self, cause: std::io::Error) -> OutputError {
        OutputError::Io {
            path: self.path.display().to_string(),
            cause: plain(cause),
        }
    }

    /// Checks that the file may be written (see [`OutputTarget`]); nothing is written.
    pub fn check(&self) -> Result<(), OutputError> {
        let name = self
            .path
            .file_name()
            .ok_or_else(|| self.refused("not a file name; give a file such as out.csv"))?;
        let folder = folder_of(self.path);
        let folder = folder.canonicalize().map_err(|e| {
            self.refused(format!("its folder {} is unusable: {e}", folder.display()))
        })?;
        // Where the file really is: through a symlink at the path, else in the canonical folder.
        let resolved = self
            .path
            .canonicalize()
            .unwrap_or_else(|_| folder.join(name));
        if let Some(project) = self.project {
            self.check_project(project, &resolved)?;
        }
        let meta = match std::fs::metadata(self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.io(e)),
        };
        if meta.is_dir() {
            return Err(self.refused("it is a folder; give a file name inside it"));
        }
        if !meta.is_file() {
            // A device, FIFO or socket: never read (it could block) nor replaced.
            return Err(self.refused(
                "it is not a regular file (a device, pipe or socket); give a file name, or leave \
                 out --out to print a text export",
            ));
        }
        let head = read_head(self.path).map_err(|e| self.io(e))?;
        if head.starts_with(SQLITE_MAGIC) {
            return Err(self.refused(
                "it is an existing SQLite database (perhaps an Accord project); choose another output file",
            ));
        }
        if has_extension(&resolved, "accord") || has_extension(self.path, "accord") {
            return Err(self.refused(
                "it is an existing .accord file (an Accord project, perhaps encrypted); choose \
                 another output file",
            ));
        }
        if self.force || head.is_empty() {
            return Ok(());
        }
        let same_extension = self.extensions.iter().any(|e| has_extension(self.path, e));
        let same_content = if self.zip {
            head.starts_with(b"PK\x03\x04")
        } else {
            !head.contains(&0)
        };
        if !same_extension || !same_content {
            let kind = self.extensions.first().copied().unwrap_or("this");
            return Err(self.refused(format!(
                "an existing file that is not a {kind} file would be replaced; choose \
                 another output file, or give --force to replace it"
            )));
        }
        Ok(())
    }

    fn check_project(&self, project: &Path, resolved: &Path) -> Result<(), OutputError> {
        let Ok(project) = project.canonicalize() else {
            return Ok(());
        };
        if resolved == project {
            return Err(self.refused(format!(
                "it is the project itself ({}); choose another output file",
                project.display()
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            if let (Ok(a), Ok(b)) = (std::fs::metadata(resolved), std::fs::metadata(&project))
                && (a.dev(), a.ino()) == (b.dev(), b.ino())
            {
                return Err(self.refused(format!(
                    "it is the project itself under another name (a hard link to {}); choose \
                     another output file",
                    project.display()
                )));
            }
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            if *resolved == companion(&project, suffix) {
                return Err(self.refused(format!(
                    "it is the project's {suffix} file, part of {}; choose another output file",
                    project.display()
                )));
            }
        }
        for folder in [
            crate::store::backups_dir(&project),
            crate::search::sync::index_dir(&project),
        ] {
            if resolved.starts_with(&folder) {
                return Err(self.refused(format!(
                    "it is inside {}, which Accord keeps for the project; choose another output file",
                    folder.display()
                )));
            }
        }
        Ok(())
    }

    /// Writes `bytes` to the file: checked first (see [`OutputTarget::check`]), then written to a
    /// new temporary file with a random name beside it (created exclusively, so a planted symlink is
    /// never followed), flushed to disk, renamed over the target and the folder flushed. On any
    /// failure the temporary file is removed and an existing target is left as it was. The file
    /// takes the project's permission bits where they are stricter than the default (a 0600
    /// project gives a 0600 export), and an existing target's where they are stricter.
    pub fn write(&self, bytes: &[u8]) -> Result<(), OutputError> {
        use std::io::Write as _;
        self.check()?;
        let folder = folder_of(self.path);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".accord-out-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // 0666 less the umask, as a file made with `File::create` would get.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut file = builder.tempfile_in(&folder).map_err(|e| self.io(e))?;
        #[cfg(unix)]
        self.restrict(file.as_file()).map_err(|e| self.io(e))?;
        file.write_all(bytes).map_err(|e| self.io(e))?;
        file.as_file().sync_all().map_err(|e| self.io(e))?;
        file.persist(self.path).map_err(|e| self.io(e.error))?;
        // The rename must reach the disk too.
        sync_folder_of(self.path);
        Ok(())
    }

    /// Narrows the new file's mode to the project's and the existing target's.
    #[cfg(unix)]
    fn restrict(&self, file: &std::fs::File) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let mut mode = file.metadata()?.permissions().mode() & 0o777;
        let before = mode;
        for other in self.project.iter().chain(std::iter::once(&self.path)) {
            if let Ok(meta) = std::fs::metadata(other) {
                mode &= meta.permissions().mode() & 0o777;
            }
        }
        if mode != before {
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    }
}

/// The operating system's error alone (`tempfile` adds the temporary file's name, which means
/// nothing to the person: the file is gone).
fn plain(e: std::io::Error) -> std::io::Error {
    e.raw_os_error()
        .map_or(e, std::io::Error::from_raw_os_error)
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// The first bytes of a file (enough for magic numbers and a look for binary content).
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)?
        .take(4096)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// A private folder beside a new file that SQLite builds (a rater file, the demo, an imported
/// REFI-QDA project): made with a random name and mode 0700, so nobody can plant a symlink at the
/// file's temporary name, and removed with everything in it (journal, `-wal`, `-shm`) unless the
/// file was moved into place by [`Staging::finish`].
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl Staging {
    /// A staging folder in `out`'s folder; the file to build is [`Staging::path`].
    pub fn beside(out: &Path) -> Result<Self, OutputError> {
        let io = |cause| OutputError::Io {
            path: out.display().to_string(),
            cause: plain(cause),
        };
        let dir = tempfile::Builder::new()
            .prefix(".accord-new-")
            .tempdir_in(folder_of(out))
            .map_err(io)?;
        let name = out.file_name().unwrap_or_else(|| "new.accord".as_ref());
        let file = dir.path().join(name);
        Ok(Self { dir, file })
    }

    /// Where to build the file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// Flushes the finished file to disk and moves it to `out`, which must not exist (checked by
    /// the move itself, so a file that appeared meanwhile is never replaced); then flushes the
    /// folder. The staging folder is removed either way.
    pub fn finish(self, out: &Path) -> Result<(), OutputError> {
        let io = |cause| OutputError::Io {
            path: out.display().to_string(),
            cause: plain(cause),
        };
        std::fs::File::open(&self.file)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        match std::fs::hard_link(&self.file, out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(OutputError::Refused {
                    path: out.display().to_string(),
                    reason: "a file appeared there meanwhile; it was left as it is".into(),
                });
            }
            // File systems without hard links: a rename after a last look.
            Err(_) if !out.exists() => std::fs::rename(&self.file, out).map_err(io)?,
            Err(e) => return Err(io(e)),
        }
        sync_folder_of(out);
        drop(self.dir);
        Ok(())
    }
}
