//! The codebook as a document for a paper's appendix (Markdown here, DOCX in `docx.rs`) and as CSV:
//! every code in tree order with each structured field (short definition, definition, when to use,
//! when not to use, example) and its colour.

use std::fmt::Write as _;

use super::prose;
use super::table::{Cell, Table};
use crate::model::{Code, Codebook};

/// The structured fields of a code, labelled, in the order a codebook shows them.
#[must_use]
pub fn fields(code: &Code) -> [(&'static str, &str); 5] {
    [
        ("Short definition", code.short_definition.as_str()),
        ("Definition", code.definition.as_str()),
        ("When to use", code.when_to_use.as_str()),
        ("When not to use", code.when_not_to_use.as_str()),
        ("Example", code.example.as_str()),
    ]
}

/// Markdown: a heading per code (deeper codes, deeper headings, capped at level 6), then its fields.
#[must_use]
pub fn to_markdown(book: &Codebook) -> String {
    let title = if book.name.is_empty() {
        "Codebook"
    } else {
        &book.name
    };
    let md = super::html::escape_markdown;
    let mut out = format!("# {}\n", md(title));
    if !book.description.trim().is_empty() {
        let _ = write!(out, "\n{}\n", prose::markdown(&book.description));
    }
    let _ = write!(out, "\n{} codes.\n", book.codes.len());
    for (depth, code) in book.tree_order() {
        let hashes = "#".repeat((depth + 2).min(6));
        let _ = write!(out, "\n{hashes} {}\n\n", md(&book.path(code.code_id)));
        for (label, value) in fields(code) {
            if !value.trim().is_empty() {
                let _ = writeln!(out, "**{label}.** {}\n", prose::markdown(value));
            }
        }
        let _ = writeln!(out, "*Colour* `{}`", code.colour.replace('`', "'"));
    }
    if !book.groups.is_empty() {
        let _ = write!(out, "\n## {GROUPS_HEADING}\n\n{GROUPS_INTRO}\n");
        for (name, description, codes) in groups(book) {
            let _ = write!(out, "\n### {}\n\n", md(&name));
            if !description.trim().is_empty() {
                let _ = writeln!(out, "{}\n", prose::markdown(&description));
            }
            let codes: Vec<String> = codes.iter().map(|c| md(c)).collect();
            let _ = writeln!(out, "**Codes.** {}", codes.join("; "));
        }
    }
    out
}

/// The heading of the codebook document's section on code groups.
pub const GROUPS_HEADING: &str = "Groups of mutually exclusive codes";

/// What the section on code groups says before listing them.
pub const GROUPS_INTRO: &str = "Within one rater's coding, no two codes of a group overlap: each \
     group is one variable whose values are its codes, and agreement reports its unitizing alphas \
     (uα, |uα, cuα) and Cuα over all groups.";

/// Each group as the document shows it: its name, its description and its codes' paths.
#[must_use]
pub fn groups(book: &Codebook) -> Vec<(String, String, Vec<String>)> {
    let index = book.index();
    book.groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                g.description.clone(),
                g.codes.iter().map(|&c| book.path_in(c, &index)).collect(),
            )
        })
        .collect()
}

/// One code per row with every field (for spreadsheets and re-use); the fields are prose cells (as
/// stored in CSV, reflowed in XLSX).
#[must_use]
pub fn to_table(book: &Codebook) -> Table {
    let header = [
        "path",
        "name",
        "code_id",
        "parent_id",
        "depth",
        "colour",
        "short_definition",
        "definition",
        "when_to_use",
        "when_not_to_use",
        "example",
        "group",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let group_of: std::collections::HashMap<_, &str> = book
        .groups
        .iter()
        .flat_map(|g| g.codes.iter().map(move |&c| (c, g.name.as_str())))
        .collect();
    let rows = book
        .tree_order()
        .into_iter()
        .map(|(depth, c)| {
            let mut row = vec![
                Cell::from(book.path(c.code_id)),
                Cell::from(c.name.as_str()),
                Cell::from(c.code_id.to_text()),
                Cell::from(c.parent_id.map(|p| p.to_text()).unwrap_or_default()),
                Cell::from(depth),
                Cell::from(c.colour.as_str()),
            ];
            row.extend(fields(c).iter().map(|(_, v)| Cell::Prose((*v).to_string())));
            row.push(Cell::from(
                group_of.get(&c.code_id).copied().unwrap_or_default(),
            ));
            row
        })
        .collect();
    Table {
        name: "Codebook".into(),
        header,
        rows,
    }
}

/// A codebook with hand-wrapped fields, for the tests of every format that renders it.
#[cfg(test)]
#[must_use]
pub fn wrapped_codebook() -> Codebook {
    Codebook {
        name: "Wrapped".into(),
        description: "Codes for interviews in\nwhich specialists describe 16\nweekly sessions.\n\nA second paragraph."
            .into(),
        codes: vec![Code {
            code_id: crate::model::CodeId::new_random(),
            name: "Role".into(),
            parent_id: None,
            colour: "#336699".into(),
            short_definition: "Short.".into(),
            definition: "From a phrase to a whole\nanswer.".into(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position: 0,
        }],
        groups: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_joins_wrapped_lines_and_keeps_paragraphs() {
        let md = to_markdown(&wrapped_codebook());
        assert!(
            md.contains(
                "\nCodes for interviews in which specialists describe 16 weekly sessions.\n\nA second paragraph.\n"
            ),
            "{md}"
        );
        assert!(
            md.contains("**Definition.** From a phrase to a whole answer.\n"),
            "{md}"
        );
        assert!(
            !md.contains("in\nwhich") && !md.contains("whole\nanswer"),
            "{md}"
        );
    }

    #[test]
    fn groups_are_a_section_of_the_document_and_a_column_of_the_table() {
        let mut book = wrapped_codebook();
        let role = book.codes[0].clone();
        let other = Code {
            code_id: crate::model::CodeId::new_random(),
            name: "Other".into(),
            position: 1,
            ..role.clone()
        };
        book.codes.push(other.clone());
        book.groups.push(crate::model::CodeGroup {
            name: "Role or not".into(),
            description: "Which of\nthe two.".into(),
            codes: vec![role.code_id, other.code_id],
        });
        let md = to_markdown(&book);
        assert!(
            md.contains(&format!(
                "\n## {GROUPS_HEADING}\n\n{GROUPS_INTRO}\n\n### Role or not\n\nWhich of the two.\n\n**Codes.** Role; Other\n"
            )),
            "{md}"
        );
        let table = to_table(&book);
        assert_eq!(table.header.last().map(String::as_str), Some("group"));
        let groups: Vec<String> = table
            .rows
            .iter()
            .map(|r| match r.last() {
                Some(Cell::Text(t)) => t.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(groups, ["Role or not", "Role or not"]);
        // Without groups, no section.
        assert!(!to_markdown(&wrapped_codebook()).contains(GROUPS_HEADING));
    }
}
