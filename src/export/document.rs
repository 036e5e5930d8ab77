//! A document as a list of blocks (title, headings, paragraphs, quotes, labelled fields, tables),
//! written as Markdown, one HTML page or a Word document from the same blocks: the key quotes, the
//! summary grid and the report say the same thing in every format.

use std::fmt::Write as _;
use std::io::Write;

use docx_rs::{Paragraph, Table as DocxTable, TableCell, TableRow};

use super::ExportError;
use super::html::{escape, escape_markdown, page};
use super::prose::paragraphs;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, level 1 to 3.
    Heading(usize, String),
    /// A paragraph (blank lines in it start new paragraphs).
    Para(String),
    /// A quotation, one paragraph per line.
    Quote(String),
    /// A bold label, then text.
    Field(String, String),
    /// A table: a header row, then rows of cells.
    Table(Vec<String>, Vec<Vec<String>>),
}

/// A document: a title and its blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The title.
    pub title: String,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document with a title.
    #[must_use]
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }

    /// Adds a heading.
    pub fn heading(&mut self, level: usize, text: impl Into<String>) {
        self.blocks
            .push(Block::Heading(level.clamp(1, 3), text.into()));
    }

    /// Adds a paragraph (nothing for an empty text).
    pub fn para(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Para(text));
        }
    }

    /// Adds a quotation.
    pub fn quote(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Quote(text.into()));
    }

    /// Adds a labelled field (nothing for an empty text).
    pub fn field(&mut self, label: impl Into<String>, text: impl Into<String>) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Field(label.into(), text));
        }
    }

    /// Adds a table.
    pub fn table(&mut self, header: Vec<String>, rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table(header, rows));
    }

    /// The document as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", escape_markdown(&self.title));
        for block in &self.blocks {
            out.push('\n');
            match block {
                Block::Heading(level, text) => {
                    let _ = writeln!(out, "{} {}", "#".repeat(level + 1), escape_markdown(text));
                }
                Block::Para(text) => {
                    let _ = writeln!(out, "{}", paragraphs(text).join("\n\n"));
                }
                Block::Quote(text) => {
                    for (i, line) in text.trim().lines().enumerate() {
                        if i > 0 {
                            out.push_str(">\n");
                        }
                        let _ = writeln!(out, "> {}", line.trim());
                    }
                }
                Block::Field(label, text) => {
                    let _ = writeln!(
                        out,
                        "**{}:** {}",
                        escape_markdown(label),
                        paragraphs(text).join("\n\n")
                    );
                }
                Block::Table(header, rows) => {
                    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
                    let line = |cells: &[String]| {
                        format!(
                            "| {} |",
                            cells
                                .iter()
                                .map(|c| cell(c))
                                .collect::<Vec<_>>()
                                .join(" | ")
                        )
                    };
                    let _ = writeln!(out, "{}", line(header));
                    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
                    for row in rows {
                        let _ = writeln!(out, "{}", line(row));
                    }
                }
            }
        }
        out
    }

    /// The document as one HTML page.
    #[must_use]
    pub fn to_html(&self) -> String {
        let mut body = format!("<h1>{}</h1>\n", escape(&self.title));
        for block in &self.blocks {
            match block {
                Block::Heading(level, text) => {
                    let _ = writeln!(body, "<h{0}>{1}</h{0}>", level + 1, escape(text));
                }
                Block::Para(text) => {
                    for p in paragraphs(text) {
                        let _ = writeln!(body, "<p>{}</p>", escape(&p));
                    }
                }
                Block::Quote(text) => {
                    body.push_str("<blockquote>");
                    for line in text.trim().lines() {
                        let _ = write!(body, "<p>{}</p>", escape(line.trim()));
                    }
                    body.push_str("</blockquote>\n");
                }
                Block::Field(label, text) => {
                    let _ = writeln!(
                        body,
                        "<p><strong>{}:</strong> {}</p>",
                        escape(label),
                        paragraphs(text)
                            .iter()
                            .map(|p| escape(p))
                            .collect::<Vec<_>>()
                            .join("<br><br>")
                    );
                }
                Block::Table(header, rows) => {
                    body.push_str("<table>\n<tr>");
                    for h in header {
                        let _ = write!(body, "<th>{}</th>", escape(h));
                    }
                    body.push_str("</tr>\n");
                    for row in rows {
                        body.push_str("<tr>");
                        for c in row {
                            let _ = write!(body, "<td>{}</td>", escape(c));
                        }
                        body.push_str("</tr>\n");
                    }
                    body.push_str("</table>\n");
                }
            }
        }
        page(&self.title, &body)
    }

    /// Writes the document as a Word document.
    ///
    /// # Errors
    /// The writer fails.
    pub fn write_docx(&self, out: impl Write) -> Result<(), ExportError> {
        use super::docx::{labelled, quote, styled, text};
        let mut doc = styled().add_paragraph(text(Some("Title"), &self.title));
        for block in &self.blocks {
            doc = match block {
                Block::Heading(level, words) => {
                    doc.add_paragraph(text(Some(&format!("Heading{level}")), words))
                }
                Block::Para(words) => paragraphs(words)
                    .iter()
                    .fold(doc, |doc, p| doc.add_paragraph(text(None, p))),
                Block::Quote(words) => quote(doc, words),
                Block::Field(label, words) => labelled(doc, label, words),
                Block::Table(header, rows) => {
                    let row = |cells: &[String], bold: bool| {
                        TableRow::new(
                            cells
                                .iter()
                                .map(|c| {
                                    let mut r = super::docx::run(c);
                                    if bold {
                                        r = r.bold();
                                    }
                                    TableCell::new().add_paragraph(Paragraph::new().add_run(r))
                                })
                                .collect(),
                        )
                    };
                    let mut all = vec![row(header, true)];
                    all.extend(rows.iter().map(|r| row(r, false)));
                    doc.add_table(DocxTable::new(all))
                }
            };
        }
        super::docx::finish(doc, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut d = Document::new("Report");
        d.heading(1, "Peerness");
        d.para("First line\nsame paragraph.\n\nSecond paragraph.");
        d.quote("I read the form twice.");
        d.field("Agreement", "κ = 0.71");
        d.table(
            vec!["case".into(), "summary".into()],
            vec![vec!["P01".into(), "a | b".into()]],
        );
        d
    }

    #[test]
    fn markdown_keeps_paragraphs_quotes_and_escapes_table_bars() {
        let md = sample().to_markdown();
        assert!(md.starts_with("# Report\n"), "{md}");
        assert!(md.contains("## Peerness\n"), "{md}");
        assert!(
            md.contains("First line same paragraph.\n\nSecond paragraph."),
            "{md}"
        );
        assert!(md.contains("> I read the form twice.\n"), "{md}");
        assert!(md.contains("**Agreement:** κ = 0.71"), "{md}");
        assert!(md.contains("| P01 | a \\| b |"), "{md}");
    }

    #[test]
    fn html_escapes_and_word_holds_every_block() {
        let html = sample().to_html();
        assert!(html.contains("<h2>Peerness</h2>"), "{html}");
        assert!(html.contains("<td>a | b</td>"), "{html}");
        let mut bytes = Vec::new();
        sample().write_docx(&mut bytes).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        for words in [
            "Peerness",
            "Second paragraph.",
            "I read the form twice.",
            "a | b",
        ] {
            assert!(xml.contains(words), "{words} missing from {xml}");
        }
        assert!(xml.contains("<w:tbl>"), "a real table: {xml}");
    }
}
