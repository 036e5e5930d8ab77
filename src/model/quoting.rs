//! Text quoted where it could be misread: a path as one word in a shell command that a hint
//! suggests, and a spreadsheet cell that a spreadsheet would run as a formula (OWASP's advice on
//! CSV injection). Pure functions, used by the store's messages, the exporters, the codings
//! importer (which undoes the quoting) and the command line.

use std::path::Path;

/// A path as one word for a shell command in a hint: as it is when it holds only safe
/// characters, else in single quotes.
#[must_use]
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "/._-+,:@%=".contains(c));
    if safe {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// True when a spreadsheet would read the cell as a formula (OWASP: it begins with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) and it is not a plain number, or when it is `'` before such a cell (so
/// that [`neutralise_formula`] and [`restore_formula`] undo each other exactly).
#[must_use]
pub fn looks_like_formula(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(cell),
        Some(b'\'') => looks_like_formula(&cell[1..]),
        _ => false,
    }
}

fn is_plain_number(cell: &str) -> bool {
    cell.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && cell.parse::<f64>().is_ok()
}

/// A CSV cell a spreadsheet will show as text: `'` before a cell that [`looks_like_formula`].
#[must_use]
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The cell as it was before [`neutralise_formula`]: the added `'` removed.
#[must_use]
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}
