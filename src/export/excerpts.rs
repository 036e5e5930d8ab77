//! Coded excerpts for write-up: the codings a filter selects (codes, raters or consensus, transcripts,
//! cases, attribute values), each with its quote, participant, transcript, turn and time stamp, rater
//! and memo. Rendered as Markdown and HTML (a heading per code), as a table (CSV/XLSX: one excerpt per
//! row with every case attribute as a column) and as DOCX (see `docx.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::data::{ProjectData, turn_at};
use super::html;
use super::prose;
use super::table::{Cell, Table};
use crate::model::{
    Case, CaseId, CodeId, Coding, CodingId, Rater, RaterId, RaterKind, Transcript, TranscriptId,
    format_time_ms, text,
};

/// Which codings to export. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExcerptFilter {
    /// Only these codes (and, with `include_children`, the codes below them).
    pub codes: Vec<CodeId>,
    /// Count a chosen code's descendants as chosen too.
    pub include_children: bool,
    /// Only these raters.
    pub raters: Vec<RaterId>,
    /// Only consensus layers (raters of the consensus kind).
    pub consensus_only: bool,
    /// Only these transcripts.
    pub transcripts: Vec<TranscriptId>,
    /// Only transcripts of these cases.
    pub cases: Vec<CaseId>,
    /// Only cases whose attribute has one of the values (attribute name to accepted values).
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// A snapshot's lookups by id, built once for a pass over every coding (the snapshot keeps its
/// transcripts, cases and raters in lists): each transcript with its case and its char-to-byte map,
/// each rater, each code's path.
struct Lookup<'a> {
    transcripts: HashMap<TranscriptId, (&'a Transcript, Option<&'a Case>, text::OffsetMap)>,
    attributes: HashMap<CaseId, std::sync::Arc<BTreeMap<String, String>>>,
    raters: HashMap<RaterId, &'a Rater>,
    paths: HashMap<CodeId, String>,
}

impl<'a> Lookup<'a> {
    fn new(data: &'a ProjectData) -> Self {
        Self {
            transcripts: data
                .transcripts
                .iter()
                .map(|t| {
                    (
                        t.transcript_id,
                        (t, data.case_of(t), text::OffsetMap::new(&t.text)),
                    )
                })
                .collect(),
            attributes: data
                .cases
                .iter()
                .map(|c| (c.case_id, std::sync::Arc::new(c.attributes.clone())))
                .collect(),
            raters: data.raters.iter().map(|r| (r.rater_id, r)).collect(),
            paths: data
                .codebook
                .codes
                .iter()
                .map(|c| (c.code_id, data.codebook.path(c.code_id)))
                .collect(),
        }
    }
}

impl ExcerptFilter {
    /// True when the filter keeps this coding.
    fn keeps(&self, data: &ProjectData, lookup: &Lookup<'_>, coding: &Coding) -> bool {
        let codes_ok = self.codes.is_empty()
            || self.codes.iter().any(|&c| {
                c == coding.code_id
                    || (self.include_children && is_ancestor(data, c, coding.code_id))
            });
        let rater = lookup.raters.get(&coding.rater_id);
        let raters_ok = self.raters.is_empty() || self.raters.contains(&coding.rater_id);
        let consensus_ok =
            !self.consensus_only || rater.is_some_and(|r| r.kind == RaterKind::Consensus);
        let transcripts_ok =
            self.transcripts.is_empty() || self.transcripts.contains(&coding.transcript_id);
        let case = lookup
            .transcripts
            .get(&coding.transcript_id)
            .and_then(|(_, case, _)| *case);
        let cases_ok =
            self.cases.is_empty() || case.is_some_and(|c| self.cases.contains(&c.case_id));
        let attributes_ok = self.attributes.iter().all(|(name, values)| {
            case.and_then(|c| c.attributes.get(name))
                .is_some_and(|v| values.iter().any(|x| x == v))
        });
        codes_ok && raters_ok && consensus_ok && transcripts_ok && cases_ok && attributes_ok
    }

    /// The codings the filter keeps, in the snapshot's order.
    #[must_use]
    pub fn select<'a>(&self, data: &'a ProjectData) -> Vec<&'a Coding> {
        let lookup = Lookup::new(data);
        self.select_with(data, &lookup)
    }

    fn select_with<'a>(&self, data: &'a ProjectData, lookup: &Lookup<'_>) -> Vec<&'a Coding> {
        data.codings
            .iter()
            .filter(|c| self.keeps(data, lookup, c))
            .collect()
    }
}

fn is_ancestor(data: &ProjectData, ancestor: CodeId, code: CodeId) -> bool {
    let mut next = data.code(code).and_then(|c| c.parent_id);
    for _ in 0..64 {
        match next {
            Some(id) if id == ancestor => return true,
            Some(id) => next = data.code(id).and_then(|c| c.parent_id),
            None => return false,
        }
    }
    false
}

/// One coded excerpt with everything a reader of a paper needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Excerpt {
    /// The coding.
    pub coding_id: CodingId,
    /// The code.
    pub code_id: CodeId,
    /// The code's path (`Parent/Child`).
    pub code_path: String,
    /// Transcript name.
    pub transcript: String,
    /// The transcript.
    pub transcript_id: TranscriptId,
    /// The participant (case name), if the transcript has one.
    pub case: Option<String>,
    /// The case's attributes (shared by every excerpt of the case).
    pub attributes: std::sync::Arc<BTreeMap<String, String>>,
    /// Rater name.
    pub rater: String,
    /// Human or consensus.
    pub rater_kind: RaterKind,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// The turn the excerpt starts in (1-based), if the transcript has turns.
    pub turn: Option<usize>,
    /// That turn's speaker.
    pub speaker: String,
    /// That speaker's role (`participant`, `interviewer`, ...).
    pub role: String,
    /// That turn's start time, in milliseconds, if known.
    pub start_ms: Option<u64>,
    /// The quoted text.
    pub quote: String,
    /// The newest memo on the coding.
    pub memo: Option<String>,
}

impl Excerpt {
    /// "turn 12, 00:03:10" (what is known of the place).
    #[must_use]
    pub fn place(&self) -> String {
        let mut parts = Vec::new();
        if let Some(turn) = self.turn {
            parts.push(format!("turn {turn}"));
        }
        if let Some(ms) = self.start_ms {
            parts.push(format_time_ms(ms));
        }
        parts.push(format!("chars {}–{}", self.start, self.end));
        parts.join(", ")
    }

    /// Who said it, where, and who coded it, as `P01 (P01_interview, turn 3, 00:01:02, chars 10–40);
    /// coded by Maya Chen`.
    #[must_use]
    pub fn citation(&self) -> String {
        let who = self.case.as_deref().unwrap_or("no case");
        let kind = if self.rater_kind == RaterKind::Consensus {
            " (consensus)"
        } else {
            ""
        };
        format!(
            "{who} ({}, {}); coded by {}{kind}",
            self.transcript,
            self.place(),
            self.rater
        )
    }
}

/// The citation form a project uses unless the team chooses another (`(P07, participant,
/// 00:12:31)`).
pub const DEFAULT_CITATION: &str = "({case}, {role}, {time})";

/// The parts a citation form may name.
pub const CITATION_PARTS: [&str; 8] = [
    "case",
    "transcript",
    "role",
    "speaker",
    "time",
    "turn",
    "code",
    "rater",
];

/// Checks a citation form: every `{part}` must be one of [`CITATION_PARTS`].
///
/// # Errors
/// The first unknown or unclosed part, named.
pub fn check_citation(form: &str) -> Result<(), String> {
    let mut rest = form;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!(
                "the citation form {form:?} has a '{{' that is not closed"
            ));
        };
        let part = &after[..close];
        if !CITATION_PARTS.contains(&part) {
            return Err(format!(
                "the citation form {form:?} names {{{part}}}; it may name {}",
                CITATION_PARTS
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

impl Excerpt {
    /// The excerpt cited in a form such as [`DEFAULT_CITATION`]: each `{part}` replaced by what is
    /// known of it, `?` where nothing is (a transcript without time stamps has no time).
    #[must_use]
    pub fn cite(&self, form: &str) -> String {
        let or_unknown = |s: &str| {
            if s.is_empty() {
                "?".to_string()
            } else {
                s.to_string()
            }
        };
        let mut out = form.to_string();
        for part in CITATION_PARTS {
            let value = match part {
                "case" => or_unknown(self.case.as_deref().unwrap_or_default()),
                "transcript" => or_unknown(&self.transcript),
                "role" => or_unknown(&self.role),
                "speaker" => or_unknown(&self.speaker),
                "time" => self.start_ms.map_or_else(|| "?".into(), format_time_ms),
                "turn" => self.turn.map_or_else(|| "?".into(), |t| t.to_string()),
                "code" => or_unknown(&self.code_path),
                _ => or_unknown(&self.rater),
            };
            out = out.replace(&format!("{{{part}}}"), &value);
        }
        out
    }
}

/// The excerpts a filter selects, by code (codebook order), transcript, position and rater.
#[must_use]
pub fn excerpts(data: &ProjectData, filter: &ExcerptFilter) -> Vec<Excerpt> {
    let order: BTreeMap<CodeId, usize> = data
        .codebook
        .tree_order()
        .iter()
        .enumerate()
        .map(|(i, (_, c))| (c.code_id, i))
        .collect();
    let memos = data.coding_memos();
    let lookup = Lookup::new(data);
    let mut out: Vec<Excerpt> = filter
        .select_with(data, &lookup)
        .into_iter()
        .filter_map(|c| excerpt(&lookup, c, memos.get(&c.coding_id).copied()))
        .collect();
    out.sort_by(|a, b| {
        let key = |e: &Excerpt| order.get(&e.code_id).copied().unwrap_or(usize::MAX);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.transcript.cmp(&b.transcript))
            .then_with(|| (a.start, a.end, &a.rater).cmp(&(b.start, b.end, &b.rater)))
            .then_with(|| a.coding_id.cmp(&b.coding_id))
    });
    out
}

fn excerpt(lookup: &Lookup<'_>, c: &Coding, memo: Option<&str>) -> Option<Excerpt> {
    let (transcript, case, offsets) = lookup.transcripts.get(&c.transcript_id)?;
    let rater = lookup.raters.get(&c.rater_id);
    let turn = turn_at(&transcript.turns, c.span.start);
    let (from, to) = (offsets.byte(c.span.start), offsets.byte(c.span.end));
    Some(Excerpt {
        coding_id: c.coding_id,
        code_id: c.code_id,
        code_path: lookup.paths.get(&c.code_id).cloned().unwrap_or_default(),
        transcript: transcript.name.clone(),
        transcript_id: transcript.transcript_id,
        case: case.map(|k| k.name.clone()),
        attributes: case
            .and_then(|k| lookup.attributes.get(&k.case_id).cloned())
            .unwrap_or_default(),
        rater: rater.map(|r| r.name.clone()).unwrap_or_default(),
        rater_kind: rater.map_or(RaterKind::Human, |r| r.kind),
        start: c.span.start,
        end: c.span.end,
        turn: turn.map(|t| t.index + 1),
        speaker: turn.map(|t| t.speaker.clone()).unwrap_or_default(),
        role: turn.map(|t| t.role.to_string()).unwrap_or_default(),
        start_ms: turn.and_then(|t| t.start_ms),
        quote: transcript
            .text
            .get(from..to.max(from))
            .unwrap_or_default()
            .to_string(),
        memo: memo.map(str::to_string),
    })
}

/// Excerpts grouped by code path, in the order given.
#[must_use]
pub fn by_code(rows: &[Excerpt]) -> Vec<(&str, Vec<&Excerpt>)> {
    let mut groups: Vec<(&str, Vec<&Excerpt>)> = Vec::new();
    for e in rows {
        match groups.last_mut() {
            Some((code, list)) if *code == e.code_path => list.push(e),
            _ => groups.push((e.code_path.as_str(), vec![e])),
        }
    }
    groups
}

/// Markdown: a heading per code, each excerpt a block quote with its citation and memo; `&`, `<` and
/// `>` in the text are escaped, so HTML in a quote or memo stays text.
#[must_use]
pub fn to_markdown(title: &str, rows: &[Excerpt]) -> String {
    let md = html::escape_markdown;
    let mut out = format!("# {}\n\n{} excerpts.\n", md(title), rows.len());
    for (code, list) in by_code(rows) {
        let _ = write!(out, "\n## {} ({})\n", md(code), list.len());
        for e in list {
            out.push('\n');
            for line in e.quote.trim().lines() {
                let _ = writeln!(out, "> {}", md(line));
            }
            let _ = writeln!(out, "\n— {}", md(&e.citation()));
            if let Some(memo) = &e.memo {
                let _ = writeln!(out, "\n*Memo:* {}", prose::markdown(memo));
            }
        }
    }
    out
}

/// HTML: the same content as the Markdown, as one self-contained page.
#[must_use]
pub fn to_html(title: &str, rows: &[Excerpt]) -> String {
    let mut body = format!("<p>{} excerpts.</p>\n", rows.len());
    for (code, list) in by_code(rows) {
        let _ = writeln!(body, "<h2>{} ({})</h2>", html::escape(code), list.len());
        for e in list {
            let quote = html::escape(e.quote.trim()).replace('\n', "<br>\n");
            let _ = writeln!(
                body,
                "<blockquote>{quote}</blockquote>\n<p class=\"cite\">— {}</p>",
                html::escape(&e.citation())
            );
            if let Some(memo) = &e.memo {
                for (i, paragraph) in prose::paragraphs(memo).iter().enumerate() {
                    let label = if i == 0 { "<em>Memo:</em> " } else { "" };
                    let _ = writeln!(
                        body,
                        "<p class=\"memo\">{label}{}</p>",
                        html::escape(paragraph)
                    );
                }
            }
        }
    }
    html::page(title, &body)
}

/// One excerpt per row: ids, the code path, place, rater, quote, memo and every case attribute.
#[must_use]
pub fn to_table(data: &ProjectData, rows: &[Excerpt]) -> Table {
    let attributes: BTreeSet<String> = data.attribute_names().into_iter().collect();
    let mut header: Vec<String> = [
        "code",
        "code_id",
        "case",
        "transcript",
        "turn",
        "speaker",
        "time",
        "start",
        "end",
        "rater",
        "rater_kind",
        "quote",
        "memo",
        "coding_id",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    header.extend(attributes.iter().cloned());
    let rows = rows
        .iter()
        .map(|e| {
            let mut row = vec![
                Cell::from(e.code_path.as_str()),
                Cell::from(e.code_id.to_text()),
                Cell::from(e.case.clone().unwrap_or_default()),
                Cell::from(e.transcript.as_str()),
                e.turn.map_or(Cell::Empty, Cell::from),
                Cell::from(e.speaker.as_str()),
                Cell::from(e.start_ms.map(format_time_ms).unwrap_or_default()),
                Cell::from(e.start),
                Cell::from(e.end),
                Cell::from(e.rater.as_str()),
                Cell::from(e.rater_kind.as_str()),
                Cell::from(e.quote.as_str()),
                Cell::Prose(e.memo.clone().unwrap_or_default()),
                Cell::from(e.coding_id.to_text()),
            ];
            row.extend(
                attributes
                    .iter()
                    .map(|a| Cell::from(e.attributes.get(a).cloned().unwrap_or_default())),
            );
            row
        })
        .collect();
    Table {
        name: "Excerpts".into(),
        header,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CodingId;

    fn with_memo(memo: &str) -> Excerpt {
        Excerpt {
            coding_id: CodingId::new_random(),
            code_id: CodeId::new_random(),
            code_path: "Role".into(),
            transcript: "P01".into(),
            transcript_id: TranscriptId::new_random(),
            case: None,
            attributes: std::sync::Arc::default(),
            rater: "Ana".into(),
            rater_kind: RaterKind::Human,
            start: 0,
            end: 4,
            role: String::new(),
            turn: None,
            speaker: String::new(),
            start_ms: None,
            quote: "said\nthis".into(),
            memo: Some(memo.into()),
        }
    }

    #[test]
    fn memos_join_wrapped_lines_in_markdown_and_html() {
        let rows = [with_memo(
            "a memo in\nwhich lines wrap\n\nand a second <paragraph>",
        )];
        let md = to_markdown("T", &rows);
        assert!(
            md.contains("*Memo:* a memo in which lines wrap\n\nand a second &lt;paragraph&gt;"),
            "{md}"
        );
        let page = to_html("T", &rows);
        assert!(
            page.contains("<p class=\"memo\"><em>Memo:</em> a memo in which lines wrap</p>\n<p class=\"memo\">and a second &lt;paragraph&gt;</p>"),
            "{page}"
        );
        // A quote is the transcript's own text: its line breaks stay.
        assert!(
            md.contains("> said\n> this") && page.contains("said<br>\nthis"),
            "{page}"
        );
    }
}
