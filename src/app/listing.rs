//! Codings as people read them: with transcript names, code paths, rater names, the quoted text and
//! any memo. Shared by the listing, the CSV export and `show`.

use std::collections::HashMap;

use super::Result;
use crate::model::{Coding, CodingFilter, CodingView, MemoTarget, TranscriptId, text};
use crate::store::api::{Codebooks, Codings, Memos, Raters, Transcripts};

/// The codings matching `filter`, resolved, ordered by transcript name, start, end, code, rater.
pub fn coding_views(
    store: &(impl Codings + Codebooks + Raters + Transcripts + Memos),
    filter: &CodingFilter,
) -> Result<Vec<CodingView>> {
    let codings = store.codings(filter)?;
    let book = store.codebook()?;
    let raters: HashMap<_, _> = store
        .raters()?
        .into_iter()
        .map(|r| (r.rater_id, r.name))
        .collect();
    let mut texts: HashMap<TranscriptId, (String, String)> = HashMap::new();
    let mut out = Vec::with_capacity(codings.len());
    for c in codings {
        if let std::collections::hash_map::Entry::Vacant(slot) = texts.entry(c.transcript_id) {
            let t = store.transcript(c.transcript_id)?;
            slot.insert((t.name, t.text));
        }
        let (name, body) = texts
            .get(&c.transcript_id)
            .map_or(("", ""), |(n, t)| (n.as_str(), t.as_str()));
        out.push(view(
            store,
            &c,
            name,
            body,
            &book.path(c.code_id),
            raters.get(&c.rater_id).map_or("", String::as_str),
        )?);
    }
    out.sort_by(|a, b| {
        (&a.transcript, a.start, a.end, &a.code, &a.rater).cmp(&(
            &b.transcript,
            b.start,
            b.end,
            &b.code,
            &b.rater,
        ))
    });
    Ok(out)
}

fn view(
    store: &impl Memos,
    c: &Coding,
    transcript: &str,
    body: &str,
    code: &str,
    rater: &str,
) -> Result<CodingView> {
    let memo = store
        .memos(MemoTarget::Coding(c.coding_id))?
        .pop()
        .map(|m| m.text);
    Ok(CodingView {
        coding_id: c.coding_id.to_text(),
        transcript: transcript.to_string(),
        transcript_id: c.transcript_id.to_text(),
        code: code.to_string(),
        code_id: c.code_id.to_text(),
        rater: rater.to_string(),
        rater_id: c.rater_id.to_text(),
        start: c.span.start,
        end: c.span.end,
        quote: text::slice_chars(body, c.span.start, c.span.end).to_string(),
        memo,
        created_at: c.created_at.clone(),
        codebook_version: c.codebook_version,
        removed_at: c.removed_at.clone(),
    })
}
