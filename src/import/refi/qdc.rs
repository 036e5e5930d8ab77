//! REFI-QDA codebooks (`.qdc`) and the code tree of projects: raw codes become Accord codes, with
//! GUIDs kept as ids (braces and case ignored), colours accepted as `#RGB`, `#RRGGBB` or `rgb(r,g,b)`,
//! and a description that Accord wrote ("Definition: ...", "When to use: ...") split back into the
//! structured fields. Another tool's description becomes the definition.

use std::collections::HashSet;
use std::path::Path;

use uuid::Uuid;

use super::qde::{RawCode, RawProject, parse};
use crate::import::ImportError;
use crate::import::codebook_toml::{PALETTE, normalise_colour};
use crate::model::refi::DESCRIPTION_LABELS;
use crate::model::{ACCORD_NAMESPACE, Code, CodeId, Codebook, MAX_CODE_DEPTH};

/// A codebook read from a REFI-QDA file, with what was left out.
#[derive(Debug, Clone)]
pub struct QdcImport {
    /// The codebook.
    pub codebook: Codebook,
    /// The tool that wrote the file.
    pub origin: String,
    /// What was left out, for people.
    pub skipped: Vec<String>,
}

/// Reads a `.qdc` file (at most [`crate::import::MAX_CODEBOOK_BYTES`]; see [`crate::import::read_bounded`]).
pub fn read_qdc_file(path: &Path) -> Result<QdcImport, ImportError> {
    let bytes = crate::import::read_bounded(path, crate::import::MAX_CODEBOOK_BYTES, "a codebook")?;
    read_qdc(path, &bytes)
}

/// Reads a `.qdc` file's bytes (UTF-8, with or without BOM).
pub fn read_qdc(path: &Path, bytes: &[u8]) -> Result<QdcImport, ImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::format(path, "the codebook is not UTF-8 text"))?;
    let raw =
        parse(text).map_err(|m| ImportError::format(path, crate::import::excerpt(&m, 300)))?;
    if raw.root != "CodeBook" && raw.root != "Project" {
        return Err(ImportError::format(path, "not a REFI-QDA codebook"));
    }
    let mut skipped = skipped_elements(&raw);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("codebook");
    let codebook = codebook(&raw, name, &mut skipped).map_err(|m| ImportError::format(path, m))?;
    if codebook.codes.is_empty() {
        return Err(ImportError::format(path, "the codebook has no codes"));
    }
    Ok(QdcImport {
        codebook,
        origin: raw.origin,
        skipped,
    })
}

/// Messages for the elements the reader left out.
#[must_use]
pub fn skipped_elements(raw: &RawProject) -> Vec<String> {
    raw.skipped
        .iter()
        .map(|(name, n)| match name.as_str() {
            "Coding" => format!("{n} codings of whole sources (Accord codes spans of text)"),
            "Sets" => "sets of codes and sources (Accord has no sets)".to_string(),
            other => format!("{n} {other} element(s) (Accord holds text sources only)"),
        })
        .collect()
}

/// A GUID as an Accord id: parsed leniently, or derived from the text when it is not a UUID.
#[must_use]
pub fn guid(text: &str) -> Uuid {
    text.parse::<CodeId>().map_or_else(
        |_| Uuid::new_v5(&ACCORD_NAMESPACE, text.as_bytes()),
        |id| id.0,
    )
}

/// A colour as `#RRGGBB`, accepting `rgb(r, g, b)` as some tools write it.
#[must_use]
pub fn colour(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(inner) = text
        .strip_prefix("rgb(")
        .or_else(|| text.strip_prefix("RGB("))
        .and_then(|t| t.strip_suffix(')'))
    {
        let parts: Vec<u8> = inner
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect();
        return match parts.as_slice() {
            [r, g, b] => Some(format!("#{r:02X}{g:02X}{b:02X}")),
            _ => None,
        };
    }
    normalise_colour(text)
}

/// The structured fields from a description: Accord's labelled paragraphs, or else all of it as the
/// definition. Returns (short definition, definition, when to use, when not to use, example).
#[must_use]
pub fn fields(description: &str) -> [String; 5] {
    let mut out: [String; 5] = Default::default();
    let paragraphs: Vec<&str> = description.split("\n\n").collect();
    let labelled = |p: &str| {
        DESCRIPTION_LABELS
            .iter()
            .position(|l| p.starts_with(&format!("{l}: ")))
    };
    if !paragraphs.iter().any(|p| labelled(p).is_some()) {
        out[1] = description.trim().to_string();
        return out;
    }
    let mut current = 0;
    for p in paragraphs {
        let text = match labelled(p) {
            Some(i) => {
                current = i + 1;
                &p[DESCRIPTION_LABELS[i].len() + 2..]
            }
            None => p,
        };
        if !out[current].is_empty() {
            out[current].push_str("\n\n");
        }
        out[current].push_str(text);
    }
    out.map(|s| s.trim().to_string())
}

fn code(raw: &RawCode, index: usize, parent: Option<CodeId>, position: i64) -> Code {
    let [
        short_definition,
        definition,
        when_to_use,
        when_not_to_use,
        example,
    ] = fields(&raw.description);
    let name = raw.name.trim();
    Code {
        code_id: CodeId(guid(&raw.guid)),
        name: if name.is_empty() {
            "(unnamed)".into()
        } else {
            name.to_string()
        },
        parent_id: parent,
        colour: raw
            .color
            .as_deref()
            .and_then(colour)
            .unwrap_or_else(|| PALETTE[index % PALETTE.len()].to_string()),
        short_definition,
        definition,
        when_to_use,
        when_not_to_use,
        example,
        position,
    }
}

/// The codebook of a raw project or codebook; a code repeating an earlier code's id is left out.
/// Refused when codes nest deeper than [`MAX_CODE_DEPTH`] levels (one pass: each code's depth is its
/// parent's plus one, and a parent comes before its children in document order).
pub fn codebook(
    raw: &RawProject,
    name: &str,
    skipped: &mut Vec<String>,
) -> Result<Codebook, String> {
    let mut codes: Vec<Code> = Vec::with_capacity(raw.codes.len());
    let mut ids: HashSet<CodeId> = HashSet::with_capacity(raw.codes.len());
    let mut depth: Vec<usize> = Vec::with_capacity(raw.codes.len());
    for (i, rc) in raw.codes.iter().enumerate() {
        let level = rc.parent.and_then(|p| depth.get(p)).map_or(1, |d| d + 1);
        depth.push(level);
        if level > MAX_CODE_DEPTH {
            return Err(format!(
                "code {:?} is nested {level} levels deep; codes may be nested at most \
                 {MAX_CODE_DEPTH} levels; nothing was imported",
                crate::import::excerpt(rc.name.trim(), 100)
            ));
        }
        let parent = rc.parent.map(|p| CodeId(guid(&raw.codes[p].guid)));
        // Document order is tree order, so the index keeps siblings in the file's order.
        let c = code(rc, i, parent, i as i64);
        if !ids.insert(c.code_id) {
            skipped.push(format!(
                "code {:?}: its GUID repeats another code's",
                crate::import::excerpt(&c.name, 100)
            ));
            continue;
        }
        codes.push(c);
    }
    Ok(Codebook {
        name: if raw.name.is_empty() {
            name.to_string()
        } else {
            raw.name.clone()
        },
        description: if raw.origin.is_empty() {
            String::new()
        } else {
            format!("Imported from {}", raw.origin)
        },
        codes,
        groups: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_guids_and_fields() {
        assert_eq!(colour("rgb(255, 0, 16)").as_deref(), Some("#FF0010"));
        assert_eq!(colour("#abc").as_deref(), Some("#AABBCC"));
        assert_eq!(colour("blue"), None);
        assert_eq!(
            guid("{0D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E}"),
            guid("0d7f3c1e-9b1a-4c55-8d0e-2f6a1b3c4d5e")
        );
        assert_eq!(guid("not a guid"), guid("not a guid"));
        let f = fields("Short.\n\nDefinition: Long.\n\nsecond para\n\nExample: \"x\"");
        assert_eq!(f[0], "Short.");
        assert_eq!(f[1], "Long.\n\nsecond para");
        assert_eq!(f[4], "\"x\"");
        assert_eq!(
            fields("Someone else's\n\ndescription")[1],
            "Someone else's\n\ndescription"
        );
    }

    #[test]
    fn reads_a_codebook_and_says_what_it_skipped() {
        let xml = br##"<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="T"><Codes>
<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="true" color="#46AA00"><Description>d</Description>
<Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="b" isCodable="true"/></Code></Codes><Sets><Set guid="3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="s"/></Sets></CodeBook>"##;
        let q = read_qdc(Path::new("x.qdc"), xml).unwrap();
        assert_eq!(q.codebook.codes.len(), 2);
        assert_eq!(q.codebook.codes[0].definition, "d");
        assert_eq!(q.codebook.codes[0].colour, "#46AA00");
        assert_eq!(q.codebook.path(q.codebook.codes[1].code_id), "a/b");
        assert_eq!(q.skipped.len(), 1);
        // An empty list of sets leaves nothing out, so nothing is said.
        let empty = String::from_utf8_lossy(xml).replace(
            r#"<Sets><Set guid="3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="s"/></Sets>"#,
            "<Sets/>",
        );
        let q = read_qdc(Path::new("x.qdc"), empty.as_bytes()).unwrap();
        assert!(q.skipped.is_empty(), "{:?}", q.skipped);
        let err = read_qdc(Path::new("x.qdc"), b"<CodeBook><Codes/></CodeBook>").unwrap_err();
        assert!(err.to_string().starts_with("x.qdc: ") && err.to_string().contains("no codes"));
    }
}
