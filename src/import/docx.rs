//! Word documents: the paragraphs of `word/document.xml`, one line each, then speaker labels as in
//! plain text. Reading is bounded: the document part may expand to at most [`MAX_XML_BYTES`] and at most
//! [`MAX_RATIO`] times its compressed size, so a zip bomb is refused rather than unpacked.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// Largest `word/document.xml` read, expanded.
pub const MAX_XML_BYTES: u64 = 256 * 1024 * 1024;
/// Largest expansion ratio accepted for `word/document.xml`.
pub const MAX_RATIO: u64 = 200;

/// Extracts the text of a DOCX file: paragraphs separated by newlines.
pub fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a Word document: not a readable zip archive ({e})"))?;
    let mut part = archive
        .by_name("word/document.xml")
        .map_err(|_| "not a Word document: it has no word/document.xml".to_string())?;
    let declared = part.size();
    let compressed = part.compressed_size().max(1);
    if declared > MAX_XML_BYTES || declared / compressed > MAX_RATIO {
        return Err(format!(
            "refused: word/document.xml would expand to {declared} bytes from {compressed} (a zip bomb?)"
        ));
    }
    let mut xml = Vec::new();
    part.by_ref()
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| format!("the document is damaged or truncated ({e})"))?;
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err("refused: word/document.xml is larger than 256 MB when expanded".into());
    }
    paragraphs(&xml)
}

/// Walks the document XML, collecting `w:t` text per `w:p`; `w:tab` is a tab, `w:br`/`w:cr` a
/// newline, deleted text (`w:delText`) is skipped.
fn paragraphs(xml: &[u8]) -> Result<String, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out = String::new();
    let mut paragraph = String::new();
    let mut in_text = false;
    let mut in_body = false;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "the document XML is malformed at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"body" => in_body = true,
                b"t" => in_text = true,
                b"tab" => paragraph.push('\t'),
                b"br" | b"cr" => paragraph.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => paragraph.push('\t'),
                b"br" | b"cr" => paragraph.push('\n'),
                b"p" if in_body => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let text = t
                    .decode()
                    .map_err(|e| format!("the document XML has bad text: {e}"))?;
                paragraph.push_str(&text);
            }
            Event::GeneralRef(r) if in_text => {
                let name = r
                    .decode()
                    .map_err(|e| format!("the document XML has a bad entity: {e}"))?;
                paragraph.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" if in_body => {
                    out.push_str(&paragraph);
                    out.push('\n');
                    paragraph.clear();
                }
                b"body" => in_body = false,
                _ => {}
            },
            Event::DocType(d) if super::refi::qde::declares_entities(&d) => {
                return Err(super::refi::qde::ENTITY_REFUSAL.into());
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if out.trim().is_empty() {
        return Err("the Word document has no text".into());
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal DOCX with the given paragraphs (for tests).
    pub(crate) fn make_docx(paragraphs: &[&str]) -> Vec<u8> {
        let mut body = String::new();
        for p in paragraphs {
            let escaped = p.replace('&', "&amp;").replace('<', "&lt;");
            body.push_str("<w:p><w:r><w:t xml:space=\"preserve\">");
            body.push_str(&escaped);
            body.push_str("</w:t></w:r></w:p>");
        }
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_paragraphs_and_entities() {
        let bytes = make_docx(&["Interviewer: Hello & welcome.", "", "P03: Hi <there>."]);
        assert_eq!(
            docx_text(&bytes).unwrap(),
            "Interviewer: Hello & welcome.\n\nP03: Hi <there>.\n"
        );
    }

    #[test]
    fn refuses_non_zip_truncated_and_wrong_zip() {
        assert!(
            docx_text(b"plain text")
                .unwrap_err()
                .contains("not a readable zip")
        );
        let bytes = make_docx(&["Interviewer: Hello."]);
        assert!(docx_text(&bytes[..bytes.len() / 2]).is_err());
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("other.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"x").unwrap();
        let other = zip.finish().unwrap().into_inner();
        assert!(
            docx_text(&other)
                .unwrap_err()
                .contains("no word/document.xml")
        );
    }

    #[test]
    fn refuses_a_zip_bomb() {
        let xml = format!(
            "<w:document><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
            "a".repeat(5_000_000)
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        let bomb = zip.finish().unwrap().into_inner();
        assert!(docx_text(&bomb).unwrap_err().contains("zip bomb"));
    }
}
