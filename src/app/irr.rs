//! `accord irr`'s computations on plain data, the way a statistics package computes them: a ratings
//! matrix, or coded spans over a text of N characters (unitizing). The command line prints what
//! these return.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{AppError, Result};
use crate::agreement::unitize::groups::{GroupAlphas, GroupCoding, GroupContinuum, group_alphas};
use crate::agreement::unitize::{
    RaterSpans, Span, TranscriptCodings, UnitKind, UnitizingAlpha, binary_unitizing_alpha, unitize,
};
use crate::agreement::{AgreementError, StatOptions, StatsReport, compute_all, ratings_csv};

/// The statistics of a ratings matrix file (header `unit,<rater>,...`), with the declared
/// categories if given.
pub fn ratings(
    path: &Path,
    categories: Option<&[String]>,
    opts: &StatOptions,
) -> Result<StatsReport> {
    let text = super::read_table(path, "a ratings table")?;
    let data = ratings_csv::parse_ratings(&text, categories)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))?;
    Ok(compute_all(&data, opts))
}

/// A spans table read: each row's rater, code and span, over a text of `length` characters.
#[derive(Debug, Clone)]
pub struct SpansTable {
    rows: Vec<(String, String, Span)>,
    length: usize,
}

/// One code's agreement in a spans table.
#[derive(Debug, Clone)]
pub struct SpanCodeAgreement {
    /// The code.
    pub code: String,
    /// Binary unitizing alpha over the text.
    pub u_alpha: UnitizingAlpha,
    /// Every statistic over character units.
    pub report: StatsReport,
}

/// A group of mutually exclusive codes in a spans table, with its unitizing alphas.
#[derive(Debug, Clone)]
pub struct SpanGroupAgreement {
    /// The group's codes, as named.
    pub codes: Vec<String>,
    /// `uα`, `|uα` and `cuα` (see [`crate::agreement::unitize::groups`]).
    pub alphas: GroupAlphas,
}

/// Reads a spans table (header `rater,code,start,end`, half-open char offsets inside `length`).
pub fn read_spans(path: &Path, length: usize) -> Result<SpansTable> {
    let text = super::read_table(path, "a spans table")?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows: Vec<(String, String, Span)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record =
            record.map_err(|e| AppError::Invalid(format!("{}:{line}: {e}", path.display())))?;
        let field = |k: usize| record.get(k).map_or("", str::trim);
        let number = |k: usize| {
            field(k).parse::<usize>().map_err(|e| {
                AppError::Invalid(format!(
                    "{}:{line}: {:?} is not an offset: {e}",
                    path.display(),
                    field(k)
                ))
            })
        };
        let span = Span {
            start: number(2)?,
            end: number(3)?,
        };
        if !(span.start < span.end && span.end <= length) {
            return Err(AppError::Invalid(format!(
                "{}:{line}: span {}..{} is empty or outside 0..{length}",
                path.display(),
                span.start,
                span.end
            )));
        }
        rows.push((field(0).to_string(), field(1).to_string(), span));
    }
    let table = SpansTable { rows, length };
    let raters = table.raters();
    if raters.len() < 2 {
        return Err(AppError::Invalid(format!(
            "{}: {}: agreement needs two or more raters (the first column names the rater)",
            path.display(),
            match raters.first() {
                Some(one) => format!("every row is rater {one:?}"),
                None => "the table has no rows".to_string(),
            }
        )));
    }
    Ok(table)
}

impl SpansTable {
    /// The raters, in name order.
    #[must_use]
    pub fn raters(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.0.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Each code's agreement, codes in name order, computed as the caller takes them.
    pub fn codes<'a>(
        &'a self,
        opts: &'a StatOptions,
    ) -> impl Iterator<Item = std::result::Result<SpanCodeAgreement, AgreementError>> + 'a {
        let raters = self.raters();
        let codes: BTreeSet<&str> = self.rows.iter().map(|r| r.1.as_str()).collect();
        codes
            .into_iter()
            .map(move |code| self.code(&raters, code, opts))
    }

    fn code(
        &self,
        raters: &[String],
        code: &str,
        opts: &StatOptions,
    ) -> std::result::Result<SpanCodeAgreement, AgreementError> {
        let by_rater = raters
            .iter()
            .enumerate()
            .map(|(i, name)| RaterSpans {
                rater: i,
                spans: self
                    .rows
                    .iter()
                    .filter(|r| r.0 == *name && r.1 == code)
                    .map(|r| r.2)
                    .collect(),
            })
            .collect();
        let transcripts = [TranscriptCodings {
            len_chars: self.length,
            turns: &[],
            sentences: &[],
            by_rater,
        }];
        let u_alpha = binary_unitizing_alpha(raters.len(), &transcripts)?;
        let unitized = unitize(&UnitKind::Character, raters, &transcripts)?;
        Ok(SpanCodeAgreement {
            code: code.to_string(),
            u_alpha,
            report: compute_all(&unitized.data, opts),
        })
    }

    /// The unitizing alphas of the group `spec` names: a comma list of the table's codes, or
    /// `all` (what `accord irr --spans --group` prints).
    ///
    /// # Errors
    /// A code the table does not hold, fewer than two codes, fewer than two raters.
    pub fn group(&self, spec: &str) -> Result<SpanGroupAgreement> {
        let known: BTreeSet<&str> = self.rows.iter().map(|r| r.1.as_str()).collect();
        let mut codes: Vec<String> = Vec::new();
        if spec.trim() == "all" {
            codes.extend(known.iter().map(|c| (*c).to_string()));
        } else {
            for code in spec.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if !codes.iter().any(|c| c == code) {
                    codes.push(code.to_string());
                }
            }
            let unknown: Vec<&str> = codes
                .iter()
                .map(String::as_str)
                .filter(|c| !known.contains(c))
                .collect();
            if !unknown.is_empty() {
                return Err(AppError::Invalid(format!(
                    "--group: {} {} not in the spans table (its codes: {})",
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" },
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        if codes.len() < 2 {
            return Err(AppError::Invalid(format!(
                "--group: a group needs at least two codes, and {} {} one: a single code's unitizing \
                 alpha is its u_alpha_binary",
                if spec.trim() == "all" {
                    "the table holds"
                } else {
                    "it names"
                },
                if codes.is_empty() { "not even" } else { "only" }
            )));
        }
        let raters = self.raters();
        let codings = self
            .rows
            .iter()
            .filter_map(|(rater, code, span)| {
                Some(GroupCoding {
                    rater: raters.iter().position(|r| r == rater)?,
                    code: codes.iter().position(|c| c == code)?,
                    span: *span,
                })
            })
            .collect();
        let alphas = group_alphas(
            raters.len(),
            &raters,
            &codes,
            &[GroupContinuum {
                name: String::new(),
                len_chars: self.length,
                codings,
            }],
        )
        .map_err(|e| AppError::Invalid(format!("--group: {e}")))?;
        Ok(SpanGroupAgreement { codes, alphas })
    }

    /// Every code's agreement, by code (what `accord irr --spans --json` prints, with each
    /// report's `u_alpha_binary`).
    pub fn all(
        &self,
        opts: &StatOptions,
    ) -> std::result::Result<BTreeMap<String, SpanCodeAgreement>, AgreementError> {
        self.codes(opts)
            .map(|c| c.map(|c| (c.code.clone(), c)))
            .collect()
    }
}
