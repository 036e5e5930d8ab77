//! Writers: project data to the formats people take elsewhere. Nothing here reads the store: callers
//! load a [`ProjectData`] snapshot (`app::export::snapshot`) or compute a report, and every export is
//! a pure function of it, so the command line writes a file and the window renders a preview by
//! calling the same function.
//!
//! The API in two calls:
//! - [`render_text`] returns a text export (Markdown, HTML, CSV, REFI-QDA codebook XML) as a `String`;
//! - [`write()`] writes any export, text or binary (XLSX, DOCX, `.qdpx`), to an `impl Write`.
//!
//! ```no_run
//! # fn demo(data: &accord::export::ProjectData) -> Result<(), accord::export::ExportError> {
//! use accord::export::{ExcerptFilter, Format, Request, render_text};
//! let filter = ExcerptFilter::default();
//! let preview = render_text(&Request::Excerpts { data, filter: &filter }, Format::Markdown)?;
//! # Ok(()) }
//! ```

pub mod agreement;
pub mod codebook;
pub mod codings_csv;
pub mod data;
pub mod document;
pub mod docx;
pub mod excerpts;
pub mod html;
pub mod matrix;
pub mod memos;
pub mod prose;
pub mod refi;
pub mod table;
pub mod xml;

use std::fmt;
use std::io::Write;

pub use data::ProjectData;
pub use excerpts::{Excerpt, ExcerptFilter};
pub use matrix::{Columns, MatrixSpec, Measure};
pub use table::{Cell, Table};

use crate::agreement::project::ProjectAgreement;
use crate::model::Codebook;

/// What can go wrong writing an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The XLSX writer failed.
    #[error("cannot write XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The zip writer failed.
    #[error("cannot write the archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// This export has no such format.
    #[error("{what} cannot be exported as {format} (choose one of: {choices})")]
    Unsupported {
        /// The export.
        what: &'static str,
        /// The format asked for.
        format: Format,
        /// The formats it has.
        choices: String,
    },
    /// Anything else (a bug, or data the format cannot hold).
    #[error("{0}")]
    Invalid(String),
}

/// Result alias for exports.
pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Markdown text.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// Comma-separated values.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A Word document.
    Docx,
    /// A REFI-QDA codebook (XML text).
    Qdc,
    /// A REFI-QDA project (a zip archive).
    Qdpx,
}

impl Format {
    /// True for formats [`render_text`] can return as a `String`.
    #[must_use]
    pub const fn is_text(self) -> bool {
        matches!(self, Self::Markdown | Self::Html | Self::Csv | Self::Qdc)
    }

    /// The usual file extension.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
            Self::Qdc => "qdc",
            Self::Qdpx => "qdpx",
        }
    }

    /// Every extension a file of this format may have (lower case), the usual one first.
    #[must_use]
    pub const fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Markdown => &["md", "markdown"],
            Self::Html => &["html", "htm"],
            Self::Csv => &["csv"],
            Self::Xlsx => &["xlsx"],
            Self::Docx => &["docx"],
            Self::Qdc => &["qdc", "xml"],
            Self::Qdpx => &["qdpx"],
        }
    }

    /// True for formats written as a zip archive (XLSX, DOCX, `.qdpx`).
    #[must_use]
    pub const fn is_zip(self) -> bool {
        matches!(self, Self::Xlsx | Self::Docx | Self::Qdpx)
    }

    /// The format a file name's extension suggests.
    #[must_use]
    pub fn from_extension(path: &std::path::Path) -> Option<Self> {
        path.extension()?.to_str()?.parse().ok()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Markdown => "markdown",
            other => other.extension(),
        })
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Self::Markdown),
            "html" | "htm" => Ok(Self::Html),
            "csv" => Ok(Self::Csv),
            "xlsx" | "excel" => Ok(Self::Xlsx),
            "docx" | "word" => Ok(Self::Docx),
            "qdc" => Ok(Self::Qdc),
            "qdpx" => Ok(Self::Qdpx),
            _ => Err(format!(
                "unknown format {s:?} (expected markdown, html, csv, xlsx, docx, qdc or qdpx)"
            )),
        }
    }
}

/// An export to make: what, from which data.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// Coded excerpts selected by a filter.
    Excerpts {
        /// The project.
        data: &'a ProjectData,
        /// Which codings.
        filter: &'a ExcerptFilter,
    },
    /// Codes x cases or codes x attribute values.
    Matrix {
        /// The project.
        data: &'a ProjectData,
        /// Which codings.
        filter: &'a ExcerptFilter,
        /// Columns and measure.
        spec: &'a MatrixSpec,
    },
    /// Code co-occurrence within turns.
    Cooccurrence {
        /// The project.
        data: &'a ProjectData,
        /// Which codings.
        filter: &'a ExcerptFilter,
    },
    /// The codebook (as a document, a table or a REFI-QDA `.qdc`).
    Codebook {
        /// The codebook.
        book: &'a Codebook,
    },
    /// The agreement report.
    Agreement {
        /// The report from `app::agreement::project_agreement`.
        report: &'a ProjectAgreement,
    },
    /// The whole project as REFI-QDA `.qdpx`.
    Project {
        /// The project.
        data: &'a ProjectData,
    },
    /// A document made by the application (key quotes, the summary grid, the report), and the
    /// same as a table where it has one.
    Document {
        /// What it is, for messages ("the key quotes").
        what: &'static str,
        /// The document.
        doc: &'a document::Document,
        /// The table (CSV, XLSX), if it has one.
        table: Option<&'a Table>,
    },
}

impl Request<'_> {
    /// What this export is called, for messages.
    #[must_use]
    pub const fn what(&self) -> &'static str {
        match self {
            Self::Excerpts { .. } => "excerpts",
            Self::Matrix { .. } => "a code matrix",
            Self::Cooccurrence { .. } => "co-occurrence",
            Self::Codebook { .. } => "the codebook",
            Self::Agreement { .. } => "the agreement report",
            Self::Project { .. } => "the project",
            Self::Document { what, .. } => what,
        }
    }

    /// The formats this export can be written in.
    #[must_use]
    pub const fn formats(&self) -> &'static [Format] {
        use Format::{Csv, Docx, Html, Markdown, Qdc, Qdpx, Xlsx};
        match self {
            Self::Excerpts { .. } | Self::Document { table: Some(_), .. } => {
                &[Markdown, Html, Docx, Csv, Xlsx]
            }
            Self::Matrix { .. } | Self::Cooccurrence { .. } => &[Csv, Xlsx],
            Self::Codebook { .. } => &[Markdown, Docx, Csv, Xlsx, Qdc],
            Self::Agreement { .. } => &[Markdown, Html, Csv, Xlsx],
            Self::Project { .. } => &[Qdpx],
            Self::Document { table: None, .. } => &[Markdown, Html, Docx],
        }
    }

    fn unsupported(&self, format: Format) -> ExportError {
        ExportError::Unsupported {
            what: self.what(),
            format,
            choices: self
                .formats()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The export as a table, for the formats that are tables (CSV, XLSX).
    fn table(&self) -> Option<Table> {
        Some(match *self {
            Self::Excerpts { data, filter } => {
                excerpts::to_table(data, &excerpts::excerpts(data, filter))
            }
            Self::Matrix { data, filter, spec } => matrix::code_matrix(data, filter, spec),
            Self::Cooccurrence { data, filter } => matrix::cooccurrence(data, filter),
            Self::Codebook { book } => codebook::to_table(book),
            Self::Agreement { report } => agreement::to_table(report),
            Self::Project { .. } => return None,
            Self::Document { table, .. } => return table.cloned(),
        })
    }
}

fn excerpts_title(data: &ProjectData) -> String {
    format!("Coded excerpts: {}", data.name)
}

/// How to write an export (the defaults are the safe choices).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Write CSV cells exactly as they are, without neutralising those a spreadsheet would run as
    /// formulas (`--raw-csv`).
    pub raw_csv: bool,
}

/// A text export as a `String` (for a preview, or to write as a file).
pub fn render_text(request: &Request<'_>, format: Format) -> Result<String> {
    render_text_with(request, format, Options::default())
}

/// [`render_text`] with [`Options`].
pub fn render_text_with(request: &Request<'_>, format: Format, options: Options) -> Result<String> {
    if !request.formats().contains(&format) || !format.is_text() {
        return Err(request.unsupported(format));
    }
    if format == Format::Csv {
        let table = request.table().ok_or_else(|| request.unsupported(format))?;
        return if options.raw_csv {
            table.to_csv_raw()
        } else {
            table.to_csv()
        };
    }
    Ok(match (request, format) {
        (Request::Excerpts { data, filter }, Format::Markdown) => {
            excerpts::to_markdown(&excerpts_title(data), &excerpts::excerpts(data, filter))
        }
        (Request::Excerpts { data, filter }, Format::Html) => {
            excerpts::to_html(&excerpts_title(data), &excerpts::excerpts(data, filter))
        }
        (Request::Codebook { book }, Format::Markdown) => codebook::to_markdown(book),
        (Request::Codebook { book }, Format::Qdc) => refi::qdc::to_xml(book)?,
        (Request::Agreement { report }, Format::Markdown) => agreement::to_markdown(report),
        (Request::Agreement { report }, Format::Html) => agreement::to_html(report),
        (Request::Document { doc, .. }, Format::Markdown) => doc.to_markdown(),
        (Request::Document { doc, .. }, Format::Html) => doc.to_html(),
        _ => return Err(request.unsupported(format)),
    })
}

/// Writes any export to `out`.
pub fn write(request: &Request<'_>, format: Format, out: impl Write) -> Result<()> {
    write_with(request, format, Options::default(), out).map(drop)
}

/// Writes any export to `out` with [`Options`]; returns warnings for the person (XLSX cells cut at
/// Excel's limit, naming the codings).
pub fn write_with(
    request: &Request<'_>,
    format: Format,
    options: Options,
    mut out: impl Write,
) -> Result<Vec<String>> {
    if !request.formats().contains(&format) {
        return Err(request.unsupported(format));
    }
    match (request, format) {
        (_, f) if f.is_text() => {
            out.write_all(render_text_with(request, f, options)?.as_bytes())?;
        }
        (_, Format::Xlsx) => {
            let table = request.table().ok_or_else(|| request.unsupported(format))?;
            return table::write_xlsx(&[table], out);
        }
        (Request::Excerpts { data, filter }, Format::Docx) => docx::excerpts(
            &excerpts_title(data),
            &excerpts::excerpts(data, filter),
            out,
        )?,
        (Request::Codebook { book }, Format::Docx) => docx::codebook(book, out)?,
        (Request::Document { doc, .. }, Format::Docx) => doc.write_docx(out)?,
        (Request::Project { data }, Format::Qdpx) => refi::qdpx::write(data, out)?,
        _ => return Err(request.unsupported(format)),
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_refuse_what_an_export_lacks() {
        assert_eq!("MD".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!(
            Format::from_extension(std::path::Path::new("a/b.xlsx")),
            Some(Format::Xlsx)
        );
        let book = Codebook::default();
        let err = render_text(&Request::Codebook { book: &book }, Format::Html).unwrap_err();
        assert!(
            err.to_string().contains("markdown, docx, csv, xlsx, qdc"),
            "{err}"
        );
        let err = render_text(&Request::Codebook { book: &book }, Format::Docx).unwrap_err();
        assert!(matches!(err, ExportError::Unsupported { .. }));
    }
}
