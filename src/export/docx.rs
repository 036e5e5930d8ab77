//! Word documents with `docx-rs`: the coded excerpts (a heading per code, each quote with participant,
//! transcript, turn and time stamp, rater and memo) and the codebook (every structured field).

use std::io::{Cursor, Write};

use docx_rs::{Docx, Paragraph, Run, Style, StyleType};

use super::ExportError;
use super::codebook::fields;
use super::excerpts::{Excerpt, by_code};
use super::prose::paragraphs;
use super::xml::allowed;
use crate::model::Codebook;

pub(super) fn styled() -> Docx {
    let heading = |id: &str, name: &str, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .size(size)
            .bold()
    };
    Docx::new()
        .add_style(heading("Title", "Title", 40))
        .add_style(heading("Heading1", "heading 1", 32))
        .add_style(heading("Heading2", "heading 2", 28))
        .add_style(heading("Heading3", "heading 3", 24))
        .add_style(
            Style::new("Quote", StyleType::Paragraph)
                .name("Quote")
                .italic(),
        )
}

/// A run of text, without the characters XML 1.0 cannot hold (C0 controls other than tab, line feed
/// and carriage return): Word refuses a document whose `document.xml` has them.
pub(super) fn run(words: &str) -> Run {
    let clean: String = words.chars().filter(|&c| allowed(c)).collect();
    Run::new().add_text(clean)
}

pub(super) fn text(style: Option<&str>, words: &str) -> Paragraph {
    let p = Paragraph::new().add_run(run(words));
    match style {
        Some(s) => p.style(s),
        None => p,
    }
}

/// Paragraphs with a bold label before the first (see [`paragraphs`]: a line break is a space, a
/// blank line a new paragraph).
pub(super) fn labelled(mut doc: Docx, label: &str, words: &str) -> Docx {
    for (i, paragraph) in paragraphs(words).into_iter().enumerate() {
        let mut p = Paragraph::new();
        if i == 0 {
            p = p.add_run(run(&format!("{label}: ")).bold());
        }
        doc = doc.add_paragraph(p.add_run(run(&paragraph)));
    }
    doc
}

/// A quote, one paragraph per line of it.
pub(super) fn quote(doc: Docx, words: &str) -> Docx {
    words.trim().lines().fold(doc, |doc, line| {
        doc.add_paragraph(text(Some("Quote"), line))
    })
}

pub(super) fn finish(doc: Docx, mut out: impl Write) -> Result<(), ExportError> {
    let mut buffer = Cursor::new(Vec::new());
    doc.pack(&mut buffer)
        .map_err(|e| ExportError::Invalid(format!("cannot write the Word document: {e}")))?;
    out.write_all(buffer.get_ref())?;
    Ok(())
}

/// The excerpts as a Word document.
pub fn excerpts(title: &str, rows: &[Excerpt], out: impl Write) -> Result<(), ExportError> {
    let mut doc = styled()
        .add_paragraph(text(Some("Title"), title))
        .add_paragraph(text(None, &format!("{} excerpts.", rows.len())));
    for (code, list) in by_code(rows) {
        doc = doc.add_paragraph(text(Some("Heading1"), &format!("{code} ({})", list.len())));
        for e in list {
            doc = quote(doc, &e.quote);
            doc = doc.add_paragraph(text(None, &format!("— {}", e.citation())));
            if let Some(memo) = &e.memo {
                doc = labelled(doc, "Memo", memo);
            }
        }
    }
    finish(doc, out)
}

/// The codebook as a Word document.
pub fn codebook(book: &Codebook, out: impl Write) -> Result<(), ExportError> {
    let title = if book.name.is_empty() {
        "Codebook"
    } else {
        &book.name
    };
    let mut doc = styled().add_paragraph(text(Some("Title"), title));
    for paragraph in paragraphs(&book.description) {
        doc = doc.add_paragraph(text(None, &paragraph));
    }
    for (depth, code) in book.tree_order() {
        let style = format!("Heading{}", (depth + 1).min(3));
        doc = doc.add_paragraph(text(Some(&style), &book.path(code.code_id)));
        for (label, value) in fields(code) {
            doc = labelled(doc, label, value);
        }
        doc = labelled(doc, "Colour", &code.colour);
    }
    if !book.groups.is_empty() {
        doc = doc
            .add_paragraph(text(Some("Heading1"), super::codebook::GROUPS_HEADING))
            .add_paragraph(text(None, super::codebook::GROUPS_INTRO));
        for (name, description, codes) in super::codebook::groups(book) {
            doc = doc.add_paragraph(text(Some("Heading2"), &name));
            for paragraph in paragraphs(&description) {
                doc = doc.add_paragraph(text(None, &paragraph));
            }
            doc = labelled(doc, "Codes", &codes.join("; "));
        }
    }
    finish(doc, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::codebook::wrapped_codebook;

    fn document_xml(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn codebook_joins_wrapped_lines_with_a_space() {
        let mut bytes = Vec::new();
        codebook(&wrapped_codebook(), &mut bytes).unwrap();
        let xml = document_xml(&bytes);
        assert!(
            xml.contains("Codes for interviews in which specialists describe 16 weekly sessions."),
            "{xml}"
        );
        assert!(xml.contains("From a phrase to a whole answer."), "{xml}");
        assert!(
            !xml.contains("in\nwhich") && !xml.contains("whole\nanswer"),
            "{xml}"
        );
        // The blank line starts a paragraph of its own.
        assert!(xml.contains(">A second paragraph.<"), "{xml}");
    }
}
