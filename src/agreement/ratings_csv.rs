//! A plain ratings matrix as CSV, the way a statistics package takes it: a header `unit,<rater>,...`,
//! one row per unit, an empty cell for a missing rating. Categories are the declared list when given
//! (a cell outside it is an error naming the line), else numeric order when every value is a number,
//! else order of first appearance.

use std::collections::BTreeSet;

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
    let mut rows: Vec<(usize, Vec<Option<String>>)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| csv_err(line, e.to_string()))?;
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
        let cells = record
            .iter()
            .skip(1)
            .map(|c| Some(c.trim().to_string()).filter(|c| !c.is_empty()))
            .collect();
        rows.push((line, cells));
    }
    let categories = categories(&rows, declared);
    let mut data = ReliabilityData::new(raters, categories.clone());
    for (line, cells) in rows {
        let indices = cells
            .iter()
            .map(|c| match c {
                None => Ok(None),
                Some(v) => categories
                    .iter()
                    .position(|k| {
                        k.label == *v
                            || matches!((k.value, v.parse::<f64>()), (Some(a), Ok(b)) if a == b)
                    })
                    .map(|i| Some(i as u32))
                    .ok_or_else(|| {
                        csv_err(line, format!("{v:?} is not one of the declared categories"))
                    }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        data.push_unit(&indices)?;
    }
    Ok(data)
}

fn categories(rows: &[(usize, Vec<Option<String>>)], declared: Option<&[String]>) -> Vec<Category> {
    let labels: Vec<String> = if let Some(d) = declared {
        d.iter().map(|s| s.trim().to_string()).collect()
    } else {
        let mut seen = BTreeSet::new();
        rows.iter()
            .flat_map(|(_, c)| c.iter().flatten())
            .filter(|v| seen.insert((*v).clone()))
            .cloned()
            .collect()
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
