//! Codings as CSV, one coding per row. Reading accepts the columns Accord writes and a short form for
//! hand-made files: `transcript,rater,code,quote,memo` where the quote anchors the span (it must occur
//! exactly once in the transcript). Names or ids are resolved against the project by the caller.

use std::path::Path;

use super::{ImportError, decode};
use crate::model::quoting::restore_formula;

/// One row of a codings CSV, as written (references unresolved).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodingRow {
    /// Line in the file (for errors).
    pub line: usize,
    /// `coding_id`, if given.
    pub coding_id: Option<String>,
    /// Transcript id or name.
    pub transcript: String,
    /// Code id, path or name.
    pub code: String,
    /// Rater id or name.
    pub rater: String,
    /// Start char offset, if given.
    pub start: Option<usize>,
    /// End char offset, if given.
    pub end: Option<usize>,
    /// The coded text, if given.
    pub quote: Option<String>,
    /// Memo, if any.
    pub memo: Option<String>,
    /// Creation time, if given.
    pub created_at: Option<String>,
}

/// Reads a codings CSV.
pub fn read_codings(path: &Path) -> Result<Vec<CodingRow>, ImportError> {
    let bytes = super::read_bounded(path, super::MAX_TABLE_BYTES, "a codings file")?;
    let text = decode_codings(path, &bytes)?;
    // The file's bytes are not kept while its rows are read (a large file would be held twice).
    drop(bytes);
    parse_text(path, &text)
}

/// Parses codings CSV bytes (`path` names the file in errors). Id columns win over name columns.
pub fn parse_codings(path: &Path, bytes: &[u8]) -> Result<Vec<CodingRow>, ImportError> {
    parse_text(path, &decode_codings(path, bytes)?)
}

fn decode_codings(path: &Path, bytes: &[u8]) -> Result<String, ImportError> {
    decode::decode(bytes)
        .map(|(text, _)| text)
        .map_err(|source| ImportError::Decode {
            path: path.to_path_buf(),
            source,
        })
}

fn parse_text(path: &Path, text: &str) -> Result<Vec<CodingRow>, ImportError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::format(path, format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    for required in ["transcript", "code", "rater"] {
        if col(required).is_none() && col(&format!("{required}_id")).is_none() {
            return Err(ImportError::format(
                path,
                format!(
                    "no {required} column; the columns are: {}",
                    headers.join(", ")
                ),
            ));
        }
    }
    if (col("start").is_none() || col("end").is_none()) && col("quote").is_none() {
        return Err(ImportError::format(
            path,
            "needs start and end columns, or a quote column",
        ));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| ImportError::format(path, format!("line {line}: {e}")))?;
        let get = |name: &str| {
            col(name)
                .and_then(|c| record.get(c))
                .map(|v| restore_formula(v.trim()))
                .filter(|v| !v.is_empty())
        };
        let pick = |name: &str| {
            get(&format!("{name}_id"))
                .or_else(|| get(name))
                .unwrap_or("")
                .to_string()
        };
        let number = |name: &str| -> Result<Option<usize>, ImportError> {
            get(name)
                .map(|v| {
                    v.parse::<usize>().map_err(|_| {
                        ImportError::format(
                            path,
                            format!("line {line}: {name} {v:?} is not a whole number"),
                        )
                    })
                })
                .transpose()
        };
        let raw_quote = col("quote")
            .and_then(|c| record.get(c))
            .map(restore_formula)
            .filter(|q| !q.is_empty());
        rows.push(CodingRow {
            line,
            coding_id: get("coding_id").map(str::to_string),
            transcript: pick("transcript"),
            code: pick("code"),
            rater: pick("rater"),
            start: number("start")?,
            end: number("end")?,
            quote: raw_quote.map(str::to_string),
            memo: get("memo").map(str::to_string),
            created_at: get("created_at").map(str::to_string),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::quoting::neutralise_formula;

    #[test]
    fn short_form_and_full_form() {
        let short = "transcript,rater,code,quote,memo\nP01,Maya Chen,Peerness,\"I said, \"\"me too\"\".\",\n";
        let rows = parse_codings(Path::new("c.csv"), short.as_bytes()).unwrap();
        assert_eq!(rows[0].quote.as_deref(), Some("I said, \"me too\"."));
        assert_eq!(
            (rows[0].start, rows[0].memo.as_deref(), rows[0].line),
            (None, None, 2)
        );
        let full = format!(
            "{}\nid1,P01,tid,Peerness,cid,Maya,rid,3,9,,note,,1\n",
            crate::model::CODINGS_CSV_HEADER.join(",")
        );
        let rows = parse_codings(Path::new("c.csv"), full.as_bytes()).unwrap();
        assert_eq!(
            (rows[0].transcript.as_str(), rows[0].start, rows[0].end),
            ("tid", Some(3), Some(9))
        );
    }

    #[test]
    fn formula_cells_are_neutralised_and_restored_exactly() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "-1+2",
            "@SUM(1)",
            "\tx",
            "\rx",
            "'=x",
            "''@x",
            "-0.12",
            "+3",
            "'-3",
            "plain",
            "'quoted'",
            "",
        ] {
            let safe = neutralise_formula(cell);
            let runs = matches!(safe.as_bytes().first(), Some(b'=' | b'@' | b'\t' | b'\r'))
                || (safe.starts_with(['+', '-']) && safe.parse::<f64>().is_err());
            assert!(!runs, "{cell:?} -> {safe:?}");
            assert_eq!(restore_formula(&safe), cell);
        }
        assert_eq!(neutralise_formula("-0.12"), "-0.12");
        assert_eq!(neutralise_formula("=2+5"), "'=2+5");
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse_codings(Path::new("c.csv"), b"transcript,code\nP01,x\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("c.csv") && err.contains("no rater column"),
            "{err}"
        );
        let err = parse_codings(
            Path::new("c.csv"),
            b"transcript,rater,code,start,end\nP01,A,B,x,4\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 2") && err.contains("\"x\""), "{err}");
    }
}
