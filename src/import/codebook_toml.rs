//! The human-editable codebook file (TOML) of `codebooks/`: a `[codebook]` table and a `[[codes]]`
//! list, each code with `name`, optional `parent` (another code's name or path), `colour`, and the
//! structured fields. `id` is optional: without it a code's id derives from its path, so importing the
//! same file twice updates rather than duplicates. Writing always includes ids.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Code, CodeId, Codebook};

/// Colours given to codes that have none, in order.
pub const PALETTE: &[&str] = &[
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
    "#9C755F", "#BAB0AC",
];

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHeader {
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    colour: Option<String>,
    #[serde(default)]
    short_definition: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    when_to_use: String,
    #[serde(default)]
    when_not_to_use: String,
    #[serde(default)]
    example: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    codebook: FileHeader,
    #[serde(default)]
    codes: Vec<FileCode>,
}

/// Parses a codebook file. Errors say which code and what is wrong.
pub fn parse(text: &str) -> Result<Codebook, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut paths: BTreeMap<String, CodeId> = BTreeMap::new();
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut codes = Vec::with_capacity(file.codes.len());
    for (i, fc) in file.codes.iter().enumerate() {
        let name = fc.name.trim();
        if name.is_empty() || name.contains('/') {
            return Err(format!(
                "code {}: a name must be non-empty and must not contain '/'",
                i + 1
            ));
        }
        let parent_path = match fc
            .parent
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(p) => Some(resolve_parent(p, name, &paths, &by_name)?),
        };
        let path = parent_path
            .as_ref()
            .map_or_else(|| name.to_string(), |p| format!("{p}/{name}"));
        if paths.contains_key(&path) {
            return Err(format!("code {path:?} is defined twice"));
        }
        let code_id = match &fc.id {
            Some(id) => id
                .parse()
                .map_err(|_| format!("code {path:?}: id {id:?} is not a UUID"))?,
            None => CodeId::from_path(&path),
        };
        let colour = match &fc.colour {
            Some(c) => normalise_colour(c)
                .ok_or_else(|| format!("code {path:?}: colour {c:?} is not #RRGGBB"))?,
            None => PALETTE[i % PALETTE.len()].to_string(),
        };
        codes.push(Code {
            code_id,
            name: name.to_string(),
            parent_id: parent_path.as_ref().and_then(|p| paths.get(p).copied()),
            colour,
            short_definition: fc.short_definition.trim().to_string(),
            definition: fc.definition.trim().to_string(),
            when_to_use: fc.when_to_use.trim().to_string(),
            when_not_to_use: fc.when_not_to_use.trim().to_string(),
            example: fc.example.trim().to_string(),
            position: i as i64,
        });
        paths.insert(path.clone(), code_id);
        by_name.entry(name.to_string()).or_default().push(path);
    }
    let mut ids = std::collections::BTreeSet::new();
    if let Some(dup) = codes.iter().find(|c| !ids.insert(c.code_id)) {
        return Err(format!(
            "code {:?}: its id is used by another code too",
            dup.name
        ));
    }
    Ok(Codebook {
        name: file.codebook.name,
        description: file.codebook.description.trim().to_string(),
        codes,
    })
}

fn resolve_parent(
    parent: &str,
    child: &str,
    paths: &BTreeMap<String, CodeId>,
    by_name: &BTreeMap<String, Vec<String>>,
) -> Result<String, String> {
    if paths.contains_key(parent) {
        return Ok(parent.to_string());
    }
    match by_name.get(parent).map(Vec::as_slice) {
        Some([one]) => Ok(one.clone()),
        Some(many) => Err(format!(
            "code {child:?}: parent {parent:?} is ambiguous ({}); give its path",
            many.join(", ")
        )),
        None => Err(format!(
            "code {child:?}: parent {parent:?} is not defined above it"
        )),
    }
}

/// Accepts `#RRGGBB`, `#RGB` and `RRGGBB`; returns `#RRGGBB` in upper case.
#[must_use]
pub fn normalise_colour(text: &str) -> Option<String> {
    let hex = text.trim().trim_start_matches('#');
    let full = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => hex.to_string(),
        _ => return None,
    };
    full.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| format!("#{}", full.to_ascii_uppercase()))
}

/// Writes a codebook as TOML (with ids and parents' paths), in tree order.
pub fn write(book: &Codebook) -> Result<String, String> {
    let codes = book
        .tree_order()
        .into_iter()
        .map(|(_, c)| FileCode {
            id: Some(c.code_id.to_text()),
            name: c.name.clone(),
            parent: c.parent_id.map(|p| book.path(p)),
            colour: Some(c.colour.clone()),
            short_definition: c.short_definition.clone(),
            definition: c.definition.clone(),
            when_to_use: c.when_to_use.clone(),
            when_not_to_use: c.when_not_to_use.clone(),
            example: c.example.clone(),
        })
        .collect();
    let file = File {
        codebook: FileHeader {
            name: book.name.clone(),
            description: book.description.clone(),
        },
        codes,
    };
    let body = toml::to_string_pretty(&file).map_err(|e| e.to_string())?;
    Ok(format!(
        "# Accord codebook. Edit freely: `parent` names another code (by name or path); `id` keeps a code's\n# identity across renames, so leave it as it is (a new code needs none).\n\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r##"
[codebook]
name = "Test"
description = "A test book."

[[codes]]
name = "Burnout"
colour = "#abc"
definition = """Multi
line."""

[[codes]]
name = "Cynicism"
parent = "Burnout"
example = "\"I stopped caring,\" she said."
"##;

    #[test]
    fn parses_nesting_defaults_and_round_trips() {
        let book = parse(SAMPLE).unwrap();
        assert_eq!(book.codes.len(), 2);
        assert_eq!(book.codes[0].colour, "#AABBCC");
        assert_eq!(book.codes[1].parent_id, Some(book.codes[0].code_id));
        assert_eq!(book.codes[1].code_id, CodeId::from_path("Burnout/Cynicism"));
        let again = parse(&write(&book).unwrap()).unwrap();
        assert_eq!(again, book);
    }

    #[test]
    fn clear_errors() {
        let bad_parent = "[codebook]\nname='x'\n[[codes]]\nname='A'\nparent='Nope'\n";
        assert!(
            parse(bad_parent)
                .unwrap_err()
                .contains("\"Nope\" is not defined")
        );
        let dup = "[codebook]\nname='x'\n[[codes]]\nname='A'\n[[codes]]\nname='A'\n";
        assert!(parse(dup).unwrap_err().contains("defined twice"));
        let colour = "[codebook]\nname='x'\n[[codes]]\nname='A'\ncolour='blue'\n";
        assert!(parse(colour).unwrap_err().contains("#RRGGBB"));
        let unknown = "[codebook]\nname='x'\n[[codes]]\nname='A'\ndefinitoin='typo'\n";
        assert!(parse(unknown).unwrap_err().contains("definitoin"));
    }
}
