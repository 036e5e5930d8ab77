//! A plain table (a header and rows of text or number cells), the shape every spreadsheet export takes,
//! written as CSV with the `csv` crate or as XLSX with `rust_xlsxwriter` (bold, frozen header).

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

use super::ExportError;
use crate::model::quoting::neutralise_formula;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// Hand-wrapped text (a codebook field, a memo): written as stored in CSV, and in XLSX as a
    /// document shows it (see [`super::prose::paragraphs`]: a line break is a space, a blank line
    /// a new paragraph).
    Prose(String),
    /// A number (written as a number in XLSX).
    Number(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as CSV text (whole numbers without a decimal point).
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Self::Text(t) | Self::Prose(t) => t.clone(),
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Self::Number(n) => format!("{n:.6}"),
            Self::Empty => String::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::Text(text.to_string())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Self::Number(n as f64)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Self::Number(n as f64)
    }
}

impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Self {
        n.map_or(Self::Empty, Self::Number)
    }
}

/// A named table: a sheet of a workbook, or a CSV file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Sheet name (at most 31 characters in XLSX; longer names are cut).
    pub name: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as CSV text, with cells a spreadsheet would run as formulas neutralised (a `'`
    /// before text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return; see
    /// [`neutralise_formula`]). Numbers are written as they are.
    pub fn to_csv(&self) -> Result<String, ExportError> {
        self.csv(true)
    }

    /// The table as CSV text with every cell exactly as it is (`--raw-csv`).
    pub fn to_csv_raw(&self) -> Result<String, ExportError> {
        self.csv(false)
    }

    fn csv(&self, safe: bool) -> Result<String, ExportError> {
        let cell = |text: String| -> String {
            if safe {
                neutralise_formula(&text).into_owned()
            } else {
                text
            }
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(self.header.iter().map(|h| cell(h.clone())))?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|c| match c {
                Cell::Text(t) | Cell::Prose(t) => cell(t.clone()),
                other => other.to_text(),
            }))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        String::from_utf8(bytes).map_err(|e| ExportError::Invalid(e.to_string()))
    }

    /// The table as Markdown: a heading with its name, then one table row per row (text cells
    /// escaped, numbers right-aligned).
    #[must_use]
    pub fn to_markdown(&self) -> String {
        use std::fmt::Write as _;
        let escape = |s: &str| {
            super::html::escape_markdown(s)
                .replace('|', "\\|")
                .replace('\n', " ")
        };
        let mut out = format!("# {}\n\n|", escape(&self.name));
        for h in &self.header {
            let _ = write!(out, " {} |", escape(h));
        }
        out.push_str("\n|");
        for (i, _) in self.header.iter().enumerate() {
            let numeric = self
                .rows
                .iter()
                .all(|r| matches!(r.get(i), Some(Cell::Number(_)) | None));
            out.push_str(if numeric && !self.rows.is_empty() {
                "---:|"
            } else {
                "---|"
            });
        }
        out.push('\n');
        for row in &self.rows {
            out.push('|');
            for c in row {
                let _ = write!(out, " {} |", escape(&c.to_text()));
            }
            out.push('\n');
        }
        out
    }

    /// What a row is about, for a warning: its transcript, code, rater and span where the table
    /// has those columns, else its row number.
    fn describe_row(&self, row: usize) -> String {
        let get = |name: &str| {
            self.header
                .iter()
                .position(|h| h == name)
                .and_then(|i| self.rows.get(row)?.get(i))
                .map(Cell::to_text)
                .filter(|t| !t.is_empty())
        };
        let mut parts = Vec::new();
        for (label, column) in [
            ("transcript", "transcript"),
            ("code", "code"),
            ("rater", "rater"),
        ] {
            if let Some(value) = get(column) {
                parts.push(format!("{label} {value}"));
            }
        }
        if let (Some(start), Some(end)) = (get("start"), get("end")) {
            parts.push(format!("chars {start}–{end}"));
        }
        if let Some(id) = get("coding_id") {
            parts.push(format!("coding {id}"));
        }
        if parts.is_empty() {
            format!("row {}", row + 1)
        } else {
            parts.join(", ")
        }
    }
}

/// Excel's limit on the characters in one cell.
pub const XLSX_CELL_LIMIT: usize = 32_767;

/// What ends a cell cut at [`XLSX_CELL_LIMIT`].
pub const TRUNCATED_MARKER: &str = "… [truncated; see the DOCX/CSV export]";

/// A cell's text cut to Excel's limit with [`TRUNCATED_MARKER`] at its end, or `None` if it fits.
#[must_use]
pub fn truncate_for_xlsx(text: &str) -> Option<String> {
    if text.chars().count() <= XLSX_CELL_LIMIT {
        return None;
    }
    let keep = XLSX_CELL_LIMIT - TRUNCATED_MARKER.chars().count();
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(TRUNCATED_MARKER);
    Some(cut)
}

/// Writes tables as the sheets of one XLSX workbook. A text longer than Excel allows in a cell is cut
/// (see [`truncate_for_xlsx`]); the returned warnings say which cells, and what their rows are about.
pub fn write_xlsx(tables: &[Table], mut out: impl Write) -> Result<Vec<String>, ExportError> {
    let mut warnings = Vec::new();
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.name))?;
        // Widths and wrapping first: a column's format applies to the cells written after it.
        for (col, width) in column_widths(table).into_iter().enumerate() {
            let col = col as u16;
            sheet.set_column_width(col, width.min(WIDEST) as f64 + 2.0)?;
            if width > WIDEST {
                sheet.set_column_format(col, &wrap)?;
            }
        }
        for (col, name) in table.header.iter().enumerate() {
            let cut = truncate_for_xlsx(name);
            sheet.write_string_with_format(0, col as u16, cut.as_deref().unwrap_or(name), &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                let shown = match cell {
                    Cell::Prose(t) => Some(super::prose::reflowed(t)),
                    _ => None,
                };
                match cell {
                    Cell::Text(t) | Cell::Prose(t) => {
                        let t = shown.as_deref().unwrap_or(t);
                        let cut = truncate_for_xlsx(t);
                        if cut.is_some() {
                            let column = table
                                .header
                                .get(usize::from(col))
                                .map_or("?", String::as_str);
                            warnings.push(format!(
                                "{}: the {column} of {} has {} characters, more than an Excel cell \
                                 holds ({XLSX_CELL_LIMIT}); cut, the whole text is in the DOCX and \
                                 CSV exports",
                                table.name,
                                table.describe_row(r as usize - 1),
                                t.chars().count(),
                            ));
                        }
                        sheet.write_string(r, col, cut.as_deref().unwrap_or(t))?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, col, *n)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    out.write_all(&workbook.save_to_buffer()?)?;
    Ok(warnings)
}

/// Widest column, in characters; longer text wraps.
const WIDEST: usize = 60;

/// The widest text of each column (header included), in characters, looking at the first rows only.
fn column_widths(table: &Table) -> Vec<usize> {
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
    for row in table.rows.iter().take(500) {
        for (i, cell) in row.iter().enumerate() {
            let text = match cell {
                Cell::Prose(t) => super::prose::reflowed(t),
                other => other.to_text(),
            };
            let len = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(len);
            }
        }
    }
    widths
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not empty.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_writes_numbers_plainly_and_quotes_text() {
        let table = Table {
            name: "t".into(),
            header: vec!["a".into(), "b".into()],
            rows: vec![
                vec![Cell::from("x, y"), Cell::Number(3.0)],
                vec![Cell::Empty, Cell::Number(0.25)],
            ],
        };
        assert_eq!(table.to_csv().unwrap(), "a,b\n\"x, y\",3\n,0.250000\n");
        assert_eq!(sheet_name("Codes x cases: a/b"), "Codes x cases- a-b");
    }

    #[test]
    fn csv_neutralises_formula_text_but_not_numbers() {
        let table = Table {
            name: "t".into(),
            header: vec!["=h".into(), "b".into()],
            rows: vec![vec![Cell::from("@SUM(1+1)"), Cell::Number(-0.12)]],
        };
        assert_eq!(table.to_csv().unwrap(), "'=h,b\n'@SUM(1+1),-0.120000\n");
        assert_eq!(table.to_csv_raw().unwrap(), "=h,b\n@SUM(1+1),-0.120000\n");
    }

    /// The shared strings of a workbook (the text of its cells).
    fn xlsx_strings(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/sharedStrings.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        xml
    }

    #[test]
    fn xlsx_reflows_prose_cells_and_csv_keeps_them() {
        let table = Table {
            name: "t".into(),
            header: vec!["quote".into(), "memo".into()],
            rows: vec![vec![
                Cell::from("line one\nline two"),
                Cell::Prose("a memo in\nwhich words wrap\n\nand a second paragraph".into()),
            ]],
        };
        let mut bytes = Vec::new();
        write_xlsx(std::slice::from_ref(&table), &mut bytes).unwrap();
        let strings = xlsx_strings(&bytes);
        assert!(
            strings.contains("a memo in which words wrap\n\nand a second paragraph"),
            "{strings}"
        );
        assert!(!strings.contains("in\nwhich"), "{strings}");
        assert!(strings.contains("line one\nline two"), "{strings}");
        assert!(table.to_csv().unwrap().contains("a memo in\nwhich"));
    }

    #[test]
    fn long_cells_are_cut_for_xlsx_with_a_warning() {
        let long = "a".repeat(XLSX_CELL_LIMIT + 10);
        let cut = truncate_for_xlsx(&long).unwrap();
        assert_eq!(cut.chars().count(), XLSX_CELL_LIMIT);
        assert!(cut.ends_with(TRUNCATED_MARKER));
        let table = Table {
            name: "Excerpts".into(),
            header: vec!["transcript".into(), "quote".into()],
            rows: vec![vec![Cell::from("P01"), Cell::from(long)]],
        };
        let warnings = write_xlsx(&[table], std::io::sink()).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("transcript P01"), "{warnings:?}");
    }
}
