//! The codebook: codes with the structured fields of a qualitative codebook entry (name, short and
//! full definition, when to use, when not to use, example), nested by `parent_id`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CodeId;

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
}

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

    /// The path of a code: its ancestors' names and its own, joined by `/`.
    #[must_use]
    pub fn path(&self, code_id: CodeId) -> String {
        let mut names = Vec::new();
        let mut next = Some(code_id);
        // The depth bound guards against a cycle in hand-edited data.
        while let (Some(id), true) = (next, names.len() < 64) {
            let Some(code) = self.get(id) else { break };
            names.push(code.name.as_str());
            next = code.parent_id;
        }
        names.reverse();
        names.join("/")
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
        if let Some(code) = self
            .codes
            .iter()
            .find(|c| self.path(c.code_id) == reference)
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
            many => CodeLookup::Ambiguous(many.iter().map(|c| self.path(c.code_id)).collect()),
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
        kids.sort_by(|a, b| {
            a.position
                .cmp(&b.position)
                .then_with(|| a.name.cmp(&b.name))
        });
        kids
    }

    /// Codes in tree order (depth first, siblings by position), with their depth.
    #[must_use]
    pub fn tree_order(&self) -> Vec<(usize, &Code)> {
        let mut out = Vec::with_capacity(self.codes.len());
        let mut stack: Vec<(usize, &Code)> = self
            .children(None)
            .into_iter()
            .rev()
            .map(|c| (0, c))
            .collect();
        while let Some((depth, code)) = stack.pop() {
            out.push((depth, code));
            if depth < 64 {
                stack.extend(
                    self.children(Some(code.code_id))
                        .into_iter()
                        .rev()
                        .map(|c| (depth + 1, c)),
                );
            }
        }
        out
    }

    /// Map from path to code id, sorted.
    #[must_use]
    pub fn paths(&self) -> BTreeMap<String, CodeId> {
        self.codes
            .iter()
            .map(|c| (self.path(c.code_id), c.code_id))
            .collect()
    }
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
    }
}
