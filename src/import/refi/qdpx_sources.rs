//! One REFI-QDA text source into a transcript and its codings, in two steps: the text is read from
//! the archive, the folder beside a bare `.qde` or inline, and normalised as every import does
//! ([`Context::read_source`]); once every source is read, each selection's positions are mapped from
//! the unit detected for its source (or settled by the file's other sources) onto the normalised
//! text ([`Context::map_source`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::positions::{Detection, Evidence, PositionMap, PositionUnit, detect_line_ends};
use super::qdc::guid;
use super::qde::RawSource;
use super::qdpx::{Context, SourceReport, unique};
use super::qdpx_archive::source_file;
use crate::import::decode::Encoding;
use crate::import::{ImportOptions, ImportedTranscript, case_from_file, read_transcript_bytes};
use crate::model::{CodeId, CodingId, MemoTarget, NewCoding, SourceFormat, Span, TranscriptId};

/// What the sources read so far have taken: names, texts (by SHA-256), and where to look.
pub(super) struct Seen<'a> {
    /// The archive's text files (or those found beside a bare `.qde`).
    pub(super) files: &'a BTreeMap<String, Vec<u8>>,
    /// Where the text files were looked for, for people ("in the archive").
    pub(super) place: String,
    /// Source GUID to case name.
    pub(super) cases: BTreeMap<uuid::Uuid, String>,
    /// Transcript names taken.
    pub(super) names: BTreeSet<String>,
    /// SHA-256 of each text taken, to the transcript's name.
    pub(super) hashes: BTreeMap<String, String>,
}

/// A source whose text was read and stored as a transcript, its positions not yet mapped. Only its
/// original text is kept between the two steps: the position maps (some 20 bytes a char each) are
/// built again for one source at a time.
pub(super) struct ReadSource<'r> {
    source: &'r RawSource,
    label: String,
    name: String,
    transcript_id: TranscriptId,
    /// Its transcript's index in the import's transcripts.
    index: usize,
    len_chars: usize,
    /// The text as stored (CRLF kept).
    original: String,
    /// Its selections' positions that are numbers.
    spans: Vec<(usize, usize)>,
    /// The unit its own selections give (before the file settles anything).
    pub(super) first: Detection,
}

impl ReadSource<'_> {
    /// The position maps of the text as stored and once normalised (`normalised`).
    fn maps(&self, normalised: &str) -> (PositionMap, PositionMap) {
        (
            PositionMap::new(&self.original),
            PositionMap::new(normalised),
        )
    }
}

/// The bytes of a source's text: its file in the archive, else its inline `PlainTextContent`.
fn text_of(source: &RawSource, files: &BTreeMap<String, Vec<u8>>) -> Option<Vec<u8>> {
    let file = source
        .plain_text_path
        .as_deref()
        .and_then(|p| source_file(files, p));
    file.cloned()
        .or_else(|| source.content.clone().map(String::into_bytes))
}

/// The name of a source for people: its `name`, else its text file's name (without `internal://`,
/// folders and extension), else its GUID.
fn label_of(source: &RawSource) -> String {
    let name = source.name.trim();
    if !name.is_empty() {
        return name.to_string();
    }
    let from_path = source.plain_text_path.as_deref().and_then(|p| {
        let file = p.rsplit(['/', '\\']).next()?;
        let stem = Path::new(file).file_stem()?.to_str()?.trim();
        (!stem.is_empty()).then(|| stem.to_string())
    });
    from_path.unwrap_or_else(|| source.guid.clone())
}

/// The text read as every transcript is (decoded, normalised, turns from speaker labels); the error
/// without the made-up file name. REFI-QDA sources are UTF-8 by the standard: bytes that are not
/// UTF-8 are damage, refused whether the rest of the text is ASCII or not (never read as
/// Windows-1252).
fn read_text(name: &str, case_name: String, bytes: &[u8]) -> Result<ImportedTranscript, String> {
    let opts = ImportOptions {
        name: Some(name.to_string()),
        case_name: Some(case_name),
        ..ImportOptions::default()
    };
    let file = format!("{name}.txt");
    let imported = read_transcript_bytes(Path::new(&file), bytes, SourceFormat::Txt, &opts)
        .map_err(|e| {
            let why = e.to_string();
            why.strip_prefix(&format!("{file}: "))
                .unwrap_or(&why)
                .to_string()
        })?;
    if imported.encoding == Encoding::Windows1252 {
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let offset = std::str::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
        let line = bytes[..offset].split(|&b| b == b'\n').count();
        return Err(format!(
            "invalid UTF-8 at byte {offset} (line {line}); REFI-QDA sources are UTF-8, so the text is damaged (Accord does not guess another encoding); save it again as UTF-8"
        ));
    }
    Ok(imported)
}

impl Context<'_> {
    /// Reads one source's text into a transcript, or notes why it was left out (a source whose
    /// text cannot be found is also listed in `missing`).
    pub(super) fn read_source<'r>(
        &mut self,
        source: &'r RawSource,
        seen: &mut Seen<'_>,
    ) -> Option<ReadSource<'r>> {
        let label = label_of(source);
        let left_out = |why: &str| {
            format!(
                "source \"{label}\": {why} ({} selections left out)",
                source.selections.len()
            )
        };
        let Some(bytes) = text_of(source, seen.files) else {
            let why = match &source.plain_text_path {
                Some(p) => format!("its text file {p:?} cannot be found {}", seen.place),
                None => "it has neither a text file (plainTextPath) nor inline text".to_string(),
            };
            self.out.missing.push(left_out(&why));
            return None;
        };
        let id = guid(&source.guid);
        let name = unique(&label, &mut seen.names);
        let case_name = seen
            .cases
            .get(&id)
            .cloned()
            .unwrap_or_else(|| case_from_file(Path::new(&label)));
        let mut imported = match read_text(&name, case_name, &bytes) {
            Ok(t) => t,
            Err(why) => {
                self.out.skipped.push(left_out(&why));
                return None;
            }
        };
        if let Some(first) = seen.hashes.get(&imported.transcript.sha256) {
            self.out
                .skipped
                .push(left_out(&format!("the same text as \"{first}\"")));
            return None;
        }
        seen.hashes
            .insert(imported.transcript.sha256.clone(), name.clone());
        let t = &mut imported.transcript;
        t.transcript_id = TranscriptId(id);
        t.format = SourceFormat::Qdpx;
        t.source_file = source
            .plain_text_path
            .clone()
            .unwrap_or_else(|| "inline".into());
        let (transcript_id, len_chars) = (t.transcript_id, t.len_chars);
        let lf = PositionMap::new(&t.text);
        let index = self.out.transcripts.len();
        self.out.transcripts.push(imported);
        let original = crate::import::decode::decode(&bytes)
            .map(|(t, _)| t)
            .unwrap_or_default();
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
        let crlf = PositionMap::new(&original);
        let (_, first) = detect_line_ends(&crlf, &lf, &spans, &self.raw.origin, None);
        Some(ReadSource {
            source,
            label,
            name,
            transcript_id,
            index,
            len_chars,
            original,
            spans,
            first,
        })
    }

    /// Maps a read source's codings onto its transcript, in the unit detected for it (`settled` by
    /// the file's other sources when its own selections fit both units equally).
    pub(super) fn map_source(&mut self, read: &ReadSource<'_>, settled: Option<PositionUnit>) {
        let normalised = self
            .out
            .transcripts
            .get(read.index)
            .map_or("", |t| t.transcript.text.as_str());
        let (crlf, lf) = read.maps(normalised);
        let (counts_cr, detection) =
            detect_line_ends(&crlf, &lf, &read.spans, &self.raw.origin, settled);
        let map = if counts_cr { &crlf } else { &lf };
        let source = read.source;
        let label = &read.label;
        let aligned = map
            .span(0, map.len_chars(), PositionUnit::CodePoints)
            .map(|s| s.1);
        if aligned != Some(read.len_chars) {
            self.out.skipped.push(format!(
                "source \"{label}\": its text could not be aligned ({} selections left out)",
                source.selections.len()
            ));
            return;
        }
        if detection.evidence == Evidence::Even {
            self.out.warnings.push(format!(
                "source \"{label}\": its selections fit code points and UTF-16 units equally and no other source of the file settles which; read in {} ({} usually counts so): check its codings",
                detection.unit.describe(),
                if self.raw.origin.is_empty() {
                    "the standard"
                } else {
                    &self.raw.origin
                }
            ));
        }
        let codings = self.codings(source, map, &detection, read.transcript_id, label);
        self.out.sources.push(SourceReport {
            name: read.name.clone(),
            detection,
            codings,
        });
        for note in &source.notes {
            self.note(note, MemoTarget::Transcript(read.transcript_id));
        }
    }

    fn codings(
        &mut self,
        source: &RawSource,
        map: &PositionMap,
        detection: &Detection,
        transcript_id: TranscriptId,
        label: &str,
    ) -> usize {
        let mut added = 0;
        // Codings left out, each as "GUID (start-end)": because of their positions (missing,
        // negative, reversed or empty, past the end of the text, not a number that fits), and
        // because they name a code the codebook lacks.
        let mut bad: [Vec<String>; 5] = Default::default();
        let mut unknown = Vec::new();
        for sel in &source.selections {
            let at = |v: Option<i64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
            let positions = match &sel.bad_position {
                Some(why) => why.clone(),
                None => format!("{}-{}", at(sel.start), at(sel.end)),
            };
            let span = match sel.start.zip(sel.end) {
                _ if sel.bad_position.is_some() => Err(4),
                None => Err(0),
                Some((s, e)) if s < 0 || e < 0 => Err(1),
                Some((s, e)) if s >= e => Err(2),
                Some((s, e)) => usize::try_from(s)
                    .ok()
                    .zip(usize::try_from(e).ok())
                    .and_then(|(s, e)| map.span(s, e, detection.unit))
                    .ok_or(3),
            };
            let (start, end) = match span {
                Ok(span) => span,
                Err(kind) => {
                    bad[kind].extend(
                        sel.codings
                            .iter()
                            .map(|c| format!("{} ({positions})", c.guid)),
                    );
                    continue;
                }
            };
            let memo = self.note_texts(&sel.notes);
            for c in &sel.codings {
                let code_id = CodeId(guid(&c.code));
                if !self.codes.contains(&code_id) {
                    unknown.push(format!("{} (code {:?}, {positions})", c.guid, c.code));
                    continue;
                }
                let rater_id = self.rater(c.user.as_deref().or(sel.user.as_deref()));
                let created = c.created.clone().or_else(|| sel.created.clone());
                self.out.codings.push(NewCoding {
                    coding_id: CodingId(guid(&c.guid)),
                    transcript_id,
                    code_id,
                    rater_id,
                    span: Span::new(start, end),
                    memo: memo.clone(),
                    created_at: created.filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
                });
                added += 1;
            }
        }
        let past_end = format!(
            "reach past the end of its text ({} long in {})",
            match detection.unit {
                PositionUnit::CodePoints => map.len_chars(),
                PositionUnit::Utf16 => map.len_utf16(),
            },
            detection.unit.describe()
        );
        let why = [
            "have no start or end position",
            "have a negative position",
            "end before they start, or are empty",
            past_end.as_str(),
            "have a position that is not a whole number Accord can hold",
        ];
        for (list, why) in bad.iter().zip(why) {
            if !list.is_empty() {
                self.out.skipped.push(format!(
                    "source \"{label}\": {} codings {why}; left out: {}",
                    list.len(),
                    list.join(", ")
                ));
            }
        }
        if !unknown.is_empty() {
            self.out.skipped.push(format!(
                "source \"{label}\": {} codings name a code the codebook lacks; left out: {}",
                unknown.len(),
                unknown.join(", ")
            ));
        }
        added
    }
}
