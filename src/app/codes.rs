//! Taking a code out of the codebook, by deleting it or by merging it into another code, as one
//! [`Edit`]: the window's codebook editor builds these, and the workspace applies them (undoably).

use super::{AppError, Result};
use crate::model::{CodeGroup, CodeId, Codebook, CodingFilter, CodingId, Edit, NewCoding, RaterId};
use crate::store::api::{Codebooks, Codings};

/// The codebook without `code_id`, its children moved under `children_to` (`None`: top level), and
/// out of its code group (a group left with one code is dropped: see [`groups_left_by`]).
#[must_use]
pub fn without_code(book: &Codebook, code_id: CodeId, children_to: Option<CodeId>) -> Codebook {
    let mut book = book.clone();
    book.codes.retain(|c| c.code_id != code_id);
    book.forget_in_groups(code_id);
    for c in &mut book.codes {
        if c.parent_id == Some(code_id) {
            c.parent_id = children_to;
        }
    }
    book
}

/// The codebook with the group `group` declared: a group of that name is replaced (keeping its
/// place), a new one added last. Checked as a whole (see [`Codebook::check_groups`]).
///
/// # Errors
/// A group that does not hold together (fewer than two codes, a code in another group, ...).
pub fn with_group(book: &Codebook, group: CodeGroup) -> Result<Codebook> {
    let mut book = book.clone();
    match book.groups.iter_mut().find(|g| g.name == group.name) {
        Some(old) => *old = group,
        None => book.groups.push(group),
    }
    book.check_groups().map_err(AppError::Invalid)?;
    Ok(book)
}

/// The codebook without the group `name` (its codes stay in the codebook).
///
/// # Errors
/// No group of that name (naming the declared ones).
pub fn without_group(book: &Codebook, name: &str) -> Result<Codebook> {
    let Some(found) = book.group(name).map(|g| g.name.clone()) else {
        let declared: Vec<&str> = book.groups.iter().map(|g| g.name.as_str()).collect();
        return Err(AppError::Invalid(format!(
            "no code group is named {:?} (declared: {})",
            name.trim(),
            if declared.is_empty() {
                "none".to_string()
            } else {
                declared.join(", ")
            }
        )));
    };
    let mut book = book.clone();
    book.groups.retain(|g| g.name != found);
    Ok(book)
}

/// What taking `code_id` out of the codebook does to its group, in words (for the confirmation):
/// `None` when it is in no group.
#[must_use]
pub fn groups_left_by(book: &Codebook, code_id: CodeId) -> Option<String> {
    let group = book.groups.iter().find(|g| g.codes.contains(&code_id))?;
    Some(if group.codes.len() <= 2 {
        format!(
            "the code group \"{}\" is left with one code, so it is dropped",
            group.name
        )
    } else {
        format!("it leaves the code group \"{}\"", group.name)
    })
}

/// Merging `from` into `into`: every rater's live codings of `from` are removed and added again with
/// `into` (same rater, span and time), and `from` leaves the codebook with its children moved under
/// `into`.
pub fn merge_codes(
    store: &(impl Codings + Codebooks),
    from: CodeId,
    into: CodeId,
    by: Option<RaterId>,
) -> Result<Edit> {
    let live = store.codings(&CodingFilter {
        codes: vec![from],
        ..CodingFilter::default()
    })?;
    let add = live
        .iter()
        .map(|c| NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: c.transcript_id,
            code_id: into,
            rater_id: c.rater_id,
            span: c.span,
            memo: None,
            created_at: Some(c.created_at.clone()),
        })
        .collect();
    Ok(Edit {
        codebook: Some(without_code(&store.codebook()?, from, Some(into))),
        add,
        remove: live.iter().map(|c| c.coding_id).collect(),
        by,
        action: "merge-codes".into(),
        ..Edit::default()
    })
}
