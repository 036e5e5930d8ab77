//! REFI-QDA projects (`.qdpx`, or a bare `project.qde` with its `sources` folder beside it): bytes
//! in, Accord values out, nothing stored.
//! The zip is read with limits (entry count, expanded size, no `../` or absolute names); the project
//! XML may be named `<Project>.qde`, the sources folder `Sources`. Each text source becomes a
//! transcript (its text normalised as every import does, turns split from speaker labels), each
//! `Coding` a coding whose span is mapped from the file's unit (code points or UTF-16 units, detected
//! per source) onto the normalised text, users raters, cases and variables cases and attributes,
//! notes memos. Whatever cannot be carried over is listed in `skipped`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::positions::Detection;
use super::qdc::{codebook, guid, skipped_elements};
use super::qde::{RawProject, parse};
use super::qdpx_sources::Seen;
use crate::import::{ImportError, ImportedTranscript};
use crate::model::{
    ACCORD_NAMESPACE, CaseId, CodeId, Codebook, MemoTarget, NewCoding, Rater, RaterId, RaterKind,
};

pub use super::qdpx_archive::{MAX_ENTRIES, MAX_EXPANDED_BYTES};

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
    /// Cases, with their GUIDs as ids.
    pub cases: Vec<(CaseId, String)>,
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
    /// Sources whose text cannot be found (left out too), for people: an import with any is
    /// refused unless the person allows it.
    pub missing: Vec<String>,
    /// What was carried over on a guess, for people (a user the file does not list; positions whose
    /// unit the file leaves open).
    pub warnings: Vec<String>,
}

/// Where an archive's sources were looked for, for people.
const IN_ARCHIVE: &str = "in the archive";

/// Reads a `.qdpx` archive or a bare `.qde` document from a file: anything but a regular file is
/// refused, an archive over [`crate::import::MAX_QDPX_BYTES`] too, both before anything is read; an archive
/// is read from the file (only the XML and the text sources are unpacked, within
/// [`MAX_EXPANDED_BYTES`]), and a bare document is read only up to that limit, its sources' text
/// files from the `sources` folder beside it (an unpacked archive), else from its own folder.
pub fn read_qdpx_file(path: &Path) -> Result<QdpxImport, ImportError> {
    use std::io::Read as _;
    let (mut file, _) =
        crate::import::open_bounded(path, crate::import::MAX_QDPX_BYTES, "a REFI-QDA project")?;
    let mut magic = [0u8; 2];
    let is_zip = file.read_exact(&mut magic).is_ok() && &magic == b"PK";
    if is_zip {
        let (xml, files) = super::qdpx_archive::read_zip_file(path, file)?;
        return from_xml(path, &xml, &files, IN_ARCHIVE);
    }
    drop(file);
    let bytes =
        crate::import::read_bounded(path, MAX_EXPANDED_BYTES, "a REFI-QDA project document")?;
    let xml = String::from_utf8(bytes)
        .map_err(|_| ImportError::format(path, "the project XML is not UTF-8 text"))?;
    let raw = parse_project(path, &xml)?;
    let (files, place) = super::qdpx_archive::read_folder_sources(path, &raw)?;
    convert(path, &raw, &files, place)
}

/// Reads a `.qdpx` archive, or a bare `.qde` document (then no source text is available), from
/// bytes already in memory.
pub fn read_qdpx(path: &Path, bytes: &[u8]) -> Result<QdpxImport, ImportError> {
    let (xml, files, place) = if bytes.starts_with(b"PK") {
        let (xml, files) = super::qdpx_archive::read_zip(path, bytes)?;
        (xml, files, IN_ARCHIVE)
    } else {
        let xml = String::from_utf8(bytes.to_vec())
            .map_err(|_| ImportError::format(path, "the project XML is not UTF-8 text"))?;
        (
            xml,
            BTreeMap::new(),
            "(only the project document was given)",
        )
    };
    from_xml(path, &xml, &files, place)
}

fn from_xml(
    path: &Path,
    xml: &str,
    files: &BTreeMap<String, Vec<u8>>,
    place: &str,
) -> Result<QdpxImport, ImportError> {
    let raw = parse_project(path, xml)?;
    convert(path, &raw, files, place.to_string())
}

fn parse_project(path: &Path, xml: &str) -> Result<RawProject, ImportError> {
    let raw = parse(xml).map_err(|m| ImportError::format(path, crate::import::excerpt(&m, 300)))?;
    if raw.root != "Project" {
        return Err(ImportError::format(
            path,
            "not a REFI-QDA project (the XML's root is not Project)",
        ));
    }
    Ok(raw)
}

/// Unique names: a repeated name gets " (2)", " (3)", ...
pub(super) fn unique(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    candidate
}

/// The conversion under way: the raw file, the codes and users known so far, and the result.
pub(super) struct Context<'a> {
    pub(super) raw: &'a RawProject,
    pub(super) codes: BTreeSet<CodeId>,
    pub(super) users: BTreeMap<uuid::Uuid, RaterId>,
    pub(super) out: QdpxImport,
}

fn convert(
    path: &Path,
    raw: &RawProject,
    files: &BTreeMap<String, Vec<u8>>,
    place: String,
) -> Result<QdpxImport, ImportError> {
    let mut skipped = skipped_elements(raw);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("project");
    let book = codebook(raw, stem, &mut skipped).map_err(|m| ImportError::format(path, m))?;
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
            cases: Vec::new(),
            attributes: Vec::new(),
            codings: Vec::new(),
            memos: Vec::new(),
            sources: Vec::new(),
            skipped,
            missing: Vec::new(),
            warnings: Vec::new(),
        },
    };
    ctx.users();
    let mut seen = Seen {
        files,
        place,
        cases: ctx.case_of_source(),
        names: BTreeSet::new(),
        hashes: BTreeMap::new(),
    };
    let read: Vec<_> = raw
        .sources
        .iter()
        .filter_map(|source| ctx.read_source(source, &mut seen))
        .collect();
    // A source whose selections fit both units equally takes the unit the file's other sources
    // settle on (one file, one writing tool, one unit).
    let settled = super::positions::settled(read.iter().map(|r| &r.first));
    for r in &read {
        ctx.map_source(r, settled);
    }
    ctx.attributes();
    ctx.memos();
    Ok(ctx.out)
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
    pub(super) fn rater(&mut self, user: Option<&str>) -> RaterId {
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
        self.out.warnings.push(match user {
            Some(g) => format!(
                "user {g} is not in the file's <Users>: what they coded or wrote is kept under a new rater \"{}\"",
                rater.name
            ),
            None => format!(
                "some codings or notes name no user: they are kept under a rater \"{}\"",
                rater.name
            ),
        });
        let id = rater.rater_id;
        self.users.insert(key, id);
        self.out.raters.push(rater);
        id
    }

    /// Source GUID -> case name, from the cases' source references.
    /// The file's cases with unique, non-empty names (a repeated GUID is left out), and the case of
    /// each source GUID.
    fn case_of_source(&mut self) -> BTreeMap<uuid::Uuid, String> {
        let (mut names, mut ids, mut out) = (BTreeSet::new(), BTreeSet::new(), BTreeMap::new());
        for case in &self.raw.cases {
            let id = guid(&case.guid);
            if !ids.insert(id) {
                self.out.skipped.push(format!(
                    "case \"{}\": its GUID repeats another case's",
                    case.name
                ));
                continue;
            }
            let short: String = case.guid.trim_matches(['{', '}']).chars().take(8).collect();
            let base = if case.name.trim().is_empty() {
                format!("Case {short}")
            } else {
                case.name.trim().to_string()
            };
            let name = unique(&base, &mut names);
            for s in &case.sources {
                out.entry(guid(s)).or_insert_with(|| name.clone());
            }
            self.out.cases.push((CaseId(id), name));
        }
        out
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
        let names: BTreeMap<CaseId, String> = self.out.cases.iter().cloned().collect();
        for case in &self.raw.cases {
            let Some(name) = names.get(&CaseId(guid(&case.guid))) else {
                continue;
            };
            let values: BTreeMap<String, String> = case
                .values
                .iter()
                .filter_map(|(var, value)| {
                    Some((variables.get(&guid(var))?.clone(), value.clone()))
                })
                .collect();
            self.out.attributes.push((name.clone(), values));
        }
    }

    pub(super) fn note_texts(&self, refs: &[String]) -> Option<String> {
        let texts: Vec<&str> = refs
            .iter()
            .filter_map(|r| self.raw.notes.iter().find(|n| guid(&n.guid) == guid(r)))
            .map(|n| n.text.trim())
            .filter(|t| !t.is_empty())
            .collect();
        (!texts.is_empty()).then(|| texts.join("\n\n"))
    }

    pub(super) fn note(&mut self, reference: &str, target: MemoTarget) {
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
