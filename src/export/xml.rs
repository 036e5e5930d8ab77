//! A thin layer over `quick-xml`'s writer for the REFI-QDA files: open, close and empty elements with
//! attributes, and elements holding escaped text. Output is UTF-8, indented by two spaces.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::ExportError;

/// An XML document being written into memory.
pub struct Xml {
    writer: Writer<Vec<u8>>,
}

impl std::fmt::Debug for Xml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Xml")
    }
}

/// An opening tag; attribute values lose the characters XML 1.0 cannot hold.
fn start<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut tag = BytesStart::new(name);
    for (key, value) in attrs {
        let clean: String = value.chars().filter(|&c| allowed(c)).collect();
        tag.push_attribute((*key, clean.as_str()));
    }
    tag
}

impl Xml {
    /// A new document with its XML declaration.
    pub fn new() -> Result<Self, ExportError> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        Ok(Self { writer })
    }

    /// `<name attrs>`.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), ExportError> {
        Ok(self.writer.write_event(Event::Start(start(name, attrs)))?)
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) -> Result<(), ExportError> {
        Ok(self.writer.write_event(Event::End(BytesEnd::new(name)))?)
    }

    /// `<name attrs/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), ExportError> {
        Ok(self.writer.write_event(Event::Empty(start(name, attrs)))?)
    }

    /// `<name attrs>text</name>`, the text escaped (characters XML 1.0 cannot hold are dropped).
    pub fn text(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> Result<(), ExportError> {
        let clean: String = text.chars().filter(|&c| allowed(c)).collect();
        self.open(name, attrs)?;
        self.writer
            .write_event(Event::Text(BytesText::new(&clean)))?;
        self.close(name)
    }

    /// The finished document.
    #[must_use]
    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}

/// Characters XML 1.0 allows in content.
#[must_use]
pub fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        let mut xml = Xml::new().unwrap();
        xml.open("A", &[("name", "x & \"y\"\u{0}")]).unwrap();
        xml.text("B", &[], "1 < 2\u{1}").unwrap();
        xml.close("A").unwrap();
        let text = String::from_utf8(xml.finish()).unwrap();
        assert!(text.contains("name=\"x &amp; &quot;y&quot;\""), "{text}");
        assert!(text.contains("<B>1 &lt; 2</B>"), "{text}");
    }
}
