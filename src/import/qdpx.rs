//! REFI-QDA projects (`.qdpx`, or a bare `project.qde`): bytes in, Accord values out, nothing stored.
//! The zip is read with limits (entry count, expanded size, no `../` or absolute names); the project
//! XML may be named `<Project>.qde`, the sources folder `Sources`. Each text source becomes a
//! transcript (its text normalised as every import does, turns split from speaker labels), each
//! `Coding` a coding whose span is mapped from the file's unit (code points or UTF-16 units, detected
//! per source) onto the normalised text, users raters, cases and variables cases and attributes,
//! notes memos. Whatever cannot be carried over is listed in `skipped`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::Path;

use super::positions::{Detection, PositionMap, detect};
use super::qdc::{codebook, guid, skipped_elements};
use super::qde::{RawProject, RawSource, parse};
use super::{
    ImportError, ImportOptions, ImportedTranscript, case_from_file, read_transcript_bytes,
};
use crate::model::{
    ACCORD_NAMESPACE, CodeId, Codebook, CodingId, MemoTarget, Rater, RaterId, RaterKind,
    SourceFormat, TranscriptId,
};
use crate::store::NewCoding;

/// Most entries a `.qdpx` may hold.
pub const MAX_ENTRIES: usize = 100_000;
/// Most bytes the entries Accord reads (the XML and the `.txt` sources) may expand to, together.
pub const MAX_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;

/// How one source was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    /// Transcript name.
    pub name: String,
    /// The unit its positions were read in, and why.
    pub detection: Detection,
    /// Codings taken from it.
    pub codings: usize,
}

/// A memo to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMemo {
    /// About what.
    pub target: MemoTarget,
    /// Who wrote it.
    pub rater: Option<RaterId>,
    /// The text.
    pub text: String,
}

/// Everything read from a REFI-QDA project.
#[derive(Debug, Clone)]
pub struct QdpxImport {
    /// The project's name.
    pub name: String,
    /// The tool that wrote it.
    pub origin: String,
    /// The codebook.
    pub codebook: Codebook,
    /// Raters (from users), with their GUIDs as ids.
    pub raters: Vec<Rater>,
    /// Transcripts, with their GUIDs as ids.
    pub transcripts: Vec<ImportedTranscript>,
    /// Case attributes: (case name, attribute to value).
    pub attributes: Vec<(String, BTreeMap<String, String>)>,
    /// Codings, with their GUIDs as ids.
    pub codings: Vec<NewCoding>,
    /// Memos about the project, transcripts and codes (memos on codings travel with the codings).
    pub memos: Vec<ImportedMemo>,
    /// How each source's positions were read.
    pub sources: Vec<SourceReport>,
    /// What was left out, for people.
    pub skipped: Vec<String>,
}

/// Reads a `.qdpx` archive, or a bare `.qde` document (then no source text is available).
pub fn read_qdpx(path: &Path, bytes: &[u8]) -> Result<QdpxImport, ImportError> {
    let (xml, files) = if bytes.starts_with(b"PK") {
        read_zip(path, bytes)?
    } else {
        let xml = String::from_utf8(bytes.to_vec())
            .map_err(|_| ImportError::format(path, "the project XML is not UTF-8 text"))?;
        (xml, BTreeMap::new())
    };
    let raw = parse(&xml).map_err(|m| ImportError::format(path, m))?;
    if raw.root != "Project" {
        return Err(ImportError::format(
            path,
            "not a REFI-QDA project (the XML's root is not Project)",
        ));
    }
    Ok(convert(path, &raw, &files))
}

/// The project XML and the text files of an archive (keys: lowercased entry names).
fn read_zip(path: &Path, bytes: &[u8]) -> Result<(String, BTreeMap<String, Vec<u8>>), ImportError> {
    let bad = |m: String| ImportError::format(path, m);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable REFI-QDA archive (zip): {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(bad(format!(
            "the archive has {} entries; the limit is {MAX_ENTRIES}",
            archive.len()
        )));
    }
    let (mut files, mut budget) = (BTreeMap::new(), MAX_EXPANDED_BYTES);
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("entry {i} cannot be read: {e}")))?;
        let raw_name = entry.name().to_string();
        let Some(name) = entry.enclosed_name() else {
            return Err(bad(format!(
                "entry {raw_name:?} points outside the archive; refusing the file"
            )));
        };
        let key = name.to_string_lossy().replace('\\', "/").to_lowercase();
        if entry.is_dir() || !(has_extension(&key, "qde") || has_extension(&key, "txt")) {
            continue;
        }
        if entry.size() > budget {
            return Err(bad(format!(
                "entry {raw_name:?} expands past the {} MB limit",
                MAX_EXPANDED_BYTES >> 20
            )));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("entry {raw_name:?} cannot be unpacked: {e}")))?;
        if data.len() as u64 > budget {
            return Err(bad(format!(
                "entry {raw_name:?} expands past the {} MB limit",
                MAX_EXPANDED_BYTES >> 20
            )));
        }
        budget -= data.len() as u64;
        files.insert(key, data);
    }
    let qde = files
        .keys()
        .filter(|k| has_extension(k, "qde") && !k.contains('/'))
        .min_by_key(|k| (k.as_str() != "project.qde", (*k).clone()))
        .cloned()
        .ok_or_else(|| bad("the archive holds no project.qde".into()))?;
    let xml = files.remove(&qde).unwrap_or_default();
    let xml = String::from_utf8(xml).map_err(|_| bad(format!("{qde} is not UTF-8 text")))?;
    Ok((xml, files))
}

fn has_extension(name: &str, extension: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// The text file a `plainTextPath` names: `internal://x.txt` is `sources/x.txt` (any case).
fn source_file<'a>(files: &'a BTreeMap<String, Vec<u8>>, path: &str) -> Option<&'a Vec<u8>> {
    let file = path.rsplit(['/', '\\']).next()?.to_lowercase();
    files.get(&format!("sources/{file}")).or_else(|| {
        files
            .iter()
            .find(|(k, _)| k.rsplit('/').next() == Some(file.as_str()))
            .map(|(_, v)| v)
    })
}

/// Unique names: a repeated name gets " (2)", " (3)", ...
fn unique(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    candidate
}

struct Context<'a> {
    raw: &'a RawProject,
    codes: BTreeSet<CodeId>,
    users: BTreeMap<uuid::Uuid, RaterId>,
    out: QdpxImport,
}

fn convert(path: &Path, raw: &RawProject, files: &BTreeMap<String, Vec<u8>>) -> QdpxImport {
    let mut skipped = skipped_elements(raw);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("project");
    let book = codebook(raw, stem, &mut skipped);
    let mut ctx = Context {
        raw,
        codes: book.codes.iter().map(|c| c.code_id).collect(),
        users: BTreeMap::new(),
        out: QdpxImport {
            name: if raw.name.is_empty() {
                stem.to_string()
            } else {
                raw.name.clone()
            },
            origin: raw.origin.clone(),
            codebook: book,
            raters: Vec::new(),
            transcripts: Vec::new(),
            attributes: Vec::new(),
            codings: Vec::new(),
            memos: Vec::new(),
            sources: Vec::new(),
            skipped,
        },
    };
    ctx.users();
    let cases = ctx.case_of_source();
    let mut names = BTreeSet::new();
    let mut hashes = BTreeMap::new();
    for source in &raw.sources {
        ctx.source(source, files, &cases, &mut names, &mut hashes);
    }
    ctx.attributes();
    ctx.memos();
    ctx.out
}

impl Context<'_> {
    fn users(&mut self) {
        let mut names = BTreeSet::new();
        for u in &self.raw.users {
            let id = guid(&u.guid);
            if self.users.contains_key(&id) {
                continue;
            }
            let short: String = u.guid.trim_matches(['{', '}']).chars().take(8).collect();
            let base = if u.name.trim().is_empty() {
                format!("User {short}")
            } else {
                u.name.trim().to_string()
            };
            let rater = Rater {
                rater_id: RaterId(id),
                name: unique(&base, &mut names),
                kind: RaterKind::Human,
            };
            self.users.insert(id, rater.rater_id);
            self.out.raters.push(rater);
        }
    }

    /// The rater for a user GUID, adding one for a GUID the file does not list (or none given).
    fn rater(&mut self, user: Option<&str>) -> RaterId {
        let key = user.map_or_else(
            || {
                uuid::Uuid::new_v5(
                    &ACCORD_NAMESPACE,
                    format!("unknown-user:{}", self.raw.origin).as_bytes(),
                )
            },
            guid,
        );
        if let Some(id) = self.users.get(&key) {
            return *id;
        }
        let mut names: BTreeSet<String> = self.out.raters.iter().map(|r| r.name.clone()).collect();
        let base = match user {
            Some(g) => format!(
                "User {}",
                g.trim_matches(['{', '}'])
                    .chars()
                    .take(8)
                    .collect::<String>()
            ),
            None => "Unknown coder".to_string(),
        };
        let rater = Rater {
            rater_id: RaterId(key),
            name: unique(&base, &mut names),
            kind: RaterKind::Human,
        };
        let id = rater.rater_id;
        self.users.insert(key, id);
        self.out.raters.push(rater);
        id
    }

    /// Source GUID -> case name, from the cases' source references.
    fn case_of_source(&self) -> BTreeMap<uuid::Uuid, String> {
        let mut out = BTreeMap::new();
        for case in &self.raw.cases {
            for s in &case.sources {
                out.entry(guid(s)).or_insert_with(|| case.name.clone());
            }
        }
        out
    }

    fn source(
        &mut self,
        source: &RawSource,
        files: &BTreeMap<String, Vec<u8>>,
        cases: &BTreeMap<uuid::Uuid, String>,
        names: &mut BTreeSet<String>,
        hashes: &mut BTreeMap<String, String>,
    ) {
        let label = if source.name.is_empty() {
            source.guid.clone()
        } else {
            source.name.clone()
        };
        let bytes = match (
            &source.content,
            source
                .plain_text_path
                .as_deref()
                .and_then(|p| source_file(files, p)),
        ) {
            (_, Some(b)) => b.clone(),
            (Some(text), None) => text.clone().into_bytes(),
            (None, None) => {
                self.out.skipped.push(format!(
                    "source {label:?}: its text is not in the file ({} selections left out)",
                    source.selections.len()
                ));
                return;
            }
        };
        let id = guid(&source.guid);
        let name = unique(&label, names);
        let case_name = cases
            .get(&id)
            .cloned()
            .unwrap_or_else(|| case_from_file(Path::new(&label)));
        let opts = ImportOptions {
            name: Some(name.clone()),
            case_name: Some(case_name),
            ..ImportOptions::default()
        };
        let file = format!("{label}.txt");
        let mut imported =
            match read_transcript_bytes(Path::new(&file), &bytes, SourceFormat::Txt, &opts) {
                Ok(t) => t,
                Err(e) => {
                    let why = e.to_string();
                    let why = why
                        .strip_prefix(&format!("{file}: "))
                        .unwrap_or(&why)
                        .to_string();
                    self.out.skipped.push(format!(
                        "source {label:?}: {why} ({} selections left out)",
                        source.selections.len()
                    ));
                    return;
                }
            };
        if let Some(first) = hashes.get(&imported.transcript.sha256) {
            self.out.skipped.push(format!(
                "source {label:?}: the same text as {first:?}, left out"
            ));
            return;
        }
        hashes.insert(imported.transcript.sha256.clone(), name.clone());
        let original = super::decode::decode(&bytes)
            .map(|(t, _)| t)
            .unwrap_or_default();
        let map = PositionMap::new(&original);
        let t = &mut imported.transcript;
        t.transcript_id = TranscriptId(id);
        t.format = SourceFormat::Qdpx;
        t.source_file = source
            .plain_text_path
            .clone()
            .unwrap_or_else(|| "inline".into());
        let (transcript_id, len_chars) = (t.transcript_id, t.len_chars);
        if map
            .span(
                0,
                map.len_chars(),
                super::positions::PositionUnit::CodePoints,
            )
            .map(|s| s.1)
            != Some(len_chars)
        {
            self.out.skipped.push(format!(
                "source {label:?}: its text could not be aligned, selections left out"
            ));
            self.out.transcripts.push(imported);
            return;
        }
        let detection = self.detect(&map, source);
        let codings = self.codings(source, &map, &detection, transcript_id, &label);
        self.out.sources.push(SourceReport {
            name,
            detection,
            codings,
        });
        self.out.transcripts.push(imported);
        for note in &source.notes {
            self.note(note, MemoTarget::Transcript(transcript_id));
        }
    }

    fn detect(&self, map: &PositionMap, source: &RawSource) -> Detection {
        let spans: Vec<(usize, usize)> = source
            .selections
            .iter()
            .filter_map(|s| {
                Some((
                    usize::try_from(s.start?).ok()?,
                    usize::try_from(s.end?).ok()?,
                ))
            })
            .collect();
        detect(map, &spans, &self.raw.origin)
    }

    fn codings(
        &mut self,
        source: &RawSource,
        map: &PositionMap,
        detection: &Detection,
        transcript_id: TranscriptId,
        label: &str,
    ) -> usize {
        let (mut added, mut outside, mut unknown) = (0, 0, 0);
        for sel in &source.selections {
            let span = sel
                .start
                .zip(sel.end)
                .and_then(|(s, e)| Some((usize::try_from(s).ok()?, usize::try_from(e).ok()?)))
                .and_then(|(s, e)| map.span(s, e, detection.unit));
            let Some((start, end)) = span else {
                outside += sel.codings.len();
                continue;
            };
            let memo = self.note_texts(&sel.notes);
            for c in &sel.codings {
                let code_id = CodeId(guid(&c.code));
                if !self.codes.contains(&code_id) {
                    unknown += 1;
                    continue;
                }
                let rater_id = self.rater(c.user.as_deref().or(sel.user.as_deref()));
                let created = c.created.clone().or_else(|| sel.created.clone());
                self.out.codings.push(NewCoding {
                    coding_id: CodingId(guid(&c.guid)),
                    transcript_id,
                    code_id,
                    rater_id,
                    span: crate::model::Span::new(start, end),
                    memo: memo.clone(),
                    created_at: created.filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
                });
                added += 1;
            }
        }
        if outside > 0 {
            self.out.skipped.push(format!(
                "source {label:?}: {outside} codings lie outside its text or are empty"
            ));
        }
        if unknown > 0 {
            self.out.skipped.push(format!(
                "source {label:?}: {unknown} codings name a code the codebook lacks"
            ));
        }
        added
    }

    fn attributes(&mut self) {
        let variables: BTreeMap<uuid::Uuid, String> = self
            .raw
            .variables
            .iter()
            .map(|v| {
                (
                    guid(&v.guid),
                    v.name
                        .strip_prefix("Cases:")
                        .unwrap_or(&v.name)
                        .trim()
                        .to_string(),
                )
            })
            .collect();
        for case in &self.raw.cases {
            let values: BTreeMap<String, String> = case
                .values
                .iter()
                .filter_map(|(var, value)| {
                    Some((variables.get(&guid(var))?.clone(), value.clone()))
                })
                .collect();
            self.out.attributes.push((case.name.clone(), values));
        }
    }

    fn note_texts(&self, refs: &[String]) -> Option<String> {
        let texts: Vec<&str> = refs
            .iter()
            .filter_map(|r| self.raw.notes.iter().find(|n| guid(&n.guid) == guid(r)))
            .map(|n| n.text.trim())
            .filter(|t| !t.is_empty())
            .collect();
        (!texts.is_empty()).then(|| texts.join("\n\n"))
    }

    fn note(&mut self, reference: &str, target: MemoTarget) {
        let Some(note) = self
            .raw
            .notes
            .iter()
            .find(|n| guid(&n.guid) == guid(reference))
        else {
            return;
        };
        if note.text.trim().is_empty() {
            return;
        }
        let rater = note.user.as_deref().map(|u| self.rater(Some(u)));
        self.out.memos.push(ImportedMemo {
            target,
            rater,
            text: note.text.clone(),
        });
    }

    /// Memos on codes and the project, and notes nothing references (as project memos).
    fn memos(&mut self) {
        let raw = self.raw;
        for code in &raw.codes {
            let id = CodeId(guid(&code.guid));
            for n in &code.notes {
                self.note(n, MemoTarget::Code(id));
            }
        }
        let mut referenced: BTreeSet<uuid::Uuid> =
            raw.project_notes.iter().map(|n| guid(n)).collect();
        referenced.extend(
            raw.codes
                .iter()
                .flat_map(|c| c.notes.iter().map(|n| guid(n))),
        );
        for s in &raw.sources {
            referenced.extend(s.notes.iter().map(|n| guid(n)));
            referenced.extend(
                s.selections
                    .iter()
                    .flat_map(|x| x.notes.iter().map(|n| guid(n))),
            );
        }
        let free: Vec<String> = raw
            .notes
            .iter()
            .filter(|n| !referenced.contains(&guid(&n.guid)))
            .map(|n| n.guid.clone())
            .collect();
        for n in raw.project_notes.iter().chain(&free) {
            self.note(n, MemoTarget::Project);
        }
    }
}
