//! REFI-QDA codebook export (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`), and the code tree both the
//! codebook and the project file (`.qdpx`) contain. REFI-QDA gives a code only a `Description`, so
//! Accord writes its structured fields there as labelled paragraphs ("Definition: ...", "When to
//! use: ..."), which `import::refi::qdc` reads back into the fields and other tools show as plain text.

use std::collections::BTreeMap;

use crate::export::ExportError;
use crate::export::xml::Xml;
use crate::model::refi::DESCRIPTION_LABELS;
use crate::model::{Code, CodeId, Codebook, MemoId};

/// The namespace of REFI-QDA codebooks.
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// The `origin` Accord writes.
#[must_use]
pub fn origin() -> String {
    format!("Accord {}", env!("CARGO_PKG_VERSION"))
}

/// A code's structured fields as one REFI-QDA description: the short definition, then each other
/// field as a labelled paragraph.
#[must_use]
pub fn description(code: &Code) -> String {
    let mut parts = Vec::new();
    if !code.short_definition.trim().is_empty() {
        parts.push(code.short_definition.trim().to_string());
    }
    let values = [
        &code.definition,
        &code.when_to_use,
        &code.when_not_to_use,
        &code.example,
    ];
    for (label, value) in DESCRIPTION_LABELS.iter().zip(values) {
        if !value.trim().is_empty() {
            parts.push(format!("{label}: {}", value.trim()));
        }
    }
    parts.join("\n\n")
}

/// True when `colour` is a REFI-QDA colour (`#RGB` or `#RRGGBB`).
#[must_use]
pub fn is_refi_colour(colour: &str) -> bool {
    colour
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Writes the `<Codes>` tree; `notes` gives the memos to reference from each code (project files only).
pub fn write_codes(
    xml: &mut Xml,
    book: &Codebook,
    notes: &BTreeMap<CodeId, Vec<MemoId>>,
) -> Result<(), ExportError> {
    xml.open("Codes", &[])?;
    for code in book.children(None) {
        write_code(xml, book, code, notes, 0)?;
    }
    xml.close("Codes")
}

fn write_code(
    xml: &mut Xml,
    book: &Codebook,
    code: &Code,
    notes: &BTreeMap<CodeId, Vec<MemoId>>,
    depth: usize,
) -> Result<(), ExportError> {
    let guid = code.code_id.to_text();
    let mut attrs = vec![
        ("guid", guid.as_str()),
        ("name", code.name.as_str()),
        ("isCodable", "true"),
    ];
    if is_refi_colour(&code.colour) {
        attrs.push(("color", code.colour.as_str()));
    }
    xml.open("Code", &attrs)?;
    let text = description(code);
    if !text.is_empty() {
        xml.text("Description", &[], &text)?;
    }
    for memo in notes.get(&code.code_id).into_iter().flatten() {
        xml.empty("NoteRef", &[("targetGUID", &memo.to_text())])?;
    }
    if depth < 64 {
        for child in book.children(Some(code.code_id)) {
            write_code(xml, book, child, notes, depth + 1)?;
        }
    }
    xml.close("Code")
}

/// The codebook as a REFI-QDA `.qdc` document.
pub fn to_xml(book: &Codebook) -> Result<String, ExportError> {
    if book.codes.is_empty() {
        return Err(ExportError::Invalid(
            "the codebook has no codes, and a REFI-QDA codebook needs at least one".into(),
        ));
    }
    let mut xml = Xml::new()?;
    let origin = origin();
    xml.open(
        "CodeBook",
        &[("xmlns", CODEBOOK_NS), ("origin", origin.as_str())],
    )?;
    write_codes(&mut xml, book, &BTreeMap::new())?;
    xml.close("CodeBook")?;
    String::from_utf8(xml.finish()).map_err(|e| ExportError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_labels_each_field_and_colours_are_checked() {
        let code = Code {
            code_id: CodeId::from_path("A"),
            name: "A".into(),
            parent_id: None,
            colour: "#12ab34".into(),
            short_definition: "Short.".into(),
            definition: "Long.".into(),
            when_to_use: String::new(),
            when_not_to_use: "Never.".into(),
            example: "\"Yes\"".into(),
            position: 0,
        };
        assert_eq!(
            description(&code),
            "Short.\n\nDefinition: Long.\n\nWhen not to use: Never.\n\nExample: \"Yes\""
        );
        assert!(is_refi_colour("#12ab34") && is_refi_colour("#abc"));
        assert!(!is_refi_colour("rgb(1,2,3)") && !is_refi_colour("#12345"));
        let book = Codebook {
            codes: vec![code],
            ..Codebook::default()
        };
        let xml = to_xml(&book).unwrap();
        assert!(
            xml.contains("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\""),
            "{xml}"
        );
        assert!(xml.contains("color=\"#12ab34\""), "{xml}");
        assert!(to_xml(&Codebook::default()).is_err());
    }
}
