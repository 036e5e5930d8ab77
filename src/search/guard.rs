//! A guard around the sub-queries of `NOT`. tantivy excludes documents by asking the excluded
//! scorer whether it holds each candidate (`seek_danger`), also when that scorer has already moved
//! past the candidate; its phrase scorer asserts that it never has, so `x NOT "a b"` can stop a
//! debug build (the fuzzer found it) and relies on luck in a release build. The guard answers those
//! questions itself ("not here; the next one is further on") and passes the rest through.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term};

/// A query whose scorers never seek backwards.
#[derive(Debug)]
pub struct Guarded(pub Box<dyn Query>);

impl Clone for Guarded {
    fn clone(&self) -> Self {
        Self(self.0.box_clone())
    }
}

impl Query for Guarded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardedWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct GuardedWeight(Box<dyn Weight>);

impl Weight for GuardedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(GuardedScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct GuardedScorer(Box<dyn Scorer>);

impl DocSet for GuardedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            doc
        } else {
            self.0.seek(target)
        }
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let doc = self.0.doc();
        match doc.cmp(&target) {
            std::cmp::Ordering::Equal => SeekDangerResult::Found,
            std::cmp::Ordering::Greater => SeekDangerResult::SeekLowerBound(doc),
            std::cmp::Ordering::Less => self.0.seek_danger(target),
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for GuardedScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
