//! Breakdown tables (`accord agreement PROJECT --by transcript|pair|ATTRIBUTE`): one row per code
//! (and roll-up and pooled rows, as in the per-code report), one column per transcript, per value
//! of a case attribute (arm, site, ...) or, for three or more raters, per pair of raters; each cell
//! the chosen statistic with its number of units. A first column "all" holds the report's own
//! figure.
//!
//! Each cell is the per-code computation of the report on a restricted selection, so it is exactly
//! what `accord agreement` prints for that code with the same restriction: a transcript's column
//! is `--transcripts T`, an attribute value's column the transcripts of the cases with that value,
//! a pair's column `--raters A,B` (over the transcripts both of them coded).

use std::collections::BTreeMap;

use serde::Serialize;

use super::agreement::{AgreementOptions, report_from_input};
use super::agreement_input::{AgreementInput, Selection, gather};
use super::{AppError, Result};
use crate::agreement::project::{CodeRow, Excluded, ProjectAgreement, Unit};
use crate::agreement::{Estimate, STATISTICS};
use crate::store::Store;

/// What the columns are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// One column per compared transcript.
    Transcript,
    /// One column per pair of raters (three or more raters).
    Pair,
    /// One column per value of a case attribute.
    Attribute(String),
}

impl std::str::FromStr for By {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim();
        match s.to_ascii_lowercase().as_str() {
            "" => Err("give transcript, pair or a case attribute's name".into()),
            "transcript" | "transcripts" => Ok(Self::Transcript),
            "pair" | "pairs" => Ok(Self::Pair),
            _ => Ok(Self::Attribute(s.to_string())),
        }
    }
}

impl By {
    /// How the table names its columns.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Transcript => "transcript",
            Self::Pair => "pair",
            Self::Attribute(a) => a,
        }
    }
}

/// The statistic in each cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Statistic {
    /// The report's kappa column (Cohen's for two raters, Fleiss' for more, MAXQDA's at segment
    /// level).
    #[default]
    Kappa,
    /// The report's alpha column (Krippendorff's alpha; binary unitizing alpha at that unit).
    Alpha,
    /// Percent agreement.
    Agreement,
    /// Gwet's AC1.
    Ac1,
    /// Any statistic of `accord irr` by its JSON name.
    Named(&'static str),
}

impl std::str::FromStr for Statistic {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "kappa" => Ok(Self::Kappa),
            "alpha" => Ok(Self::Alpha),
            "agreement" | "percent" => Ok(Self::Agreement),
            "ac1" => Ok(Self::Ac1),
            _ => STATISTICS
                .iter()
                .copied()
                .find(|n| *n == lower)
                .map(Self::Named)
                .ok_or_else(|| {
                    format!(
                        "unknown statistic {s:?} (expected kappa, alpha, agreement, ac1 or one of {})",
                        STATISTICS.join(", ")
                    )
                }),
        }
    }
}

impl Statistic {
    /// The cell's estimate in a report row.
    #[must_use]
    pub fn of(self, row: &CodeRow) -> Estimate {
        match self {
            Self::Kappa => row.kappa.clone(),
            Self::Alpha => row.alpha.clone(),
            Self::Agreement => row.percent_agreement.clone(),
            Self::Ac1 => row.gwet_ac1.clone(),
            Self::Named(name) => row.statistics.get(name),
        }
    }

    /// The statistic's name in a report (the kappa's depends on the raters and the unit).
    #[must_use]
    pub fn label(self, report: &ProjectAgreement) -> String {
        match self {
            Self::Kappa => report
                .rows
                .first()
                .or(report.pooled.as_ref())
                .map_or_else(|| "kappa".to_string(), |r| r.kappa_name.clone()),
            Self::Alpha if report.unit == Unit::Unitizing => "binary unitizing alpha".into(),
            Self::Alpha => "Krippendorff's alpha".into(),
            Self::Agreement => "percent agreement".into(),
            Self::Ac1 => "Gwet's AC1".into(),
            Self::Named(name) => name.into(),
        }
    }

    /// Whether the statistic's interval needs the bootstrap (the breakdown runs it only then).
    fn bootstrapped(self) -> bool {
        matches!(
            self,
            Self::Alpha | Self::Named("krippendorff_alpha" | "mean_pairwise_cohen_kappa")
        )
    }
}

/// One column: a restriction of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Its heading: "all", a transcript's name, an attribute value or "A / B".
    pub name: String,
    /// The statistic's name in this column (Fleiss' kappa for all raters, Cohen's for a pair).
    pub statistic: String,
    /// The raters compared.
    pub raters: Vec<String>,
    /// The transcripts compared.
    pub transcripts: Vec<String>,
}

/// One cell: the statistic and the units it ran over.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Units compared (characters, turns, sentences or segments).
    pub units: u64,
    /// The statistic (undefined with its reason, never 0 or 1 for want of data).
    pub estimate: Estimate,
}

/// One row: a code (or a roll-up, or the pooled row) and a cell per column.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Code path, as in the report.
    pub code: String,
    /// Code id (none for the pooled row).
    pub code_id: Option<String>,
    /// One cell per column.
    pub cells: Vec<Cell>,
}

/// A breakdown table.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// What the columns are: "transcript", "pair" or the attribute's name.
    pub by: String,
    /// The unit.
    pub unit: Unit,
    /// Unit, rule and what the statistics run over (the report's).
    pub description: String,
    /// The statistic, as the first column names it.
    pub statistic: String,
    /// Raters compared.
    pub raters: Vec<String>,
    /// Transcripts left out of the whole comparison, and why.
    pub excluded: Vec<Excluded>,
    /// The columns, "all" first.
    pub columns: Vec<Column>,
    /// The rows in the report's order (worst first, roll-ups beside their codes, pooled last).
    pub rows: Vec<Row>,
}

/// The column heading of a rater pair.
#[must_use]
pub fn pair_name(a: &str, b: &str) -> String {
    format!("{a} / {b}")
}

/// The input restricted to some of its transcripts (by position), codes unchanged.
fn only(input: &AgreementInput, keep: &[usize]) -> AgreementInput {
    AgreementInput {
        raters: input.raters.clone(),
        codes: input.codes.clone(),
        transcripts: keep
            .iter()
            .filter_map(|&i| input.transcripts.get(i).cloned())
            .collect(),
        excluded: Vec::new(),
        codebook: input.codebook.clone(),
    }
}

/// The columns' inputs, with their headings.
fn columns(
    store: &Store,
    selection: &Selection,
    input: &AgreementInput,
    by: &By,
) -> Result<Vec<(String, AgreementInput)>> {
    match by {
        By::Transcript => Ok(input
            .transcripts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.transcript.name.clone(), only(input, &[i])))
            .collect()),
        By::Attribute(name) => {
            let cases = store.cases()?;
            let known: std::collections::BTreeSet<&str> = cases
                .iter()
                .flat_map(|c| c.attributes.keys().map(String::as_str))
                .collect();
            if !known.contains(name.as_str()) {
                let list = if known.is_empty() {
                    "no case has attributes (accord attributes PROJECT FILE imports them)"
                        .to_string()
                } else {
                    format!(
                        "the attributes are: {}",
                        known.into_iter().collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(AppError::Invalid(format!(
                    "--by {name:?}: no case has an attribute {name:?}; {list} (or give transcript or pair)"
                )));
            }
            let value_of: BTreeMap<_, &str> = cases
                .iter()
                .filter_map(|c| Some((c.case_id, c.attributes.get(name)?.as_str())))
                .collect();
            let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            let mut none = Vec::new();
            for (i, t) in input.transcripts.iter().enumerate() {
                match t.transcript.case_id.and_then(|c| value_of.get(&c).copied()) {
                    Some(value) => groups.entry(value).or_default().push(i),
                    None => none.push(i),
                }
            }
            let mut out: Vec<(String, AgreementInput)> = groups
                .into_iter()
                .map(|(value, keep)| (value.to_string(), only(input, &keep)))
                .collect();
            if !none.is_empty() {
                out.push((format!("(no {name})"), only(input, &none)));
            }
            Ok(out)
        }
        By::Pair => {
            if input.raters.len() < 3 {
                let names: Vec<&str> = input.raters.iter().map(|r| r.1.as_str()).collect();
                return Err(AppError::Invalid(format!(
                    "--by pair needs three or more raters; {} are compared ({}): their pair is the report itself",
                    names.len(),
                    names.join(", ")
                )));
            }
            let mut out = Vec::new();
            for (i, a) in input.raters.iter().enumerate() {
                for b in &input.raters[i + 1..] {
                    let pair = gather(
                        store,
                        &Selection {
                            raters: vec![a.0, b.0],
                            ..selection.clone()
                        },
                    )?;
                    out.push((pair_name(&a.1, &b.1), pair));
                }
            }
            Ok(out)
        }
    }
}

/// Computes a breakdown table of the selection.
pub fn breakdown(
    store: &Store,
    selection: &Selection,
    options: &AgreementOptions,
    by: &By,
    statistic: Statistic,
) -> Result<Breakdown> {
    let mut options = *options;
    if !statistic.bootstrapped() {
        // Only alpha's and Light's kappa's intervals need it; the cells show the other
        // statistics' analytic intervals.
        options.stats.bootstrap_replicates = 0;
    }
    let mut input = gather(store, selection)?;
    let mut parts = columns(store, selection, &input, by)?;
    // Every column reports the same codes: those selected, else every code any column compared.
    if selection.codes.is_empty() {
        let mut used: std::collections::BTreeSet<crate::model::CodeId> =
            input.codes.iter().map(|c| c.0).collect();
        for (_, part) in &parts {
            used.extend(part.codes.iter().map(|c| c.0));
        }
        let codes: Vec<_> = input
            .codebook
            .tree_order()
            .into_iter()
            .filter(|(_, c)| used.contains(&c.code_id))
            .map(|(_, c)| (c.code_id, input.codebook.path(c.code_id)))
            .collect();
        input.codes.clone_from(&codes);
        for (_, part) in &mut parts {
            part.codes.clone_from(&codes);
        }
    }
    let (all, _) = report_from_input(&input, &options, false)?;
    let mut columns = vec![column("all", &all, statistic)];
    let mut reports = vec![all];
    for (name, part) in &parts {
        let (report, _) = report_from_input(part, &options, false)?;
        columns.push(column(name, &report, statistic));
        reports.push(report);
    }
    let cells_of = |report: &ProjectAgreement| -> BTreeMap<String, Cell> {
        report
            .rows
            .iter()
            .chain(report.pooled.iter())
            .map(|r| {
                (
                    r.code.clone(),
                    Cell {
                        units: r.units,
                        estimate: statistic.of(r),
                    },
                )
            })
            .collect()
    };
    let by_column: Vec<BTreeMap<String, Cell>> = reports.iter().map(cells_of).collect();
    let first = &reports[0];
    let rows = first
        .rows
        .iter()
        .chain(first.pooled.iter())
        .map(|r| Row {
            code: r.code.clone(),
            code_id: r.code_id.clone(),
            cells: by_column
                .iter()
                .zip(&reports)
                .map(|(cells, report)| {
                    cells.get(&r.code).cloned().unwrap_or_else(|| Cell {
                        units: 0,
                        estimate: Estimate::undefined(super::agreement::no_common_units(
                            report.raters.len(),
                        )),
                    })
                })
                .collect(),
        })
        .collect();
    Ok(Breakdown {
        by: by.name().to_string(),
        unit: first.unit,
        description: first.description.clone(),
        statistic: statistic.label(first),
        raters: first.raters.clone(),
        excluded: first.excluded.clone(),
        columns,
        rows,
    })
}

fn column(name: &str, report: &ProjectAgreement, statistic: Statistic) -> Column {
    Column {
        name: name.to_string(),
        statistic: statistic.label(report),
        raters: report.raters.clone(),
        transcripts: report.transcripts.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_and_statistic_parse() {
        assert_eq!("transcript".parse::<By>(), Ok(By::Transcript));
        assert_eq!("Pairs".parse::<By>(), Ok(By::Pair));
        assert_eq!("arm".parse::<By>(), Ok(By::Attribute("arm".into())));
        assert!(" ".parse::<By>().is_err());
        assert_eq!("AC1".parse::<Statistic>(), Ok(Statistic::Ac1));
        assert_eq!(
            "scott_pi".parse::<Statistic>(),
            Ok(Statistic::Named("scott_pi"))
        );
        let err = "tau".parse::<Statistic>().unwrap_err();
        assert!(
            err.contains("\"tau\"") && err.contains("brennan_prediger"),
            "{err}"
        );
    }
}
