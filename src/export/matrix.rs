//! Code frequencies and matrices for R and Excel: codes x cases and codes x the values of one case
//! attribute (counting codings, distinct turns touched, or presence 0/1), and code co-occurrence
//! (turns in which codings of two codes overlap each other). Rows are codes in codebook order, with a
//! last `total` column (the code's frequency); each code counts its own codings only (a parent does
//! not add its children's).

use std::collections::{BTreeMap, BTreeSet};

use super::data::{ProjectData, turns_overlapping};
use super::excerpts::ExcerptFilter;
use super::table::{Cell, Table};
use crate::model::{CodeId, Coding, TranscriptId};

/// The last column of a code matrix: the code's frequency over all columns (for presence, the number
/// of cases or values with the code).
pub const TOTAL: &str = "total";

/// Column label for transcripts without a case, and for cases without the attribute.
pub const MISSING: &str = "(none)";

/// What a cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Number of codings.
    #[default]
    Codings,
    /// Number of distinct turns the codings touch.
    Turns,
    /// 1 when there is any coding, else 0.
    Presence,
}

impl std::str::FromStr for Measure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "codings" | "count" => Ok(Self::Codings),
            "turns" => Ok(Self::Turns),
            "presence" | "binary" => Ok(Self::Presence),
            _ => Err(format!(
                "unknown measure {s:?} (expected codings, turns or presence)"
            )),
        }
    }
}

/// What the columns are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Columns {
    /// One column per case.
    #[default]
    Cases,
    /// One column per value of this case attribute.
    Attribute(String),
}

/// A matrix to build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixSpec {
    /// The columns.
    pub columns: Columns,
    /// What each cell counts.
    pub measure: Measure,
}

/// The column a transcript falls in.
fn column_of(data: &ProjectData, transcript: TranscriptId, columns: &Columns) -> String {
    let case = data.transcript(transcript).and_then(|t| data.case_of(t));
    match columns {
        Columns::Cases => case.map_or(MISSING.to_string(), |c| c.name.clone()),
        Columns::Attribute(name) => case
            .and_then(|c| c.attributes.get(name))
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| MISSING.to_string()),
    }
}

/// Every column label, sorted: all cases (or all values any case has), so empty columns show too.
fn column_labels(data: &ProjectData, columns: &Columns) -> Vec<String> {
    let mut labels: BTreeSet<String> = data
        .transcripts
        .iter()
        .map(|t| column_of(data, t.transcript_id, columns))
        .collect();
    match columns {
        Columns::Cases => labels.extend(data.cases.iter().map(|c| c.name.clone())),
        Columns::Attribute(name) => labels.extend(
            data.cases
                .iter()
                .filter_map(|c| c.attributes.get(name))
                .filter(|v| !v.trim().is_empty())
                .cloned(),
        ),
    }
    labels.into_iter().collect()
}

/// A cell's counts: codings, and the distinct (transcript, turn) pairs they touch.
type Counts = (u64, BTreeSet<(TranscriptId, usize)>);

/// Codes x cases (or attribute values).
#[must_use]
pub fn code_matrix(data: &ProjectData, filter: &ExcerptFilter, spec: &MatrixSpec) -> Table {
    let labels = column_labels(data, &spec.columns);
    let mut cells: BTreeMap<(CodeId, String), Counts> = BTreeMap::new();
    for c in filter.select(data) {
        let column = column_of(data, c.transcript_id, &spec.columns);
        let entry = cells.entry((c.code_id, column)).or_default();
        entry.0 += 1;
        if let Some(t) = data.transcript(c.transcript_id) {
            for turn in turns_overlapping(&t.turns, c.span) {
                entry.1.insert((c.transcript_id, turn));
            }
        }
    }
    let mut header = vec!["code".to_string(), "code_id".to_string()];
    header.extend(labels.iter().cloned());
    header.push(TOTAL.to_string());
    let rows = data
        .codebook
        .tree_order()
        .into_iter()
        .map(|(_, code)| {
            let values: Vec<u64> = labels
                .iter()
                .map(|label| {
                    let (n, turns) = cells
                        .get(&(code.code_id, label.clone()))
                        .map_or((0, 0), |(n, t)| (*n, t.len() as u64));
                    match spec.measure {
                        Measure::Codings => n,
                        Measure::Turns => turns,
                        Measure::Presence => u64::from(n > 0),
                    }
                })
                .collect();
            let mut row = vec![
                Cell::from(data.codebook.path(code.code_id)),
                Cell::from(code.code_id.to_text()),
            ];
            row.extend(values.iter().map(|v| Cell::from(*v)));
            row.push(Cell::from(values.iter().sum::<u64>()));
            row
        })
        .collect();
    let by = match &spec.columns {
        Columns::Cases => "cases".to_string(),
        Columns::Attribute(a) => a.clone(),
    };
    Table {
        name: format!("Codes x {by}"),
        header,
        rows,
    }
}

/// Turns (by transcript and index) in which codings of each pair of codes overlap each other. The
/// diagonal holds the number of turns each code touches.
#[must_use]
pub fn cooccurrence(data: &ProjectData, filter: &ExcerptFilter) -> Table {
    let mut by_turn: BTreeMap<(TranscriptId, usize), Vec<&Coding>> = BTreeMap::new();
    for c in filter.select(data) {
        if let Some(t) = data.transcript(c.transcript_id) {
            for turn in turns_overlapping(&t.turns, c.span) {
                by_turn.entry((c.transcript_id, turn)).or_default().push(c);
            }
        }
    }
    let mut counts: BTreeMap<(CodeId, CodeId), u64> = BTreeMap::new();
    for codings in by_turn.values() {
        let mut pairs: BTreeSet<(CodeId, CodeId)> = BTreeSet::new();
        for a in codings {
            pairs.insert((a.code_id, a.code_id));
            for b in codings {
                if a.code_id != b.code_id && a.span.overlap(&b.span) > 0 {
                    pairs.insert((a.code_id, b.code_id));
                }
            }
        }
        for pair in pairs {
            *counts.entry(pair).or_default() += 1;
        }
    }
    let codes: Vec<CodeId> = data
        .codebook
        .tree_order()
        .into_iter()
        .map(|(_, c)| c.code_id)
        .collect();
    let mut header = vec!["code".to_string()];
    header.extend(codes.iter().map(|c| data.codebook.path(*c)));
    let rows = codes
        .iter()
        .map(|a| {
            let mut row = vec![Cell::from(data.codebook.path(*a))];
            row.extend(
                codes
                    .iter()
                    .map(|b| Cell::from(counts.get(&(*a, *b)).copied().unwrap_or(0))),
            );
            row
        })
        .collect();
    Table {
        name: "Co-occurrence".into(),
        header,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Case, CaseId, Code, Codebook, CodingId, RaterId, Role, SourceFormat, Span, Transcript,
        TurnId,
    };

    fn code(name: &str) -> Code {
        Code {
            code_id: CodeId::from_path(name),
            name: name.into(),
            parent_id: None,
            colour: "#000000".into(),
            short_definition: String::new(),
            definition: String::new(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position: 0,
        }
    }

    /// One transcript of two turns (0..10, 10..20) in case K1 (arm X), and codings of A and B.
    fn data(codings: &[(&str, usize, usize)]) -> ProjectData {
        let case = Case {
            case_id: CaseId::new_random(),
            name: "K1".into(),
            attributes: [("arm".to_string(), "X".to_string())].into(),
        };
        let turn = |index, start, end| crate::model::Turn {
            turn_id: TurnId::new_random(),
            index,
            span: Span::new(start, end),
            content_start: start,
            speaker: String::new(),
            role: Role::Other,
            start_ms: None,
            end_ms: None,
        };
        let transcript = Transcript {
            transcript_id: TranscriptId::new_random(),
            name: "T".into(),
            case_id: Some(case.case_id),
            source_file: String::new(),
            format: SourceFormat::Txt,
            text: "x".repeat(20),
            sha256: String::new(),
            len_chars: 20,
            imported_at: String::new(),
            turns: vec![turn(0, 0, 10), turn(1, 10, 20)],
        };
        let codings = codings
            .iter()
            .map(|(c, s, e)| Coding {
                coding_id: CodingId::new_random(),
                transcript_id: transcript.transcript_id,
                code_id: CodeId::from_path(c),
                rater_id: RaterId::new_random(),
                span: Span::new(*s, *e),
                codebook_version: 1,
                created_at: String::new(),
                removed_at: None,
            })
            .collect();
        ProjectData {
            codebook: Codebook {
                codes: vec![code("A"), code("B")],
                ..Codebook::default()
            },
            transcripts: vec![transcript],
            cases: vec![case],
            codings,
            ..ProjectData::default()
        }
    }

    fn cells(table: &Table) -> Vec<Vec<String>> {
        table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::to_text).collect())
            .collect()
    }

    #[test]
    fn counts_codings_turns_and_presence() {
        let d = data(&[("A", 0, 15), ("A", 2, 4)]);
        let all = ExcerptFilter::default();
        let measure = |measure| MatrixSpec {
            columns: Columns::Cases,
            measure,
        };
        let t = code_matrix(&d, &all, &measure(Measure::Codings));
        assert_eq!(t.header[2], "K1");
        assert_eq!(cells(&t)[0][2], "2");
        assert_eq!(cells(&t)[1][2], "0");
        assert_eq!(
            cells(&code_matrix(&d, &all, &measure(Measure::Turns)))[0][2],
            "2"
        );
        assert_eq!(
            cells(&code_matrix(&d, &all, &measure(Measure::Presence)))[0][2],
            "1"
        );
        let by_arm = MatrixSpec {
            columns: Columns::Attribute("arm".into()),
            measure: Measure::Codings,
        };
        assert_eq!(code_matrix(&d, &all, &by_arm).header[2], "X");
    }

    #[test]
    fn cooccurrence_needs_overlap_within_a_turn() {
        // A and B overlap in turn 0; in turn 1 they are both present but apart.
        let d = data(&[("A", 0, 5), ("B", 3, 8), ("A", 10, 12), ("B", 15, 18)]);
        let t = cooccurrence(&d, &ExcerptFilter::default());
        assert_eq!(cells(&t), [["A", "2", "1"], ["B", "1", "2"]]);
    }
}
