//! The human-editable codebook file (TOML) of `codebooks/`: a `[codebook]` table and a `[[codes]]`
//! list, each code with `name`, optional `parent` (another code's name or path), `colour`, and the
//! structured fields. `id` is optional: without it a code's id derives from its path, so importing the
//! same file twice updates rather than duplicates. Writing always includes ids. An optional
//! `[[groups]]` list declares groups of mutually exclusive codes: `name`, `description` and `codes`
//! (each a code's name, path or id, of this file's codes).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ImportError;
use crate::model::{Code, CodeGroup, CodeId, Codebook, MAX_CODE_DEPTH};

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

/// A group of mutually exclusive codes: `codes` by name, path or id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGroup {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    codes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    codebook: FileHeader,
    #[serde(default)]
    codes: Vec<FileCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<FileGroup>,
}

/// Reads a codebook file: REFI-QDA when it ends in `.qdc`, else TOML; at most
/// [`super::MAX_CODEBOOK_BYTES`], and anything but a regular file refused (see
/// [`super::read_bounded`]). Returns the codebook and what a `.qdc` left out. Errors name the file; a
/// REFI-QDA project (`.qdpx`, `.qde`, or any zip) is pointed to `accord import-qdpx`.
pub fn read_file(path: &Path) -> Result<(Codebook, Vec<String>), ImportError> {
    let is_qdc = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("qdc"));
    if is_qdc {
        let read = super::refi::qdc::read_qdc_file(path)?;
        return Ok((read.codebook, read.skipped));
    }
    let is_project = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("qdpx") || e.eq_ignore_ascii_case("qde"));
    if is_project {
        return Err(ImportError::format(
            path,
            "a REFI-QDA project, not a codebook: import it as a new project with `accord import-qdpx FILE --out NEW.accord` (its codebook comes with it)",
        ));
    }
    let bytes = super::read_bounded(path, super::MAX_CODEBOOK_BYTES, "a codebook")?;
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportError::format(
            path,
            "a zip archive, not a codebook (TOML or .qdc); a REFI-QDA project (.qdpx) is imported with `accord import-qdpx FILE --out NEW.accord`",
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| ImportError::format(path, "the codebook is not UTF-8 text"))?;
    let book = parse(&text).map_err(|m| ImportError::format(path, m))?;
    Ok((book, Vec::new()))
}

/// The most characters of the file that an error quotes.
const QUOTED_CHARS: usize = 200;

/// A TOML syntax error as people read it: the message, the line and column, and the offending line
/// quoted at most [`QUOTED_CHARS`] characters around the spot (a hostile file's one line may be
/// hundreds of megabytes).
fn syntax_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end();
    let Some(span) = e.span() else {
        return super::excerpt(message, QUOTED_CHARS);
    };
    let at = span.start.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line_no = text[..line_start].matches('\n').count() + 1;
    let column = text[line_start..at].chars().count() + 1;
    // Up to QUOTED_CHARS chars of the line, starting a little before the spot.
    let before: Vec<(usize, char)> = text[line_start..at].char_indices().collect();
    let from = before
        .len()
        .checked_sub(QUOTED_CHARS / 2)
        .map_or(line_start, |k| line_start + before[k].0);
    let quoted = super::excerpt(&text[from..line_end], QUOTED_CHARS);
    let lead = if from > line_start { "…" } else { "" };
    format!(
        "line {line_no}, column {column}: {}\n  {lead}{quoted}",
        super::excerpt(message, QUOTED_CHARS)
    )
}

/// A name as an error quotes it: at most 100 characters.
fn quoted(name: &str) -> String {
    super::excerpt(name, 100)
}

/// Parses a codebook file. Errors say which code and what is wrong. Every code's path is computed
/// once, from its parent's (kept in a map), so parsing is linear in the number of codes; codes may be
/// nested at most [`MAX_CODE_DEPTH`] levels.
pub fn parse(text: &str) -> Result<Codebook, String> {
    let file: File = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
    // Path -> (id, levels).
    let mut paths: HashMap<String, (CodeId, usize)> = HashMap::with_capacity(file.codes.len());
    let mut by_name: HashMap<String, Vec<String>> = HashMap::with_capacity(file.codes.len());
    let mut codes = Vec::with_capacity(file.codes.len());
    for (i, fc) in file.codes.iter().enumerate() {
        let name = fc.name.trim();
        if name.is_empty() || name.contains('/') {
            return Err(format!(
                "code {}: a name must be non-empty and must not contain '/'",
                i + 1
            ));
        }
        let parent = match fc
            .parent
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(p) => {
                let path = resolve_parent(p, name, &paths, &by_name)?;
                let Some(&(id, levels)) = paths.get(&path) else {
                    return Err(format!(
                        "code {:?}: parent {:?} is not defined above it",
                        quoted(name),
                        quoted(p)
                    ));
                };
                Some((path, id, levels))
            }
        };
        let levels = parent.as_ref().map_or(1, |p| p.2 + 1);
        if levels > MAX_CODE_DEPTH {
            return Err(format!(
                "code {:?} (code {} in the file) is nested {levels} levels deep; codes may be nested \
                 at most {MAX_CODE_DEPTH} levels; nothing was imported",
                quoted(name),
                i + 1
            ));
        }
        let path = parent
            .as_ref()
            .map_or_else(|| name.to_string(), |p| format!("{}/{name}", p.0));
        if paths.contains_key(&path) {
            return Err(format!("code {:?} is defined twice", quoted(&path)));
        }
        let code_id = match &fc.id {
            Some(id) => id.parse().map_err(|_| {
                format!(
                    "code {:?}: id {:?} is not a UUID",
                    quoted(&path),
                    quoted(id)
                )
            })?,
            None => CodeId::from_path(&path),
        };
        let colour = match &fc.colour {
            Some(c) => normalise_colour(c).ok_or_else(|| {
                format!(
                    "code {:?}: colour {:?} is not #RRGGBB",
                    quoted(&path),
                    quoted(c)
                )
            })?,
            None => PALETTE[i % PALETTE.len()].to_string(),
        };
        codes.push(Code {
            code_id,
            name: name.to_string(),
            parent_id: parent.as_ref().map(|p| p.1),
            colour,
            short_definition: fc.short_definition.trim().to_string(),
            definition: fc.definition.trim().to_string(),
            when_to_use: fc.when_to_use.trim().to_string(),
            when_not_to_use: fc.when_not_to_use.trim().to_string(),
            example: fc.example.trim().to_string(),
            position: i as i64,
        });
        paths.insert(path.clone(), (code_id, levels));
        by_name.entry(name.to_string()).or_default().push(path);
    }
    let mut ids = HashSet::with_capacity(codes.len());
    if let Some(dup) = codes.iter().find(|c| !ids.insert(c.code_id)) {
        return Err(format!(
            "code {:?}: its id is used by another code too",
            quoted(&dup.name)
        ));
    }
    let groups = groups(&file.groups, &paths, &by_name, &ids)?;
    let book = Codebook {
        name: file.codebook.name,
        description: file.codebook.description.trim().to_string(),
        codes,
        groups,
    };
    book.check_groups()?;
    Ok(book)
}

/// The file's groups, their codes resolved (see [`resolve_group_code`]).
fn groups(
    groups: &[FileGroup],
    paths: &HashMap<String, (CodeId, usize)>,
    by_name: &HashMap<String, Vec<String>>,
    ids: &HashSet<CodeId>,
) -> Result<Vec<CodeGroup>, String> {
    groups
        .iter()
        .map(|g| {
            let name = g.name.trim();
            let codes = g
                .codes
                .iter()
                .map(|reference| resolve_group_code(name, reference, paths, by_name, ids))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(CodeGroup {
                name: name.to_string(),
                description: g.description.trim().to_string(),
                codes,
            })
        })
        .collect()
}

/// A group's code as the file names it: a path, a name used once, or the id of one of its codes.
fn resolve_group_code(
    group: &str,
    reference: &str,
    paths: &HashMap<String, (CodeId, usize)>,
    by_name: &HashMap<String, Vec<String>>,
    ids: &HashSet<CodeId>,
) -> Result<CodeId, String> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<CodeId>()
        && ids.contains(&id)
    {
        return Ok(id);
    }
    if let Some(&(id, _)) = paths.get(reference) {
        return Ok(id);
    }
    match by_name.get(reference).map(Vec::as_slice) {
        Some([one]) => paths.get(one).map(|&(id, _)| id).ok_or_else(|| {
            format!(
                "group {:?}: code {:?} is not defined",
                quoted(group),
                quoted(reference)
            )
        }),
        Some(many) => Err(format!(
            "group {:?}: code {:?} is ambiguous ({}); give its path",
            quoted(group),
            quoted(reference),
            quoted(&many.join(", "))
        )),
        None => Err(format!(
            "group {:?}: code {:?} is not a code of this file",
            quoted(group),
            quoted(reference)
        )),
    }
}

fn resolve_parent(
    parent: &str,
    child: &str,
    paths: &HashMap<String, (CodeId, usize)>,
    by_name: &HashMap<String, Vec<String>>,
) -> Result<String, String> {
    if paths.contains_key(parent) {
        return Ok(parent.to_string());
    }
    match by_name.get(parent).map(Vec::as_slice) {
        Some([one]) => Ok(one.clone()),
        Some(many) => Err(format!(
            "code {:?}: parent {:?} is ambiguous ({}); give its path",
            quoted(child),
            quoted(parent),
            quoted(&many.join(", "))
        )),
        None => Err(format!(
            "code {:?}: parent {:?} is not defined above it",
            quoted(child),
            quoted(parent)
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
    let index = book.index();
    let codes = book
        .tree_order()
        .into_iter()
        .map(|(_, c)| FileCode {
            id: Some(c.code_id.to_text()),
            name: c.name.clone(),
            parent: c.parent_id.map(|p| book.path_in(p, &index)),
            colour: Some(c.colour.clone()),
            short_definition: c.short_definition.clone(),
            definition: c.definition.clone(),
            when_to_use: c.when_to_use.clone(),
            when_not_to_use: c.when_not_to_use.clone(),
            example: c.example.clone(),
        })
        .collect();
    let groups = book
        .groups
        .iter()
        .map(|g| FileGroup {
            name: g.name.clone(),
            description: g.description.clone(),
            codes: g.codes.iter().map(|&c| book.path_in(c, &index)).collect(),
        })
        .collect();
    let file = File {
        codebook: FileHeader {
            name: book.name.clone(),
            description: book.description.clone(),
        },
        codes,
        groups,
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
        let long = format!(
            "[codebook]\nname='x'\n[[codes]]\nname='A' {}\n",
            "y".repeat(100_000)
        );
        let err = parse(&long).unwrap_err();
        assert!(err.len() < 700 && err.contains("line 4"), "{err}");
    }

    #[test]
    fn groups_by_name_path_or_id_round_trip_and_bad_ones_are_named() {
        let text = format!(
            "{SAMPLE}\n[[codes]]\nname = 'Detachment'\nparent = 'Burnout'\n\n[[groups]]\nname = \
             'Burnout kinds'\ndescription = 'One or the other.'\ncodes = ['Cynicism', \
             'Burnout/Detachment']\n"
        );
        let book = parse(&text).unwrap();
        assert_eq!(book.groups.len(), 1);
        assert_eq!(book.groups[0].name, "Burnout kinds");
        assert_eq!(book.groups[0].description, "One or the other.");
        assert_eq!(
            book.groups[0].codes,
            [book.codes[1].code_id, book.codes[2].code_id]
        );
        let written = write(&book).unwrap();
        assert!(
            written.contains("codes = [\n    \"Burnout/Cynicism\",")
                || written.contains("\"Burnout/Cynicism\", \"Burnout/Detachment\""),
            "{written}"
        );
        assert_eq!(parse(&written).unwrap(), book);
        // A book without groups writes no groups (files from before groups read unchanged).
        assert!(!write(&parse(SAMPLE).unwrap()).unwrap().contains("groups"));

        let with = |group: &str| format!("{SAMPLE}\n[[groups]]\n{group}\n");
        let err = parse(&with("name = 'G'\ncodes = ['Cynicism', 'Nope']")).unwrap_err();
        assert!(
            err.contains("\"G\"") && err.contains("\"Nope\" is not a code"),
            "{err}"
        );
        let err = parse(&with("name = 'G'\ncodes = ['Cynicism']")).unwrap_err();
        assert!(err.contains("needs at least two"), "{err}");
        let err = parse(&with(
            "name = 'G'\ncodes = ['Cynicism', 'Burnout/Cynicism']",
        ))
        .unwrap_err();
        assert!(err.contains("lists \"Burnout/Cynicism\" twice"), "{err}");
        let two = with(
            "name = 'G'\ncodes = ['Cynicism', 'Burnout']\n[[groups]]\nname = 'H'\ncodes = ['Burnout', 'Cynicism']",
        );
        let err = parse(&two).unwrap_err();
        assert!(err.contains("in two code groups"), "{err}");
    }

    #[test]
    fn depth_is_capped() {
        use std::fmt::Write as _;
        let chain = |n: usize| {
            let mut t = String::from("[codebook]\nname='x'\n");
            for i in 0..n {
                writeln!(t, "[[codes]]\nname='c{i}'").unwrap();
                if i > 0 {
                    writeln!(t, "parent='c{}'", i - 1).unwrap();
                }
            }
            t
        };
        let book = parse(&chain(MAX_CODE_DEPTH)).unwrap();
        assert_eq!(
            book.depth(book.codes[MAX_CODE_DEPTH - 1].code_id),
            MAX_CODE_DEPTH - 1
        );
        let err = parse(&chain(MAX_CODE_DEPTH + 1)).unwrap_err();
        assert!(
            err.contains("\"c64\"") && err.contains("at most 64 levels"),
            "{err}"
        );
    }
}
