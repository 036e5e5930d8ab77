//! Case attributes from a CSV such as a REDCap export: one row per record, a key column (by default
//! `record_id`) naming the case, every other column an attribute. Empty cells are left unset; a
//! record on several rows (REDCap events) takes the first non-empty value of each column.

use std::collections::BTreeMap;
use std::path::Path;

use super::{ImportError, decode};

/// The rows of an attribute file, by case name, plus notes for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeTable {
    /// (case name, attributes) in file order.
    pub rows: Vec<(String, BTreeMap<String, String>)>,
    /// Things worth telling (duplicate records, rows without a key).
    pub notes: Vec<String>,
}

/// Reads an attribute CSV.
pub fn read_attributes(path: &Path, key: &str) -> Result<AttributeTable, ImportError> {
    let bytes = super::read_bounded(path, super::MAX_TABLE_BYTES, "an attributes file")?;
    parse_attributes(path, &bytes, key)
}

/// Parses attribute CSV bytes (`path` names the file in errors).
pub fn parse_attributes(
    path: &Path,
    bytes: &[u8],
    key: &str,
) -> Result<AttributeTable, ImportError> {
    let (text, _) = decode::decode(bytes).map_err(|source| ImportError::Decode {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::format(path, format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let key_index = headers.iter().position(|h| h == key).ok_or_else(|| {
        ImportError::format(
            path,
            format!(
                "no key column {key:?}; the columns are: {}",
                headers.join(", ")
            ),
        )
    })?;
    let mut table = AttributeTable::default();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| ImportError::format(path, format!("line {line}: {e}")))?;
        let name = record.get(key_index).unwrap_or("").trim().to_string();
        if name.is_empty() {
            table
                .notes
                .push(format!("line {line}: no {key}; row skipped"));
            continue;
        }
        let slot = *index.entry(name.clone()).or_insert_with(|| {
            table.rows.push((name.clone(), BTreeMap::new()));
            table.rows.len() - 1
        });
        let (_, attrs) = &mut table.rows[slot];
        let mut repeated = false;
        for (col, value) in headers.iter().zip(record.iter()) {
            let value = value.trim();
            if col == key || value.is_empty() {
                continue;
            }
            if attrs.contains_key(col) {
                repeated = true;
            } else {
                attrs.insert(col.clone(), value.to_string());
            }
        }
        if repeated {
            table.notes.push(format!(
                "line {line}: {key} {name} appears again; its first non-empty values are kept"
            ));
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redcap_rows_merge_and_skip_blanks() {
        let csv =
            "record_id,arm,site,months_peer\nP01,CAPP,A,26\nP02,CAPP,,9\n,CAPP,B,1\nP02,CAPP,B,\n";
        let t = parse_attributes(Path::new("redcap.csv"), csv.as_bytes(), "record_id").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].1.get("site").map(String::as_str), Some("B"));
        assert_eq!(
            t.rows[1].1.get("months_peer").map(String::as_str),
            Some("9")
        );
        assert_eq!(t.notes.len(), 2);
    }

    #[test]
    fn missing_key_and_ragged_rows_are_errors() {
        let err = parse_attributes(Path::new("x.csv"), b"id,arm\n1,a\n", "record_id")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.csv") && err.contains("record_id") && err.contains("id, arm"),
            "{err}"
        );
        let err = parse_attributes(
            Path::new("x.csv"),
            b"record_id,arm\n1,a,extra\n",
            "record_id",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
