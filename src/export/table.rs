//! A plain table (a header and rows of text or number cells), the shape every spreadsheet export takes,
//! written as CSV with the `csv` crate or as XLSX with `rust_xlsxwriter` (bold, frozen header).

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

use super::ExportError;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
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
            Self::Text(t) => t.clone(),
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
    /// The table as CSV text.
    pub fn to_csv(&self) -> Result<String, ExportError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.header)?;
        for row in &self.rows {
            writer.write_record(row.iter().map(Cell::to_text))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        String::from_utf8(bytes).map_err(|e| ExportError::Invalid(e.to_string()))
    }
}

/// Writes tables as the sheets of one XLSX workbook.
pub fn write_xlsx(tables: &[Table], mut out: impl Write) -> Result<(), ExportError> {
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
            sheet.write_string_with_format(0, col as u16, name, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, col, t)?;
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
    Ok(())
}

/// Widest column, in characters; longer text wraps.
const WIDEST: usize = 60;

/// The widest text of each column (header included), in characters, looking at the first rows only.
fn column_widths(table: &Table) -> Vec<usize> {
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
    for row in table.rows.iter().take(500) {
        for (i, cell) in row.iter().enumerate() {
            let len = cell
                .to_text()
                .lines()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
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
}
