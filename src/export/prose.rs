//! Hand-wrapped text (a codebook's description and code fields, memos) as a document shows it: a
//! single line break inside a paragraph is a space, and a blank line (spaces allowed) starts a new
//! paragraph. Every export that renders such text (DOCX, HTML, Markdown, XLSX cells) goes through
//! [`paragraphs`], so they agree; CSV keeps the text exactly as stored (it is data, not a document).

/// The paragraphs of hand-wrapped text: lines joined by a space (runs of spaces and tabs become
/// one), blank lines between paragraphs. `\r\n` line ends count as `\n`. Empty text has none.
#[must_use]
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.extend(line.split_whitespace());
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// The text as one string: its [`paragraphs`] separated by a blank line (an XLSX cell, where a line
/// break shows as one).
#[must_use]
pub fn reflowed(text: &str) -> String {
    paragraphs(text).join("\n\n")
}

/// The text as Markdown: its [`paragraphs`], escaped (see [`super::html::escape_markdown`]),
/// separated by a blank line.
#[must_use]
pub fn markdown(text: &str) -> String {
    paragraphs(text)
        .iter()
        .map(|p| super::html::escape_markdown(p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_breaks_are_spaces_and_blank_lines_split_paragraphs() {
        let text = "Codes for the interviews, in\nwhich peer specialists describe 16\nweekly sessions.\n\n  \nA second\r\nparagraph.\n";
        assert_eq!(
            paragraphs(text),
            [
                "Codes for the interviews, in which peer specialists describe 16 weekly sessions.",
                "A second paragraph."
            ]
        );
        assert_eq!(
            reflowed(text),
            "Codes for the interviews, in which peer specialists describe 16 weekly sessions.\n\nA second paragraph."
        );
        assert!(paragraphs(" \n\n ").is_empty());
        assert_eq!(markdown("a <b>\nc\n\nd & e"), "a &lt;b&gt; c\n\nd &amp; e");
    }
}
