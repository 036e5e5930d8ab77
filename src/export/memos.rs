//! Memos as one list (`accord memos export`): Markdown, CSV and Word. Pure: the rows come resolved
//! from `app::memos` (what each memo is about, who wrote it, the passages its links quote), so the
//! window's Memos view and every format say the same.

use std::fmt::Write as _;
use std::io::Write;

use docx_rs::Paragraph;
use serde::Serialize;

use super::docx::{finish, run, styled, text as para};
use super::html::escape_markdown;
use super::prose::{markdown, paragraphs};
use super::table::{Cell, Table};
use super::{ExportError, Format};
use crate::model::{MemoId, MemoTarget, Span, TranscriptId};

/// One memo, resolved for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoRow {
    /// The memo's id.
    pub memo_id: MemoId,
    /// What kind of thing it is about: project, transcript, code, coding, passage or cell.
    pub kind: String,
    /// What it is about, described (`P01 1200–1342: "the words"`).
    pub about: String,
    /// The transcript it is about, if any.
    pub transcript: Option<String>,
    /// The case it is about, if any.
    pub case: Option<String>,
    /// The codes it is about (paths): its code, its coding's, its cell's, or those coded on its
    /// passage.
    pub codes: Vec<String>,
    /// Who wrote it (a rater's name), if known.
    pub author: Option<String>,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// Its text, as written.
    pub text: String,
    /// Its links to passages (`[[coding:3f2a9c1b]]`, `[[P01@1200-1342]]`), in order, resolved.
    pub links: Vec<MemoLink>,
    /// What it is about, as stored.
    #[serde(skip)]
    pub target: MemoTarget,
    /// Where it opens: its passage (a passage, a coding), or an empty span at the start of its
    /// transcript (a transcript memo); none in a removed transcript.
    #[serde(skip)]
    pub place: Option<(TranscriptId, Span)>,
}

/// What a link in a memo points at now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// The passage is there.
    Found,
    /// The coding it names was removed: its words are still given.
    Removed,
    /// Nothing such (see the link's note).
    NotFound,
}

/// A link in a memo's text, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoLink {
    /// What is written between `[[` and `]]`.
    pub label: String,
    /// Whether it resolves.
    pub state: LinkState,
    /// The transcript of the passage.
    pub transcript: Option<String>,
    /// The passage, in chars.
    pub span: Option<Span>,
    /// Its words (a removed coding's words too).
    pub quote: Option<String>,
    /// Why it does not resolve, or what it was (a removed coding's code and rater).
    pub note: Option<String>,
    /// The passage to open.
    #[serde(skip)]
    pub place: Option<(TranscriptId, Span)>,
}

impl MemoLink {
    /// The link in one line: `P01 1200–1342: "words"`, `removed coding (…): "words"`, or
    /// `not found: why`.
    #[must_use]
    pub fn describe(&self) -> String {
        let place = match (&self.transcript, self.span) {
            (Some(t), Some(s)) => format!("{t} {}–{}", s.start, s.end),
            _ => String::new(),
        };
        let quote = self
            .quote
            .as_deref()
            .map(|q| {
                let words: Vec<&str> = q.split_whitespace().collect();
                format!(": \"{}\"", words.join(" "))
            })
            .unwrap_or_default();
        let note = self.note.as_deref().unwrap_or("");
        match self.state {
            LinkState::Found if note.is_empty() => format!("{place}{quote}"),
            LinkState::Found => format!("{place} ({note}){quote}"),
            LinkState::Removed => format!("{note}, was at {place}{quote}"),
            LinkState::NotFound => format!("not found: {note}"),
        }
    }
}

impl MemoRow {
    /// Who wrote it and when, in one line (`Ana, 2026-12-06`).
    #[must_use]
    pub fn byline(&self) -> String {
        let date = self.created_at.get(..10).unwrap_or(&self.created_at);
        format!(
            "{}, {date}",
            self.author.as_deref().unwrap_or("unknown author")
        )
    }

    /// The first eight characters of its id, enough to name it (`accord memos show`).
    #[must_use]
    pub fn short_id(&self) -> String {
        self.memo_id.to_text().chars().take(8).collect()
    }
}

/// The memos as Markdown: a heading per memo (its kind and what it is about), who wrote it and
/// when, its text, and each link with the passage it quotes.
#[must_use]
pub fn to_markdown(title: &str, rows: &[MemoRow]) -> String {
    let md = escape_markdown;
    let mut out = format!("# {}\n\n{} memos.\n", md(title), rows.len());
    for row in rows {
        let _ = write!(
            out,
            "\n## {} memo: {}\n\n*{}* (memo {})\n",
            capitalised(&row.kind),
            md(&row.about),
            md(&row.byline()),
            row.short_id()
        );
        if !row.codes.is_empty() {
            let _ = writeln!(out, "\nCodes: {}", md(&row.codes.join("; ")));
        }
        let _ = writeln!(out, "\n{}", markdown(&row.text));
        if !row.links.is_empty() {
            out.push_str("\nLinks:\n\n");
            for link in &row.links {
                let _ = writeln!(out, "- [[{}]]: {}", md(&link.label), md(&link.describe()));
            }
        }
    }
    out
}

/// The memos as a table, one row each (CSV keeps texts exactly as written; links one a line).
#[must_use]
pub fn to_table(rows: &[MemoRow]) -> Table {
    let header = [
        "memo_id",
        "kind",
        "about",
        "transcript",
        "case",
        "codes",
        "author",
        "created_at",
        "text",
        "links",
    ];
    let opt = |v: &Option<String>| v.clone().map_or(Cell::Empty, Cell::Text);
    Table {
        name: "Memos".into(),
        header: header.iter().map(ToString::to_string).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.memo_id.to_text()),
                    Cell::Text(r.kind.clone()),
                    Cell::Text(r.about.clone()),
                    opt(&r.transcript),
                    opt(&r.case),
                    Cell::Text(r.codes.join("; ")),
                    opt(&r.author),
                    Cell::Text(r.created_at.clone()),
                    Cell::Prose(r.text.clone()),
                    Cell::Text(
                        r.links
                            .iter()
                            .map(|l| format!("[[{}]] {}", l.label, l.describe()))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                ]
            })
            .collect(),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The memos as a Word document: a heading per memo, its byline, its paragraphs, its links.
pub fn to_docx(title: &str, rows: &[MemoRow], out: impl Write) -> Result<(), ExportError> {
    let mut doc = styled()
        .add_paragraph(para(Some("Title"), title))
        .add_paragraph(para(None, &format!("{} memos.", rows.len())));
    for row in rows {
        doc = doc
            .add_paragraph(para(
                Some("Heading2"),
                &format!("{} memo: {}", capitalised(&row.kind), row.about),
            ))
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&row.byline()).italic())
                    .add_run(run(&format!(" (memo {})", row.short_id()))),
            );
        if !row.codes.is_empty() {
            doc = doc.add_paragraph(para(None, &format!("Codes: {}", row.codes.join("; "))));
        }
        for paragraph in paragraphs(&row.text) {
            doc = doc.add_paragraph(para(None, &paragraph));
        }
        for link in &row.links {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(&format!("[[{}]] ", link.label)).bold())
                    .add_run(run(&link.describe())),
            );
        }
    }
    finish(doc, out)
}

/// Writes the memos in `format` (Markdown, CSV or DOCX).
pub fn write(
    title: &str,
    rows: &[MemoRow],
    format: Format,
    mut out: impl Write,
) -> Result<(), ExportError> {
    match format {
        Format::Markdown => out.write_all(to_markdown(title, rows).as_bytes())?,
        Format::Csv => out.write_all(to_table(rows).to_csv()?.as_bytes())?,
        Format::Docx => to_docx(title, rows, out)?,
        other => {
            return Err(ExportError::Unsupported {
                what: "memos",
                format: other,
                choices: "markdown, csv, docx".into(),
            });
        }
    }
    Ok(())
}
