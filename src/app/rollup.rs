//! Theme roll-up (`accord agreement --rollup`): agreement on a parent code as the union of it and
//! all its sub-codes, as a row beside its children's rows, at every unit. A rater "coded the theme"
//! wherever they applied the parent or any code under it, so two raters who split a theme
//! differently (one used Role conflict where the other used Role confusion) agree on the theme.
//!
//! The union is taken per rater before unitizing: each rater's spans of every code in the theme
//! go to the engine together, which unites a rater's overlapping codings (touching ones stay two
//! codings, as everywhere).

use std::collections::{BTreeSet, HashMap};

use super::Result;
use super::agreement::{AgreementOptions, Units, code_row};
use super::agreement_input::AgreementInput;
use crate::agreement::project::CodeRow;
use crate::agreement::unitize::{RaterSpans, Span as USpan, TranscriptCodings, UnitKind};
use crate::model::{CodeId, Codebook, MAX_CODE_DEPTH};

/// A theme: a code with sub-codes, and every code its roll-up unites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// The parent code.
    pub code_id: CodeId,
    /// Its path.
    pub path: String,
    /// The parent and all its descendants, in tree order.
    pub members: Vec<CodeId>,
}

/// The themes of a comparison, in codebook tree order: every compared code that has sub-codes and
/// every ancestor of a compared code. A theme unites all its sub-codes, compared or not.
#[must_use]
pub fn themes(book: &Codebook, compared: &[CodeId]) -> Vec<Theme> {
    let parent: HashMap<CodeId, Option<CodeId>> = book
        .codes
        .iter()
        .map(|c| (c.code_id, c.parent_id))
        .collect();
    let has_children: BTreeSet<CodeId> = book.codes.iter().filter_map(|c| c.parent_id).collect();
    let mut wanted: BTreeSet<CodeId> = BTreeSet::new();
    for &code in compared {
        if has_children.contains(&code) {
            wanted.insert(code);
        }
        let mut next = parent.get(&code).copied().flatten();
        // The depth bound guards against a cycle in hand-edited data.
        for _ in 0..MAX_CODE_DEPTH {
            let Some(up) = next else { break };
            wanted.insert(up);
            next = parent.get(&up).copied().flatten();
        }
    }
    let order = book.tree_order();
    let mut found: Vec<(usize, Theme)> = wanted
        .into_iter()
        .filter_map(|id| {
            let at = order.iter().position(|(_, c)| c.code_id == id)?;
            let depth = order[at].0;
            // Tree order lists a code's descendants right after it, deeper than it.
            let members = std::iter::once(id)
                .chain(
                    order[at + 1..]
                        .iter()
                        .take_while(|(d, _)| *d > depth)
                        .map(|(_, c)| c.code_id),
                )
                .collect();
            Some((
                at,
                Theme {
                    code_id: id,
                    path: book.path(id),
                    members,
                },
            ))
        })
        .collect();
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, theme)| theme).collect()
}

/// The label of a theme's roll-up row.
#[must_use]
pub fn rollup_label(path: &str) -> String {
    format!("{path} (roll-up)")
}

/// Each transcript's codings of a theme: every rater's spans of every member code, together.
fn theme_codings<'a>(
    input: &AgreementInput,
    units: &'a Units,
    members: &[CodeId],
) -> Vec<TranscriptCodings<'a>> {
    input
        .transcripts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut lanes: Vec<Vec<USpan>> = vec![Vec::new(); input.raters.len()];
            for code in members {
                for (r, spans) in t
                    .spans
                    .get(code)
                    .into_iter()
                    .flat_map(|l| l.iter().enumerate())
                {
                    if let Some(lane) = lanes.get_mut(r) {
                        lane.extend(spans.iter().map(|s| USpan::new(s.start, s.end)));
                    }
                }
            }
            TranscriptCodings {
                len_chars: t.transcript.len_chars,
                turns: &units.turns[i],
                sentences: &units.sentences[i],
                by_rater: lanes
                    .into_iter()
                    .enumerate()
                    .map(|(rater, spans)| RaterSpans { rater, spans })
                    .collect(),
            }
        })
        .collect()
}

/// Adds a roll-up row per theme of the compared codes to `rows` (sorted worst first): each right
/// after the last row of the codes it unites (its sub-themes' roll-up rows included).
pub(super) fn add_rows(
    input: &AgreementInput,
    units: &Units,
    kind: &UnitKind,
    options: &AgreementOptions,
    rows: &mut Vec<CodeRow>,
) -> Result<()> {
    let compared: Vec<CodeId> = input.codes.iter().map(|c| c.0).collect();
    let themes = themes(&input.codebook, &compared);
    // Deepest themes first, so that a parent's roll-up follows its sub-themes' roll-ups.
    for theme in themes.iter().rev() {
        let codings = theme_codings(input, units, &theme.members);
        let (mut row, _) = code_row(
            input,
            kind,
            options,
            &rollup_label(&theme.path),
            Some(theme.code_id),
            &codings,
        )?;
        row.rolls_up = theme
            .members
            .iter()
            .map(|&id| input.codebook.path(id))
            .collect();
        let members: Vec<String> = theme.members.iter().map(CodeId::to_text).collect();
        let at = rows
            .iter()
            .rposition(|r| r.code_id.as_ref().is_some_and(|id| members.contains(id)))
            .map_or(rows.len(), |i| i + 1);
        rows.insert(at, row);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::agreement::{ReliabilityData, StatOptions, compute_all};
    use crate::app::agreement::report_from_input;
    use crate::app::agreement_input::TranscriptInput;
    use crate::model::{Code, RaterId, SourceFormat, Span, Transcript, TranscriptId};

    fn code(name: &str, parent: Option<CodeId>, position: i64) -> Code {
        Code {
            code_id: CodeId::new_random(),
            name: name.into(),
            parent_id: parent,
            colour: "#000000".into(),
            short_definition: String::new(),
            definition: String::new(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position,
        }
    }

    #[test]
    fn themes_are_the_parents_and_ancestors_of_compared_codes_with_all_their_descendants() {
        let role = code("Role", None, 0);
        let conflict = code("Conflict", Some(role.code_id), 0);
        let confusion = code("Confusion", Some(role.code_id), 1);
        let inner = code("Inner", Some(confusion.code_id), 0);
        let lone = code("Lone", None, 1);
        let book = Codebook {
            codes: vec![
                role.clone(),
                conflict.clone(),
                confusion.clone(),
                inner.clone(),
                lone.clone(),
            ],
            ..Codebook::default()
        };
        // Only Conflict compared: Role is its ancestor and unites every code under it.
        let t = themes(&book, &[conflict.code_id, lone.code_id]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].path, "Role");
        assert_eq!(
            t[0].members,
            vec![
                role.code_id,
                conflict.code_id,
                confusion.code_id,
                inner.code_id
            ]
        );
        // Inner compared: its ancestors Role and Role/Confusion, in tree order.
        let t = themes(&book, &[inner.code_id]);
        let paths: Vec<&str> = t.iter().map(|t| t.path.as_str()).collect();
        assert_eq!(paths, ["Role", "Role/Confusion"]);
        assert_eq!(t[1].members, vec![confusion.code_id, inner.code_id]);
        // A compared code with sub-codes is a theme of its own; a leaf with no parent is none.
        assert_eq!(themes(&book, &[confusion.code_id]).len(), 2);
        assert!(themes(&book, &[lone.code_id]).is_empty());
    }

    /// One rater's spans of each of the three codes (parent, child A, child B) over `len` chars.
    fn lanes(len: usize) -> impl Strategy<Value = Vec<Vec<(usize, usize)>>> {
        prop::collection::vec(
            prop::collection::vec((0..len, 1..len / 2), 0..4).prop_map(move |v| {
                v.into_iter()
                    .map(|(start, n)| (start, (start + n).min(len)))
                    .filter(|(a, b)| a < b)
                    .collect()
            }),
            3,
        )
    }

    proptest! {
        #[test]
        fn rollup_equals_the_statistics_of_the_naive_per_character_union(
            (len, ana, ben) in (8usize..60).prop_flat_map(|len| (Just(len), lanes(len), lanes(len))),
        ) {
            let parent = code("Theme", None, 0);
            let a = code("A", Some(parent.code_id), 0);
            let b = code("B", Some(parent.code_id), 1);
            let ids = [parent.code_id, a.code_id, b.code_id];
            let book = Codebook {
                codes: vec![parent.clone(), a.clone(), b.clone()],
                ..Codebook::default()
            };
            let mut spans: BTreeMap<CodeId, Vec<Vec<Span>>> = BTreeMap::new();
            for (k, id) in ids.iter().enumerate() {
                let lane = |r: &[Vec<(usize, usize)>]| {
                    r[k].iter().map(|&(s, e)| Span::new(s, e)).collect::<Vec<_>>()
                };
                spans.insert(*id, vec![lane(&ana), lane(&ben)]);
            }
            let input = AgreementInput {
                raters: vec![
                    (RaterId::new_random(), "ana".into()),
                    (RaterId::new_random(), "ben".into()),
                ],
                codes: vec![(a.code_id, "Theme/A".into()), (b.code_id, "Theme/B".into())],
                transcripts: vec![TranscriptInput {
                    transcript: Transcript {
                        transcript_id: TranscriptId::new_random(),
                        name: "T".into(),
                        case_id: None,
                        source_file: "t.txt".into(),
                        format: SourceFormat::Txt,
                        text: "x".repeat(len),
                        sha256: String::new(),
                        len_chars: len,
                        imported_at: String::new(),
                        turns: Vec::new(),
                    },
                    spans,
                }],
                excluded: Vec::new(),
                codebook: book,
            };
            let stats = StatOptions { bootstrap_replicates: 0, ..StatOptions::default() };
            let options = AgreementOptions { stats, rollup: true, ..AgreementOptions::default() };
            let (report, _) = report_from_input(&input, &options, false).unwrap();
            let row = report.rows.iter().find(|r| r.code == "Theme (roll-up)").unwrap();
            // Naive: each character is coded by a rater when any of their spans of any of the
            // three codes covers it.
            let covered = |lanes: &[Vec<(usize, usize)>], i: usize| {
                lanes.iter().flatten().any(|&(s, e)| s <= i && i < e)
            };
            let mut naive = ReliabilityData::binary(vec!["ana".into(), "ben".into()]);
            for i in 0..len {
                let cell = |l: &[Vec<(usize, usize)>]| Some(u32::from(covered(l, i)));
                naive.push_unit(&[cell(&ana), cell(&ben)]).unwrap();
            }
            let want = compute_all(&naive, &stats);
            prop_assert_eq!(row.units, len as u64);
            let same = |got: Option<f64>, want: Option<f64>| match (got, want) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-12,
                (None, None) => true,
                _ => false,
            };
            for (got, name) in [
                (&row.kappa, "cohen_kappa"),
                (&row.alpha, "krippendorff_alpha"),
                (&row.percent_agreement, "percent_agreement"),
                (&row.gwet_ac1, "gwet_ac1"),
            ] {
                prop_assert!(same(got.value, want.get(name).value), "{name}: {got:?} vs {:?}", want.get(name));
            }
            for name in crate::agreement::STATISTICS {
                prop_assert!(same(row.statistics.get(name).value, want.get(name).value), "{name}");
            }
        }
    }
}
