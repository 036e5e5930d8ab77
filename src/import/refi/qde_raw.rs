//! The raw values the REFI-QDA reader (`qde.rs`) produces: what a project or codebook file says, with
//! ids as strings and positions as numbers in the file's own unit, before any interpretation.

use std::collections::BTreeMap;

/// A user (becomes a rater).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawUser {
    /// GUID as written.
    pub guid: String,
    /// Name (may be missing).
    pub name: String,
}

/// A code, flattened: `parent` is the index of its parent in `RawProject::codes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCode {
    /// GUID as written.
    pub guid: String,
    /// Name.
    pub name: String,
    /// Colour as written (`#RRGGBB`, or `rgb(...)` from some tools).
    pub color: Option<String>,
    /// Description text.
    pub description: String,
    /// Index of the parent code.
    pub parent: Option<usize>,
    /// Notes referenced from the code.
    pub notes: Vec<String>,
}

/// A variable (a case attribute).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawVariable {
    /// GUID as written.
    pub guid: String,
    /// Name as written (NVivo prefixes `Cases:`).
    pub name: String,
}

/// A case with its variable values and the sources it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCase {
    /// GUID as written.
    pub guid: String,
    /// Name.
    pub name: String,
    /// (variable GUID, value as text).
    pub values: Vec<(String, String)>,
    /// GUIDs of the sources of this case.
    pub sources: Vec<String>,
}

/// One coding inside a selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCoding {
    /// GUID as written.
    pub guid: String,
    /// The code's GUID.
    pub code: String,
    /// Who coded.
    pub user: Option<String>,
    /// When.
    pub created: Option<String>,
}

/// A `PlainTextSelection`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSelection {
    /// GUID as written.
    pub guid: String,
    /// Start, in the file's unit.
    pub start: Option<i64>,
    /// End, in the file's unit.
    pub end: Option<i64>,
    /// A position given but not read, for people (`startPosition "99999999999999999999" overflows`).
    pub bad_position: Option<String>,
    /// Who made the selection.
    pub user: Option<String>,
    /// When.
    pub created: Option<String>,
    /// Its codings.
    pub codings: Vec<RawCoding>,
    /// Notes referenced from it.
    pub notes: Vec<String>,
}

/// A `TextSource`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSource {
    /// GUID as written.
    pub guid: String,
    /// Name.
    pub name: String,
    /// `plainTextPath` as written.
    pub plain_text_path: Option<String>,
    /// `PlainTextContent`, when the text is inline.
    pub content: Option<String>,
    /// Selections.
    pub selections: Vec<RawSelection>,
    /// Notes referenced from it.
    pub notes: Vec<String>,
    /// When created.
    pub created: Option<String>,
}

/// A `Note` (becomes a memo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawNote {
    /// GUID as written.
    pub guid: String,
    /// Its text (`PlainTextContent`).
    pub text: String,
    /// `plainTextPath`, when the text is in a file.
    pub plain_text_path: Option<String>,
    /// Who wrote it.
    pub user: Option<String>,
    /// When.
    pub created: Option<String>,
}

/// Everything read from one REFI-QDA XML document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawProject {
    /// The root element's local name (`Project` or `CodeBook`).
    pub root: String,
    /// `name` of the project.
    pub name: String,
    /// `origin` (the tool that wrote the file).
    pub origin: String,
    /// Users.
    pub users: Vec<RawUser>,
    /// Codes, parents before children.
    pub codes: Vec<RawCode>,
    /// Variables.
    pub variables: Vec<RawVariable>,
    /// Cases.
    pub cases: Vec<RawCase>,
    /// Text sources.
    pub sources: Vec<RawSource>,
    /// Notes.
    pub notes: Vec<RawNote>,
    /// Notes referenced from the project itself.
    pub project_notes: Vec<String>,
    /// Elements left out, by name, with counts.
    pub skipped: BTreeMap<String, usize>,
}
