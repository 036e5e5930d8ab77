//! The code heatmaps: co-occurrence (code x code: the turns coded with both, exactly the turns the
//! code query `code:A AND code:B` finds) and codes x cases (or x the values of a case attribute:
//! each code's codings, or turns, in each), with each cell's passages, one click from their place.
//! Pure functions of an export snapshot ([`ProjectData`], loaded by [`super::export::snapshot`]) and
//! an [`ExcerptFilter`] (codes, raters or the consensus, transcripts, cases, attributes), so the
//! window, `accord cooccurrence`, `accord crosstab` and their files count the same way.
//!
//! A coding is in a turn when it overlaps the turn's words (not only its speaker label), as the
//! search's coded passages are cut.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::export::matrix::{Columns, MISSING, Measure, TOTAL};
use crate::export::{Cell, ExcerptFilter, ProjectData, Table};
use crate::model::{CodeId, Coding, Span, Transcript, TranscriptId};

/// A turn: its transcript and its index.
pub type TurnRef = (TranscriptId, usize);

/// The indices of the turns whose words `span` overlaps (turns are in text order).
#[must_use]
pub fn turns_touched(transcript: &Transcript, span: Span) -> Vec<usize> {
    let turns = &transcript.turns;
    let first = turns.partition_point(|t| t.span.end <= span.start);
    turns[first..]
        .iter()
        .take_while(|t| t.span.start < span.end)
        .filter(|t| t.content_span().overlap(&span) > 0)
        .map(|t| t.index)
        .collect()
}

/// The snapshot's transcripts by id.
fn by_id(data: &ProjectData) -> HashMap<TranscriptId, &Transcript> {
    data.transcripts
        .iter()
        .map(|t| (t.transcript_id, t))
        .collect()
}

/// Each code's turns: those the codings the filter keeps overlap.
#[must_use]
pub fn coded_turns(
    data: &ProjectData,
    filter: &ExcerptFilter,
) -> BTreeMap<CodeId, BTreeSet<TurnRef>> {
    let transcripts = by_id(data);
    let mut out: BTreeMap<CodeId, BTreeSet<TurnRef>> = BTreeMap::new();
    for coding in filter.select(data) {
        if let Some(t) = transcripts.get(&coding.transcript_id) {
            let turns = out.entry(coding.code_id).or_default();
            for turn in turns_touched(t, coding.span) {
                turns.insert((coding.transcript_id, turn));
            }
        }
    }
    out
}

/// The codes of a heatmap's rows, in codebook order: those the filter names (without children),
/// else those the kept codings use.
fn row_codes(data: &ProjectData, filter: &ExcerptFilter, kept: &[&Coding]) -> Vec<CodeId> {
    let used: BTreeSet<CodeId> = kept.iter().map(|c| c.code_id).collect();
    data.codebook
        .tree_order()
        .into_iter()
        .map(|(_, c)| c.code_id)
        .filter(|id| {
            if filter.codes.is_empty() || filter.include_children {
                used.contains(id)
            } else {
                filter.codes.contains(id)
            }
        })
        .collect()
}

/// A passage of a cell: where it is, and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// The transcript.
    pub transcript_id: TranscriptId,
    /// Its name.
    pub transcript: String,
    /// Its case, if any.
    pub case: Option<String>,
    /// The turn (its index; the first, for a coding over several).
    pub turn: usize,
    /// Who speaks there.
    pub speaker: String,
    /// The passage's place in the transcript (chars).
    pub span: Span,
    /// Its words.
    pub text: String,
}

fn passage(data: &ProjectData, t: &Transcript, span: Span) -> Passage {
    let turn = crate::export::data::turn_at(&t.turns, span.start);
    Passage {
        transcript_id: t.transcript_id,
        transcript: t.name.clone(),
        case: data.case_of(t).map(|c| c.name.clone()),
        turn: turn.map_or(0, |turn| turn.index),
        speaker: turn.map(|turn| turn.speaker.clone()).unwrap_or_default(),
        span,
        text: crate::model::text::slice_chars(&t.text, span.start, span.end).to_string(),
    }
}

/// Code x code: how many turns were coded with both (the diagonal: with the code at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cooccurrence {
    /// The codes, rows and columns alike.
    pub codes: Vec<CodeId>,
    /// Their paths.
    pub names: Vec<String>,
    /// `counts[i][j]`: turns coded with code i and code j; `counts[i][i]`: turns coded with i.
    pub counts: Vec<Vec<usize>>,
    /// Each code's turns.
    #[serde(skip)]
    turns: Vec<BTreeSet<TurnRef>>,
}

/// The co-occurrence of the codes the filter keeps, counted by turn: each turn adds one to every
/// pair of the codes coded there.
#[must_use]
pub fn cooccurrence(data: &ProjectData, filter: &ExcerptFilter) -> Cooccurrence {
    let kept = filter.select(data);
    let codes = row_codes(data, filter, &kept);
    let mut by_code = coded_turns(data, filter);
    let turns: Vec<BTreeSet<TurnRef>> = codes
        .iter()
        .map(|c| by_code.remove(c).unwrap_or_default())
        .collect();
    let mut codes_of_turn: HashMap<TurnRef, Vec<usize>> = HashMap::new();
    for (i, set) in turns.iter().enumerate() {
        for turn in set {
            codes_of_turn.entry(*turn).or_default().push(i);
        }
    }
    let mut counts = vec![vec![0; codes.len()]; codes.len()];
    for here in codes_of_turn.values() {
        for &a in here {
            for &b in here {
                counts[a][b] += 1;
            }
        }
    }
    Cooccurrence {
        names: codes.iter().map(|c| data.codebook.path(*c)).collect(),
        codes,
        counts,
        turns,
    }
}

impl Cooccurrence {
    /// The turns of a cell (coded with both codes), in transcript order.
    #[must_use]
    pub fn cell_turns(&self, row: usize, column: usize) -> Vec<TurnRef> {
        match (self.turns.get(row), self.turns.get(column)) {
            (Some(a), Some(b)) => a.intersection(b).copied().collect(),
            _ => Vec::new(),
        }
    }

    /// A cell's passages: each turn's words, by transcript name and turn.
    #[must_use]
    pub fn passages(&self, data: &ProjectData, row: usize, column: usize) -> Vec<Passage> {
        let transcripts = by_id(data);
        let mut out: Vec<Passage> = self
            .cell_turns(row, column)
            .into_iter()
            .filter_map(|(id, turn)| {
                let t = transcripts.get(&id)?;
                let turn = t.turns.iter().find(|x| x.index == turn)?;
                Some(passage(data, t, turn.content_span()))
            })
            .collect();
        out.sort_by(|a, b| (&a.transcript, a.turn).cmp(&(&b.transcript, b.turn)));
        out
    }

    /// The matrix as a table: a row per code, a column per code.
    #[must_use]
    pub fn to_table(&self) -> Table {
        let mut header = vec!["code".to_string()];
        header.extend(self.names.iter().cloned());
        let rows = self
            .names
            .iter()
            .zip(&self.counts)
            .map(|(name, row)| {
                let mut cells = vec![Cell::from(name.as_str())];
                cells.extend(row.iter().map(|n| Cell::from(*n as u64)));
                cells
            })
            .collect();
        Table {
            name: "Co-occurrence (turns)".into(),
            header,
            rows,
        }
    }
}

/// Codes x cases (or x the values of a case attribute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crosstab {
    /// What the columns are: "cases", or the attribute's name.
    pub by: String,
    /// What a cell counts: "codings", "turns" or "presence".
    pub measure: String,
    /// The codes (rows).
    pub codes: Vec<CodeId>,
    /// Their paths.
    pub names: Vec<String>,
    /// The columns: case names or attribute values (`(none)`: without a case or the attribute).
    pub columns: Vec<String>,
    /// `counts[code][column]`.
    pub counts: Vec<Vec<usize>>,
    /// Each cell's passages' places: the codings, or the turns' words.
    #[serde(skip)]
    places: Vec<Vec<Vec<(TranscriptId, Span)>>>,
}

/// The column a transcript falls in.
fn column_of(data: &ProjectData, t: &Transcript, columns: &Columns) -> String {
    let case = data.case_of(t);
    match columns {
        Columns::Cases => case.map_or(MISSING.to_string(), |c| c.name.clone()),
        Columns::Attribute(name) => case
            .and_then(|c| c.attributes.get(name))
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| MISSING.to_string()),
    }
}

/// Codes x cases (or attribute values): each code's codings (or distinct turns, or presence) in
/// each column, with every case (or value) a column, empty ones too.
#[must_use]
pub fn crosstab(
    data: &ProjectData,
    filter: &ExcerptFilter,
    columns: &Columns,
    measure: Measure,
) -> Crosstab {
    let transcripts = by_id(data);
    let kept = filter.select(data);
    let codes = row_codes(data, filter, &kept);
    let mut labels: BTreeSet<String> = data
        .transcripts
        .iter()
        .map(|t| column_of(data, t, columns))
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
    let labels: Vec<String> = labels.into_iter().collect();
    let row_of: HashMap<CodeId, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let column_index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut places = vec![vec![Vec::new(); labels.len()]; codes.len()];
    let mut seen_turns: BTreeSet<(usize, usize, TurnRef)> = BTreeSet::new();
    for coding in kept {
        let (Some(&row), Some(t)) = (
            row_of.get(&coding.code_id),
            transcripts.get(&coding.transcript_id),
        ) else {
            continue;
        };
        let Some(&column) = column_index.get(column_of(data, t, columns).as_str()) else {
            continue;
        };
        match measure {
            Measure::Turns => {
                for turn in turns_touched(t, coding.span) {
                    if seen_turns.insert((row, column, (t.transcript_id, turn)))
                        && let Some(x) = t.turns.iter().find(|x| x.index == turn)
                    {
                        places[row][column].push((t.transcript_id, x.content_span()));
                    }
                }
            }
            Measure::Codings | Measure::Presence => {
                places[row][column].push((t.transcript_id, coding.span));
            }
        }
    }
    for row in &mut places {
        for cell in row.iter_mut() {
            cell.sort_by_key(|(id, span)| {
                (
                    transcripts.get(id).map(|t| t.name.clone()),
                    span.start,
                    span.end,
                )
            });
        }
    }
    let counts = places
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| match measure {
                    Measure::Presence => usize::from(!cell.is_empty()),
                    Measure::Codings | Measure::Turns => cell.len(),
                })
                .collect()
        })
        .collect();
    Crosstab {
        by: match columns {
            Columns::Cases => "cases".into(),
            Columns::Attribute(name) => name.clone(),
        },
        measure: match measure {
            Measure::Codings => "codings",
            Measure::Turns => "turns",
            Measure::Presence => "presence",
        }
        .into(),
        names: codes.iter().map(|c| data.codebook.path(*c)).collect(),
        codes,
        columns: labels,
        counts,
        places,
    }
}

impl Crosstab {
    /// A cell's passages: the codings (or turns) of the code in the column, by transcript and place.
    #[must_use]
    pub fn passages(&self, data: &ProjectData, row: usize, column: usize) -> Vec<Passage> {
        let transcripts = by_id(data);
        self.places
            .get(row)
            .and_then(|r| r.get(column))
            .map(|cell| {
                cell.iter()
                    .filter_map(|(id, span)| Some(passage(data, transcripts.get(id)?, *span)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The matrix as a table: a row per code (its path and id), a column per case or value, and
    /// the code's total.
    #[must_use]
    pub fn to_table(&self) -> Table {
        let mut header = vec!["code".to_string(), "code_id".to_string()];
        header.extend(self.columns.iter().cloned());
        header.push(TOTAL.to_string());
        let rows = self
            .codes
            .iter()
            .zip(&self.names)
            .zip(&self.counts)
            .map(|((id, name), row)| {
                let mut cells = vec![Cell::from(name.as_str()), Cell::from(id.to_text())];
                cells.extend(row.iter().map(|n| Cell::from(*n as u64)));
                cells.push(Cell::from(row.iter().sum::<usize>() as u64));
                cells
            })
            .collect();
        Table {
            name: format!("Codes x {} ({})", self.by, self.measure),
            header,
            rows,
        }
    }
}

/// Writes a table (a heatmap, a search's hits) to a `.csv`, `.xlsx` or `.md` file, as its
/// extension says, through the one safe writer ([`super::export::OutputTarget`]: never the project
/// or its files; an existing file of another kind only with `force`). Returns the warnings (XLSX
/// cells cut at Excel's limit); an error says what is wrong, and nothing is written.
pub fn save_table(
    path: &std::path::Path,
    project: Option<&std::path::Path>,
    force: bool,
    table: &Table,
) -> std::result::Result<Vec<String>, String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let (extensions, zip): (&[&str], bool) = match extension.as_str() {
        "csv" => (&["csv"], false),
        "xlsx" => (&["xlsx"], true),
        "md" | "markdown" => (&["md", "markdown"], false),
        _ => {
            return Err(format!(
                "{}: write a .csv, .xlsx or .md file",
                path.display()
            ));
        }
    };
    let target = super::export::OutputTarget {
        path,
        extensions,
        zip,
        project,
        force,
    };
    target.check().map_err(|e| e.to_string())?;
    let fail = |e: crate::export::ExportError| format!("{}: {e}", path.display());
    let (bytes, warnings) = match extension.as_str() {
        "csv" => (table.to_csv().map_err(fail)?.into_bytes(), Vec::new()),
        "xlsx" => {
            let mut bytes = Vec::new();
            let warnings =
                crate::export::table::write_xlsx(std::slice::from_ref(table), &mut bytes)
                    .map_err(fail)?;
            (bytes, warnings)
        }
        _ => (table.to_markdown().into_bytes(), Vec::new()),
    };
    target.write(&bytes).map_err(|e| e.to_string())?;
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Case, CaseId, Code, Codebook, CodingId, RaterId, Role, SourceFormat, Turn, TurnId,
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

    /// Transcripts of `turns` turns of ten chars each (a two-char label, then eight of words), the
    /// first in case K1 (site A), the second in K2 (site B), any further without a case.
    fn data(
        transcripts: usize,
        turns: usize,
        codings: &[(usize, &str, usize, usize)],
    ) -> ProjectData {
        let cases: Vec<Case> = [("K1", "A"), ("K2", "B")]
            .iter()
            .map(|(name, site)| Case {
                case_id: CaseId::new_random(),
                name: (*name).into(),
                attributes: [("site".to_string(), (*site).to_string())].into(),
            })
            .collect();
        let transcripts: Vec<Transcript> = (0..transcripts)
            .map(|n| Transcript {
                transcript_id: TranscriptId::new_random(),
                name: format!("T{n}"),
                case_id: cases.get(n).map(|c| c.case_id),
                source_file: String::new(),
                format: SourceFormat::Txt,
                text: "x".repeat(turns * 10),
                sha256: String::new(),
                len_chars: turns * 10,
                imported_at: String::new(),
                turns: (0..turns)
                    .map(|i| Turn {
                        turn_id: TurnId::new_random(),
                        index: i,
                        span: Span::new(i * 10, i * 10 + 10),
                        content_start: i * 10 + 2,
                        speaker: "S".into(),
                        role: Role::Participant,
                        start_ms: None,
                        end_ms: None,
                    })
                    .collect(),
            })
            .collect();
        let rater = RaterId::new_random();
        let codings = codings
            .iter()
            .map(|(t, c, s, e)| Coding {
                coding_id: CodingId::new_random(),
                transcript_id: transcripts[*t].transcript_id,
                code_id: CodeId::from_path(c),
                rater_id: rater,
                span: Span::new(*s, *e),
                codebook_version: 1,
                created_at: String::new(),
                removed_at: None,
            })
            .collect();
        ProjectData {
            codebook: Codebook {
                codes: ["A", "B", "C", "D"].iter().map(|c| code(c)).collect(),
                ..Codebook::default()
            },
            transcripts,
            cases,
            codings,
            ..ProjectData::default()
        }
    }

    #[test]
    fn a_hand_worked_cooccurrence_and_crosstab() {
        // T0 (K1): A on turn 0 (2..9) and on turns 1-2 (12..25); B on turn 1 (14..16); C only on
        // turn 2's label (20..22, so on no turn). T1 (K2): A and B on turn 0; A again on turn 0.
        // A's turns: T0#0, T0#1, T0#2, T1#0 = 4; B's: T0#1, T1#0 = 2; both: T0#1, T1#0 = 2.
        // C touches no turn's words, so has no turn: a row only if named.
        let d = data(
            2,
            3,
            &[
                (0, "A", 2, 9),
                (0, "A", 12, 25),
                (0, "B", 14, 16),
                (0, "C", 20, 22),
                (1, "A", 3, 5),
                (1, "B", 4, 8),
                (1, "A", 6, 7),
            ],
        );
        let all = ExcerptFilter::default();
        let m = cooccurrence(&d, &all);
        assert_eq!(m.names, ["A", "B", "C"]);
        assert_eq!(m.counts, [[4, 2, 0], [2, 2, 0], [0, 0, 0]]);
        let both: Vec<(String, usize)> = m
            .passages(&d, 0, 1)
            .into_iter()
            .map(|p| (p.transcript, p.turn))
            .collect();
        assert_eq!(both, [("T0".to_string(), 1), ("T1".to_string(), 0)]);
        assert_eq!(
            m.passages(&d, 0, 1)[0].span,
            Span::new(12, 20),
            "the turn's words"
        );
        // Codes x cases: codings (A: 2 in K1, 2 in K2), turns (A: 3 in K1, 1 in K2), presence.
        let c = crosstab(&d, &all, &Columns::Cases, Measure::Codings);
        assert_eq!(c.columns, ["K1", "K2"]);
        assert_eq!(c.counts, [[2, 2], [1, 1], [1, 0]]);
        assert_eq!(c.passages(&d, 0, 1).len(), 2);
        assert_eq!(
            c.passages(&d, 0, 0)[1].span,
            Span::new(12, 25),
            "the coding"
        );
        let c = crosstab(&d, &all, &Columns::Cases, Measure::Turns);
        assert_eq!(c.counts, [[3, 1], [1, 1], [0, 0]]);
        let c = crosstab(
            &d,
            &all,
            &Columns::Attribute("site".into()),
            Measure::Presence,
        );
        assert_eq!(
            (c.columns.clone(), c.counts.clone()),
            (
                vec!["A".to_string(), "B".into()],
                vec![vec![1, 1], vec![1, 1], vec![1, 0]]
            )
        );
        // Named codes are the rows, used or not, in codebook order.
        let named = ExcerptFilter {
            codes: vec![CodeId::from_path("D"), CodeId::from_path("B")],
            ..ExcerptFilter::default()
        };
        let m = cooccurrence(&d, &named);
        assert_eq!(
            (m.names.clone(), m.counts.clone()),
            (
                vec!["B".to_string(), "D".into()],
                vec![vec![2, 0], vec![0, 0]]
            )
        );
        assert_eq!(m.to_table().rows.len(), 2);
    }

    /// The naive count: every turn, every pair of codes, every coding.
    fn naive(d: &ProjectData, codes: &[CodeId]) -> Vec<Vec<usize>> {
        let touches = |t: &Transcript, turn: &Turn, code: CodeId| {
            d.codings.iter().any(|c| {
                c.transcript_id == t.transcript_id
                    && c.code_id == code
                    && c.span.overlap(&turn.content_span()) > 0
            })
        };
        codes
            .iter()
            .map(|&a| {
                codes
                    .iter()
                    .map(|&b| {
                        d.transcripts
                            .iter()
                            .flat_map(|t| t.turns.iter().map(move |turn| (t, turn)))
                            .filter(|(t, turn)| touches(t, turn, a) && touches(t, turn, b))
                            .count()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_counting_by_turn_is_the_naive_count() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap()
        };
        for _ in 0..200 {
            let (transcripts, turns) = (1 + next(3), 1 + next(6));
            let codings: Vec<(usize, &str, usize, usize)> = (0..next(12))
                .map(|_| {
                    let start = next(turns * 10);
                    let end = (start + 1 + next(25)).min(turns * 10);
                    (next(transcripts), ["A", "B", "C", "D"][next(4)], start, end)
                })
                .collect();
            let d = data(transcripts, turns, &codings);
            let m = cooccurrence(&d, &ExcerptFilter::default());
            assert_eq!(m.counts, naive(&d, &m.codes), "{codings:?}");
            for i in 0..m.codes.len() {
                for j in 0..m.codes.len() {
                    assert_eq!(m.cell_turns(i, j).len(), m.counts[i][j]);
                }
            }
        }
    }
}
