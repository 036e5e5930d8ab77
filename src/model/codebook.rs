//! The codebook: codes with the structured fields of a qualitative codebook entry (name, short and
//! full definition, when to use, when not to use, example), nested by `parent_id`; and named groups of
//! mutually exclusive codes (ATLAS.ti's semantic domains), whose unitizing alphas agreement reports.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::CodeId;

/// How deeply codes may nest: a code's path holds at most this many names. Real codebooks use
/// three or four levels; the cap keeps a hostile file from making every path long.
pub const MAX_CODE_DEPTH: usize = 64;

/// One codebook entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// Stable id.
    pub code_id: CodeId,
    /// The code's name, unique among its siblings.
    pub name: String,
    /// The parent code, if nested.
    pub parent_id: Option<CodeId>,
    /// Display colour as `#RRGGBB`.
    pub colour: String,
    /// One-line definition.
    pub short_definition: String,
    /// Full definition.
    pub definition: String,
    /// When to apply the code.
    pub when_to_use: String,
    /// When not to apply it (and what to use instead).
    pub when_not_to_use: String,
    /// An example of talk the code fits.
    pub example: String,
    /// Order among siblings.
    pub position: i64,
}

/// A codebook: its name and description, and codes in display order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    /// The codebook's title.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Codes, parents before children, siblings by position.
    pub codes: Vec<Code>,
    /// Named groups of mutually exclusive codes, in order (absent from the saved form when there
    /// are none, so books and undo steps written before groups existed read and write unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<CodeGroup>,
}

/// A named set of mutually exclusive codes: in one rater's coding, no two of them overlap, so each
/// is a value of one variable (Krippendorff's semantic domain). A code belongs to at most one group,
/// and need not share a parent with the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGroup {
    /// Its name, unique in the codebook.
    pub name: String,
    /// What the group stands for (optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its codes, at least two, in order.
    pub codes: Vec<CodeId>,
}

/// The most groups a codebook may declare (a hostile file's cap; real codebooks have a handful).
pub const MAX_CODE_GROUPS: usize = 1_000;

/// What a code reference (as typed by a person) may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeLookup<'a> {
    /// Exactly one code.
    Found(&'a Code),
    /// No code has that id, path or name.
    Missing,
    /// Several codes share that name: give the path.
    Ambiguous(Vec<String>),
}

impl Codebook {
    /// The code with this id.
    #[must_use]
    pub fn get(&self, code_id: CodeId) -> Option<&Code> {
        self.codes.iter().find(|c| c.code_id == code_id)
    }

    /// Each code's place in `codes`, by id (to look codes up in constant time).
    #[must_use]
    pub fn index(&self) -> HashMap<CodeId, usize> {
        let mut index = HashMap::with_capacity(self.codes.len());
        for (i, c) in self.codes.iter().enumerate() {
            index.entry(c.code_id).or_insert(i);
        }
        index
    }

    /// The path of a code: its ancestors' names and its own, joined by `/`.
    #[must_use]
    pub fn path(&self, code_id: CodeId) -> String {
        Self::path_by(code_id, |id| self.get(id))
    }

    /// [`Codebook::path`] with an [`index`](Codebook::index) at hand: at most
    /// [`MAX_CODE_DEPTH`] steps, each in constant time.
    #[must_use]
    pub fn path_in(&self, code_id: CodeId, index: &HashMap<CodeId, usize>) -> String {
        Self::path_by(code_id, |id| index.get(&id).map(|&i| &self.codes[i]))
    }

    fn path_by<'a>(code_id: CodeId, get: impl Fn(CodeId) -> Option<&'a Code>) -> String {
        let mut names = Vec::new();
        let mut next = Some(code_id);
        // The depth bound guards against a cycle in hand-edited data.
        while let (Some(id), true) = (next, names.len() < MAX_CODE_DEPTH) {
            let Some(code) = get(id) else { break };
            names.push(code.name.as_str());
            next = code.parent_id;
        }
        names.reverse();
        names.join("/")
    }

    /// Every code's path, by id, computed once each (linear in the number of codes).
    #[must_use]
    pub fn all_paths(&self) -> HashMap<CodeId, String> {
        let index = self.index();
        self.codes
            .iter()
            .map(|c| (c.code_id, self.path_in(c.code_id, &index)))
            .collect()
    }

    /// Depth of a code (0 for a top-level code).
    #[must_use]
    pub fn depth(&self, code_id: CodeId) -> usize {
        self.path(code_id).matches('/').count()
    }

    /// Finds a code by id, by path (`Parent/Child`) or by name when the name is unique.
    #[must_use]
    pub fn lookup(&self, reference: &str) -> CodeLookup<'_> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<CodeId>()
            && let Some(code) = self.get(id)
        {
            return CodeLookup::Found(code);
        }
        let index = self.index();
        // Only a code whose own name ends the reference can have it as its path.
        let last = reference.rsplit('/').next().unwrap_or(reference);
        if let Some(code) = self
            .codes
            .iter()
            .find(|c| c.name == last && self.path_in(c.code_id, &index) == reference)
        {
            return CodeLookup::Found(code);
        }
        let by_name: Vec<&Code> = self
            .codes
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(reference))
            .collect();
        match by_name.as_slice() {
            [] => CodeLookup::Missing,
            [one] => CodeLookup::Found(one),
            many => CodeLookup::Ambiguous(
                many.iter()
                    .map(|c| self.path_in(c.code_id, &index))
                    .collect(),
            ),
        }
    }

    /// Children of a code (or top-level codes for `None`), in order.
    #[must_use]
    pub fn children(&self, parent: Option<CodeId>) -> Vec<&Code> {
        let mut kids: Vec<&Code> = self
            .codes
            .iter()
            .filter(|c| c.parent_id == parent)
            .collect();
        sort_siblings(&mut kids);
        kids
    }

    /// Codes in tree order (depth first, siblings by position), with their depth; the children of
    /// every code are gathered once, so this is linear (but for sorting siblings).
    #[must_use]
    pub fn tree_order(&self) -> Vec<(usize, &Code)> {
        let mut kids: HashMap<Option<CodeId>, Vec<&Code>> = HashMap::new();
        for c in &self.codes {
            kids.entry(c.parent_id).or_default().push(c);
        }
        for list in kids.values_mut() {
            sort_siblings(list);
        }
        let mut out = Vec::with_capacity(self.codes.len());
        let mut stack: Vec<(usize, &Code)> = kids
            .get(&None)
            .map(|top| top.iter().rev().map(|c| (0, *c)).collect())
            .unwrap_or_default();
        while let Some((depth, code)) = stack.pop() {
            out.push((depth, code));
            if depth < MAX_CODE_DEPTH
                && let Some(children) = kids.get(&Some(code.code_id))
            {
                stack.extend(children.iter().rev().map(|c| (depth + 1, *c)));
            }
        }
        out
    }

    /// Map from path to code id, sorted.
    #[must_use]
    pub fn paths(&self) -> BTreeMap<String, CodeId> {
        let index = self.index();
        self.codes
            .iter()
            .map(|c| (self.path_in(c.code_id, &index), c.code_id))
            .collect()
    }
}

impl Codebook {
    /// The group named `name` (exactly, or ignoring ASCII case when only one matches).
    #[must_use]
    pub fn group(&self, name: &str) -> Option<&CodeGroup> {
        let name = name.trim();
        self.groups.iter().find(|g| g.name == name).or_else(|| {
            let mut like = self
                .groups
                .iter()
                .filter(|g| g.name.eq_ignore_ascii_case(name));
            match (like.next(), like.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        })
    }

    /// Whether the groups hold together with the codes: each named (non-empty, unique, without line
    /// breaks), at least two codes each, every code a code of this book, no code twice in a group or in
    /// two groups, at most [`MAX_CODE_GROUPS`]. The error says which group and what is wrong.
    ///
    /// # Errors
    /// The first problem found, in words.
    pub fn check_groups(&self) -> Result<(), String> {
        if self.groups.len() > MAX_CODE_GROUPS {
            return Err(format!(
                "{} code groups; a codebook may declare at most {MAX_CODE_GROUPS}",
                self.groups.len()
            ));
        }
        let index = self.index();
        let mut names: HashSet<&str> = HashSet::with_capacity(self.groups.len());
        let mut owner: HashMap<CodeId, &str> = HashMap::new();
        for g in &self.groups {
            let name = g.name.trim();
            if name.is_empty() || name.contains(['\n', '\r']) || name != g.name {
                return Err(format!(
                    "code group {:?}: a group's name must be non-empty, on one line, without \
                     spaces around it",
                    short(&g.name)
                ));
            }
            if !names.insert(name) {
                return Err(format!("code group {:?} is declared twice", short(name)));
            }
            if g.codes.len() < 2 {
                return Err(format!(
                    "code group {:?} has {} code{}; a group of mutually exclusive codes needs at \
                     least two (a single code's agreement is its own row)",
                    short(name),
                    g.codes.len(),
                    if g.codes.len() == 1 { "" } else { "s" }
                ));
            }
            for id in &g.codes {
                if !index.contains_key(id) {
                    return Err(format!(
                        "code group {:?}: code {id} is not a code of the codebook (retired or \
                         never defined)",
                        short(name)
                    ));
                }
                if let Some(other) = owner.insert(*id, name) {
                    let path = self.path_in(*id, &index);
                    return Err(if other == name {
                        format!(
                            "code group {:?} lists {:?} twice",
                            short(name),
                            short(&path)
                        )
                    } else {
                        format!(
                            "code {:?} is in two code groups, {:?} and {:?}; a code belongs to at \
                             most one group of mutually exclusive codes",
                            short(&path),
                            short(other),
                            short(name)
                        )
                    });
                }
            }
        }
        Ok(())
    }

    /// Takes `code` out of its group, as when the code is removed from the codebook; a group left
    /// with fewer than two codes is dropped, and its name returned (to say so).
    pub fn forget_in_groups(&mut self, code: CodeId) -> Vec<String> {
        for g in &mut self.groups {
            g.codes.retain(|c| *c != code);
        }
        let dropped = self
            .groups
            .iter()
            .filter(|g| g.codes.len() < 2)
            .map(|g| g.name.clone())
            .collect();
        self.groups.retain(|g| g.codes.len() >= 2);
        dropped
    }
}

/// A name as an error quotes it: at most 100 characters.
fn short(name: &str) -> String {
    name.chars().take(100).collect()
}

fn sort_siblings(kids: &mut [&Code]) {
    kids.sort_by(|a, b| {
        a.position
            .cmp(&b.position)
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str, parent: Option<CodeId>, position: i64) -> Code {
        Code {
            code_id: CodeId::new_random(),
            name: name.into(),
            parent_id: parent,
            colour: "#000000".into(),
            short_definition: String::new(),
            definition: String::new(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position,
        }
    }

    #[test]
    fn lookup_by_path_name_and_ambiguity() {
        let a = code("Burnout", None, 0);
        let b = code("Other", None, 1);
        let a1 = code("Cynicism", Some(a.code_id), 0);
        let b1 = code("Cynicism", Some(b.code_id), 0);
        let book = Codebook {
            codes: vec![a.clone(), b, a1.clone(), b1],
            ..Codebook::default()
        };
        assert_eq!(
            book.lookup("Burnout/Cynicism"),
            CodeLookup::Found(&book.codes[2])
        );
        assert!(matches!(book.lookup("Cynicism"), CodeLookup::Ambiguous(p) if p.len() == 2));
        assert_eq!(book.lookup("burnout"), CodeLookup::Found(&book.codes[0]));
        assert_eq!(book.lookup("Nope"), CodeLookup::Missing);
        assert_eq!(
            book.lookup(&a1.code_id.to_text()),
            CodeLookup::Found(&book.codes[2])
        );
        let order: Vec<&str> = book
            .tree_order()
            .iter()
            .map(|(_, c)| c.name.as_str())
            .collect();
        assert_eq!(order, ["Burnout", "Cynicism", "Other", "Cynicism"]);
        assert_eq!(book.depth(a1.code_id), 1);
        let paths = book.all_paths();
        assert_eq!(paths[&a1.code_id], "Burnout/Cynicism");
        assert_eq!(book.paths().len(), 4);
        assert_eq!(book.children(Some(a.code_id)).len(), 1);
    }
}

/// What a codebook import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodebookChange {
    /// Paths of codes added.
    pub added: Vec<String>,
    /// Paths of codes whose fields changed.
    pub updated: Vec<String>,
    /// Paths of codes in the project that the file does not mention (kept).
    pub kept: Vec<String>,
    /// The codebook version after the import.
    pub version: i64,
}
