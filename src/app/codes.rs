//! Taking a code out of the codebook, by deleting it or by merging it into another code, as one
//! [`Edit`]: the window's codebook editor builds these, and the workspace applies them (undoably).

use super::Result;
use crate::model::{CodeId, Codebook, CodingFilter, CodingId, Edit, NewCoding, RaterId};
use crate::store::api::{Codebooks, Codings};

/// The codebook without `code_id`, its children moved under `children_to` (`None`: top level).
#[must_use]
pub fn without_code(book: &Codebook, code_id: CodeId, children_to: Option<CodeId>) -> Codebook {
    let mut book = book.clone();
    book.codes.retain(|c| c.code_id != code_id);
    for c in &mut book.codes {
        if c.parent_id == Some(code_id) {
            c.parent_id = children_to;
        }
    }
    book
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
