//! The REFI-QDA XML, read leniently into raw values: a project (`project.qde`, also `<Name>.qde`) or
//! a codebook (`.qdc`) becomes users, a flat list of codes with parents, variables, cases, text sources
//! with their selections and codings, and notes. Nothing is interpreted yet (ids stay strings,
//! positions stay numbers in the file's unit); `qdc.rs` and `qdpx.rs` turn these into Accord's model.
//! What Accord cannot hold (pictures, PDFs, audio and video, sets, links, graphs, codings of whole
//! sources) is counted in `skipped`, so the import can say what it left out.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

pub use super::qde_raw::{
    RawCase, RawCode, RawCoding, RawNote, RawProject, RawSelection, RawSource, RawUser, RawVariable,
};

/// Elements whose whole content Accord cannot hold.
const SKIPPED: [&str; 8] = [
    "PictureSource",
    "PDFSource",
    "AudioSource",
    "VideoSource",
    "Sets",
    "Links",
    "Graphs",
    "Representation",
];

/// The skipped elements that only hold others: left out silently when empty.
const CONTAINERS: [&str; 3] = ["Sets", "Links", "Graphs"];

/// Elements whose text is read.
const TEXT_ELEMENTS: [&str; 8] = [
    "Description",
    "PlainTextContent",
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
];

fn attributes(e: &BytesStart<'_>) -> BTreeMap<String, String> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            a.unescape_value().ok().map(|v| (key, v.into_owned()))
        })
        .collect()
}

/// An element's attributes, read leniently.
struct Attrs<'a>(&'a BTreeMap<String, String>);

impl Attrs<'_> {
    fn get(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or_default()
    }

    fn number(&self, key: &str) -> Option<i64> {
        self.0.get(key).and_then(|v| v.trim().parse().ok())
    }

    /// Why the number `key` gives cannot be read (it overflows, or is no whole number); `None` when
    /// it is missing or reads.
    fn bad_number(&self, key: &str) -> Option<String> {
        let v = self.0.get(key)?.trim();
        if v.parse::<i64>().is_ok() {
            return None;
        }
        let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
        let why = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "overflows (the most is 9223372036854775807)"
        } else {
            "is not a whole number"
        };
        Some(format!("{key} {v:?} {why}"))
    }
}

#[derive(Default)]
struct Parser {
    p: RawProject,
    stack: Vec<String>,
    codes: Vec<usize>,
    text: Option<String>,
    value: (String, String),
}

impl Parser {
    fn parent(&self) -> &str {
        self.stack.last().map_or("", String::as_str)
    }

    /// Handles an opening tag; returns false when the element is to be skipped whole.
    fn start(&mut self, name: &str, a: &BTreeMap<String, String>) -> bool {
        let parent = self.parent().to_string();
        if SKIPPED.contains(&name) || (name == "Coding" && parent == "TextSource") {
            return false;
        }
        let a = Attrs(a);
        if !self.start_outline(name, &parent, &a) {
            self.start_source(name, &parent, &a);
        }
        if TEXT_ELEMENTS.contains(&name) {
            self.text = Some(String::new());
        }
        true
    }

    /// The project, users, codes, variables, cases and notes; false for anything else.
    fn start_outline(&mut self, name: &str, parent: &str, a: &Attrs<'_>) -> bool {
        match (name, parent) {
            ("Project" | "CodeBook", "") => {
                self.p.root = name.to_string();
                self.p.name = a.text("name");
                self.p.origin = a.text("origin");
            }
            ("User", _) => self.p.users.push(RawUser {
                guid: a.text("guid"),
                name: a.text("name"),
            }),
            ("Code", "Codes" | "Code") => {
                self.p.codes.push(RawCode {
                    guid: a.text("guid"),
                    name: a.text("name"),
                    color: a.get("color"),
                    parent: self.codes.last().copied(),
                    ..RawCode::default()
                });
                self.codes.push(self.p.codes.len() - 1);
            }
            ("Variable", "Variables") => self.p.variables.push(RawVariable {
                guid: a.text("guid"),
                name: a.text("name"),
            }),
            ("Case", "Cases") => self.p.cases.push(RawCase {
                guid: a.text("guid"),
                name: a.text("name"),
                ..RawCase::default()
            }),
            ("VariableValue", _) => self.value = (String::new(), String::new()),
            ("VariableRef", "VariableValue") => self.value.0 = a.text("targetGUID"),
            ("SourceRef", "Case") => {
                if let Some(case) = self.p.cases.last_mut() {
                    case.sources.push(a.text("targetGUID"));
                }
            }
            ("Note", "Notes") => self.p.notes.push(RawNote {
                guid: a.text("guid"),
                plain_text_path: a.get("plainTextPath"),
                user: a.get("creatingUser"),
                created: a.get("creationDateTime"),
                ..RawNote::default()
            }),
            _ => return false,
        }
        true
    }

    /// Text sources, their selections and codings, and note references.
    fn start_source(&mut self, name: &str, parent: &str, a: &Attrs<'_>) {
        match (name, parent) {
            ("TextSource", "Sources") => self.p.sources.push(RawSource {
                guid: a.text("guid"),
                name: a.text("name"),
                plain_text_path: a.get("plainTextPath"),
                created: a.get("creationDateTime"),
                ..RawSource::default()
            }),
            ("PlainTextSelection", "TextSource") => {
                let bad: Vec<String> = ["startPosition", "endPosition"]
                    .iter()
                    .filter_map(|k| a.bad_number(k))
                    .collect();
                let selection = RawSelection {
                    guid: a.text("guid"),
                    start: a.number("startPosition"),
                    end: a.number("endPosition"),
                    bad_position: (!bad.is_empty()).then(|| bad.join(", ")),
                    user: a.get("creatingUser"),
                    created: a.get("creationDateTime"),
                    ..RawSelection::default()
                };
                if let Some(source) = self.p.sources.last_mut() {
                    source.selections.push(selection);
                }
            }
            ("Coding", "PlainTextSelection") => {
                if let Some(s) = self.selection() {
                    s.codings.push(RawCoding {
                        guid: a.text("guid"),
                        user: a.get("creatingUser"),
                        created: a.get("creationDateTime"),
                        ..RawCoding::default()
                    });
                }
            }
            ("CodeRef", "Coding") => {
                if let Some(c) = self.selection().and_then(|s| s.codings.last_mut()) {
                    c.code = a.text("targetGUID");
                }
            }
            ("NoteRef", _) => self.note_ref(parent, a.text("targetGUID")),
            _ => {}
        }
    }

    fn selection(&mut self) -> Option<&mut RawSelection> {
        self.p
            .sources
            .last_mut()
            .and_then(|s| s.selections.last_mut())
    }

    fn note_ref(&mut self, parent: &str, target: String) {
        let list = match parent {
            "Code" => self
                .codes
                .last()
                .and_then(|&i| self.p.codes.get_mut(i))
                .map(|c| &mut c.notes),
            "PlainTextSelection" => self.selection().map(|s| &mut s.notes),
            "TextSource" => self.p.sources.last_mut().map(|s| &mut s.notes),
            "Project" => Some(&mut self.p.project_notes),
            _ => None,
        };
        if let Some(list) = list {
            list.push(target);
        }
    }

    fn end(&mut self, name: &str) {
        let text = if TEXT_ELEMENTS.contains(&name) {
            self.text.take().unwrap_or_default()
        } else {
            String::new()
        };
        let parent = self.parent().to_string();
        match (name, parent.as_str()) {
            ("Code", _) => {
                self.codes.pop();
            }
            ("Description", "Code") => {
                if let Some(c) = self.codes.last().and_then(|&i| self.p.codes.get_mut(i)) {
                    c.description = text;
                }
            }
            ("PlainTextContent", "TextSource") => {
                if let Some(s) = self.p.sources.last_mut() {
                    s.content = Some(text);
                }
            }
            ("PlainTextContent", "Note") => {
                if let Some(n) = self.p.notes.last_mut() {
                    n.text = text;
                }
            }
            (v, "VariableValue") if v.ends_with("Value") => self.value.1 = text,
            ("VariableValue", "Case") => {
                let value = std::mem::take(&mut self.value);
                if let Some(case) = self.p.cases.last_mut() {
                    case.values.push(value);
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(buffer) = &mut self.text {
            buffer.push_str(text);
        }
    }
}

fn reference_text(r: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten().map(String::from);
    }
    let name = r.decode().ok()?;
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
}

/// Why a document that declares its own entities is refused.
pub(in crate::import) const ENTITY_REFUSAL: &str = "the XML declares its own entities (<!DOCTYPE … <!ENTITY …>), which no \
    REFI-QDA or Word file needs and which can expand a small file into gigabytes; refused";

/// Whether a document type declaration defines entities (the "billion laughs" and external-entity
/// attacks need one; Accord never expands them, and refuses such a document outright).
pub(in crate::import) fn declares_entities(doctype: &quick_xml::events::BytesText<'_>) -> bool {
    doctype
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"))
}

/// Parses a REFI-QDA project or codebook document.
pub fn parse(xml: &str) -> Result<RawProject, String> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut reader = Reader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    let mut parser = Parser::default();
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "the XML is broken near byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let attrs = attributes(&e);
                if parser.start(&name, &attrs) {
                    parser.stack.push(name);
                } else {
                    let span = reader
                        .read_to_end(e.name())
                        .map_err(|e| format!("the XML is broken: {e}"))?;
                    // An empty list (`<Sets/>`) leaves nothing out.
                    let inner = usize::try_from(span.start)
                        .ok()
                        .zip(usize::try_from(span.end).ok())
                        .and_then(|(a, b)| xml.get(a..b));
                    let empty_list = CONTAINERS.contains(&name.as_str())
                        && inner.is_some_and(|t| t.trim().is_empty());
                    if !empty_list {
                        *parser.p.skipped.entry(name).or_default() += 1;
                    }
                }
            }
            Event::End(_) => {
                if let Some(name) = parser.stack.pop() {
                    parser.end(&name);
                }
            }
            Event::DocType(d) if declares_entities(&d) => return Err(ENTITY_REFUSAL.into()),
            Event::Text(t) => parser.push_text(&t.xml_content().unwrap_or_default()),
            Event::CData(c) => parser.push_text(&c.decode().unwrap_or_default()),
            Event::GeneralRef(r) => {
                if let Some(text) = reference_text(&r) {
                    parser.push_text(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = parser.stack.last() {
        return Err(format!(
            "the XML ends before <{open}> is closed (the file is cut short)"
        ));
    }
    if parser.p.root.is_empty() {
        return Err("not a REFI-QDA file: the root element is neither Project nor CodeBook".into());
    }
    Ok(parser.p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_codes_selections_and_notes() {
        let xml = r#"<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="Tool">
 <Users><User guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Ana"/></Users>
 <CodeBook><Codes><Code guid="c1" name="A &amp; B" isCodable="true" color="rgb(1,2,3)">
   <Description>One&#10;two</Description><Code guid="c2" name="Child" isCodable="true"/></Code></Codes></CodeBook>
 <Sources><TextSource guid="s1" name="T" plainTextPath="internal://s1.txt">
   <PlainTextSelection guid="x" startPosition="3" endPosition="9">
     <Coding guid="k" creatingUser="u"><CodeRef targetGUID="c2"/></Coding><NoteRef targetGUID="n1"/>
   </PlainTextSelection>
   <Coding guid="whole"><CodeRef targetGUID="c1"/></Coding>
 </TextSource><PictureSource guid="p" path="x.png"><PictureSelection guid="q" firstX="1" firstY="1" secondX="2" secondY="2"/></PictureSource></Sources>
 <Notes><Note guid="n1"><PlainTextContent>memo</PlainTextContent></Note></Notes>
 <Sets><Set guid="z" name="s"/></Sets>
</Project>"#;
        let p = parse(xml).unwrap();
        assert_eq!((p.name.as_str(), p.origin.as_str()), ("P", "Tool"));
        assert_eq!(p.codes.len(), 2);
        assert_eq!(p.codes[0].name, "A & B");
        assert_eq!(p.codes[0].description, "One\ntwo");
        assert_eq!(p.codes[1].parent, Some(0));
        let s = &p.sources[0];
        assert_eq!(
            (s.selections[0].start, s.selections[0].end),
            (Some(3), Some(9))
        );
        assert_eq!(s.selections[0].codings[0].code, "c2");
        assert_eq!(s.selections[0].notes, ["n1"]);
        assert_eq!(p.notes[0].text, "memo");
        assert_eq!(p.skipped.get("PictureSource"), Some(&1));
        assert_eq!(p.skipped.get("Coding"), Some(&1));
        assert_eq!(p.skipped.get("Sets"), Some(&1));
        assert!(parse("<html/>").is_err());
        assert!(parse("<Project><Users>").unwrap_err().contains("cut short"));
    }
}
