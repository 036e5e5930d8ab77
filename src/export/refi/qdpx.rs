//! REFI-QDA project export (`.qdpx`): a zip holding `project.qde` (namespace `urn:QDA-XML:project:1.0`)
//! and each transcript's frozen text as `sources/<guid>.txt` (UTF-8, LF). Raters become users, case
//! attributes text variables, each coding a `PlainTextSelection` (in code points, as the standard asks)
//! holding one `Coding` with its `creatingUser`, and memos notes referenced from what they are about.
//! Ids carry over: a coding's guid is its id, so importing the file again adds nothing.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use uuid::Uuid;
use zip::write::SimpleFileOptions;

use super::qdc::{origin, write_codes};
use crate::export::ExportError;
use crate::export::data::ProjectData;
use crate::export::xml::Xml;
use crate::model::{ACCORD_NAMESPACE, CodeId, Coding, MemoId, MemoTarget, Transcript};

/// The namespace of REFI-QDA projects.
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";

/// The guid of a case attribute's variable (stable: derived from its name).
#[must_use]
pub fn variable_guid(name: &str) -> String {
    Uuid::new_v5(&ACCORD_NAMESPACE, format!("variable:{name}").as_bytes())
        .hyphenated()
        .to_string()
}

/// The guid of the selection holding a coding (stable: derived from the coding's id).
#[must_use]
pub fn selection_guid(coding: &Coding) -> String {
    Uuid::new_v5(
        &ACCORD_NAMESPACE,
        format!("selection:{}", coding.coding_id).as_bytes(),
    )
    .hyphenated()
    .to_string()
}

/// A time stamp as `xsd:dateTime`, or nothing when it is not RFC 3339.
fn date_time(text: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| {
        t.to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

/// Memos by what they are about.
#[derive(Default)]
struct Notes {
    project: Vec<MemoId>,
    transcripts: BTreeMap<String, Vec<MemoId>>,
    codes: BTreeMap<CodeId, Vec<MemoId>>,
    codings: BTreeMap<String, Vec<MemoId>>,
}

fn notes(data: &ProjectData) -> Notes {
    let mut notes = Notes::default();
    for memo in &data.memos {
        match memo.target {
            // A case's memo goes with the project's notes (REFI-QDA's cases hold no notes).
            MemoTarget::Project | MemoTarget::Case(_) => notes.project.push(memo.memo_id),
            // REFI-QDA has no note on a span of its own: a passage's memo goes with its source,
            // a grid cell's with its code.
            MemoTarget::Transcript(id) | MemoTarget::Passage { transcript: id, .. } => notes
                .transcripts
                .entry(id.to_text())
                .or_default()
                .push(memo.memo_id),
            MemoTarget::Code(id) | MemoTarget::Cell { code: id, .. } => {
                notes.codes.entry(id).or_default().push(memo.memo_id);
            }
            MemoTarget::Coding(id) => notes
                .codings
                .entry(id.to_text())
                .or_default()
                .push(memo.memo_id),
        }
    }
    notes
}

fn note_refs(xml: &mut Xml, ids: Option<&Vec<MemoId>>) -> Result<(), ExportError> {
    for id in ids.into_iter().flatten() {
        xml.empty("NoteRef", &[("targetGUID", &id.to_text())])?;
    }
    Ok(())
}

/// The `project.qde` document.
pub fn project_xml(data: &ProjectData) -> Result<Vec<u8>, ExportError> {
    let notes = notes(data);
    let mut xml = Xml::new()?;
    let origin = origin();
    xml.open(
        "Project",
        &[
            ("xmlns", PROJECT_NS),
            ("name", data.name.as_str()),
            ("origin", origin.as_str()),
        ],
    )?;
    if !data.raters.is_empty() {
        xml.open("Users", &[])?;
        for r in &data.raters {
            xml.empty(
                "User",
                &[("guid", &r.rater_id.to_text()), ("name", &r.name)],
            )?;
        }
        xml.close("Users")?;
    }
    if !data.codebook.codes.is_empty() {
        xml.open("CodeBook", &[])?;
        write_codes(&mut xml, &data.codebook, &notes.codes)?;
        xml.close("CodeBook")?;
    }
    write_cases(&mut xml, data)?;
    if !data.transcripts.is_empty() {
        xml.open("Sources", &[])?;
        for t in &data.transcripts {
            write_source(&mut xml, data, t, &notes)?;
        }
        xml.close("Sources")?;
    }
    write_notes(&mut xml, data)?;
    note_refs(&mut xml, Some(&notes.project))?;
    xml.close("Project")?;
    Ok(xml.finish())
}

fn write_cases(xml: &mut Xml, data: &ProjectData) -> Result<(), ExportError> {
    let names = data.attribute_names();
    if !names.is_empty() {
        xml.open("Variables", &[])?;
        for name in &names {
            xml.empty(
                "Variable",
                &[
                    ("guid", &variable_guid(name)),
                    ("name", name),
                    ("typeOfVariable", "Text"),
                ],
            )?;
        }
        xml.close("Variables")?;
    }
    if data.cases.is_empty() {
        return Ok(());
    }
    xml.open("Cases", &[])?;
    for case in &data.cases {
        xml.open(
            "Case",
            &[("guid", &case.case_id.to_text()), ("name", &case.name)],
        )?;
        for (name, value) in &case.attributes {
            xml.open("VariableValue", &[])?;
            xml.empty("VariableRef", &[("targetGUID", &variable_guid(name))])?;
            xml.text("TextValue", &[], value)?;
            xml.close("VariableValue")?;
        }
        for t in data
            .transcripts
            .iter()
            .filter(|t| t.case_id == Some(case.case_id))
        {
            xml.empty("SourceRef", &[("targetGUID", &t.transcript_id.to_text())])?;
        }
        xml.close("Case")?;
    }
    xml.close("Cases")
}

fn write_source(
    xml: &mut Xml,
    data: &ProjectData,
    t: &Transcript,
    notes: &Notes,
) -> Result<(), ExportError> {
    let guid = t.transcript_id.to_text();
    let path = format!("internal://{guid}.txt");
    let mut attrs = vec![
        ("guid", guid.as_str()),
        ("name", t.name.as_str()),
        ("plainTextPath", path.as_str()),
    ];
    let created = date_time(&t.imported_at);
    if let Some(c) = &created {
        attrs.push(("creationDateTime", c.as_str()));
    }
    xml.open("TextSource", &attrs)?;
    for c in data
        .codings
        .iter()
        .filter(|c| c.transcript_id == t.transcript_id)
    {
        write_selection(xml, c, notes.codings.get(&c.coding_id.to_text()))?;
    }
    note_refs(xml, notes.transcripts.get(&guid))?;
    xml.close("TextSource")
}

fn write_selection(
    xml: &mut Xml,
    c: &Coding,
    notes: Option<&Vec<MemoId>>,
) -> Result<(), ExportError> {
    let (guid, start, end) = (
        selection_guid(c),
        c.span.start.to_string(),
        c.span.end.to_string(),
    );
    let (user, created) = (c.rater_id.to_text(), date_time(&c.created_at));
    let mut attrs = vec![
        ("guid", guid.as_str()),
        ("startPosition", start.as_str()),
        ("endPosition", end.as_str()),
        ("creatingUser", user.as_str()),
    ];
    if let Some(t) = &created {
        attrs.push(("creationDateTime", t.as_str()));
    }
    xml.open("PlainTextSelection", &attrs)?;
    let coding_guid = c.coding_id.to_text();
    attrs = vec![
        ("guid", coding_guid.as_str()),
        ("creatingUser", user.as_str()),
    ];
    if let Some(t) = &created {
        attrs.push(("creationDateTime", t.as_str()));
    }
    xml.open("Coding", &attrs)?;
    xml.empty("CodeRef", &[("targetGUID", &c.code_id.to_text())])?;
    xml.close("Coding")?;
    note_refs(xml, notes)?;
    xml.close("PlainTextSelection")
}

fn write_notes(xml: &mut Xml, data: &ProjectData) -> Result<(), ExportError> {
    if data.memos.is_empty() {
        return Ok(());
    }
    xml.open("Notes", &[])?;
    for memo in &data.memos {
        let guid = memo.memo_id.to_text();
        let user = memo.rater_id.map(|r| r.to_text());
        let created = date_time(&memo.created_at);
        let mut attrs = vec![("guid", guid.as_str()), ("name", "Memo")];
        if let Some(u) = &user {
            attrs.push(("creatingUser", u.as_str()));
        }
        if let Some(c) = &created {
            attrs.push(("creationDateTime", c.as_str()));
        }
        xml.open("Note", &attrs)?;
        xml.text("PlainTextContent", &[], &memo.text)?;
        xml.close("Note")?;
    }
    xml.close("Notes")
}

/// Writes the whole `.qdpx` archive.
pub fn write(data: &ProjectData, mut out: impl Write) -> Result<(), ExportError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    zip.start_file("project.qde", options)?;
    zip.write_all(&project_xml(data)?)?;
    for t in &data.transcripts {
        zip.start_file(format!("sources/{}.txt", t.transcript_id), options)?;
        zip.write_all(t.text.as_bytes())?;
    }
    let bytes = zip.finish()?.into_inner();
    out.write_all(&bytes)?;
    Ok(())
}
