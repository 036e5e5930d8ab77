//! Bytes to model: one file per format. Every reader is pure (a path or bytes in, model values out)
//! and reports problems as an [`ImportError`] naming the file, so a batch can report each failed file
//! and carry on with the rest.

pub mod attributes;
pub mod codebook_toml;
pub mod codings_csv;
pub mod decode;
mod docx;
pub mod labels;
pub mod pseudonyms;
pub mod refi;
pub mod subtitles;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::model::{
    Role, SourceFormat, Span, Transcript, TranscriptId, Turn, TurnId, now_rfc3339, text,
};
pub use decode::{DecodeError, Encoding};
pub use labels::{LabelOptions, TurnDraft};

/// Largest transcript file read (bytes): 64 MB, hundreds of times a two-hour interview (about 150 KB
/// of text), so a runaway or hostile file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What went wrong reading one file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not text Accord can decode.
    #[error("{path}: {source}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// The content does not follow its format.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, with a line number where one helps.
        message: String,
    },
}

impl ImportError {
    /// A format error for `path`.
    pub fn format(path: &Path, message: impl Into<String>) -> Self {
        Self::Format {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// How to read a transcript.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force a format instead of guessing from the extension.
    pub format: Option<SourceFormat>,
    /// Name of the case (participant); by default taken from the file name.
    pub case_name: Option<String>,
    /// Name of the transcript; by default the file name without extension.
    pub name: Option<String>,
    /// A custom speaker-label pattern (named groups `speaker`, optional `time`).
    pub speaker_pattern: Option<Regex>,
    /// Speakers who are interviewers.
    pub interviewers: Vec<String>,
    /// Speakers who are participants.
    pub participants: Vec<String>,
    /// A pseudonym list applied to the text (and the transcript's name) before it is stored.
    pub pseudonyms: Option<pseudonyms::Pseudonyms>,
}

/// A transcript read from a file, ready to store.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ImportedTranscript {
    /// The transcript (with fresh ids).
    pub transcript: Transcript,
    /// The case it belongs to.
    pub case_name: String,
    /// The encoding the file was decoded with.
    pub encoding: Encoding,
    /// The file it came from.
    pub path: PathBuf,
}

/// The transcript formats a file name suggests.
#[must_use]
pub fn format_of(path: &Path) -> Option<SourceFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" | "md" => Some(SourceFormat::Txt),
        "vtt" => Some(SourceFormat::Vtt),
        "srt" => Some(SourceFormat::Srt),
        "docx" => Some(SourceFormat::Docx),
        _ => None,
    }
}

/// The case a file belongs to, from its name: a leading id such as `P07` in `P07_interview.vtt`,
/// else the whole file stem.
#[must_use]
pub fn case_from_file(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("case");
    let id: String = {
        let letters: String = stem.chars().take_while(char::is_ascii_alphabetic).collect();
        let rest = &stem[letters.len()..];
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if letters.len() <= 12
            && !digits.is_empty()
            && rest[digits.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        {
            format!("{letters}{digits}")
        } else {
            String::new()
        }
    };
    if id.is_empty() { stem.to_string() } else { id }
}

/// Reads one transcript file.
pub fn read_transcript(
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportedTranscript, ImportError> {
    let format = opts.format.or_else(|| format_of(path)).ok_or_else(|| {
        ImportError::format(
            path,
            "unknown file type (expected .txt, .vtt, .srt or .docx; or give --format)",
        )
    })?;
    let bytes = read_bounded(path, MAX_FILE_BYTES, "a transcript")?;
    read_transcript_bytes(path, &bytes, format, opts)
}

/// Reads a transcript from bytes already in memory (`path` names it in errors and gives the defaults).
pub fn read_transcript_bytes(
    path: &Path,
    bytes: &[u8],
    format: SourceFormat,
    opts: &ImportOptions,
) -> Result<ImportedTranscript, ImportError> {
    let case_name = opts
        .case_name
        .clone()
        .unwrap_or_else(|| case_from_file(path));
    let label_opts = LabelOptions {
        pattern: opts.speaker_pattern.clone(),
        interviewers: opts.interviewers.clone(),
        participants: opts.participants.clone(),
        case_name: Some(case_name.clone()),
    };
    let (raw, encoding) = if format == SourceFormat::Docx {
        let text = docx::docx_text(bytes).map_err(|m| ImportError::format(path, m))?;
        (text, Encoding::Utf8)
    } else {
        decode::decode(bytes).map_err(|source| ImportError::Decode {
            path: path.to_path_buf(),
            source,
        })?
    };
    let mut normalised = text::normalise(&raw);
    if let Some(list) = &opts.pseudonyms {
        normalised = list.apply(&normalised).text;
    }
    let (text, drafts) = match format {
        SourceFormat::Vtt | SourceFormat::Srt => {
            let cues = if format == SourceFormat::Vtt {
                subtitles::parse_vtt(&normalised)
            } else {
                subtitles::parse_srt(&normalised)
            }
            .map_err(|m| ImportError::format(path, m))?;
            if cues.is_empty() {
                return Err(ImportError::format(path, "the file has no cues with text"));
            }
            subtitles::render(&cues, &label_opts)
        }
        _ => {
            let drafts = labels::split_turns(&normalised, &label_opts);
            (normalised, drafts)
        }
    };
    if drafts.is_empty() {
        return Err(ImportError::format(path, "the file has no text"));
    }
    let mut name = opts.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("transcript")
            .to_string()
    });
    if let Some(list) = &opts.pseudonyms {
        name = list.apply(&name).text;
    }
    let mut transcript = build(&name, path, format, text, &drafts, &label_opts);
    if let Some(list) = &opts.pseudonyms {
        transcript.source_file = list.apply(&transcript.source_file).text;
        for turn in &mut transcript.turns {
            turn.speaker = list.apply(&turn.speaker).text;
        }
    }
    Ok(ImportedTranscript {
        transcript,
        case_name,
        encoding,
        path: path.to_path_buf(),
    })
}

/// Largest codebook file read (TOML or REFI-QDA `.qdc`): 16 MB, a hundred times a large codebook.
pub const MAX_CODEBOOK_BYTES: u64 = 16 * 1024 * 1024;
/// Largest table read (case attributes, codings, pseudonym lists): 64 MB.
pub const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest REFI-QDA project file (`.qdpx`) opened: 2 GB. Only its XML and text sources are unpacked
/// (at most [`refi::qdpx::MAX_EXPANDED_BYTES`]), read from the file rather than from memory, so a project
/// with recordings in it still fits; a bigger file is refused before anything is read.
pub const MAX_QDPX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

fn refuse_kind(path: &Path, kind: &str) -> ImportError {
    ImportError::format(
        path,
        format!("not a regular file ({kind}); Accord reads only ordinary files"),
    )
}

fn too_big(path: &Path, bytes: u64, limit: u64, what: &str) -> ImportError {
    ImportError::format(
        path,
        format!(
            "the file is {} MB; {what} may be at most {} MB",
            bytes.div_ceil(1 << 20),
            limit >> 20
        ),
    )
}

/// Opens a file Accord reads as input: symlinks are followed, and anything but a regular file (a
/// FIFO, a device, a folder, a socket) is refused from its metadata, before it is opened, so nothing
/// blocks or reads forever; a file over `limit` bytes is refused by its size, unread. `what` names
/// the kind of file in the error ("a transcript", "a codebook"). Returns the file and its size.
pub fn open_bounded(
    path: &Path,
    limit: u64,
    what: &str,
) -> Result<(std::fs::File, u64), ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if let Some(kind) = crate::model::files::not_regular(meta.file_type()) {
        return Err(refuse_kind(path, kind));
    }
    if meta.len() > limit {
        return Err(too_big(path, meta.len(), limit, what));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The name may have been pointed elsewhere between the two looks: check what was opened.
    let meta = file.metadata().map_err(io)?;
    if let Some(kind) = crate::model::files::not_regular(meta.file_type()) {
        return Err(refuse_kind(path, kind));
    }
    if meta.len() > limit {
        return Err(too_big(path, meta.len(), limit, what));
    }
    Ok((file, meta.len()))
}

/// Reads a whole input file through [`open_bounded`], and never more than `limit` bytes: a file
/// that grows while it is read, or whose size lies, is refused all the same.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let (file, len) = open_bounded(path, limit, what)?;
    let mut bytes = Vec::with_capacity(len.min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(too_big(path, bytes.len() as u64, limit, what));
    }
    Ok(bytes)
}

/// At most `max` chars of `text` for an error message, with "…" when cut.
#[must_use]
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn build(
    name: &str,
    path: &Path,
    format: SourceFormat,
    text: String,
    drafts: &[TurnDraft],
    opts: &LabelOptions,
) -> Transcript {
    let speakers: BTreeSet<String> = drafts.iter().map(|d| d.speaker.clone()).collect();
    let roles = labels::assign_roles(&speakers, opts);
    let turns = drafts
        .iter()
        .enumerate()
        .map(|(index, d)| Turn {
            turn_id: TurnId::new_random(),
            index,
            span: Span::new(d.start, d.end),
            content_start: d.content_start,
            speaker: d.speaker.clone(),
            role: roles.get(&d.speaker).copied().unwrap_or(Role::Other),
            start_ms: d.start_ms,
            end_ms: d.end_ms,
        })
        .collect();
    Transcript {
        transcript_id: TranscriptId::new_random(),
        name: name.to_string(),
        case_id: None,
        source_file: path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string(),
        format,
        sha256: text::sha256_hex(&text),
        len_chars: text::char_len(&text),
        text,
        imported_at: now_rfc3339(),
        turns,
    }
}

/// The transcript files in a folder (recursively), sorted by path, and files of unknown type skipped.
pub fn transcript_files(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    // Folders already walked (a symlink back up the tree would otherwise loop forever).
    let mut seen = BTreeSet::new();
    while let Some(next) = stack.pop() {
        if !seen.insert(std::fs::canonicalize(&next).unwrap_or_else(|_| next.clone())) {
            continue;
        }
        for entry in std::fs::read_dir(&next)? {
            let path = entry?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            // A FIFO, a device or a dangling link of a transcript type is listed, so that reading
            // it reports that file's failure and the batch carries on.
            if path.is_dir() {
                stack.push(path);
            } else if format_of(&path).is_some() {
                found.push(path);
            } else {
                skipped.push(path);
            }
        }
    }
    found.sort();
    skipped.sort();
    Ok((found, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, bytes: &[u8]) -> Result<ImportedTranscript, ImportError> {
        let format = format_of(Path::new(name)).unwrap();
        read_transcript_bytes(Path::new(name), bytes, format, &ImportOptions::default())
    }

    #[test]
    fn bounded_reads_refuse_what_is_not_a_file_and_what_is_too_big() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("a.txt");
        std::fs::write(&small, b"0123456789").unwrap();
        assert_eq!(read_bounded(&small, 10, "a test").unwrap(), b"0123456789");
        let err = read_bounded(&small, 9, "a test").unwrap_err().to_string();
        assert!(
            err.contains("a.txt") && err.contains("a test may be at most"),
            "{err}"
        );
        let err = read_bounded(dir.path(), 10, "a test")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file (a folder)"), "{err}");
        #[cfg(unix)]
        {
            let zero = dir.path().join("zero.txt");
            std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
            let err = read_bounded(&zero, 10, "a test").unwrap_err().to_string();
            assert!(
                err.contains("zero.txt: not a regular file (a device)"),
                "{err}"
            );
            let err = read_transcript(&zero, &ImportOptions::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("naïve", 3), "naï…");
    }

    #[test]
    fn case_names_from_files() {
        assert_eq!(case_from_file(Path::new("P07_interview.vtt")), "P07");
        assert_eq!(case_from_file(Path::new("dir/P-12 final.docx")), "P12");
        assert_eq!(case_from_file(Path::new("rosa.txt")), "rosa");
        assert_eq!(case_from_file(Path::new("P07x.txt")), "P07x");
    }

    #[test]
    fn txt_turns_roles_and_frozen_text() {
        let imported = read(
            "P07_a.txt",
            b"Interviewer: How was it?\r\n\r\nP07: Good, really.\r\n",
        )
        .unwrap();
        let t = &imported.transcript;
        assert_eq!(t.text, "Interviewer: How was it?\n\nP07: Good, really.\n");
        assert_eq!(imported.case_name, "P07");
        assert_eq!(t.turns.len(), 2);
        assert_eq!(
            (t.turns[0].role, t.turns[1].role),
            (Role::Interviewer, Role::Participant)
        );
        assert_eq!(
            text::slice_chars(&t.text, t.turns[1].content_start, t.turns[1].span.end),
            "Good, really."
        );
        assert_eq!(t.sha256, text::sha256_hex(&t.text));
    }

    #[test]
    fn docx_and_vtt_become_turns() {
        let docx = docx::tests::make_docx(&["Interviewer: Hello.", "P03: Hi, naïve me."]);
        let t = read("P03.docx", &docx).unwrap().transcript;
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[1].role, Role::Participant);
        let vtt = read("P02.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDana: Hi.\n\n00:00:02.000 --> 00:00:03.000\nP02: Hello.\n").unwrap();
        assert_eq!(vtt.transcript.turns[0].role, Role::Interviewer);
        assert_eq!(vtt.transcript.turns[1].start_ms, Some(2000));
    }

    #[test]
    fn bad_files_name_the_file_and_the_problem() {
        let err = read("P01.txt", b"").unwrap_err().to_string();
        assert!(
            err.starts_with("P01.txt: ") && err.contains("empty"),
            "{err}"
        );
        let err = read("P01.txt", b"\x00\x01\x02binary")
            .unwrap_err()
            .to_string();
        assert!(err.contains("binary"), "{err}");
        let err = read("P01.vtt", b"not vtt").unwrap_err().to_string();
        assert!(err.contains("WEBVTT"), "{err}");
        let err = read("P01.docx", b"PK\x03\x04 truncated")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("P01.docx") && err.contains("Word document"),
            "{err}"
        );
        let err = read_transcript(Path::new("/nonexistent/x.txt"), &ImportOptions::default())
            .unwrap_err();
        assert!(matches!(err, ImportError::Io { .. }));
        let err = read_transcript(Path::new("notes.pdf"), &ImportOptions::default()).unwrap_err();
        assert!(err.to_string().contains("unknown file type"));
    }
}
