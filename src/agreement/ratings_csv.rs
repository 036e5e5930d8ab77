//! A plain ratings matrix as CSV, the way a statistics package takes it: a header `unit,<rater>,...`,
//! one row per unit, an empty cell for a missing rating. Categories are the declared list when given
//! (a cell outside it is an error naming the line), else numeric order when every value is a number,
//! else order of first appearance.

use std::collections::HashMap;

use super::AgreementError;
use super::data::{Category, ReliabilityData};

/// Parses a ratings matrix.
pub fn parse_ratings(
    text: &str,
    declared: Option<&[String]>,
) -> Result<ReliabilityData, AgreementError> {
    let csv_err = |line: usize, message: String| AgreementError::Csv { line, message };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| csv_err(1, e.to_string()))?
        .clone();
    let raters: Vec<String> = header
        .iter()
        .skip(1)
        .map(|h| h.trim().to_string())
        .collect();
    if raters.is_empty() {
        return Err(csv_err(
            1,
            "the header needs a unit column and at least one rater column".into(),
        ));
    }
    // Streamed: each distinct cell text is kept once (with where it first appears), each distinct
    // row once (as those texts' numbers, with a count); no row is kept.
    let mut labels = Labels::default();
    let mut patterns: Vec<(Vec<Option<u32>>, u64)> = Vec::new();
    let mut pattern_index: HashMap<Vec<Option<u32>>, usize, Quick> = HashMap::default();
    let mut record = csv::StringRecord::new();
    let mut cells: Vec<Option<u32>> = Vec::with_capacity(raters.len());
    for line in 2.. {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(line, e.to_string())),
        }
        if record.len() != raters.len() + 1 {
            return Err(csv_err(
                line,
                format!(
                    "{} cells; the header has {}",
                    record.len(),
                    raters.len() + 1
                ),
            ));
        }
        cells.clear();
        for (column, cell) in record.iter().skip(1).enumerate() {
            let cell = cell.trim();
            cells.push((!cell.is_empty()).then(|| labels.id(cell, line, column)));
        }
        if let Some(&i) = pattern_index.get(cells.as_slice()) {
            patterns[i].1 += 1;
        } else {
            pattern_index.insert(cells.clone(), patterns.len());
            patterns.push((cells.clone(), 1));
        }
    }
    let categories = categories(&labels.texts, declared);
    // Each distinct text's category; a text outside the declared list is an error at the first
    // cell that holds it (the first such cell of the file, by line then column).
    let mut unknown: Option<(usize, usize, &str)> = None;
    let mut category_of: Vec<u32> = Vec::with_capacity(labels.texts.len());
    for (v, &(line, column)) in labels.texts.iter().zip(&labels.first_seen) {
        let found = categories.iter().position(|k| {
            k.label == *v || matches!((k.value, v.parse::<f64>()), (Some(a), Ok(b)) if a == b)
        });
        if let Some(i) = found {
            category_of.push(i as u32);
        } else {
            category_of.push(0);
            if unknown.is_none_or(|(l, c, _)| (line, column) < (l, c)) {
                unknown = Some((line, column, v.as_str()));
            }
        }
    }
    if let Some((line, _, v)) = unknown {
        return Err(csv_err(
            line,
            format!("{v:?} is not one of the declared categories"),
        ));
    }
    let mut data = ReliabilityData::new(raters, categories);
    for (pattern, count) in &patterns {
        cells.clear();
        cells.extend(pattern.iter().map(|c| c.map(|l| category_of[l as usize])));
        data.push_pattern(&cells, *count)?;
    }
    Ok(data)
}

/// The distinct cell texts of a ratings table, numbered in order of first appearance, with the
/// line and column where each first appears.
#[derive(Default)]
struct Labels {
    texts: Vec<String>,
    first_seen: Vec<(usize, usize)>,
    ids: HashMap<String, u32, Quick>,
}

/// Up to this many distinct texts are found by comparing them all (the usual few categories);
/// more by hashing.
const FEW_LABELS: usize = 8;

impl Labels {
    fn id(&mut self, text: &str, line: usize, column: usize) -> u32 {
        if self.texts.len() <= FEW_LABELS {
            if let Some(id) = self.texts.iter().position(|t| t == text) {
                return id as u32;
            }
        } else if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.ids.insert(text.to_string(), id);
        self.texts.push(text.to_string());
        self.first_seen.push((line, column));
        id
    }
}

/// A quick hash for the few short keys of a ratings table (cell texts, rows of small numbers): the
/// standard one, built to resist crafted keys, costs more than the parsing here, and a crafted file
/// can only slow its own reading.
#[derive(Default, Clone, Copy)]
struct Quick;

impl std::hash::BuildHasher for Quick {
    type Hasher = QuickHasher;
    fn build_hasher(&self) -> QuickHasher {
        QuickHasher(0)
    }
}

/// The multiply-rotate hash of rustc's own hash maps.
struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

fn categories(seen: &[String], declared: Option<&[String]>) -> Vec<Category> {
    let labels: Vec<String> = if let Some(d) = declared {
        d.iter().map(|s| s.trim().to_string()).collect()
    } else {
        seen.to_vec()
    };
    let numeric: Option<Vec<f64>> = labels
        .iter()
        .map(|l| l.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    match numeric {
        Some(values) => {
            let mut pairs: Vec<(String, f64)> = labels.into_iter().zip(values).collect();
            if declared.is_none() {
                pairs.sort_by(|a, b| a.1.total_cmp(&b.1));
            }
            pairs
                .into_iter()
                .map(|(l, v)| Category::new(l, Some(v)))
                .collect()
        }
        None => labels.into_iter().map(|l| Category::new(l, None)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_sorted_missing_and_declared() {
        let d = parse_ratings("unit,a,b\n1,3,1\n2,,2\n3,1,1\n", None).unwrap();
        let labels: Vec<&str> = d.categories().iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["1", "2", "3"]);
        assert_eq!(d.n_units(), 3);
        let declared = ["1".to_string(), "2".into(), "3".into(), "4".into()];
        assert_eq!(
            parse_ratings("unit,a,b\n1,3,1\n", Some(&declared))
                .unwrap()
                .categories()
                .len(),
            4
        );
        let err = parse_ratings("unit,a,b\n1,3,1\n2,5,1\n", Some(&declared)).unwrap_err();
        assert_eq!(
            err,
            AgreementError::Csv {
                line: 3,
                message: "\"5\" is not one of the declared categories".into()
            }
        );
        let labels = parse_ratings("unit,a,b\nx,yes,no\ny,no,no\n", None).unwrap();
        assert_eq!(
            labels.categories()[0].label,
            "yes",
            "order of first appearance"
        );
        assert!(
            parse_ratings("unit,a,b\n1,3\n", None)
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
    }
}
