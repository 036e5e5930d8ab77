//! One REFI-QDA text source into a transcript and its codings: the text is read from the archive (or
//! inline), normalised as every import does, and each selection's positions are mapped from the unit
//! detected for this source onto the normalised text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::positions::{Detection, PositionMap, PositionUnit, detect_line_ends};
use super::qdc::guid;
use super::qde::RawSource;
use super::qdpx::{Context, SourceReport, unique};
use super::qdpx_archive::source_file;
use crate::import::{ImportOptions, ImportedTranscript, case_from_file, read_transcript_bytes};
use crate::model::{CodeId, CodingId, MemoTarget, NewCoding, SourceFormat, Span, TranscriptId};

/// What the sources read so far have taken: names, texts (by SHA-256), and where to look.
pub(super) struct Seen<'a> {
    /// The archive's text files.
    pub(super) files: &'a BTreeMap<String, Vec<u8>>,
    /// Source GUID to case name.
    pub(super) cases: BTreeMap<uuid::Uuid, String>,
    /// Transcript names taken.
    pub(super) names: BTreeSet<String>,
    /// SHA-256 of each text taken, to the transcript's name.
    pub(super) hashes: BTreeMap<String, String>,
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

/// The text read as every transcript is (decoded, normalised, turns from speaker labels); the error
/// without the made-up file name.
fn read_text(name: &str, case_name: String, bytes: &[u8]) -> Result<ImportedTranscript, String> {
    let opts = ImportOptions {
        name: Some(name.to_string()),
        case_name: Some(case_name),
        ..ImportOptions::default()
    };
    let file = format!("{name}.txt");
    read_transcript_bytes(Path::new(&file), bytes, SourceFormat::Txt, &opts).map_err(|e| {
        let why = e.to_string();
        why.strip_prefix(&format!("{file}: "))
            .unwrap_or(&why)
            .to_string()
    })
}

impl Context<'_> {
    /// Reads one source into a transcript with its codings, or notes why it was left out.
    pub(super) fn source(&mut self, source: &RawSource, seen: &mut Seen<'_>) {
        let label = if source.name.is_empty() {
            source.guid.clone()
        } else {
            source.name.clone()
        };
        let left_out = |why: &str| {
            format!(
                "source \"{label}\": {why} ({} selections left out)",
                source.selections.len()
            )
        };
        let Some(bytes) = text_of(source, seen.files) else {
            self.out
                .skipped
                .push(left_out("its text is not in the file"));
            return;
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
                return;
            }
        };
        if let Some(first) = seen.hashes.get(&imported.transcript.sha256) {
            self.out
                .skipped
                .push(left_out(&format!("the same text as \"{first}\"")));
            return;
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
        let normalised = t.text.clone();
        self.out.transcripts.push(imported);
        let original = crate::import::decode::decode(&bytes)
            .map(|(t, _)| t)
            .unwrap_or_default();
        let (map, detection) = self.detect(&original, &normalised, source);
        let aligned = map
            .span(0, map.len_chars(), PositionUnit::CodePoints)
            .map(|s| s.1);
        if aligned != Some(len_chars) {
            self.out
                .skipped
                .push(left_out("its text could not be aligned"));
            return;
        }
        let codings = self.codings(source, &map, &detection, transcript_id, &label);
        self.out.sources.push(SourceReport {
            name,
            detection,
            codings,
        });
        for note in &source.notes {
            self.note(note, MemoTarget::Transcript(transcript_id));
        }
    }

    /// The map to read this source's positions with, and the unit and line-end counting it uses.
    fn detect(
        &self,
        original: &str,
        normalised: &str,
        source: &RawSource,
    ) -> (PositionMap, Detection) {
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
        let crlf = PositionMap::new(original);
        let lf = PositionMap::new(normalised);
        let (counts_cr, detection) = detect_line_ends(&crlf, &lf, &spans, &self.raw.origin);
        (if counts_cr { crlf } else { lf }, detection)
    }

    fn codings(
        &mut self,
        source: &RawSource,
        map: &PositionMap,
        detection: &Detection,
        transcript_id: TranscriptId,
        label: &str,
    ) -> usize {
        let (mut added, mut unknown) = (0, 0);
        // Codings left out because of their positions: missing, negative, reversed or empty, and
        // past the end of the text.
        let mut bad = [0usize; 4];
        for sel in &source.selections {
            let span = match sel.start.zip(sel.end) {
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
                    bad[kind] += sel.codings.len();
                    continue;
                }
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
                    span: Span::new(start, end),
                    memo: memo.clone(),
                    created_at: created.filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
                });
                added += 1;
            }
        }
        let why = [
            "have no start or end position",
            "have a negative position",
            "end before they start, or are empty",
            "reach past the end of its text",
        ];
        for (n, why) in bad.iter().zip(why) {
            if *n > 0 {
                self.out
                    .skipped
                    .push(format!("source \"{label}\": {n} codings {why}; left out"));
            }
        }
        if unknown > 0 {
            self.out.skipped.push(format!(
                "source \"{label}\": {unknown} codings name a code the codebook lacks"
            ));
        }
        added
    }
}
