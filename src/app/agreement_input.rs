//! From a project to what the agreement engine needs: for the chosen raters, codes and transcripts,
//! each rater's spans per code and transcript, with the transcripts' turns. Only transcripts that
//! every compared rater has coded count (a rater who has not started a transcript is missing there,
//! not disagreeing), and the transcripts left out are reported with the reason.

use std::collections::{BTreeMap, BTreeSet};

use super::{AppError, Result};
use crate::agreement::project::Excluded;
use crate::model::{
    CodeId, Codebook, Coding, CodingFilter, RaterId, RaterKind, Span, Transcript, TranscriptId,
};
use crate::store::Store;

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Raters to compare (at least two); all human raters when empty.
    pub raters: Vec<RaterId>,
    /// Codes to report; every code anyone used in the transcripts when empty.
    pub codes: Vec<CodeId>,
    /// Transcripts to consider; all when empty.
    pub transcripts: Vec<TranscriptId>,
}

/// One transcript with everyone's codings, ready for unitizing.
#[derive(Debug, Clone)]
pub struct TranscriptInput {
    /// The transcript (text and turns).
    pub transcript: Transcript,
    /// For each code, each rater's spans (index into `AgreementInput::raters`), sorted.
    pub spans: BTreeMap<CodeId, Vec<Vec<Span>>>,
}

/// Everything needed to compute agreement for a selection.
#[derive(Debug, Clone)]
pub struct AgreementInput {
    /// Compared raters (ids and names, in the order used everywhere).
    pub raters: Vec<(RaterId, String)>,
    /// Codes compared, in codebook tree order, with their paths.
    pub codes: Vec<(CodeId, String)>,
    /// Transcripts every compared rater has coded.
    pub transcripts: Vec<TranscriptInput>,
    /// Transcripts left out.
    pub excluded: Vec<Excluded>,
    /// The codebook.
    pub codebook: Codebook,
}

/// Gathers the input for a selection.
pub fn gather(store: &Store, selection: &Selection) -> Result<AgreementInput> {
    let raters = compared_raters(store, selection)?;
    let filter = CodingFilter {
        transcripts: selection.transcripts.clone(),
        raters: raters.iter().map(|r| r.0).collect(),
        ..CodingFilter::default()
    };
    let (mut by_transcript, coded) = group(&store.codings(&filter)?, &raters);
    let codebook = store.codebook()?;
    let candidates: Vec<TranscriptId> = if selection.transcripts.is_empty() {
        store
            .transcripts()?
            .into_iter()
            .map(|t| t.transcript_id)
            .collect()
    } else {
        selection.transcripts.clone()
    };
    let (mut transcripts, mut excluded) = (Vec::new(), Vec::new());
    for id in candidates {
        let by = coded.get(&id).cloned().unwrap_or_default();
        if by.len() == raters.len() {
            let spans = by_transcript.remove(&id).unwrap_or_default();
            transcripts.push(TranscriptInput {
                transcript: store.transcript(id)?,
                spans,
            });
        } else if !by.is_empty() || !selection.transcripts.is_empty() {
            let name = store.find_transcript(&id.to_text())?.name;
            let not_coded_by = raters
                .iter()
                .enumerate()
                .filter(|(i, _)| !by.contains(i))
                .map(|(_, r)| r.1.clone())
                .collect();
            excluded.push(Excluded {
                transcript: name,
                not_coded_by,
            });
        }
    }
    let used: BTreeSet<CodeId> = transcripts
        .iter()
        .flat_map(|t| t.spans.keys().copied())
        .collect();
    let wanted: BTreeSet<CodeId> = if selection.codes.is_empty() {
        used
    } else {
        selection.codes.iter().copied().collect()
    };
    let compared = codebook
        .tree_order()
        .into_iter()
        .filter(|(_, c)| wanted.contains(&c.code_id))
        .map(|(_, c)| (c.code_id, codebook.path(c.code_id)))
        .collect();
    Ok(AgreementInput {
        raters,
        codes: compared,
        transcripts,
        excluded,
        codebook,
    })
}

/// The raters compared: those selected, or every human rater.
fn compared_raters(store: &Store, selection: &Selection) -> Result<Vec<(RaterId, String)>> {
    let all = store.raters()?;
    let raters: Vec<(RaterId, String)> = if selection.raters.is_empty() {
        all.iter()
            .filter(|r| r.kind == RaterKind::Human)
            .map(|r| (r.rater_id, r.name.clone()))
            .collect()
    } else {
        selection
            .raters
            .iter()
            .map(|id| {
                all.iter()
                    .find(|r| r.rater_id == *id)
                    .map(|r| (r.rater_id, r.name.clone()))
                    .ok_or_else(|| AppError::Invalid(format!("no rater {id}")))
            })
            .collect::<Result<_>>()?
    };
    if raters.len() < 2 {
        return Err(AppError::Invalid(
            "agreement needs at least two raters (see `accord rater list`)".into(),
        ));
    }
    Ok(raters)
}

/// Spans per transcript, code and rater (index), sorted.
type SpansByTranscript = BTreeMap<TranscriptId, BTreeMap<CodeId, Vec<Vec<Span>>>>;

/// Each rater's sorted spans per transcript and code, and which raters coded each transcript at all.
fn group(
    codings: &[Coding],
    raters: &[(RaterId, String)],
) -> (SpansByTranscript, BTreeMap<TranscriptId, BTreeSet<usize>>) {
    let rater_index: BTreeMap<RaterId, usize> =
        raters.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let mut by_transcript = SpansByTranscript::new();
    let mut coded: BTreeMap<TranscriptId, BTreeSet<usize>> = BTreeMap::new();
    for c in codings {
        let Some(&r) = rater_index.get(&c.rater_id) else {
            continue;
        };
        coded.entry(c.transcript_id).or_default().insert(r);
        let lanes = by_transcript
            .entry(c.transcript_id)
            .or_default()
            .entry(c.code_id)
            .or_insert_with(|| vec![Vec::new(); raters.len()]);
        lanes[r].push(c.span);
    }
    for lanes in by_transcript.values_mut().flat_map(BTreeMap::values_mut) {
        for lane in lanes.iter_mut() {
            lane.sort_unstable();
        }
    }
    (by_transcript, coded)
}
