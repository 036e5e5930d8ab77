//! Loading a project for export: one read of the store into an [`export::ProjectData`] snapshot, which
//! every export (and the window's preview) then renders without touching the store again.
//!
//! [`export::ProjectData`]: crate::export::ProjectData

use super::Result;
use crate::export::ProjectData;
use crate::store::{CodingFilter, Store};

/// Reads everything an export may need: codebook, transcripts with text and turns, cases, raters,
/// live codings and memos.
pub fn snapshot(store: &Store) -> Result<ProjectData> {
    let transcripts = store
        .transcripts()?
        .iter()
        .map(|t| store.transcript(t.transcript_id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut codings = store.codings(&CodingFilter::default())?;
    let order: std::collections::BTreeMap<_, _> = transcripts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.transcript_id, i))
        .collect();
    codings.sort_by_key(|c| {
        (
            order.get(&c.transcript_id).copied(),
            c.span.start,
            c.span.end,
            c.code_id,
            c.rater_id,
            c.coding_id,
        )
    });
    Ok(ProjectData {
        name: store.project_name()?,
        codebook: store.codebook()?,
        transcripts,
        cases: store.cases()?,
        raters: store.raters()?,
        codings,
        memos: store.all_memos()?,
    })
}
