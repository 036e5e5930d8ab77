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

use super::agreement_input::{Selection, gather, why_selection_compares_nothing};
use super::{AppError, Command, Outcome, Result, Workspace};
use super::{RaterCommand, TeamCommand};
use crate::model::{
    Adjudication, AdjudicationId, CodeId, CodingId, Decision, NewCoding, RaterId, RaterKind, Span,
    TranscriptId, intersect_spans, now_rfc3339, text, union_spans,
};
use crate::store::Store;

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

    /// Whether the raters nearly agree here by `near`: an exact agreement always does.
    #[must_use]
    pub fn nearly_agreed(&self, near: Nearness) -> bool {
        if self.agreed {
            return true;
        }
        if self.raters.len() < 2 || self.raters.iter().any(|r| r.2.is_empty()) {
            return false;
        }
        match near {
            Nearness::Exact => false,
            Nearness::Within(chars) => {
                let Some(spans) = self
                    .raters
                    .iter()
                    .map(|r| match r.2.as_slice() {
                        [one] => Some(*one),
                        _ => None,
                    })
                    .collect::<Option<Vec<Span>>>()
                else {
                    return false;
                };
                let spread = |values: Vec<usize>| {
                    values.iter().max().copied().unwrap_or(0)
                        - values.iter().min().copied().unwrap_or(0)
                };
                spread(spans.iter().map(|s| s.start).collect()) <= chars
                    && spread(spans.iter().map(|s| s.end).collect()) <= chars
            }
            Nearness::Overlap(percent) => {
                let lanes = || self.raters.iter().map(|r| r.2.clone());
                let length = |spans: &[Span]| spans.iter().map(|s| s.end - s.start).sum::<usize>();
                let all = union_spans(&lanes().flatten().collect::<Vec<_>>());
                let common = lanes()
                    .reduce(|a, b| intersect_spans(&a, &b))
                    .unwrap_or_default();
                // common / all >= percent / 100, in integers.
                length(&common) * 100 >= length(&all) * usize::from(percent)
            }
        }
    }
}

/// When raters who did not code exactly the same text still count as agreeing, for settling many
/// passages at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nearness {
    /// Only exactly the same text.
    Exact,
    /// Each rater coded one stretch, and their starts lie within this many characters of one
    /// another, and so do their ends (a word or a punctuation mark of drift at a boundary).
    Within(usize),
    /// What every rater coded is at least this percentage of what any rater coded there (the
    /// overlap criterion MAXQDA's intercoder check uses for segments).
    Overlap(u8),
}

impl std::fmt::Display for Nearness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact => write!(f, "exactly"),
            Self::Within(n) => write!(f, "within {n} characters at each end"),
            Self::Overlap(p) => write!(f, "with at least {p}% of the text in common"),
        }
    }
}

/// The decisions that settle every open agreement (the raters' coding becomes the consensus) and
/// every open near agreement by `nearness` (see [`Passage::nearly_agreed`]) as `near`: the union or
/// the intersection of the raters' codings there. Each carries a note saying which.
pub fn agreement_decisions(
    all: &[Passage],
    nearness: Nearness,
    near: Decision,
) -> Result<Vec<(Passage, Decision, String)>> {
    let word = match near {
        Decision::Union => "union",
        Decision::Intersection => "intersection",
        _ => {
            return Err(AppError::Invalid(
                "near agreements are settled as the union or the intersection".into(),
            ));
        }
    };
    Ok(all
        .iter()
        .filter(|p| p.settled.is_none())
        .filter_map(|p| {
            if p.agreed {
                Some((p.clone(), Decision::Agreed, "the raters agreed".to_string()))
            } else if p.nearly_agreed(nearness) {
                Some((
                    p.clone(),
                    near,
                    format!("the raters agreed {nearness}; {word} taken"),
                ))
            } else {
                None
            }
        })
        .collect())
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

/// What a review compares: its raters (by default [`default_raters`]), codes and transcripts.
fn selection(store: &Store, review: &Review) -> Result<Selection> {
    let raters = if review.raters.is_empty() {
        default_raters(store)?
    } else {
        review.raters.clone()
    };
    Ok(Selection {
        raters,
        codes: review.codes.clone(),
        transcripts: review.transcripts.clone(),
    })
}

/// Why a review has no passages because it compares no transcript (no transcript was coded by
/// every compared rater), with what to do; `None` when it compares at least one (see
/// [`super::agreement_input::why_nothing_compared`]).
pub fn why_no_passages(store: &Store, review: &Review) -> Result<Option<String>> {
    why_selection_compares_nothing(store, &selection(store, review)?)
}

/// Every passage of the review, by transcript, position and code; settled ones carry their decision.
pub fn passages(store: &Store, review: &Review) -> Result<Vec<Passage>> {
    let input = gather(store, &selection(store, review)?)?;
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
        Command::Raters(RaterCommand::Add {
            name: "Consensus".into(),
            kind: RaterKind::Consensus,
        }),
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
    ws.apply(&label, Command::Team(TeamCommand::Settle(settled)))?;
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

impl std::fmt::Display for ReviewCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passages: {} agreements, {} disagreements ({} still open), {} settled",
            self.passages,
            self.agreements,
            self.disagreements,
            self.open_disagreements,
            self.settled
        )
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(lanes: &[&[(usize, usize)]]) -> Passage {
        let raters: Vec<(RaterId, String, Vec<Span>)> = lanes
            .iter()
            .enumerate()
            .map(|(i, spans)| {
                (
                    RaterId::new_random(),
                    format!("R{i}"),
                    spans.iter().map(|&(s, e)| Span::new(s, e)).collect(),
                )
            })
            .collect();
        let agreed = raters.windows(2).all(|w| w[0].2 == w[1].2);
        Passage {
            id: "p".into(),
            transcript_id: TranscriptId::new_random(),
            transcript: "t".into(),
            code_id: CodeId::new_random(),
            code: "c".into(),
            extent: Span::new(0, 1000),
            raters,
            agreed,
            settled: None,
        }
    }

    #[test]
    fn near_agreement_by_boundary_drift() {
        // Starts 3 apart, ends 5 apart.
        let p = passage(&[&[(100, 200)], &[(103, 195)]]);
        assert!(!p.agreed);
        assert!(!p.nearly_agreed(Nearness::Exact));
        assert!(!p.nearly_agreed(Nearness::Within(4)));
        assert!(p.nearly_agreed(Nearness::Within(5)));
        // Two stretches for one rater: never a drift of one.
        let split = passage(&[&[(100, 200)], &[(100, 150), (152, 200)]]);
        assert!(!split.nearly_agreed(Nearness::Within(50)));
        // A rater who coded nothing there never agrees.
        let alone = passage(&[&[(100, 200)], &[]]);
        assert!(!alone.nearly_agreed(Nearness::Within(1000)));
        assert!(!alone.nearly_agreed(Nearness::Overlap(1)));
        // Exact agreement is near by any measure.
        assert!(passage(&[&[(5, 9)], &[(5, 9)]]).nearly_agreed(Nearness::Overlap(100)));
    }

    #[test]
    fn near_agreement_by_overlap_counts_text_all_coded_over_text_any_coded() {
        // Common 103..195 = 92 of 100..200 = 100 chars: 92%.
        let p = passage(&[&[(100, 200)], &[(103, 195)]]);
        assert!(p.nearly_agreed(Nearness::Overlap(92)));
        assert!(!p.nearly_agreed(Nearness::Overlap(93)));
        // Three raters: what all three coded (120..180 = 60) over what any coded (100..200 = 100).
        let three = passage(&[&[(100, 200)], &[(110, 190)], &[(120, 180)]]);
        assert!(three.nearly_agreed(Nearness::Overlap(60)));
        assert!(!three.nearly_agreed(Nearness::Overlap(61)));
        // Two stretches each may still overlap enough.
        let split = passage(&[&[(0, 50), (60, 100)], &[(0, 50), (60, 100)], &[(0, 100)]]);
        assert!(split.nearly_agreed(Nearness::Overlap(90)));
    }

    #[test]
    fn agreement_decisions_settle_exact_and_near_passages_with_their_notes() {
        let exact = passage(&[&[(0, 10)], &[(0, 10)]]);
        let near = passage(&[&[(100, 200)], &[(103, 195)]]);
        let far = passage(&[&[(300, 400)], &[(350, 450)]]);
        let mut settled = passage(&[&[(500, 510)], &[(500, 510)]]);
        settled.settled = Some(AdjudicationId::new_random());
        let all = [exact, near, far, settled];
        let only_exact = agreement_decisions(&all, Nearness::Exact, Decision::Union).unwrap();
        assert_eq!(only_exact.len(), 1);
        assert_eq!(only_exact[0].1, Decision::Agreed);
        let with_near =
            agreement_decisions(&all, Nearness::Within(5), Decision::Intersection).unwrap();
        assert_eq!(with_near.len(), 2);
        assert_eq!(with_near[1].1, Decision::Intersection);
        assert_eq!(
            with_near[1].2,
            "the raters agreed within 5 characters at each end; intersection taken"
        );
        assert_eq!(
            decided_spans(&with_near[1].0, with_near[1].1).unwrap(),
            vec![Span::new(103, 195)]
        );
        assert!(agreement_decisions(&all, Nearness::Within(5), Decision::Drop).is_err());
    }
}

/// A passage with the text around it (the words of the turns it touches), as a person reads it.
#[derive(Debug, Clone)]
pub struct ShownPassage {
    /// The passage.
    pub passage: Passage,
    /// The text around it (its turns).
    pub context: String,
    /// Char offset of `context` in the transcript.
    pub offset: usize,
}

/// The passages of a review (see [`passages`]) with the turns around each, each transcript read
/// once. A review that compares no transcript is an error saying why and what to do (see
/// [`why_no_passages`]), which the window shows in place of the list.
pub fn passages_in_context(store: &Store, review: &Review) -> Result<Vec<ShownPassage>> {
    let list: Vec<Passage> = passages(store, review)?;
    if list.is_empty()
        && let Some(why) = why_no_passages(store, review)?
    {
        return Err(AppError::Invalid(why));
    }
    let mut transcripts: std::collections::HashMap<TranscriptId, crate::model::Transcript> =
        std::collections::HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for passage in list {
        let t = match transcripts.entry(passage.transcript_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(store.transcript(passage.transcript_id)?)
            }
        };
        let around = context(t, passage.extent);
        out.push(ShownPassage {
            context: text::slice_chars(&t.text, around.start, around.end).to_string(),
            offset: around.start,
            passage,
        });
    }
    Ok(out)
}

/// The words of the turns a span touches (the span itself when no turn holds it).
fn context(t: &crate::model::Transcript, span: Span) -> Span {
    let touched: Vec<Span> = t
        .turns
        .iter()
        .filter(|u| u.span.start < span.end && span.start < u.span.end)
        .map(crate::model::Turn::content_span)
        .collect();
    let start = touched
        .first()
        .map_or(span.start, |s| s.start.min(span.start));
    let end = touched.last().map_or(span.end, |s| s.end.max(span.end));
    Span::new(start, end)
}
