//! Disagreement review and adjudication. For a code (or all codes), the compared raters and a set of
//! transcripts, each place where any rater coded is one *passage*: a stretch of text where the
//! raters' codings of that code overlap one another. A passage where every rater coded exactly the
//! same text is an agreement; any other is a disagreement. The lead settles each into the consensus
//! layer (take one rater's coding, the union, the intersection, a span of their own, or nothing),
//! with a note. The raters' own codings are never touched.
//!
//! A passage's id is derived from its transcript, code and extent, so the command line can list
//! passages and settle one by id in a later call.

use std::collections::BTreeMap;

use serde::Serialize;

use super::agreement_input::{Selection, gather};
use super::{AppError, Command, Outcome, Result, Workspace};
use crate::model::{
    Adjudication, AdjudicationId, CodeId, CodingId, Decision, RaterId, RaterKind, Span,
    TranscriptId, intersect_spans, now_rfc3339, text, union_spans,
};
use crate::store::{NewCoding, Store};

/// One stretch of text where the compared raters' codings of a code overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// Stable id (from transcript, code and extent).
    pub id: String,
    /// Transcript.
    pub transcript_id: TranscriptId,
    /// Transcript name.
    pub transcript: String,
    /// Code.
    pub code_id: CodeId,
    /// Code path.
    pub code: String,
    /// The whole stretch any rater coded.
    pub extent: Span,
    /// Each compared rater (id, name) with their spans inside the extent.
    pub raters: Vec<(RaterId, String, Vec<Span>)>,
    /// Whether every rater coded exactly the same text here.
    pub agreed: bool,
    /// The decision that settled it, if any.
    pub settled: Option<AdjudicationId>,
}

impl Passage {
    /// `settled`, `agreed` or `open` (a disagreement still to settle).
    #[must_use]
    pub fn state(&self) -> &'static str {
        match (self.agreed, self.settled) {
            (_, Some(_)) => "settled",
            (true, None) => "agreed",
            (false, None) => "open",
        }
    }
}

/// Which passages to review.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// Raters to compare; every human rater that is not a second pass when empty.
    pub raters: Vec<RaterId>,
    /// Codes; all when empty.
    pub codes: Vec<CodeId>,
    /// Transcripts; all every compared rater has coded when empty.
    pub transcripts: Vec<TranscriptId>,
}

/// The stable id of a passage.
#[must_use]
pub fn passage_id(transcript: TranscriptId, code: CodeId, extent: Span) -> String {
    let key = format!(
        "{}|{}|{}|{}",
        transcript.to_text(),
        code.to_text(),
        extent.start,
        extent.end
    );
    text::sha256_hex(&key)[..10].to_string()
}

/// Every passage of the review, by transcript, position and code; settled ones carry their decision.
pub fn passages(store: &Store, review: &Review) -> Result<Vec<Passage>> {
    let raters = if review.raters.is_empty() {
        default_raters(store)?
    } else {
        review.raters.clone()
    };
    let input = gather(
        store,
        &Selection {
            raters,
            codes: review.codes.clone(),
            transcripts: review.transcripts.clone(),
        },
    )?;
    let decided = store.adjudications(None)?;
    let mut out = Vec::new();
    for t in &input.transcripts {
        for (code_id, path) in &input.codes {
            let Some(lanes) = t.spans.get(code_id) else {
                continue;
            };
            let lanes: Vec<Vec<Span>> = lanes.iter().map(|l| union_spans(l)).collect();
            for extent in clusters(&lanes) {
                let raters = input
                    .raters
                    .iter()
                    .zip(&lanes)
                    .map(|((id, name), lane)| (*id, name.clone(), intersect_spans(lane, &[extent])))
                    .collect::<Vec<_>>();
                let agreed = raters.windows(2).all(|w| w[0].2 == w[1].2);
                let settled = decided
                    .iter()
                    .find(|a| {
                        a.withdrawn_at.is_none()
                            && a.transcript_id == t.transcript.transcript_id
                            && a.code_id == *code_id
                            && a.extent.overlap(&extent) > 0
                    })
                    .map(|a| a.adjudication_id);
                out.push(Passage {
                    id: passage_id(t.transcript.transcript_id, *code_id, extent),
                    transcript_id: t.transcript.transcript_id,
                    transcript: t.transcript.name.clone(),
                    code_id: *code_id,
                    code: path.clone(),
                    extent,
                    raters,
                    agreed,
                    settled,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.transcript, a.extent.start, &a.code).cmp(&(&b.transcript, b.extent.start, &b.code))
    });
    Ok(out)
}

/// Human raters that are not second passes: who a review compares unless told otherwise.
pub fn default_raters(store: &Store) -> Result<Vec<RaterId>> {
    let mut out = Vec::new();
    for r in store.raters()? {
        if r.kind == RaterKind::Human && store.pass_of(r.rater_id)?.is_none() {
            out.push(r.rater_id);
        }
    }
    Ok(out)
}

/// Stretches where the raters' spans overlap one another (spans that only touch stay apart).
fn clusters(lanes: &[Vec<Span>]) -> Vec<Span> {
    let mut all: Vec<Span> = lanes.iter().flatten().copied().collect();
    all.sort_unstable();
    let mut out: Vec<Span> = Vec::new();
    for s in all {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// The consensus spans a decision gives for a passage.
pub fn decided_spans(passage: &Passage, decision: Decision) -> Result<Vec<Span>> {
    let lanes = || passage.raters.iter().map(|r| r.2.clone());
    Ok(match decision {
        Decision::Agreed => {
            if !passage.agreed {
                return Err(AppError::Invalid(format!(
                    "passage {}: the raters do not agree there; take, union, intersection, span or drop",
                    passage.id
                )));
            }
            passage
                .raters
                .first()
                .map(|r| r.2.clone())
                .unwrap_or_default()
        }
        Decision::Take { rater_id } => passage
            .raters
            .iter()
            .find(|r| r.0 == rater_id)
            .map(|r| r.2.clone())
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "passage {}: that rater is not one of those compared",
                    passage.id
                ))
            })?,
        Decision::Union => union_spans(&lanes().flatten().collect::<Vec<_>>()),
        Decision::Intersection => lanes()
            .reduce(|a, b| intersect_spans(&a, &b))
            .unwrap_or_default(),
        Decision::Span { start, end } => {
            if start >= end {
                return Err(AppError::Invalid(format!(
                    "span {start}-{end} is empty or reversed"
                )));
            }
            vec![Span::new(start, end)]
        }
        Decision::Drop => Vec::new(),
    })
}

/// The consensus layer: the project's first consensus rater, made ("Consensus", an undoable change
/// of its own) when there is none.
pub fn consensus_rater(ws: &mut Workspace) -> Result<RaterId> {
    if let Some(r) = ws
        .store()
        .raters()?
        .into_iter()
        .find(|r| r.kind == RaterKind::Consensus)
    {
        return Ok(r.rater_id);
    }
    match ws.apply(
        "Add the consensus layer",
        Command::AddRater {
            name: "Consensus".into(),
            kind: RaterKind::Consensus,
        },
    )? {
        Outcome::Rater(r) => Ok(r.rater_id),
        _ => Err(AppError::Invalid(
            "the consensus layer could not be made".into(),
        )),
    }
}

/// A decision on one passage, ready to apply: the record and the consensus codings it adds.
pub fn settlement(
    passage: &Passage,
    decision: Decision,
    note: &str,
    consensus: RaterId,
) -> Result<(Adjudication, Vec<NewCoding>)> {
    if let Some(done) = passage.settled {
        return Err(AppError::Invalid(format!(
            "passage {} is already settled (decision {}); undo that decision first",
            passage.id,
            done.to_text()
        )));
    }
    let spans = decided_spans(passage, decision)?;
    let now = now_rfc3339();
    let codings: Vec<NewCoding> = spans
        .iter()
        .map(|span| NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: passage.transcript_id,
            code_id: passage.code_id,
            rater_id: consensus,
            span: *span,
            memo: None,
            created_at: Some(now.clone()),
        })
        .collect();
    let record = Adjudication {
        adjudication_id: AdjudicationId::new_random(),
        transcript_id: passage.transcript_id,
        code_id: passage.code_id,
        extent: passage.extent,
        rater_spans: passage
            .raters
            .iter()
            .map(|(id, _, spans)| (*id, spans.clone()))
            .collect(),
        decision,
        note: note.to_string(),
        consensus_rater: consensus,
        codings: codings.iter().map(|c| c.coding_id).collect(),
        decided_at: now,
        withdrawn_at: None,
    };
    Ok((record, codings))
}

/// What settling some decisions is called in the Edit menu and the history.
#[must_use]
pub fn settle_label(count: usize) -> String {
    if count == 1 {
        "Settle a disagreement".to_string()
    } else {
        format!("Settle {count} passages")
    }
}

/// Settles decisions as one undoable change (one transaction); the consensus layer is made first
/// if the project has none.
pub fn settle(
    ws: &mut Workspace,
    decisions: &[(Passage, Decision, String)],
) -> Result<Vec<Adjudication>> {
    let label = settle_label(decisions.len());
    let consensus = consensus_rater(ws)?;
    let settled = decisions
        .iter()
        .map(|(p, d, note)| settlement(p, *d, note, consensus))
        .collect::<Result<Vec<_>>>()?;
    let records = settled.iter().map(|s| s.0.clone()).collect();
    ws.apply(&label, Command::Settle(settled))?;
    Ok(records)
}

/// A passage by id (or the start of its id) among those of a review.
pub fn find_passage<'a>(all: &'a [Passage], reference: &str) -> Result<&'a Passage> {
    let reference = reference.trim().to_ascii_lowercase();
    let found: Vec<&Passage> = all
        .iter()
        .filter(|p| !reference.is_empty() && p.id.starts_with(&reference))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(AppError::Invalid(format!(
            "no passage {reference:?} among those compared (the codings may have changed: list them again)"
        ))),
        _ => Err(AppError::Invalid(format!(
            "{reference:?} matches {} passages; give more of the id",
            found.len()
        ))),
    }
}

/// Counts of a review: passages, agreements, disagreements, settled, open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewCounts {
    /// Passages.
    pub passages: usize,
    /// Where every rater coded the same.
    pub agreements: usize,
    /// Where they differ.
    pub disagreements: usize,
    /// Settled (either kind).
    pub settled: usize,
    /// Disagreements still open.
    pub open_disagreements: usize,
}

/// Counts of a list of passages, in total and per code path.
#[must_use]
pub fn counts(all: &[Passage]) -> (ReviewCounts, BTreeMap<String, ReviewCounts>) {
    let mut total = ReviewCounts::default();
    let mut by_code: BTreeMap<String, ReviewCounts> = BTreeMap::new();
    for p in all {
        for c in [&mut total, by_code.entry(p.code.clone()).or_default()] {
            c.passages += 1;
            if p.agreed {
                c.agreements += 1;
            } else {
                c.disagreements += 1;
                if p.settled.is_none() {
                    c.open_disagreements += 1;
                }
            }
            if p.settled.is_some() {
                c.settled += 1;
            }
        }
    }
    (total, by_code)
}
