//! How far coding has got: live codings counted per code, and per transcript per rater (the
//! window's code tree and project panel show these).

use std::collections::{BTreeMap, HashMap};

use super::Result;
use crate::model::{CodeId, CodingFilter, RaterId, TranscriptId};
use crate::store::Store;

/// Live codings counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodingCounts {
    /// Codings per code.
    pub per_code: HashMap<CodeId, usize>,
    /// Codings per transcript per rater.
    pub per_transcript: HashMap<TranscriptId, BTreeMap<RaterId, usize>>,
}

/// Counts the live codings of the raters `shown` keeps (in blind mode a rater sees only their own).
pub fn coding_counts(store: &Store, shown: impl Fn(RaterId) -> bool) -> Result<CodingCounts> {
    let mut counts = CodingCounts::default();
    for coding in store.codings(&CodingFilter::default())? {
        if !shown(coding.rater_id) {
            continue;
        }
        *counts.per_code.entry(coding.code_id).or_insert(0) += 1;
        *counts
            .per_transcript
            .entry(coding.transcript_id)
            .or_default()
            .entry(coding.rater_id)
            .or_insert(0) += 1;
    }
    Ok(counts)
}
