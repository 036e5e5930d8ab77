//! Keeping the index in step with the store. The index lives beside the project (`<file>.index/`):
//! `turns/` holds one document per turn, `passages/` one per coded passage (the part of a coding
//! inside one turn), and a small sidecar (`accord-index.json`) records the schema version, the
//! project id and two fingerprints per transcript (its turns, its passages). Opening compares the
//! fingerprints with the store's and re-indexes only what changed (a new coding re-indexes only that
//! transcript's passages); a missing, unreadable, corrupt (checksums) or foreign index is deleted
//! and rebuilt. The sidecar is written after the indexes commit, so a crash in between only makes
//! the next open re-index a few transcripts again.
//!
//! A query that names a code or a rater (`code:`, `rater:`) searches the passages, so it finds
//! exactly the text a rater coded with that code; any other query searches the turns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::index::TranscriptIndex;
use super::query::parse_query;
use super::results::{CodeResolver, SearchError, SearchOptions, SearchResults, TurnDoc};
use crate::model::{CodeLookup, Codebook, Transcript, TranscriptId};
use crate::store::{CodingFilter, Store};

/// Bump when the schema, the analyzers or what a document holds change: old indexes are rebuilt.
pub const INDEX_VERSION: u32 = 5;

const SIDECAR: &str = "accord-index.json";
const TURNS: &str = "turns";
const PASSAGES: &str = "passages";

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
}

impl std::fmt::Debug for ProjectIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectIndex")
            .field("dir", &self.dir)
            .field("transcripts", &self.sidecar.fingerprints.len())
            .finish_non_exhaustive()
    }
}

/// The index folder of a project file: `<file>.index`.
#[must_use]
pub fn index_dir(project: &Path) -> PathBuf {
    let mut name = project
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".index");
    project.with_file_name(name)
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Store(e.to_string())
}

impl ProjectIndex {
    /// Opens (or builds) the index of a project and brings it up to date. An in-memory store gets an
    /// in-memory index, and so does an encrypted project: its index is built in memory when it is
    /// opened and never written to disk, so no transcript text is left readable beside the
    /// encrypted file (a plaintext index a plain project once had there is removed).
    pub fn open(store: &Store) -> Result<(Self, SyncReport), SearchError> {
        let project_id = store.project_id().map_err(err)?.to_text();
        let (mut this, rebuilt) = match store.path() {
            None => (
                Self::fresh_in_ram(&project_id)?,
                Some("in-memory project".to_string()),
            ),
            Some(path) if store.is_encrypted() => {
                let dir = index_dir(path);
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|e| err(format!("{}: cannot remove: {e}", dir.display())))?;
                }
                (
                    Self::fresh_in_ram(&project_id)?,
                    Some("encrypted project: the index is kept in memory".to_string()),
                )
            }
            Some(path) => Self::open_dir(&index_dir(path), &project_id)?,
        };
        let mut report = this.sync(store)?;
        report.rebuilt = rebuilt;
        Ok((this, report))
    }

    /// Deletes the index and builds it again from the store.
    pub fn rebuild(store: &Store) -> Result<(Self, SyncReport), SearchError> {
        if let Some(path) = store.path() {
            let dir = index_dir(path);
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .map_err(|e| err(format!("{}: cannot remove: {e}", dir.display())))?;
            }
        }
        let (this, mut report) = Self::open(store)?;
        report.rebuilt = Some("asked for".into());
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
        })
    }

    fn open_dir(dir: &Path, project_id: &str) -> Result<(Self, Option<String>), SearchError> {
        let reason = match Self::try_open(dir, project_id) {
            Ok(this) => return Ok((this, None)),
            Err(reason) => reason,
        };
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| {
                err(format!(
                    "{}: cannot remove the old index: {e}",
                    dir.display()
                ))
            })?;
        }
        let create = |name: &str| -> Result<TranscriptIndex, SearchError> {
            let sub = dir.join(name);
            std::fs::create_dir_all(&sub)
                .map_err(|e| err(format!("{}: cannot create: {e}", sub.display())))?;
            Ok(TranscriptIndex::create_in_dir(&sub)?)
        };
        let this = Self {
            turns: create(TURNS)?,
            passages: create(PASSAGES)?,
            dir: Some(dir.to_path_buf()),
            sidecar: Self::empty_sidecar(project_id),
        };
        Ok((this, Some(reason)))
    }

    /// Opens an existing index, or says why it must be rebuilt.
    fn try_open(dir: &Path, project_id: &str) -> Result<Self, String> {
        if !dir.exists() {
            return Err("missing".into());
        }
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
        })
    }

    /// Re-indexes the transcripts whose fingerprints changed and drops removed ones.
    pub fn sync(&mut self, store: &Store) -> Result<SyncReport, SearchError> {
        let current: BTreeMap<String, Fingerprint> = store
            .search_fingerprints()
            .map_err(err)?
            .into_iter()
            .map(|(id, (turns, passages))| (id.to_text(), Fingerprint { turns, passages }))
            .collect();
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
        for (id, fp) in current {
            let old = self.sidecar.fingerprints.get(&id);
            let turns_changed = old.is_none_or(|o| o.turns != fp.turns);
            if !turns_changed && old.is_some_and(|o| o.passages == fp.passages) {
                continue;
            }
            let transcript_id: TranscriptId = id.parse().map_err(err)?;
            let (turns, passages) = documents(store, transcript_id)?;
            if turns_changed {
                self.turns.replace_transcript(&id, &turns)?;
                report.indexed += 1;
            } else {
                report.passages += 1;
            }
            self.passages.replace_transcript(&id, &passages)?;
            self.sidecar.fingerprints.insert(id, fp);
        }
        if report.indexed + report.passages + report.removed > 0 {
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
        Ok(report)
    }

    fn write_sidecar(&self) -> Result<(), SearchError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let tmp = dir.join(format!("{SIDECAR}.tmp"));
        let text = serde_json::to_string(&self.sidecar).map_err(err)?;
        std::fs::write(&tmp, text).map_err(|e| err(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, dir.join(SIDECAR)).map_err(|e| err(format!("{}: {e}", dir.display())))
    }

    /// Searches; `code:` filters take code names, paths or ids from the project's codebook. A query
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
        let index = if parse_query(query)?.names_codings() {
            &self.passages
        } else {
            &self.turns
        };
        index.search(
            query,
            &SearchOptions {
                codes: Some(codes),
                ..*opts
            },
        )
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

/// The documents of one transcript: one per turn with words, carrying its case and attributes, and
/// one per coded passage (each live coding cut to each turn it covers), carrying also the coding's
/// code and rater.
fn documents(
    store: &Store,
    transcript_id: TranscriptId,
) -> Result<(Vec<TurnDoc>, Vec<TurnDoc>), SearchError> {
    let transcript: Transcript = store.transcript(transcript_id).map_err(err)?;
    let case = match transcript.case_id {
        Some(id) => store
            .cases()
            .map_err(err)?
            .into_iter()
            .find(|c| c.case_id == id),
        None => None,
    };
    let raters: BTreeMap<_, _> = store
        .raters()
        .map_err(err)?
        .into_iter()
        .map(|r| (r.rater_id, r.name))
        .collect();
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
