//! The codebook's groups of mutually exclusive codes on a project: for each group its unitizing
//! alphas (`uα`, `|uα`, `cuα`, see [`crate::agreement::unitize::groups`]) over the transcripts every
//! compared rater has coded, and `Cuα` over all groups (`accord agreement --unit unitizing --groups`,
//! and the window's agreement view at the unitizing unit).

use super::agreement_input::{AgreementInput, Selection, gather};
use super::{AppError, Result};
pub use crate::agreement::project::{GROUPS_LEGEND, GroupRow, GroupsReport};
use crate::agreement::unitize::Span;
use crate::agreement::unitize::groups::{
    GroupAlphas, GroupCoding, GroupContinuum, group_alphas, pooled_cu_alpha,
};
use crate::model::{CodeGroup, Codebook};
use crate::store::Store;

/// The groups `names` names (every declared group when empty).
///
/// # Errors
/// A codebook that declares no group, or a name it does not declare (naming the ones it does).
pub fn chosen(book: &Codebook, names: &[String]) -> Result<Vec<CodeGroup>> {
    if book.groups.is_empty() {
        return Err(AppError::Invalid(
            "the codebook declares no code groups: declare groups of mutually exclusive codes in \
             the codebook file ([[groups]] with a name and codes), with `accord codebook group`, \
             or in the window (Codebook > Code groups)"
                .into(),
        ));
    }
    if names.is_empty() {
        return Ok(book.groups.clone());
    }
    let mut out: Vec<CodeGroup> = Vec::with_capacity(names.len());
    for name in names {
        let Some(group) = book.group(name) else {
            let declared: Vec<&str> = book.groups.iter().map(|g| g.name.as_str()).collect();
            return Err(AppError::Invalid(format!(
                "no code group is named {:?} (the codebook declares: {})",
                name.trim(),
                declared.join(", ")
            )));
        };
        if !out.iter().any(|g| g.name == group.name) {
            out.push(group.clone());
        }
    }
    Ok(out)
}

/// The rows of `groups` over the selection's raters and transcripts.
///
/// # Errors
/// An unknown rater or transcript; fewer than two raters.
pub fn report_on(
    store: &Store,
    selection: &Selection,
    groups: &[CodeGroup],
) -> Result<GroupsReport> {
    report(&gather(store, selection)?, groups)
}

/// The groups' rows over a gathered input.
///
/// # Errors
/// Fewer than two raters; a coding outside its transcript (a damaged project).
pub fn report(input: &AgreementInput, groups: &[CodeGroup]) -> Result<GroupsReport> {
    let raters: Vec<String> = input.raters.iter().map(|r| r.1.clone()).collect();
    let paths = input.codebook.all_paths();
    let mut rows = Vec::with_capacity(groups.len());
    for group in groups {
        let continua: Vec<GroupContinuum> = input
            .transcripts
            .iter()
            .map(|t| GroupContinuum {
                name: t.transcript.name.clone(),
                len_chars: t.transcript.len_chars,
                codings: group
                    .codes
                    .iter()
                    .enumerate()
                    .flat_map(|(code, id)| {
                        t.spans.get(id).into_iter().flat_map(move |lanes| {
                            lanes.iter().enumerate().flat_map(move |(rater, spans)| {
                                spans.iter().map(move |s| GroupCoding {
                                    rater,
                                    code,
                                    span: Span::new(s.start, s.end),
                                })
                            })
                        })
                    })
                    .collect(),
            })
            .collect();
        let codes: Vec<String> = group
            .codes
            .iter()
            .map(|c| paths.get(c).cloned().unwrap_or_else(|| c.to_text()))
            .collect();
        let mut alphas = group_alphas(raters.len(), &raters, &codes, &continua)
            .map_err(|e| AppError::Invalid(format!("code group {:?}: {e}", group.name)))?;
        if input.transcripts.is_empty() {
            alphas
                .notes
                .insert(0, super::agreement::no_common_units(raters.len()));
        }
        rows.push(GroupRow {
            group: group.name.clone(),
            codes,
            alphas,
        });
    }
    let all: Vec<GroupAlphas> = rows.iter().map(|r| r.alphas.clone()).collect();
    let cu_alpha_all = pooled_cu_alpha(&all);
    let notes = if cu_alpha_all.is_none() {
        vec!["Cu_alpha is undefined: no group's cu_alpha is defined".to_string()]
    } else {
        Vec::new()
    };
    Ok(GroupsReport {
        raters,
        transcripts: input.transcripts.len(),
        groups: rows,
        cu_alpha_all,
        notes,
    })
}
